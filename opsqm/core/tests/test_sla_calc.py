"""`opsqm sla-calc` without a database: targets, golden tickets, inputs, atomic output.

Golden values are worked out by hand in the comments and re-counted minute by
minute by `brute_force_minutes`, which shares no code with the engine.
Calendar cn-5x8: Monday–Friday 09:00-12:00 and 13:30-18:00 (7.5 h a day), with
China's holidays. 2024 National Day (State Council notice of October 2023): off 1–7 October,
make-up workdays Sunday 29 September and Saturday 12 October.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from opsqm.core.china_holidays import CHINA_SCHEDULE
from opsqm.core.sla_calc import OUTPUT_COLUMNS, parse_targets, run_sla_calc
from opsqm.core.ticket_io import TicketFileError

CUTOFF = np.datetime64("2024-10-30T16:00:00")  # 2024-10-31 00:00 in Shanghai

GOLDEN_HEADER = ["ticket_no", "priority", "created_at", "first_response_at", "resolved_at", "pauses"]
GOLDEN_ROWS = [
    # Friday 17:00 → Tuesday after National Day 10:00. Response 17:00-17:20 = 1200 s.
    # Resolution: Fri 17-18 (1 h) + Sun 29 Sep make-up day (7.5 h) + Mon 30 Sep (7.5 h)
    # + 1-7 Oct off + Tue 8 Oct 09-10 (1 h) = 17 h = 61200 s > P2's 8 h.
    ["NATIONAL", "P2", "2024-09-27 17:00:00", "2024-09-27 17:20:00", "2024-10-08 10:00:00", ""],
    # Mon 09:00-17:00 gross 3 h + 3.5 h = 23400 s. Pauses 11:00-14:00 and 11:30-12:30
    # merge into 11:00-14:00 = 1 h + 0.5 h = 5400 s → resolution 18000 s. No first
    # response: responded at resolution, pauses not counted → 23400 s > P3's 4 h.
    [
        "PAUSED",
        "P3",
        "2024-10-14 09:00:00",
        "",
        "2024-10-14 17:00:00",
        "2024-10-14 11:00:00/2024-10-14 14:00:00;2024-10-14 11:30:00/2024-10-14 12:30:00",
    ],
    # Across lunch: 11:50-12:00 + 13:30-13:40 = 1200 s ≤ 30 m; to 16:00: 600 + 9000 = 9600 s ≤ 4 h.
    ["LUNCH", "P1", "2024-10-14 11:50:00", "2024-10-14 13:40:00", "2024-10-14 16:00:00", ""],
    # Open at the cut-off: Wed 30 Oct worked 7.5 h = 27000 s > 30 m and > 4 h → both 0.
    ["OPEN-LATE", "P1", "2024-10-30 09:00:00", "", "", ""],
    # Open at the cut-off with 1 h used of 8 h / 40 h → pending, left empty.
    ["OPEN-OK", "P4", "2024-10-30 17:00:00", "", "", ""],
    # No target for P5: times still written, met left empty.
    ["NO-TARGET", "P5", "2024-10-14 09:00:00", "", "2024-10-14 10:00:00", ""],
    # Saturday 12 Oct is a make-up workday: 10:00-11:00 counts = 3600 s.
    ["MAKEUP-SAT", "P4", "2024-10-12 10:00:00", "2024-10-12 10:30:00", "2024-10-12 11:00:00", ""],
    # Plain weekend: nothing until Monday 09:00-09:30 = 1800 s.
    ["WEEKEND", "P4", "2024-10-19 10:00:00", "", "2024-10-21 09:30:00", ""],
]
GOLDEN_OUTPUT = [
    ["NATIONAL", "1200", "61200", "0", "1", "0"],
    ["PAUSED", "23400", "18000", "5400", "0", "1"],
    ["LUNCH", "1200", "9600", "0", "1", "1"],
    ["OPEN-LATE", "", "", "", "0", "0"],
    ["OPEN-OK", "", "", "", "", ""],
    ["NO-TARGET", "3600", "3600", "0", "", ""],
    ["MAKEUP-SAT", "1800", "3600", "0", "1", "1"],
    ["WEEKEND", "1800", "1800", "0", "1", "1"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_output(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def calc(tmp_path: Path, source: Path, **kwargs) -> list[list[str]]:
    out = tmp_path / "out" / "sla.csv"
    written = run_sla_calc(source, out, cutoff=kwargs.pop("cutoff", CUTOFF), **kwargs)
    rows = read_output(out)
    assert rows[0] == list(OUTPUT_COLUMNS)
    assert written == len(rows) - 1
    return rows[1:]


def brute_force_minutes(start: str, end: str) -> int:
    """cn-5x8 business seconds counted minute by minute from the notice data."""
    notice = CHINA_SCHEDULE[2024]
    off = set()
    for first, last in notice["holidays"]:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            off.add(day)
            day += timedelta(days=1)
    makeup = {date.fromisoformat(d) for d in notice["workdays"]}
    slots = [(time(9, 0), time(12, 0)), (time(13, 30), time(18, 0))]
    moment, stop, total = datetime.fromisoformat(start), datetime.fromisoformat(end), 0
    while moment < stop:
        day = moment.date()
        workday = day in makeup or (day.weekday() < 5 and day not in off)
        if workday and any(a <= moment.time() < b for a, b in slots):
            total += 60
        moment += timedelta(minutes=1)
    return total


# ------------------------------------------------------------------ targets


def test_it_parses_targets_with_units_and_no_target_marks():
    assert parse_targets("P1=30m/4h,P2=2h/8h,P3=4h/24h,P4=8h/40h") == {
        "P1": (1800, 14400),
        "P2": (7200, 28800),
        "P3": (14400, 86400),
        "P4": (28800, 144000),
    }
    assert parse_targets(" P1 = 1h30m / 90s ；紧急=1.5h/-") == {"P1": (5400, 90), "紧急": (5400, -1)}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "为空"),
        ("P1=30m", "格式错误"),
        ("P1=1d/2d", "不支持单位 d"),
        ("P1=30w/4h", "只能用 s"),
        ("P1=30/4h", "无法识别的时长"),
        ("P1=1m/1h,P1=2m/2h", "出现了两次"),
        ("P1=0.5s/1h", "不是整数秒"),
    ],
)
def test_it_rejects_bad_targets_with_a_clear_message(text: str, message: str):
    with pytest.raises(ValueError, match=message):
        parse_targets(text)


# --------------------------------------------------------------- golden tickets


def test_brute_force_agrees_with_the_hand_worked_values():
    assert brute_force_minutes("2024-09-27 17:00", "2024-10-08 10:00") == 61200
    assert brute_force_minutes("2024-10-14 09:00", "2024-10-14 17:00") == 23400
    assert brute_force_minutes("2024-10-14 11:00", "2024-10-14 14:00") == 5400
    assert brute_force_minutes("2024-10-14 11:50", "2024-10-14 13:40") == 1200
    assert brute_force_minutes("2024-10-14 11:50", "2024-10-14 16:00") == 9600
    assert brute_force_minutes("2024-10-30 09:00", "2024-10-31 00:00") == 27000
    assert brute_force_minutes("2024-10-12 10:00", "2024-10-12 11:00") == 3600
    assert brute_force_minutes("2024-10-19 10:00", "2024-10-21 09:30") == 1800


def test_it_computes_golden_tickets_on_the_china_calendar(tmp_path: Path):
    source = write_csv(tmp_path / "golden.csv", GOLDEN_HEADER, GOLDEN_ROWS)
    assert calc(tmp_path, source) == GOLDEN_OUTPUT


def test_it_uses_the_chosen_calendar(tmp_path: Path):
    source = write_csv(tmp_path / "one.csv", GOLDEN_HEADER, [GOLDEN_ROWS[0]])
    # 7×24: 10 days 17 hours = 925200 s.
    assert calc(tmp_path, source, calendar="7x24")[0][2] == "925200"
    # 5×8 without holidays: Fri 1 h + 30 Sep, 1-4 Oct, 7 Oct (6 × 7.5 h) + Tue 1 h = 47 h.
    assert calc(tmp_path, source, calendar="5x8")[0][2] == "169200"
    # Other slots: 08:00-17:00 in one piece; Fri 17:00 is already after hours,
    # 29 Sep + 30 Sep = 18 h, 8 Oct 08-10 = 2 h → 20 h.
    assert calc(tmp_path, source, slots="08:00-17:00")[0][2] == "72000"


def test_the_cutoff_decides_what_has_happened(tmp_path: Path):
    source = write_csv(tmp_path / "one.csv", GOLDEN_HEADER, [GOLDEN_ROWS[0]])
    # Cut-off Tue 8 Oct 09:30 local: not yet resolved; 16.5 h used > 8 h → breached.
    early = calc(tmp_path, source, cutoff=np.datetime64("2024-10-08T01:30:00"))
    assert early == [["NATIONAL", "1200", "", "", "1", "0"]]


def test_the_default_cutoff_is_now(tmp_path: Path):
    source = write_csv(tmp_path / "one.csv", GOLDEN_HEADER, [GOLDEN_ROWS[2]])
    out = tmp_path / "now.csv"
    assert run_sla_calc(source, out) == 1
    assert read_output(out)[1] == GOLDEN_OUTPUT[2]


# ------------------------------------------------------------------- inputs


CHINESE_HEADER = ["工单号", "优先级", "创建时间", "首次响应时间", "解决时间", "挂起时段"]


def test_it_reads_chinese_headers(tmp_path: Path):
    source = write_csv(tmp_path / "中文.csv", CHINESE_HEADER, GOLDEN_ROWS)
    assert calc(tmp_path, source) == GOLDEN_OUTPUT


def test_it_reads_a_gbk_file(tmp_path: Path):
    source = write_csv(tmp_path / "gbk.csv", CHINESE_HEADER, GOLDEN_ROWS, encoding="gbk")
    assert calc(tmp_path, source) == GOLDEN_OUTPUT


def test_it_reads_a_utf8_bom_file(tmp_path: Path):
    source = write_csv(tmp_path / "bom.csv", CHINESE_HEADER, GOLDEN_ROWS, encoding="utf-8-sig")
    assert calc(tmp_path, source) == GOLDEN_OUTPUT


def test_it_reads_an_xlsx_file_with_date_cells(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(CHINESE_HEADER)
    for row in GOLDEN_ROWS:
        cells: list[object] = list(row)
        for col in (2, 3, 4):  # real Excel date cells where there is a time
            cells[col] = datetime.fromisoformat(row[col]) if row[col] else None
        cells[5] = row[5] or None
        sheet.append(cells)
    source = tmp_path / "golden.xlsx"
    book.save(source)
    assert calc(tmp_path, source) == GOLDEN_OUTPUT


def test_it_neutralizes_formula_like_ticket_numbers(tmp_path: Path):
    source = write_csv(tmp_path / "f.csv", GOLDEN_HEADER, [["=HYPERLINK(1)", *GOLDEN_ROWS[2][1:]]])
    assert calc(tmp_path, source)[0][0] == "'=HYPERLINK(1)"


# --------------------------------------------------------------- failures


def test_bad_rows_raise_and_write_no_output(tmp_path: Path):
    rows = [GOLDEN_ROWS[0], ["BAD", "P1", "2024-10-14 09:00:00", "", "2024-10-13 09:00:00", ""]]
    source = write_csv(tmp_path / "bad.csv", GOLDEN_HEADER, rows)
    out = tmp_path / "out.csv"
    with pytest.raises(TicketFileError) as caught:
        run_sla_calc(source, out, cutoff=CUTOFF)
    assert [(e.row, e.reason) for e in caught.value.errors] == [(3, "解决时间早于创建时间")]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temp file left behind


def test_a_failed_run_leaves_the_previous_output_untouched(tmp_path: Path):
    out = tmp_path / "out.csv"
    out.write_text("previous")
    source = write_csv(tmp_path / "bad.csv", GOLDEN_HEADER, [["", "P1", "2024-10-14 09:00:00", "", "", ""]])
    with pytest.raises(TicketFileError):
        run_sla_calc(source, out, cutoff=CUTOFF)
    assert out.read_text() == "previous"


def test_bad_arguments_fail_before_reading(tmp_path: Path):
    missing = tmp_path / "does-not-exist.csv"
    with pytest.raises(ValueError, match="不支持单位 d"):
        run_sla_calc(missing, tmp_path / "o.csv", targets="P1=1d/2d")
    with pytest.raises(ValueError, match="未知的日历"):
        run_sla_calc(missing, tmp_path / "o.csv", calendar="6x9")
    with pytest.raises(ValueError):  # CalendarError from the engine
        run_sla_calc(missing, tmp_path / "o.csv", slots="18:00-09:00")
    assert not (tmp_path / "o.csv").exists()
