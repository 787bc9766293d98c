from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import can_manage_master_data, get_project_or_404, get_visible_or_404
from opsqm.core.ticket_io import CANONICAL_FIELDS, FIELD_LABELS, ColumnMapping
from opsqm.core.ticket_presets import PRESETS
from opsqm.tickets import selectors, services
from opsqm.tickets.calendars import KIND_LABELS, WEEKDAY_SHORT, build_calendar, builtin_year_range, calendar_for_project, weekly_summary, year_grid
from opsqm.tickets.forms import CalendarExceptionForm, CalendarForm, HolidayImportForm, ImportUploadForm, SlaAgreementForm
from opsqm.tickets.models import (
    Calendar, CalendarException, ColumnMappingProfile, HolidayYear, SlaAgreement, SlaStatus, Ticket, TicketImport,
)
from opsqm.web import master_data_required, paginate, querystring_without


# ------------------------------------------------------------------ overview


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html", {"projects": selectors.project_overview(request.user)})


# ------------------------------------------------------------------ calendars


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = Calendar.objects.all()
    return render(request, "tickets/calendar_list.html", {
        "calendars": [(c, weekly_summary(c)) for c in calendars],
        "holiday_years": HolidayYear.objects.select_related("imported_by"),
        "builtin_range": builtin_year_range(),
        "can_edit": can_manage_master_data(request.user),
    })


@login_required
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_visible_or_404(Calendar.objects.all(), pk=pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1990), 2100)
    core = build_calendar(calendar)
    return render(request, "tickets/calendar_detail.html", {
        "calendar": calendar, "weekly": weekly_summary(calendar), "year": year, "months": year_grid(core, year),
        "exceptions": calendar.exceptions.all(), "kind_labels": KIND_LABELS, "weekday_short": WEEKDAY_SHORT,
        "exception_form": CalendarExceptionForm(), "can_edit": can_manage_master_data(request.user) and not calendar.builtin,
        "can_manage": can_manage_master_data(request.user),
        "projects": calendar.agreements.filter(project__in=selectors.visible_projects(request.user)).select_related("project"),
    })


def _calendar_data(form: CalendarForm, code: str | None = None) -> services.CalendarData:
    d = form.cleaned_data
    return services.CalendarData(code=code or d["code"], name=d["name"], kind=d["kind"], time_zone=d["time_zone"],
                                 weekly_slots=d["weekly"], use_china_holidays=d["use_china_holidays"],
                                 description=d.get("description", ""))


@master_data_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(actor=request.user, data=_calendar_data(form))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("日历“%(n)s”已创建。") % {"n": calendar.name})
            return redirect("tickets:calendar_detail", pk=calendar.pk)
    return render(request, "tickets/calendar_form.html", {"form": form, "calendar": None})


@master_data_required
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_visible_or_404(Calendar.objects.filter(builtin=False), pk=pk)
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_update(actor=request.user, calendar=calendar, data=_calendar_data(form, calendar.code),
                                                expected_version=form.cleaned_data.get("version") or 0)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("日历已保存，使用该日历的项目正在重新计算 SLA。"))
            return redirect("tickets:calendar_detail", pk=calendar.pk)
    return render(request, "tickets/calendar_form.html", {"form": form, "calendar": calendar})


@require_POST
@master_data_required
def calendar_exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_visible_or_404(Calendar.objects.filter(builtin=False), pk=pk)
    form = CalendarExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_exception_add(actor=request.user, calendar=calendar, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("例外日已添加。"))
    else:
        messages.error(request, _("请填写有效的日期和类型。"))
    return redirect("tickets:calendar_detail", pk=calendar.pk)


@require_POST
@master_data_required
def calendar_exception_remove(request: HttpRequest, pk: int, exception_id: int) -> HttpResponse:
    exception = get_visible_or_404(CalendarException.objects.filter(calendar_id=pk, calendar__builtin=False), pk=exception_id)
    services.calendar_exception_remove(actor=request.user, exception=exception)
    messages.success(request, _("例外日已删除。"))
    return redirect("tickets:calendar_detail", pk=pk)


@require_POST
@master_data_required
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_visible_or_404(Calendar.objects.filter(builtin=False), pk=pk)
    try:
        services.calendar_delete(actor=request.user, calendar=calendar)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("tickets:calendar_detail", pk=pk)
    messages.success(request, _("日历已删除。"))
    return redirect("tickets:calendar_list")


@master_data_required
def holiday_import(request: HttpRequest) -> HttpResponse:
    """Paste or upload → preview (per year, with the difference to what is in use) → confirm."""
    form = HolidayImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and request.POST.get("confirm") == "1":
        text = request.POST.get("confirmed_text", "")
        try:
            saved = services.holiday_years_import(actor=request.user, text=text, source_note=request.POST.get("source_note", ""))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已导入 %(y)s 年节假日安排，使用国家节假日的项目正在重新计算 SLA。")
                             % {"y": "、".join(str(y.year) for y in saved)})
            return redirect("tickets:calendar_list")
    elif request.method == "POST" and form.is_valid():
        try:
            preview = services.holiday_preview(form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
    return render(request, "tickets/holiday_import.html", {
        "form": form, "preview": preview, "text": form.cleaned_data.get("text", "") if form.is_bound and hasattr(form, "cleaned_data") else "",
        "builtin_range": builtin_year_range(),
    })


# ------------------------------------------------------------------ SLA agreement


@login_required
def sla_agreement(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    agreement = SlaAgreement.objects.select_related("calendar").filter(project=project).first()
    can_edit = services.can_write_tickets(request.user, project)
    editing = can_edit and (request.GET.get("edit") == "1" or request.method == "POST" or agreement is None)
    form = None
    if editing:
        form = SlaAgreementForm(request.POST or None, agreement=agreement)
        if request.method == "POST" and form.is_valid():
            try:
                services.sla_agreement_save(
                    actor=request.user, project=project, calendar=form.cleaned_data["calendar"],
                    priorities=form.cleaned_data["priorities"], pause_statuses=form.cleaned_data["pause_list"],
                    expected_version=form.cleaned_data.get("version") if agreement else None)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("SLA 协议已保存，项目工单正在按新协议重新计算。"))
                return redirect("tickets:sla_agreement", project_id=project.pk)
    return render(request, "tickets/sla_agreement.html", {
        "project": project, "agreement": agreement, "form": form, "can_edit": can_edit, "editing": editing,
        "priorities": agreement.priorities.all() if agreement else [],
        "weekly": weekly_summary(agreement.calendar) if agreement else None,
    })


# ------------------------------------------------------------------ tickets


SLA_FILTERS = [("met", _("全部达标")), ("breached", _("有超时")), ("pending", _("未到期"))]


@login_required
def ticket_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    filters = {k: request.GET.get(k, "").strip() for k in ("period", "priority", "sla", "q")}
    qs = selectors.ticket_list(project, **filters)
    priorities = list(SlaAgreement.objects.filter(project=project).values_list("priorities__code", flat=True))
    return render(request, "tickets/ticket_list.html", {
        "project": project, "page": paginate(request, qs, 50), "filters": filters, "sla_filters": SLA_FILTERS,
        "priorities": [p for p in priorities if p], "qs_no_page": querystring_without(request, "page"),
        "can_import": services.can_write_tickets(request.user, project),
    })


@login_required
def ticket_detail(request: HttpRequest, project_id: int, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    ticket = get_visible_or_404(Ticket.objects.filter(project=project), pk=pk)
    agreement = SlaAgreement.objects.select_related("calendar").filter(project=project).first()
    priority = agreement.priorities.filter(code=ticket.priority).first() if agreement else None
    cal = calendar_for_project(project)
    cutoff = ticket.sla_cutoff or timezone.now()
    return render(request, "tickets/ticket_detail.html", {
        "project": project, "ticket": ticket, "agreement": agreement, "priority": priority,
        "x": selectors.explain(ticket, cal, cutoff), "statuses": SlaStatus,
    })


# ------------------------------------------------------------------ import


def _read_headers(path: Path) -> list[str]:
    """The first row of an uploaded file, for the mapping step."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
                if cells:
                    return cells
        finally:
            book.close()
        return []
    import csv

    from opsqm.core.ticket_io import detect_encoding

    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    line = head.split(b"\n", 1)[0]
    text = line.decode(detect_encoding(line) if line else "utf-8", errors="replace").lstrip("\ufeff").strip("\r")
    delimiter = max((",", ";", "\t"), key=text.count) if text.count(",") < max(text.count(";"), text.count("\t")) else ","
    return [h.strip() for h in next(csv.reader([text], delimiter=delimiter), []) if h.strip()]


def _preset_columns(preset: str, headers: list[str]) -> dict[str, str]:
    """Prefill: for each canonical field, the header the preset (or auto-detection) would use."""
    mapping = PRESETS[preset].mapping if preset in PRESETS else None
    wanted = mapping.columns if mapping else {}
    by_key = {h.strip().casefold().replace(" ", "_"): h for h in headers}
    found = {}
    for field in CANONICAL_FIELDS:
        options = wanted.get(field, (field, FIELD_LABELS[field]))
        options = (options,) if isinstance(options, str) else tuple(options)
        options = (*options, field, FIELD_LABELS[field])
        hit = next((by_key[o.strip().casefold().replace(" ", "_")] for o in options if o.strip().casefold().replace(" ", "_") in by_key), "")
        found[field] = hit
    return found


@login_required
def import_new(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    if not services.can_write_tickets(request.user, project):
        raise PermissionDenied
    profiles = list(ColumnMappingProfile.objects.filter(project=project))
    form = ImportUploadForm(request.POST or None, request.FILES or None, presets=PRESETS, profiles=profiles)
    if request.method == "POST" and form.is_valid():
        try:
            path, name, sha = services.store_upload(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        else:
            token = uuid.uuid4().hex
            request.session[f"ticket_import_{token}"] = {
                "project": project.pk, "path": str(path), "name": name, "sha": sha,
                "preset": form.cleaned_data["preset"], "profile": form.cleaned_data.get("profile") or "",
            }
            return redirect("tickets:import_mapping", project_id=project.pk, token=token)
    return render(request, "tickets/import_new.html", {"project": project, "form": form, "presets": PRESETS.values()})


@login_required
def import_mapping(request: HttpRequest, project_id: int, token: str) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    if not services.can_write_tickets(request.user, project):
        raise PermissionDenied
    pending = request.session.get(f"ticket_import_{token}")
    if not pending or pending["project"] != project.pk or not Path(pending["path"]).exists():
        messages.error(request, _("上传的文件已失效，请重新上传。"))
        return redirect("tickets:import_new", project_id=project.pk)
    path = Path(pending["path"])
    headers = _read_headers(path)
    preset = request.POST.get("preset") or pending["preset"]
    profile = ColumnMappingProfile.objects.filter(project=project, pk=pending["profile"] or 0).first()
    base = ColumnMapping.from_dict(profile.mapping) if profile else PRESETS[preset].mapping
    prefill = _preset_columns(preset, headers)
    if profile:
        prefill.update({k: (v if isinstance(v, str) else v[0]) for k, v in base.columns.items() if (v if isinstance(v, str) else v[0]) in headers})
    errors: list[str] = []
    if request.method == "POST":
        chosen = {f: request.POST.get(f"col_{f}", "") for f in CANONICAL_FIELDS}
        columns = {f: h for f, h in chosen.items() if h and h in headers}
        missing = [FIELD_LABELS[f] for f in ("ticket_no", "priority", "created_at") if f not in columns]
        if missing:
            errors.append(_("请为必填字段选择列：%(f)s") % {"f": "、".join(missing)})
        else:
            mapping = {**base.to_dict(), "columns": columns}
            try:
                if request.POST.get("save_as", "").strip():
                    services.mapping_profile_save(actor=request.user, project=project, name=request.POST["save_as"], mapping=mapping)
                record = services.ticket_import_start(actor=request.user, project=project, uploaded_file=None, preset=preset,
                                                      mapping=mapping, stored=(path, pending["name"], pending["sha"]))
            except (ValidationError, ValueError) as exc:
                errors.extend(getattr(exc, "messages", [str(exc)]))
            else:
                request.session.pop(f"ticket_import_{token}", None)
                return redirect("jobs:detail", pk=record.job_id)
        prefill.update(chosen)
    return render(request, "tickets/import_mapping.html", {
        "project": project, "headers": headers, "name": pending["name"], "preset": PRESETS[preset], "presets": PRESETS.values(),
        "rows": [(f, FIELD_LABELS[f], prefill.get(f, ""), f in ("ticket_no", "priority", "created_at")) for f in CANONICAL_FIELDS],
        "errors": errors, "profile": profile,
        # Every preset's columns for this file, so switching the preset refills the selects in the page.
        "preset_choices": {code: {"columns": _preset_columns(code, headers), "notes": str(p.notes)} for code, p in PRESETS.items()},
    })


@login_required
def import_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    return render(request, "tickets/import_list.html", {
        "project": project, "page": paginate(request, selectors.import_history(project)),
        "can_import": services.can_write_tickets(request.user, project), "qs_no_page": "",
    })


@login_required
def import_detail(request: HttpRequest, project_id: int, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    record = get_visible_or_404(TicketImport.objects.filter(project=project).select_related("uploaded_by", "job"), pk=pk)
    return render(request, "tickets/import_detail.html", {"project": project, "record": record})


@login_required
def import_report(request: HttpRequest, project_id: int, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    record = get_visible_or_404(TicketImport.objects.filter(project=project), pk=pk)
    if not record.error_report:
        raise Http404
    return FileResponse(record.error_report.open("rb"), as_attachment=True,
                        filename=f"{Path(record.file_name).stem}-错误报告.csv", content_type="text/csv")
