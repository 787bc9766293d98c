"""Due dates checked against their context, in the services (pages and API show the service's message).

A due date set in the past, or before the record it belongs to existed, would put the record
straight into overdue escalation. "Today" is the business day of `opsqm.clock` in local time, so
demo loaders and tests that build history create records under a past clock instead of
switching the check off. A date that is not changed by an edit is never re-checked (an overdue
record can still be edited).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock

__all__ = ["business_today", "check_due_date"]


def business_today() -> dt.date:
    """Today in local time by the business clock (`opsqm.clock`)."""
    return timezone.localtime(clock.now()).date()


def check_due_date(
    due_date: dt.date | None,
    *,
    today: dt.date | None,
    not_before: dt.date | None = None,
    field: str = "due_date",
    what: str = "",
    not_before_what: str = "",
    after_today: bool = False,
) -> None:
    """Refuse `due_date` before `today` (or on it, with `after_today`) or before `not_before`, naming `what`.

    Raises a ValidationError keyed by `field`, so a page form shows it on the field and the API under it.
    """
    if due_date is None:
        return
    what = what or _("期限")
    if today is not None and after_today and due_date <= today:
        raise ValidationError({field: _("%(what)s必须晚于今天（%(today)s）。") % {"what": what, "today": today.isoformat()}})
    if today is not None and due_date < today:
        raise ValidationError({field: _("%(what)s不能早于今天（%(today)s）。") % {"what": what, "today": today.isoformat()}})
    if not_before is not None and due_date < not_before:
        raise ValidationError(
            {
                field: _("%(what)s不能早于%(context)s（%(d)s）。")
                % {"what": what, "context": not_before_what or _("问题登记日期"), "d": not_before.isoformat()}
            }
        )
