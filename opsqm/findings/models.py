"""Findings (不符合项/问题), their corrective actions, the escalation ladder and the improvement register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager
from opsqm.records.safeurl import SafeURLField


class Finding(AuditedModel):
    class Severity(models.TextChoices):
        MAJOR = "major", _("重大")
        MINOR = "minor", _("一般")
        OBSERVATION = "observation", _("观察项")

    class Source(models.TextChoices):
        AUDIT = "audit", _("审核/检查")
        KPI = "kpi", _("指标未达标")
        COMPLAINT = "complaint", _("客户投诉")
        SATISFACTION = "satisfaction", _("满意度低分")
        MANUAL = "manual", _("手工登记")

    class Status(models.TextChoices):
        OPEN = "open", _("待分析")
        ANALYZED = "analyzed", _("已分析原因")
        ACTION_PLANNED = "action_planned", _("已制定措施")
        IMPLEMENTED = "implemented", _("已实施")
        CLOSED = "closed", _("已关闭（有效）")
        REOPENED = "reopened", _("重新打开")

    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("等级"), max_length=16, choices=Severity.choices, db_index=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("项目")
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("责任部门")
    )
    source_type = models.CharField(_("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源对象 ID"), max_length=64, blank=True)
    source_url = SafeURLField(_("来源链接"), max_length=500, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_raised", verbose_name=_("提出人")
    )
    raised_at = models.DateTimeField(_("提出时间"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="findings_owned", verbose_name=_("责任人")
    )
    cause = models.TextField(_("原因分析"), blank=True)
    due_date = models.DateField(_("答复期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    escalated_to_gm_at = models.DateTimeField(_("上报总经办时间"), null=True, blank=True)
    close_note = models.TextField(_("关闭/重开说明"), blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = AuditedManager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        indexes = [models.Index(fields=["source_type", "source_id"], name="finding_source")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | ~Q(status="closed"), name="finding_closed_has_time"
            ),
            models.CheckConstraint(condition=~Q(severity="major") | Q(escalated_to_gm_at__isnull=False), name="finding_major_escalated"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def audit_project_id(self) -> int | None:
        return self.project_id

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CorrectiveAction(AuditedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待实施")
        IMPLEMENTED = "implemented", _("已实施待验证")
        VERIFIED_EFFECTIVE = "verified_effective", _("验证有效")
        VERIFIED_INEFFECTIVE = "verified_ineffective", _("验证无效")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions", verbose_name=_("问题"))
    description = models.TextField(_("纠正措施"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions_owned", verbose_name=_("实施责任人")
    )
    due_date = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.PLANNED, db_index=True)
    implemented_at = models.DateTimeField(_("实施时间"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("实施人")
    )
    implementation_note = models.TextField(_("实施说明"), blank=True)
    # Uploaded evidence lives in opsqm.records.EvidenceFile (owner = this action); this text field
    # holds a reference to evidence kept elsewhere (document number, file-server path, ticket number).
    evidence_ref = models.CharField(_("证据材料"), max_length=300, blank=True, help_text=_("证据文件编号或存放位置"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("验证人")
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verification_note = models.TextField(_("验证意见"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("制定人"))
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    objects = AuditedManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("纠正措施")
        verbose_name_plural = _("纠正措施")
        constraints = [
            # Nobody verifies their own work: not the implementer, not the action owner.
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("implemented_by")), name="action_verifier_not_implementer"
            ),
            models.CheckConstraint(condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("owner")), name="action_verifier_not_owner"),
            # Steps cannot be skipped: a verified action was implemented first.
            models.CheckConstraint(
                condition=Q(status="planned") | Q(implemented_at__isnull=False, implemented_by__isnull=False),
                name="action_implemented_has_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["verified_effective", "verified_ineffective"])
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="action_verified_has_who_when",
            ),
            models.CheckConstraint(condition=Q(escalation_level__lte=3), name="action_escalation_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.finding.code} · {self.description[:40]}"

    def audit_project_id(self) -> int | None:
        return self.finding.project_id

    @classmethod
    def evidence_owner_queryset(cls, user):
        """Evidence files of an action may be downloaded by whoever may see its finding (records:evidence_download)."""
        from opsqm.findings.selectors import actions_visible_to

        return actions_visible_to(user)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PLANNED


class FindingEvent(models.Model):
    """The timeline of a finding shown on its page (the audit trail keeps the field-level detail)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记问题")
        ESCALATED_GM = "escalated_gm", _("上报总经办")
        EDITED = "edited", _("修改问题")
        ANALYZED = "analyzed", _("原因分析")
        ACTION_PLANNED = "action_planned", _("制定纠正措施")
        ACTION_EDITED = "action_edited", _("修改纠正措施")
        IMPLEMENTED = "implemented", _("措施已实施")
        VERIFIED_EFFECTIVE = "verified_effective", _("验证有效")
        VERIFIED_INEFFECTIVE = "verified_ineffective", _("验证无效")
        CLOSED = "closed", _("关闭")
        REOPENED = "reopened", _("重新打开")
        OVERDUE = "overdue", _("逾期督办")
        IMPROVEMENT = "improvement", _("列入服务改进计划")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events", verbose_name=_("问题"))
    action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("纠正措施")
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")

    def __str__(self) -> str:
        return f"{self.finding} · {self.get_kind_display()}"


class ActionEscalation(models.Model):
    """One climb of the overdue ladder: 0 owner, 1 O&M manager, 2 management representative, 3 总经办."""

    class Level(models.IntegerChoices):
        OWNER = 0, _("责任人")
        OPS_MANAGER = 1, _("运维经理")
        MGMT_REP = 2, _("管理者代表")
        GM_OFFICE = 3, _("总经办")

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("纠正措施"))
    level = models.PositiveSmallIntegerField(_("督办级别"), choices=Level.choices)
    at = models.DateTimeField(_("时间"))
    on_date = models.DateField(_("督办日期"))
    days_overdue = models.PositiveIntegerField(_("逾期天数"))
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("通知对象"))

    class Meta:
        ordering = ["action", "level"]
        verbose_name = _("逾期督办记录")
        verbose_name_plural = _("逾期督办记录")
        constraints = [
            # Running the ladder twice never records the same climb twice.
            models.UniqueConstraint(fields=["action", "level"], name="escalation_once_per_level"),
            models.CheckConstraint(condition=Q(level__lte=3), name="escalation_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.get_level_display()}"


class ImprovementItem(AuditedModel):
    """An entry of the service improvement plan (服务改进计划)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        IN_PROGRESS = "in_progress", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("改进事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    target = models.CharField(_("改进目标"), max_length=300)
    measure = models.TextField(_("改进措施"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvements_owned", verbose_name=_("责任人")
    )
    due_date = models.DateField(_("计划完成日期"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True)
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="improvements", verbose_name=_("项目")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="improvements", verbose_name=_("来源问题")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    objects = AuditedManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("服务改进项")
        verbose_name_plural = _("服务改进计划")
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="improvement_progress_0_100"),
            models.CheckConstraint(condition=~Q(status="done") | Q(progress=100), name="improvement_done_is_100"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def audit_project_id(self) -> int | None:
        return self.project_id


class ImprovementUpdate(models.Model):
    item = models.ForeignKey(ImprovementItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("改进项"))
    date = models.DateField(_("日期"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"))
    note = models.TextField(_("进展说明"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人"))
    at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("改进进展")
        verbose_name_plural = _("改进进展")
        constraints = [models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="improvement_update_progress_0_100")]

    def __str__(self) -> str:
        return f"{self.item} · {self.note[:40]}"
