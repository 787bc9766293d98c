"""Writes of the tickets area: calendars, holiday years, SLA agreements, ticket
imports and pushes, and SLA recomputation. Views, API and commands call these."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.accounts.access import can_manage_master_data, visible_projects
from opsqm.accounts.roles import Role
from opsqm.core.calendars import CalendarError, parse_holiday_text
from opsqm.core.cells import neutralize
from opsqm.core.ticket_io import (
    ColumnMapping,
    RowError,
    TicketBatch,
    TicketFileError,
    items_to_batch,
    iter_ticket_batches,
    read_task_sla,
)
from opsqm.core.ticket_presets import Preset, preset_or_error
from opsqm.jobs.services import job_create, job_progress
from opsqm.kpis.counters import (
    DEFAULT_TZ,
    PARTIAL_REFRESH_MAX,
    Cells,
    kpi_counters_add,
    kpi_counters_refresh,
    months_before_upsert,
)  # kept on write
from opsqm.records.trail import record_bulk
from opsqm.tickets import bulk, first_import, first_responses, sla_columns, stage_counters, staging, stored_sla
from opsqm.tickets.calendars import build_calendar, calendar_for_project, slots_to_json
from opsqm.tickets.models import (
    Calendar,
    CalendarException,
    CalendarKind,
    ColumnMappingProfile,
    HolidayYear,
    ImportStatus,
    SlaAgreement,
    SlaPriority,
    StagedImport,
    Ticket,
    TicketImport,
    TicketSource,
)
from opsqm.tickets.stage_runs import StagedRun

log = logging.getLogger(__name__)

__all__ = [
    "calendar_for_project",
    "sla_recompute_project",
    "ticket_import_start",
    "ticket_import_run",
    "tickets_push",
    "can_write_tickets",
    "StaleEditError",
]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx")
MAX_FIELD_LENGTHS = {
    "ticket_no": 64,
    "priority": 16,
    "type": 50,
    "status": 50,
    "title": 300,
    "contact": 100,
    "contact_phone": 50,
    "contact_email": 254,
}


from opsqm.records.locking import StaleEditError, bump_version, lock_for_edit  # noqa: E402  (StaleEditError re-exported)

# ------------------------------------------------------------------ permissions

_TICKET_WRITE_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})


def can_write_tickets(user: Any, project: Any) -> bool:
    """Import, push and SLA-agreement edits: the quality manager, admins, and the
    project's own quality specialist and O&M manager. Read-only roles (gm office,
    management representative, auditors, external reviewers) may not."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.role in _TICKET_WRITE_ROLES:
        return True
    return user.pk in (project.quality_specialist_id, project.ops_manager_id)


def _require_visible(actor: Any, project: Any) -> None:
    from django.http import Http404

    if not visible_projects(actor).filter(pk=project.pk).exists():
        raise Http404


def _require_write(actor: Any, project: Any) -> None:
    _require_visible(actor, project)
    if not can_write_tickets(actor, project):
        raise PermissionDenied(_("您对该项目只有查看权限，不能导入工单或修改 SLA 协议。"))


def _require_calendar_admin(actor: Any) -> None:
    if not can_manage_master_data(actor):
        raise PermissionDenied(_("只有质量经理或系统管理员可以维护业务日历。"))


def _cutoff_epoch(cutoff: dt.datetime | None) -> tuple[np.datetime64, int]:
    moment = cutoff or timezone.now()
    epoch = int(moment.timestamp())
    return np.datetime64(epoch, "s"), epoch


# ------------------------------------------------------------------ SLA compute


def agreement_targets(project: Any) -> dict[str, tuple[int, int]]:
    return {
        code: (resp, resol)
        for code, resp, resol in SlaPriority.objects.filter(agreement__project=project).values_list(
            "code", "response_seconds", "resolution_seconds"
        )
    }


RECOMPUTE_WINDOW = 100_000


def sla_recompute_project(
    *, project: Any, cutoff: dt.datetime | None = None, ticket_ids: Iterable[int] | None = None, refresh_counters: bool = True
) -> int:
    """Recompute and store the SLA results of a project's tickets (all, or `ticket_ids`).

    Stored statuses are as of `cutoff` (default: now), kept in each ticket's
    `sla_cutoff`. A whole project is streamed in windows of RECOMPUTE_WINDOW tickets
    (id order), so memory does not grow with the project. Returns tickets written.
    """
    cut, cut_epoch = _cutoff_epoch(cutoff)
    now_epoch = int(timezone.now().timestamp())
    calendar = calendar_for_project(project)
    targets = agreement_targets(project)

    def window(stored: stored_sla.StoredTickets) -> int:
        sla = sla_columns.compute_columns(
            calendar,
            stored.created,
            stored.first_response,
            stored.resolved,
            stored.pause_ticket,
            stored.pause_start,
            stored.pause_end,
            stored.priority,
            targets,
            cut,
        )
        stored_sla.write_sla(stored.ids, sla, now_epoch=now_epoch, cutoff_epoch=cut_epoch)
        return int(stored.ids.size)

    written = 0
    with transaction.atomic():
        if ticket_ids is not None:
            written = window(stored_sla.load_stored(project.pk, list(ticket_ids)))
        else:
            after = 0
            while (stored := stored_sla.load_stored(project.pk, after_id=after, limit=RECOMPUTE_WINDOW)).ids.size:
                written += window(stored)
                after = int(stored.ids[-1])
        if refresh_counters:
            kpi_counters_refresh(project_id=project.pk)  # KPI counters: refreshed here in the writer's transaction
    return written


def projects_using_calendar(calendar: Calendar) -> list[Any]:
    from opsqm.org.models import Project

    return list(Project.objects.filter(sla__calendar=calendar))


def projects_using_china_holidays() -> list[Any]:
    from opsqm.org.models import Project

    return list(Project.objects.filter(sla__calendar__use_china_holidays=True, sla__calendar__kind=CalendarKind.WEEKLY))


def sla_recompute_start(*, actor: Any, projects: list[Any], reason: str) -> Any | None:
    """Queue a background job recomputing the SLA results of `projects`; None when none has tickets."""
    from opsqm.tickets.tasks import sla_recompute_task

    ids = [p.pk for p in projects if Ticket.objects.filter(project=p).exists()]
    if not ids:
        return None
    job = job_create(
        kind="sla_recompute",
        title=_("重新计算 SLA：%(reason)s") % {"reason": reason},
        user=actor,
        project=projects[0] if len(projects) == 1 else None,
    )
    transaction.on_commit(lambda: sla_recompute_task(str(job.pk), ids))
    return job


def sla_recompute_job(job: Any, project_ids: list[int]) -> dict[str, Any]:
    from opsqm.org.models import Project

    projects = list(Project.objects.filter(pk__in=project_ids).order_by("code"))
    total = 0
    for i, project in enumerate(projects):
        job_progress(job.pk, i, len(projects), _("正在计算 %(code)s …") % {"code": project.code})
        total += sla_recompute_project(project=project)
    job_progress(job.pk, len(projects), len(projects))
    return {"message": _("已重新计算 %(p)s 个项目的 %(n)s 张工单。") % {"p": len(projects), "n": total}}


# ------------------------------------------------------------------ calendars


@dataclass(frozen=True)
class CalendarData:
    code: str
    name: str
    kind: str
    time_zone: str
    weekly_slots: dict[int, tuple[tuple[int, int], ...]]
    use_china_holidays: bool
    description: str = ""


def _check_calendar(cal: Calendar) -> None:
    try:
        build_calendar(cal, years=[], exceptions=[])
    except CalendarError as exc:
        raise ValidationError(list(exc.errors)) from exc


@transaction.atomic
def calendar_create(*, actor: Any, data: CalendarData) -> Calendar:
    _require_calendar_admin(actor)
    cal = Calendar(
        code=data.code,
        name=data.name,
        kind=data.kind,
        time_zone=data.time_zone,
        weekly_slots=slots_to_json(data.weekly_slots),
        use_china_holidays=data.use_china_holidays,
        description=data.description,
    )
    cal.full_clean()
    _check_calendar(cal)
    cal.save()
    return cal


@transaction.atomic
def calendar_update(*, actor: Any, calendar: Calendar, data: CalendarData, expected_version: int) -> Calendar:
    _require_calendar_admin(actor)
    locked = lock_for_edit(calendar, None)
    if locked.builtin:
        raise PermissionDenied(_("系统内置日历不能修改，请新建自定义日历。"))
    lock_for_edit(locked, expected_version, _("该日历已被他人修改，请刷新页面后重新编辑。"))
    locked.name, locked.kind, locked.time_zone = data.name, data.kind, data.time_zone
    locked.weekly_slots = slots_to_json(data.weekly_slots)
    locked.use_china_holidays, locked.description = data.use_china_holidays, data.description
    bump_version(locked)
    locked.full_clean()
    _check_calendar(locked)
    locked.save()
    sla_recompute_start(actor=actor, projects=projects_using_calendar(locked), reason=_("日历“%(n)s”已修改") % {"n": locked.name})
    return locked


@transaction.atomic
def calendar_delete(*, actor: Any, calendar: Calendar) -> None:
    _require_calendar_admin(actor)
    if calendar.builtin:
        raise PermissionDenied(_("系统内置日历不能删除。"))
    if calendar.agreements.exists():
        raise ValidationError(_("该日历正被项目的 SLA 协议使用，请先为这些项目改用其他日历。"))
    calendar.exceptions.all().delete()
    calendar.delete()


@transaction.atomic
def calendar_exception_add(*, actor: Any, calendar: Calendar, date: dt.date, kind: str, note: str = "") -> CalendarException:
    _require_calendar_admin(actor)
    if calendar.builtin:
        raise PermissionDenied(_("系统内置日历不能添加例外日，请新建自定义日历。"))
    if calendar.exceptions.filter(date=date).exists():
        raise ValidationError(_("%(d)s 已有例外设置，请先删除原设置。") % {"d": date.isoformat()})
    exc = CalendarException(calendar=calendar, date=date, kind=kind, note=note)
    exc.full_clean()
    exc.save()
    sla_recompute_start(actor=actor, projects=projects_using_calendar(calendar), reason=_("日历例外日已修改"))
    return exc


@transaction.atomic
def calendar_exception_remove(*, actor: Any, exception: CalendarException) -> None:
    _require_calendar_admin(actor)
    calendar = exception.calendar
    exception.delete()
    sla_recompute_start(actor=actor, projects=projects_using_calendar(calendar), reason=_("日历例外日已修改"))


# ------------------------------------------------------------------ holiday years


def holiday_preview(text: str) -> list[dict[str, Any]]:
    """What importing `text` would store, per year, with the difference to what the
    calendar uses now (built-in or previously imported). Raises ValidationError with
    the parser's line-numbered messages."""
    from opsqm.core.calendars import BusinessCalendar

    try:
        years = parse_holiday_text(text)
    except CalendarError as exc:
        raise ValidationError(list(exc.errors)) from exc
    if not years:
        raise ValidationError(_("没有读到任何日期，请每行写一个日期或区间，例如“2027-01-01 休”。"))
    current = BusinessCalendar.china(extra_years=_imported_core_years())
    stored = set(HolidayYear.objects.values_list("year", flat=True))
    from opsqm.tickets.calendars import builtin_year_range

    first, last = builtin_year_range()
    preview = []
    for item in years:
        cur_h = {d for d in current.holidays if _notice_year(d, item.year)}
        cur_w = {d for d in current.makeup_workdays if _notice_year(d, item.year)}
        preview.append(
            {
                "year": item.year,
                "holidays": sorted(item.holidays),
                "makeup_workdays": sorted(item.makeup_workdays),
                "builtin": first <= item.year <= last,
                "already_imported": item.year in stored,
                "added_holidays": sorted(item.holidays - cur_h),
                "removed_holidays": sorted(cur_h - item.holidays),
                "added_workdays": sorted(item.makeup_workdays - cur_w),
                "removed_workdays": sorted(cur_w - item.makeup_workdays),
            }
        )
    return preview


def _notice_year(day: dt.date, year: int) -> bool:
    return day.year == year or (day.year == year - 1 and day.month == 12 and day.day >= 20)


def _imported_core_years():
    from opsqm.tickets.calendars import imported_years

    return imported_years()


@transaction.atomic
def holiday_years_import(*, actor: Any, text: str, source_note: str = "") -> list[HolidayYear]:
    _require_calendar_admin(actor)
    try:
        years = parse_holiday_text(text)
    except CalendarError as exc:
        raise ValidationError(list(exc.errors)) from exc
    saved = []
    for item in years:
        row, _created = HolidayYear.objects.get_or_create(year=item.year, defaults={"imported_by": actor})
        row.holidays = [d.isoformat() for d in sorted(item.holidays)]
        row.makeup_workdays = [d.isoformat() for d in sorted(item.makeup_workdays)]
        row.source_note = source_note[:300]
        row.imported_by = actor
        row.full_clean()
        row.save()
        saved.append(row)
    sla_recompute_start(
        actor=actor,
        projects=projects_using_china_holidays(),
        reason=_("导入 %(y)s 年节假日安排") % {"y": "、".join(str(y.year) for y in years)},
    )
    return saved


# ------------------------------------------------------------------ SLA agreement


@dataclass(frozen=True)
class PriorityData:
    code: str
    name: str
    response_seconds: int
    resolution_seconds: int


@transaction.atomic
def sla_agreement_save(
    *, actor: Any, project: Any, calendar: Calendar, priorities: list[PriorityData], pause_statuses: list[str], expected_version: int | None
) -> SlaAgreement:
    """Create or replace a project's agreement; recomputes the project's tickets."""
    _require_write(actor, project)
    if not priorities:
        raise ValidationError(_("至少需要一个优先级。"))
    codes = [p.code for p in priorities]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("优先级代码不能重复。"))
    for p in priorities:
        if p.response_seconds <= 0 or p.resolution_seconds <= 0:
            raise ValidationError(_("优先级 %(c)s 的响应和解决时限都必须大于 0。") % {"c": p.code})
    # A first agreement has no row to lock yet; the unique project constraint refuses a second one.
    agreement = SlaAgreement.objects.filter(project=project).first()
    if agreement is None:
        agreement = SlaAgreement(project=project, calendar=calendar, pause_statuses=pause_statuses)
    else:
        agreement = lock_for_edit(agreement, expected_version, _("该 SLA 协议已被他人修改，请刷新页面后重新编辑。"))
        agreement.calendar, agreement.pause_statuses = calendar, pause_statuses
        bump_version(agreement)
    agreement.full_clean()
    agreement.save()
    existing = {p.code: p for p in agreement.priorities.all()}
    for order, p in enumerate(priorities):
        row = existing.pop(p.code, None) or SlaPriority(agreement=agreement, code=p.code)
        row.name, row.response_seconds, row.resolution_seconds, row.order = p.name, p.response_seconds, p.resolution_seconds, order
        row.full_clean()
        row.save()
    for row in existing.values():
        row.delete()
    sla_recompute_start(actor=actor, projects=[project], reason=_("项目 %(c)s 的 SLA 协议已修改") % {"c": project.code})
    return agreement


# ------------------------------------------------------------------ ticket import


STALE_UPLOAD_SECONDS = 24 * 3600


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _purge_stale_uploads(folder: Path) -> None:
    """Uploads whose mapping step was abandoned are removed after a day, and so are the
    reader's temporary files a killed import left beside them."""
    import shutil
    import time

    limit = time.time() - STALE_UPLOAD_SECONDS
    for item in folder.iterdir():
        try:
            if item.stat().st_mtime >= limit:
                continue
            if item.is_dir():
                shutil.rmtree(item)
            else:
                item.unlink()
        except OSError:  # another request removed it first
            continue


def ticket_upload_check(path: Path, *, name: str) -> str:
    """THE upload gate for ticket files; returns the kind ("csv" or "xlsx").

    A workbook goes through the one upload gate (`records.uploads.upload_check`: zip structure,
    bomb ratio, unpacked and per-part size, cell length, no DOCTYPE) before any reader opens it.
    A CSV only has to be text: which encoding it is in is the reader's business, with its own
    messages (Big5, UTF-16 without BOM …), so the gate's text sniffing is not applied to it.
    An empty file is left to the reader too, whose messages say which kind of file was empty.
    """
    from opsqm.records.uploads import upload_check

    suffix = Path(name).suffix.lower()
    if path.stat().st_size == 0:
        return "xlsx" if suffix == ".xlsx" else "csv"
    with path.open("rb") as stream:
        head = stream.read(8)
        if suffix == ".xlsx":
            if not head.startswith(b"PK\x03\x04"):
                raise ValidationError(_("文件内容与扩展名不符：.xlsx 应为 Excel 工作簿（可能已损坏，或是改了扩展名的其他文件）。"))
            stream.seek(0)
            return upload_check(stream, name=name, allowed_extensions={".xlsx"}, max_bytes=MAX_UPLOAD_BYTES)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(_("文件内容与扩展名不符：.csv 应为文本文件，这是 Excel 工作簿，请以 .xlsx 上传。"))
    return "csv"


def store_upload(uploaded_file: Any) -> tuple[Path, str, str]:
    """Save an upload under MEDIA_ROOT/imports/ with a generated name; returns
    (path, original name, sha256). Checks extension, size and content."""
    name = Path(getattr(uploaded_file, "name", "") or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("只能上传 .csv 或 .xlsx 文件。"))
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件超过 %(mb)s MB，请拆分后分批导入。") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
    folder = _import_dir()
    _purge_stale_uploads(folder)
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    with target.open("wb") as out:
        chunks = uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else iter([uploaded_file.read()])
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    try:
        ticket_upload_check(target, name=name)
    except ValidationError:
        target.unlink(missing_ok=True)
        raise
    return target, name, digest.hexdigest()


def preset_for(code: str) -> Preset:
    try:
        return preset_or_error(code)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def resolve_mapping(preset: str, mapping: dict[str, Any] | None) -> ColumnMapping:
    base = preset_for(preset)
    if mapping and mapping.get("columns"):
        try:
            return ColumnMapping.from_dict(mapping)
        except (ValueError, TypeError) as exc:
            raise ValidationError(_("列映射无效：%(e)s") % {"e": exc}) from exc
    return base.mapping


def agreement_priorities(project: Any) -> list[tuple[str, str]] | None:
    """The agreement's (code, name) pairs, or None when the project has no agreement
    (then any priority is accepted and the import page warns)."""
    rows = list(SlaPriority.objects.filter(agreement__project=project).order_by("order", "code").values_list("code", "name"))
    return rows or None


def ticket_import_start(
    *,
    actor: Any,
    project: Any,
    uploaded_file: Any,
    preset: str = "canonical",
    mapping: dict[str, Any] | None = None,
    stored: tuple[Path, str, str] | None = None,
) -> TicketImport:
    """Check access, keep the upload, queue the import job; the page polls `result.job`."""
    _require_write(actor, project)
    resolve_mapping(preset, mapping)  # fail fast on an unknown preset or a bad mapping
    path, name, sha = stored or store_upload(uploaded_file)
    job = job_create(kind="ticket_import", title=_("导入工单：%(f)s") % {"f": name}, user=actor, project=project)
    record = TicketImport.objects.create(
        project=project,
        job=job,
        file_name=name[:255],
        file_sha256=sha,
        stored_path=str(path),
        preset=preset,
        mapping=mapping or {},
        uploaded_by=actor,
    )
    from opsqm.tickets.tasks import ticket_import_task

    transaction.on_commit(lambda: ticket_import_task(str(job.pk), record.pk))
    return record


@dataclass
class ImportOutcome:
    ok: bool
    total: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] | None = None
    error_total: int = 0
    message: str = ""


def _failed(exc: TicketFileError, total: int = 0) -> ImportOutcome:
    return ImportOutcome(False, total, errors=exc.errors, error_total=max(exc.total, 1), message=exc.message)


def import_batch(
    *,
    project: Any,
    batch: TicketBatch,
    source: str,
    actor: Any,
    summary: str,
    progress: Callable[[int, int, str], None] | None = None,
    cutoff: dt.datetime | None = None,
) -> ImportOutcome:
    """Store one checked batch all-or-nothing with its SLA results (pushes, demo data)."""
    return import_batches(
        project=project,
        batches=[batch],
        source=source,
        actor=actor,
        summary=summary,
        progress=progress,
        cutoff=cutoff,
        expected_rows=len(batch),
    )


def import_batches(
    *,
    project: Any,
    batches: Iterable[TicketBatch],
    source: str,
    actor: Any,
    summary: str,
    progress: Callable[[int, int, str], None] | None = None,
    cutoff: dt.datetime | None = None,
    expected_rows: int = 0,
) -> ImportOutcome:
    """Store checked batches all-or-nothing with their SLA results.

    Each batch is parsed, checked, SLA-computed and staged in temporary tables (no
    write lock, bounded memory) before the next is read; only then does one short
    write transaction move the staged rows into place. A TicketFileError raised by
    ``batches`` (the reader's full error report) ends it with nothing written.
    """
    report = progress or (lambda done, total, msg: None)
    targets = agreement_targets(project)
    calendar = calendar_for_project(project)
    cut, cut_epoch = _cutoff_epoch(cutoff)
    now_epoch = int(timezone.now().timestamp())
    n, present = 0, frozenset()
    tz = project.time_zone or DEFAULT_TZ
    cells_if_all_new: Cells = {}

    def sla_of(batch: TicketBatch) -> sla_columns.SlaColumns:
        """The batch's SLA results; its KPI counters, as if every row were new, on the way."""
        sla = sla_columns.compute_columns(
            calendar,
            batch.created,
            batch.first_response,
            batch.resolved,
            batch.pause_ticket,
            batch.pause_start,
            batch.pause_end,
            batch.priority,
            targets,
            cut,
        )
        stage_counters.add_batch_cells(cells_if_all_new, project_id=project.pk, tz=tz, cutoff_epoch=cut_epoch, batch=batch, sla=sla)
        return sla

    if first_import.applies(project.pk, expected_rows):
        try:
            n = first_import.write(
                project_id=project.pk,
                batches=batches,
                sla_of=sla_of,
                finish=lambda rows: _record_new_tickets(
                    project=project, cells=cells_if_all_new, source=source, actor=actor, summary=summary, rows=rows
                ),
                source=source,
                now_epoch=now_epoch,
                cutoff_epoch=cut_epoch,
                progress=lambda done: report(done, max(expected_rows, done), _("正在读取、校验、计算 SLA 并写入数据库 …")),
            )
        except TicketFileError as exc:
            return _failed(exc)
        return ImportOutcome(True, n, n, 0, 0)
    try:
        bulk.stage_open()
        runs: list[StagedRun] = []  # for the windows of a staged write
        try:
            for batch in batches:
                sla = sla_of(batch)
                run = bulk.stage_append(batch, sla, n)
                if run is not None:
                    runs.append(run)
                n += len(batch)
                present = batch.present
                report(n, max(expected_rows, n), _("正在读取、校验并计算 SLA …"))
                del sla, batch
        except TicketFileError as exc:
            return _failed(exc)
        bulk.stage_analyze()
        actions = bulk.stage_classify(project.pk, n)
        new_rows = actions.get(bulk.NEW, 0)
        stage = staging.begin(project.pk) if staging.applies(new_rows) else None
        try:
            # Counted before the write transaction, with no lock held (both databases).
            new_cells = cells_if_all_new if new_rows == n else stage_counters.new_ticket_cells(project.pk, tz, cut_epoch)
            if stage is not None:
                staging.write_new(
                    stage,
                    runs=runs,
                    total_rows=n,
                    source=source,
                    now_epoch=now_epoch,
                    cutoff_epoch=cut_epoch,
                    progress=lambda done: report(done, n, _("正在写入数据库 …")),
                )
            report(n, n, _("正在写入数据库 …"))
            counts = _write_stage(
                project=project,
                stage=stage,
                actions=actions,
                new_cells=new_cells,
                present=present,
                source=source,
                actor=actor,
                summary=summary,
                rows=n,
                cutoff=cutoff,
                now_epoch=now_epoch,
                cut_epoch=cut_epoch,
            )
        except BaseException:
            if stage is not None:
                staging.discard(stage.pk)
            raise
    finally:
        bulk.drop_stage(n)
    return ImportOutcome(True, n, counts.created, counts.updated, counts.unchanged)


def _write_stage(
    *,
    project: Any,
    stage: StagedImport | None,
    actions: dict[int, int],
    new_cells: Cells,
    present: frozenset[str],
    source: str,
    actor: Any,
    summary: str,
    rows: int,
    cutoff: dt.datetime | None,
    now_epoch: int,
    cut_epoch: int,
) -> bulk.UpsertCounts:
    """The import's one (short) write transaction: staged rows into place, audit event, KPI counters."""
    with transaction.atomic():
        bulk.tune_write_transaction()
        # The KPI months this import recounts: those of its changed tickets, before and after
        # (unchanged rows change nothing). Its new tickets were counted from the stage (`new_cells`).
        changed = actions.get(bulk.UPDATED, 0)
        if changed > PARTIAL_REFRESH_MAX:
            kpi_months = None  # so many that a recount of every month pays
        elif changed:
            numbers, created = bulk.staged_rows(bulk.UPDATED)
            kpi_months = months_before_upsert(project_id=project.pk, tz=project.time_zone, numbers=numbers, created=created)
        else:
            kpi_months = []
        counts = bulk.apply_stage(
            project_id=project.pk,
            counts=actions,
            present=present,
            source=source,
            now_epoch=now_epoch,
            cutoff_epoch=cut_epoch,
            new_written=stage is not None,
        )
        if stage is not None:
            staging.publish(stage)  # every new ticket becomes visible with this commit
        if counts.recompute_ids:
            sla_recompute_project(project=project, cutoff=cutoff, ticket_ids=counts.recompute_ids, refresh_counters=False)
        _record_import(project=project, source=source, actor=actor, summary=summary, rows=rows, counts=counts)
        # KPI counters: kept here in the writer's transaction. The new tickets were counted from
        # the stage; the months the updated tickets touch are recounted (new ones in them included).
        kpi_counters_refresh(project_id=project.pk, months=kpi_months)
        if kpi_months is not None:
            kpi_counters_add(project_id=project.pk, cells=new_cells, skip_months={d.year * 100 + d.month for d in kpi_months})
    return counts


def _record_import(*, project: Any, source: str, actor: Any, summary: str, rows: int, counts: bulk.UpsertCounts) -> None:
    """The import's one audit-trail event (per-row history of a million rows would be noise)."""
    record_bulk(
        model=Ticket,
        summary=summary,
        project_id=project.pk,
        details={
            "source": source,
            "rows": rows,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "actor": getattr(actor, "username", str(actor or "")),
        },
    )


def _record_new_tickets(*, project: Any, cells: Cells, source: str, actor: Any, summary: str, rows: int) -> None:
    """A first import's last transaction: its audit event and its tickets' KPI counters."""
    _record_import(project=project, source=source, actor=actor, summary=summary, rows=rows, counts=bulk.UpsertCounts(rows, 0, 0))
    kpi_counters_add(project_id=project.pk, cells=cells)


def first_responses_import(
    *, project: Any, path: Path, filename: str, actor: Any, encoding: str = "auto", cutoff: dt.datetime | None = None
) -> ImportOutcome:
    """ServiceNow Task SLA partial import: sets first responses of known tickets only,
    all-or-nothing, idempotent; unknown ticket numbers are reported and nothing is written."""
    try:
        found = read_task_sla(path, filename=filename, tz=project.time_zone, encoding=encoding)
    except TicketFileError as exc:
        return _failed(exc)
    n = len(found.ticket_no)
    rows = dict(zip(found.ticket_no.tolist(), found.source_row.tolist()))
    with transaction.atomic():
        outcome = first_responses.set_first_responses(
            project_id=project.pk, numbers=found.ticket_no.tolist(), first_response=found.first_response
        )
        errors = [RowError(rows[no], "task", no, "系统中没有这张工单，请先导入事件列表") for no in outcome.unknown]
        errors += [RowError(rows[no], "end_time", no, "首次响应时间早于工单创建时间") for no in outcome.early]
        if errors:
            errors.sort(key=lambda e: e.row)
            return ImportOutcome(
                False,
                n,
                errors=errors[:1000],
                error_total=len(errors),
                message=_("有 %(n)s 处错误，未更新任何工单：%(first)s") % {"n": len(errors), "first": errors[0]},
            )
        if outcome.changed:
            sla_recompute_project(project=project, cutoff=cutoff, ticket_ids=outcome.changed, refresh_counters=False)
            record_bulk(
                model=Ticket,
                summary=_("补充首次响应时间 %(f)s") % {"f": filename},
                project_id=project.pk,
                details={
                    "source": "servicenow_task_sla",
                    "rows": n,
                    "updated": len(outcome.changed),
                    "actor": getattr(actor, "username", str(actor or "")),
                },
            )
            # The file carries no creation times: the months touched are those of the stored tickets.
            kpi_months = months_before_upsert(
                project_id=project.pk, tz=project.time_zone, numbers=found.ticket_no, created=np.array([], dtype="datetime64[s]")
            )
            kpi_counters_refresh(project_id=project.pk, months=kpi_months)  # KPI counters: refreshed here in the writer's transaction
    return ImportOutcome(True, n, 0, len(outcome.changed), outcome.unchanged)


def _write_error_report(record: TicketImport, errors: list[RowError], message: str) -> None:
    import csv
    import io

    from django.core.files.base import ContentFile

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "列", "值", "原因"])
    if not errors:
        writer.writerow(["", "", "", message])
    for e in errors:
        writer.writerow([e.row, neutralize(e.column), neutralize(e.value), neutralize(e.reason)])
    record.error_report.save(f"import-{record.pk}-errors.csv", ContentFile(buffer.getvalue().encode("utf-8-sig")), save=False)


def _run_import(record: TicketImport, path: Path, progress: Callable[..., None], cutoff: dt.datetime | None) -> ImportOutcome:
    project = record.project
    preset = preset_for(record.preset)
    encoding = str((record.mapping or {}).get("encoding") or "auto")
    if preset.kind == "first_responses":
        return first_responses_import(
            project=project, path=path, filename=record.file_name, actor=record.uploaded_by, encoding=encoding, cutoff=cutoff
        )
    mapping = resolve_mapping(record.preset, record.mapping)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    batches = iter_ticket_batches(
        path,
        filename=record.file_name,
        tz=project.time_zone,
        mapping=mapping,
        encoding=encoding,
        priorities=agreement_priorities(project),
        max_lengths=MAX_FIELD_LENGTHS,
    )
    return import_batches(
        project=project,
        batches=batches,
        source=TicketSource.IMPORT,
        actor=record.uploaded_by,
        summary=_("导入工单文件 %(f)s") % {"f": record.file_name},
        progress=progress,
        cutoff=cutoff,
        expected_rows=size // 120,
    )


def ticket_import_run(
    *, import_id: int, job: Any | None = None, cutoff: dt.datetime | None = None, source_path: Path | None = None
) -> TicketImport:
    """The import itself: read, validate, store all-or-nothing, compute SLA.

    `source_path` reads a file in place (the command line); otherwise the stored
    upload is read and removed afterwards.
    """
    record = TicketImport.objects.select_related("project", "uploaded_by").get(pk=import_id)
    job_id = job.pk if job is not None else record.job_id

    def progress(done: int, total: int, message: str = "") -> None:
        if job_id:
            job_progress(job_id, done, total, message)

    TicketImport.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING)
    path = source_path or Path(record.stored_path)
    try:
        outcome = _run_import(record, path, progress, cutoff)
    except ValidationError as exc:
        outcome = ImportOutcome(False, 0, errors=[], error_total=1, message="；".join(exc.messages))
    except Exception:
        # Nothing was stored (all-or-nothing); the record must not stay "导入中". The job keeps the traceback.
        TicketImport.objects.filter(pk=record.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=str(_("导入因系统错误中止，未写入任何数据，请重试或联系管理员。")),
        )
        raise
    record.refresh_from_db()
    record.total_rows = outcome.total
    record.finished_at = timezone.now()
    if outcome.ok:
        record.status = ImportStatus.SUCCEEDED
        record.created_count, record.updated_count, record.unchanged_count = outcome.created, outcome.updated, outcome.unchanged
        record.message = _("新增 %(c)s，更新 %(u)s，未变化 %(s)s。") % {"c": outcome.created, "u": outcome.updated, "s": outcome.unchanged}
    else:
        record.status = ImportStatus.FAILED
        record.error_count = outcome.error_total
        record.message = outcome.message[:300]
        _write_error_report(record, outcome.errors or [], outcome.message)
    record.save()
    if source_path is None:
        path.unlink(missing_ok=True)  # the upload is not kept once imported; the hash stays
    return record


def import_job_result(record: TicketImport) -> dict[str, Any]:
    from django.urls import reverse

    result: dict[str, Any] = {
        "message": record.message,
        "import_id": record.pk,
        "total_rows": record.total_rows,
        "created": record.created_count,
        "updated": record.updated_count,
        "unchanged": record.unchanged_count,
        "errors": record.error_count,
        "next_url": reverse("tickets:ticket_list", args=[record.project_id]),
        "next_label": _("查看工单"),
        "detail_url": reverse("tickets:import_detail", args=[record.project_id, record.pk]),
    }
    if record.error_report:
        result["report_url"] = reverse("tickets:import_report", args=[record.project_id, record.pk])
    return result


@transaction.atomic
def mapping_profile_save(*, actor: Any, project: Any, name: str, mapping: dict[str, Any]) -> ColumnMappingProfile:
    _require_write(actor, project)
    ColumnMapping.from_dict(mapping)  # validates field names
    profile, _created = ColumnMappingProfile.objects.get_or_create(
        project=project, name=name.strip()[:100], defaults={"mapping": mapping, "created_by": actor}
    )
    if not _created:
        profile.mapping = mapping
        profile.save()
    return profile


# ------------------------------------------------------------------ push API


MAX_PUSH = 5000


def tickets_push(*, actor: Any, project: Any, items: list[dict[str, Any]], cutoff: dt.datetime | None = None) -> ImportOutcome:
    """Upsert tickets sent by another system; all-or-nothing like an import, read by
    the same parser (times and pauses are accepted exactly as in files)."""
    _require_write(actor, project)
    if not isinstance(items, list) or not items:
        raise ValidationError(_("请求体应为工单对象的 JSON 数组，且不能为空。"))
    if len(items) > MAX_PUSH:
        raise ValidationError(_("每次最多推送 %(n)s 张工单，请分批提交。") % {"n": MAX_PUSH})
    try:
        batch = items_to_batch(items, tz=project.time_zone, priorities=agreement_priorities(project), max_lengths=MAX_FIELD_LENGTHS)
    except TicketFileError as exc:
        return _failed(exc, len(items))
    return import_batch(
        project=project,
        batch=batch,
        source=TicketSource.API,
        actor=actor,
        summary=_("接口推送 %(n)s 张工单") % {"n": len(items)},
        cutoff=cutoff,
    )
