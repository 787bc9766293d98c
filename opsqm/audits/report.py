"""The audit report: .docx from the (replaceable) docxtpl template and .xlsx through the one sheet writer (opsqm.core.cells)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.audits import selectors
from opsqm.audits.models import Audit, AuditItemResult, AuditMeeting, ReportTemplate
from opsqm.audits.report_template import build_default_template
from opsqm.reports import render_docx_template, validate_docx_template

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt_dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def report_context(audit: Audit) -> dict[str, Any]:
    """Plain strings only: the template sees no model objects (nothing to traverse, nothing lazy)."""
    team = list(audit.team.select_related("user").order_by("role", "id"))
    lead = next((m.user.display_name for m in team if m.role == "lead"), "")
    scope = []
    if audit.scope_org:
        scope.append(_("组织级"))
    scope += [d.name for d in audit.departments.all()]
    scope += [f"{p.code} {p.name}" for p in audit.projects.all()]
    meetings = []
    for m in AuditMeeting.objects.filter(audit=audit).prefetch_related("attendees").order_by("held_at"):
        names = [u.display_name for u in m.attendees.all()] + ([m.external_attendees] if m.external_attendees else [])
        meetings.append(
            {
                "kind": m.get_kind_display(),
                "held_at": _fmt_dt(m.held_at),
                "location": m.location,
                "attendees": "、".join(names),
                "minutes": m.minutes,
            }
        )
    overall = selectors.conformance_for_audit(audit)
    groups = selectors.conformance_by_element(audit) + [
        overall.__class__(
            _("全部"),
            **{k: getattr(overall, k) for k in ("conform", "major_nc", "minor_nc", "observation", "not_applicable", "not_assessed")},
        )
    ]
    conformance = [
        {
            "label": c.label,
            "conform": c.conform,
            "major_nc": c.major_nc,
            "minor_nc": c.minor_nc,
            "observation": c.observation,
            "not_applicable": c.not_applicable,
            "not_assessed": c.not_assessed,
            "rate": c.rate_percent,
        }
        for c in groups
    ]
    results = []
    items = AuditItemResult.objects.filter(audit=audit, assessable=True).select_related(
        "audit_checklist__checklist_version__template", "project"
    )
    for r in items.order_by("audit_checklist_id", "position"):
        checklist = r.audit_checklist.checklist_version.template.ref_id
        if r.project_id and r.audit_checklist.project_id:
            checklist += f" / {r.project.code}"
        results.append({"checklist": checklist, "ref_id": r.ref_id, "text": r.text, "result": r.get_result_display(), "notes": r.notes})
    ref_by_item = {str(r.pk): r.ref_id for r in items}
    findings = [
        {
            "code": f.code,
            "severity": f.get_severity_display(),
            "ref_id": ref_by_item.get(f.source_id, ""),
            "title": f.title,
            "owner": f.owner.display_name if f.owner else "",
            "status": f.get_status_display(),
        }
        for f in selectors.findings_of_audit(audit).order_by("raised_at", "id")
    ]
    return {
        "company": getattr(settings, "OPSQM_COMPANY_NAME", "") or _("运维服务质量管理体系"),
        "report_title": _("内部审核报告") if audit.kind == "internal" else _("质量检查报告"),
        "report_date": timezone.localtime(clock.now()).date().isoformat(),  # the day the report is issued
        "audit": {
            "code": audit.code,
            "title": audit.title,
            "kind": audit.get_kind_display(),
            "mode": audit.get_mode_display(),
            "criteria": audit.criteria,
            "objectives": audit.objectives or "—",
            "planned_start": audit.planned_start.isoformat(),
            "planned_end": audit.planned_end.isoformat(),
            "conclusion": audit.conclusion,
            "conclusion_rating": audit.get_conclusion_rating_display() or "—",
        },
        "program": audit.program.title if audit.program_id else "—",
        "scope": "；".join(scope) or "—",
        "lead": lead,
        "team": [{"name": m.user.display_name, "role": m.get_role_display(), "user_role": m.user.get_role_display()} for m in team],
        "meetings": meetings,
        "rule": str(selectors.CONFORMANCE_RULE),
        "conformance": conformance,
        "results": results,
        "findings": findings,
    }


def active_template() -> ReportTemplate | None:
    return ReportTemplate.objects.filter(active=True).order_by("-uploaded_at", "-id").first()


def template_bytes() -> bytes:
    current = active_template()
    if current is None:
        return build_default_template()
    with current.file.open("rb") as f:
        return f.read()


def render_docx(context: dict[str, Any], template: bytes | None = None) -> bytes:
    """The report from the active (or given) template, rendered only in the sandbox (opsqm.reports)."""
    return render_docx_template(template if template is not None else template_bytes(), context)


def render_xlsx(context: dict[str, Any]) -> bytes:
    from opsqm.core.cells import PERCENT, Column, new_workbook, percent_value, workbook_bytes, write_table

    wb = new_workbook()
    a = context["audit"]
    ws = wb.active
    ws.title = "概况"
    overview = [
        ["审核编号", a["code"]],
        ["名称", a["title"]],
        ["类别", f"{a['kind']}（{a['mode']}）"],
        ["年度方案", context["program"]],
        ["审核准则", a["criteria"]],
        ["审核范围", context["scope"]],
        ["计划日期", f"{a['planned_start']} 至 {a['planned_end']}"],
        ["审核组长", context["lead"]],
        ["审核组", "、".join(f"{m['name']}（{m['role']}）" for m in context["team"])],
        ["结论评价", a["conclusion_rating"]],
        ["审核结论", a["conclusion"]],
        ["符合率规则", context["rule"]],
    ]
    overview += [[f"符合率 · {c['label']}", percent_value(c["rate"])] for c in context["conformance"]]
    write_table(ws, [Column("项目", 18), Column("内容", 90, PERCENT, wrap=True)], overview, landscape=False)
    write_table(
        wb.create_sheet("检查结果"),
        [
            Column("检查单", 16, wrap=True),
            Column("编号", 8),
            Column("检查点", 60, wrap=True),
            Column("结果", 12),
            Column("审核记录", 40, wrap=True),
        ],
        [[r["checklist"], r["ref_id"], r["text"], r["result"], r["notes"]] for r in context["results"]],
    )
    write_table(
        wb.create_sheet("不符合项"),
        [
            Column("问题编号", 14),
            Column("等级", 8),
            Column("条目", 8),
            Column("不符合事实", 60, wrap=True),
            Column("责任人", 10),
            Column("状态", 12),
        ],
        [[f["code"], f["severity"], f["ref_id"], f["title"], f["owner"], f["status"]] for f in context["findings"]],
    )
    return workbook_bytes(wb)


def _as_upload(content: bytes, name: str, mime: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=mime)


@transaction.atomic
def store_reports(*, actor: Any, audit: Audit) -> Audit:
    """Generate both files and keep them as evidence revisions of the audit (older issues stay)."""
    from opsqm.records.evidence import evidence_store

    context = report_context(audit)
    project_ids = list(audit.projects.values_list("pk", flat=True))
    project_id = project_ids[0] if len(project_ids) == 1 else None
    docx = evidence_store(
        uploaded_file=_as_upload(render_docx(context), f"{audit.code}-审核报告.docx", DOCX_MIME),
        actor=actor,
        owner=audit,
        project_id=project_id,
    )
    xlsx = evidence_store(
        uploaded_file=_as_upload(render_xlsx(context), f"{audit.code}-审核报告.xlsx", XLSX_MIME),
        actor=actor,
        owner=audit,
        project_id=project_id,
    )
    audit.report_docx, audit.report_xlsx = docx, xlsx
    audit.save(update_fields=["report_docx", "report_xlsx"])
    return audit


def sample_context() -> dict[str, Any]:
    """A context with every key filled, used to check that an uploaded template renders."""
    row = {"checklist": "ORG-QM", "ref_id": "1.1", "text": "示例检查点", "result": "符合", "notes": "示例记录"}
    return {
        "company": "示例公司",
        "report_title": "内部审核报告",
        "report_date": "2026-01-01",
        "audit": {
            "code": "IA-2026-01",
            "title": "示例审核",
            "kind": "内部审核",
            "mode": "常规",
            "criteria": "GB/T 28827.1",
            "objectives": "示例",
            "planned_start": "2026-06-01",
            "planned_end": "2026-06-03",
            "conclusion": "示例结论",
            "conclusion_rating": "体系运行有效",
        },
        "program": "2026 年度内审方案",
        "scope": "组织级",
        "lead": "审核组长",
        "team": [{"name": "审核组长", "role": "审核组长", "user_role": "内审员"}],
        "meetings": [{"kind": "首次会议", "held_at": "2026-06-01 09:00", "location": "会议室", "attendees": "甲、乙", "minutes": "纪要"}],
        "rule": str(selectors.CONFORMANCE_RULE),
        "conformance": [
            {
                "label": "全部",
                "conform": 1,
                "major_nc": 0,
                "minor_nc": 0,
                "observation": 0,
                "not_applicable": 0,
                "not_assessed": 0,
                "rate": "100.0%",
            }
        ],
        "results": [row],
        "findings": [{"code": "F-1", "severity": "一般", "ref_id": "1.1", "title": "示例", "owner": "甲", "status": "待分析"}],
    }


@transaction.atomic
def report_template_upload(*, actor: Any, uploaded_file: Any, note: str = "") -> ReportTemplate:
    """Accept a replacement template only if it is a real .docx and renders with a full context."""
    from opsqm.audits.services import can_plan_audits
    from opsqm.records.uploads import upload_check

    if not can_plan_audits(actor):
        raise PermissionDenied(_("只有质量经理可以更换报告模板。"))
    upload_check(uploaded_file, name=uploaded_file.name or "", allowed_extensions=[".docx"], max_bytes=settings.OPSQM_MAX_TEMPLATE_BYTES)
    uploaded_file.seek(0)
    content = uploaded_file.read()
    validate_docx_template(content, sample_context())  # sandbox: refuses a bad tag by name
    template = ReportTemplate(
        original_name=uploaded_file.name[:255], sha256=hashlib.sha256(content).hexdigest(), note=note, uploaded_by=actor
    )
    template.file.save("template.docx", ContentFile(content), save=False)
    template.full_clean()
    template.save()
    ReportTemplate.objects.exclude(pk=template.pk).filter(active=True).update(active=False)
    return template


@transaction.atomic
def report_template_revert(*, actor: Any) -> int:
    from opsqm.audits.services import can_plan_audits

    if not can_plan_audits(actor):
        raise PermissionDenied(_("只有质量经理可以更换报告模板。"))
    return ReportTemplate.objects.filter(active=True).update(active=False)
