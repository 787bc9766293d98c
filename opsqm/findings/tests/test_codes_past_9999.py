"""A code series continues past 9999 (NC-2026-10000 after NC-2026-9999), and lists that show codes
in order follow the number / creation, not the text ("10000" < "9999" as text)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opsqm.findings import services
from opsqm.findings.models import Finding
from opsqm.records.codes import code_number


def _raise(world, title: str, at: dt.datetime) -> Finding:
    return services.finding_create(
        actor=world.qm, title=title, description="x", severity="minor", source="manual", project=world.project_a, now=at
    )


def test_the_finding_after_9999_is_10000_and_the_one_after_is_10001(world):
    at = timezone.now()
    year = timezone.localtime(at).year
    Finding.objects.create(
        code=f"NC-{year}-9999",
        title="旧数据",
        description="x",
        severity="minor",
        source="manual",
        project=world.project_a,
        raised_by=world.qm,
        raised_at=at - dt.timedelta(days=1),
        owner=world.ops_a,
        due_date=at.date(),
    )
    first, second = _raise(world, "第一万", at), _raise(world, "第一万零一", at + dt.timedelta(seconds=1))
    assert (first.code, second.code) == (f"NC-{year}-10000", f"NC-{year}-10001")
    assert [code_number(c) for c in (f"NC-{year}-9999", first.code, second.code)] == [9999, 10000, 10001]


def test_the_findings_list_shows_10000_as_newer_than_9999(world, login):
    at = timezone.now()
    year = timezone.localtime(at).year
    from opsqm.records.models import CodeCounter

    CodeCounter.objects.create(prefix="NC", year=year, last=9998)
    older, newer = _raise(world, "九千九", at), _raise(world, "一万", at + dt.timedelta(seconds=1))
    assert older.code.endswith("-9999") and newer.code.endswith("-10000")
    body = login(world.qm).get("/findings/").content.decode()
    assert body.index(newer.code) < body.index(older.code)  # newest first, by creation
    assert login(world.outsider).get("/findings/").content.decode().count(newer.code) == 0
