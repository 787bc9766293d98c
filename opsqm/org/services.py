"""Writes of organization master data. Views and API call these, never model.save() directly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.accounts.access import can_manage_master_data
from opsqm.org.models import Customer, Project, ProjectMembership
from opsqm.records.locking import bump_version, lock_for_edit

PROJECT_FIELDS = (
    "code",
    "name",
    "customer",
    "status",
    "contract_start",
    "contract_end",
    "contract_value",
    "ops_manager",
    "quality_specialist",
    "department",
    "time_zone",
    "description",
)
CUSTOMER_FIELDS = ("code", "name", "industry", "contact_name", "contact_phone", "contact_email", "address", "notes")


def _require_master_data(actor: Any) -> None:
    if not can_manage_master_data(actor):
        raise PermissionDenied(_("只有质量经理或系统管理员可以维护主数据。"))


@transaction.atomic
def customer_create(*, actor: Any, data: dict[str, Any]) -> Customer:
    _require_master_data(actor)
    customer = Customer(**{k: data[k] for k in CUSTOMER_FIELDS if k in data})
    customer.full_clean()
    customer.save()
    return customer


def _apply_versioned_update(instance: Any, fields: Iterable[str], data: dict[str, Any], expected_version: int) -> Any:
    locked = lock_for_edit(instance, expected_version, _("该记录已被他人修改，请刷新页面后重新编辑。"))
    for field in fields:
        if field in data:
            setattr(locked, field, data[field])
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, data: dict[str, Any], expected_version: int) -> Customer:
    _require_master_data(actor)
    return _apply_versioned_update(customer, CUSTOMER_FIELDS, data, expected_version)


@transaction.atomic
def project_create(*, actor: Any, data: dict[str, Any], members: Iterable[Any] = (), service_items: Iterable[Any] = ()) -> Project:
    _require_master_data(actor)
    project = Project(**{k: data[k] for k in PROJECT_FIELDS if k in data})
    project.full_clean()
    project.save()
    project_set_members(actor=actor, project=project, users=members)
    project.service_items.set(list(service_items))
    return project


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: Project,
    data: dict[str, Any],
    expected_version: int,
    members: Iterable[Any] | None = None,
    service_items: Iterable[Any] | None = None,
) -> Project:
    _require_master_data(actor)
    old_time_zone = project.time_zone
    project = _apply_versioned_update(project, PROJECT_FIELDS, data, expected_version)
    if project.time_zone != old_time_zone:  # tickets move between local months
        from opsqm.kpis.counters import kpi_counters_refresh

        kpi_counters_refresh(project_id=project.pk)  # KPI counters: refreshed here in the writer's transaction
    if members is not None:
        project_set_members(actor=actor, project=project, users=members)
    if service_items is not None:
        project.service_items.set(list(service_items))
    return project


@transaction.atomic
def project_set_members(*, actor: Any, project: Project, users: Iterable[Any]) -> None:
    _require_master_data(actor)
    wanted = {u.pk: u for u in users}
    current = {m.user_id: m for m in project.memberships.all()}
    for user_id, membership in current.items():
        if user_id not in wanted:
            membership.delete()
    for user_id, user in wanted.items():
        if user_id not in current:
            ProjectMembership.objects.create(project=project, user=user)
