"""Audits and checks (C4): the annual internal-audit program, audits with their stages, team,
checklist snapshots, results, meetings, and the replaceable report template.

Seed 2.4.2: 首次会议 → 现场审核 → 确定审核结论 → 末次会议 → 出具审核报告; internal audits twice a
year; the annual program is approved by 总经办. Seed 2.4.4: special (专项) or routine (常规) checks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class AuditProgram(AuditedModel):
    """年度内审方案: drafted by the quality manager, approved by 总经办 before its audits start."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("退回修改")

    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("方案名称"), max_length=200)
    objectives = models.TextField(_("审核目的与安排"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人"))
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人")
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.TextField(_("审批意见"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度内审方案")
        verbose_name_plural = _("年度内审方案")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="audit_program_approved_has_who_when",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="audit_program_year_range"),
        ]

    def __str__(self) -> str:
        return self.title if str(self.year) in self.title else f"{self.year} {self.title}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class AuditKind(models.TextChoices):
    INTERNAL = "internal", _("内部审核")
    ORG_CHECK = "org_check", _("组织级检查")
    PROJECT_CHECK = "project_check", _("项目级检查")


KIND_CODE_PREFIX = {AuditKind.INTERNAL: "IA", AuditKind.ORG_CHECK: "OC", AuditKind.PROJECT_CHECK: "PC"}


class AuditMode(models.TextChoices):
    SPECIAL = "special", _("专项")
    ROUTINE = "routine", _("常规")


class AuditStage(models.TextChoices):
    """In order; `STAGE_ORDER` gives each stage's position so a step can never be skipped."""

    PLANNED = "planned", _("审核策划")
    OPENING = "opening", _("首次会议")
    ONSITE = "onsite", _("现场审核")
    CONCLUDED = "concluded", _("审核结论")
    CLOSING = "closing", _("末次会议")
    REPORTED = "reported", _("审核报告")
    FOLLOWUP = "followup", _("跟踪整改")
    CLOSED = "closed", _("已关闭")


STAGE_ORDER: list[str] = [s.value for s in AuditStage]


class ConclusionRating(models.TextChoices):
    EFFECTIVE = "effective", _("体系运行有效")
    BASICALLY = "basically", _("体系运行基本有效，需整改")
    INEFFECTIVE = "ineffective", _("体系运行未达要求")


class Audit(AuditedModel):
    code = models.CharField(_("编号"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=AuditKind.choices)
    mode = models.CharField(_("方式"), max_length=16, choices=AuditMode.choices, default=AuditMode.ROUTINE)
    program = models.ForeignKey(
        AuditProgram, null=True, blank=True, on_delete=models.PROTECT, related_name="audits", verbose_name=_("年度内审方案")
    )
    criteria = models.TextField(_("审核准则"))
    objectives = models.TextField(_("审核目的"), blank=True)
    scope_org = models.BooleanField(_("组织级范围"), default=False)
    departments = models.ManyToManyField("org.Department", blank=True, related_name="audits", verbose_name=_("受审核部门"))
    projects = models.ManyToManyField("org.Project", blank=True, related_name="audits", verbose_name=_("受审核项目"))
    planned_start = models.DateField(_("计划开始"))
    planned_end = models.DateField(_("计划结束"))
    stage = models.CharField(_("阶段"), max_length=16, choices=AuditStage.choices, default=AuditStage.PLANNED, db_index=True)
    conclusion = models.TextField(_("审核结论"), blank=True)
    conclusion_rating = models.CharField(_("结论评价"), max_length=16, choices=ConclusionRating.choices, blank=True)
    report_docx = models.ForeignKey(
        "records.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审核报告（Word）")
    )
    report_xlsx = models.ForeignKey(
        "records.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("审核报告（Excel）")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("策划人"))
    created_at = models.DateTimeField(_("策划时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("审核/检查")
        verbose_name_plural = _("审核与检查")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="internal") | Q(program__isnull=False), name="audit_internal_has_program"),
            models.CheckConstraint(condition=Q(planned_end__gte=F("planned_start")), name="audit_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    @classmethod
    def evidence_owner_queryset(cls, user: Any) -> models.QuerySet:
        from opsqm.audits.selectors import visible_audits

        return visible_audits(user)


class AuditStageLog(AuditedModel):
    """Who moved the audit into `stage`, and when."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="stage_logs", verbose_name=_("审核"))
    stage = models.CharField(_("阶段"), max_length=16, choices=AuditStage.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    note = models.TextField(_("说明"), blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["audit", "at", "id"]
        verbose_name = _("审核阶段记录")
        verbose_name_plural = _("审核阶段记录")
        constraints = [models.UniqueConstraint(fields=["audit", "stage"], name="audit_stage_logged_once")]


class AuditTeamMember(AuditedModel):
    class Role(models.TextChoices):
        LEAD = "lead", _("审核组长")
        MEMBER = "member", _("内审员")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="team", verbose_name=_("审核"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_roles", verbose_name=_("成员"))
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    objects = AuditedManager()

    class Meta:
        ordering = ["audit", "role", "id"]
        verbose_name = _("审核组成员")
        verbose_name_plural = _("审核组成员")
        constraints = [
            models.UniqueConstraint(fields=["audit", "user"], name="audit_team_member_once"),
            models.UniqueConstraint(fields=["audit"], condition=Q(role="lead"), name="audit_team_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class AuditChecklist(AuditedModel):
    """A checklist version used by an audit; for project checks, one per sampled project."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklists", verbose_name=_("审核"))
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion", on_delete=models.PROTECT, related_name="audit_uses", verbose_name=_("检查单版本")
    )
    project = models.ForeignKey(
        "org.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_checklists", verbose_name=_("受检项目")
    )
    objects = AuditedManager()

    class Meta:
        ordering = ["audit", "id"]
        verbose_name = _("审核检查单")
        verbose_name_plural = _("审核检查单")

    def __str__(self) -> str:
        return f"{self.audit.code} · {self.checklist_version}"

    def audit_project_id(self) -> int | None:
        return self.project_id


class ItemResult(models.TextChoices):
    CONFORM = "conform", _("符合")
    MAJOR_NC = "major_nc", _("严重不符合")
    MINOR_NC = "minor_nc", _("一般不符合")
    OBSERVATION = "observation", _("观察项")
    NOT_APPLICABLE = "not_applicable", _("不适用")
    NOT_ASSESSED = "not_assessed", _("未评估")


# Results that raise a finding when the audit is concluded, and the finding's severity.
FINDING_SEVERITY = {ItemResult.MAJOR_NC: "major", ItemResult.MINOR_NC: "minor", ItemResult.OBSERVATION: "observation"}


class AuditItemResult(AuditedModel):
    """One checklist item as it was when on-site audit started (a snapshot), with its result.

    The item fields are copies, so later edits of the checklist never change an audit's record.
    Section headings (assessable=False) carry no result.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="results", verbose_name=_("审核"))
    audit_checklist = models.ForeignKey(AuditChecklist, on_delete=models.CASCADE, related_name="results", verbose_name=_("审核检查单"))
    project = models.ForeignKey(
        "org.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_results", verbose_name=_("项目")
    )
    position = models.PositiveIntegerField(_("树序位置"))
    urn = models.CharField(_("URN"), max_length=300)
    ref_id = models.CharField(_("编号"), max_length=50)
    parent_urn = models.CharField(_("父条目 URN"), max_length=300, blank=True)
    depth = models.PositiveSmallIntegerField(_("层级"), default=0)
    text = models.TextField(_("检查点"))
    guidance = models.TextField(_("检查方法"), blank=True)
    evidence_hint = models.TextField(_("应见证据"), blank=True)
    assessable = models.BooleanField(_("可评估"), default=True)
    area = models.CharField(_("检查领域"), max_length=40, blank=True)
    element = models.CharField(_("要素"), max_length=20, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=ItemResult.choices, blank=True, default=ItemResult.NOT_ASSESSED)
    notes = models.TextField(_("审核记录"), blank=True)
    # The auditor's statement of the nonconformity: the finding's title and the report's 不符合事实.
    nonconformity = models.CharField(_("不符合事实"), max_length=200, blank=True, default="")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估人")
    )
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = AuditedManager()

    class Meta:
        ordering = ["audit_checklist", "position"]
        verbose_name = _("审核条目结果")
        verbose_name_plural = _("审核条目结果")
        constraints = [
            models.UniqueConstraint(fields=["audit_checklist", "urn"], name="audit_result_item_once"),
            models.CheckConstraint(
                condition=(Q(assessable=True) & Q(result__in=[c.value for c in ItemResult])) | (Q(assessable=False) & Q(result="")),
                name="audit_result_only_on_assessable",
            ),
        ]
        indexes = [models.Index(fields=["audit", "result"])]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.text[:40]}"

    def audit_project_id(self) -> int | None:
        return self.project_id

    @classmethod
    def evidence_owner_queryset(cls, user: Any) -> models.QuerySet:
        from opsqm.audits.selectors import visible_audits

        return cls.objects.filter(audit__in=visible_audits(user))


class AuditMeeting(AuditedModel):
    class Kind(models.TextChoices):
        OPENING = "opening", _("首次会议")
        CLOSING = "closing", _("末次会议")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("审核"))
    kind = models.CharField(_("会议"), max_length=8, choices=Kind.choices)
    held_at = models.DateTimeField(_("召开时间"))
    location = models.CharField(_("地点"), max_length=200)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("参会人员"))
    external_attendees = models.CharField(_("其他参会人员"), max_length=500, blank=True)
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["audit", "held_at"]
        verbose_name = _("审核会议")
        verbose_name_plural = _("审核会议")
        constraints = [models.UniqueConstraint(fields=["audit", "kind"], name="audit_meeting_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.audit.code} · {self.get_kind_display()}"


def _template_upload_to(instance: ReportTemplate, filename: str) -> str:
    import uuid

    return f"report_templates/{uuid.uuid4().hex}.docx"


class ReportTemplate(AuditedModel):
    """A replacement for the built-in audit report template, uploaded by the quality department.

    Every upload is kept; the newest active one is used. Reverting to the built-in template
    deactivates all uploads.
    """

    file = models.FileField(_("模板文件"), upload_to=_template_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("使用中"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("审核报告模板")
        verbose_name_plural = _("审核报告模板")

    def __str__(self) -> str:
        return self.original_name
