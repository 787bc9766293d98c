"""KPI pages. Every view resolves projects through the access policy; org rows (which pool
tickets of all projects) are shown only to org-wide roles."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_project_or_404
from opsqm.core.kpi import KPI_DEFINITIONS, SURVEY_KPIS, TICKET_KPIS, Granularity, KpiCode, Period
from opsqm.kpis import exports, labels, presenters, selectors, services
from opsqm.kpis.forms import ManualMeasureForm
from opsqm.kpis.models import RATIO_MANUAL_KPIS
from opsqm.kpis.selectors import ORG
from opsqm.records.locking import StaleEditError
from opsqm.web import querystring_without


def _granularity(request: HttpRequest) -> Granularity:
    return Granularity.MONTH if request.GET.get("granularity") == "month" else Granularity.QUARTER


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _selected_period(request: HttpRequest, year: int, granularity: Granularity) -> Period:
    periods = selectors.year_periods(year, granularity)
    try:
        chosen = Period.parse(request.GET.get("period", ""))
        if chosen in periods:
            return chosen
    except (ValueError, TypeError):
        pass
    today = timezone.localdate()
    current = Period.of(today, granularity)
    return current if current in periods else periods[-1]


def _cutoff(request: HttpRequest) -> tuple[Any, str]:
    raw = request.GET.get("cutoff", "").strip()
    cutoff = selectors.parse_cutoff(raw)
    return cutoff, raw if cutoff is not None else ""


def _overview_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    granularity, year = _granularity(request), _year(request)
    period = _selected_period(request, year, granularity)
    cutoff, cutoff_raw = _cutoff(request)
    projects = selectors.visible_project_list(user)
    include_org = selectors.org_values_visible(user)
    data = selectors.year_data(year, cutoff)
    targets = selectors.targets_for([p.pk for p in projects], year)
    measures = selectors.manual_measures([p.pk for p in projects], [period, *_months_of(period)])
    year_periods = selectors.year_periods(year, granularity)
    satisfaction = selectors.satisfaction_measures(user, year_periods, [p.pk for p in projects], extra_keys=[str(year)])
    measures.update(satisfaction)
    rows = presenters.build_rows(data, projects, period, include_org=include_org, cutoff_raw=cutoff_raw, measures=measures, targets=targets)
    presenters.attach_findings(rows, period)
    if include_org:
        scopes, keys, chart_targets = [(_("全公司"), None)], [ORG], targets[ORG]
    else:
        scopes = [(p.code, [p.pk]) for p in projects[:8]]
        keys = [str(p.pk) for p in projects[:8]]
        chart_targets = targets[projects[0].pk] if len(projects) == 1 else targets[ORG]
    return {
        "granularity": granularity,
        "year": year,
        "period": period,
        "periods": selectors.year_periods(year, granularity),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "cutoff_raw": cutoff_raw,
        "cutoff_at": presenters.cutoff_label(data),
        "rows": rows,
        "kpis": [KPI_DEFINITIONS[c] for c in presenters.ALL_KPIS],
        "include_org": include_org,
        "charts": presenters.trend_chart(data, granularity, scopes, chart_targets, cutoff_raw, keys, satisfaction),
        "data": data,
        "projects": projects,
        "satisfaction_year": presenters.satisfaction_year_rows(rows, year, satisfaction, targets),
    }


def _months_of(period: Period) -> list[Period]:
    if period.quarter is None:
        return []
    return [Period(period.year, month=m) for m in range(3 * period.quarter - 2, 3 * period.quarter + 1)]


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    context = _overview_context(request)
    for row in context["rows"]:
        row.can_raise = services.can_raise_kpi_finding(request.user, None if row.is_org else row.scope)
        row.rendered = row.html_cells(context["period"])
    return render(request, "kpis/overview.html", context)


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    context = _overview_context(request)
    return exports.rows_response(
        title=_("质量指标总览 %(period)s") % {"period": labels.period_label(context["period"])},
        filename=f"kpi-overview-{context['period'].key}.xlsx",
        sections=[(context["period"], context["rows"])],
        cutoff_at=context["cutoff_at"],
    )


def _project_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    project = get_project_or_404(request.user, pk=pk)
    granularity, year = _granularity(request), _year(request)
    cutoff, cutoff_raw = _cutoff(request)
    data = selectors.year_data(year, cutoff, [project.pk])
    periods = selectors.year_periods(year, granularity)
    now_local = timezone.localtime(data.cutoff).date()
    periods = [p for p in periods if p.start_local <= now_local] or periods[:1]
    targets = selectors.targets_for([project.pk], year)
    all_months = [Period(year, month=m) for m in range(1, 13)]
    manual = selectors.manual_measures([project.pk], [*periods, *all_months])
    satisfaction = selectors.satisfaction_measures(request.user, periods, [project.pk], extra_keys=[str(year)])
    measures = {**manual, **satisfaction}
    sections = []
    for period in periods:
        rows = presenters.build_rows(data, [project], period, include_org=False, cutoff_raw=cutoff_raw, measures=measures, targets=targets)
        presenters.attach_findings(rows, period)
        sections.append((period, rows))
    can_raise = services.can_raise_kpi_finding(request.user, project)
    for period, rows in sections:
        for row in rows:
            row.can_raise = can_raise
            row.rendered = row.html_cells(period)
    return {
        "project": project,
        "granularity": granularity,
        "year": year,
        "periods": periods,
        "sections": sections,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "cutoff_raw": cutoff_raw,
        "cutoff_at": presenters.cutoff_label(data),
        "targets": targets[project.pk],
        "kpis": [KPI_DEFINITIONS[c] for c in presenters.ALL_KPIS],
        "measures": manual,
        "charts": presenters.trend_chart(
            data, granularity, [(project.code, [project.pk])], targets[project.pk], cutoff_raw, [str(project.pk)], satisfaction
        ),
        "mttr": presenters.mttr_by_priority(data, [project.pk], periods),
        "satisfaction_year": presenters.satisfaction_year_rows(sections[-1][1], year, satisfaction, targets) if sections else [],
    }


@login_required
def project_kpis(request: HttpRequest, pk: int) -> HttpResponse:
    context = _project_context(request, pk)
    project = context["project"]
    own = selectors.project_own_targets(project.pk)
    context.update(
        {
            "can_enter": services.can_enter_measures(request.user, project),
            "can_edit_targets": services.can_edit_targets(request.user),
            "can_raise": services.can_raise_kpi_finding(request.user, project),
            "measure_form": ManualMeasureForm(initial={"period": Period.of(timezone.localdate(), Granularity.MONTH).key}),
            "target_rows": [
                (
                    KPI_DEFINITIONS[c],
                    _input_value(KPI_DEFINITIONS[c], own.get(c)),
                    selectors.format_value(KPI_DEFINITIONS[c], context["targets"].get(c)),
                    c in own,
                )
                for c in presenters.ALL_KPIS
            ],
            "measure_rows": sorted(context["measures"].values(), key=lambda m: (m.period, m.kpi), reverse=True),
            "ratio_kpis": [c.value for c in RATIO_MANUAL_KPIS],
        }
    )
    return render(request, "kpis/project.html", context)


@login_required
def project_export(request: HttpRequest, pk: int) -> HttpResponse:
    context = _project_context(request, pk)
    project = context["project"]
    return exports.rows_response(
        title=_("%(code)s 质量指标 %(year)s") % {"code": project.code, "year": context["year"]},
        filename=f"kpi-{project.pk}-{context['year']}-{context['granularity']}.xlsx",
        sections=context["sections"],
        cutoff_at=context["cutoff_at"],
    )


@login_required
@require_POST
def measure_save(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=pk)
    if not services.can_enter_measures(request.user, project):
        raise PermissionDenied
    form = ManualMeasureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.manual_measure_save(
                actor=request.user,
                project=project,
                kpi=data["kpi"],
                period=data["period"],
                value=data["value"],
                numerator=data["numerator"],
                denominator=data["denominator"],
                note=data["note"],
                expected_version=data["version"],
            )
        except StaleEditError as exc:
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("手工指标已保存。"))
    else:
        messages.error(
            request,
            _("手工指标未保存：")
            + "；".join(
                f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{e}"
                for f, errors in form.errors.items()
                for e in errors
            ),
        )
    return redirect(reverse("kpis:project", args=[project.pk]) + "#measures")


def _parse_target(raw: str, code: KpiCode) -> Decimal | None:
    raw = raw.strip().rstrip("%").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(_("“%(raw)s”不是有效的数字。") % {"raw": raw}) from exc
    # Rates are typed as percentages on the page (95 → 0.95).
    return value / 100 if KPI_DEFINITIONS[code].unit == "%" else value


def _save_targets(request: HttpRequest, project: Any) -> None:
    if not services.can_edit_targets(request.user):
        raise PermissionDenied
    errors = []
    for code in presenters.ALL_KPIS:
        name = f"target_{code.value}"
        if name not in request.POST:
            continue
        try:
            services.target_set(actor=request.user, kpi=code, target=_parse_target(request.POST[name], code), project=project)
        except ValidationError as exc:
            errors.append(f"{labels.kpi_name(KPI_DEFINITIONS[code])}：{'；'.join(exc.messages)}")
    if errors:
        messages.error(request, _("部分目标未保存：") + "；".join(errors))
    else:
        messages.success(request, _("指标目标已保存。"))


@login_required
@require_POST
def project_targets(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_or_404(request.user, pk=pk)
    _save_targets(request, project)
    return redirect(reverse("kpis:project", args=[project.pk]) + "#targets")


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _save_targets(request, None)
        return redirect("kpis:catalogue")
    org = selectors.org_targets()
    effective = selectors.targets_for([], timezone.localdate().year)[ORG]
    entries = [
        (
            KPI_DEFINITIONS[c],
            org.get(c),
            selectors.format_value(KPI_DEFINITIONS[c], effective.get(c)),
            selectors.format_value(KPI_DEFINITIONS[c], KPI_DEFINITIONS[c].default_target),
            _input_value(KPI_DEFINITIONS[c], org.get(c)),
        )
        for c in presenters.ALL_KPIS
    ]
    return render(request, "kpis/catalogue.html", {"entries": entries, "can_edit": services.can_edit_targets(request.user)})


def _input_value(definition: Any, row: Any) -> str:
    if row is None:
        return ""
    value = row.target * 100 if definition.unit == "%" else row.target
    return f"{value.normalize():f}"


def _scope(request: HttpRequest, scope: str) -> tuple[Any, list[Any]]:
    """(project or None for org, projects behind the value). Org only for org-wide roles."""
    if scope == ORG:
        if not selectors.org_values_visible(request.user):
            raise Http404
        return None, selectors.visible_project_list(request.user)
    try:
        pk = int(scope)
    except ValueError as exc:
        raise Http404 from exc
    project = get_project_or_404(request.user, pk=pk)
    return project, [project]


def _parse_kpi_period(kpi: str, period: str) -> tuple[KpiCode, Period]:
    try:
        return KpiCode(kpi), Period.parse(period)
    except ValueError as exc:
        raise Http404 from exc


def _ticket_url(ticket: Any) -> str | None:
    try:
        return reverse("tickets:ticket_detail", kwargs={"project_id": ticket.project_id, "pk": ticket.pk})
    except NoReverseMatch:
        return None


class KnownCountPaginator(Paginator):
    """A paginator told its count: the drill-down knows each list's size from the KPI counters,
    which spares a COUNT over up to hundreds of thousands of tickets."""

    def __init__(self, *args: Any, known_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self) -> int:
        return self._known_count


@login_required
def drill(request: HttpRequest, scope: str, kpi: str, period: str) -> HttpResponse:
    project, projects = _scope(request, scope)
    code, period_obj = _parse_kpi_period(kpi, period)
    if code not in TICKET_KPIS:
        raise Http404
    cutoff, cutoff_raw = _cutoff(request)
    priority = request.GET.get("priority", "").strip()[:16]
    result = selectors.drill_down(projects, period_obj, code, priority or None, cutoff, pooled=project is None)
    show = request.GET.get("show", selectors.NUMERATOR)
    if show not in result.querysets:
        show = selectors.NUMERATOR
    counts = result.counts
    search = request.GET.get("q", "").strip()[:64]
    if search:
        # A search narrows the list; its size is then counted (on an indexed, small scope).
        page = Paginator(result.querysets[show].filter(number__icontains=search), 50).get_page(request.GET.get("page"))
    else:
        page = KnownCountPaginator(result.querysets[show], 50, known_count=counts[show]).get_page(request.GET.get("page"))
    tickets = []
    for ticket in page.object_list:
        response, resolution, seconds, reevaluated = result.statuses(ticket)
        tickets.append(
            {
                "ticket": ticket,
                "url": _ticket_url(ticket),
                "response": response,
                "resolution": resolution,  # SlaStatus values, shown with |sla_badge
                "hours": None if seconds is None or seconds < 0 else seconds / 3600,
                "reevaluated": reevaluated,
            }
        )
    definition = KPI_DEFINITIONS[code]
    value = result.value
    labels = _category_labels(code)
    return render(
        request,
        "kpis/drill.html",
        {
            "project": project,
            "scope": scope,
            "definition": definition,
            "period": period_obj,
            "priority": priority,
            "cutoff_raw": cutoff_raw,
            "cutoff_at": timezone.localtime(result.cutoff),
            "counts": counts,
            "show": show,
            "tabs": [(name, labels[name], counts[name]) for name in (selectors.NUMERATOR, selectors.DENOMINATOR_ONLY, selectors.EXCLUDED)],
            "page": page,
            "tickets": tickets,
            "value": value,
            "search": search,
            "value_display": selectors.format_value(definition, value.value),
            "qs_no_page": querystring_without(request, "page"),
            "qs_no_show": querystring_without(request, "page", "show"),
        },
    )


def _category_labels(code: KpiCode) -> dict[str, str]:
    if code in (KpiCode.RESPONSE_TIMELINESS, KpiCode.RESOLUTION_TIMELINESS):
        return {"num": _("✓ 达标（计入分子）"), "den": _("✗ 超时（仅计入分母）"), "out": _("不计入（未到期/不适用）")}
    if code is KpiCode.SLA_ATTAINMENT:
        return {"num": _("✓ 均达标（计入分子）"), "den": _("✗ 有超时（仅计入分母）"), "out": _("不计入（未到期/不适用）")}
    if code is KpiCode.RESOLUTION_RATE:
        return {"num": _("✓ 已解决（计入分子）"), "den": _("✗ 未解决（仅计入分母）"), "out": _("不计入")}
    if code is KpiCode.MTTR:
        return {"num": _("已解决（计入平均）"), "den": _("—"), "out": _("未解决（不计入）")}
    if code is KpiCode.REOPEN_RATE:
        return {"num": _("✗ 已重开（计入分子）"), "den": _("✓ 未重开（仅计入分母）"), "out": _("未解决（不计入）")}
    return {"num": _("✓ 一次解决（计入分子）"), "den": _("✗ 非一次解决（仅计入分母）"), "out": _("无标记或未解决（不计入）")}


@login_required
@require_POST
def raise_finding(request: HttpRequest, scope: str, kpi: str, period: str) -> HttpResponse:
    project, projects = _scope(request, scope)
    code, period_obj = _parse_kpi_period(kpi, period)
    if not services.can_raise_kpi_finding(request.user, project):
        raise PermissionDenied
    data = selectors.year_data(period_obj.year, None)
    targets = selectors.targets_for([p.pk for p in projects], period_obj.year)[ORG if project is None else project.pk]
    measures = selectors.manual_measures([p.pk for p in projects], [period_obj, *_months_of(period_obj)])
    if code in SURVEY_KPIS:
        measures.update(selectors.satisfaction_measures(request.user, [period_obj], [p.pk for p in projects]))
    cells = presenters.row_cells(data, None if project is None else [project.pk], period_obj, targets, measures, [p.pk for p in projects])
    cell = next(c for c in cells if c.code is code)
    back = reverse("kpis:overview") if project is None else reverse("kpis:project", args=[project.pk])
    if not cell.missed:
        messages.info(
            request,
            _("%(kpi)s 在 %(period)s 已达标或暂无数值，无需发起问题。")
            % {"kpi": labels.kpi_name(cell.definition), "period": labels.period_label(period_obj)},
        )
        return redirect(back)
    detail = _("%(kpi)s（%(formula)s）在 %(period)s 为 %(value)s（%(num)s / %(den)s），目标 %(target)s。") % {
        "kpi": labels.kpi_name(cell.definition),
        "formula": labels.kpi_formula(cell.definition),
        "period": labels.period_label(period_obj),
        "value": cell.display,
        "num": cell.value.numerator,
        "den": cell.value.denominator,
        "target": cell.target_display,
    }
    if code in SURVEY_KPIS and project is not None:
        finding, created = services.satisfaction_raise_finding(
            actor=request.user, project=project, period=period_obj, score=cell.value.value, target=float(cell.target)
        )
        if created:
            messages.success(request, _("已发起问题 %(code)s。") % {"code": finding.code})
        else:
            messages.info(request, _("该指标未达标已有问题 %(code)s，未重复创建。") % {"code": finding.code})
        return redirect("findings:detail", pk=finding.pk)
    if code in SURVEY_KPIS:
        source_url = presenters.satisfaction_url(None, period_obj.key)
    else:
        source_url = presenters.drill_url(scope, code, period_obj) if code in TICKET_KPIS else back
    finding, created = services.kpi_raise_finding(
        actor=request.user,
        project=project,
        code=code,
        period=period_obj,
        value_text=cell.display,
        target_text=cell.target_display,
        detail=detail,
        source_url=source_url,
    )
    if created:
        messages.success(request, _("已发起问题 %(code)s。") % {"code": finding.code})
    else:
        messages.info(request, _("该指标未达标已有问题 %(code)s，未重复创建。") % {"code": finding.code})
    return redirect("findings:detail", pk=finding.pk)
