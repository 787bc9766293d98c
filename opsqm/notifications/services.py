"""notify(): the one way any area tells people something (in-app row + email after commit)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.notifications.models import Notification
from opsqm.records.safeurl import is_safe_url

# Loading demo data or replaying history must not mail anyone; in-app rows are still created.
_emails_suppressed: ContextVar[bool] = ContextVar("opsqm_emails_suppressed", default=False)


@contextlib.contextmanager
def emails_suppressed() -> Iterator[None]:
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def _unique_active(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _send_emails(messages: list[tuple[str, str, str]]) -> None:
    # One message per recipient so no one sees the other recipients' addresses.
    for subject, body, address in messages:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)


def notify(*, users: Iterable[Any], title: str, body: str = "", url: str = "", kind: str = "", email: bool = True) -> list[Notification]:
    """Create one unread notification per (distinct, active) user; email them once the transaction commits.

    Emails are plain text (no HTML), so user-entered text cannot inject markup.
    """
    recipients = _unique_active(users)
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [Notification(user=u, title=title[:200], body=body, url=url[:500] if is_safe_url(url[:500]) else "", kind=kind) for u in recipients]
    )
    if email and not _emails_suppressed.get():
        text = body
        if url:
            text = f"{body}\n\n{_('请登录运维服务质量管理系统查看：')}{url}".strip()
        messages = [(f"[opsqm] {title}", text, u.email) for u in recipients if u.email]
        if messages:
            transaction.on_commit(lambda: _send_emails(messages))
    return rows


def notification_mark_read(*, user: Any, notification: Notification) -> None:
    if notification.user_id != user.pk:
        return
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
