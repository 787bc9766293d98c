"""Business calendars: working time slots, China holidays with 调休, and a vectorized
business-time engine.

Definitions (PRODUCT.md, "SLA semantics"):

* Working time is, on each *local* date that is a workday, the union of that day's
  slots. A date is a workday if its weekday has slots and it is not a holiday, or if
  it is a make-up workday (调休上班), which uses the Monday slots. ``always_on``
  calendars count every second and ignore holidays.
* ``business(t0, t1)`` is the length in seconds of ``[t0, t1) ∩ working time``.

All instants are UTC ``numpy.datetime64`` values of any unit; they are floored to
whole seconds. NaT gives -1 (``business_seconds``) or NaT (``deadline``).

Dates outside the holiday data a calendar holds (for ``china()``: 2019–2026 plus
imported years) are plain weekdays: Monday–Friday work, weekends do not.

Engine: ``F(t)`` = working seconds from a table origin to ``t``; business is
``F(end) - F(start)`` and a deadline is the inverse of ``F``. Tables cover only the
days the input spans. Where the zone keeps one UTC offset over that span (Asia/Shanghai
since 1992), ``F`` is two small lookups per instant; otherwise (DST) working
intervals are laid out as UTC instants and looked up with ``searchsorted``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

__all__ = ["BusinessCalendar", "parse_slots", "CalendarError", "HolidayYear", "parse_holiday_text"]

DAY = 86_400
DEFAULT_SLOTS = "09:00-12:00,13:30-18:00"
_NAT = np.iinfo(np.int64).min
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# 1970-01-01 was a Thursday; weekday(day_number) = (day_number + 3) % 7 with Monday = 0.
_EPOCH_WEEKDAY = 3
# zoneinfo and datetime stop at years 1 and 9999; keep a few days of margin for offsets.
_MIN_SECONDS = int(datetime(1, 1, 3, tzinfo=UTC).timestamp())
_MAX_SECONDS = int(datetime(9999, 12, 29, tzinfo=UTC).timestamp())
# Small enough for a chunk's working arrays to stay in cache, large enough that the
# per-chunk Python overhead is noise.
_CHUNK = 1 << 14

Slot = tuple[int, int]
Slots = tuple[Slot, ...]


class CalendarError(ValueError):
    """Invalid calendar data; ``errors`` lists every problem found, one message each."""

    def __init__(self, errors: str | Sequence[str]) -> None:
        self.errors: tuple[str, ...] = (errors,) if isinstance(errors, str) else tuple(errors)
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------- slots

_RANGE_SEP = r"[-~～–—至到]"
_SLOT_RE = re.compile(rf"^(\d{{1,2}})[:：](\d{{2}})(?:[:：](\d{{2}}))?{_RANGE_SEP}(\d{{1,2}})[:：](\d{{2}})(?:[:：](\d{{2}}))?$")


def _format_seconds(s: int) -> str:
    text = f"{s // 3600:02d}:{s % 3600 // 60:02d}"
    return text if s % 60 == 0 else f"{text}:{s % 60:02d}"


def _clock_seconds(hour: str, minute: str, second: str | None) -> int | None:
    h, m, s = int(hour), int(minute), int(second or 0)
    if m > 59 or s > 59 or h > 24 or (h == 24 and (m or s)):
        return None
    return h * 3600 + m * 60 + s


def _validate_slots(slots: Iterable[Slot]) -> Slots:
    ordered = sorted((int(a), int(b)) for a, b in slots)
    errors = []
    for a, b in ordered:
        if not 0 <= a < b <= DAY:
            errors.append(f"时段 {_format_seconds(a)}-{_format_seconds(b)} 无效：应在 00:00-24:00 之内且开始早于结束")
    for (a0, b0), (a1, b1) in zip(ordered, ordered[1:]):
        if a1 < b0:
            errors.append(f"时段 {_format_seconds(a0)}-{_format_seconds(b0)} 与 {_format_seconds(a1)}-{_format_seconds(b1)} 重叠")
    if errors:
        raise CalendarError(errors)
    return tuple(ordered)


def parse_slots(text: str) -> Slots:
    """Parse ``"09:00-12:00,13:30-18:00"`` into sorted seconds-of-day pairs.

    Full-width punctuation that Chinese input methods produce (``，`` ``：`` ``～``)
    is accepted, as is ``24:00`` as an end. A blank text means "no slots".
    """
    compact = re.sub(rf"\s*({_RANGE_SEP})\s*", r"\1", text.strip())
    tokens = [t for t in re.split(r"[,，;；、\s]+", compact) if t]
    slots: list[Slot] = []
    errors = []
    for token in tokens:
        match = _SLOT_RE.match(token)
        if not match:
            errors.append(f"时段“{token}”格式应为 HH:MM-HH:MM，例如 09:00-12:00")
            continue
        start = _clock_seconds(*match.group(1, 2, 3))
        end = _clock_seconds(*match.group(4, 5, 6))
        if start is None or end is None:
            errors.append(f"时段“{token}”中的时间无效")
        elif start >= end:
            errors.append(f"时段“{token}”的开始时间必须早于结束时间")
        else:
            slots.append((start, end))
    if errors:
        raise CalendarError(errors)
    return _validate_slots(slots)


def _coerce_slots(value: str | Iterable[Slot]) -> Slots:
    return parse_slots(value) if isinstance(value, str) else _validate_slots(value)


# ----------------------------------------------------------------------- holidays


@dataclass(frozen=True)
class HolidayYear:
    """One year's schedule: days off and 调休 make-up workdays.

    ``year`` is the notice year; the New Year break can reach into late December
    of the year before, so a few dates may belong to ``year - 1``.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]

    def __post_init__(self) -> None:
        both = self.holidays & self.makeup_workdays
        if both:
            listed = "、".join(d.isoformat() for d in sorted(both))
            raise CalendarError(f"{self.year} 年：{listed} 不能既是放假日又是调休上班日")


_HOLIDAY_WORDS = frozenset({"休", "放假", "假", "休息", "holiday", "off", "rest"})
_WORKDAY_WORDS = frozenset({"班", "上班", "调休上班", "补班", "workday", "work"})
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_MAX_RANGE_DAYS = 31


def _parse_date(token: str, line_no: int) -> date:
    match = _DATE_RE.match(token)
    if not match:
        raise CalendarError(f"第 {line_no} 行：日期格式应为 YYYY-MM-DD（收到“{token}”）")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CalendarError(f"第 {line_no} 行：日期 {token} 不存在") from None


def _parse_dates(token: str, line_no: int) -> list[date]:
    first_text, sep, last_text = token.partition("~")
    first = _parse_date(first_text, line_no)
    last = _parse_date(last_text, line_no) if sep else first
    if last < first:
        raise CalendarError(f"第 {line_no} 行：区间的结束日期 {last} 早于开始日期 {first}")
    if (last - first).days >= _MAX_RANGE_DAYS:
        raise CalendarError(f"第 {line_no} 行：区间超过 {_MAX_RANGE_DAYS} 天，请检查年份或月份")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _parse_kind(token: str, line_no: int) -> bool:
    """True for a day off, False for a make-up workday."""
    word = token.lower()
    if word in _HOLIDAY_WORDS:
        return True
    if word in _WORKDAY_WORDS:
        return False
    raise CalendarError(f"第 {line_no} 行：无法识别“{token}”，应为 休/放假/假 或 班/上班/调休上班")


def _parse_holiday_line(line: str, line_no: int) -> tuple[list[date], bool]:
    compact = re.sub(r"\s*[~～至到]\s*", "~", line)
    fields = [f for f in re.split(r"[,，;；、\s]+", compact) if f]
    if len(fields) < 2:
        raise CalendarError(f"第 {line_no} 行：缺少类型，应写成“2027-01-01 休”或“2027-02-07 班”")
    # Fields after the kind are free notes such as the festival name.
    return _parse_dates(fields[0], line_no), _parse_kind(fields[1], line_no)


def _notice_groups(dates: Iterable[date]) -> dict[int, list[date]]:
    """Group dates by notice year.

    A pasted notice lists the New Year break that starts in late December of the year
    before (e.g. 2022-12-31 in the 2023 notice). A year whose only dates are such a
    December tail joins the following year when that year is present, so importing
    the 2023 notice does not produce a 2022 entry that would replace all of 2022.
    """
    groups: dict[int, list[date]] = {}
    for d in dates:
        groups.setdefault(d.year, []).append(d)
    for year in sorted(groups):
        if year + 1 in groups and all(d.month == 12 and d.day >= 20 for d in groups[year]):
            groups[year + 1].extend(groups.pop(year))
    return groups


def parse_holiday_text(text: str) -> list[HolidayYear]:
    """Parse a holiday schedule typed or pasted by a clerk.

    One entry per line: ``2027-01-01 休``, ``2027-02-07 班``, ``2027-01-01,holiday``,
    ``2027-02-10~2027-02-17 放假 春节``. Blank lines and ``#`` comments are skipped.
    Every bad line is reported (``CalendarError.errors``); nothing is returned then.
    Returns one ``HolidayYear`` per notice year, sorted; an empty text gives ``[]``.
    """
    kinds: dict[date, tuple[bool, int]] = {}
    errors: list[str] = []
    for line_no, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].replace("\u3000", " ").strip()
        if not line:
            continue
        try:
            days, is_holiday = _parse_holiday_line(line, line_no)
        except CalendarError as exc:
            errors.extend(exc.errors)
            continue
        for d in days:
            seen = kinds.setdefault(d, (is_holiday, line_no))
            if seen[0] != is_holiday:
                first_kind = "放假日" if seen[0] else "调休上班日"
                errors.append(f"第 {line_no} 行：{d} 已在第 {seen[1]} 行登记为{first_kind}，不能同时放假又上班")
    if errors:
        raise CalendarError(errors)
    return [
        HolidayYear(
            year=year,
            holidays=frozenset(d for d in group if kinds[d][0]),
            makeup_workdays=frozenset(d for d in group if not kinds[d][0]),
        )
        for year, group in sorted(_notice_groups(kinds).items())
    ]


@lru_cache(maxsize=1)
def _builtin_china_years() -> dict[int, HolidayYear]:
    from opsqm.core.china_holidays import CHINA_SCHEDULE

    def expand(first: str, last: str) -> list[date]:
        d0, d1 = date.fromisoformat(first), date.fromisoformat(last)
        return [d0 + timedelta(days=i) for i in range((d1 - d0).days + 1)]

    return {
        year: HolidayYear(
            year=year,
            holidays=frozenset(d for first, last in entry["holidays"] for d in expand(first, last)),
            makeup_workdays=frozenset(date.fromisoformat(s) for s in entry["workdays"]),
        )
        for year, entry in CHINA_SCHEDULE.items()
    }


def _merge_years(base: Mapping[int, HolidayYear], extra: Iterable[HolidayYear]) -> tuple[set[date], set[date]]:
    years = dict(base)
    extras = list(extra)
    for item in extras:
        years[item.year] = item
    holidays: set[date] = set()
    workdays: set[date] = set()
    for item in years.values():
        holidays |= item.holidays
        workdays |= item.makeup_workdays
    # An imported year is the clerk's latest word, also on dates a neighbouring
    # built-in year lists (the late-December New Year break).
    for item in extras:
        holidays -= item.makeup_workdays
        workdays -= item.holidays
        holidays |= item.holidays
        workdays |= item.makeup_workdays
    return holidays, workdays


# -------------------------------------------------------------- time conversions


def _seconds_ratio(dtype: np.dtype) -> Fraction:
    if dtype.kind != "M":
        raise TypeError(f"expected a numpy datetime64 array, got {dtype}")
    unit, count = np.datetime_data(dtype)
    per_unit = {
        "W": Fraction(7 * DAY),
        "D": Fraction(DAY),
        "h": Fraction(3600),
        "m": Fraction(60),
        "s": Fraction(1),
        "ms": Fraction(1, 10**3),
        "us": Fraction(1, 10**6),
        "ns": Fraction(1, 10**9),
        "ps": Fraction(1, 10**12),
        "fs": Fraction(1, 10**15),
        "as": Fraction(1, 10**18),
    }
    if unit not in per_unit:
        raise TypeError(f"datetime64 unit {unit!r} has no fixed length in seconds")
    return per_unit[unit] * count


class _Seconds:
    """Floors raw datetime64 integers of one dtype to whole seconds, chunk by chunk."""

    def __init__(self, dtype: np.dtype) -> None:
        ratio = _seconds_ratio(dtype)
        self.num, self.den = ratio.numerator, ratio.denominator

    def __call__(self, raw: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.num == 1 and self.den == 1:
            np.copyto(out, raw)
        elif self.den == 1:
            np.multiply(raw, self.num, out=out)
        elif self.num == 1:
            np.floor_divide(raw, self.den, out=out)
        else:
            np.multiply(raw, self.num, out=out)
            np.floor_divide(out, self.den, out=out)
        return out

    def scalar(self, raw: int) -> int:
        return raw * self.num // self.den


def _as_datetime_array(values: np.ndarray | Sequence) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        raise TypeError(f"expected numpy datetime64 values, got {arr.dtype}")
    return arr


def _seconds_range(raw: np.ndarray, to_seconds: _Seconds) -> tuple[int, int] | None:
    """Min and max whole second over non-NaT values, or None if all are NaT."""
    valid = raw != _NAT
    if not valid.any():
        return None
    # NaT is the smallest int64, so only the minimum needs the mask.
    lowest = int(raw.min(where=valid, initial=np.iinfo(np.int64).max))
    return to_seconds.scalar(lowest), to_seconds.scalar(int(raw.max()))


def _check_supported(lo: int, hi: int) -> None:
    if lo < _MIN_SECONDS or hi > _MAX_SECONDS:
        raise ValueError("instants must lie between years 1 and 9999")


# ----------------------------------------------------------------- offsets


def _utc_offset(zone: ZoneInfo, t: int) -> int:
    offset = datetime.fromtimestamp(t, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@lru_cache(maxsize=4096)
def _year_offsets(zone: ZoneInfo, year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """UTC offsets during one UTC year as (segment starts, offsets).

    Sampled every six hours, then each change is bisected to the second. Two
    transitions less than six hours apart would be seen as one; no zone does that.
    """
    lo = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()) if year < 9999 else _MAX_SECONDS
    step = 6 * 3600
    starts, offsets = [lo], [_utc_offset(zone, lo)]
    prev_t, prev_off = lo, offsets[0]
    for t in range(lo + step, hi + step, step):
        t = min(t, hi)
        off = _utc_offset(zone, t)
        if off != prev_off:
            a, b = prev_t, t
            while b - a > 1:
                mid = (a + b) // 2
                if _utc_offset(zone, mid) == prev_off:
                    a = mid
                else:
                    b = mid
            starts.append(b)
            offsets.append(off)
        prev_t, prev_off = t, off
    return tuple(starts), tuple(offsets)


def _offset_segments(zone: ZoneInfo, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """UTC offsets over [lo, hi] as (segment starts, offsets); the first start is lo."""
    starts, offsets = [lo], [_utc_offset(zone, lo)]
    first_year = datetime.fromtimestamp(lo, UTC).year
    last_year = datetime.fromtimestamp(hi, UTC).year
    for year in range(first_year, last_year + 1):
        for start, offset in zip(*_year_offsets(zone, year)):
            if lo < start <= hi and offset != offsets[-1]:
                starts.append(start)
                offsets.append(offset)
    return starts, offsets


# ------------------------------------------------------------------ tables


class _Table:
    """Cumulative working seconds F(t), exact for t in [lo, hi]."""

    lo: int
    hi: int
    total: int  # F(hi)

    def cum(self, x: np.ndarray, out: np.ndarray, work: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def invert(self, v: np.ndarray) -> np.ndarray:
        """Earliest t with F(t) == v, for 0 < v <= total."""
        raise NotImplementedError


class _FixedOffsetTable(_Table):
    """F(t) = cum[day] + profile[pattern(day), second of day], one UTC offset throughout."""

    def __init__(self, cal: BusinessCalendar, offset: int, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self.offset = offset
        self.first_day = (lo + offset) // DAY
        last_day = (hi + offset) // DAY
        self.patterns = cal._day_patterns(self.first_day, last_day)
        self.cum_days = np.zeros(len(self.patterns) + 1, dtype=np.int64)
        np.cumsum(cal._pattern_totals[self.patterns], out=self.cum_days[1:])
        index = np.arange(len(self.patterns), dtype=np.int64)
        # One lookup gives the profile index: pattern row start minus the day's start.
        self.shift = (self.patterns.astype(np.int64) - index) * DAY
        self.base = offset - self.first_day * DAY
        self.profiles = cal._profiles
        self.inverse, self.inverse_start = cal._inverse, cal._inverse_start
        self.total = int(self.cum(np.array([hi], dtype=np.int64), np.empty(1, np.int64), np.empty((2, 1), np.int64))[0])

    def cum(self, x: np.ndarray, out: np.ndarray, work: np.ndarray) -> np.ndarray:
        local, day = work[0], work[1]
        np.add(x, self.base, out=local)  # seconds since the table's first local midnight
        np.floor_divide(local, DAY, out=day)
        np.take(self.shift, day, out=out, mode="clip")
        np.add(local, out, out=local)  # now an index into the flat profile table
        np.take(self.cum_days, day, out=out, mode="clip")
        np.take(self.profiles, local, out=day, mode="clip")
        np.add(out, day, out=out)
        return out

    def invert(self, v: np.ndarray) -> np.ndarray:
        day = np.searchsorted(self.cum_days, v, side="left") - 1
        rank = v - self.cum_days[day]  # 1-based rank of the working second within its day
        pattern = self.patterns[day]
        second_end = self.inverse[self.inverse_start[pattern] + rank - 1]
        return (self.first_day + day) * DAY - self.offset + second_end


class _IntervalTable(_Table):
    """Working time as sorted disjoint UTC intervals; exact under any offset changes."""

    def __init__(self, cal: BusinessCalendar, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        starts, ends = cal._utc_intervals(lo, hi)
        lengths = ends - starts
        # A leading empty interval far in the past makes every lookup index valid.
        self.starts = np.concatenate(([np.iinfo(np.int64).min // 2], starts))
        self.lengths = np.concatenate(([0], lengths))
        self.cum_before = np.concatenate(([0], np.cumsum(self.lengths)[:-1]))
        self.cum_after = self.cum_before + self.lengths
        self.ends = self.starts + self.lengths
        self.total = int(self.cum(np.array([hi], dtype=np.int64), np.empty(1, np.int64), np.empty((2, 1), np.int64))[0])

    def cum(self, x: np.ndarray, out: np.ndarray, work: np.ndarray) -> np.ndarray:
        k = np.searchsorted(self.starts, x, side="right")
        k -= 1
        elapsed = np.subtract(x, self.starts[k], out=work[0])
        np.clip(elapsed, 0, self.lengths[k], out=elapsed)
        np.add(elapsed, self.cum_before[k], out=out)
        return out

    def invert(self, v: np.ndarray) -> np.ndarray:
        k = np.searchsorted(self.cum_after, v, side="left")
        return self.ends[k] - (self.cum_after[k] - v)


def _slot_profiles(patterns: Sequence[Slots]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pattern: working seconds before each second of the day, and the inverse.

    Row 0 is the non-working day. Returns (profiles flat int64 [P*DAY], totals [P],
    inverse flat [sum totals], inverse start offsets [P]).
    """
    rows = len(patterns) + 1
    mask = np.zeros((rows, DAY), dtype=np.int64)
    for row, slots in enumerate(patterns, start=1):
        for a, b in slots:
            mask[row, a:b] = 1
    profiles = np.zeros((rows, DAY), dtype=np.int64)
    np.cumsum(mask[:, :-1], axis=1, out=profiles[:, 1:])
    totals = mask.sum(axis=1)
    inverse = np.concatenate([np.flatnonzero(mask[row]) + 1 for row in range(rows)]).astype(np.int64)
    inverse_start = np.concatenate(([0], np.cumsum(totals)[:-1])).astype(np.int64)
    return profiles.ravel(), totals.astype(np.int64), inverse, inverse_start


def _day_number(d: date) -> int:
    return d.toordinal() - _EPOCH_ORDINAL


def _day_numbers(dates: Iterable[date]) -> np.ndarray:
    return np.array(sorted(_day_number(d) for d in dates), dtype=np.int64)


@lru_cache(maxsize=64)
def _cached_profiles(patterns: tuple[Slots, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrays = _slot_profiles(patterns)
    for array in arrays:
        array.setflags(write=False)  # shared between calendars with the same slots
    return arrays


def _load_zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise CalendarError(f"未知时区“{tz}”，应为 IANA 名称，例如 Asia/Shanghai") from None


def _weekly_table(weekly_slots: Mapping[int, str | Sequence[Slot]] | None) -> tuple[Slots, ...]:
    if weekly_slots is None:
        default = parse_slots(DEFAULT_SLOTS)
        return tuple(default if day < 5 else () for day in range(7))
    unknown = [k for k in weekly_slots if k not in range(7)]
    if unknown:
        raise CalendarError(f"星期应为 0（周一）到 6（周日），收到 {unknown}")
    return tuple(_coerce_slots(weekly_slots.get(day, ())) for day in range(7))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class BusinessCalendar:
    """An immutable working-time calendar.

    ``weekly_slots`` maps weekday (0 = Monday … 6 = Sunday) to slots in seconds of
    the day (or a slot text such as ``"09:00-18:00"``); ``None`` means Monday–Friday
    ``09:00-12:00,13:30-18:00``. Make-up workdays use the Monday slots. A date cannot
    be both a holiday and a make-up workday.
    """

    __slots__ = (
        "_tz",
        "_zone",
        "_always_on",
        "_weekly",
        "_holidays",
        "_makeup",
        "_weekday_pattern",
        "_holiday_days",
        "_makeup_days",
        "_profiles",
        "_pattern_totals",
        "_inverse",
        "_inverse_start",
    )

    def __init__(
        self,
        *,
        tz: str = "Asia/Shanghai",
        weekly_slots: Mapping[int, str | Sequence[Slot]] | None = None,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        always_on: bool = False,
    ) -> None:
        weekly = _weekly_table(weekly_slots)
        holiday_set, makeup_set = frozenset(holidays), frozenset(makeup_workdays)
        clash = holiday_set & makeup_set
        if clash:
            listed = "、".join(d.isoformat() for d in sorted(clash))
            raise CalendarError(f"{listed} 不能既是放假日又是调休上班日")
        patterns = tuple(dict.fromkeys(s for s in weekly if s))
        profiles, totals, inverse, inverse_start = _cached_profiles(patterns)
        assign = object.__setattr__  # the value is immutable once built
        assign(self, "_tz", tz)
        assign(self, "_zone", _load_zone(tz))
        assign(self, "_always_on", bool(always_on))
        assign(self, "_weekly", weekly)
        assign(self, "_holidays", holiday_set)
        assign(self, "_makeup", makeup_set)
        assign(self, "_weekday_pattern", np.array([patterns.index(s) + 1 if s else 0 for s in weekly], dtype=np.int64))
        assign(self, "_holiday_days", _day_numbers(holiday_set))
        assign(self, "_makeup_days", _day_numbers(makeup_set))
        assign(self, "_profiles", profiles)
        assign(self, "_pattern_totals", totals)
        assign(self, "_inverse", inverse)
        assign(self, "_inverse_start", inverse_start)

    # ------------------------------------------------------------ constructors

    @classmethod
    def always(cls, tz: str = "Asia/Shanghai") -> BusinessCalendar:
        """7×24: every second is working time, holidays included."""
        return cls(tz=tz, weekly_slots=dict.fromkeys(range(7), ((0, DAY),)), always_on=True)

    @classmethod
    def china(
        cls,
        slots: str | Sequence[Slot] = DEFAULT_SLOTS,
        tz: str = "Asia/Shanghai",
        extra_years: Iterable[HolidayYear] = (),
    ) -> BusinessCalendar:
        """Monday–Friday ``slots`` with the built-in China holidays and 调休 (2019–2026).

        Each of ``extra_years`` replaces the built-in year of the same notice year, or
        adds a year the table does not have yet.
        """
        day_slots = _coerce_slots(slots)
        holidays, workdays = _merge_years(_builtin_china_years(), extra_years)
        return cls(tz=tz, weekly_slots=dict.fromkeys(range(5), day_slots), holidays=holidays, makeup_workdays=workdays)

    # ------------------------------------------------------------ value object

    @property
    def tz(self) -> str:
        return self._tz

    @property
    def always_on(self) -> bool:
        return self._always_on

    @property
    def weekly_slots(self) -> dict[int, Slots]:
        return {day: slots for day, slots in enumerate(self._weekly) if slots}

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def makeup_workdays(self) -> frozenset[date]:
        return self._makeup

    def _key(self) -> tuple:
        return (self._tz, self._always_on, self._weekly, self._holidays, self._makeup)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BusinessCalendar is immutable")

    def __reduce__(self) -> tuple:
        # Background jobs pickle calendars; rebuild through __init__ so checks rerun.
        return (_rebuild_calendar, self._key())

    def __repr__(self) -> str:
        if self._always_on:
            return f"BusinessCalendar.always(tz={self._tz!r})"
        slots = {day: ",".join(f"{_format_seconds(a)}-{_format_seconds(b)}" for a, b in s) for day, s in self.weekly_slots.items()}
        return (
            f"BusinessCalendar(tz={self._tz!r}, weekly_slots={slots}, "
            f"holidays=<{len(self._holidays)} dates>, makeup_workdays=<{len(self._makeup)} dates>)"
        )

    # ------------------------------------------------------------- day rules

    def is_workday(self, d: date) -> bool:
        if self._always_on or d in self._makeup:
            return True
        return bool(self._weekly[d.weekday()]) and d not in self._holidays

    def working_intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The day's working time as aware local datetimes (two pieces when a slot
        straddles a DST change)."""
        day = _day_number(d)
        if self._always_on:
            wall_starts, wall_ends = np.array([day * DAY]), np.array([day * DAY + DAY])
        else:
            wall_starts, wall_ends = self._wall_intervals(day, day)
        starts, ends = self._to_utc(wall_starts, wall_ends, day * DAY - 2 * DAY, day * DAY + 3 * DAY)
        merged: list[list[int]] = []
        for a, b in zip(starts.tolist(), ends.tolist()):
            if merged and merged[-1][1] == a:
                merged[-1][1] = b  # rejoin a slot that an offset change split in two
            else:
                merged.append([a, b])
        return [(datetime.fromtimestamp(a, self._zone), datetime.fromtimestamp(b, self._zone)) for a, b in merged]

    def _week_seconds(self) -> int:
        return int(self._pattern_totals[self._weekday_pattern].sum())

    def _day_patterns(self, first_day: int, last_day: int) -> np.ndarray:
        """Pattern row of each local day in [first_day, last_day]; 0 = no work."""
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        patterns = self._weekday_pattern[(days + _EPOCH_WEEKDAY) % 7]
        for listed, row in ((self._holiday_days, 0), (self._makeup_days, self._weekday_pattern[0])):
            inside = listed[(listed >= first_day) & (listed <= last_day)]
            patterns[inside - first_day] = row
        return patterns

    def _wall_intervals(self, first_day: int, last_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Working slots as local wall-clock seconds since 1970-01-01, sorted."""
        patterns = self._day_patterns(first_day, last_day)
        day_starts = (np.arange(first_day, last_day + 1, dtype=np.int64)) * DAY
        starts, ends = [], []
        for row, slots in enumerate(dict.fromkeys(s for s in self._weekly if s), start=1):
            days = day_starts[patterns == row]
            for a, b in slots:
                starts.append(days + a)
                ends.append(days + b)
        if not starts:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        wall_starts, wall_ends = np.concatenate(starts), np.concatenate(ends)
        order = np.argsort(wall_starts, kind="stable")
        return wall_starts[order], wall_ends[order]

    def _to_utc(self, wall_starts: np.ndarray, wall_ends: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """UTC intervals of instants in [lo, hi) whose wall time falls in a wall interval.

        Within one offset segment wall = utc + offset is monotonic, so each segment
        contributes the shifted intervals clipped to it; segments are in time order.
        """
        seg_starts, offsets = _offset_segments(self._zone, lo, hi)
        seg_ends = seg_starts[1:] + [hi]
        starts, ends = [], []
        for seg_lo, seg_hi, offset in zip(seg_starts, seg_ends, offsets):
            a = np.maximum(wall_starts - offset, seg_lo)
            b = np.minimum(wall_ends - offset, seg_hi)
            keep = a < b
            starts.append(a[keep])
            ends.append(b[keep])
        return np.concatenate(starts), np.concatenate(ends)

    def _utc_intervals(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        first_day, last_day = (lo - 2 * DAY) // DAY - 1, (hi + 2 * DAY) // DAY + 1
        wall_starts, wall_ends = self._wall_intervals(first_day, last_day)
        return self._to_utc(wall_starts, wall_ends, first_day * DAY + DAY, last_day * DAY)

    def _table(self, lo: int, hi: int) -> _Table:
        _, offsets = _offset_segments(self._zone, lo - 2 * DAY, hi + 2 * DAY)
        if len(offsets) == 1:
            return _FixedOffsetTable(self, offsets[0], lo, hi)
        return _IntervalTable(self, lo, hi)

    # ---------------------------------------------------------------- engine

    def business_seconds(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Working seconds in [start, end) for each pair, as int64.

        Instants are UTC datetime64 of any unit, floored to whole seconds; the two
        arrays broadcast. ``end <= start`` gives 0; NaT in either gives -1.
        """
        start_raw, end_raw = np.broadcast_arrays(_as_datetime_array(starts), _as_datetime_array(ends))
        shape = start_raw.shape
        start_conv, end_conv = _Seconds(start_raw.dtype), _Seconds(end_raw.dtype)
        start_int = np.ascontiguousarray(start_raw).reshape(-1).view(np.int64)
        end_int = np.ascontiguousarray(end_raw).reshape(-1).view(np.int64)
        out = np.empty(start_int.size, dtype=np.int64)
        bounds = [r for r in (_seconds_range(start_int, start_conv), _seconds_range(end_int, end_conv)) if r]
        if not bounds:
            out.fill(-1)
            return out.reshape(shape)
        lo, hi = min(r[0] for r in bounds), max(r[1] for r in bounds)
        _check_supported(lo, hi)
        table = None if self._always_on else self._table(lo, hi)
        _business_chunks(table, start_int, end_int, start_conv, end_conv, lo, out)
        return out.reshape(shape)

    def deadline(self, starts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Earliest instant t >= start with business(start, t) == seconds, as datetime64[s].

        ``seconds == 0`` gives the start itself. NaT starts, negative seconds (no
        target) and deadlines that never come (a calendar without working time) give NaT.
        """
        start_raw, need = np.broadcast_arrays(_as_datetime_array(starts), np.asarray(seconds))
        if need.dtype.kind not in "iub":
            raise TypeError(f"seconds must be integers, got {need.dtype}")
        shape = start_raw.shape
        conv = _Seconds(start_raw.dtype)
        raw = np.ascontiguousarray(start_raw).reshape(-1).view(np.int64)
        need = np.ascontiguousarray(need).reshape(-1).astype(np.int64, copy=False)
        out = np.full(raw.size, _NAT, dtype=np.int64)
        bounds = _seconds_range(raw, conv)
        if bounds is not None:
            _check_supported(*bounds)
            self._fill_deadlines(raw, need, conv, bounds, out)
        return out.view("M8[s]").reshape(shape)

    def _fill_deadlines(self, raw: np.ndarray, need: np.ndarray, conv: _Seconds, bounds: tuple[int, int], out: np.ndarray) -> None:
        week = self._week_seconds()
        if self._always_on or week == 0:
            _deadline_chunks(None, raw, need, conv, bounds[0], out, always_on=self._always_on)
            return
        # Enough whole weeks for the largest target, plus slack for a long holiday;
        # widened and retried in the rare case it falls short.
        horizon = (_ceil_div(max(int(need.max()), 0), week) + 1) * 7 * DAY + 31 * DAY
        while True:
            hi = min(bounds[1] + horizon, _MAX_SECONDS)
            if _deadline_chunks(self._table(bounds[0], hi), raw, need, conv, bounds[0], out, always_on=False):
                return
            horizon *= 2


def _rebuild_calendar(
    tz: str, always_on: bool, weekly: tuple[Slots, ...], holidays: frozenset[date], makeup: frozenset[date]
) -> BusinessCalendar:
    return BusinessCalendar(tz=tz, weekly_slots=dict(enumerate(weekly)), holidays=holidays, makeup_workdays=makeup, always_on=always_on)


def _business_chunks(
    table: _Table | None, start_int: np.ndarray, end_int: np.ndarray, start_conv: _Seconds, end_conv: _Seconds, fill: int, out: np.ndarray
) -> None:
    """Fill ``out`` chunk by chunk so temporaries stay small and cache-resident."""
    size = min(_CHUNK, out.size)
    begin, end = np.empty(size, np.int64), np.empty(size, np.int64)
    f_begin, work = np.empty(size, np.int64), np.empty((2, size), np.int64)
    for lo in range(0, out.size, _CHUNK):
        hi = min(lo + _CHUNK, out.size)
        m = hi - lo
        raw_begin, raw_end, result = start_int[lo:hi], end_int[lo:hi], out[lo:hi]
        nat = (raw_begin == _NAT) | (raw_end == _NAT)
        has_nat = bool(nat.any())
        b, e = start_conv(raw_begin, begin[:m]), end_conv(raw_end, end[:m])
        if has_nat:
            b[nat] = fill  # any in-range instant keeps the table lookups valid
            e[nat] = fill
        if table is None:
            np.subtract(e, b, out=result)
        else:
            table.cum(e, result, work[:, :m])
            np.subtract(result, table.cum(b, f_begin[:m], work[:, :m]), out=result)
        np.maximum(result, 0, out=result)
        if has_nat:
            result[nat] = -1


def _deadline_chunks(
    table: _Table | None, raw: np.ndarray, need: np.ndarray, conv: _Seconds, fill: int, out: np.ndarray, *, always_on: bool
) -> bool:
    """Fill deadlines chunk by chunk; False when the table ends too early (widen it).

    Without a table the calendar is 7×24 (start + need) or has no working time at
    all (only zero targets are ever reached).
    """
    size = min(_CHUNK, out.size)
    begin, target, work = np.empty(size, np.int64), np.empty(size, np.int64), np.empty((2, size), np.int64)
    for lo in range(0, out.size, _CHUNK):
        hi = min(lo + _CHUNK, out.size)
        m = hi - lo
        raw_c, need_c, result = raw[lo:hi], need[lo:hi], out[lo:hi]
        valid = (raw_c != _NAT) & (need_c >= 0)
        b = conv(raw_c, begin[:m])
        b[~valid] = fill  # keeps table lookups in range; overwritten with NaT below
        if table is None:
            if always_on:
                np.add(b, need_c, out=result)
            else:
                np.copyto(result, np.where(need_c == 0, b, _NAT))
            result[result > _MAX_SECONDS] = _NAT
        else:
            v = table.cum(b, target[:m], work[:, :m])
            v += np.maximum(need_c, 0)
            beyond = valid & (v > table.total)
            if beyond.any() and table.hi < _MAX_SECONDS:
                return False
            moving = valid & (need_c > 0) & ~beyond
            np.copyto(result, b)
            result[moving] = table.invert(v[moving])
            result[beyond] = _NAT
        result[~valid] = _NAT
    return True
