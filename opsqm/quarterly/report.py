"""The quarterly quality report: .docx (python-docx, charts drawn server-side by matplotlib in Noto
Sans CJK) and .xlsx (the project's one sheet writer, opsqm.core.cells). Content comes from the review
where it exists and from the records alone where it does not (CLI for past quarters)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import timezone

from opsqm.core.cells import PERCENT, Column, new_workbook, workbook_bytes, write_table
from opsqm.core.kpi import Period

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei"]


def _pct(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.1f}%" if unit == "%" else f"{v:.1f}"


def report_content(*, year: int, quarter: int) -> dict[str, Any]:
    """Plain data for both files."""
    from opsqm.org.models import Project
    from opsqm.quarterly import selectors
    from opsqm.quarterly.models import QuarterlyReview

    review = QuarterlyReview.objects.filter(year=year, quarter=quarter).first()
    company = selectors.analysis(year=year, quarter=quarter)
    project_ids = {s.project_id for s in company["submissions"]} | {p.pk for a in company["audits"] for p in a["audit"].projects.all()}
    projects = []
    for p in Project.objects.filter(pk__in=project_ids).order_by("code") if project_ids else []:
        a = selectors.analysis(year=year, quarter=quarter, project=p)
        projects.append(
            {"code": p.code, "name": p.name, "kpis": a["kpis"], "misses": a["misses"], "submission": (a["submissions"] or [None])[0]}
        )
    return {
        "company_name": getattr(settings, "OPSQM_COMPANY_NAME", "") or "运维服务质量管理体系",
        "title": f"{year} 年第 {quarter} 季度运维服务质量分析报告",
        "period": Period(year, quarter=quarter),
        "review": review,
        "status": review.get_status_display() if review else "未发起季度分析（依据系统记录生成）",
        "analysis": review.analysis if review else "",
        "requirements": review.requirements if review else "",
        "gm": (
            f"{review.gm_by.display_name} {timezone.localtime(review.gm_at):%Y-%m-%d}：{review.gm_note or '已阅'}"
            if review and review.gm_by_id and review.status == QuarterlyReview.Status.CLOSED
            else ""
        ),
        "company": company,
        "projects": projects,
        "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------- charts


def _font() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def kpi_chart_png(rows: list[Any], title: str) -> bytes:
    """Grouped bars: each rate KPI's value in each month of the quarter, the target as a marker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    if font:
        plt.rcParams["font.family"] = [font]
    plt.rcParams["axes.unicode_minus"] = False
    rates = [r for r in rows if r.unit == "%" and any(v is not None for v in r.trend)]
    fig, ax = plt.subplots(figsize=(7.2, 3.2), dpi=150)
    if not rates:
        ax.text(0.5, 0.5, "本季度无指标数据", ha="center", va="center")
        ax.axis("off")
    else:
        labels = rates[0].trend_labels or ["本季度"]
        width = 0.8 / max(1, len(labels))
        for j, label in enumerate(labels):
            vals = [((r.trend[j] if r.trend and r.trend[j] is not None else 0) * 100) for r in rates]
            ax.bar([i + j * width for i in range(len(rates))], vals, width, label=label)
        for i, r in enumerate(rates):
            if r.target is not None:
                ax.hlines(r.target * 100, i - width / 2, i + width * (len(labels) - 0.5), colors="#c0392b", linestyles="--", linewidth=1.2)
        ax.set_xticks([i + width * (len(labels) - 1) / 2 for i in range(len(rates))], [r.name for r in rates], fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_ylabel("%")
        ax.legend(fontsize=7, ncols=len(labels), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
        ax.set_title(title + "（红色虚线为目标值）", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------- docx


def _table(doc: Any, headers: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> None:
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for i, h in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = h
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(9)
    for row in rows:
        cells = table.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = "" if v is None else str(v)
            for run in cells[i].paragraphs[0].runs:
                run.font.size = Pt(9)
    if not rows:
        table.add_row().cells[0].text = "无"
    if widths:
        # Word reads the cell widths, LibreOffice the grid columns: set both.
        table.autofit = False
        for i, w in enumerate(widths):
            table.columns[i].width = Cm(w)
        for row in table.rows:
            for i, w in enumerate(widths):
                row.cells[i].width = Cm(w)
    _repeat_header(table)


def _repeat_header(table: Any) -> None:
    """The header row repeats on every printed page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cjk_document() -> Any:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for style_name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = doc.styles[style_name]
        style.font.name = "Noto Sans CJK SC"
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.styles["Title"].font.size = Pt(20)
    return doc


def _kpi_rows(rows: list[Any]) -> list[list[Any]]:
    return [
        [
            r.name,
            r.display,
            r.target_display,
            " / ".join(_pct(v, r.unit) for v in r.trend) or "—",
            "未达标" if r.attained is False else ("达标" if r.attained else "—"),
        ]
        for r in rows
    ]


def render_docx(c: dict[str, Any]) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = _cjk_document()
    head = doc.add_heading(c["title"], level=0)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(f"{c['company_name']} · 质量管理部 · 状态：{c['status']} · 生成时间：{c['generated']}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    comp = c["company"]

    doc.add_heading("一、公司服务质量指标", level=1)
    doc.add_picture(io.BytesIO(kpi_chart_png(comp["kpis"], "公司指标月度趋势")), width=Cm(16))
    _table(doc, ["指标", "本季度", "目标", "月度趋势", "评价"], _kpi_rows(comp["kpis"]), [3.5, 2.2, 2.2, 6.1, 2])
    doc.add_heading("二、未达标指标及由此提出的问题", level=1)
    _table(doc, ["指标", "本季度", "目标"], [[m.name, m.display, m.target_display] for m in comp["misses"]], [6, 5, 5])
    doc.add_paragraph()
    _table(
        doc,
        ["问题编号", "项目", "描述", "状态"],
        [[f.code, f.project.code if f.project_id else "公司级", f.title, f.get_status_display()] for f in comp["kpi_findings"]],
        [3, 2.5, 8.5, 2],
    )
    doc.add_heading("三、审核与检查结果", level=1)
    _table(
        doc,
        ["编号", "名称", "类别", "阶段", "符合率", "结论"],
        [[a["code"], a["title"], a["kind"], a["stage"], a["rate"], a["rating"]] for a in comp["audits"]],
        [2.6, 4.4, 2.2, 2, 1.8, 3],
    )
    doc.add_heading("四、未关闭的纠正措施", level=1)
    _table(
        doc,
        ["问题", "项目", "措施", "责任人", "期限", "状态"],
        [
            [
                x.finding.code,
                x.finding.project.code if x.finding.project_id else "公司级",
                x.description[:60],
                x.owner.display_name,
                x.due_date.isoformat(),
                x.get_status_display(),
            ]
            for x in comp["actions"]
        ],
        [2.6, 1.8, 6, 1.8, 2.2, 1.6],
    )
    doc.add_heading("五、客户满意度与投诉", level=1)
    sat = comp["satisfaction"]
    if sat["available"]:
        _table(
            doc,
            ["项目", "数值"],
            [[r["label"], r["value"]] for r in sat["rows"]] + [["本季度客户投诉", f"{sat['complaints']} 起"]],
            [5, 11],
        )
    else:
        doc.add_paragraph("满意度调查功能尚未启用，本节暂无数据。")
    doc.add_heading("六、各项目情况", level=1)
    for prj in c["projects"]:
        doc.add_heading(f"{prj['code']} {prj['name']}", level=2)
        _table(doc, ["指标", "本季度", "目标", "月度趋势", "评价"], _kpi_rows(prj["kpis"]), [3.5, 2.2, 2.2, 6.1, 2])
        s = prj["submission"]
        if s is not None and s.status == "submitted":
            doc.add_paragraph(
                f"运维经理：{s.owner.display_name}　处理工单 {s.tickets_handled if s.tickets_handled is not None else '—'}　"
                f"重大事件 {s.major_incidents if s.major_incidents is not None else '—'}　服务报告 {s.service_reports if s.service_reports is not None else '—'} 份　"
                f"客户例会/回访 {s.customer_meetings if s.customer_meetings is not None else '—'} 次"
            )
            doc.add_paragraph("本季度工作总结：" + s.summary)
            if s.problems:
                doc.add_paragraph("存在的问题：" + s.problems)
            doc.add_paragraph("下季度工作计划：" + s.next_plan)
        else:
            doc.add_paragraph("运维经理季度工作总结：未提交。")
    doc.add_heading("七、质量分析", level=1)
    doc.add_paragraph(c["analysis"] or "（未撰写）")
    doc.add_heading("八、改进要求", level=1)
    doc.add_paragraph(c["requirements"] or "（未撰写）")
    doc.add_heading("九、总经办意见", level=1)
    doc.add_paragraph(c["gm"] or "（待总经办审阅）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- xlsx


def render_xlsx(c: dict[str, Any]) -> bytes:
    from openpyxl.styles import Alignment

    wb = new_workbook()

    def sheet(
        ws: Any,
        headers: list[str],
        rows: list[list[Any]],
        widths: list[int],
        pct_cols: tuple[int, ...] = (),
        units: list[str] | None = None,
    ) -> None:
        write_table(ws, [Column(h, w, wrap=w >= 16) for h, w in zip(headers, widths)], rows)
        for n, row in enumerate(ws.iter_rows(min_row=2)):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if cell.column in pct_cols:
                    # rates as percent; hours and counts as plain numbers
                    cell.number_format = PERCENT if units is None or units[n] == "%" else "0.0"
        ws.freeze_panes = "B2"

    def kpi_rows(scope: str, rows: list[Any]) -> list[list[Any]]:
        out = []
        for r in rows:
            trend = list(r.trend) + [None] * (3 - len(r.trend))
            out.append([scope, r.name, r.value, r.target, *trend[:3], "未达标" if r.attained is False else ("达标" if r.attained else "—")])
        return out

    ws = wb.active
    ws.title = "指标"
    rows = kpi_rows("公司", c["company"]["kpis"])
    for prj in c["projects"]:
        rows += kpi_rows(prj["code"], prj["kpis"])
    months = [f"{m} 月" for m in range(3 * c["period"].quarter - 2, 3 * c["period"].quarter + 1)]
    units = [r.unit for r in c["company"]["kpis"]] + [r.unit for prj in c["projects"] for r in prj["kpis"]]
    sheet(
        ws,
        ["范围", "指标", "本季度", "目标", *months, "评价"],
        rows,
        [10, 16, 10, 10, 10, 10, 10, 8],
        pct_cols=(3, 4, 5, 6, 7),
        units=units,
    )
    comp = c["company"]
    sheet(
        wb.create_sheet("审核与检查"),
        ["编号", "名称", "类别", "阶段", "符合率", "结论"],
        [[a["code"], a["title"], a["kind"], a["stage"], a["rate"], a["rating"]] for a in comp["audits"]],
        [14, 30, 12, 12, 10, 24],
    )
    sheet(
        wb.create_sheet("纠正措施"),
        ["问题", "项目", "措施", "责任人", "期限", "状态"],
        [
            [
                x.finding.code,
                x.finding.project.code if x.finding.project_id else "公司级",
                x.description,
                x.owner.display_name,
                x.due_date.isoformat(),
                x.get_status_display(),
            ]
            for x in comp["actions"]
        ],
        [14, 10, 50, 10, 12, 10],
    )
    sheet(
        wb.create_sheet("季度总结"),
        ["项目", "运维经理", "状态", "处理工单", "重大事件", "服务报告", "例会/回访", "工作总结", "存在问题", "下季度计划"],
        [
            [
                s.project.code,
                s.owner.display_name,
                s.get_status_display(),
                s.tickets_handled,
                s.major_incidents,
                s.service_reports,
                s.customer_meetings,
                s.summary,
                s.problems,
                s.next_plan,
            ]
            for s in comp["submissions"]
        ],
        [10, 10, 8, 8, 8, 8, 8, 40, 30, 40],
    )
    sheet(
        wb.create_sheet("分析与要求"),
        ["项目", "内容"],
        [["状态", c["status"]], ["质量分析", c["analysis"]], ["改进要求", c["requirements"]], ["总经办意见", c["gm"]]],
        [14, 100],
    )
    return workbook_bytes(wb)
