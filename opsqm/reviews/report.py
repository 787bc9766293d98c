"""The management review report (.docx, A4): plan, attendance, every input with its key tables and
charts (rendered server-side by matplotlib with a CJK font), minutes per agenda item, decisions and
the approval block. Built from the frozen input sections, so re-rendering later gives the same content."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.audits.report_template import BODY_FONT_CJK, BODY_FONT_LATIN, HEADING_FONT_CJK, _repeat_header, _set_fonts, _shade
from opsqm.reviews.models import ManagementReview

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CJK_FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The first installed CJK font matplotlib can use (None: charts are skipped rather than drawn as boxes)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONT_FAMILIES if name in installed), None)


def chart_png(chart: dict[str, Any]) -> bytes | None:
    """A grouped bar chart of a section's chart data, as PNG bytes (Agg backend, no display)."""
    family = cjk_font_family()
    labels = chart.get("labels") or []
    if family is None or not labels:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=150)
        series = chart.get("series") or []
        width = 0.8 / max(1, len(series))
        for i, s in enumerate(series):
            values = [v if v is not None else 0 for v in s["values"]]
            xs = [x + i * width - 0.4 + width / 2 for x in range(len(labels))]
            bars = ax.bar(xs, values, width=width, label=s["name"])
            ax.bar_label(bars, labels=[("—" if v is None else f"{v:g}") for v in s["values"]], fontsize=7)
        ax.set_xticks(range(len(labels)), labels, fontsize=8)
        ax.set_title(chart.get("title", ""), fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _table(doc, headers: list[str], rows: list[list[str]]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = str(text)
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell, "D9E2F3")
    _repeat_header(table.rows[0])
    for row in rows or [["—"] + [""] * (len(headers) - 1)]:
        cells = table.add_row().cells
        for i, text in enumerate(row[: len(headers)]):
            cells[i].text = str(text)  # python-docx escapes XML itself: user text stays text
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(9)


def render_report(review: ManagementReview) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    _set_fonts(doc.styles["Normal"], BODY_FONT_LATIN, BODY_FONT_CJK, 10.5)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12)):
        _set_fonts(doc.styles[name], BODY_FONT_LATIN, HEADING_FONT_CJK, size, True)

    company = getattr(settings, "OPSQM_COMPANY_NAME", "") or _("运维服务质量管理体系")
    title = doc.add_paragraph(style="Title")
    title.add_run(f"{company}\n{review.title}{_('报告')}")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(_("一、评审概况"), level=1)
    invited = list(review.attendees.order_by("username"))
    attended = set(review.attended.values_list("pk", flat=True))
    _table(
        doc,
        [_("项目"), _("内容")],
        [
            [_("会议日期"), review.planned_date.isoformat()],
            [_("召开时间"), _fmt(review.held_at)],
            [_("会议地点"), review.place],
            [_("主持人"), review.chair.display_name],
            [_("组织人（管理者代表）"), review.organizer.display_name],
            [_("应到人员"), "、".join(u.display_name for u in invited) or "—"],
            [_("实到人员"), "、".join(u.display_name for u in invited if u.pk in attended) or "—"],
            [_("缺席人员"), "、".join(u.display_name for u in invited if u.pk not in attended) or "—"],
            [_("评审输入截止日期"), review.inputs_as_of.isoformat() if review.inputs_as_of else "—"],
            [_("评审目的"), _("对运维服务管理体系运行的适宜性、充分性和有效性进行评价，识别并确定改进的机会和需要。")],
        ],
    )

    doc.add_heading(_("二、评审输入"), level=1)
    for n, section_row in enumerate(review.inputs.order_by("position"), 1):
        data = section_row.data
        doc.add_heading(f"{n}. {section_row.get_key_display()}", level=2)
        if data.get("summary"):
            doc.add_paragraph(data["summary"])
        if data.get("text"):
            doc.add_paragraph(data["text"])
        for table in data.get("tables", []):
            p = doc.add_paragraph()
            p.add_run(table["title"]).bold = True
            _table(doc, table["headers"], table["rows"])
            doc.add_paragraph()
        if data.get("chart"):
            png = chart_png(data["chart"])
            if png:
                doc.add_picture(io.BytesIO(png), width=Cm(15))
        notes = list(section_row.notes.select_related("author"))
        if notes:
            p = doc.add_paragraph()
            p.add_run(_("会前批注：")).bold = True
            for note in notes:
                doc.add_paragraph(f"{note.author.display_name}（{_fmt(note.at)}）：{note.text}", style="List Bullet")

    doc.add_heading(_("三、会议纪要"), level=1)
    for item in review.agenda.order_by("position"):
        doc.add_heading(f"{item.position}. {item.title}", level=2)
        doc.add_paragraph(item.minutes or "—")

    doc.add_heading(_("四、评审输出（决定与措施）"), level=1)
    actions = list(review.actions.select_related("owner").order_by("code"))
    _table(
        doc,
        [_("编号"), _("类别"), _("决定/措施"), _("责任人"), _("完成期限"), _("状态")],
        [[a.code, a.get_kind_display(), a.decision, a.owner.display_name, a.due_date.isoformat(), a.get_status_display()] for a in actions],
    )

    doc.add_heading(_("五、评审结论"), level=1)
    doc.add_paragraph(review.conclusion or "—")

    doc.add_heading(_("六、批准"), level=1)
    _table(
        doc,
        [_("编制"), _("批准（管理者代表）"), _("批准日期")],
        [
            [
                review.organizer.display_name,
                review.approved_by.display_name if review.approved_by_id else "",
                timezone.localtime(review.approved_at).date().isoformat() if review.approved_at else "",
            ]
        ],
    )
    footer = section.footer.paragraphs[0]
    footer.text = f"{review.title} · {_('生成于')} {_fmt(clock.now())}"
    footer.runs[0].font.size = Pt(8)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
