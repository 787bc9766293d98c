"""Demo KPI data: a project target and a quarter of manual measures for the first projects."""

from __future__ import annotations

from decimal import Decimal

from opsqm.core.kpi import Granularity, KpiCode, Period
from opsqm.kpis import services


def _last_months(today, count: int) -> list[Period]:
    period = Period.of(today, Granularity.MONTH)
    months = []
    for _ in range(count):
        months.append(period)
        year, month = (period.year, period.month - 1) if period.month > 1 else (period.year - 1, 12)
        period = Period(year, month=month)
    return months[::-1]


def load(ctx) -> None:
    qm = ctx.users["qm"]
    projects = ctx.projects[:4]
    if not projects:
        return
    services.target_set(actor=qm, kpi=KpiCode.RESPONSE_TIMELINESS, target=Decimal("0.98"), project=projects[0])
    count = 0
    for project in projects:
        for period in _last_months(ctx.today, 3):
            availability = Decimal(str(round(ctx.rng.uniform(0.992, 0.9999), 4)))
            services.manual_measure_save(
                actor=qm, project=project, kpi=KpiCode.AVAILABILITY, period=period.key, value=availability, note="监控平台月报"
            )
            due = 5
            services.manual_measure_save(
                actor=qm,
                project=project,
                kpi=KpiCode.REPORTS_ON_TIME,
                period=period.key,
                numerator=due - (1 if ctx.rng.random() < 0.25 else 0),
                denominator=due,
            )
            services.manual_measure_save(
                actor=qm,
                project=project,
                kpi=KpiCode.MAJOR_INCIDENTS,
                period=period.key,
                value=Decimal(1 if ctx.rng.random() < 0.15 else 0),
            )
            services.manual_measure_save(
                actor=qm, project=project, kpi=KpiCode.COMPLAINTS, period=period.key, value=Decimal(1 if ctx.rng.random() < 0.1 else 0)
            )
            count += 4
    ctx.log(f"质量指标：1 个项目级目标值，{count} 条手工录入指标")
