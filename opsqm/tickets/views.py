from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opsqm.accounts.access import can_manage_master_data, get_project_or_404, get_visible_or_404
from opsqm.core.ticket_io import (
    CANONICAL_FIELDS,
    ENCODINGS,
    FIELD_LABELS,
    REQUIRED_FIELDS,
    ColumnMapping,
    TicketFileError,
    preview_headers,
    priority_key,
    priority_lookup,
    priority_values,
    proposed_columns,
)
from opsqm.core.ticket_presets import PRESETS, Preset
from opsqm.records.locking import form_version
from opsqm.tickets import selectors, services
from opsqm.tickets.calendars import (
    KIND_LABELS,
    WEEKDAY_SHORT,
    build_calendar,
    builtin_year_range,
    calendar_for_project,
    weekly_summary,
    year_grid,
)
from opsqm.tickets.forms import CalendarExceptionForm, CalendarForm, HolidayImportForm, ImportUploadForm, SlaAgreementForm
from opsqm.tickets.import_templates import template_csv, template_xlsx
from opsqm.tickets.models import (
    Calendar,
    CalendarException,
    ColumnMappingProfile,
    HolidayYear,
    SlaAgreement,
    SlaStatus,
    Ticket,
    TicketImport,
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
    return render(
        request,
        "tickets/calendar_list.html",
        {
            "calendars": [(c, weekly_summary(c)) for c in calendars],
            "holiday_years": HolidayYear.objects.select_related("imported_by"),
            "builtin_range": builtin_year_range(),
            "can_edit": can_manage_master_data(request.user),
        },
    )


@login_required
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_visible_or_404(Calendar.objects.all(), pk=pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1990), 2100)
    core = build_calendar(calendar)
    return render(
        request,
        "tickets/calendar_detail.html",
        {
            "calendar": calendar,
            "weekly": weekly_summary(calendar),
            "year": year,
            "months": year_grid(core, year),
            "exceptions": calendar.exceptions.all(),
            "kind_labels": KIND_LABELS,
            "weekday_short": WEEKDAY_SHORT,
            "exception_form": CalendarExceptionForm(),
            "can_edit": can_manage_master_data(request.user) and not calendar.builtin,
            "can_manage": can_manage_master_data(request.user),
            "projects": calendar.agreements.filter(project__in=selectors.visible_projects(request.user)).select_related("project"),
        },
    )


def _calendar_data(form: CalendarForm, code: str | None = None) -> services.CalendarData:
    d = form.cleaned_data
    return services.CalendarData(
        code=code or d["code"],
        name=d["name"],
        kind=d["kind"],
        time_zone=d["time_zone"],
        weekly_slots=d["weekly"],
        use_china_holidays=d["use_china_holidays"],
        description=d.get("description", ""),
    )


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
            calendar = services.calendar_update(
                actor=request.user,
                calendar=calendar,
                data=_calendar_data(form, calendar.code),
                expected_version=form_version(form.cleaned_data.get("version")),
            )
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
            messages.success(
                request,
                _("已导入 %(y)s 年节假日安排，使用国家节假日的项目正在重新计算 SLA。") % {"y": "、".join(str(y.year) for y in saved)},
            )
            return redirect("tickets:calendar_list")
    elif request.method == "POST" and form.is_valid():
        try:
            preview = services.holiday_preview(form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
    return render(
        request,
        "tickets/holiday_import.html",
        {
            "form": form,
            "preview": preview,
            "text": form.cleaned_data.get("text", "") if form.is_bound and hasattr(form, "cleaned_data") else "",
            "builtin_range": builtin_year_range(),
        },
    )


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
                    actor=request.user,
                    project=project,
                    calendar=form.cleaned_data["calendar"],
                    priorities=form.cleaned_data["priorities"],
                    pause_statuses=form.cleaned_data["pause_list"],
                    expected_version=form_version(form.cleaned_data.get("version")) if agreement else None,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("SLA 协议已保存，项目工单正在按新协议重新计算。"))
                return redirect("tickets:sla_agreement", project_id=project.pk)
    return render(
        request,
        "tickets/sla_agreement.html",
        {
            "project": project,
            "agreement": agreement,
            "form": form,
            "can_edit": can_edit,
            "editing": editing,
            "priorities": agreement.priorities.all() if agreement else [],
            "weekly": weekly_summary(agreement.calendar) if agreement else None,
        },
    )


# ------------------------------------------------------------------ tickets


SLA_FILTERS = [("met", gettext_lazy("全部达标")), ("breached", gettext_lazy("有超时")), ("pending", gettext_lazy("未到期"))]


@login_required
def ticket_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    filters = {k: request.GET.get(k, "").strip() for k in ("period", "priority", "sla", "q")}
    qs = selectors.ticket_list(project, **filters)
    priorities = list(SlaAgreement.objects.filter(project=project).values_list("priorities__code", flat=True))
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "project": project,
            "page": paginate(request, qs, 50),
            "filters": filters,
            "sla_filters": SLA_FILTERS,
            "priorities": [p for p in priorities if p],
            "qs_no_page": querystring_without(request, "page"),
            "can_import": services.can_write_tickets(request.user, project),
        },
    )


@login_required
def ticket_detail(request: HttpRequest, project_id: int, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    ticket = get_visible_or_404(Ticket.objects.filter(project=project), pk=pk)
    agreement = SlaAgreement.objects.select_related("calendar").filter(project=project).first()
    priority = agreement.priorities.filter(code=ticket.priority).first() if agreement else None
    cal = calendar_for_project(project)
    cutoff = ticket.sla_cutoff or timezone.now()
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "project": project,
            "ticket": ticket,
            "agreement": agreement,
            "priority": priority,
            "x": selectors.explain(ticket, cal, cutoff),
            "statuses": SlaStatus,
        },
    )


# ------------------------------------------------------------------ import


def _preset_or_default(code: str) -> Preset:
    return PRESETS.get(code) or PRESETS["canonical"]


def _priority_rows(
    path: Path, name: str, encoding: str, mapping: ColumnMapping, priorities: list[tuple[str, str]] | None, chosen: dict[str, str]
) -> list[dict[str, Any]]:
    """The value map: each distinct source priority with its count and the agreement
    priority it maps to (the user's choice, else the mapping's, else code/name match)."""
    if "priority" not in mapping.columns:
        return []
    values = priority_values(path, filename=name, mapping=mapping, encoding=encoding)
    lookup = priority_lookup(priorities or [])
    mapped = {priority_key(k): v for k, v in mapping.priority_map.items()}
    rows = []
    for index, (value, count) in enumerate(values[:MAX_PRIORITY_VALUES]):
        target = mapped.get(priority_key(value), value)
        proposed = lookup.get(priority_key(target), "")
        rows.append({"index": index, "value": value, "count": count, "target": chosen.get(value, proposed) if chosen else proposed})
    return rows


MAX_PRIORITY_VALUES = 200


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
            preset = PRESETS[form.cleaned_data["preset"]]
            encoding = form.cleaned_data.get("encoding") or "auto"
            if preset.kind == "first_responses":  # nothing to map: the columns are fixed
                record = services.ticket_import_start(
                    actor=request.user,
                    project=project,
                    uploaded_file=None,
                    preset=preset.code,
                    mapping={"encoding": encoding},
                    stored=(path, name, sha),
                )
                return redirect("jobs:detail", pk=record.job_id)
            token = uuid.uuid4().hex
            request.session[f"ticket_import_{token}"] = {
                "project": project.pk,
                "path": str(path),
                "name": name,
                "sha": sha,
                "encoding": encoding,
                "preset": preset.code,
                "profile": form.cleaned_data.get("profile") or "",
            }
            return redirect("tickets:import_mapping", project_id=project.pk, token=token)
    return render(
        request,
        "tickets/import_new.html",
        {
            "project": project,
            "form": form,
            "presets": PRESETS.values(),
            "has_agreement": services.agreement_priorities(project) is not None,
        },
    )


@login_required
def import_template(request: HttpRequest, project_id: int, kind: str) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    priorities = services.agreement_priorities(project) or [("P2", "")]
    code = priorities[min(1, len(priorities) - 1)][0]
    if kind == "xlsx":
        body, content_type = template_xlsx(code), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "csv":
        body, content_type = template_csv(code), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('工单导入模板.' + kind)}"
    return response


@login_required
def import_mapping(request: HttpRequest, project_id: int, token: str) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    if not services.can_write_tickets(request.user, project):
        raise PermissionDenied
    pending = request.session.get(f"ticket_import_{token}")
    if not pending or pending["project"] != project.pk or not Path(pending["path"]).exists():
        messages.error(request, _("上传的文件已失效，请重新上传。"))
        return redirect("tickets:import_new", project_id=project.pk)
    path, name = Path(pending["path"]), pending["name"]
    encoding = request.POST.get("encoding") or pending.get("encoding") or "auto"
    preset_code = request.POST.get("preset") or pending["preset"]
    if preset_code not in PRESETS or PRESETS[preset_code].kind != "tickets":
        messages.error(request, _("未知的文件格式预设，请重新选择。"))
        return redirect("tickets:import_new", project_id=project.pk)
    preset = PRESETS[preset_code]
    try:
        headers = preview_headers(path, filename=name, encoding=encoding)
    except TicketFileError as exc:
        messages.error(request, exc.message)
        return redirect("tickets:import_new", project_id=project.pk)
    profile = ColumnMappingProfile.objects.filter(project=project, pk=pending["profile"] or 0).first()
    base = preset.mapping
    if profile and request.method != "POST":
        try:
            base = ColumnMapping.from_dict(profile.mapping)
        except (ValueError, TypeError):
            messages.warning(request, _("列映射方案“%(n)s”已无法使用，已改用预设。") % {"n": profile.name})
    prefill = proposed_columns(headers, base)
    priorities = services.agreement_priorities(project)
    errors: list[str] = []
    chosen_values: dict[str, str] = {}
    if request.method == "POST":
        chosen = {f: request.POST.get(f"col_{f}", "") for f in CANONICAL_FIELDS}
        columns = {f: h for f, h in chosen.items() if h and h in headers}
        prefill = columns
        base = ColumnMapping(**{**_mapping_kwargs(base), "columns": columns})
        values = request.POST.getlist("value_source")
        targets = request.POST.getlist("value_target")
        chosen_values = dict(zip(values, targets))
        missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in columns]
        if missing:
            errors.append(_("请为必填字段选择列：%(f)s") % {"f": "、".join(missing)})
        elif "refresh" not in request.POST:
            unmapped = [v for v, t in chosen_values.items() if not t] if priorities else []
            if unmapped:
                errors.append(_("以下优先级取值还没有对应到 SLA 协议的优先级：%(v)s") % {"v": "、".join(unmapped[:20])})
            else:
                mapping = {
                    **base.to_dict(),
                    "priority_map": {**base.priority_map, **chosen_values} if priorities else dict(base.priority_map),
                    "encoding": encoding,
                }
                try:
                    if request.POST.get("save_as", "").strip():
                        services.mapping_profile_save(actor=request.user, project=project, name=request.POST["save_as"], mapping=mapping)
                    record = services.ticket_import_start(
                        actor=request.user,
                        project=project,
                        uploaded_file=None,
                        preset=preset.code,
                        mapping=mapping,
                        stored=(path, name, pending["sha"]),
                    )
                except (ValidationError, ValueError) as exc:
                    errors.extend(getattr(exc, "messages", [str(exc)]))
                else:
                    request.session.pop(f"ticket_import_{token}", None)
                    return redirect("jobs:detail", pk=record.job_id)
    try:
        value_rows = _priority_rows(path, name, encoding, base, priorities, chosen_values)
    except TicketFileError as exc:
        value_rows = []
        errors.append(exc.message)
    return render(
        request,
        "tickets/import_mapping.html",
        {
            "project": project,
            "headers": headers,
            "name": name,
            "preset": preset,
            "encoding": encoding,
            "presets": [p for p in PRESETS.values() if p.kind == "tickets"],
            "encodings": ENCODINGS.items(),
            "rows": [(f, FIELD_LABELS[f], prefill.get(f, ""), f in REQUIRED_FIELDS) for f in CANONICAL_FIELDS],
            "errors": errors,
            "profile": profile,
            "value_rows": value_rows,
            "priorities": priorities or [],
            "has_agreement": priorities is not None,
            # Every preset's columns for this file (the same matching as the reader), as
            # positions in the header list, so each header text is rendered once.
            "preset_choices": {
                code: {"columns": {f: headers.index(h) for f, h in proposed_columns(headers, p.mapping).items()}, "notes": str(p.notes)}
                for code, p in PRESETS.items()
                if p.kind == "tickets"
            },
        },
    )


def _mapping_kwargs(mapping: ColumnMapping) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(mapping, f.name) for f in fields(mapping)}


@login_required
def import_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=project_id)
    return render(
        request,
        "tickets/import_list.html",
        {
            "project": project,
            "page": paginate(request, selectors.import_history(project)),
            "can_import": services.can_write_tickets(request.user, project),
            "qs_no_page": "",
        },
    )


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
    return FileResponse(
        record.error_report.open("rb"), as_attachment=True, filename=f"{Path(record.file_name).stem}-错误报告.csv", content_type="text/csv"
    )
