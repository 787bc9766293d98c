"""Turning Calendar rows (plus imported holiday years and exceptions) into core
BusinessCalendar objects, and describing days for the yearly view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.core.calendars import DAY, BusinessCalendar
from opsqm.core.calendars import HolidayYear as CoreHolidayYear
from opsqm.core.china_holidays import FIRST_YEAR, LAST_YEAR
from opsqm.tickets.models import Calendar, CalendarException, CalendarKind, ExceptionKind, HolidayYear

CN_5X8_CODE = "cn-5x8"
ALWAYS_CODE = "7x24"
WEEKDAY_LABELS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)
# One-character column headers of the year grid (Monday first).
WEEKDAY_SHORT = (
    gettext_lazy("一"),
    gettext_lazy("二"),
    gettext_lazy("三"),
    gettext_lazy("四"),
    gettext_lazy("五"),
    gettext_lazy("六"),
    gettext_lazy("日"),
)


def slots_from_json(weekly_slots: dict[str, Any]) -> dict[int, tuple[tuple[int, int], ...]]:
    return {int(day): tuple((int(a), int(b)) for a, b in slots) for day, slots in (weekly_slots or {}).items()}


def slots_to_json(weekly: dict[int, Iterable[tuple[int, int]]]) -> dict[str, list[list[int]]]:
    return {str(day): [[int(a), int(b)] for a, b in weekly.get(day, ())] for day in range(7)}


def format_slot_seconds(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def slots_text(slots: Iterable[tuple[int, int]]) -> str:
    return ",".join(f"{format_slot_seconds(a)}-{format_slot_seconds(b)}" for a, b in slots)


def imported_years() -> list[CoreHolidayYear]:
    return [
        CoreHolidayYear(
            year=row.year,
            holidays=frozenset(dt.date.fromisoformat(d) for d in row.holidays),
            makeup_workdays=frozenset(dt.date.fromisoformat(d) for d in row.makeup_workdays),
        )
        for row in HolidayYear.objects.all()
    ]


def build_calendar(
    calendar: Calendar, *, years: list[CoreHolidayYear] | None = None, exceptions: Iterable[CalendarException] | None = None
) -> BusinessCalendar:
    """The core calendar of a Calendar row.

    China holidays = built-in table with imported years replacing or adding notice
    years; the calendar's own exceptions come last and win over both.
    """
    if calendar.kind == CalendarKind.ALWAYS:
        return BusinessCalendar.always(calendar.time_zone)
    weekly = slots_from_json(calendar.weekly_slots)
    holidays: set[dt.date] = set()
    makeup: set[dt.date] = set()
    if calendar.use_china_holidays:
        china = BusinessCalendar.china(tz=calendar.time_zone, extra_years=imported_years() if years is None else years)
        holidays, makeup = set(china.holidays), set(china.makeup_workdays)
    rows = calendar.exceptions.all() if exceptions is None else exceptions
    for exc in rows:
        if exc.kind == ExceptionKind.HOLIDAY:
            holidays.add(exc.date)
            makeup.discard(exc.date)
        else:
            makeup.add(exc.date)
            holidays.discard(exc.date)
    return BusinessCalendar(tz=calendar.time_zone, weekly_slots=weekly, holidays=holidays, makeup_workdays=makeup)


def default_calendar() -> Calendar:
    return Calendar.objects.get(code=CN_5X8_CODE)


def calendar_for_project(project: Any) -> BusinessCalendar:
    """The project's SLA calendar; projects without an agreement use China 5×8."""
    from opsqm.tickets.models import SlaAgreement

    agreement = SlaAgreement.objects.select_related("calendar").filter(project=project).first()
    row = agreement.calendar if agreement else default_calendar()
    return build_calendar(row)


# ------------------------------------------------------------- yearly view


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    kind: str  # workday | weekend | holiday | makeup | always
    hours: str  # working hours, e.g. "7.5"
    label: str


def _day_kind(cal: BusinessCalendar, day: dt.date) -> str:
    if cal.always_on:
        return "always"
    if day in cal.makeup_workdays:
        return "makeup"
    if day in cal.holidays:
        return "holiday"
    return "workday" if cal.is_workday(day) else "weekend"


KIND_LABELS = {
    "workday": gettext_lazy("工作日"),
    "weekend": gettext_lazy("休息日"),
    "holiday": gettext_lazy("节假日"),
    "makeup": gettext_lazy("调休上班"),
    "always": gettext_lazy("全天计时"),
}


def year_grid(cal: BusinessCalendar, year: int) -> list[dict[str, Any]]:
    """12 months of weeks (Monday first); each cell is a DayCell or None for padding."""
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        days_in_month = ((first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - first).days
        cells: list[DayCell | None] = [None] * first.weekday()
        for i in range(days_in_month):
            day = first + dt.timedelta(days=i)
            kind = _day_kind(cal, day)
            seconds = sum(int(b.timestamp() - a.timestamp()) for a, b in cal.working_intervals(day)) if cal.is_workday(day) else 0
            hours = f"{seconds / 3600:g}" if seconds else ""
            cells.append(DayCell(day, kind, hours, KIND_LABELS[kind]))
        while len(cells) % 7:
            cells.append(None)
        months.append({"month": month, "first": first, "weeks": [cells[i : i + 7] for i in range(0, len(cells), 7)]})
    return months


def builtin_year_range() -> tuple[int, int]:
    return FIRST_YEAR, LAST_YEAR


def weekly_summary(calendar: Calendar) -> list[tuple[str, str]]:
    if calendar.kind == CalendarKind.ALWAYS:
        return [(label, "00:00-24:00") for label in WEEKDAY_LABELS]
    weekly = slots_from_json(calendar.weekly_slots)
    return [(WEEKDAY_LABELS[d], slots_text(weekly.get(d, ())) or _("休息")) for d in range(7)]


__all__ = [
    "DAY",
    "build_calendar",
    "calendar_for_project",
    "year_grid",
    "imported_years",
    "slots_from_json",
    "slots_to_json",
    "slots_text",
    "weekly_summary",
    "KIND_LABELS",
    "WEEKDAY_LABELS",
    "WEEKDAY_SHORT",
]
