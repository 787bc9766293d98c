"""The database-free calculator behind ``opsqm sla-calc``.

Reads a ticket export, computes each ticket's SLA response and resolution times
on a business calendar as of a cut-off, and writes one CSV row per ticket:

    ticket_no, response_seconds, resolution_seconds, paused_seconds, response_met, resolution_met

Seconds are business seconds. ``response_seconds``/``resolution_seconds`` are empty
while the ticket has no response/resolution by the cut-off, and ``paused_seconds``
(the merged, clipped pauses subtracted from the resolution time) is empty until
the ticket is resolved. ``*_met`` is 1 (met) or 0 (breached, including a ticket
still open that already exceeds its target) and empty while pending or when the
ticket's priority has no target. Times are facts and are written even then.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from opsqm.core.calendars import BusinessCalendar
from opsqm.core.cells import FORMULA_PREFIXES
from opsqm.core.sla import SlaResult, Status, TicketArrays, compute_sla
from opsqm.core.ticket_io import ColumnMapping, TicketBatch, read_ticket_file, target_arrays

__all__ = ["parse_targets", "run_sla_calc", "make_calendar", "CALENDARS", "OUTPUT_COLUMNS"]

OUTPUT_COLUMNS: Final = (
    "ticket_no",
    "response_seconds",
    "resolution_seconds",
    "paused_seconds",
    "response_met",
    "resolution_met",
)
CALENDARS: Final = {
    "cn-5x8": "周一至周五按时段上班，含中国法定节假日和调休",
    "5x8": "周一至周五按时段上班，不含节假日",
    "7x24": "全天候，每一秒都计时",
}
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600}
_DURATION: Final = re.compile(r"(\d+(?:\.\d+)?)([a-zA-Z]+)")


# ------------------------------------------------------------------- targets


def _parse_duration(text: str, where: str) -> int:
    """ "30m", "4h", "1h30m", "1.5h", "90s" → seconds; "-" → -1 (no target)."""
    text = text.strip()
    if text == "-":
        return -1
    compact = re.sub(r"\s+", "", text)
    pieces = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in pieces) != compact:
        raise ValueError(f"{where}：无法识别的时长“{text}”，应写成数字加单位，如 30m、4h、1h30m")
    total = Fraction(0)
    for number, unit in pieces:
        unit = unit.lower()
        if unit == "d":
            # A working day of a 5×8 calendar is not 24 hours; refuse rather than guess.
            raise ValueError(f"{where}：不支持单位 d（天），因为一个工作日有多长取决于日历；请换算成小时，如 7h30m 或 40h")
        if unit not in _UNIT_SECONDS:
            raise ValueError(f"{where}：不支持单位“{unit}”，只能用 s（秒）、m（分钟）、h（小时）")
        total += Fraction(number) * _UNIT_SECONDS[unit]
    if total.denominator != 1:
        raise ValueError(f"{where}：时长“{text}”不是整数秒")
    return int(total)


def parse_targets(text: str) -> dict[str, tuple[int, int]]:
    """ "P1=30m/4h,P2=2h/8h" → {"P1": (1800, 14400), "P2": (7200, 28800)}.

    Each entry is ``priority=response/resolution``; entries are separated by "," (or
    "，" / ";"); "-" as a time means no target for it. Raises ValueError.
    """
    targets: dict[str, tuple[int, int]] = {}
    entries = [e.strip() for e in re.split(r"[,，;；]", text or "") if e.strip()]
    if not entries:
        raise ValueError("SLA 目标为空，应写成如 P1=30m/4h,P2=2h/8h")
    for entry in entries:
        priority, sep, times = entry.partition("=")
        priority = priority.strip()
        response, slash, resolution = times.partition("/")
        if not sep or not slash or not priority:
            raise ValueError(f"SLA 目标“{entry}”格式错误，应写成 优先级=响应时限/解决时限，如 P1=30m/4h")
        if priority in targets:
            raise ValueError(f"SLA 目标中优先级 {priority} 出现了两次")
        targets[priority] = (
            _parse_duration(response, f"{priority} 的响应时限"),
            _parse_duration(resolution, f"{priority} 的解决时限"),
        )
    return targets


# ------------------------------------------------------------------ calendar


def make_calendar(code: str, *, slots: str, tz: str) -> BusinessCalendar:
    """A calendar by its command-line code (see CALENDARS)."""
    if code == "cn-5x8":
        return BusinessCalendar.china(slots=slots, tz=tz)
    if code == "5x8":
        return BusinessCalendar(tz=tz, weekly_slots=dict.fromkeys(range(5), slots))
    if code == "7x24":
        return BusinessCalendar.always(tz=tz)
    raise ValueError(f"未知的日历“{code}”，可选：{', '.join(CALENDARS)}")


# -------------------------------------------------------------------- output


def _optional(values: np.ndarray, present: np.ndarray) -> pl.Series:
    return pl.Series(values.astype(np.int64)).set(pl.Series(~present), None)


def _met(status: np.ndarray) -> pl.Series:
    met = (status == Status.MET).astype(np.int64)
    decided = (status == Status.MET) | (status == Status.BREACHED)
    return _optional(met, decided)


def _safe_text(values: np.ndarray) -> pl.Series:
    """Ticket numbers with spreadsheet-formula starts neutralized (ENGINEERING.md):
    a leading ' keeps Excel from evaluating a cell such as "=cmd|..."."""
    text = pl.Series(values, dtype=pl.String)
    risky = text.str.starts_with(FORMULA_PREFIXES[0])
    for prefix in FORMULA_PREFIXES[1:]:
        risky = risky | text.str.starts_with(prefix)
    return pl.select(pl.when(risky).then(pl.lit("'") + text).otherwise(text)).to_series()


def _result_frame(batch: TicketBatch, result: SlaResult) -> pl.DataFrame:
    resolved = result.resolution_seconds >= 0
    return pl.DataFrame(
        {
            "ticket_no": _safe_text(batch.ticket_no),
            "response_seconds": _optional(result.response_seconds, result.response_seconds >= 0),
            "resolution_seconds": _optional(result.resolution_seconds, resolved),
            "paused_seconds": _optional(result.paused_seconds, resolved & (result.paused_seconds >= 0)),
            "response_met": _met(result.response_status),
            "resolution_met": _met(result.resolution_status),
        }
    )


def _write_atomically(frame: pl.DataFrame, output_path: Path) -> None:
    """Temp file in the target folder, then rename: readers never see half a file,
    and a failed run leaves any previous output untouched."""
    output_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{output_path.name}.", suffix=".tmp", dir=output_path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            frame.write_csv(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, output_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------- entry point


def compute_batch(batch: TicketBatch, calendar: BusinessCalendar, targets: dict[str, tuple[int, int]], cutoff: np.datetime64) -> SlaResult:
    """SLA results of a read batch; split out so callers with a batch in hand reuse it."""
    tickets = TicketArrays(
        created=batch.created,
        first_response=batch.first_response,
        resolved=batch.resolved,
        pause_ticket=batch.pause_ticket,
        pause_start=batch.pause_start,
        pause_end=batch.pause_end,
    )
    return compute_sla(calendar, tickets, target_arrays(batch.priority, targets), cutoff)


def run_sla_calc(
    input_path: str | Path,
    output_path: str | Path,
    *,
    calendar: str = "cn-5x8",
    slots: str = "09:00-12:00,13:30-18:00",
    tz: str = "Asia/Shanghai",
    targets: str = "P1=30m/4h,P2=2h/8h,P3=4h/24h,P4=8h/40h",
    cutoff: np.datetime64 | None = None,
    mapping: ColumnMapping | None = None,
) -> int:
    """Compute the SLA of every ticket in ``input_path`` and write ``output_path``.

    ``cutoff`` is a UTC instant; it defaults to now, read here and only here. Bad
    arguments raise ValueError (CalendarError for slots); a bad input file raises
    TicketFileError with its row errors, and then no output file is written.
    Returns the number of rows written.
    """
    parsed_targets = parse_targets(targets)
    business = make_calendar(calendar, slots=slots, tz=tz)
    if cutoff is None:
        cutoff = np.datetime64(datetime.now(UTC).replace(tzinfo=None), "s")
    source = Path(input_path)
    batch = read_ticket_file(source, filename=source.name, tz=tz, mapping=mapping)
    result = compute_batch(batch, business, parsed_targets, np.datetime64(cutoff, "s"))
    _write_atomically(_result_frame(batch, result), Path(output_path))
    return len(batch)
