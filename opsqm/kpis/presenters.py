"""Turning computed KPI counters into the rows, charts and spreadsheet lines the pages show.

Shared by the pages and the .xlsx exports so both always show the same numbers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from opsqm.core.kpi import KPI_DEFINITIONS, SURVEY_KPIS, TICKET_KPIS, Granularity, KpiCode, KpiValue, Period, rollup
from opsqm.kpis import labels, selectors
from opsqm.kpis.models import MANUAL_KPIS, RATIO_MANUAL_KPIS
from opsqm.kpis.selectors import ORG, Cell, YearData, make_cell

ALL_KPIS = tuple(TICKET_KPIS) + tuple(MANUAL_KPIS) + tuple(SURVEY_KPIS)
SATISFACTION = KpiCode.CUSTOMER_SATISFACTION


@dataclass
class Row:
    scope: Any  # a Project or ORG
    label: str
    cells: list[Cell]
    links: dict[KpiCode, str] = field(default_factory=dict)  # drill-down URL per ticket KPI
    findings: dict[KpiCode, Any] = field(default_factory=dict)  # existing finding per missed KPI
    can_raise: bool = False  # whether the viewer may raise a finding for this row's misses
    rendered: str = ""  # html_cells, once findings and can_raise are set

    @property
    def is_org(self) -> bool:
        return self.scope == ORG

    @property
    def scope_key(self) -> str:
        return ORG if self.is_org else str(self.scope.pk)

    def items(self) -> list[tuple[Cell, str, Any]]:
        return [(c, self.links.get(c.code, ""), self.findings.get(c.code)) for c in self.cells]

    def html_cells(self, period: Period) -> str:
        """The row's KPI cells as one piece of HTML (one template variable per row, not per cell)."""
        texts, scope_key = _texts(), self.scope_key
        return mark_safe(  # nosec B308 B703 - every value inside is escaped by render_cell
            "".join(render_cell(cell, link, finding, self.can_raise, scope_key, period, texts) for cell, link, finding in self.items())
        )


_TEXTS: dict[str, dict[str, str]] = {}


def _texts() -> dict[str, str]:
    """The cells' constant words and badges, translated and escaped once per language."""
    from django.utils.translation import get_language

    language = get_language() or ""
    texts = _TEXTS.get(language)
    if texts is None:
        texts = _TEXTS[language] = {
            "drill": _e(gettext("查看背后的工单")),
            "explain": _e(gettext("查看满意度计算与答卷")),
            "responses": _e(gettext("份答卷")),
            "target": _e(gettext("目标")),
            "raise": _e(gettext("发起问题")),
            "met": f'<span class="badge text-bg-success">{_e(gettext("达标"))}</span>',
            "missed": f'<span class="badge text-bg-danger">{_e(gettext("未达标"))}</span>',
            "none": '<span class="badge text-bg-light text-secondary">—</span>',  # no target: no attainment
        }
    return texts


def _e(value: object) -> str:
    """HTML-escaped text, as Django's `escape` does it (the standard library's, quotes too),
    without its lazy-string wrapper: the overview escapes ~3,000 values per request."""
    return html.escape(str(value), quote=True)


def render_cell(cell: Cell, link: str, finding: Any, can_raise: bool, scope_key: str, period: Period, texts: dict[str, str]) -> str:
    """One KPI table cell, every value escaped with `_e`. Built as a string rather than a template
    include per cell (the overview has ~600 cells; includes, then format_html's per-argument
    escaping, cost most of a request). The "raise a finding" buttons submit the page's single
    form `#kpi-raise-form` (CSRF). `texts`: `_texts()`, looked up once per row."""
    missed = cell.missed
    value_cls = "kpi-value text-danger fw-semibold" if missed else "kpi-value"
    display = _e(cell.display)
    if link and cell.code is SATISFACTION:
        title = f"{texts['explain']}（{_e(cell.value.denominator)} {texts['responses']}）"
        value = f'<a href="{_e(link)}" class="{value_cls}" title="{title}">{display}</a>'
    elif link:
        title = f"{texts['drill']}（{_e(cell.value.numerator)} / {_e(cell.value.denominator)}）"
        value = f'<a href="{_e(link)}" class="{value_cls}" title="{title}">{display}</a>'
    else:
        value = f'<span class="{value_cls if missed else ""}">{display}</span>'
    badge = texts["met"] if cell.attained is True else texts["missed"] if cell.attained is False else texts["none"]
    action = ""
    if missed and finding is not None:
        url = _e(reverse("findings:detail", args=[finding.pk]))
        action = f'<a class="small" href="{url}"><i class="bi bi-flag"></i> {_e(finding.code)}</a>'
    elif missed and can_raise:
        url = _e(_kpi_url("kpis:raise_finding", scope_key, cell.code.value, period.key))
        action = (
            '<button class="btn btn-link btn-sm p-0 small text-danger raise-finding" type="submit" form="kpi-raise-form" '
            f'formaction="{url}"><i class="bi bi-flag"></i> {texts["raise"]}</button>'
        )
    danger = " table-danger" if missed else ""
    return (
        f'<td class="text-end text-nowrap{danger}" data-kpi="{_e(cell.code.value)}">{value}<div class="small">{badge} '
        f'<span class="text-secondary">{texts["target"]} {_e(cell.target_display)}</span></div>{action}</td>'
    )


def _kpi_url(name: str, scope_key: str, code: str, period_key: str) -> str:
    """reverse() of the drill / raise URLs without resolving each of ~600 cells: the pattern is
    reversed once with placeholders (scope, code and period are URL-safe ASCII)."""
    template = _URL_TEMPLATES.get(name)
    if template is None:
        template = _URL_TEMPLATES[name] = reverse(name, args=["__scope__", "__kpi__", "__period__"])
    return template.replace("__scope__", scope_key).replace("__kpi__", code).replace("__period__", period_key)


_URL_TEMPLATES: dict[str, str] = {}


def cutoff_query(cutoff_raw: str) -> str:
    return urlencode({"cutoff": cutoff_raw}) if cutoff_raw else ""


def drill_url(scope_key: str, code: KpiCode, period: Period, cutoff_raw: str = "", priority: str = "") -> str:
    url = _kpi_url("kpis:drill", str(scope_key), code.value, period.key)
    params = {k: v for k, v in (("cutoff", cutoff_raw), ("priority", priority)) if v}
    return f"{url}?{urlencode(params)}" if params else url


def manual_period_value(code: KpiCode, measures: dict, project_ids: list[int], period: Period) -> KpiValue:
    """A manual KPI of some projects in a period.

    One project: its entry for the period; a quarter without its own entry rolls up the months
    entered by the measure's rule (`KpiDefinition.quarter_rollup`: counts summed, report ratios
    pooled, availability the mean of the months).
    Several projects (company): counts summed, reports pooled; availability is not pooled ("—")
    because a mean of project availabilities would hide how long each service was committed.
    """
    definition = KPI_DEFINITIONS[code]
    months = []
    if period.quarter is not None:
        months = [Period(period.year, month=m) for m in range(3 * period.quarter - 2, 3 * period.quarter + 1)]
    if code not in RATIO_MANUAL_KPIS and definition.quarter_rollup != "sum":
        if len(project_ids) != 1:
            return KpiValue(0, 0, None)
        own = measures.get((project_ids[0], period.key, code))
        if own is not None:
            return selectors.manual_value(own)
        values = [
            v
            for m in months
            if (e := measures.get((project_ids[0], m.key, code))) is not None and (v := selectors.manual_value(e).value) is not None
        ]
        value = rollup(definition.quarter_rollup, values)
        return KpiValue(0, 0, None) if value is None else KpiValue(value, 1, value)
    numerator: float = 0
    denominator = 0
    found = False
    for project_id in project_ids:
        entries = [e for e in [measures.get((project_id, period.key, code))] if e is not None]
        if not entries and months:
            entries = [e for m in months if (e := measures.get((project_id, m.key, code))) is not None]
        for entry in entries:
            found = True
            if code in RATIO_MANUAL_KPIS:
                numerator += entry.numerator or 0
                denominator += entry.denominator or 0
            else:
                numerator += float(entry.value or 0)
    if code in RATIO_MANUAL_KPIS:
        return KpiValue(numerator, denominator, numerator / denominator if denominator else None)
    if not found:
        return KpiValue(0, 0, None)
    return KpiValue(numerator, 1, numerator)


def row_cells(
    data: YearData,
    project_ids: list[int] | None,
    period: Period,
    targets: dict[KpiCode, Decimal | None],
    measures: dict,
    measure_projects: list[int],
) -> list[Cell]:
    cells = selectors.ticket_cells(data, project_ids, period, targets)
    for code in MANUAL_KPIS:
        cells.append(make_cell(code, manual_period_value(code, measures, measure_projects, period), targets.get(code)))
    scope = ORG if project_ids is None else (project_ids[0] if len(project_ids) == 1 else None)
    value = selectors.satisfaction_value(measures, scope, period.key) if scope is not None else KpiValue(0, 0, None)
    cells.append(make_cell(SATISFACTION, value, targets.get(SATISFACTION)))
    return cells


def satisfaction_url(project_code: str | None, period_key: str) -> str:
    """Where a 客户满意度 value opens: the project's explanation down to the responses, or the
    company results page (every project's score) for the company row."""
    return f"{_satisfaction_base(project_code)}?{urlencode({'period': period_key})}"


@lru_cache(maxsize=1024)
def _satisfaction_base(project_code: str | None) -> str:
    """reverse() once per project code: the overview asks for ~1,000 of these URLs per request
    (a row, a chart point and the year table per project), all from a few dozen codes."""
    if project_code is None:
        return reverse("surveys:results")
    return reverse("surveys:explain", args=[project_code])


def build_rows(
    data: YearData, projects: list[Any], period: Period, *, include_org: bool, cutoff_raw: str, measures: dict, targets: dict
) -> list[Row]:
    rows: list[Row] = []
    if include_org:
        cells = row_cells(data, None, period, targets[ORG], measures, [p.pk for p in projects])
        rows.append(Row(ORG, gettext("全公司（汇总）"), cells))
    for project in projects:
        cells = row_cells(data, [project.pk], period, targets[project.pk], measures, [project.pk])
        rows.append(Row(project, f"{project.code} {project.name}", cells))
    for row in rows:
        row.links = {code: drill_url(row.scope_key, code, period, cutoff_raw) for code in TICKET_KPIS}
        row.links[SATISFACTION] = satisfaction_url(None if row.is_org else row.scope.code, period.key)
    return rows


def attach_findings(rows: list[Row], period: Period) -> None:
    """Existing KPI-miss findings per missed cell, in one query."""
    from django.db.models import Q

    from opsqm.findings.models import Finding
    from opsqm.kpis.services import KPI_MISS_SOURCE_TYPE, SATISFACTION_SOURCE_TYPE, kpi_source_id, satisfaction_source_id

    wanted: dict[str, tuple[Row, KpiCode]] = {}
    satisfaction: dict[str, tuple[Row, KpiCode]] = {}
    for row in rows:
        for cell in row.cells:
            if cell.missed:
                project = None if row.is_org else row.scope
                if cell.code is SATISFACTION and project is not None:
                    # A project's low satisfaction is raised through the surveys area (one per project and period).
                    satisfaction[satisfaction_source_id(project, period)] = (row, cell.code)
                else:
                    wanted[kpi_source_id(project, cell.code, period)] = (row, cell.code)
    if not wanted and not satisfaction:
        return
    found = Finding.objects.filter(
        Q(source_type=KPI_MISS_SOURCE_TYPE, source_id__in=list(wanted))
        | Q(source_type=SATISFACTION_SOURCE_TYPE, source_id__in=list(satisfaction))
    )
    for finding in found.order_by("id"):
        pool = wanted if finding.source_type == KPI_MISS_SOURCE_TYPE else satisfaction
        if finding.source_id in pool:
            row, code = pool[finding.source_id]
            row.findings.setdefault(code, finding)


def trend_chart(
    data: YearData,
    granularity: Granularity,
    scopes: list[tuple[str, list[int] | None]],
    targets: dict[KpiCode, Decimal | None],
    cutoff_raw: str,
    scope_keys: list[str],
    satisfaction: dict | None = None,
) -> list[dict]:
    """One chart per ticket KPI: a line per scope over the year's periods, plus the target line.

    With `satisfaction` (`selectors.satisfaction_measures` of the year's periods) a 客户满意度 chart
    follows; a project scope's name is its code (the explanation page is addressed by code)."""
    periods = selectors.year_periods(data.year, granularity)
    now_local = timezone.localtime(data.cutoff).date()
    shown = [p for p in periods if p.start_local <= now_local] or periods[:1]
    charts = []
    for code in TICKET_KPIS:
        definition = KPI_DEFINITIONS[code]
        scale = 100 if definition.unit == "%" else 1
        series = []
        for (name, ids), key in zip(scopes, scope_keys):
            points = []
            for period in shown:
                value = selectors.kpi_value(code, selectors.counters_for(data, ids, period)).value
                points.append(None if value is None else round(value * scale, 2))
            series.append({"name": name, "data": points, "links": [drill_url(key, code, p, cutoff_raw) for p in shown]})
        target = targets.get(code)
        charts.append(
            {
                "code": code.value,
                "title": labels.kpi_name(definition),
                "unit": "%" if scale == 100 else definition.unit,
                "periods": [labels.period_label(p) for p in shown],
                "series": series,
                "target": None if target is None else round(float(target) * scale, 2),
                "target_label": gettext("目标"),
                "higher_is_better": definition.higher_is_better,
            }
        )
    if satisfaction is not None:
        definition = KPI_DEFINITIONS[SATISFACTION]
        series = []
        for name, ids in scopes:
            scope = ORG if ids is None else ids[0]
            points = [selectors.satisfaction_value(satisfaction, scope, p.key).value for p in shown]
            code = None if ids is None else name
            series.append({"name": name, "data": points, "links": [satisfaction_url(code, p.key) for p in shown]})
        target = targets.get(SATISFACTION)
        charts.append(
            {
                "code": SATISFACTION.value,
                "title": labels.kpi_name(definition),
                "unit": definition.unit,
                "periods": [labels.period_label(p) for p in shown],
                "series": series,
                "target": None if target is None else round(float(target), 2),
                "target_label": gettext("目标"),
                "higher_is_better": True,
            }
        )
    return charts


def mttr_by_priority(data: YearData, project_ids: list[int] | None, periods: list[Period]) -> list[dict]:
    rows = []
    for priority in data.priorities:
        values = []
        for period in periods:
            counters = selectors.counters_for(data, project_ids, period, priority)
            value = selectors.kpi_value(KpiCode.MTTR, counters)
            values.append((value, selectors.format_value(KPI_DEFINITIONS[KpiCode.MTTR], value.value), period))
        rows.append({"priority": priority, "values": values})
    return rows


def cutoff_label(data: YearData) -> datetime:
    return timezone.localtime(data.cutoff)


def satisfaction_year_rows(rows: list[Row], year: int, measures: dict, targets: dict) -> list[dict]:
    """客户满意度 of the whole year per row's scope (the surveys' year period "2026"), with its target
    and verdict and the link to the explanation; `measures` holds `satisfaction_measures(..., extra_keys=[year])`."""
    key = str(year)
    out = []
    for row in rows:
        target_key = ORG if row.is_org else row.scope.pk
        cell = make_cell(
            SATISFACTION,
            selectors.satisfaction_value(measures, ORG if row.is_org else row.scope.pk, key),
            targets[target_key].get(SATISFACTION),
        )
        out.append(
            {
                "label": row.label if row.is_org else row.scope.code,
                "cell": cell,
                "url": satisfaction_url(None if row.is_org else row.scope.code, key),
            }
        )
    return out
