"""Pages of the checklist library. Checklists are org-level master data: every logged-in user
(external reviewers included) may read them; only quality managers and admins change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from opsqm.accounts.access import can_manage_master_data
from opsqm.checklists import labels, selectors, services, xlsx
from opsqm.checklists.editor import EditorRow, rows_from_checklist, rows_from_post, rows_to_core
from opsqm.checklists.forms import ChecklistMetaForm, ImportForm, NewChecklistForm
from opsqm.checklists.models import (
    ChecklistElement,
    ChecklistItem,
    ChecklistKind,
    ChecklistPhase,
    ChecklistTemplate,
    ChecklistVersion,
    VersionOrigin,
)
from opsqm.core import checklists as core
from opsqm.web import master_data_required, paginate, querystring_without

AREA_LABELS = labels.AREA_LABELS
FIELD_LABELS = {
    "ref_id": _l("编号"),
    "parent_urn": _l("父条目"),
    "order": _l("同级顺序"),
    "text": _l("检查点"),
    "guidance": _l("检查方法"),
    "evidence": _l("应见证据"),
    "assessable": _l("可评估"),
    "area": _l("检查领域"),
    "name": _l("名称"),
    "name_en": _l("英文名称"),
    "kind": _l("类别"),
    "element": _l("要素"),
    "phase": _l("项目阶段"),
    "source": _l("来源"),
    "description": _l("说明"),
    "urn": _l("URN"),
}
_IMPORT_SALT = "opsqm.checklists.import"
_IMPORT_MAX_AGE = 3600


def _template_or_404(pk: int) -> ChecklistTemplate:
    return get_object_or_404(ChecklistTemplate.objects.select_related("current_version"), pk=pk)


def _version_or_404(template: ChecklistTemplate, number: str | None) -> ChecklistVersion:
    if not number:
        if template.current_version is None:
            raise Http404
        return template.current_version
    try:
        return template.versions.get(number=int(number))
    except (ValueError, ChecklistVersion.DoesNotExist) as exc:
        raise Http404 from exc


@login_required
def library(request: HttpRequest) -> HttpResponse:
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "kind": request.GET.get("kind", ""),
        "element": request.GET.get("element", ""),
        "phase": request.GET.get("phase", ""),
    }
    qs = selectors.template_list(**filters)
    return render(
        request,
        "checklists/library.html",
        {
            "page": paginate(request, qs, 30),
            "filters": filters,
            "kinds": ChecklistKind.choices,
            "elements": ChecklistElement.choices,
            "phases": ChecklistPhase.choices,
            "can_edit": can_manage_master_data(request.user),
            "qs_no_page": querystring_without(request, "page"),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    versions = list(selectors.template_versions(template))
    version = _version_or_404(template, request.GET.get("v"))
    items = list(selectors.version_items(version))
    for item in items:
        item.area_label = AREA_LABELS.get(item.area, item.area)
    return render(
        request,
        "checklists/detail.html",
        {
            "template": template,
            "version": version,
            "meta": version.meta,
            "is_current": version.pk == template.current_version_id,
            "versions": versions,
            "items": items,
            "assessable_count": sum(1 for item in items if item.assessable),
            "area_labels": AREA_LABELS,
            "can_edit": can_manage_master_data(request.user),
        },
    )


@login_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    versions = list(selectors.template_versions(template))
    if not versions:
        raise Http404
    new = _version_or_404(template, request.GET.get("b") or str(versions[0].number))
    default_old = next((v for v in versions if v.number < new.number), new)
    old = _version_or_404(template, request.GET.get("a") or str(default_old.number))
    return render(
        request,
        "checklists/diff.html",
        {
            "template": template,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": selectors.diff_versions(old, new),
            "field_labels": FIELD_LABELS,
        },
    )


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    version = _version_or_404(template, request.GET.get("v"))
    data = xlsx.export_checklist(services.version_to_checklist(version))
    filename = f"{template.ref_id}-v{version.number}.xlsx"
    return HttpResponse(
        data,
        content_type=xlsx.XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _area_choices(kind: str) -> list[tuple[str, str]]:
    areas = {"project_phase": labels.PROJECT_AREAS, "org_qa": labels.ORG_QA_AREAS}.get(kind)
    return list(areas.items()) if areas else []


def _render_editor(
    request: HttpRequest,
    template: ChecklistTemplate,
    form: ChecklistMetaForm,
    rows: list[EditorRow],
    errors: list[str] = (),
    conflict: ChecklistVersion | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "checklists/edit.html",
        {
            "template": template,
            "form": form,
            "rows": rows,
            "errors": list(errors),
            "conflict": conflict,
            "area_choices": _area_choices(template.kind),
            "blank_row": EditorRow(key="", parent="", ref_id="", text="", guidance="", evidence="", assessable=True, area=""),
            "confirm_text": _("删除该条目及其全部子条目？"),
        },
        status=status,
    )


@master_data_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    current = template.current_version
    if current is None:
        raise Http404
    if request.method != "POST":
        form = ChecklistMetaForm(
            initial={
                "name": template.name,
                "name_en": template.name_en,
                "source": template.source,
                "phase": template.phase,
                "description": template.description,
                "based_on": current.number,
            }
        )
        return _render_editor(request, template, form, rows_from_checklist(services.version_to_checklist(current)))

    form = ChecklistMetaForm(request.POST)
    rows = rows_from_post(request.POST)
    if not form.is_valid():
        return _render_editor(request, template, form, rows, status=400)
    data = form.cleaned_data
    meta = {
        "urn": template.urn,
        "ref_id": template.ref_id,
        "name": data["name"],
        "name_en": data["name_en"],
        "kind": template.kind,
        "element": template.element,
        "phase": data["phase"] or None,
        "source": data["source"],
        "description": data["description"],
    }
    used = ChecklistItem.objects.filter(version__template=template).values_list("urn", flat=True).distinct()
    try:
        checklist = core.rows_to_checklist(meta, rows_to_core(template.urn, rows, used))
        result = services.checklist_save_version(
            actor=request.user,
            checklist=checklist,
            origin=VersionOrigin.UI,
            change_note=data["change_note"],
            expected_number=data["based_on"],
            template=template,
        )
    except core.ChecklistError as exc:
        return _render_editor(request, template, form, rows, errors=exc.errors, status=400)
    except services.StaleVersionError as exc:
        latest = ChecklistTemplate.objects.select_related("current_version").get(pk=template.pk).current_version
        # Re-show the user's edits, now based on the newest version: saving again is a deliberate choice.
        post = request.POST.copy()
        post["based_on"] = str(latest.number)
        form = ChecklistMetaForm(post)
        form.is_valid()
        return _render_editor(request, template, form, rows, errors=exc.messages, conflict=latest, status=409)
    except ValidationError as exc:
        return _render_editor(request, template, form, rows, errors=exc.messages, status=400)
    if result.status == "restored":
        messages.info(request, _("内容与第 %(n)s 版相同，已将第 %(n)s 版设为当前版本。") % {"n": result.version.number})
    else:
        messages.success(request, _("已保存为第 %(n)s 版。") % {"n": result.version.number})
    return redirect("checklists:detail", pk=template.pk)


@master_data_required
def create(request: HttpRequest) -> HttpResponse:
    form = NewChecklistForm(request.POST or None, initial={"copy_from": request.GET.get("copy")})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        urn = f"urn:opsqm:checklist:{data['slug']}"
        meta = {
            "urn": urn,
            "ref_id": data["ref_id"],
            "name": data["name"],
            "name_en": data["name_en"],
            "kind": data["kind"],
            "element": data["element"],
            "phase": data["phase"] or None,
            "source": data["source"],
            "description": data["description"],
        }
        source = data["copy_from"]
        if source is not None:
            rows = services.copy_items_to(services.version_to_checklist(source.current_version), urn)
            note = _("复制自 %(ref)s 第 %(n)s 版") % {"ref": source.ref_id, "n": source.current_version.number}
        else:
            rows = [
                {
                    "urn": f"{urn}:1",
                    "ref_id": "1",
                    "parent": None,
                    "order": 1,
                    "text": data["first_item"],
                    "assessable": True,
                    "area": data["first_area"] or None,
                }
            ]
            note = _("新建检查单")
        try:
            checklist = core.rows_to_checklist(meta, rows)
            result = services.checklist_save_version(
                actor=request.user,
                checklist=checklist,
                origin=VersionOrigin.UI,
                change_note=note,
                must_be_new=True,
            )
        except core.ChecklistError as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("检查单“%(name)s”已创建，请继续编辑条目。") % {"name": result.template.name})
            return redirect("checklists:edit", pk=result.template.pk)
    return render(request, "checklists/create.html", {"form": form, "errors": errors}, status=400 if errors else 200)


@master_data_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    active = request.POST.get("active") == "1"
    services.checklist_set_active(actor=request.user, template=template, active=active)
    messages.success(request, _("检查单已启用。") if active else _("检查单已停用，新的检查将不能再选择它。"))
    return redirect("checklists:detail", pk=template.pk)


def _import_preview(request: HttpRequest, checklist: core.Checklist) -> HttpResponse:
    template = ChecklistTemplate.objects.select_related("current_version").filter(urn=checklist.urn).first()
    current = template.current_version if template else None
    preview = None
    if current is not None:
        preview = selectors.diff_items(
            list(selectors.version_items(current)),
            [_preview_item(item) for item in checklist.items],
            current.meta,
            services.meta_of(checklist),
        )
    payload = signing.dumps(
        {"checklist": checklist.to_dict(), "expected": current.number if current else None},
        salt=_IMPORT_SALT,
        compress=True,
    )
    return render(
        request,
        "checklists/import_preview.html",
        {
            "checklist": checklist,
            "template": template,
            "current": current,
            "diff": preview,
            "unchanged": current is not None and current.checksum == services.content_checksum(checklist),
            "payload": payload,
            "field_labels": FIELD_LABELS,
        },
    )


def _preview_item(item: core.ChecklistItem) -> ChecklistItem:
    """An unsaved row with the stored field names, so the diff compares like with like."""
    return ChecklistItem(
        urn=item.urn,
        ref_id=item.ref_id,
        parent_urn=item.parent or "",
        order=item.order,
        depth=item.depth,
        text=item.text,
        guidance=item.guidance,
        evidence=item.evidence,
        assessable=item.assessable,
        area=item.area or "",
        position=0,
    )


@master_data_required
def import_xlsx(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _import_confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            checklist = xlsx.import_checklist(form.cleaned_data["file"].read(xlsx.MAX_UPLOAD_BYTES + 1))
        except xlsx.XlsxImportError as exc:
            errors = exc.errors
        else:
            return _import_preview(request, checklist)
    return render(request, "checklists/import.html", {"form": form, "errors": errors}, status=400 if errors or form.errors else 200)


def _import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=_IMPORT_SALT, max_age=_IMPORT_MAX_AGE)
        checklist = core.rows_to_checklist({k: v for k, v in data["checklist"].items() if k != "items"}, data["checklist"]["items"])
    except (signing.BadSignature, KeyError, TypeError, core.ChecklistError):
        messages.error(request, _("导入预览已过期或无效，请重新上传文件。"))
        return redirect("checklists:import")
    note = request.POST.get("change_note", "").strip()[:1000] or _("从 .xlsx 导入")
    try:
        result = services.checklist_save_version(
            actor=request.user,
            checklist=checklist,
            origin=VersionOrigin.XLSX,
            change_note=note,
            expected_number=data.get("expected") or 0,
        )
    except services.StaleVersionError as exc:
        messages.error(request, exc.messages[0] + _("请重新上传文件，核对差异后再导入。"))
        return redirect("checklists:import")
    except (ValidationError, core.ChecklistError) as exc:
        for message in getattr(exc, "errors", None) or exc.messages:
            messages.error(request, message)
        return redirect("checklists:import")
    if result.status == "restored":
        messages.info(request, _("内容与第 %(n)s 版相同，已将第 %(n)s 版设为当前版本。") % {"n": result.version.number})
    else:
        messages.success(request, _("已导入为“%(name)s”第 %(n)s 版。") % {"name": result.template.name, "n": result.version.number})
    return redirect("checklists:detail", pk=result.template.pk)
