"""Daily reminder of controlled documents whose periodic review is due (07:30 server time)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="30"))
def remind_document_reviews() -> int:
    from opsqm.documents.services import documents_remind_review

    return len(documents_remind_review(today=timezone.localdate()))
