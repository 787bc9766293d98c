"""ServiceNow's Task SLA list export → first responses of tickets (a partial import).

The incident list has no first-response field; the Task SLA list (``task, sla,
sla.target, stage, has_breached, start_time, end_time, …``) has one row per SLA
attached to a task. The row whose target is *Response* and whose stage is
*Completed* gives the first response: its ``end_time``. A task with several such
rows (an SLA re-attached after a reassignment) takes the earliest. Other rows are
ignored. The CSV export writes field names as headers, the Excel export labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from opsqm.core.ticket_io.files import cleaned_columns
from opsqm.core.ticket_io.parse import DEFAULT_DATETIME_FORMATS, ParseOptions, Problems, _parse_times
from opsqm.core.ticket_io.reader import Source, match_columns, read_table
from opsqm.core.ticket_io.schema import ColumnMapping, TicketFileError

__all__ = ["FirstResponses", "TASK_SLA_COLUMNS", "read_task_sla"]

TASK_SLA_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "ticket_no": ("task", "Task"),
    "target": ("sla.target", "SLA definition.Target", "Target"),
    "stage": ("stage", "Stage"),
    "end_time": ("end_time", "Stop time", "End time"),
}
_RESPONSE: Final = "response"
_COMPLETED: Final = "completed"


@dataclass
class FirstResponses:
    ticket_no: np.ndarray  # object, one per task
    first_response: np.ndarray  # UTC datetime64[s]
    source_row: np.ndarray  # the row it came from


def read_task_sla(
    source: Source, *, filename: str, tz: str = "Asia/Shanghai", encoding: str = "auto", datetime_formats: tuple[str, ...] = ()
) -> FirstResponses:
    ZoneInfo(tz)
    table = read_table(source, filename=filename, encoding=encoding)
    wanted = {
        "ticket_no": TASK_SLA_COLUMNS["ticket_no"],
        "created_at": TASK_SLA_COLUMNS["end_time"],
        "status": TASK_SLA_COLUMNS["stage"],
        "type": TASK_SLA_COLUMNS["target"],
    }
    positions = match_columns(table.headers, wanted, required=())
    missing = [
        label
        for key, label in (("ticket_no", "task"), ("type", "sla.target"), ("status", "stage"), ("created_at", "end_time"))
        if key not in positions
    ]
    if missing:
        raise TicketFileError(
            "这不是 ServiceNow 任务 SLA（Task SLA）列表导出：缺少列 "
            + "、".join(missing)
            + "。导出时请在列表中加入 SLA 定义的“目标”（sla.target）列"
        )
    frame = table.whole()
    columns = cleaned_columns(table.headers, frame, ColumnMapping(columns={}), positions)
    rows = np.arange(table.first_row, table.first_row + frame.height, dtype=np.int64)
    del frame
    if not len(rows):
        raise TicketFileError("文件只有表头，没有任务 SLA 数据行")
    target, stage = columns["type"].str.to_lowercase(), columns["status"].str.to_lowercase()
    use = ((target == _RESPONSE) & (stage == _COMPLETED)).fill_null(False)
    mask = use.to_numpy()
    problems = Problems({h: i for i, h in enumerate(table.headers)})
    number = columns["ticket_no"].filter(use)
    end_text = columns["created_at"].filter(use)
    kept_rows = rows[mask]
    problems.add_mask(number.is_null(), kept_rows, number, number.name, "任务编号不能为空")
    problems.add_mask(end_text.is_null(), kept_rows, end_text, end_text.name, "已完成的响应 SLA 缺少结束时间")
    formats = tuple(dict.fromkeys((*datetime_formats, *DEFAULT_DATETIME_FORMATS)))
    ends = _parse_times(end_text, formats, ParseOptions(tz=tz), kept_rows, problems, "结束时间")
    problems.raise_if_any()
    if not len(kept_rows):
        raise TicketFileError("文件中没有“目标为 Response、阶段为 Completed”的行，没有可导入的首次响应时间")
    frame = (
        pl.DataFrame({"no": number, "at": ends.astype("datetime64[ms]"), "row": kept_rows})
        .sort(["no", "at", "row"])
        .unique(subset="no", keep="first", maintain_order=True)
    )
    return FirstResponses(
        np.asarray(frame["no"].to_list(), dtype=object), frame["at"].to_numpy().astype("datetime64[s]"), frame["row"].to_numpy()
    )
