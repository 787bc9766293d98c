"""The canonical ticket fields, the error types and the two value objects of ticket input:
:class:`ColumnMapping` (how a source maps onto the fields) and :class:`TicketBatch` (the result)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

__all__ = [
    "CANONICAL_FIELDS",
    "REQUIRED_FIELDS",
    "FIELD_LABELS",
    "CANONICAL_HEADERS",
    "TIME_FIELDS",
    "TEXT_FIELDS",
    "MAX_LISTED_ERRORS",
    "RowError",
    "TicketFileError",
    "ColumnMapping",
    "TicketBatch",
]

CANONICAL_FIELDS: Final[tuple[str, ...]] = (
    "ticket_no",
    "priority",
    "created_at",
    "first_response_at",
    "resolved_at",
    "pauses",
    "type",
    "status",
    "closed_at",
    "reopen_count",
    "first_contact_resolution",
    "title",
    "contact",
    "contact_phone",
    "contact_email",
)
REQUIRED_FIELDS: Final[tuple[str, ...]] = ("ticket_no", "priority", "created_at")
TIME_FIELDS: Final = ("created_at", "first_response_at", "resolved_at", "closed_at")
TEXT_FIELDS: Final = ("ticket_no", "priority", "type", "status", "title", "contact", "contact_phone", "contact_email")

# Chinese names used in messages; also the canonical Chinese headers (templates).
FIELD_LABELS: Final[dict[str, str]] = {
    "ticket_no": "工单号",
    "priority": "优先级",
    "created_at": "创建时间",
    "first_response_at": "首次响应时间",
    "resolved_at": "解决时间",
    "pauses": "挂起时段",
    "type": "类型",
    "status": "状态",
    "closed_at": "关闭时间",
    "reopen_count": "重开次数",
    "first_contact_resolution": "一次解决",
    "title": "标题",
    "contact": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "联系人邮箱",
}

# Headers recognised by the canonical format, most specific first: when a file has both
# 工单类型 and 类型, the former is the ticket type and the latter may be a category.
CANONICAL_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "ticket_no": ("ticket_no", "工单号", "工单编号"),
    "priority": ("priority", "优先级"),
    "created_at": ("created_at", "创建时间"),
    "first_response_at": ("first_response_at", "首次响应时间"),
    "resolved_at": ("resolved_at", "解决时间"),
    "pauses": ("pauses", "挂起时段"),
    "type": ("type", "工单类型", "类型"),
    "status": ("status", "状态"),
    "closed_at": ("closed_at", "关闭时间"),
    "reopen_count": ("reopen_count", "重开次数"),
    "first_contact_resolution": ("first_contact_resolution", "一次解决"),
    "title": ("title", "标题"),
    "contact": ("contact", "联系人", "报告人"),
    "contact_phone": ("contact_phone", "联系电话", "电话"),
    "contact_email": ("contact_email", "联系人邮箱", "邮箱"),
}

MAX_LISTED_ERRORS: Final = 1000
DEFAULT_FCR_TRUE: Final = frozenset({"1", "true", "yes", "是", "y"})
DEFAULT_FCR_FALSE: Final = frozenset({"0", "false", "no", "否", "n"})


@dataclass(frozen=True)
class RowError:
    """One problem in one cell. ``row`` is the row number Excel shows (header = 1)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f"「{self.value}」" if self.value else ""
        return f"第 {self.row} 行 [{self.column}] {shown}：{self.reason}"


class TicketFileError(ValueError):
    """The input cannot be imported. ``errors`` lists at most MAX_LISTED_ERRORS row
    problems (sorted by row); ``total`` counts all of them."""

    def __init__(self, message: str, errors: Sequence[RowError] = (), total: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total


def _as_tuple(value: object) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ColumnMapping:
    """How a source's headers and values map onto the canonical fields.

    ``columns`` maps a field to its header or to alternative headers (the first one
    present wins). ``priority_map`` maps a source priority value (case-insensitive)
    to a priority of the project's agreement, by code or by name. ``datetime_formats``
    are polars (chrono) strftime codes tried before the defaults. ``null_values`` are
    cell texts meaning "empty" (``--``). ``resolved_statuses``: when set, a resolution
    time counts only on rows whose status is one of them (BlueKing's 结束时间 is also
    set for cancelled tickets). ``id_thousands``: ticket numbers are numbers written
    with a thousands separator (GLPI). ``doubled_quotes``: ``''`` inside text stands
    for ``"`` (GLPI 10's CSV writer).
    """

    columns: Mapping[str, str | tuple[str, ...]]
    priority_map: Mapping[str, str] = field(default_factory=dict)
    datetime_formats: tuple[str, ...] = ()
    status_map: Mapping[str, str] = field(default_factory=dict)
    fcr_true_values: frozenset[str] = DEFAULT_FCR_TRUE
    fcr_false_values: frozenset[str] = DEFAULT_FCR_FALSE
    null_values: frozenset[str] = frozenset()
    resolved_statuses: frozenset[str] = frozenset()
    id_thousands: bool = False
    doubled_quotes: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(CANONICAL_FIELDS))
        if unknown:
            raise ValueError(f"列映射中有未知字段：{', '.join(unknown)}；可用字段：{', '.join(CANONICAL_FIELDS)}")
        clash = {v.strip().lower() for v in self.fcr_true_values} & {v.strip().lower() for v in self.fcr_false_values}
        if clash:
            raise ValueError(f"一次解决的“是”和“否”取值重叠：{', '.join(sorted(clash))}")

    def candidates(self, name: str) -> tuple[str, ...]:
        return _as_tuple(self.columns.get(name, ()))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for saving a mapping profile."""
        return {
            "columns": {k: list(v) if isinstance(v, tuple) else v for k, v in self.columns.items()},
            "priority_map": dict(self.priority_map),
            "datetime_formats": list(self.datetime_formats),
            "status_map": dict(self.status_map),
            "fcr_true_values": sorted(self.fcr_true_values),
            "fcr_false_values": sorted(self.fcr_false_values),
            "null_values": sorted(self.null_values),
            "resolved_statuses": sorted(self.resolved_statuses),
            "id_thousands": self.id_thousands,
            "doubled_quotes": self.doubled_quotes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnMapping:
        columns = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(data.get("columns") or {}).items()}  # type: ignore[call-overload]
        return cls(
            columns=columns,
            priority_map={str(k): str(v) for k, v in dict(data.get("priority_map") or {}).items()},  # type: ignore[call-overload]
            datetime_formats=tuple(data.get("datetime_formats") or ()),  # type: ignore[arg-type]
            status_map=dict(data.get("status_map") or {}),  # type: ignore[call-overload]
            fcr_true_values=frozenset(data.get("fcr_true_values") or DEFAULT_FCR_TRUE),  # type: ignore[arg-type]
            fcr_false_values=frozenset(data.get("fcr_false_values") or DEFAULT_FCR_FALSE),  # type: ignore[arg-type]
            null_values=frozenset(data.get("null_values") or ()),  # type: ignore[arg-type]
            resolved_statuses=frozenset(data.get("resolved_statuses") or ()),  # type: ignore[arg-type]
            id_thousands=bool(data.get("id_thousands")),
            doubled_quotes=bool(data.get("doubled_quotes")),
        )


@dataclass
class TicketBatch:
    """Tickets of one input as columns, in input order (fully blank rows skipped).

    Text columns are object arrays with "" when absent; instants are UTC
    ``datetime64[s]`` with NaT when empty. Pauses are one row per interval:
    ``pause_ticket`` indexes the tickets, ``pause_end`` is NaT for an open pause.
    ``source_row`` is each ticket's row number as Excel shows it (or item number);
    ``present`` names the canonical fields the input had a column for.
    """

    ticket_no: np.ndarray
    priority: np.ndarray
    type: np.ndarray
    status: np.ndarray
    title: np.ndarray
    contact: np.ndarray
    contact_phone: np.ndarray
    contact_email: np.ndarray
    created: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray
    closed: np.ndarray
    reopen_count: np.ndarray
    fcr: np.ndarray
    has_fcr_column: bool
    pause_ticket: np.ndarray
    pause_start: np.ndarray
    pause_end: np.ndarray
    source_row: np.ndarray
    present: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return int(self.ticket_no.shape[0])
