"""An expired external reviewer and a deactivated user lose access on their next request:
through an existing session and through their API token (not only at the next login)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import make_user
from opsqm.accounts.access import account_usable
from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role


@pytest.fixture
def reviewer(world):
    user = make_user("reviewer", Role.EXTERNAL_REVIEWER, "外部专家")
    now = timezone.now()
    grant = ExternalGrant.objects.create(
        user=user, purpose="年度评审", valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=1), granted_by=world.qm
    )
    grant.projects.set([world.project_a])
    return user, grant


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _expire(grant) -> None:
    ExternalGrant.objects.filter(pk=grant.pk).update(
        valid_from=timezone.now() - dt.timedelta(days=10), valid_until=timezone.now() - dt.timedelta(seconds=1)
    )


def test_the_rule_is_active_account_and_for_reviewers_a_grant_valid_now(world, reviewer):
    user, grant = reviewer
    assert account_usable(world.spec_a) and account_usable(user)
    assert not account_usable(user, now=grant.valid_until)
    world.spec_a.is_active = False
    assert not account_usable(world.spec_a)


def test_a_reviewer_session_ends_on_the_first_request_after_the_grant_expired(world, reviewer):
    user, grant = reviewer
    client = _session(user)
    assert client.get(f"/org/projects/{world.project_a.pk}/").status_code == 200
    _expire(grant)
    response = client.get(f"/org/projects/{world.project_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The session is gone, not only this request refused; the login page says why.
    assert "_auth_user_id" not in client.session
    assert "授权已过期" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 302


def test_a_reviewer_token_is_refused_once_the_grant_expired(world, reviewer):
    user, grant = reviewer
    api = _token(user)
    assert api.get("/api/v1/projects/").status_code == 200
    _expire(grant)
    response = api.get("/api/v1/projects/")
    assert response.status_code in (401, 403) and "授权已过期" in response.json()["detail"]
    assert api.get("/api/v1/checklists/").status_code in (401, 403)


def test_a_deactivated_users_session_and_token_stop_working(world):
    client = _session(world.spec_a)
    api = _token(world.spec_a)
    assert client.get("/findings/").status_code == 200 and api.get("/api/v1/findings/").status_code == 200
    type(world.spec_a).objects.filter(pk=world.spec_a.pk).update(is_active=False)
    page = client.get("/findings/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert api.get("/api/v1/findings/").status_code in (401, 403)
    assert api.post("/api/v1/findings/", {"title": "x", "description": "x", "severity": "minor"}, format="json").status_code in (401, 403)


def test_an_active_reviewer_and_other_users_are_not_affected(world, reviewer):
    user, _grant = reviewer
    assert _session(user).get(f"/org/projects/{world.project_a.pk}/").status_code == 200
    assert _session(user).get(f"/org/projects/{world.project_b.pk}/").status_code == 404
    assert _token(world.qm).get("/api/v1/projects/").status_code == 200
