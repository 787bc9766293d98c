"""The yearly management review (管理评审, seed 2.1.3 / 2.4.3, ISO/IEC 20000-1 §9.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("已策划")
    HELD = "held", _("已召开")
    REPORT_ISSUED = "report_issued", _("报告待批准")
    APPROVED = "approved", _("报告已批准（归档）")


class ManagementReview(AuditedModel):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    planned_date = models.DateField(_("会议日期"))
    place = models.CharField(_("会议地点"), max_length=200)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("主持人"))
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织人（管理者代表）")
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reviews_invited", verbose_name=_("应到人员"))
    attended = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reviews_attended", verbose_name=_("实到人员"))
    status = models.CharField(_("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED, db_index=True)
    inputs_as_of = models.DateField(_("输入截止日期"), null=True, blank=True)
    inputs_assembled_at = models.DateTimeField(_("输入汇总时间"), null=True, blank=True)
    changes_text = models.TextField(_("影响体系的内外部变化"), blank=True)
    resources_text = models.TextField(_("资源状况"), blank=True)
    risks_text = models.TextField(_("风险与机遇"), blank=True)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    conclusion = models.TextField(_("评审结论"), blank=True)
    report = models.ForeignKey(
        "records.EvidenceFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("管理评审报告")
    )
    report_issued_at = models.DateTimeField(_("报告出具时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("策划人"))
    created_at = models.DateTimeField(_("策划时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = AuditedManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("管理评审")
        verbose_name_plural = _("管理评审")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False, report__isnull=False),
                name="review_approved_has_report_who_when",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        """An approved review is a record: nothing about it changes any more."""
        return self.status == ReviewStatus.APPROVED

    @classmethod
    def evidence_owner_queryset(cls, user):
        from opsqm.reviews.selectors import reviews_visible_to

        return reviews_visible_to(user)


class AgendaItem(AuditedModel):
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("管理评审"))
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议题"), max_length=200)
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        ordering = ["review", "position", "id"]
        verbose_name = _("评审议程")
        verbose_name_plural = _("评审议程")


class InputKey(models.TextChoices):
    PREVIOUS_ACTIONS = "previous_actions", _("以往管理评审措施的状态")
    AUDITS = "audits", _("内部审核结果与符合率")
    KPIS = "kpis", _("服务质量指标与年度目标达成")
    SATISFACTION = "satisfaction", _("客户满意度与投诉")
    FINDINGS = "findings", _("不符合项与纠正措施")
    IMPROVEMENTS = "improvements", _("持续改进（服务改进计划）")
    CHANGES = "changes", _("影响体系的内外部变化")
    RESOURCES = "resources", _("资源状况")
    RISKS = "risks", _("风险与机遇")


class InputSection(models.Model):
    """One assembled input, frozen as the meeting saw it (data is plain JSON, never re-queried)."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("管理评审"))
    key = models.CharField(_("输入"), max_length=24, choices=InputKey.choices)
    position = models.PositiveSmallIntegerField(_("序号"))
    data = models.JSONField(_("内容"), default=dict)
    assembled_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        ordering = ["review", "position"]
        verbose_name = _("评审输入")
        verbose_name_plural = _("评审输入")
        constraints = [models.UniqueConstraint(fields=["review", "key"], name="review_input_once")]

    def __str__(self) -> str:
        return f"{self.review} · {self.get_key_display()}"


class InputNote(models.Model):
    """A reader's annotation on an input section before the meeting."""

    section = models.ForeignKey(InputSection, on_delete=models.CASCADE, related_name="notes", verbose_name=_("评审输入"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批注人"))
    text = models.TextField(_("批注"))
    at = models.DateTimeField(_("批注时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("输入批注")
        verbose_name_plural = _("输入批注")

    def __str__(self) -> str:
        return f"{self.section} · {self.text[:40]}"


class OutputKind(models.TextChoices):
    IMPROVEMENT = "improvement", _("改进机会")
    SYSTEM_CHANGE = "system_change", _("体系变更")
    RESOURCE = "resource", _("资源需求")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ReviewAction(AuditedModel):
    """A decision/output of the review, tracked like a corrective action until done."""

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions", verbose_name=_("管理评审"))
    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("输出类别"), max_length=16, choices=OutputKind.choices)
    decision = models.TextField(_("决定/措施"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_actions", verbose_name=_("责任人"))
    due_date = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("完成登记人")
    )
    result_note = models.TextField(_("完成情况"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"))
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = AuditedManager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("管理评审输出措施")
        verbose_name_plural = _("管理评审输出措施")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False, done_by__isnull=False), name="review_action_done_has_who_when"
            ),
            models.CheckConstraint(condition=Q(escalation_level__lte=3), name="review_action_escalation_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.decision[:40]}"


class ReviewActionEscalation(models.Model):
    action = models.ForeignKey(ReviewAction, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("措施"))
    level = models.PositiveSmallIntegerField(_("督办级别"))
    on_date = models.DateField(_("督办日期"))
    days_overdue = models.PositiveIntegerField(_("逾期天数"))

    class Meta:
        verbose_name = _("评审措施督办记录")
        verbose_name_plural = _("评审措施督办记录")
        constraints = [models.UniqueConstraint(fields=["action", "level"], name="review_escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.action} · {self.on_date:%Y-%m-%d}"
