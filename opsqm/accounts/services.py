"""Writes for users and roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from opsqm.accounts.models import User
from opsqm.accounts.roles import ROLE_PERMISSIONS, Role


def ensure_role_groups() -> dict[str, Group]:
    """Create one group per role with the model permissions the role implies (idempotent)."""
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for label, actions in ROLE_PERMISSIONS.get(role, {}).items():
            app_label, model = label.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions]))
        group.permissions.set(wanted)
        groups[role.value] = group
    return groups


@transaction.atomic
def user_create(*, username: str, password: str = "", role: str, full_name: str = "", email: str = "", password_hash: str = "") -> User:
    """Create a user; `password_hash` (already hashed) lets bulk loaders skip re-hashing one password."""
    user = User(username=username, role=role, full_name=full_name, email=email)
    user.is_staff = role == Role.ADMIN  # only system administrators use the Django admin
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_role(user=user, role=role)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    groups = ensure_role_groups() if not Group.objects.filter(name=role).exists() else {role: Group.objects.get(name=role)}
    user.role = role
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save()
    user.groups.set([groups[role]])
    return user


def external_access_active(user: Any, now=None) -> bool:
    """External reviewers may log in only while one of their grants is valid (rule: `access.account_usable`)."""
    from opsqm.accounts.access import account_usable

    if user.role != Role.EXTERNAL_REVIEWER:
        return True
    return account_usable(user, now=now)


def token_regenerate(*, user: User) -> Token:
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
