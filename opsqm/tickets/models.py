"""Business calendars, SLA agreements, tickets and their stored SLA results (C6).

Tickets are bulk data: they do not inherit AuditedModel; each import or push is
recorded once with `record_bulk`. Calendars and agreements are audited records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, F, Q
from django.utils.translation import gettext_lazy as _

from opsqm.core.sla import Status
from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class CalendarKind(models.TextChoices):
    ALWAYS = "always", _("7×24")
    WEEKLY = "weekly", _("按周时段")


class Calendar(AuditedModel):
    """A working-time calendar. `weekly_slots` maps "0" (Monday) … "6" (Sunday) to
    [[start_second, end_second], …] in local time of `time_zone`."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=CalendarKind.choices, default=CalendarKind.WEEKLY)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    weekly_slots = models.JSONField(_("每周工作时段"), default=dict, blank=True)
    use_china_holidays = models.BooleanField(_("适用国家法定节假日与调休"), default=True)
    builtin = models.BooleanField(_("系统内置"), default=False, editable=False)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["-builtin", "code"]
        verbose_name = _("业务日历")
        verbose_name_plural = _("业务日历")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class HolidayYear(AuditedModel):
    """A China statutory schedule imported by a user; replaces the built-in year of the
    same notice year or adds a year the built-in table does not have."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    holidays = models.JSONField(_("放假日期"), default=list)
    makeup_workdays = models.JSONField(_("调休上班日期"), default=list)
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("导入人")
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("法定节假日安排")
        verbose_name_plural = _("法定节假日安排")

    def __str__(self) -> str:
        return str(self.year)


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息")
    WORKDAY = "workday", _("上班")


class CalendarException(AuditedModel):
    """A calendar's own day off or extra workday (customer-specific holiday lists)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("日历"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=ExceptionKind.choices)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历例外日")
        verbose_name_plural = _("日历例外日")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class SlaAgreement(AuditedModel):
    project = models.OneToOneField("org.Project", on_delete=models.CASCADE, related_name="sla", verbose_name=_("项目"))
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("业务日历"))
    pause_statuses = models.JSONField(_("暂停计时的状态"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    objects = AuditedManager()

    class Meta:
        verbose_name = _("SLA 协议")
        verbose_name_plural = _("SLA 协议")

    def __str__(self) -> str:
        return f"{self.project_id} SLA"

    def audit_project_id(self) -> int | None:
        return self.project_id


class SlaPriority(AuditedModel):
    agreement = models.ForeignKey(SlaAgreement, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("SLA 协议"))
    code = models.CharField(_("优先级代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=50)
    response_seconds = models.PositiveIntegerField(_("响应时限（工作时间秒）"))
    resolution_seconds = models.PositiveIntegerField(_("解决时限（工作时间秒）"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("SLA 优先级")
        verbose_name_plural = _("SLA 优先级")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="sla_priority_unique_code"),
            models.CheckConstraint(condition=Q(response_seconds__gt=0) & Q(resolution_seconds__gt=0), name="sla_priority_targets_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_project_id(self) -> int | None:
        return self.agreement.project_id


class SlaStatus(models.IntegerChoices):
    """Mirrors opsqm.core.sla.Status."""

    NA = int(Status.NA), _("不适用")
    PENDING = int(Status.PENDING), _("未到期")
    MET = int(Status.MET), _("达标")
    BREACHED = int(Status.BREACHED), _("超时")


class TicketSource(models.TextChoices):
    IMPORT = "import", _("文件导入")
    API = "api", _("接口推送")


class StagedImport(models.Model):
    """A large SQLite import whose new tickets are being written in short transactions.

    Tickets whose `staged_by` names a row here are invisible to every reader (`TicketManager`)
    until the import's last, short transaction deletes the row: the import stays all-or-nothing
    for readers while a login or any short write waits at most one chunk (issue 7). A row left by
    a killed process is purged with its tickets (`opsqm.tickets.staging.purge_abandoned`)."""

    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.project_id} · {self.started_at:%Y-%m-%d %H:%M}"


class TicketManager(models.Manager):
    """Every reader's tickets: on SQLite, without the rows of an import still in progress.

    The guard `NOT EXISTS (any staged import)` is evaluated once per query, so when no import
    is staging (nearly always) the query plans and covering indexes stay as they were."""

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        if connections[self.db].vendor != "sqlite":  # PostgreSQL: one transaction hides an import
            return qs
        staging = StagedImport.objects.all()
        return qs.filter(~Exists(staging) | Q(staged_by__isnull=True) | ~Q(staged_by__in=staging.values("pk")))


class Ticket(models.Model):
    """One ticket of a project, with its SLA results as last computed.

    The stored statuses are as of `sla_cutoff` (the moment of the last recompute:
    import, push, or a calendar/agreement change). Done tickets (responded, resolved)
    never change with the cut-off; a PENDING status may have become BREACHED since —
    callers that need "as of now" re-evaluate pending tickets against the due times.
    """

    # No index of its own: (project, number), (project, created_at) and (project, priority) all
    # start with it, and a fourth full index costs every million-row import seconds.
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="tickets", verbose_name=_("项目"), db_index=False)
    number = models.CharField(_("工单号"), max_length=64)
    priority = models.CharField(_("优先级"), max_length=16)
    type = models.CharField(_("类型"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=50, blank=True)
    title = models.CharField(_("标题"), max_length=300, blank=True)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True, db_default="")
    contact_email = models.EmailField(_("联系人邮箱"), max_length=254, blank=True, db_default="")
    created_at = models.DateTimeField(_("创建时间"))
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("重开次数"), default=0)
    first_contact_resolution = models.BooleanField(_("一次解决"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=TicketSource.choices, default=TicketSource.IMPORT)
    updated_at = models.DateTimeField(_("更新时间"))
    # Content hash of the source data (fields + pauses): equal hash = unchanged row.
    row_hash = models.CharField(max_length=32, blank=True)

    response_seconds = models.BigIntegerField(_("响应用时（工作秒）"), null=True, blank=True)
    resolution_seconds = models.BigIntegerField(_("解决用时（工作秒）"), null=True, blank=True)
    paused_seconds = models.BigIntegerField(_("暂停时长（工作秒）"), null=True, blank=True)
    response_status = models.SmallIntegerField(_("响应 SLA"), choices=SlaStatus.choices, default=SlaStatus.NA)
    resolution_status = models.SmallIntegerField(_("解决 SLA"), choices=SlaStatus.choices, default=SlaStatus.NA)
    response_due = models.DateTimeField(_("响应期限"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("解决期限"), null=True, blank=True)
    # First instant at which each clock counts as breached if not done by then (NULL: never —
    # no target, or a pause still open). Lets the KPI pages evaluate open tickets in SQL at any
    # later cut-off (opsqm.core.sla, opsqm.kpis.open_status); written with the statuses.
    response_breach_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breach_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_computed_at = models.DateTimeField(_("SLA 计算时间"), null=True, blank=True)
    sla_cutoff = models.DateTimeField(_("SLA 截止时点"), null=True, blank=True)
    # The StagedImport that wrote this row (SQLite large imports); the row is visible once that
    # import row is gone. Kept afterwards: a stage id is never reused (AUTOINCREMENT).
    staged_by = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = TicketManager()

    class Meta:
        ordering = ["-created_at", "number"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="ticket_unique_number"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("created_at")), name="ticket_resolved_after_created"
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("created_at")),
                name="ticket_response_after_created",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "created_at"], name="ticket_project_created"),
            models.Index(fields=["project", "priority"], name="ticket_project_priority"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketPause(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("工单"))
    start = models.DateTimeField(_("暂停开始"))
    # NULL: the pause is still open (it lasts until the ticket is resolved or the cut-off).
    end = models.DateTimeField(_("暂停结束"), null=True, blank=True)

    class Meta:
        ordering = ["ticket", "start"]
        verbose_name = _("工单暂停")
        verbose_name_plural = _("工单暂停")
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=F("start")), name="ticket_pause_end_after_start")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.start:%Y-%m-%d %H:%M}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")


class TicketImport(AuditedModel):
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="ticket_imports", verbose_name=_("项目"))
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    stored_path = models.CharField(max_length=300, blank=True, editable=False)
    preset = models.CharField(_("格式预设"), max_length=32)
    mapping = models.JSONField(_("列映射"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    error_report = models.FileField(_("错误报告"), upload_to="import_reports/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("工单导入")
        verbose_name_plural = _("工单导入")

    def __str__(self) -> str:
        return self.file_name

    def audit_project_id(self) -> int | None:
        return self.project_id


class ColumnMappingProfile(AuditedModel):
    project = models.ForeignKey("org.Project", on_delete=models.CASCADE, related_name="column_mappings", verbose_name=_("项目"))
    name = models.CharField(_("名称"), max_length=100)
    mapping = models.JSONField(_("列映射"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("列映射方案")
        verbose_name_plural = _("列映射方案")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="mapping_profile_unique_name")]

    def __str__(self) -> str:
        return self.name

    def audit_project_id(self) -> int | None:
        return self.project_id
