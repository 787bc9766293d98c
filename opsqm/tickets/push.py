"""JSON tickets (push API) → TicketBatch, with one error per bad field.

Field names are the canonical ones of ticket_io. Times are ISO 8601; a time without
an offset is in the project's time zone. `pauses` is a list of {"start", "end"}
objects ("end" may be null for a pause still open) or the canonical text form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from opsqm.core.ticket_io import RowError, TicketBatch

TEXT_FIELDS = ("ticket_no", "priority", "type", "status", "title", "contact")
TIME_FIELDS = ("created_at", "first_response_at", "resolved_at", "closed_at")
KNOWN = frozenset((*TEXT_FIELDS, *TIME_FIELDS, "pauses", "reopen_count", "first_contact_resolution"))
NAT = np.datetime64("NaT", "s")


def _parse_time(value: Any, zone: ZoneInfo) -> np.datetime64:
    if not isinstance(value, str):
        raise ValueError
    text = value.strip().replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return np.datetime64(int(moment.timestamp()), "s")


def _pause_pairs(value: Any) -> list[tuple[Any, Any]]:
    if isinstance(value, str):
        pairs = []
        for part in value.replace("；", ";").split(";"):
            if part.strip():
                start, _sep, end = part.partition("/")
                pairs.append((start.strip(), end.strip() or None))
        return pairs
    if isinstance(value, list):
        return [(p.get("start"), p.get("end")) if isinstance(p, dict) else (None, None) for p in value]
    raise ValueError


def items_to_batch(items: list[Any], tz: str) -> tuple[TicketBatch, list[RowError]]:
    zone = ZoneInfo(tz)
    n = len(items)
    errors: list[RowError] = []
    text = {f: np.full(n, "", dtype=object) for f in TEXT_FIELDS}
    times = {f: np.full(n, NAT, dtype="datetime64[s]") for f in TIME_FIELDS}
    reopen = np.zeros(n, dtype=np.int32)
    fcr = np.full(n, -1, dtype=np.int8)
    has_fcr = False
    p_ticket: list[int] = []
    p_start: list[np.datetime64] = []
    p_end: list[np.datetime64] = []
    seen: dict[str, int] = {}

    for i, item in enumerate(items):
        row = i + 1
        if not isinstance(item, dict):
            errors.append(RowError(row, "", "", "每个元素应为 JSON 对象"))
            continue
        for key in sorted(set(item) - KNOWN):
            errors.append(RowError(row, key, "", "未知字段"))
        for field in TEXT_FIELDS:
            value = item.get(field)
            if value is None:
                value = ""
            if not isinstance(value, (str, int)):
                errors.append(RowError(row, field, str(value)[:50], "应为字符串"))
                continue
            text[field][i] = str(value).strip()
        for field in ("ticket_no", "priority"):
            if not text[field][i]:
                errors.append(RowError(row, field, "", "不能为空"))
        number = text["ticket_no"][i]
        if number:
            if number in seen:
                errors.append(RowError(row, "ticket_no", number, f"工单号与第 {seen[number]} 条重复"))
            seen.setdefault(number, row)
        for field in TIME_FIELDS:
            value = item.get(field)
            if value in (None, ""):
                if field == "created_at":
                    errors.append(RowError(row, field, "", "不能为空"))
                continue
            try:
                times[field][i] = _parse_time(value, zone)
            except (ValueError, TypeError):
                errors.append(RowError(row, field, str(value)[:50], "时间应为 ISO 8601 格式，例如 2026-03-01T09:30:00+08:00"))
        created = times["created_at"][i]
        for field, label in (("first_response_at", "首次响应时间"), ("resolved_at", "解决时间"), ("closed_at", "关闭时间")):
            if not np.isnat(times[field][i]) and not np.isnat(created) and times[field][i] < created:
                errors.append(RowError(row, field, str(item.get(field)), f"{label}早于创建时间"))
        count = item.get("reopen_count", 0)
        if count in (None, ""):
            count = 0
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors.append(RowError(row, "reopen_count", str(count), "应为非负整数"))
        else:
            reopen[i] = count
        if "first_contact_resolution" in item:
            has_fcr = True
            flag = item["first_contact_resolution"]
            if flag is not None and not isinstance(flag, bool):
                errors.append(RowError(row, "first_contact_resolution", str(flag), "应为 true、false 或 null"))
            elif flag is not None:
                fcr[i] = int(flag)
        if item.get("pauses") not in (None, "", []):
            try:
                pairs = _pause_pairs(item["pauses"])
                for start, end in pairs:
                    a = _parse_time(start, zone)
                    b = NAT if end in (None, "") else _parse_time(end, zone)
                    if not np.isnat(b) and b < a:
                        errors.append(RowError(row, "pauses", f"{start}/{end}", "挂起结束时间早于开始时间"))
                        continue
                    p_ticket.append(i)
                    p_start.append(a)
                    p_end.append(b)
            except (ValueError, TypeError, AttributeError):
                errors.append(RowError(row, "pauses", str(item.get("pauses"))[:50],
                                       "挂起时段应为 [{\"start\": ..., \"end\": ...}] 列表，时间为 ISO 8601"))

    batch = TicketBatch(
        ticket_no=text["ticket_no"], priority=text["priority"], type=text["type"], status=text["status"],
        title=text["title"], contact=text["contact"], created=times["created_at"],
        first_response=times["first_response_at"], resolved=times["resolved_at"], closed=times["closed_at"],
        reopen_count=reopen, fcr=fcr, has_fcr_column=has_fcr,
        pause_ticket=np.array(p_ticket, dtype=np.int64), pause_start=np.array(p_start, dtype="datetime64[s]"),
        pause_end=np.array(p_end, dtype="datetime64[s]"), source_row=np.arange(1, n + 1, dtype=np.int64),
        present=frozenset(KNOWN),
    )
    return batch, errors
