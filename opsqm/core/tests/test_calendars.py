"""Business calendars: parsing, the China table, and the engine against a brute force.

The reference below walks minute by minute with datetime + zoneinfo and re-derives
working time from the definitions in PRODUCT.md; it never touches engine tables.
Slot edges and zone offsets are whole minutes, so whether an instant works is
constant within each UTC minute and the minute walk is exact to the second.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays as holidays_pkg
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsqm.core.calendars import BusinessCalendar, CalendarError, HolidayYear, parse_holiday_text, parse_slots

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
LUNCH_SLOTS = "09:00-12:00,13:30-18:00"


# ------------------------------------------------------------------ reference


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass
class ReferenceCalendar:
    tz: str
    weekly: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    holidays: set[date] = field(default_factory=set)
    makeup: set[date] = field(default_factory=set)
    always_on: bool = False

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.tz)

    def slots_on(self, d: date) -> list[tuple[int, int]]:
        if d in self.makeup:
            slots = self.weekly.get(0, [])
        elif d in self.holidays:
            slots = []
        else:
            slots = self.weekly.get(d.weekday(), [])
        return [(_clock(a), _clock(b)) for a, b in slots]

    def works_at(self, t: int) -> bool:
        if self.always_on:
            return True
        local = datetime.fromtimestamp(t, self.zone)
        second = local.hour * 3600 + local.minute * 60 + local.second
        return any(a <= second < b for a, b in self.slots_on(local.date()))

    def minutes(self, t0: int, t1: int):
        """(piece start, piece end) pieces of [t0, t1) cut at UTC minute edges."""
        t = t0
        while t < t1:
            nxt = min((t // 60 + 1) * 60, t1)
            yield t, nxt
            t = nxt

    def business(self, t0: int, t1: int) -> int:
        return sum(b - a for a, b in self.minutes(t0, t1) if self.works_at(a))

    def deadline(self, t0: int, need: int, limit_days: int = 60) -> int | None:
        if need == 0:
            return t0
        done = 0
        for a, b in self.minutes(t0, t0 + limit_days * 86400):
            if self.works_at(a):
                if done + (b - a) >= need:
                    return a + (need - done)
                done += b - a
        return None


def _china_reference() -> ReferenceCalendar:
    # Holiday data from the `holidays` package, not from our table, so the brute
    # force also cross-checks the table.
    years = range(2019, 2027)
    pkg = holidays_pkg.China(years=years)
    return ReferenceCalendar(
        tz="Asia/Shanghai",
        weekly={day: [("09:00", "12:00"), ("13:30", "18:00")] for day in range(5)},
        holidays={d for d in pkg if d.year in years},
        makeup={d for d in pkg.weekend_workdays if d.year in years},
    )


def ts(text: str, zone: ZoneInfo = SHANGHAI) -> int:
    """Seconds since the epoch of a local wall time."""
    return int(datetime.fromisoformat(text).replace(tzinfo=zone).timestamp())


def instants(values, unit: str = "s") -> np.ndarray:
    seconds = np.array(values, dtype=np.int64)
    return (seconds * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]).view(f"M8[{unit}]")


def engine_business(cal: BusinessCalendar, pairs: list[tuple[int, int]]) -> list[int]:
    return cal.business_seconds(instants([a for a, _ in pairs]), instants([b for _, b in pairs])).tolist()


@pytest.fixture(scope="module")
def china() -> BusinessCalendar:
    return BusinessCalendar.china()


@pytest.fixture(scope="module")
def china_ref() -> ReferenceCalendar:
    return _china_reference()


# ------------------------------------------------------------------ parse_slots


def test_it_parses_slots_into_sorted_seconds_of_day():
    assert parse_slots("09:00-12:00,13:30-18:00") == ((32400, 43200), (48600, 64800))
    assert parse_slots(" 13:30 - 18:00 ， 9:00～12:00 ") == ((32400, 43200), (48600, 64800))
    assert parse_slots("00:00-24:00") == ((0, 86400),)
    assert parse_slots("08:00-12:00,12:00-13:00") == ((28800, 43200), (43200, 46800))
    assert parse_slots("") == ()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("09:00-", "格式应为"),
        ("9-12", "格式应为"),
        ("12:00-09:00", "开始时间必须早于结束时间"),
        ("09:00-09:00", "开始时间必须早于结束时间"),
        ("24:00-24:00", "开始时间必须早于结束时间"),
        ("09:00-24:30", "时间无效"),
        ("09:60-10:00", "时间无效"),
        ("09:00-12:00,11:00-13:00", "重叠"),
    ],
)
def test_it_rejects_bad_slots_with_a_clear_message(text, fragment):
    with pytest.raises(CalendarError, match=fragment):
        parse_slots(text)


def test_it_validates_numeric_weekly_slots():
    with pytest.raises(CalendarError, match="重叠"):
        BusinessCalendar(weekly_slots={0: [(0, 3600), (1800, 7200)]})
    with pytest.raises(CalendarError, match="无效"):
        BusinessCalendar(weekly_slots={0: [(0, 90000)]})
    with pytest.raises(CalendarError, match="星期"):
        BusinessCalendar(weekly_slots={7: "09:00-10:00"})


# ------------------------------------------------------------ parse_holiday_text


def test_it_parses_a_pasted_holiday_schedule():
    text = """
    # 2027 年安排（示例）
    2027-01-01 休
    2027-02-06~2027-02-12 放假 春节
    2027-02-13 ～ 2027-02-14 假
    2027-02-07 调休上班
    2027-02-20,workday
    2027-05-01,holiday
    2027/05/02 休息
    2027-04-25 班   # 劳动节调休
    """
    with pytest.raises(CalendarError):
        parse_holiday_text(text)  # 02-07 is inside the range above and also a workday
    years = parse_holiday_text(text.replace("2027-02-07 调休上班", "2027-02-21 上班"))
    assert [y.year for y in years] == [2027]
    (year,) = years
    assert date(2027, 2, 6) in year.holidays and date(2027, 2, 14) in year.holidays
    assert len(year.holidays) == 1 + 7 + 2 + 2
    assert year.makeup_workdays == {date(2027, 2, 20), date(2027, 2, 21), date(2027, 4, 25)}


@pytest.mark.parametrize(
    "text, message",
    [
        ("2027-01-01 休\n\n20270101 休", "第 3 行：日期格式应为 YYYY-MM-DD"),
        ("2027-02-30 休", "第 1 行：日期 2027-02-30 不存在"),
        ("2027-01-01", "第 1 行：缺少类型"),
        ("2027-01-01 上学", "第 1 行：无法识别“上学”"),
        ("2027-02-17~2027-02-10 休", "第 1 行：区间的结束日期"),
        ("2027-02-10~2028-02-17 休", "第 1 行：区间超过"),
        ("2027-02-07 班\n2027-02-07 休", "第 2 行：2027-02-07 已在第 1 行登记为调休上班日"),
    ],
)
def test_it_names_the_bad_line_and_the_reason(text, message):
    with pytest.raises(CalendarError) as caught:
        parse_holiday_text(text)
    assert message in str(caught.value)


def test_it_reports_every_bad_line_at_once():
    with pytest.raises(CalendarError) as caught:
        parse_holiday_text("x 休\n2027-01-01 休\n2027-13-01 休")
    assert [e[:6] for e in caught.value.errors] == ["第 1 行：", "第 3 行："]


def test_it_keeps_the_new_year_break_with_the_notice_year():
    # The 2023 notice starts the New Year break on 2022-12-31.
    years = parse_holiday_text("2022-12-31~2023-01-02 休\n2023-01-28 班")
    assert [y.year for y in years] == [2023]
    assert date(2022, 12, 31) in years[0].holidays
    # A full year that merely touches December keeps its own entry.
    years = parse_holiday_text("2026-10-01 休\n2026-12-31 休\n2027-01-01 休")
    assert [y.year for y in years] == [2026, 2027]


def test_it_returns_nothing_for_an_empty_text():
    assert parse_holiday_text("\n# nothing yet\n") == []


def test_a_holiday_year_refuses_a_date_that_is_both():
    with pytest.raises(CalendarError):
        HolidayYear(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 1)}))


# --------------------------------------------------------------- value object


def test_a_calendar_is_an_immutable_hashable_picklable_value(china):
    assert china == BusinessCalendar.china()
    assert hash(china) == hash(BusinessCalendar.china())
    assert china != BusinessCalendar.china(slots="09:00-18:00")
    with pytest.raises(AttributeError):
        china.tz = "UTC"
    assert pickle.loads(pickle.dumps(china)) == china
    assert "Asia/Shanghai" in repr(china)


def test_it_refuses_a_date_that_is_both_holiday_and_makeup_and_unknown_zones():
    with pytest.raises(CalendarError):
        BusinessCalendar(holidays=[date(2024, 1, 1)], makeup_workdays=[date(2024, 1, 1)])
    with pytest.raises(CalendarError, match="时区"):
        BusinessCalendar(tz="Mars/Olympus")


def test_default_weekly_slots_are_weekdays_with_a_lunch_break():
    cal = BusinessCalendar()
    assert cal.weekly_slots == {day: parse_slots(LUNCH_SLOTS) for day in range(5)}
    assert not cal.always_on and cal.tz == "Asia/Shanghai"


# ------------------------------------------------------------------ workdays


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2024, 2, 4), True),  # Sunday, 调休上班
        (date(2025, 1, 26), True),
        (date(2025, 2, 8), True),
        (date(2026, 2, 14), True),
        (date(2026, 2, 28), True),
        (date(2024, 10, 1), False),
        (date(2024, 10, 7), False),
        (date(2024, 10, 8), True),
        (date(2025, 10, 8), False),
        (date(2024, 2, 3), False),  # ordinary Saturday
        (date(2027, 1, 1), True),  # beyond the table: a plain Friday
        (date(2027, 1, 2), False),
    ],
)
def test_it_knows_china_workdays(china, day, expected):
    assert china.is_workday(day) is expected


def test_working_intervals_use_monday_slots_on_a_makeup_sunday(china):
    intervals = china.working_intervals(date(2024, 2, 4))
    assert intervals == [
        (datetime(2024, 2, 4, 9, 0, tzinfo=SHANGHAI), datetime(2024, 2, 4, 12, 0, tzinfo=SHANGHAI)),
        (datetime(2024, 2, 4, 13, 30, tzinfo=SHANGHAI), datetime(2024, 2, 4, 18, 0, tzinfo=SHANGHAI)),
    ]
    assert china.working_intervals(date(2024, 10, 1)) == []
    day = BusinessCalendar.always().working_intervals(date(2024, 10, 1))
    assert [(b - a).total_seconds() for a, b in day] == [86400]


def test_working_intervals_follow_the_wall_clock_across_dst():
    cal = BusinessCalendar(tz="Europe/Berlin", weekly_slots=dict.fromkeys(range(7), "01:00-03:30"))
    (spring,) = cal.working_intervals(date(2024, 3, 31))
    (autumn,) = cal.working_intervals(date(2024, 10, 27))
    # 02:00-03:00 does not exist in spring and happens twice in autumn.
    assert spring[1].timestamp() - spring[0].timestamp() == 1.5 * 3600
    assert autumn[1].timestamp() - autumn[0].timestamp() == 3.5 * 3600


# ------------------------------------------------------------- the China table


def _all_dates(first: date, last: date):
    for i in range((last - first).days + 1):
        yield first + timedelta(days=i)


def test_the_china_table_agrees_with_the_holidays_package(china):
    years = range(2019, 2027)
    pkg = holidays_pkg.China(years=years)
    pkg_holidays = {d for d in pkg if d.year in years}
    pkg_workdays = {d for d in pkg.weekend_workdays if d.year in years}
    ours_in_range = {d for d in china.holidays if d.year in years}
    assert pkg_holidays <= ours_in_range
    assert {d for d in china.makeup_workdays if d.year in years} == pkg_workdays
    mismatches = [d for d in _all_dates(date(2019, 1, 1), date(2026, 12, 31)) if china.is_workday(d) != pkg.is_working_day(d)]
    assert mismatches == []
    # Our extra holidays are only weekend days inside a break.
    assert all(d.weekday() >= 5 for d in ours_in_range - pkg_holidays)


def _expand(first: str, last: str | None = None) -> set[date]:
    return set(_all_dates(date.fromisoformat(first), date.fromisoformat(last or first)))


# itss_domain.md §6, transcribed: days off and 调休 workdays for 2025 and 2026.
REFERENCE_SCHEDULE = {
    2025: (
        _expand("2025-01-01")
        | _expand("2025-01-28", "2025-02-04")
        | _expand("2025-04-04", "2025-04-06")
        | _expand("2025-05-01", "2025-05-05")
        | _expand("2025-05-31", "2025-06-02")
        | _expand("2025-10-01", "2025-10-08"),
        {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)},
    ),
    2026: (
        _expand("2026-01-01", "2026-01-03")
        | _expand("2026-02-15", "2026-02-23")
        | _expand("2026-04-04", "2026-04-06")
        | _expand("2026-05-01", "2026-05-05")
        | _expand("2026-06-19", "2026-06-21")
        | _expand("2026-09-25", "2026-09-27")
        | _expand("2026-10-01", "2026-10-07"),
        {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)},
    ),
}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_china_table_matches_the_domain_reference(china, year):
    days_off, workdays = REFERENCE_SCHEDULE[year]
    assert {d for d in china.holidays if d.year == year} == days_off
    assert {d for d in china.makeup_workdays if d.year == year} == workdays


def _domain_reference_tables(text: str) -> dict[int, tuple[set[date], set[date]]]:
    """Parse the "YYYY 年安排" tables of itss_domain.md §6 (M/D cells, en-dash ranges)."""
    tables: dict[int, tuple[set[date], set[date]]] = {}
    year = None
    for line in text.splitlines():
        heading = re.search(r"\*\*(\d{4}) 年安排\*\*", line)
        if heading:
            year = int(heading.group(1))
            tables[year] = (set(), set())
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if year is None or len(cells) != 3 or not re.match(r"\d", cells[1]):
            continue
        span = re.sub(r"（.*?）", "", cells[1]).split("–")
        first = date(year, *map(int, span[0].split("/")))
        last = date(year, *map(int, span[-1].split("/")))
        tables[year][0].update(_all_dates(first, last))
        for month, day in re.findall(r"(\d+)/(\d+)", cells[2]):
            tables[year][1].add(date(year, int(month), int(day)))
    return tables


def test_the_china_table_matches_the_shared_reference_file_when_present(china):
    path = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "itss_domain.md"
    if not path.exists():
        pytest.skip("shared/reference/itss_domain.md is not beside the repository")
    tables = _domain_reference_tables(path.read_text(encoding="utf-8"))
    assert set(tables) >= {2025, 2026}
    for year, (days_off, workdays) in tables.items():
        assert (days_off, workdays) == REFERENCE_SCHEDULE[year]


def test_an_imported_year_adds_to_or_replaces_the_built_in_table():
    imported = parse_holiday_text("2027-01-01 休\n2027-02-06~2027-02-13 休\n2027-02-20 班")
    cal = BusinessCalendar.china(extra_years=imported)
    assert not cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 2, 20))
    assert not cal.is_workday(date(2026, 10, 1))  # built-in years stay
    # An imported year replaces the whole built-in year, so a correction is pasted
    # as the full notice; here a one-line "notice" leaves 2026 with one day off.
    replaced = BusinessCalendar.china(extra_years=parse_holiday_text("2026-01-02 休"))
    assert not replaced.is_workday(date(2026, 1, 2))
    assert replaced.is_workday(date(2026, 10, 1)) and not replaced.is_workday(date(2026, 1, 4))


# ------------------------------------------------------- engine vs brute force


def _random_pairs(rng: np.random.Generator, count: int, lo: int, hi: int, max_span: int) -> list[tuple[int, int]]:
    pairs = []
    for _ in range(count):
        start = int(rng.integers(lo, hi))
        if rng.random() < 0.3:
            start -= start % 1800  # land on slot edges now and then
        span = int(rng.integers(-3600, max_span))
        pairs.append((start, start + span))
    return pairs


CHINA_LO, CHINA_HI = ts("2019-01-02T00:00:00"), ts("2026-12-25T00:00:00")


def test_it_matches_brute_force_on_random_china_pairs(china, china_ref):
    pairs = _random_pairs(np.random.default_rng(20240930), 160, CHINA_LO, CHINA_HI, 4 * 86400)
    assert engine_business(china, pairs) == [china_ref.business(a, b) for a, b in pairs]


def test_it_matches_brute_force_on_a_three_slot_calendar():
    slots = "07:15-11:45,12:30-17:00,19:00-22:10"
    holidays = {date(2024, 5, 1), date(2024, 5, 2), date(2024, 12, 31)}
    makeup = {date(2024, 4, 28), date(2024, 12, 28)}
    cal = BusinessCalendar(weekly_slots=dict.fromkeys(range(6), slots), holidays=holidays, makeup_workdays=makeup)
    ref = ReferenceCalendar(
        tz="Asia/Shanghai",
        weekly={d: [("07:15", "11:45"), ("12:30", "17:00"), ("19:00", "22:10")] for d in range(6)},
        holidays=holidays,
        makeup=makeup,
    )
    pairs = _random_pairs(np.random.default_rng(7), 80, ts("2024-04-20T00:00:00"), ts("2025-01-05T00:00:00"), 3 * 86400)
    pairs += [(ts("2024-12-30T21:00:00"), ts("2025-01-02T08:00:00")), (ts("2024-04-27T22:00:00"), ts("2024-05-03T08:00:00"))]
    assert engine_business(cal, pairs) == [ref.business(a, b) for a, b in pairs]


def test_it_counts_every_second_on_7x24():
    always = BusinessCalendar.always()
    ref = ReferenceCalendar(tz="Asia/Shanghai", always_on=True)
    pairs = _random_pairs(np.random.default_rng(3), 30, CHINA_LO, CHINA_HI, 86400)
    pairs.append((ts("2024-09-30T17:00:00"), ts("2024-10-08T10:00:00")))
    assert engine_business(always, pairs) == [ref.business(a, b) for a, b in pairs]
    assert engine_business(always, pairs) == [max(b - a, 0) for a, b in pairs]


EDGE_CASES = [
    # (start, end, expected seconds worked out by hand)
    ("2024-09-30T17:00:00", "2024-10-08T10:00:00", 3600 + 3600),  # holiday eve to after 国庆
    ("2024-02-03T10:00:00", "2024-02-05T09:00:00", 27_000),  # Sunday 2/4 is 调休上班
    ("2025-01-25T00:00:00", "2025-01-27T00:00:00", 27_000),  # Sunday 1/26 works
    ("2025-02-08T12:30:00", "2025-02-08T14:00:00", 1800),  # lunch on a 调休 Saturday
    ("2026-02-14T08:00:00", "2026-02-14T19:00:00", 27_000),
    ("2026-02-28T17:59:59", "2026-03-02T09:00:01", 2),
    ("2024-03-01T12:15:00", "2024-03-01T14:00:00", 1800),  # start inside the lunch break
    ("2024-03-01T12:00:00", "2024-03-01T13:30:00", 0),  # exactly the lunch break
    ("2024-03-01T09:00:00", "2024-03-01T12:00:00", 3 * 3600),  # exactly a slot
    ("2024-03-01T18:00:00", "2024-03-04T09:00:00", 0),  # Friday close to Monday open
    ("2024-03-01T10:00:00", "2024-03-01T10:00:00", 0),  # start == end
    ("2024-03-01T11:00:00", "2024-03-01T10:00:00", 0),  # end < start
    ("2023-12-29T17:00:00", "2024-01-02T09:30:00", 3600 + 1800),  # across New Year
    ("2024-12-31T17:30:00", "2025-01-02T09:30:00", 1800 + 1800),
    ("2018-12-28T17:00:00", "2019-01-02T10:00:00", 3600 + 27_000 + 3600),  # 12/29 Saturday 调休
]


@pytest.mark.parametrize("start, end, expected", EDGE_CASES)
def test_it_gets_the_edge_cases_right(china, china_ref, start, end, expected):
    t0, t1 = ts(start), ts(end)
    assert engine_business(china, [(t0, t1)]) == [expected]
    if t0 >= CHINA_LO:
        assert china_ref.business(t0, t1) == expected


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_it_accepts_any_unit_and_floors_sub_seconds(china, unit):
    start = np.array(["2024-03-01T01:00:00.999999"], dtype="M8[us]").astype(f"M8[{unit}]")  # 09:00:00.999 local
    end = np.array(["2024-03-01T01:00:02.5"], dtype="M8[ms]").astype(f"M8[{unit}]")
    # Floored to 09:00:00 and 09:00:02 local.
    assert china.business_seconds(start, end).tolist() == [2]
    assert china.business_seconds(start, end).dtype == np.int64


def test_it_returns_minus_one_for_nat(china):
    starts = np.array(["2024-03-01T01:00", "NaT", "2024-03-01T01:00", "NaT"], dtype="M8[s]")
    ends = np.array(["2024-03-01T02:00", "2024-03-01T02:00", "NaT", "NaT"], dtype="M8[ns]")
    assert china.business_seconds(starts, ends).tolist() == [3600, -1, -1, -1]
    assert BusinessCalendar.always().business_seconds(starts, ends).tolist() == [3600, -1, -1, -1]


def test_it_keeps_the_input_shape_and_broadcasts(china):
    start = np.datetime64("2024-03-01T01:00", "s")
    ends = np.array([["2024-03-01T02:00", "2024-03-01T03:00"]], dtype="M8[s]")
    assert china.business_seconds(start, ends).tolist() == [[3600, 7200]]
    assert china.business_seconds(np.array([], "M8[s]"), np.array([], "M8[s]")).shape == (0,)


def test_it_treats_dates_beyond_the_table_as_plain_weekdays(china):
    # 2027-01-01 is a Friday with no built-in holiday: a full day; the weekend is off.
    assert engine_business(china, [(ts("2027-01-01T00:00:00"), ts("2027-01-04T00:00:00"))]) == [27_000]


def test_it_handles_asia_shanghai_daylight_saving_of_1988():
    # China kept summer time from 1986 to 1991; the engine must notice and stay exact.
    cal = BusinessCalendar(weekly_slots=dict.fromkeys(range(7), "00:00-24:00"))
    t0 = ts("1988-04-09T12:00:00")
    t1 = ts("1988-04-11T12:00:00")
    assert engine_business(cal, [(t0, t1)]) == [t1 - t0]
    ref = ReferenceCalendar(tz="Asia/Shanghai", weekly={d: [("09:00", "12:00")] for d in range(7)})
    cal = BusinessCalendar(weekly_slots=dict.fromkeys(range(7), "09:00-12:00"))
    assert engine_business(cal, [(t0, t1)]) == [ref.business(t0, t1)]


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("slots", ["09:00-17:00", "01:00-03:30,09:00-17:00"])
def test_it_matches_brute_force_across_dst_changes(slots):
    days = range(7) if "01:00" in slots else range(5)
    cal = BusinessCalendar(tz="Europe/Berlin", weekly_slots=dict.fromkeys(days, slots), holidays=[date(2024, 4, 1)])
    ref = ReferenceCalendar(
        tz="Europe/Berlin",
        weekly={d: [tuple(s.split("-")) for s in slots.split(",")] for d in days},
        holidays={date(2024, 4, 1)},
    )
    rng = np.random.default_rng(31)
    pairs = _random_pairs(rng, 40, ts("2024-03-28T00:00:00", BERLIN), ts("2024-04-02T00:00:00", BERLIN), 3 * 86400)
    pairs += _random_pairs(rng, 40, ts("2024-10-24T00:00:00", BERLIN), ts("2024-10-29T00:00:00", BERLIN), 3 * 86400)
    pairs.append((ts("2024-03-29T16:00:00", BERLIN), ts("2024-04-03T10:00:00", BERLIN)))
    assert engine_business(cal, pairs) == [ref.business(a, b) for a, b in pairs]
    starts = [a for a, _ in pairs[:30]]
    needs = [int(n) for n in rng.integers(0, 40 * 3600, 30)]
    got = cal.deadline(instants(starts), np.array(needs)).astype(np.int64).tolist()
    assert got == [ref.deadline(a, n) for a, n in zip(starts, needs)]


# ----------------------------------------------------------------- deadlines


def test_deadlines_match_brute_force(china, china_ref):
    rng = np.random.default_rng(99)
    starts = [s for s, _ in _random_pairs(rng, 60, CHINA_LO, ts("2026-11-01T00:00:00"), 1)]
    needs = [0, 1, 3600, 27_000, 27000 * 3] + [int(n) for n in rng.integers(0, 60 * 3600, 55)]
    needs = [int(n) for n in needs]
    got = china.deadline(instants(starts), np.array(needs)).astype(np.int64).tolist()
    assert got == [china_ref.deadline(a, n) for a, n in zip(starts, needs)]


def test_a_deadline_skips_holidays_and_lands_on_the_slot_end(china):
    start = instants([ts("2024-09-30T17:00:00")])
    # 1 h left on 9/30, the next working hour is 10-08 09:00-10:00.
    assert china.deadline(start, np.array([7200])).tolist() == [datetime(2024, 10, 8, 2, 0)]
    # Exactly the rest of the morning: the deadline is 12:00 itself, not 13:30.
    assert china.deadline(instants([ts("2024-03-01T09:00:00")]), np.array([3 * 3600])).astype(np.int64).tolist() == [
        ts("2024-03-01T12:00:00")
    ]


def test_deadlines_years_out_nat_and_no_target(china):
    start = np.array(["2024-03-01T01:00", "NaT", "2024-03-01T01:00", "2024-03-01T01:30:00"], dtype="M8[ns]")
    need = np.array([4000 * 3600, 3600, -1, 0])
    got = china.deadline(start, need)
    assert got.dtype == np.dtype("M8[s]")
    assert got[0] > np.datetime64("2026-01-01") and np.isnat(got[1]) and np.isnat(got[2])
    assert got[3] == np.datetime64("2024-03-01T01:30:00")
    assert china.business_seconds(start[:1], got[:1]).tolist() == [4000 * 3600]
    far = china.deadline(start[:1], np.array([30_000 * 3600]))  # ~15 working years: past the table
    assert china.business_seconds(start[:1], far).tolist() == [30_000 * 3600]


def test_a_calendar_without_working_time_never_reaches_a_deadline():
    idle = BusinessCalendar(weekly_slots={})
    got = idle.deadline(instants([ts("2024-03-01T09:00:00")] * 2), np.array([0, 1]))
    assert not np.isnat(got[0]) and np.isnat(got[1])


# ------------------------------------------------------------------ properties

SECONDS = st.integers(min_value=CHINA_LO, max_value=CHINA_HI)
SPAN = st.integers(min_value=0, max_value=40 * 86400)
CALENDARS = {
    "china": BusinessCalendar.china(),
    "three": BusinessCalendar(weekly_slots=dict.fromkeys(range(6), "07:15-11:45,12:30-17:00,19:00-22:10")),
    "berlin": BusinessCalendar(tz="Europe/Berlin", weekly_slots=dict.fromkeys(range(7), "01:00-03:30,09:00-17:00")),
}
CALENDAR_NAMES = st.sampled_from(sorted(CALENDARS))


def _b(cal: BusinessCalendar, a: int, b: int) -> int:
    return int(cal.business_seconds(instants([a]), instants([b]))[0])


@settings(max_examples=250, deadline=None)
@given(name=CALENDAR_NAMES, a=SECONDS, first=SPAN, second=SPAN)
def test_business_time_is_additive_and_bounded(name, a, first, second):
    cal = CALENDARS[name]
    b, c = a + first, a + first + second
    ab, bc, ac = cal.business_seconds(instants([a, b, a]), instants([b, c, c])).tolist()
    assert ac == ab + bc
    assert 0 <= ab <= b - a and 0 <= ac <= c - a
    assert _b(cal, c, a) == 0


@settings(max_examples=60, deadline=None)
@given(a=SECONDS, span=st.integers(min_value=-86400, max_value=400 * 86400))
def test_7x24_counts_the_plain_difference(a, span):
    assert _b(BusinessCalendar.always(), a, a + span) == max(span, 0)


@settings(max_examples=250, deadline=None)
@given(name=CALENDAR_NAMES, a=SECONDS, need=st.integers(min_value=0, max_value=400 * 3600))
def test_deadline_is_the_minimal_inverse(name, a, need):
    cal = CALENDARS[name]
    due = int(cal.deadline(instants([a]), np.array([need])).astype(np.int64)[0])
    assert due >= a
    assert _b(cal, a, due) == need
    if need > 0:
        assert _b(cal, a, due - 1) < need


@settings(max_examples=120, deadline=None)
@given(name=CALENDAR_NAMES, a=SECONDS, spans=st.lists(SPAN, min_size=2, max_size=6))
def test_business_time_is_monotonic(name, a, spans):
    cal = CALENDARS[name]
    ends = sorted(a + s for s in spans)
    counts = cal.business_seconds(instants([a] * len(ends)), instants(ends)).tolist()
    assert counts == sorted(counts)
    needs = sorted(spans)
    dues = cal.deadline(instants([a] * len(needs)), np.array(needs)).astype(np.int64).tolist()
    assert dues == sorted(dues)
