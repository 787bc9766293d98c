"""Writes of the archive: assessor packages (built in the background) and record disposal."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.archive import policy
from opsqm.archive.models import AssessorPackage, Disposal, PackageStatus, RecordClass
from opsqm.archive.package import build_zip
from opsqm.archive.providers import PackageScope
from opsqm.records.codes import code_allocate

__all__ = ["package_scope", "package_create", "package_build", "records_due_for_disposal", "record_dispose"]


def package_scope(package: AssessorPackage) -> PackageScope:
    ids = frozenset(package.projects.values_list("pk", flat=True))
    return PackageScope(
        year=package.year,
        start=package.period_start,
        end=package.period_end,
        project_ids=ids or None,
        evidence_ids=tuple(int(i) for i in package.evidence_ids),
    )


@transaction.atomic
def package_create(
    *,
    actor: Any,
    year: int,
    period_start: dt.date,
    period_end: dt.date,
    projects: Iterable[Any] = (),
    evidence_ids: Iterable[int] = (),
    title: str = "",
    enqueue: bool = True,
) -> AssessorPackage:
    """Record the package and queue its build as a background job (progress on the job page)."""
    from opsqm.jobs.services import job_create
    from opsqm.records.models import EvidenceFile

    if not policy.can_build_packages(actor):
        raise PermissionDenied(_("只有质量经理、管理者代表或系统管理员可以生成评审资料包。"))
    if period_start > period_end:
        raise ValidationError({"period_end": _("期间结束日期不能早于开始日期。")})
    projects = list(projects)
    project_ids = {p.pk for p in projects}
    evidence_ids = sorted({int(i) for i in evidence_ids})
    for ev in EvidenceFile.objects.filter(pk__in=evidence_ids):
        if project_ids and ev.project_id not in project_ids:
            raise ValidationError({"evidence_ids": _("证据文件“%(n)s”不属于所选项目，不能放入资料包。") % {"n": ev.original_name}})
    if len(evidence_ids) != EvidenceFile.objects.filter(pk__in=evidence_ids).count():
        raise ValidationError({"evidence_ids": _("有证据文件不存在。")})
    scope_name = "、".join(sorted(p.code for p in projects)) or _("全公司")
    package = AssessorPackage(
        code=code_allocate(prefix="PKG", year=year, model=AssessorPackage),
        title=title or _("%(y)d 年度评审资料包（%(s)s）") % {"y": year, "s": scope_name},
        year=year,
        period_start=period_start,
        period_end=period_end,
        evidence_ids=evidence_ids,
        created_by=actor,
    )
    package.full_clean()
    package.save()
    package.projects.set(projects)
    package.job = job_create(kind="assessor_package", title=_("生成评审资料包：%(t)s") % {"t": package.title}, user=actor)
    package.save(update_fields=["job"])
    if enqueue:
        from opsqm.archive.tasks import build_package_task

        transaction.on_commit(lambda: build_package_task(package.pk, str(package.job_id)))
    return package


def package_build(package: AssessorPackage, *, job_id: Any = None) -> AssessorPackage:
    """Build the ZIP into the package's file (called by the job; safe to call again: it rebuilds)."""
    from opsqm.jobs.services import job_progress

    AssessorPackage.objects.filter(pk=package.pk).update(status=PackageStatus.BUILDING)

    def progress(done: int, total: int, message: str) -> None:
        if job_id is not None:
            job_progress(job_id, done, total, message)

    try:
        with tempfile.TemporaryFile() as tmp:
            manifest = build_zip(package_scope(package), tmp, title=package.title, progress=progress)
            tmp.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: tmp.read(1024 * 1024), b""):
                digest.update(chunk)
            size = tmp.tell()
            tmp.seek(0)
            package.file.save(f"{package.code}.zip", File(tmp), save=False)
    except Exception:
        AssessorPackage.objects.filter(pk=package.pk).update(status=PackageStatus.FAILED)
        raise
    package.manifest, package.size, package.sha256 = manifest, size, digest.hexdigest()
    package.status, package.finished_at = PackageStatus.READY, timezone.now()
    package.save(update_fields=["file", "manifest", "size", "sha256", "status", "finished_at"])
    return package


# ---------------------------------------------------------------- retention


def _cutoff(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def records_due_for_disposal(*, today: dt.date) -> list[dict[str, Any]]:
    """Per record class: the records whose date is older than the retention period and not yet disposed."""
    out = []
    for rc in RecordClass.objects.all():
        try:
            model = apps.get_model(rc.model)
        except (LookupError, ValueError):
            continue  # the class names an app that is not installed (yet)
        field = model._meta.get_field(rc.date_field)
        cutoff = _cutoff(today, rc.retention_years)
        bound: Any = cutoff
        if field.get_internal_type() == "DateTimeField":
            bound = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
        disposed = Disposal.objects.filter(record_class=rc).values_list("object_id", flat=True)
        rows = model._default_manager.filter(**{f"{rc.date_field}__lt": bound}).exclude(pk__in=list(disposed)).order_by(rc.date_field)
        out.append({"record_class": rc, "cutoff": cutoff, "count": rows.count(), "records": list(rows[:50])})
    return out


@transaction.atomic
def record_dispose(*, actor: Any, record_class: RecordClass, object_id: Any, reason: str, today: dt.date | None = None) -> Disposal:
    """Destroy one record past retention; the Disposal row (and the record's own deletion) land in the audit trail."""
    if not policy.can_manage_retention(actor):
        raise PermissionDenied(_("只有质量经理或系统管理员可以销毁记录。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写销毁说明（依据、方式）。")})
    today = today or timezone.localdate()
    model = apps.get_model(record_class.model)
    record = model._default_manager.select_for_update().filter(pk=object_id).first()
    if record is None:
        raise ValidationError(_("记录不存在或已销毁。"))
    value = getattr(record, record_class.date_field)
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    if day is None or day >= _cutoff(today, record_class.retention_years):
        raise ValidationError(_("该记录尚未超过保存期限（%(y)d 年），不能销毁。") % {"y": record_class.retention_years})
    disposal = Disposal(
        record_class=record_class,
        object_id=str(record.pk),
        object_repr=str(record)[:300],
        record_date=day,
        reason=reason.strip(),
        disposed_by=actor,
        disposed_at=clock.now(),
    )
    disposal.full_clean()
    disposal.save()
    try:
        with transaction.atomic():
            record.delete()
    except ProtectedError as exc:
        raise ValidationError(_("该记录仍被其他记录引用（%(n)d 条），请先处理引用它的记录。") % {"n": len(exc.protected_objects)}) from exc
    return disposal
