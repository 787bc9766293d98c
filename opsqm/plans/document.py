"""The annual plan as a Word document to print and sign: objectives, then the seed's 2.5 table
(activity, content, owner, time, output), then the signature block."""

from __future__ import annotations

import io
from typing import Any

from opsqm.plans.models import QualityPlan

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_plan_docx(plan: QualityPlan, attainment: list[Any]) -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    from opsqm.quarterly.report import _cjk_document, _table

    doc = _cjk_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.8)
    title = doc.add_heading(plan.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(f"状态：{plan.get_status_display()}　修订：第 {plan.revision} 次　编制：{plan.drafted_by.display_name}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if plan.notes:
        doc.add_paragraph(plan.notes)
    doc.add_heading("一、质量目标", level=1)
    _table(
        doc,
        ["指标项", "计算公式", "目标值", "度量周期", "数据来源"],
        [[a.objective.indicator, a.objective.formula, a.target_display, a.objective.get_period_display(), a.source] for a in attainment],
        [4, 10, 3, 3, 5],
    )
    doc.add_heading("二、年度质量管理活动安排", level=1)
    rows = []
    for n, a in enumerate(plan.activities.select_related("owner").prefetch_related("projects").order_by("due_date", "id"), start=1):
        scope = "、".join(p.code for p in a.projects.all())
        content = f"{a.content}\n范围：{scope}" if scope else a.content
        rows.append(
            [str(n), f"{a.title}（{a.get_type_display()}）", content, a.owner.display_name, a.due_date.strftime("%Y-%m-%d"), a.output]
        )
    _table(doc, ["序号", "活动", "内容", "负责人", "时间", "输出物"], rows, [1.1, 5.4, 10.2, 2.2, 2.3, 4.4])
    doc.add_paragraph()
    doc.add_heading("三、审批", level=1)
    approved = plan.approved_at.strftime("%Y-%m-%d") if plan.approved_at else "　　年　月　日"
    _table(
        doc,
        ["编制（质量管理部）", "审核（管理者代表）", "批准（总经办）"],
        [
            [
                f"{plan.drafted_by.display_name}\n\n签字：　　　　　\n日期：",
                "\n\n签字：　　　　　\n日期：",
                f"{plan.approved_by.display_name if plan.approved_by_id else ''}\n\n签字：　　　　　\n日期：{approved}",
            ]
        ],
        [8.5, 8.5, 8.5],
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
