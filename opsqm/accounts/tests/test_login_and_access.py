from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_user
from opsqm.accounts.access import visible_projects
from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role


def test_the_login_page_speaks_chinese_even_to_an_english_browser(db):
    body = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/").content.decode()
    assert "运维服务质量管理系统" in body and 'lang="zh-hans"' in body


def test_a_user_can_switch_to_english(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en"


def test_a_real_login_and_logout(world):
    client = Client()
    response = client.post("/accounts/login/", {"username": "qm", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_the_account(world, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "spec_a", "password": "wrong"})
    assert response.status_code == 429
    assert "已临时锁定" in response.content.decode()
    locked = client.post("/accounts/login/", {"username": "spec_a", "password": PASSWORD})
    assert locked.status_code == 429  # even the right password is refused while locked


def test_visibility_rules_follow_roles_and_membership(world):
    assert set(visible_projects(world.qm)) == {world.project_a, world.project_b}
    assert set(visible_projects(world.gm)) == {world.project_a, world.project_b}
    assert set(visible_projects(world.mgmt)) == {world.project_a, world.project_b}
    assert list(visible_projects(world.spec_a)) == [world.project_a]
    assert list(visible_projects(world.ops_b)) == [world.project_b]
    assert list(visible_projects(world.outsider)) == []
    assert list(visible_projects(world.auditor)) == []


def test_an_external_reviewer_sees_granted_projects_only_while_the_grant_is_valid(world):
    reviewer = make_user("reviewer", Role.EXTERNAL_REVIEWER)
    now = timezone.now()
    grant = ExternalGrant.objects.create(
        user=reviewer, purpose="评审", valid_from=now - dt.timedelta(hours=1), valid_until=now + dt.timedelta(hours=1), granted_by=world.qm
    )
    grant.projects.set([world.project_b])
    assert list(visible_projects(reviewer, now=now)) == [world.project_b]
    assert list(visible_projects(reviewer, now=now + dt.timedelta(hours=2))) == []
    client = Client()
    assert client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD}).status_code == 302
    assert client.get(f"/org/projects/{world.project_b.pk}/").status_code == 200
    assert client.get(f"/org/projects/{world.project_a.pk}/").status_code == 404
    assert client.get("/org/projects/new/").status_code == 403


def test_an_expired_reviewer_cannot_log_in(world):
    reviewer = make_user("reviewer", Role.EXTERNAL_REVIEWER)
    now = timezone.now()
    ExternalGrant.objects.create(
        user=reviewer, purpose="评审", valid_from=now - dt.timedelta(days=10), valid_until=now - dt.timedelta(days=1), granted_by=world.qm
    )
    response = Client().post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 200 and "不在有效期内" in response.content.decode()


def test_roles_are_groups_with_the_permissions_they_imply(world):
    assert world.qm.groups.filter(name=Role.QUALITY_MANAGER).exists()
    assert world.qm.has_perm("org.change_project") and world.qm.has_perm("org.add_customer")
    assert world.spec_a.has_perm("org.view_project") and not world.spec_a.has_perm("org.change_project")
    assert world.admin.is_staff and not world.qm.is_staff


def test_a_grant_window_must_be_positive(world):
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalGrant.objects.create(user=world.outsider, purpose="x", valid_from=now, valid_until=now, granted_by=world.qm)


def test_the_profile_page_issues_an_api_token_once(world, login):
    client = login(world.spec_a)
    client.post("/accounts/profile/token/")
    body = client.get("/accounts/profile/").content.decode()
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user=world.spec_a).key
    assert key in body
    assert key not in client.get("/accounts/profile/").content.decode()  # shown once only
