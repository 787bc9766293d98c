"""Retention covers the survey, plan and quarterly records: each area adds its record classes by a data
migration, and their records past retention are listed and can be disposed of like the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opsqm.archive import services
from opsqm.archive.models import Disposal, RecordClass
from opsqm.surveys.models import Response
from opsqm.surveys.tests.quarter_data import make

pytestmark = pytest.mark.django_db


def test_the_survey_plan_and_quarterly_record_classes_exist_with_their_retention():
    classes = {rc.code: (rc.model, rc.date_field, rc.retention_years) for rc in RecordClass.objects.all()}
    assert classes["survey_responses"] == ("surveys.response", "submitted_at", 3)
    assert classes["survey_campaigns"] == ("surveys.campaign", "created_at", 3)
    assert classes["complaints"] == ("surveys.complaint", "received_at", 3)
    assert classes["plans"] == ("plans.qualityplan", "created_at", 5)
    assert classes["quarterly"] == ("quarterly.quarterlyreview", "closed_at", 3)


def test_survey_responses_past_retention_are_listed_and_disposed_in_the_audit_trail(world):
    make(world)  # three responses submitted on 2026-05-12
    due = {row["record_class"].code: row for row in services.records_due_for_disposal(today=dt.date(2029, 5, 12))}
    assert due["survey_responses"]["count"] == 0  # exactly three years: not yet past
    due = {row["record_class"].code: row for row in services.records_due_for_disposal(today=dt.date(2029, 5, 13))}
    assert due["survey_responses"]["count"] == Response.objects.count() == 3
    assert due["complaints"]["count"] == 0  # received 2026-05-20 and later
    rc = RecordClass.objects.get(code="survey_responses")
    first = due["survey_responses"]["records"][0]
    services.record_dispose(
        actor=world.qm, record_class=rc, object_id=first.pk, reason="超过保存期限，按制度销毁", today=dt.date(2029, 5, 13)
    )
    assert not Response.objects.filter(pk=first.pk).exists() and Disposal.objects.filter(record_class=rc, object_id=str(first.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.record_dispose(
            actor=world.outsider,
            record_class=rc,
            object_id=due["survey_responses"]["records"][1].pk,
            reason="x",
            today=dt.date(2029, 5, 13),
        )
