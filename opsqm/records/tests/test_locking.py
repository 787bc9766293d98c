"""The one optimistic-locking helper and its conflict error, as pages and the API answer it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory

from opsqm.org.models import Customer
from opsqm.records.locking import StaleEditError, bump_version, lock_for_edit, parse_version
from opsqm.records.middleware import EditConflictMiddleware


def test_lock_for_edit_returns_the_locked_row_or_raises_the_sites_message(world):
    customer = Customer.objects.get(pk=world.customer_a.pk)
    with transaction.atomic():
        locked = lock_for_edit(customer, customer.version, "客户已被他人修改")
        bump_version(locked)
        locked.save()
    with pytest.raises(StaleEditError, match="客户已被他人修改"), transaction.atomic():
        lock_for_edit(customer, customer.version, "客户已被他人修改")
    with pytest.raises(StaleEditError, match="王"), transaction.atomic():
        lock_for_edit(customer, 0, lambda row: f"已被王某修改（第 {row.version} 版）")
    with transaction.atomic():
        assert lock_for_edit(customer, None).version == customer.version + 1  # lock only


@pytest.mark.parametrize("raw", [None, "", True, "abc", [1]])
def test_an_edit_without_a_usable_version_is_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_version(raw)
    assert "version" in info.value.message_dict


def test_parse_version_accepts_integers_and_integer_strings():
    assert parse_version(3) == 3 and parse_version("4") == 4


def test_the_checklist_conflict_is_the_same_conflict_error():
    from opsqm.checklists.services import StaleVersionError

    assert issubclass(StaleVersionError, StaleEditError)


def _request(method: str):
    request = getattr(RequestFactory(), method)("/somewhere/?tab=x")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_conflict_no_view_caught_becomes_the_message_not_a_500():
    middleware = EditConflictMiddleware(lambda r: None)
    post = _request("post")
    response = middleware.process_exception(post, StaleEditError("该问题已被他人修改，请刷新页面查看最新状态后再操作。"))
    assert response.status_code == 302 and response["Location"] == "/somewhere/?tab=x"
    assert [str(m) for m in get_messages(post)] == ["该问题已被他人修改，请刷新页面查看最新状态后再操作。"]
    get = middleware.process_exception(_request("get"), StaleEditError("冲突"))
    assert get.status_code == 409 and "冲突" in get.content.decode()
    assert middleware.process_exception(_request("post"), ValueError("x")) is None


def test_api_patch_without_version_is_refused_with_a_message_and_changes_nothing(world, api_client):
    client = api_client(world.qm)
    response = client.patch(f"/api/v1/customers/{world.customer_a.pk}/", {"name": "静默覆盖"}, format="json")
    assert response.status_code == 400 and "缺少版本号" in response.json()["version"][0]
    world.customer_a.refresh_from_db()
    assert world.customer_a.name == "甲客户"


def test_api_patch_with_a_stale_version_answers_409_with_the_message(world, api_client):
    client = api_client(world.qm)
    version = world.customer_a.version
    assert client.patch(f"/api/v1/customers/{world.customer_a.pk}/", {"name": "一", "version": version}, format="json").status_code == 200
    stale = client.patch(f"/api/v1/customers/{world.customer_a.pk}/", {"name": "二", "version": version}, format="json")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert client.patch(f"/api/v1/customers/{world.customer_b.pk}/", {"name": "x", "version": 1}, format="json").status_code == 200
    assert (
        api_client(world.spec_a).patch(f"/api/v1/customers/{world.customer_b.pk}/", {"name": "x", "version": 2}, format="json").status_code
        == 404
    )  # wrong project: not even visible
