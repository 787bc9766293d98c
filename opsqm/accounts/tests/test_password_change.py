"""Users change their own password in 个人信息, with the password rules."""

from __future__ import annotations

from django.urls import reverse


def test_a_user_changes_her_password_and_stays_signed_in(world, login):
    world.spec_a.set_password("old-Secret-42")
    world.spec_a.save()
    client = login(world.spec_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "old-Secret-42", "new_password1": "Neu-Kennwort-9281", "new_password2": "Neu-Kennwort-9281"},
    )
    assert response.status_code == 302
    world.spec_a.refresh_from_db()
    assert world.spec_a.check_password("Neu-Kennwort-9281")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_in_chinese(world, login):
    world.ops_a.set_password("old-Secret-42")
    world.ops_a.save()
    client = login(world.ops_a)
    bad_old = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "Neu-Kennwort-9281", "new_password2": "Neu-Kennwort-9281"},
    )
    assert bad_old.status_code == 400
    weak = client.post(
        reverse("accounts:password_change"), {"old_password": "old-Secret-42", "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 400
    assert "密码" in weak.content.decode()
    world.ops_a.refresh_from_db()
    assert world.ops_a.check_password("old-Secret-42")


def test_the_password_change_needs_a_signed_in_user(client):
    response = client.post(reverse("accounts:password_change"), {"old_password": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
