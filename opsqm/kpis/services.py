"""Writes of the KPI area: targets, manual measures, raising a finding from a KPI miss."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.accounts.roles import Role
from opsqm.core.kpi import KPI_DEFINITIONS, KpiCode, Period
from opsqm.kpis.models import MANUAL_KPIS, RATIO_MANUAL_KPIS, KpiTarget, ManualMeasure
from opsqm.records.locking import StaleEditError, bump_version, lock_for_edit

KPI_MISS_SOURCE_TYPE = "kpis.kpimiss"
# A project's 客户满意度 miss is raised by the surveys area (opsqm.surveys.services.finding_from_project_score),
# whose findings carry this source and "<project pk>:<period key>"; the company row's miss is a KPI miss.
SATISFACTION_SOURCE_TYPE = "surveys.project_score"


def can_edit_targets(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in (Role.QUALITY_MANAGER, Role.ADMIN)))


def can_enter_measures(user: Any, project: Any) -> bool:
    """The project's quality specialist or the quality manager enters manual measures."""
    if can_edit_targets(user):
        return True
    return bool(user and user.is_authenticated and user.role == Role.QUALITY_SPECIALIST and project.quality_specialist_id == user.pk)


def can_raise_kpi_finding(user: Any, project: Any | None) -> bool:
    if project is None:
        return can_edit_targets(user)
    return can_enter_measures(user, project)


@transaction.atomic
def target_set(*, actor: Any, kpi: KpiCode | str, target: Decimal | None, project: Any = None) -> KpiTarget | None:
    """Set (or with target None, remove) the org target or a project's own target."""
    if not can_edit_targets(actor):
        raise PermissionDenied(_("只有质量经理可以设定指标目标。"))
    code = KpiCode(kpi)
    existing = KpiTarget.objects.select_for_update().filter(kpi=code.value, project=project).first()
    if target is None:
        if existing is not None:
            existing.delete()
        return None
    if target < 0:
        raise ValidationError(_("目标值不能为负数。"))
    if KPI_DEFINITIONS[code].unit == "%" and target > 1:
        raise ValidationError(_("比率类指标的目标应在 0%～100% 之间。"))
    if KPI_DEFINITIONS[code].unit == "分" and target > 100:
        raise ValidationError(_("满意度目标应在 0～100 分之间。"))
    row = existing or KpiTarget(kpi=code.value, project=project)
    row.target = target
    row.set_by = actor
    if existing is not None:
        bump_version(row)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def manual_measure_save(
    *,
    actor: Any,
    project: Any,
    kpi: KpiCode | str,
    period: str,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ManualMeasure:
    """Create or update one manual measure; `expected_version` guards against lost updates."""
    if not can_enter_measures(actor, project):
        raise PermissionDenied(_("只有该项目的质量专员或质量经理可以录入手工指标。"))
    code = KpiCode(kpi)
    if code not in MANUAL_KPIS:
        raise ValidationError(_("该指标由工单自动计算，不能手工录入。"))
    try:
        Period.parse(period)
    except ValueError as exc:
        raise ValidationError(_("期间格式应为 2026-03（月）或 2026-Q1（季度）。")) from exc
    if code in RATIO_MANUAL_KPIS:
        if not denominator:
            raise ValidationError(_("请填写应提交的报告数（分母，至少为 1）。"))
        if numerator is None or numerator > denominator:
            raise ValidationError(_("按时提交数（分子）必须填写且不能大于应提交数。"))
        value = None
    else:
        if value is None:
            raise ValidationError(_("请填写数值。"))
        if KPI_DEFINITIONS[code].unit == "%" and not (0 <= value <= 1):
            raise ValidationError(_("可用率应在 0%～100% 之间（例如 99.5% 填 0.995）。"))
        if value < 0:
            raise ValidationError(_("数值不能为负数。"))
        numerator = denominator = None
    existing = ManualMeasure.objects.select_for_update().filter(kpi=code.value, project=project, period=period).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise StaleEditError(_("该指标已被他人删除或修改，请刷新页面后重新录入。"), code="stale")
        row = ManualMeasure(kpi=code.value, project=project, period=period)
    else:
        row = lock_for_edit(existing, expected_version, _("该期间的数据已被他人修改，请刷新页面查看最新数值后重新录入。"))
        bump_version(row)
    row.value, row.numerator, row.denominator, row.note, row.entered_by = value, numerator, denominator, note, actor
    row.full_clean()
    row.save()
    return row


def kpi_source_id(project: Any | None, code: KpiCode, period: Period) -> str:
    return f"{project.pk if project is not None else 'org'}:{code.value}:{period.key}"


def satisfaction_source_id(project: Any, period: Period) -> str:
    return f"{project.pk}:{period.key}"


def satisfaction_raise_finding(*, actor: Any, project: Any, period: Period, score: float, target: float) -> tuple[Any, bool]:
    """A project's 客户满意度 below target → the surveys area's low-score finding, once per project and
    period (the same finding the satisfaction pages propose). Returns (finding, created)."""
    from opsqm.findings.selectors import findings_for_source
    from opsqm.surveys.services import finding_from_project_score

    if not can_raise_kpi_finding(actor, project):
        raise PermissionDenied(_("只有质量经理或该项目的质量专员可以对指标未达标发起问题。"))
    with transaction.atomic():
        # Serialise concurrent clicks on the same miss: lock the project row first.
        type(project).objects.select_for_update().filter(pk=project.pk).first()
        existing = findings_for_source(SATISFACTION_SOURCE_TYPE, satisfaction_source_id(project, period)).first()
        if existing is not None:
            return existing, False
        return finding_from_project_score(actor=actor, project=project, period=period.key, score=score, threshold=target), True


def kpi_miss_title(project: Any | None, code: KpiCode, period: Period, value_text: str, target_text: str) -> str:
    scope = project.code if project is not None else _("全公司")
    return _("%(scope)s %(period)s %(kpi)s %(value)s，未达目标 %(target)s") % {
        "scope": scope,
        "period": period.label_zh,
        "kpi": KPI_DEFINITIONS[code].name_zh,
        "value": value_text,
        "target": target_text,
    }


@transaction.atomic
def kpi_raise_finding(
    *,
    actor: Any,
    project: Any | None,
    code: KpiCode,
    period: Period,
    value_text: str,
    target_text: str,
    detail: str,
    source_url: str,
) -> tuple[Any, bool]:
    """Raise a finding for a KPI miss, once per (scope, KPI, period). Returns (finding, created)."""
    from opsqm.findings.models import Finding
    from opsqm.findings.selectors import findings_for_source
    from opsqm.findings.services import finding_create

    if not can_raise_kpi_finding(actor, project):
        raise PermissionDenied(_("只有质量经理或该项目的质量专员可以对指标未达标发起问题。"))
    source_id = kpi_source_id(project, code, period)
    if project is not None:
        # Serialise concurrent clicks on the same miss: lock the project row first.
        type(project).objects.select_for_update().filter(pk=project.pk).first()
    existing = findings_for_source(KPI_MISS_SOURCE_TYPE, source_id).first()
    if existing is not None:
        return existing, False
    title = kpi_miss_title(project, code, period, value_text, target_text)
    finding = finding_create(
        actor=actor,
        title=title[:200],
        description=detail,
        severity=Finding.Severity.MINOR,
        source=Finding.Source.KPI,
        project=project,
        source_type=KPI_MISS_SOURCE_TYPE,
        source_id=source_id,
        source_url=source_url,
    )
    return finding, True
