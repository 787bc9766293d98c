"""Controlled documents (受控文件) with versions, distribution and read confirmations, and the
system-operation supervision (体系运行监督, seed 2.1.1): feedback on procedures and collection rounds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class DocumentType(models.TextChoices):
    MANUAL = "manual", _("管理手册")
    PROCEDURE = "procedure", _("程序文件")
    WORK_INSTRUCTION = "work_instruction", _("作业指导书")
    TEMPLATE = "template", _("模板")
    RECORD_FORM = "record_form", _("记录表单")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    APPROVED = "approved", _("已批准")
    EFFECTIVE = "effective", _("现行有效")
    OBSOLETE = "obsolete", _("已作废")


class ControlledDocument(AuditedModel):
    code = models.CharField(_("文件编号"), max_length=40, unique=True)
    title = models.CharField(_("文件名称"), max_length=200)
    doc_type = models.CharField(_("文件类别"), max_length=20, choices=DocumentType.choices, db_index=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="documents", verbose_name=_("归口部门")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents_owned", verbose_name=_("文件负责人")
    )
    next_review_date = models.DateField(_("下次评审日期"), null=True, blank=True)
    review_reminded_for = models.DateField(_("已提醒的评审日期"), null=True, blank=True, editable=False)
    distribution = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="documents_distributed", verbose_name=_("发放范围（须阅读人员）")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("受控文件")
        verbose_name_plural = _("受控文件")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def effective_version(self) -> DocumentVersion | None:
        return self.versions.filter(status=VersionStatus.EFFECTIVE).first()


class DocumentVersion(AuditedModel):
    """One revision of a document. Once obsolete it stays obsolete: `obsoleted_at` is set when it is
    withdrawn and the check constraint `docversion_obsolete_is_final` refuses any other status while
    it is set; the services refuse the transition too."""

    document = models.ForeignKey(ControlledDocument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("文件"))
    label = models.CharField(_("版本号"), max_length=20)
    change_note = models.TextField(_("修订说明"))
    file = models.ForeignKey(
        "records.EvidenceFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("文件")
    )
    status = models.CharField(_("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人"))
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)
    obsoleted_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["document", "-created_at", "-id"]
        verbose_name = _("文件版本")
        verbose_name_plural = _("文件版本")
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="docversion_label_unique"),
            models.UniqueConstraint(fields=["document"], condition=Q(status="effective"), name="docversion_one_effective"),
            models.CheckConstraint(condition=Q(obsoleted_at__isnull=True) | Q(status="obsolete"), name="docversion_obsolete_is_final"),
            models.CheckConstraint(condition=~Q(status="obsolete") | Q(obsoleted_at__isnull=False), name="docversion_obsolete_has_time"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "effective"]) | Q(approved_at__isnull=False, approver__isnull=False),
                name="docversion_approved_has_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="effective") | Q(effective_date__isnull=False), name="docversion_effective_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} {self.label}"

    def clean(self) -> None:
        loaded = getattr(self, "_audit_snapshot", {}) or {}
        if loaded.get("status") == VersionStatus.OBSOLETE and self.status != VersionStatus.OBSOLETE:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("已作废的版本不能再次生效或改变状态。"), code="obsolete")

    @property
    def is_obsolete(self) -> bool:
        return self.status == VersionStatus.OBSOLETE

    @classmethod
    def evidence_owner_queryset(cls, user):
        """Document files are company documents: every active user may download them (records:evidence_download),
        except external reviewers, who receive effective documents only inside an assessor package."""
        from opsqm.documents.selectors import versions_visible_to

        return versions_visible_to(user)


class ReadConfirmation(models.Model):
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="read_confirmations", verbose_name=_("文件版本"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("阅读人"))
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        ordering = ["confirmed_at"]
        verbose_name = _("阅读确认")
        verbose_name_plural = _("阅读确认")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="read_confirmation_once")]

    def __str__(self) -> str:
        return f"{self.version} · {self.user}"


class FeedbackRound(AuditedModel):
    """A collection round (monthly by the plan's cadence) that asks named people for feedback."""

    title = models.CharField(_("名称"), max_length=200)
    period = models.CharField(_("期间"), max_length=7, help_text=_("YYYY-MM"))
    due_date = models.DateField(_("反馈截止日期"))
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="feedback_rounds", verbose_name=_("征集对象"))
    documents = models.ManyToManyField(ControlledDocument, blank=True, related_name="feedback_rounds", verbose_name=_("重点征集的文件"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    opened_at = models.DateTimeField(_("发起时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("体系运行反馈征集")
        verbose_name_plural = _("体系运行反馈征集")
        constraints = [models.UniqueConstraint(fields=["period"], name="feedback_round_one_per_period")]

    def __str__(self) -> str:
        return self.title


class FeedbackStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待评审")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class FeedbackOutcome(models.TextChoices):
    IMPROVEMENT = "improvement", _("列入服务改进计划")
    REVISION = "revision", _("修订文件")


class ProcedureFeedback(AuditedModel):
    document = models.ForeignKey(ControlledDocument, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("文件"))
    round = models.ForeignKey(
        FeedbackRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback", verbose_name=_("征集轮次")
    )
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("反馈人"))
    anonymous = models.BooleanField(_("对其他人匿名"), default=False)
    difficulty = models.TextField(_("执行中的困难"), blank=True)
    missing = models.TextField(_("缺少的内容"), blank=True)
    suggestion = models.TextField(_("改进建议"), blank=True)
    created_at = models.DateTimeField(_("反馈时间"))
    status = models.CharField(_("状态"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.SUBMITTED, db_index=True)
    outcome = models.CharField(_("处理方式"), max_length=16, choices=FeedbackOutcome.choices, blank=True)
    improvement = models.ForeignKey(
        "findings.ImprovementItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("服务改进项")
    )
    revision = models.ForeignKey(
        DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("修订版本")
    )
    reject_reason = models.TextField(_("未采纳原因"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("评审人")
    )
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    audit_exclude = ("given_by",)  # anonymous feedback must not leak through the audit-trail page either

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("体系运行反馈")
        verbose_name_plural = _("体系运行反馈")
        constraints = [
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reject_reason=""), name="feedback_rejected_has_reason"),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="feedback_reviewed_has_who_when",
            ),
            models.CheckConstraint(condition=~Q(status="accepted") | ~Q(outcome=""), name="feedback_accepted_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} · {(self.difficulty or self.missing or self.suggestion)[:40]}"

    def giver_label(self, viewer) -> str:
        """The giver's name, or 匿名 for anyone but the giver when they chose anonymity."""
        if self.anonymous and getattr(viewer, "pk", None) != self.given_by_id:
            return str(_("匿名"))
        return self.given_by.display_name
