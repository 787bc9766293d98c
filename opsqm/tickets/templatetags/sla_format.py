"""Display helpers for business-time figures."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opsqm.tickets.models import SlaStatus

register = template.Library()

_BADGES = {
    SlaStatus.NA: "text-bg-light",
    SlaStatus.PENDING: "text-bg-info",
    SlaStatus.MET: "text-bg-success",
    SlaStatus.BREACHED: "text-bg-danger",
}


@register.filter
def hmm(seconds) -> str:
    """Business seconds as h:mm (seconds shown when not whole minutes); "—" for none."""
    if seconds is None or seconds == "" or int(seconds) < 0:
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


@register.filter
def target(seconds) -> str:
    if not seconds:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    parts = []
    if hours:
        parts.append(_("%(h)s 小时") % {"h": hours})
    if minutes:
        parts.append(_("%(m)s 分钟") % {"m": minutes})
    return " ".join(parts) or _("%(s)s 秒") % {"s": seconds}


@register.filter
def sla_badge(status) -> str:
    status = SlaStatus(int(status))
    return format_html('<span class="badge {}">{}</span>', _BADGES[status], status.label)
