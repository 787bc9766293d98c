"""The annual quality plan (C2, seed 2.1 / 2.5): objectives and dated activities, approved by 总经办;
project quality-assurance plans (seed 2.1.5, 2.2.2) whose planned checks become plan activities.

An approved plan changes only through a recorded revision (`PlanRevision`), one row per change.
An activity is fulfilled by linking the record that fulfils it (an audit, a management review, a
quarterly report, a survey campaign): a generic link (content type + id) to a kind registered in
`opsqm.plans.linking`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回修改")


class QualityPlan(AuditedModel):
    """年度质量管理计划: one per year."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("计划名称"), max_length=200)
    notes = models.TextField(_("编制说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人"))
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人")
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.TextField(_("审批意见"), blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度质量管理计划")
        verbose_name_plural = _("年度质量管理计划")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="quality_plan_approved_has_who_when",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="quality_plan_year_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        """Freely editable (no revision needed): draft or returned."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanDecision(AuditedModel):
    """The approval conversation: submit, approve, return (with comments)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回修改")

    plan = models.ForeignKey(QualityPlan, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("计划"))
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("意见"), blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["plan", "at", "id"]
        verbose_name = _("计划审批记录")
        verbose_name_plural = _("计划审批记录")


class PlanRevision(AuditedModel):
    """One recorded change of an approved plan: who, when, why, what."""

    plan = models.ForeignKey(QualityPlan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("计划"))
    number = models.PositiveIntegerField(_("修订号"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修订人"))
    at = models.DateTimeField(_("修订时间"))
    reason = models.TextField(_("修订原因"))
    change = models.TextField(_("修订内容"))
    objects = AuditedManager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("计划修订记录")
        verbose_name_plural = _("计划修订记录")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_number_once")]


class MeasurePeriod(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年度")
    YEAR = "year", _("年度")


class QualityObjective(AuditedModel):
    """质量目标: indicator / formula / target / measuring period; linked to a KPI or measured by hand."""

    plan = models.ForeignKey(QualityPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("计划"))
    indicator = models.CharField(_("指标项"), max_length=100)
    formula = models.CharField(_("计算公式"), max_length=300, blank=True)
    kpi = models.CharField(
        _("关联指标"), max_length=32, blank=True, help_text=_("选择指标库中的指标后，达成情况自动取自指标数据；不选则手工填写实际值。")
    )
    target = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=4, help_text=_("比率按小数填写，如 0.9 表示 90%；次数、小时按数值填写。")
    )
    unit = models.CharField(_("单位"), max_length=8, choices=[("%", "%"), ("次", _("次")), ("h", _("小时")), ("分", _("分"))], default="%")
    higher_is_better = models.BooleanField(_("越高越好"), default=True)
    period = models.CharField(_("度量周期"), max_length=8, choices=MeasurePeriod.choices, default=MeasurePeriod.QUARTER)
    manual_actual = models.DecimalField(_("实际值（手工）"), max_digits=14, decimal_places=4, null=True, blank=True)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("质量目标")
        verbose_name_plural = _("质量目标")

    def __str__(self) -> str:
        return self.indicator


class ActivityType(models.TextChoices):
    """In the order of the plan table (seed 2.1, 2.5)."""

    PLAN = "plan", _("年度质量计划编制")
    SUPERVISION = "supervision", _("体系运行监督")
    KPI_REVIEW = "kpi_review", _("质量指标收集与分析")
    INTERNAL_AUDIT = "internal_audit", _("运维服务能力内审")
    MANAGEMENT_REVIEW = "management_review", _("管理评审")
    SATISFACTION = "satisfaction", _("客户满意度调查")
    PROJECT_QA = "project_qa", _("项目质量保证计划")
    PROJECT_CHECK = "project_check", _("项目级质量检查")
    OTHER = "other", _("其他")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    OVERDUE = "overdue", _("已逾期")


class PlanActivity(AuditedModel):
    plan = models.ForeignKey(QualityPlan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("计划"))
    type = models.CharField(_("活动类型"), max_length=24, choices=ActivityType.choices)
    title = models.CharField(_("活动"), max_length=200)
    content = models.TextField(_("内容/检查细节"), blank=True)
    scope_org = models.BooleanField(_("组织级"), default=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    projects = models.ManyToManyField("org.Project", blank=True, related_name="plan_activities", verbose_name=_("项目"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_activities", verbose_name=_("负责人"))
    due_date = models.DateField(_("计划完成日期"), db_index=True)
    output = models.CharField(_("输出物"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED, db_index=True)
    # The record that fulfils it (generic: a kind registered in opsqm.plans.linking).
    linked_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("关联记录类型"), editable=False
    )
    linked_id = models.PositiveBigIntegerField(_("关联记录"), null=True, blank=True, editable=False)
    linked_label = models.CharField(_("关联记录名称"), max_length=250, blank=True, editable=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("完成确认人"),
        editable=False,
    )
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0, editable=False)
    cadence_key = models.CharField(_("生成依据"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("计划活动")
        verbose_name_plural = _("计划活动")
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False), name="plan_activity_done_has_when"),
            models.CheckConstraint(
                condition=Q(linked_type__isnull=True, linked_id__isnull=True) | Q(linked_type__isnull=False, linked_id__isnull=False),
                name="plan_activity_link_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_date:%Y-%m-%d} {self.title}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != ActivityStatus.DONE and self.due_date < today

    def shown_status(self, today: dt.date) -> str:
        return ActivityStatus.OVERDUE if self.is_overdue(today) else self.status

    def shown_status_label(self, today: dt.date) -> str:
        return str(ActivityStatus(self.shown_status(today)).label)


class ActivityEscalation(AuditedModel):
    """One climb of the overdue ladder for an activity (same ladder as corrective actions)."""

    activity = models.ForeignKey(PlanActivity, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("活动"))
    level = models.PositiveSmallIntegerField(_("级别"))
    on_date = models.DateField(_("督办日期"))
    days_overdue = models.PositiveIntegerField(_("逾期天数"))
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("已通知"))
    objects = AuditedManager()

    class Meta:
        ordering = ["activity", "level"]
        verbose_name = _("活动逾期督办")
        verbose_name_plural = _("活动逾期督办")
        constraints = [models.UniqueConstraint(fields=["activity", "level"], name="activity_escalation_once_per_level")]


class CalendarFeed(models.Model):
    """A user's secret iCalendar URL. Only the SHA-256 of the token is stored; revoking deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_feed", verbose_name=_("用户"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    # ------------------------------------------------------------------ project QA plans

    def __str__(self) -> str:
        return f"{self.user}"


class Phase(models.TextChoices):
    INITIATION = "initiation", _("项目启动")
    PLANNING = "planning", _("项目计划")
    DELIVERY = "delivery", _("项目实施")
    MONITORING = "monitoring", _("项目监控")
    CLOSURE = "closure", _("项目收尾")


class ProjectQAPlan(AuditedModel):
    """项目质量保证计划: drafted by the quality manager with the project's O&M manager at project start."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AGREED = "agreed", _("已确认")

    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="qa_plans", verbose_name=_("项目"))
    plan = models.ForeignKey(
        QualityPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="qa_plans", verbose_name=_("年度质量计划")
    )
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reporting = models.TextField(_("质量报告安排"), blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人"))
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("运维经理确认")
    )
    agreed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["project__code", "-id"]
        verbose_name = _("项目质量保证计划")
        verbose_name_plural = _("项目质量保证计划")

    def __str__(self) -> str:
        return self.title

    def audit_project_id(self) -> int | None:
        return self.project_id


class PlannedCheck(AuditedModel):
    """A project-level check planned in a QA plan; it is an activity of the annual plan and, when run, an audit."""

    qa_plan = models.ForeignKey(ProjectQAPlan, on_delete=models.CASCADE, related_name="checks", verbose_name=_("项目质量保证计划"))
    phase = models.CharField(_("阶段"), max_length=16, choices=Phase.choices)
    title = models.CharField(_("检查内容"), max_length=200)
    checklist = models.ForeignKey("checklists.ChecklistTemplate", on_delete=models.PROTECT, related_name="+", verbose_name=_("检查单"))
    due_date = models.DateField(_("计划日期"))
    activity = models.OneToOneField(
        PlanActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="planned_check", verbose_name=_("计划活动")
    )
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("检查记录")
    )
    objects = AuditedManager()

    class Meta:
        ordering = ["qa_plan", "due_date", "id"]
        verbose_name = _("计划检查")
        verbose_name_plural = _("计划检查")

    def audit_project_id(self) -> int | None:
        return self.qa_plan.project_id


class PlannedReview(AuditedModel):
    """A review the project must accept (seed 2.2.2): customer representative, QA expert, third party."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("客户代表评审")
        EXPERT = "expert", _("质量保证专家评审")
        THIRD_PARTY = "third_party", _("第三方评审机构评审")

    qa_plan = models.ForeignKey(ProjectQAPlan, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("项目质量保证计划"))
    kind = models.CharField(_("评审类型"), max_length=16, choices=Kind.choices)
    due_date = models.DateField(_("计划日期"))
    reviewer = models.CharField(_("评审方"), max_length=100, blank=True)
    accepted = models.BooleanField(_("已接受评审"), default=False)
    result = models.TextField(_("评审结论"), blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["qa_plan", "due_date", "id"]
        verbose_name = _("计划评审")
        verbose_name_plural = _("计划评审")
