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
  not instants, so there is no first-response timestamp to map. Default priority
  schemes: Highest/High/Medium/Low/Lowest, older Blocker/Critical/Major/Minor/Trivial.
* ServiceNow incident list — "Export → CSV" writes the column *names* as headers
  (number, opened_at, priority, state, resolved_at, closed_at, reopen_count,
  short_description, caller_id, sys_class_name) with display values; "Export →
  Excel" writes the *labels* (Number, Opened, Priority, State, Resolved, Closed,
  Reopen count, Short description, Caller, Task type). Priority display values are
  "1 - Critical" … "5 - Planning"; dates default to yyyy-MM-dd HH:mm:ss. The
  incident table has no standard first-response field (response SLAs live in
  task_sla records), and On Hold time is only a duration.
* GLPI — ticket search list "Export → CSV": search-option labels as headers (ID,
  Title, Status, Opening date, Priority, Resolution date, Closing date, Type,
  Requester), ";" as the default CSV delimiter, dates in the user's format (default
  YYYY-MM-DD HH:MM). Priorities: Very low, Low, Medium, High, Very high, Major.
  "Take into account time" is a delay, not an instant, so it is not mapped.
* 蓝鲸流程服务 BK-ITSM — ticket list export (TicketModelViewSet.export_excel, a
  UTF-8 CSV with BOM, first column 序号): builtin export fields 工单编号, 标题, 关联业务,
  工单类型, 服务目录, 状态, 当前步骤, 创建人, 创建时间, 结束时间, 服务, followed by the
  submitted ticket fields by display name (优先级, sometimes suffixed with its node
  as "优先级(提单)"); a field a ticket lacks is written as "--". The builtin
  priority dictionary has three levels 低/中/高.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from opsqm.core.ticket_io import CANONICAL_HEADERS, ColumnMapping

__all__ = ["Preset", "PRESETS"]


@dataclass(frozen=True)
class Preset:
    code: str
    name: str  # Chinese display name
    mapping: ColumnMapping
    notes: str  # Chinese: what the export lacks and what follows from it


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
        },
        priority_map={
            "Highest": "P1", "High": "P2", "Medium": "P3", "Low": "P4", "Lowest": "P4",
            "Blocker": "P1", "Critical": "P1", "Major": "P2", "Minor": "P3", "Trivial": "P4",
        },
        datetime_formats=("%d/%b/%y %I:%M %p",),
    ),
    notes="Jira 导出没有首次响应时间列（“Time to first response”是 SLA 剩余或已用时长的文字，不是时间点），"
    "因此无首次响应时间时按解决时间计响应，未解决的工单按已耗用工作时间判断是否超时。"
    "挂起时段（如 Waiting for customer 状态的暂停）、重开次数、一次解决均不在导出中。"
    "导出时间使用导出人个人资料中的时区和语言：请确认时区与项目一致，并以英文界面导出（月份缩写如 Sep）。",
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
            "1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3", "4 - Low": "P4", "5 - Planning": "P4",
            "1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4",
        },
    ),
    notes="ServiceNow 事件表没有标准的首次响应时间字段（响应 SLA 记录在 task_sla 表中），因此按解决时间计响应。"
    "On Hold（挂起）只有累计时长，没有时段，故不导入挂起时段。"
    "CSV 导出以字段名（number、opened_at…）作表头，Excel 导出以显示名（Number、Opened…）作表头，本预设两种都识别。"
    "时间为导出用户的时区和日期格式，请使用系统默认的 yyyy-MM-dd HH:mm:ss。5 - Planning 按 P4 处理。",
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
            "Major": "P1", "Very high": "P1", "High": "P2", "Medium": "P3", "Low": "P4", "Very low": "P4",
        },
    ),
    notes="GLPI 工单列表导出的 CSV 默认以分号分隔，读取时自动识别。"
    "GLPI 只导出受理耗时（Take into account time，是时长而不是时间点），因此按解决时间计响应；Pending（挂起）时段不导出。"
    "请以英文界面导出（表头和优先级名称按英文识别），个人设置中的日期格式保持默认 YYYY-MM-DD。"
    "Major 和 Very high 都按 P1 处理。",
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
            "contact": ("创建人", "提单人"),
            "priority": ("优先级", "优先级(提单)", "优先级（提单）"),
        },
        priority_map={"高": "P1", "中": "P2", "低": "P3"},
        null_values=frozenset({"--"}),
    ),
    notes="蓝鲸流程服务导出没有首次响应时间和挂起时段，按解决时间计响应。"
    "“结束时间”是流程结束的时间，作为解决时间使用；已终止、已撤销的工单也有结束时间，请在导出前筛除。"
    "导出时须勾选“优先级”字段；内置优先级只有 高/中/低 三级，分别按 P1/P2/P3 处理。"
    "单据没有某字段时导出为“--”，按空值处理。",
)

PRESETS: Final[dict[str, Preset]] = {
    preset.code: preset for preset in (_CANONICAL, _JIRA_SM, _SERVICENOW, _GLPI, _BLUEKING)
}
