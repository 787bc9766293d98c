"""The cadence generator on China working days (statutory holidays off, 调休 weekends on)."""

from __future__ import annotations

import datetime as dt

from opsqm.core.calendars import BusinessCalendar
from opsqm.plans.cadence import add_working_days, next_working_day, working_days_between, yearly_cadence

CAL = BusinessCalendar.china()


def test_a_due_date_in_national_day_moves_to_the_first_working_day_after_the_holiday():
    items = {i.key: i for i in yearly_cadence(2026, CAL)}
    survey = items["satisfaction"]
    assert survey.nominal == dt.date(2026, 10, 1)
    # Second way: walk the days after 1 October and stop at the first one that is not a holiday
    # and is either a weekday or a make-up workday.
    day = survey.nominal
    while day in CAL.holidays or (day.weekday() >= 5 and day not in CAL.makeup_workdays):
        day += dt.timedelta(days=1)
    assert survey.due == day
    assert survey.due > dt.date(2026, 10, 7)  # 国庆 2026 is 1–7 October at least


def test_every_generated_date_is_a_working_day_and_never_before_its_nominal_date():
    for year in (2024, 2025, 2026):
        for item in yearly_cadence(year, CAL, [(1, "PA", "项目甲")]):
            assert CAL.is_workday(item.due), item
            assert item.due >= item.nominal
            assert (item.due - item.nominal).days <= 10


def test_a_make_up_saturday_is_a_working_day_and_keeps_its_date():
    makeup = sorted(d for d in CAL.makeup_workdays if d.year == 2026)
    assert makeup, "the built-in table has 调休 days in 2026"
    assert next_working_day(makeup[0], CAL) == makeup[0]


def test_the_year_has_the_seed_cadence():
    items = yearly_cadence(2026, CAL, [(1, "PA", "项目甲"), (2, "PB", "项目乙")])
    kinds = [i.type for i in items]
    assert kinds.count("supervision") == 12
    assert kinds.count("kpi_review") == 4
    assert kinds.count("internal_audit") == 2
    assert kinds.count("management_review") == 1
    assert kinds.count("satisfaction") == 1
    assert kinds.count("project_qa") == 2
    by_key = {i.key: i for i in items}
    assert by_key["review"].due > by_key["audit-end"].due  # the review follows the second audit
    assert by_key["audit-mid"].due.month == 6


def test_working_day_arithmetic_agrees_with_a_day_by_day_count():
    start = dt.date(2026, 9, 25)
    for n in range(1, 15):
        end = add_working_days(start, n, CAL)
        brute = sum(1 for k in range(1, (end - start).days + 1) if CAL.is_workday(start + dt.timedelta(days=k)))
        assert brute == n == working_days_between(start, end, CAL)
