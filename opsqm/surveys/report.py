"""The satisfaction report of a period: .docx (charts drawn server-side with a CJK font) and .xlsx.

User text (comments, complaint content) goes into runs and cells as text: python-docx escapes XML,
and every spreadsheet cell is written by the project's one sheet writer (opsqm.core.cells)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.core import satisfaction as core
from opsqm.core.cells import PERCENT, Column, new_workbook, workbook_bytes, write_table
from opsqm.surveys import selectors
from opsqm.surveys.wording import formula_in_words, level_label


def report_context(*, user: Any, period: core.SurveyPeriod) -> dict[str, Any]:
    roll = selectors.satisfaction_rollup(user=user, period=period)
    with_comment = selectors.responses_in_period(user, period).exclude(comment="").select_related("project", "customer")
    worst = list(with_comment.order_by("score", "pk")[:20])
    best = [r for r in with_comment.order_by("-score", "pk")[:10] if r not in worst]
    comments = worst + best
    complaints = list(selectors.complaints_in_period(user, period).select_related("customer", "project", "handler"))
    return {
        "period": period,
        "roll": roll,
        "rates": selectors.response_rates(user=user, period=period),
        "lowest": selectors.lowest_questions(user=user, period=period),
        "comments": comments,
        "complaints": complaints,
        "trend": selectors.trend(user=user, year=period.year),
        "formula": formula_in_words(roll.rules),
        "generated": timezone.localtime(),
    }


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _chart_png(ctx: dict[str, Any]) -> tuple[bytes, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"):
        if any(f.name == name for f in font_manager.fontManager.ttflist):
            plt.rcParams["font.sans-serif"] = [name]
            break
    plt.rcParams["axes.unicode_minus"] = False
    scored = [p for p in ctx["roll"].projects if p.score is not None]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=150)
    ax.bar([p.project.code for p in scored], [p.score for p in scored], color="#2f6fb3")
    ax.axhline(ctx["roll"].rules.threshold, color="#c0392b", linestyle="--", linewidth=1, label=_("预警线"))
    ax.set_ylim(0, 100)
    ax.set_title(_("各项目满意度（百分制）"))
    ax.legend(loc="lower right")
    ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    bars = io.BytesIO()
    fig.savefig(bars, format="png")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 2.8), dpi=150)
    quarters = [q for q, _s, _p in ctx["trend"]]
    ax.plot(quarters, [s if s is not None else float("nan") for _q, s, _p in ctx["trend"]], marker="o", color="#2f6fb3")
    ax.set_ylim(0, 100)
    ax.set_title(_("公司满意度季度趋势"))
    fig.tight_layout()
    trend = io.BytesIO()
    fig.savefig(trend, format="png")
    plt.close(fig)
    return bars.getvalue(), trend.getvalue()


def render_docx(ctx: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Cm

    from opsqm.audits.report_template import build_default_template

    doc = Document(io.BytesIO(build_default_template()))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    roll = ctx["roll"]
    doc.add_heading(_("客户满意度报告（%(p)s）") % {"p": ctx["period"].code}, level=0)
    doc.add_paragraph(_("生成时间：%(t)s") % {"t": ctx["generated"].strftime("%Y-%m-%d %H:%M")})
    doc.add_heading(_("一、总体情况"), level=1)
    method = roll.rules.company_method
    for m, label in (("equal", _("各项目等权")), ("contract_value", _("按合同金额加权")), ("responses", _("按回收份数加权"))):
        mark = _("（本年度口径）") if m == method else ""
        doc.add_paragraph(
            _("公司满意度（%(l)s）：%(s)s%(mark)s") % {"l": label, "s": _f(roll.company[m].score), "mark": mark}, style="List Bullet"
        )
    bars, trend = _chart_png(ctx)
    doc.add_picture(io.BytesIO(bars), width=Cm(15))
    doc.add_picture(io.BytesIO(trend), width=Cm(15))
    doc.add_heading(_("二、各项目满意度"), level=1)
    t = doc.add_table(rows=1, cols=7)
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, [_("项目"), _("客户"), _("事件级"), _("项目级"), _("客户级"), _("项目满意度"), _("分档")]):
        cell.text = text
    for ps in roll.projects:
        cells = t.add_row().cells
        values = [ps.project.code, ps.project.customer.name]
        for lv in core.LEVELS:
            ls = ps.levels[lv]
            values.append(f"{_f(ls.score)}（{ls.count}）" if ls.score is not None else _("样本不足"))
        values += [_f(ps.score), ps.band or "—"]
        for cell, text in zip(cells, values):
            cell.text = text
    doc.add_heading(_("三、回收率"), level=1)
    t = doc.add_table(rows=1, cols=4)
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, [_("客户"), _("邀请"), _("答复"), _("回收率")]):
        cell.text = text
    for r in ctx["rates"]["customer"]:
        cells = t.add_row().cells
        for cell, text in zip(
            cells, [r["customer__name"], str(r["invited"]), str(r["answered"]), "—" if r["rate"] is None else f"{r['rate']:.0%}"]
        ):
            cell.text = text
    doc.add_heading(_("四、得分最低的题目"), level=1)
    for q in ctx["lowest"]:
        doc.add_paragraph(f"{level_label(q['level'])} · {q['question']}：{q['mean']:.1f}（{q['answers']}）", style="List Bullet")
    doc.add_heading(_("五、客户意见（原文）"), level=1)
    for r in ctx["comments"]:
        where = r.project.code if r.project_id else r.customer.name
        doc.add_paragraph(f"[{where} · {_f(r.score)}] {r.comment}", style="List Bullet")
    doc.add_heading(_("六、客户投诉及处理"), level=1)
    if not ctx["complaints"]:
        doc.add_paragraph(_("本期无客户投诉。"))
    for c in ctx["complaints"]:
        doc.add_paragraph(
            f"{c.code} · {c.customer.name} · {c.get_severity_display()} · {c.get_status_display()}：{c.content}", style="List Bullet"
        )
        if c.handling:
            doc.add_paragraph(_("处理：%(h)s；回访：%(v)s") % {"h": c.handling, "v": c.get_visit_result_display() or "—"})
    doc.add_heading(_("附：计算规则"), level=1)
    for line in ctx["formula"]:
        doc.add_paragraph(line, style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(ctx: dict[str, Any]) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = _("项目满意度")
    score = "0.00"
    columns = [Column(_("项目"), 10), Column(_("项目名称"), 24, wrap=True), Column(_("客户"), 20, wrap=True)]
    for title in (_("事件级"), _("项目级"), _("客户级")):
        columns += [Column(title, 9, score), Column(_("%(level)s份数") % {"level": title}, 9)]
    columns += [Column(_("项目满意度"), 10, score), Column(_("分档"), 8)]
    rows = []
    for ps in ctx["roll"].projects:
        row = [ps.project.code, ps.project.name, ps.project.customer.name]
        for lv in core.LEVELS:
            ls = ps.levels[lv]
            row += [None if ls.score is None else round(ls.score, 2), ls.count]
        row += [None if ps.score is None else round(ps.score, 2), ps.band or ""]
        rows.append(row)
    write_table(ws, columns, rows)
    write_table(
        wb.create_sheet(_("回收率")),
        [Column(_("项目"), 10), Column(_("层级"), 10), Column(_("邀请"), 8), Column(_("答复"), 8), Column(_("回收率"), 10, PERCENT)],
        [[r["project__code"] or "", level_label(r["level"]), r["invited"], r["answered"], r["rate"]] for r in ctx["rates"]["project"]],
        landscape=False,
    )
    write_table(
        wb.create_sheet(_("客户意见")),
        [
            Column(_("层级"), 10),
            Column(_("项目"), 10),
            Column(_("客户"), 20, wrap=True),
            Column(_("得分"), 8, score),
            Column(_("意见原文"), 60, wrap=True),
        ],
        [
            [
                level_label(r.level),
                r.project.code if r.project_id else "",
                r.customer.name,
                None if r.score is None else round(r.score, 2),
                r.comment,
            ]
            for r in ctx["comments"]
        ],
    )
    write_table(
        wb.create_sheet(_("客户投诉")),
        [
            Column(_("编号"), 15),
            Column(_("受理时间"), 16),
            Column(_("客户"), 20, wrap=True),
            Column(_("项目"), 10),
            Column(_("严重程度"), 9),
            Column(_("内容"), 44, wrap=True),
            Column(_("处理记录"), 40, wrap=True),
            Column(_("回访结果"), 10),
            Column(_("状态"), 9),
        ],
        [
            [
                c.code,
                timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                c.customer.name,
                c.project.code if c.project_id else "",
                c.get_severity_display(),
                c.content,
                c.handling,
                c.get_visit_result_display() or "",
                c.get_status_display(),
            ]
            for c in ctx["complaints"]
        ],
    )
    return workbook_bytes(wb)
