"""Service-quality KPIs (PRODUCT.md C7): period bucketing, ticket rates, attainment.

Pure Python + NumPy, no Django: the kpis app feeds columnar arrays produced by the
SLA engine and stores what comes back.

Ticket KPIs attribute a ticket to the month / quarter of its creation in the project's
time zone (``period_keys``) and are counted per (group, period) cell in one vectorized
pass (``compute_ticket_kpis``). A group is usually a project; org values pool the tickets
of all projects (``compute_org_kpis``), never a mean of project rates.

Every rate is a ``KpiValue`` with exact integer counts; ``value`` is ``None`` when the
denominator is empty, so the UI shows "—" and never a made-up 0 % or 100 %.

    >>> Period.parse("2026-Q1").label_zh
    '2026年第1季度'
    >>> attainment(KPI_DEFINITIONS[KpiCode.REOPEN_RATE], 0.04, Decimal("0.05"))
    True
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np

__all__ = [
    "Granularity",
    "Period",
    "periods_between",
    "period_keys",
    "KpiCode",
    "KpiDefinition",
    "KPI_DEFINITIONS",
    "TICKET_KPIS",
    "SURVEY_KPIS",
    "TicketKpiInput",
    "KpiValue",
    "ORG_GROUP",
    "compute_ticket_kpis",
    "compute_mttr_by_priority",
    "compute_org_kpis",
    "pool_groups",
    "attainment",
    "COUNTERS",
    "KPI_COUNTERS",
    "ticket_counters",
    "kpi_from_counters",
    "rollup",
    "STATUS_NA",
    "STATUS_PENDING",
    "STATUS_MET",
    "STATUS_BREACHED",
]

# These mirror opsqm.core.sla.Status (NA=0, PENDING=1, MET=2, BREACHED=3). They are
# repeated rather than imported so this module does not depend on the SLA engine; a test
# checks they still agree whenever opsqm.core.sla is importable.
STATUS_NA: Final = 0  # the ticket's priority has no target for this clock
STATUS_PENDING: Final = 1  # not met, not breached yet at the cut-off
STATUS_MET: Final = 2
STATUS_BREACHED: Final = 3

# The group id under which compute_org_kpis reports the pooled organisation.
ORG_GROUP: Final = 0

_SECONDS_PER_DAY: Final = 86_400
_SECONDS_PER_HOUR: Final = 3_600


# --------------------------------------------------------------------------- periods


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


_MONTH_KEY = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER_KEY = re.compile(r"([0-9]{4})-[Qq]([0-9])")
# Spelled out: calendar.month_abbr follows the process locale.
_MONTH_ABBR_EN: Final = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month or quarter in the project's local time (exactly one of month / quarter).

    Ordering is chronological between periods of the same granularity; comparing a month
    with a quarter of the same year raises TypeError, which is wanted: it has no meaning.
    """

    year: int
    month: int | None = None
    quarter: int | None = None

    def __post_init__(self) -> None:
        for name in ("year", "month", "quarter"):
            value = getattr(self, name)
            # bool is an int subclass; Period(True, ...) is always a caller bug.
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"Period.{name} must be an int, got {value!r}")
        if (self.month is None) == (self.quarter is None):
            raise ValueError("a Period has exactly one of month or quarter")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter out of range: {self.quarter}")

    @property
    def granularity(self) -> Granularity:
        return Granularity.MONTH if self.month is not None else Granularity.QUARTER

    @property
    def key(self) -> str:
        """Stable text key for URLs and storage: "2026-03" or "2026-Q1"."""
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-Q{self.quarter}"

    @property
    def code(self) -> int:
        """The int code that period_keys gives tickets: year*100+month or year*10+quarter."""
        if self.month is not None:
            return self.year * 100 + self.month
        return self.year * 10 + self._quarter

    @property
    def label_zh(self) -> str:
        if self.month is not None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年第{self.quarter}季度"

    @property
    def label_en(self) -> str:
        if self.month is not None:
            return f"{_MONTH_ABBR_EN[self.month]} {self.year}"
        return f"Q{self.quarter} {self.year}"

    @property
    def start_local(self) -> date:
        """First local day of the period."""
        return date(self.year, self._first_month, 1)

    @property
    def end_local(self) -> date:
        """Last local day of the period, inclusive (the exclusive end is next().start_local)."""
        last_month = self._first_month + (0 if self.month is not None else 2)
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def contains(self, day: date) -> bool:
        """Whether a local calendar date falls in the period."""
        return self.start_local <= _require_date(day) <= self.end_local

    def next(self) -> Period:
        """The period of the same granularity that follows this one."""
        if self.month is not None:
            return Period(self.year + self.month // 12, month=self.month % 12 + 1)
        return Period(self.year + self._quarter // 4, quarter=self._quarter % 4 + 1)

    @classmethod
    def parse(cls, key: str) -> Period:
        """Inverse of ``key``: "2026-03" → March 2026, "2026-Q1" → first quarter."""
        if match := _MONTH_KEY.fullmatch(key):
            return cls(int(match[1]), month=int(match[2]))
        if match := _QUARTER_KEY.fullmatch(key):
            return cls(int(match[1]), quarter=int(match[2]))
        raise ValueError(f"not a period key (expected 2026-03 or 2026-Q1): {key!r}")

    @classmethod
    def of(cls, day: date, granularity: Granularity | str) -> Period:
        """The period that contains a local calendar date."""
        day = _require_date(day)
        if Granularity(granularity) is Granularity.MONTH:
            return cls(day.year, month=day.month)
        return cls(day.year, quarter=(day.month - 1) // 3 + 1)

    @classmethod
    def from_code(cls, code: int, granularity: Granularity | str) -> Period:
        """Inverse of ``code`` (the keys of compute_ticket_kpis carry codes, not Periods)."""
        code = int(code)
        if Granularity(granularity) is Granularity.MONTH:
            return cls(code // 100, month=code % 100)
        return cls(code // 10, quarter=code % 10)

    @property
    def _quarter(self) -> int:
        assert self.quarter is not None
        return self.quarter

    @property
    def _first_month(self) -> int:
        return self.month if self.month is not None else 3 * self._quarter - 2


def _require_date(day: date) -> date:
    # A datetime is a date subclass, but taking .date() of a UTC datetime silently buckets
    # tickets into the wrong local day; make callers convert to the local date themselves.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a local calendar date, got {day!r}")
    return day


def periods_between(start: date, end: date, granularity: Granularity | str) -> list[Period]:
    """Every period from the one containing ``start`` to the one containing ``end``, inclusive.

    Empty when end < start, so a reversed range shows nothing rather than raising.
    """
    if end < start:
        return []
    current, last = Period.of(start, granularity), Period.of(end, granularity)
    periods: list[Period] = []
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


# ------------------------------------------------------------------------ period_keys

# Step between zone probes when looking for UTC-offset changes. No tz database zone changes
# its offset and changes it back within 6 hours, so each change is seen by some probe and then
# located to the second by bisection.
_PROBE_STEP_SECONDS: Final = 6 * 3_600


def period_keys(created_utc: np.ndarray, tz: str, granularity: Granularity | str) -> np.ndarray:
    """Period code (year*100+month or year*10+quarter, int32) of each ticket's local creation.

    ``created_utc`` is either datetime64 (any unit, naive values meaning UTC) or integer
    POSIX seconds. ``tz`` is an IANA zone name. The local time is UTC plus the zone's
    offset at that instant: the offset is piecewise constant, so we find where it changes
    within the data's range (none for fixed-offset zones such as Asia/Shanghai today) and
    apply plain offset arithmetic per piece; this is exact for DST zones too.
    """
    granularity = Granularity(granularity)
    seconds = _epoch_seconds(created_utc)
    if seconds.size == 0:
        return np.empty(0, dtype=np.int32)
    local = seconds + _utc_offsets(ZoneInfo(tz), seconds)
    days = np.floor_divide(local, _SECONDS_PER_DAY).astype("datetime64[D]")
    months_since_1970 = days.astype("datetime64[M]").astype(np.int64)
    year = months_since_1970 // 12 + 1970
    month = months_since_1970 % 12 + 1
    if granularity is Granularity.MONTH:
        codes = year * 100 + month
    else:
        codes = year * 10 + (month - 1) // 3 + 1
    return codes.astype(np.int32)


def _epoch_seconds(created_utc: np.ndarray) -> np.ndarray:
    values = np.asarray(created_utc)
    if values.ndim != 1:
        raise ValueError("created_utc must be one-dimensional")
    if values.dtype.kind == "M":
        if np.isnat(values).any():
            raise ValueError("created_utc contains NaT: every ticket has a creation time")
        # datetime64 casts floor toward the past, so sub-second instants before 1970 stay right.
        return values.astype("datetime64[s]").astype(np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    raise TypeError(f"created_utc must be datetime64 or integer seconds, not {values.dtype}")


def _utc_offsets(zone: tzinfo, seconds: np.ndarray) -> np.ndarray:
    """UTC offset in seconds in force at each instant."""
    starts, offsets = _offset_pieces(zone, int(seconds.min()), int(seconds.max()))
    if len(offsets) == 1:
        return np.full(seconds.shape, offsets[0], dtype=np.int64)
    piece = np.searchsorted(np.asarray(starts, dtype=np.int64), seconds, side="right")
    return np.asarray(offsets, dtype=np.int64)[piece]


def _offset_at(zone: tzinfo, instant: int) -> int:
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def _offset_pieces(zone: tzinfo, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """Offsets in force over [lo, hi]: offsets[0] from lo, offsets[i] from starts[i-1]."""
    starts: list[int] = []
    offsets = [_offset_at(zone, lo)]
    probe = lo
    while probe < hi:
        after = min(probe + _PROBE_STEP_SECONDS, hi)
        # Several changes may fall between two probes (rare); locate them one by one.
        while _offset_at(zone, after) != offsets[-1]:
            probe = _first_change(zone, probe, after, offsets[-1])
            starts.append(probe)
            offsets.append(_offset_at(zone, probe))
        probe = after
    return starts, offsets


def _first_change(zone: tzinfo, before: int, after: int, offset: int) -> int:
    """First second in (before, after] whose offset differs from ``offset`` (bisection)."""
    while after - before > 1:
        middle = (before + after) // 2
        if _offset_at(zone, middle) == offset:
            before = middle
        else:
            after = middle
    return after


# ----------------------------------------------------------------------- definitions


class KpiCode(StrEnum):
    RESPONSE_TIMELINESS = "response_timeliness"
    RESOLUTION_TIMELINESS = "resolution_timeliness"
    SLA_ATTAINMENT = "sla_attainment"
    RESOLUTION_RATE = "resolution_rate"
    MTTR = "mttr"
    REOPEN_RATE = "reopen_rate"
    FCR = "fcr"
    AVAILABILITY = "availability"
    REPORTS_ON_TIME = "reports_on_time"
    MAJOR_INCIDENTS = "major_incidents"
    COMPLAINTS = "complaints"
    CUSTOMER_SATISFACTION = "customer_satisfaction"


@dataclass(frozen=True)
class KpiDefinition:
    """One catalogue entry. Rates are fractions 0..1 (unit "%" tells the UI to format them).

    ``default_target`` is only the default a new plan or project starts from; targets are
    configurable per org and per project and live in the database, not here.
    ``target_window`` says what the target is measured over: each computed period, or
    the whole year (complaints: at most 2 a year).
    """

    code: KpiCode
    name_zh: str
    name_en: str
    formula_zh: str
    formula_en: str
    unit: Literal["%", "h", "次", "分"]
    higher_is_better: bool
    default_target: Decimal | None
    source: Literal["ticket", "manual", "survey"]
    target_window: Literal["period", "year"] = "period"
    # How a manual measure entered monthly makes its quarter (``rollup``): "sum" (counts;
    # ratios add numerators and denominators), "mean" or "min" of the monthly values.
    quarter_rollup: Literal["sum", "mean", "min"] = "sum"


def _define(*definitions: KpiDefinition) -> Mapping[KpiCode, KpiDefinition]:
    # Read-only: a caller tweaking a target in place would change every later computation.
    return MappingProxyType({definition.code: definition for definition in definitions})


KPI_DEFINITIONS: Final[Mapping[KpiCode, KpiDefinition]] = _define(
    KpiDefinition(
        code=KpiCode.RESPONSE_TIMELINESS,
        name_zh="响应及时率",
        name_en="Response timeliness",
        formula_zh="响应达标工单数 ÷（响应达标 + 响应超时）工单数；未到期及不适用（无响应目标）的工单不计入",
        formula_en="tickets with response met ÷ tickets with response met or breached",
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.95"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.RESOLUTION_TIMELINESS,
        name_zh="解决及时率",
        name_en="Resolution timeliness",
        formula_zh="解决达标工单数 ÷（解决达标 + 解决超时）工单数；未到期及不适用（无解决目标）的工单不计入",
        formula_en="tickets with resolution met ÷ tickets with resolution met or breached",
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.90"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.SLA_ATTAINMENT,
        name_zh="SLA 达成率",
        name_en="SLA attainment",
        formula_zh=(
            "响应与解决均达标的工单数 ÷ 响应与解决均已判定（达标或超时）的工单数；任一项未到期或不适用（该优先级无目标）的工单不计入"
        ),
        formula_en=(
            "tickets with both met ÷ tickets with neither pending (tickets whose priority has no target for either clock are left out)"
        ),
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.90"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.RESOLUTION_RATE,
        name_zh="解决率",
        name_en="Resolution rate",
        formula_zh="截止时点前已解决的工单数 ÷ 本期创建的工单数",
        formula_en="tickets resolved by the cut-off ÷ tickets created in the period",
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.95"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.MTTR,
        name_zh="平均解决时长",
        name_en="Mean time to resolve",
        formula_zh="已解决工单的解决用时（工作时间，扣除挂起）之和 ÷ 已解决工单数，单位小时",
        formula_en="sum of business time to resolve (pauses excluded) ÷ resolved tickets, hours",
        unit="h",
        higher_is_better=False,
        default_target=None,  # depends on the project's SLA priorities; set per project
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.REOPEN_RATE,
        name_zh="重开率",
        name_en="Reopen rate",
        formula_zh="至少重开过一次的已解决工单数 ÷ 已解决工单数",
        formula_en="resolved tickets reopened at least once ÷ resolved tickets",
        unit="%",
        higher_is_better=False,
        default_target=Decimal("0.05"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.FCR,
        name_zh="一次解决率",
        name_en="First-contact resolution",
        formula_zh="首次接触即解决的已解决工单数 ÷ 已解决工单数（仅统计来源系统带有该标记的工单）",
        formula_en=("resolved tickets solved at first contact ÷ resolved tickets (only tickets whose source has the flag)"),
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.70"),
        source="ticket",
    ),
    KpiDefinition(
        code=KpiCode.AVAILABILITY,
        name_zh="系统可用率",
        name_en="Availability",
        formula_zh="承诺时段内正常运行时长 ÷ 承诺运行时长",
        formula_en="uptime within committed service hours ÷ committed service hours",
        unit="%",
        higher_is_better=True,
        default_target=Decimal("0.995"),
        source="manual",
        quarter_rollup="mean",  # months commit about the same service hours
    ),
    KpiDefinition(
        code=KpiCode.REPORTS_ON_TIME,
        name_zh="服务报告按时提交率",
        name_en="Service reports on time",
        formula_zh="按时提交的服务报告数 ÷ 应提交的服务报告数",
        formula_en="service reports delivered on time ÷ service reports due",
        unit="%",
        higher_is_better=True,
        default_target=Decimal("1"),
        source="manual",
    ),
    KpiDefinition(
        code=KpiCode.MAJOR_INCIDENTS,
        name_zh="重大事件数",
        name_en="Major incidents",
        formula_zh="本期发生的重大（应急）事件次数",
        formula_en="number of major (emergency-level) incidents in the period",
        unit="次",
        higher_is_better=False,
        default_target=Decimal("0"),
        source="manual",
    ),
    KpiDefinition(
        code=KpiCode.COMPLAINTS,
        name_zh="客户投诉次数",
        name_en="Customer complaints",
        formula_zh="有效客户投诉次数（按年度量）",
        formula_en="number of valid customer complaints (measured per year)",
        unit="次",
        higher_is_better=False,
        default_target=Decimal("2"),
        source="manual",
        target_window="year",
    ),
    KpiDefinition(
        # Computed by the surveys area (PRODUCT.md "Satisfaction conversion"); the default
        # target of a year is that year's satisfaction rules' target (opsqm.kpis.selectors).
        code=KpiCode.CUSTOMER_SATISFACTION,
        name_zh="客户满意度",
        name_en="Customer satisfaction",
        formula_zh=(
            "项目满意度 = Σ 层级权重 × 层级得分 ÷ Σ 权重（事件级、项目级、客户级调查，答卷折算为 0–100 分）；"
            "全公司 = 各项目满意度按当年规则加权平均（默认等权）"
        ),
        formula_en=(
            "project satisfaction = Σ level weight × level score ÷ Σ weights (incident, project and "
            "customer surveys, answers converted to 0–100); company = mean of the projects by the year's rule"
        ),
        unit="分",
        higher_is_better=True,
        default_target=Decimal("85"),
        source="survey",
    ),
)

# The KPIs computed from customer-satisfaction surveys (opsqm.surveys), in catalogue order.
SURVEY_KPIS: Final[tuple[KpiCode, ...]] = tuple(code for code, definition in KPI_DEFINITIONS.items() if definition.source == "survey")

# The KPIs compute_ticket_kpis returns, in catalogue order.
TICKET_KPIS: Final[tuple[KpiCode, ...]] = tuple(code for code, definition in KPI_DEFINITIONS.items() if definition.source == "ticket")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class TicketKpiInput:
    """Columnar ticket facts as of one cut-off, one entry per ticket.

    "Resolved" means ``resolved_by_cutoff``; such a ticket must carry its resolution
    seconds. A ticket resolved only after the cut-off counts as unresolved whatever its
    ``resolution_seconds`` says, so recomputing an old cut-off gives the old numbers.
    Arrays are coerced to the dtypes below (no copy when they already match).
    """

    group: np.ndarray  # int64 group id (project id) per ticket
    period: np.ndarray  # int32 period code from period_keys
    priority: np.ndarray  # int32 priority index (the caller maps priority codes to ints)
    response_status: np.ndarray  # int8 STATUS_* of the response clock
    resolution_status: np.ndarray  # int8 STATUS_* of the resolution clock
    resolved_by_cutoff: np.ndarray  # bool
    resolution_seconds: np.ndarray  # int64 business seconds, -1 when unresolved
    reopened: np.ndarray  # bool: reopen_count >= 1
    fcr: np.ndarray  # int8: -1 unknown (source has no flag), 0 no, 1 solved at first contact

    def __post_init__(self) -> None:
        columns = {
            "group": _int_column(self.group, np.int64),
            "period": _int_column(self.period, np.int32),
            "priority": _int_column(self.priority, np.int32),
            "response_status": _int_column(self.response_status, np.int8, STATUS_NA, STATUS_BREACHED),
            "resolution_status": _int_column(self.resolution_status, np.int8, STATUS_NA, STATUS_BREACHED),
            "resolved_by_cutoff": _bool_column(self.resolved_by_cutoff),
            "resolution_seconds": _int_column(self.resolution_seconds, np.int64, -1),
            "reopened": _bool_column(self.reopened),
            "fcr": _int_column(self.fcr, np.int8, -1, 1),
        }
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns differ in length: {lengths}")
        unresolved = columns["resolved_by_cutoff"] & (columns["resolution_seconds"] < 0)
        if unresolved.any():
            raise ValueError(f"{int(unresolved.sum())} tickets are resolved by the cut-off but have no resolution seconds (-1)")
        for name, values in columns.items():
            object.__setattr__(self, name, values)  # frozen: coercion happens only here

    def __len__(self) -> int:
        return len(self.group)


def _int_column(values: np.ndarray, dtype: type[np.integer], lo: int | None = None, hi: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError("ticket columns must be one-dimensional")
    if array.size == 0:
        return array.astype(dtype)
    if array.dtype.kind not in "iub":
        # Floats would be truncated silently; the caller must say what it means.
        raise TypeError(f"expected integers, got {array.dtype}")
    limits = np.iinfo(dtype)
    lo = limits.min if lo is None else lo
    hi = limits.max if hi is None else hi
    if int(array.min()) < lo or int(array.max()) > hi:
        raise ValueError(f"values outside {lo}..{hi}")
    return array.astype(dtype, copy=False)


def _bool_column(values: np.ndarray) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind != "b":
        array = _int_column(array, np.int8, 0, 1)
    return array.astype(bool, copy=False)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class KpiValue:
    """A KPI with the counts behind it, so every number can be explained.

    Rates: numerator and denominator are ticket counts, value their quotient (0..1).
    MTTR: numerator is total business seconds, denominator the resolved tickets, and value
    is the mean in hours. value is None exactly when the denominator is 0 (shown as "—").
    """

    numerator: int | float
    denominator: int
    value: float | None

    def __post_init__(self) -> None:
        if self.denominator < 0:
            raise ValueError("denominator must not be negative")
        if self.denominator == 0 and self.value is not None:
            raise ValueError("a KPI with an empty denominator has no value")


def _rate(numerator: int, denominator: int) -> KpiValue:
    # int / int is correctly rounded in Python, so equal fractions give identical floats.
    return KpiValue(numerator, denominator, numerator / denominator if denominator else None)


def _mean_hours(total_seconds: int, count: int) -> KpiValue:
    value = total_seconds / (count * _SECONDS_PER_HOUR) if count else None
    return KpiValue(total_seconds, count, value)


# ----------------------------------------------------------------------- computation


def compute_ticket_kpis(data: TicketKpiInput) -> dict[tuple[int, int], dict[KpiCode, KpiValue]]:
    """All ticket KPIs per (group, period) cell present in the data, MTTR overall.

    Cells come out sorted by group then period; within a cell the KPIs follow
    TICKET_KPIS. Tickets whose response or resolution clock is NA (the priority has no
    target) are left out of SLA attainment, like pending ones: they can be neither met
    nor breached.
    """
    if len(data) == 0:
        return {}
    cell, (groups, periods) = _cell_index((data.group, data.period))
    counts = _ticket_counts(data, cell, len(groups))
    seconds_total, resolved = _seconds_by_cell(cell, data.resolved_by_cutoff, data.resolution_seconds, len(groups))
    results: dict[tuple[int, int], dict[KpiCode, KpiValue]] = {}
    for index, key in enumerate(zip(groups.tolist(), periods.tolist())):
        values: dict[KpiCode, KpiValue] = {}
        for code in TICKET_KPIS:
            if code is KpiCode.MTTR:
                values[code] = _mean_hours(seconds_total[index], resolved[index])
            else:
                numerators, denominators = counts[code]
                values[code] = _rate(numerators[index], denominators[index])
        results[key] = values
    return results


def compute_mttr_by_priority(data: TicketKpiInput) -> dict[tuple[int, int, int], KpiValue]:
    """MTTR per (group, period, priority) for every combination that has tickets.

    A priority with tickets but none resolved yet gets a cell with value None, so the
    table shows "—" for it instead of hiding the row.
    """
    if len(data) == 0:
        return {}
    cell, (groups, periods, priorities) = _cell_index((data.group, data.period, data.priority))
    seconds_total, resolved = _seconds_by_cell(cell, data.resolved_by_cutoff, data.resolution_seconds, len(groups))
    keys = zip(groups.tolist(), periods.tolist(), priorities.tolist())
    return {key: _mean_hours(seconds_total[index], resolved[index]) for index, key in enumerate(keys)}


def pool_groups(data: TicketKpiInput) -> TicketKpiInput:
    """The same tickets, all in group ORG_GROUP: org KPIs pool tickets, not project rates."""
    return replace(data, group=np.full(len(data), ORG_GROUP, dtype=np.int64))


def compute_org_kpis(data: TicketKpiInput) -> dict[tuple[int, int], dict[KpiCode, KpiValue]]:
    """Org-level ticket KPIs; keys are (ORG_GROUP, period). Per priority: pool_groups + MTTR."""
    return compute_ticket_kpis(pool_groups(data))


def _ticket_counts(data: TicketKpiInput, cell: np.ndarray, cells: int) -> dict[KpiCode, tuple[list[int], list[int]]]:
    """(numerators, denominators) per cell for every ticket rate, as Python ints."""
    response, resolution = data.response_status, data.resolution_status
    response_met, resolution_met = response == STATUS_MET, resolution == STATUS_MET
    response_decided = response_met | (response == STATUS_BREACHED)
    resolution_decided = resolution_met | (resolution == STATUS_BREACHED)
    resolved = data.resolved_by_cutoff
    fcr_known = resolved & (data.fcr != -1)
    masks: dict[KpiCode, tuple[np.ndarray | None, np.ndarray | None]] = {
        KpiCode.RESPONSE_TIMELINESS: (response_met, response_decided),
        KpiCode.RESOLUTION_TIMELINESS: (resolution_met, resolution_decided),
        KpiCode.SLA_ATTAINMENT: (
            response_met & resolution_met,
            response_decided & resolution_decided,
        ),
        KpiCode.RESOLUTION_RATE: (resolved, None),  # None: every ticket created in the period
        KpiCode.REOPEN_RATE: (resolved & data.reopened, resolved),
        KpiCode.FCR: (fcr_known & (data.fcr == 1), fcr_known),
    }
    return {code: (_count(cell, numerator, cells), _count(cell, denominator, cells)) for code, (numerator, denominator) in masks.items()}


def _count(cell: np.ndarray, mask: np.ndarray | None, cells: int) -> list[int]:
    selected = cell if mask is None else cell[mask]
    return np.bincount(selected, minlength=cells).tolist()


def _seconds_by_cell(cell: np.ndarray, resolved: np.ndarray, seconds: np.ndarray, cells: int) -> tuple[list[int], list[int]]:
    """Exact total resolution seconds and resolved-ticket count per cell."""
    selected, values = cell[resolved], seconds[resolved]
    count = np.bincount(selected, minlength=cells).tolist()
    if values.size == 0:
        return [0] * cells, count
    if int(values.max()) * values.size < 2**53:
        # bincount sums in float64; every partial sum stays below 2**53, so it is exact.
        totals = np.bincount(selected, weights=values, minlength=cells)
        return [int(total) for total in totals.tolist()], count
    totals_int = np.zeros(cells, dtype=np.int64)
    np.add.at(totals_int, selected, values)
    return totals_int.tolist(), count


def _cell_index(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Number each row's combination of column values 0..C-1 and return each cell's values.

    Cells are numbered in lexicographic order of the columns. The columns are packed into
    one int64 key (mixed radix over each column's value range); when the key space is
    small, the present keys are found with a bincount (no sort), else with np.unique.
    """
    lows = [int(column.min()) for column in columns]
    spans = [int(column.max()) - low + 1 for column, low in zip(columns, lows)]
    key_space = math.prod(spans)
    if key_space >= 2**62:  # ids too sparse to pack: slower but general
        rows = np.stack([column.astype(np.int64) for column in columns], axis=1)
        unique_rows, inverse = np.unique(rows, axis=0, return_inverse=True)
        return inverse.reshape(-1), [unique_rows[:, i] for i in range(len(columns))]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, low, span in zip(columns, lows, spans):
        key *= span
        key += column.astype(np.int64) - low
    if key_space <= max(4 * key.size, 1 << 20):
        present = np.bincount(key, minlength=key_space) > 0
        cells = np.flatnonzero(present)
        inverse = (np.cumsum(present) - 1)[key]
    else:
        cells, inverse = np.unique(key, return_inverse=True)
    values: list[np.ndarray] = []
    remaining = cells.astype(np.int64)
    for low, span in zip(reversed(lows), reversed(spans)):
        values.append(remaining % span + low)
        remaining = remaining // span
    return inverse, values[::-1]


# ------------------------------------------------------------------------ attainment


def attainment(
    definition_or_higher_is_better: KpiDefinition | bool,
    value: float | Decimal | int | None,
    target: Decimal | float | int | None,
) -> bool | None:
    """Whether a value reaches its target; None when either is missing ("—", not a miss).

    Higher-is-better KPIs attain at value >= target, lower-is-better at value <= target.
    """
    if isinstance(definition_or_higher_is_better, KpiDefinition):
        higher_is_better = definition_or_higher_is_better.higher_is_better
    elif isinstance(definition_or_higher_is_better, bool):
        higher_is_better = definition_or_higher_is_better
    else:
        raise TypeError("expected a KpiDefinition or a bool")
    if value is None or target is None:
        return None
    left, right = _comparable(value, target)
    return left >= right if higher_is_better else left <= right


def _comparable(value: float | Decimal | int, target: Decimal | float | int) -> tuple[float, float] | tuple[Decimal, Decimal]:
    # Computed rates are floats and targets Decimals. Python compares float with Decimal
    # exactly, and 19/20 as a binary float lies just under Decimal("0.95"): exactly 95 %
    # would miss a 95 % target. Comparing in float instead rounds the target the same way
    # the rate was rounded, so an exact hit attains. Decimal with Decimal stays exact.
    if isinstance(value, float) or isinstance(target, float):
        left, right = float(value), float(target)
        if math.isnan(left) or math.isnan(right):
            raise ValueError("KPI value or target is NaN")
        return left, right
    left_d, right_d = Decimal(value), Decimal(target)
    if left_d.is_nan() or right_d.is_nan():
        raise ValueError("KPI value or target is NaN")
    return left_d, right_d


# ------------------------------------------------------------------------- counters

# Additive counters of a set of tickets: every ticket KPI is a ratio of two of them, so a
# quarter is the sum of its months and the company the sum of its projects (pooled).
COUNTERS: Final[tuple[str, ...]] = (
    "created",
    "resp_met",
    "resp_decided",
    "res_met",
    "res_decided",
    "both_met",
    "both_decided",
    "resolved",
    "reopened",
    "fcr_known",
    "fcr_yes",
    "res_seconds",
)
_C: Final = {name: index for index, name in enumerate(COUNTERS)}
# KPI → (numerator counter, denominator counter).
KPI_COUNTERS: Final[Mapping[KpiCode, tuple[str, str]]] = MappingProxyType(
    {
        KpiCode.RESPONSE_TIMELINESS: ("resp_met", "resp_decided"),
        KpiCode.RESOLUTION_TIMELINESS: ("res_met", "res_decided"),
        KpiCode.SLA_ATTAINMENT: ("both_met", "both_decided"),
        KpiCode.RESOLUTION_RATE: ("resolved", "created"),
        KpiCode.MTTR: ("res_seconds", "resolved"),
        KpiCode.REOPEN_RATE: ("reopened", "resolved"),
        KpiCode.FCR: ("fcr_yes", "fcr_known"),
    }
)


def ticket_counters(
    response_status: np.ndarray,
    resolution_status: np.ndarray,
    resolved: np.ndarray,
    reopened: np.ndarray,
    fcr: np.ndarray,
    resolution_seconds: np.ndarray,
    count: np.ndarray | None = None,
) -> np.ndarray:
    """Counter rows [n, len(COUNTERS)] of tickets (or of groups of ``count`` equal tickets).

    The same rules as ``compute_ticket_kpis``: NA and PENDING clocks are undecided; reopen
    and FCR count among resolved tickets; FCR only where the flag is known (fcr != -1).
    With ``count``, each row stands for ``count`` tickets and ``resolution_seconds`` is
    their sum; otherwise it is the ticket's own seconds (ignored unless resolved).
    """
    rs = np.asarray(response_status)
    ss = np.asarray(resolution_status)
    done = np.asarray(resolved, dtype=bool)
    again = np.asarray(reopened, dtype=bool)
    flag = np.asarray(fcr)
    weight = np.ones(len(rs), dtype=np.int64) if count is None else np.asarray(count, dtype=np.int64)
    rs_met, ss_met = rs == STATUS_MET, ss == STATUS_MET
    rs_decided, ss_decided = rs_met | (rs == STATUS_BREACHED), ss_met | (ss == STATUS_BREACHED)
    out = np.zeros((len(rs), len(COUNTERS)), dtype=np.int64)
    out[:, _C["created"]] = 1
    out[:, _C["resp_met"]] = rs_met
    out[:, _C["resp_decided"]] = rs_decided
    out[:, _C["res_met"]] = ss_met
    out[:, _C["res_decided"]] = ss_decided
    out[:, _C["both_met"]] = rs_met & ss_met
    out[:, _C["both_decided"]] = rs_decided & ss_decided
    out[:, _C["resolved"]] = done
    out[:, _C["reopened"]] = done & again
    out[:, _C["fcr_known"]] = done & (flag != -1)
    out[:, _C["fcr_yes"]] = done & (flag == 1)
    out *= weight[:, None]
    seconds = np.asarray(resolution_seconds, dtype=np.int64)
    out[:, _C["res_seconds"]] = np.where(done, seconds, 0)
    return out


def kpi_from_counters(code: KpiCode, counters: Sequence[int] | np.ndarray) -> KpiValue:
    """One ticket KPI from summed counters (MTTR in hours, like compute_ticket_kpis)."""
    numerator_name, denominator_name = KPI_COUNTERS[code]
    numerator, denominator = int(counters[_C[numerator_name]]), int(counters[_C[denominator_name]])
    if code is KpiCode.MTTR:
        return _mean_hours(numerator, denominator)
    return _rate(numerator, denominator)


def rollup(rule: Literal["sum", "mean", "min"], values: Sequence[float]) -> float | None:
    """A quarter from its months' values by a measure's ``quarter_rollup``; None when none."""
    if not values:
        return None
    if rule == "sum":
        return float(sum(values))
    if rule == "mean":
        return float(sum(values)) / len(values)
    if rule == "min":
        return float(min(values))
    raise ValueError(f"unknown roll-up rule: {rule}")
