"""Who may see and download assessor packages: external reviewers only within their grant's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role
from opsqm.archive import services
from opsqm.archive.models import AssessorPackage, PackageStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(world):
    user = make_user("ext", Role.EXTERNAL_REVIEWER, "外审")
    grant = ExternalGrant.objects.create(
        user=user,
        purpose="客户质量专家检查",
        valid_from=timezone.now() - dt.timedelta(days=1),
        valid_until=timezone.now() + dt.timedelta(days=30),
        granted_by=world.qm,
    )
    grant.projects.set([world.project_a])
    return user


def ready(world, *projects) -> AssessorPackage:
    p = services.package_create(
        actor=world.qm,
        year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        projects=list(projects),
        enqueue=False,
    )
    p.file.save("x.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    p.status = PackageStatus.READY
    p.save()
    return p


def test_an_external_reviewer_downloads_only_packages_inside_their_grant(world, reviewer, login):
    mine, mixed, other, company = (
        ready(world, world.project_a),
        ready(world, world.project_a, world.project_b),
        ready(world, world.project_b),
        ready(world),
    )
    c = login(reviewer)
    assert c.get(reverse("archive:package_download", args=[mine.pk])).status_code == 200
    for p in (mixed, other, company):
        assert c.get(reverse("archive:package_detail", args=[p.pk])).status_code == 404
        assert c.get(reverse("archive:package_download", args=[p.pk])).status_code == 404
    listing = c.get(reverse("archive:packages")).content.decode()
    assert mine.code in listing and other.code not in listing and company.code not in listing
    assert c.get(reverse("archive:package_create")).status_code == 404


def test_an_expired_grant_sees_nothing(world, reviewer, login):
    mine = ready(world, world.project_a)
    ExternalGrant.objects.filter(user=reviewer).update(valid_until=timezone.now() - dt.timedelta(minutes=1))
    response = login(reviewer).get(reverse("archive:package_download", args=[mine.pk]))
    # The account check ends an expired reviewer's session on the next request: back to the login page.
    assert response.status_code == 404 or (response.status_code == 302 and "/accounts/login/" in response["Location"])


def test_internal_staff_outside_management_cannot_see_packages(world, login):
    mine = ready(world, world.project_a)
    for user in (world.outsider, world.spec_a, world.ops_a, world.spec_b):
        c = login(user)
        assert c.get(reverse("archive:package_detail", args=[mine.pk])).status_code == 404
        assert c.get(reverse("archive:package_download", args=[mine.pk])).status_code == 404
        assert c.get(reverse("archive:packages")).status_code == 404
        assert c.post(reverse("archive:package_create"), {"year": 2026}).status_code == 404
    assert login(world.qm).get(reverse("archive:package_download", args=[mine.pk]))["Content-Disposition"].startswith("attachment")
