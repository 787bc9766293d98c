"""Manual measures entered monthly roll up to the quarter by each measure's rule (issue 10)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opsqm.core.kpi import KPI_DEFINITIONS, KpiCode, Period
from opsqm.kpis.models import ManualMeasure
from opsqm.kpis.presenters import manual_period_value
from opsqm.kpis.selectors import manual_measures

Q1 = Period(2026, quarter=1)
MONTHS = ["2026-01", "2026-02", "2026-03"]


def _enter(project, kpi: str, values, **extra) -> None:
    for period, value in zip(MONTHS, values):
        if isinstance(value, tuple):
            ManualMeasure.objects.create(project=project, kpi=kpi, period=period, numerator=value[0], denominator=value[1])
        else:
            ManualMeasure.objects.create(project=project, kpi=kpi, period=period, value=Decimal(value))


def _value(projects, code):
    ids = [p.pk for p in projects]
    measures = manual_measures(ids, [Q1, *[Period.parse(m) for m in MONTHS]])
    return manual_period_value(code, measures, ids, Q1)


def test_each_manual_measure_has_a_quarter_rule():
    assert {d.quarter_rollup for c, d in KPI_DEFINITIONS.items() if d.source == "manual"} <= {"sum", "mean", "min"}
    assert KPI_DEFINITIONS[KpiCode.AVAILABILITY].quarter_rollup == "mean"


def test_availability_entered_monthly_is_the_mean_of_its_months(world):
    _enter(world.project_a, "availability", ["0.990", "0.995", "1.000"])
    assert _value([world.project_a], KpiCode.AVAILABILITY).value == pytest.approx((0.990 + 0.995 + 1.0) / 3)


def test_counts_are_summed_and_report_ratios_pooled(world):
    _enter(world.project_a, "major_incidents", ["1", "0", "2"])
    _enter(world.project_a, "reports_on_time", [(1, 1), (0, 1), (2, 2)])
    assert _value([world.project_a], KpiCode.MAJOR_INCIDENTS).value == 3
    reports = _value([world.project_a], KpiCode.REPORTS_ON_TIME)
    assert (reports.numerator, reports.denominator) == (3, 4)


def test_a_quarter_entered_as_such_wins_over_its_months(world):
    _enter(world.project_a, "availability", ["0.990", "0.995", "1.000"])
    ManualMeasure.objects.create(project=world.project_a, kpi="availability", period="2026-Q1", value=Decimal("0.97"))
    assert _value([world.project_a], KpiCode.AVAILABILITY).value == pytest.approx(0.97)


def test_company_availability_is_not_pooled(world):
    _enter(world.project_a, "availability", ["0.990", "0.995", "1.000"])
    _enter(world.project_b, "availability", ["0.9", "0.9", "0.9"])
    assert _value([world.project_a, world.project_b], KpiCode.AVAILABILITY).value is None


def test_the_overview_quarter_shows_the_rolled_up_value(world, login):
    from django.urls import reverse

    _enter(world.project_a, "availability", ["0.990", "0.995", "1.000"])
    page = login(world.qm).get(reverse("kpis:overview") + "?granularity=quarter&year=2026&period=2026-Q1")
    (row,) = [r for r in page.context["rows"] if not r.is_org and r.scope.pk == world.project_a.pk]
    (cell,) = [c for c in row.cells if c.code is KpiCode.AVAILABILITY]
    assert cell.display == "99.5%"
