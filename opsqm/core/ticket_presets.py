"""Column-mapping presets for the ticket exports of common ITSM tools, as data.

Each preset maps what the tool really exports; a field the export does not carry
is left unmapped and its ``notes`` (shown to the user before import) say what
follows from that. Where a tool's header wording differs between its CSV and its
Excel export, or between versions, a field lists the alternatives.

Sources, per tool:

* Jira Service Management / Jira Cloud — "Export issues → Export Excel CSV (all
  fields)". Headers are the field names ("Issue key", "Summary", "Issue Type",
  "Status", "Priority", "Reporter", "Created", "Resolved", ...); dates use Jira's
  default "dd/MMM/yy h:mm a" (e.g. 27/Sep/24 5:00 PM) in the exporting user's time
  zone and language. The SLA columns ("Custom field (Time to first response)",
  "Custom field (Time to resolution)") hold remaining/elapsed durations as text,
  not instants; the first-response *instant* is the [CHART] field
  "Custom field ([CHART] Date of First Response)", written "yyyy-MM-dd HH:mm:ss.SSS".
  Multi-value fields repeat their header once per value ("Labels", "Comment",
  "Watchers"...). Default priority schemes: Highest/High/Medium/Low/Lowest, older
  Blocker/Critical/Major/Minor/Trivial.
* ServiceNow incident list — "Export → CSV" writes the column *names* as headers
  (number, opened_at, priority, state, resolved_at, closed_at, reopen_count,
  short_description, caller_id, sys_class_name) with display values; "Export →
  Excel" writes the *labels* (Number, Opened, Priority, State, Resolved, Closed,
  Reopen count, Short description, Caller, Task type). Priority display values are
  "1 - Critical" … "5 - Planning"; dates default to yyyy-MM-dd HH:mm:ss. The
  incident table has no standard first-response field (response SLAs live in
  task_sla records), and On Hold time is only a duration. The Task SLA list export
  (task, sla, sla.target, stage, has_breached, start_time, end_time, …) has them:
  its preset ``servicenow_task_sla`` fills first responses of imported tickets.
* GLPI — ticket search list "Export → CSV": search-option labels as headers (ID,
  Title, Status, Opening date, Priority, Resolution date, Closing date, Type,
  Requester), ";" as the default CSV delimiter, dates in the user's format (default
  YYYY-MM-DD HH:MM). Priorities: Very low, Low, Medium, High, Very high, Major.
  "Take into account time" is a delay, not an instant, so it is not mapped. The ID
  column is formatted with the user's number format ("1 184" with a space, a
  no-break space or a comma). GLPI 10's CSV writer replaces each `"` inside a value
  by two single quotes `''` (GLPI 11 quotes properly).
* 蓝鲸流程服务 BK-ITSM — ticket list export (TicketModelViewSet.export_excel, a
  UTF-8 CSV with BOM, first column 序号): builtin export fields 工单编号, 标题, 关联业务,
  工单类型, 服务目录, 状态, 当前步骤, 创建人, 创建时间, 结束时间, 服务, followed by the
  submitted ticket fields by display name (优先级, sometimes suffixed with its node
  as "优先级(提单)"); a field a ticket lacks is written as "--". Priorities are
  紧急/高/中/低 in common service forms. 结束时间 is set when the flow ends for any
  reason: 已完成 (finished), 已终止 (terminated) or 已撤销 (withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from opsqm.core.ticket_io import CANONICAL_HEADERS, ColumnMapping

__all__ = ["Preset", "PRESETS", "preset_or_error"]


@dataclass(frozen=True)
class Preset:
    code: str
    name: str  # Chinese display name
    mapping: ColumnMapping
    notes: str  # Chinese: what the export lacks and what follows from it
    kind: str = "tickets"  # "first_responses": a partial import of first-response times only


_CANONICAL = Preset(
    code="canonical",
    name="标准格式（opsqm 模板）",
    mapping=ColumnMapping(columns=dict(CANONICAL_HEADERS)),
    notes="opsqm 的标准导入格式，表头可用英文（ticket_no、priority、created_at…）或中文（工单号、优先级、创建时间…）。"
    "时间格式 YYYY-MM-DD HH:MM:SS，挂起时段写成“开始/结束”，多段以 ; 分隔。",
)

_JIRA_SM = Preset(
    code="jira_sm",
    name="Jira Service Management 导出",
    mapping=ColumnMapping(
        columns={
            "ticket_no": "Issue key",
            "priority": "Priority",
            "created_at": "Created",
            "resolved_at": "Resolved",
            "status": "Status",
            "type": "Issue Type",
            "title": "Summary",
            "contact": "Reporter",
            "first_response_at": ("Custom field ([CHART] Date of First Response)", "[CHART] Date of First Response"),
        },
        priority_map={
            "Highest": "P1",
            "High": "P2",
            "Medium": "P3",
            "Low": "P4",
            "Lowest": "P4",
            "Blocker": "P1",
            "Critical": "P1",
            "Major": "P2",
            "Minor": "P3",
            "Trivial": "P4",
        },
        datetime_formats=("%d/%b/%y %I:%M %p",),
    ),
    notes="请用“导出 → CSV（所有字段）”。首次响应时间取“Custom field ([CHART] Date of First Response)”列"
    "（如 2024-09-27 17:20:00.123，不足一秒的部分舍去）；“Time to first response”只是 SLA 剩余时长的文字，不使用。"
    "其他时间形如 27/Sep/24 5:00 PM（12 小时制，12:xx AM 是凌晨 0 点）。Labels、Comment 等列会重复出现，按第一列读取。"
    "挂起时段、重开次数、一次解决不在导出中。时间按导出人个人资料中的时区：请确认与项目时区一致，并以英文界面导出。",
)

_SERVICENOW = Preset(
    code="servicenow",
    name="ServiceNow 事件列表导出",
    mapping=ColumnMapping(
        columns={
            "ticket_no": ("number", "Number"),
            "priority": ("priority", "Priority"),
            "created_at": ("opened_at", "Opened"),
            "resolved_at": ("resolved_at", "Resolved"),
            "closed_at": ("closed_at", "Closed"),
            "status": ("state", "State", "incident_state", "Incident state"),
            "reopen_count": ("reopen_count", "Reopen count"),
            "title": ("short_description", "Short description"),
            "contact": ("caller_id", "Caller"),
            "type": ("sys_class_name", "Task type"),
        },
        priority_map={
            "1 - Critical": "P1",
            "2 - High": "P2",
            "3 - Moderate": "P3",
            "4 - Low": "P4",
            "5 - Planning": "P4",
            "1": "P1",
            "2": "P2",
            "3": "P3",
            "4": "P4",
            "5": "P4",
        },
    ),
    notes="ServiceNow 事件列表没有首次响应时间：先导入事件列表，再用“ServiceNow 任务 SLA 列表导出”补上首次响应时间；"
    "补上之前按解决时间计响应。"
    "On Hold（挂起）只有累计时长，没有时段，故不导入挂起时段。"
    "CSV 导出以字段名（number、opened_at…）作表头，Excel 导出以显示名（Number、Opened…）作表头，本预设两种都识别。"
    "时间为导出用户的时区和日期格式，请使用系统默认的 yyyy-MM-dd HH:mm:ss。5 - Planning 按 P4 处理。",
)

_SERVICENOW_TASK_SLA = Preset(
    code="servicenow_task_sla",
    name="ServiceNow 任务 SLA 列表导出（补充首次响应时间）",
    mapping=ColumnMapping(columns={}),
    kind="first_responses",
    notes="只补充已导入工单的首次响应时间，不改动其他字段。在 Task SLA 列表中加入 task、sla.target、stage、end_time 列后导出 CSV；"
    "目标为 Response、阶段为 Completed 的那一行的结束时间即首次响应时间（同一工单有多行时取最早的）。"
    "文件中有系统里还没有的工单号时，整个文件不导入并列出这些工单号：请先导入事件列表。重复导入同一文件不会改变任何数据。",
)

_GLPI = Preset(
    code="glpi",
    name="GLPI 工单列表导出",
    mapping=ColumnMapping(
        columns={
            "ticket_no": "ID",
            "title": "Title",
            "status": "Status",
            "created_at": "Opening date",
            "priority": "Priority",
            "resolved_at": "Resolution date",
            "closed_at": "Closing date",
            "type": "Type",
            "contact": ("Requester", "Requester - Requester"),
        },
        priority_map={
            "Major": "P1",
            "Very high": "P1",
            "High": "P2",
            "Medium": "P3",
            "Low": "P4",
            "Very low": "P4",
        },
        id_thousands=True,
        doubled_quotes=True,
    ),
    notes="GLPI 工单列表导出的 CSV 默认以分号分隔，读取时自动识别。"
    "GLPI 只导出受理耗时（Take into account time，是时长而不是时间点），因此按解决时间计响应；Pending（挂起）时段不导出。"
    "请以英文界面导出（表头和优先级名称按英文识别），个人设置中的日期格式保持默认 YYYY-MM-DD。"
    "Major 和 Very high 都按 P1 处理。工单 ID 中的千位分隔（如 1 184、1,184）会去掉，与其他来源的同一工单对应；"
    "GLPI 10 导出把文字中的双引号写成两个单引号（''），读取时还原为双引号。",
)

_BLUEKING = Preset(
    code="blueking",
    name="蓝鲸流程服务（BK-ITSM）工单导出",
    mapping=ColumnMapping(
        columns={
            "ticket_no": ("工单编号", "单号"),
            "title": "标题",
            "type": ("工单类型", "服务类型"),
            "status": ("状态", "当前状态"),
            "created_at": ("创建时间", "提单时间"),
            "resolved_at": "结束时间",
            "contact": ("联系人", "创建人", "提单人"),
            "contact_phone": ("联系电话", "联系人电话", "手机号"),
            "contact_email": ("联系人邮箱", "邮箱"),
            "priority": ("优先级", "优先级(提单)", "优先级（提单）"),
        },
        priority_map={"紧急": "P1", "高": "P2", "中": "P3", "低": "P4"},
        null_values=frozenset({"--"}),
        resolved_statuses=frozenset({"已完成"}),
    ),
    notes="蓝鲸流程服务导出没有首次响应时间和挂起时段，按解决时间计响应。"
    "只有状态为“已完成”的工单把“结束时间”作为解决时间；已终止、已撤销的工单不算解决（仍按未解决计时）。"
    "导出时须勾选“优先级”字段；默认 紧急→P1、高→P2、中→P3、低→P4，可在列映射页逐项调整。"
    "单据没有某字段时导出为“--”，按空值处理。",
)

PRESETS: Final[dict[str, Preset]] = {
    preset.code: preset for preset in (_CANONICAL, _JIRA_SM, _SERVICENOW, _SERVICENOW_TASK_SLA, _GLPI, _BLUEKING)
}


def preset_or_error(code: str) -> Preset:
    """The preset, or a ValueError whose Chinese message names the choices by name."""
    if code not in PRESETS:
        names = "、".join(p.name for p in PRESETS.values())
        raise ValueError(f"未知的文件格式预设，请从以下格式中选择：{names}")
    return PRESETS[code]
