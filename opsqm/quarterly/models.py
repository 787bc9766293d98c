"""The quarterly KPI review (C7, seed 2.3.1): opened by the quality manager at quarter end, O&M
managers submit each project's summary and next quarter's plan, the quality manager analyses,
the report goes to 总经办 who acknowledge or return it; the quarter then closes and the report
files are kept as records (evidence files of the review)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class QuarterlyReview(AuditedModel):
    class Status(models.TextChoices):
        COLLECTING = "collecting", _("收集总结中")
        REPORTED = "reported", _("已报总经办")
        RETURNED = "returned", _("总经办退回")
        CLOSED = "closed", _("已关闭")

    year = models.PositiveIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.COLLECTING)
    due_date = models.DateField(_("总结提交期限"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    opened_at = models.DateTimeField(_("发起时间"))
    analysis = models.TextField(_("质量分析"), blank=True)
    requirements = models.TextField(_("改进要求"), blank=True)
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    gm_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("总经办")
    )
    gm_at = models.DateTimeField(_("总经办处理时间"), null=True, blank=True)
    gm_note = models.TextField(_("总经办意见"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    report_docx = models.ForeignKey(
        "records.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("季度质量报告（Word）")
    )
    report_xlsx = models.ForeignKey(
        "records.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("季度质量报告（Excel）")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("季度质量分析")
        verbose_name_plural = _("季度质量分析")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="quarterly_review_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarterly_review_quarter_range"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False, gm_by__isnull=False), name="quarterly_review_closed_acknowledged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年第 {self.quarter} 季度质量分析"

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class QuarterlySubmission(AuditedModel):
    """One project's quarter: the O&M manager's work summary and next quarter's plan."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待提交")
        SUBMITTED = "submitted", _("已提交")

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("季度质量分析"))
    project = models.ForeignKey("org.Project", on_delete=models.PROTECT, related_name="quarterly_submissions", verbose_name=_("项目"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("运维经理"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # structured fields
    tickets_handled = models.PositiveIntegerField(_("处理工单数"), null=True, blank=True)
    major_incidents = models.PositiveIntegerField(_("重大事件数"), null=True, blank=True)
    service_reports = models.PositiveIntegerField(_("提交服务报告份数"), null=True, blank=True)
    customer_meetings = models.PositiveIntegerField(_("客户例会/回访次数"), null=True, blank=True)
    staff_changes = models.PositiveIntegerField(_("人员变动人次"), null=True, blank=True)
    # text
    summary = models.TextField(_("本季度工作总结"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    next_plan = models.TextField(_("下季度工作计划"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["review", "project__code"]
        verbose_name = _("季度工作总结")
        verbose_name_plural = _("季度工作总结")
        constraints = [models.UniqueConstraint(fields=["review", "project"], name="quarterly_submission_once_per_project")]

    def audit_project_id(self) -> int | None:
        return self.project_id


class ReviewEvent(AuditedModel):
    class Kind(models.TextChoices):
        OPENED = "opened", _("发起季度分析")
        SUBMITTED = "submitted", _("提交季度总结")
        REPORTED = "reported", _("报送总经办")
        RETURNED = "returned", _("总经办退回")
        ACKNOWLEDGED = "acknowledged", _("总经办已阅")

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="events", verbose_name=_("季度质量分析"))
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["review", "at", "id"]
        verbose_name = _("季度分析记录")
        verbose_name_plural = _("季度分析记录")
