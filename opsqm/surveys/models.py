"""Customer satisfaction (C8): survey templates, rules, campaigns, invitations, responses, complaints.

Invitations and responses are plain models (not AuditedModel): they are written by anonymous
respondents at burst rates, and the response row itself is the record. Everything staff edit
(templates, rules, campaigns, complaints) goes through the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class Level(models.TextChoices):
    INCIDENT = "incident", _("事件级")
    PROJECT = "project", _("项目级")
    CUSTOMER = "customer", _("客户级")


class CompanyMethod(models.TextChoices):
    EQUAL = "equal", _("各项目等权")
    CONTRACT_VALUE = "contract_value", _("按合同金额加权")
    RESPONSES = "responses", _("按回收份数加权")


class SurveyTemplate(AuditedModel):
    """One version of a questionnaire. A sent invitation points at the version it was sent with;
    changing questions after a version was used means a new version (`template_new_version`)."""

    family = models.CharField(_("模板标识"), max_length=50)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("模板名称"), max_length=200)
    level = models.CharField(_("调查层级"), max_length=16, choices=Level.choices)
    intro = models.TextField(_("开场说明"), blank=True)
    is_default = models.BooleanField(_("该层级默认模板"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["level", "family", "-version"]
        verbose_name = _("调查模板")
        verbose_name_plural = _("调查模板")
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="survey_template_family_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Section(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="sections", verbose_name=_("模板"))
    title = models.CharField(_("分节标题"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("分节")
        verbose_name_plural = _("分节")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("评分题")
        SINGLE = "single", _("单选题")
        MULTIPLE = "multiple", _("多选题")
        TEXT = "text", _("文字题")

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions", verbose_name=_("模板"))
    section = models.ForeignKey(Section, on_delete=models.CASCADE, null=True, blank=True, related_name="questions", verbose_name=_("分节"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("题型"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("题目"), max_length=300)
    text_en = models.CharField(_("英文题目"), max_length=300, blank=True)
    scale_min = models.SmallIntegerField(_("最低分"), default=1)
    scale_max = models.SmallIntegerField(_("最高分"), default=5)
    label_min = models.CharField(_("最低分含义"), max_length=30, blank=True)
    label_max = models.CharField(_("最高分含义"), max_length=30, blank=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    weight = models.FloatField(_("权重"), default=1.0)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="survey_question_weight_nonnegative"),
            models.CheckConstraint(
                condition=~Q(kind="rating") | Q(scale_max__gt=models.F("scale_min")), name="survey_question_scale_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_rating(self) -> bool:
        return self.kind == self.Kind.RATING

    def scale_values(self) -> list[int]:
        step = 10 if self.scale_max - self.scale_min > 10 else 1
        values = list(range(self.scale_min, self.scale_max + 1, step))
        if values[-1] != self.scale_max:
            values.append(self.scale_max)
        return values


class SatisfactionRules(AuditedModel):
    """The conversion rules of one year (PRODUCT.md defaults), and the incident-survey defaults."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    weight_incident = models.FloatField(_("事件级权重"), default=0.3)
    weight_project = models.FloatField(_("项目级权重"), default=0.4)
    weight_customer = models.FloatField(_("客户级权重"), default=0.3)
    bands = models.JSONField(_("分档"), default=list)
    min_responses = models.PositiveSmallIntegerField(_("最少回收份数"), default=1)
    company_method = models.CharField(_("公司满意度加权方式"), max_length=16, choices=CompanyMethod.choices, default=CompanyMethod.EQUAL)
    threshold = models.FloatField(_("项目满意度预警线"), default=75.0)
    target = models.FloatField(_("满意度目标"), default=85.0)
    version = models.PositiveIntegerField(default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("满意度折算规则")
        verbose_name_plural = _("满意度折算规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_incident__gte=0, weight_project__gte=0, weight_customer__gte=0), name="survey_rules_weights_nonnegative"
            ),
            models.CheckConstraint(condition=Q(min_responses__gte=1), name="survey_rules_min_responses"),
        ]

    def __str__(self) -> str:
        return str(self.year)


class IncidentRule(AuditedModel):
    """When a resolved ticket gets an incident survey. `project` empty = the company default."""

    project = models.OneToOneField(
        "org.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="survey_rule", verbose_name=_("项目")
    )
    enabled = models.BooleanField(_("启用"), default=True)
    sampling_pct = models.PositiveSmallIntegerField(_("抽样比例（%）"), default=30)
    delay_hours = models.PositiveIntegerField(_("解决后延迟（小时）"), default=2)
    validity_days = models.PositiveIntegerField(_("有效期（天）"), default=7)
    contact_days = models.PositiveIntegerField(_("同一联系人间隔（天）"), default=30)
    ticket_types = models.JSONField(_("适用工单类型"), default=list, blank=True)
    priorities = models.JSONField(_("适用优先级"), default=list, blank=True)
    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("调查模板")
    )
    objects = AuditedManager()

    class Meta:
        verbose_name = _("事件级调查规则")
        verbose_name_plural = _("事件级调查规则")
        constraints = [
            models.CheckConstraint(condition=Q(sampling_pct__lte=100), name="survey_incident_rule_pct"),
            models.UniqueConstraint(fields=["project"], condition=Q(project__isnull=True), name="survey_incident_rule_one_default"),
        ]

    def audit_project_id(self) -> int | None:
        return self.project_id


class Campaign(AuditedModel):
    """A project-level (per project and period) or customer-level (annual) survey round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已发出")
        CLOSED = "closed", _("已结束")

    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("调查名称"), max_length=200)
    level = models.CharField(_("调查层级"), max_length=16, choices=Level.choices)
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="survey_campaigns", verbose_name=_("项目")
    )
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="survey_campaigns", verbose_name=_("客户"))
    period_label = models.CharField(_("调查期间"), max_length=20)
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("调查模板"))
    expires_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("调查活动")
        verbose_name_plural = _("调查活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="customer") | Q(project__isnull=False), name="survey_campaign_project_level_has_project"
            ),
            models.CheckConstraint(condition=~Q(level="incident"), name="survey_campaign_not_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def audit_project_id(self) -> int | None:
        return self.project_id


class Invitation(models.Model):
    """A personal link. Only the SHA-256 of the token is stored; the token itself is an HMAC of a
    random 192-bit nonce under SECRET_KEY, so staff can print it again but the database alone
    never lets anyone answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("未发送")
        SENT = "sent", _("已发送")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations", verbose_name=_("调查活动")
    )
    level = models.CharField(_("调查层级"), max_length=16, choices=Level.choices)
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="survey_invitations", verbose_name=_("项目")
    )
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="survey_invitations", verbose_name=_("客户"))
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("调查模板"))
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitation", verbose_name=_("工单")
    )
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_email = models.EmailField(_("邮箱"), blank=True)
    contact_phone = models.CharField(_("电话"), max_length=50, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    nonce = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    reminder_count = models.PositiveSmallIntegerField(_("提醒次数"), default=0)
    last_reminded_at = models.DateTimeField(_("最近提醒"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        indexes = [models.Index(fields=["level", "contact_phone", "created_at"], name="survey_inv_contact")]

    def __str__(self) -> str:
        return f"{self.contact_name or self.contact_email or self.pk}"

    def is_open(self, now) -> bool:
        return self.status in (self.Status.PENDING, self.Status.SENT) and self.expires_at > now

    def state_label(self, now) -> str:
        if self.status in (self.Status.PENDING, self.Status.SENT) and self.expires_at <= now:
            return str(_("已过期"))
        return self.get_status_display()


class Response(models.Model):
    """One answered questionnaire. The unique invitation makes a second response impossible even
    if the atomic claim were bypassed; `score` (0–100) is computed once, in the writer's transaction."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response", verbose_name=_("邀请"))
    level = models.CharField(_("调查层级"), max_length=16, choices=Level.choices, db_index=True)
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="survey_responses", verbose_name=_("项目")
    )
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("客户"))
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="responses", verbose_name=_("调查模板"))
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    score = models.FloatField(_("得分（百分制）"), null=True, blank=True)
    lowest_band = models.BooleanField(_("含最低档评分"), default=False)
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("调查答卷")
        verbose_name_plural = _("调查答卷")

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.customer} · {self.submitted_at:%Y-%m-%d}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("答卷"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("题目"))
    value = models.FloatField(_("评分"), null=True, blank=True)
    choices = models.JSONField(_("所选项"), default=list, blank=True)
    text = models.TextField(_("文字回答"), blank=True)

    class Meta:
        ordering = ["question__order", "id"]
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once_per_question")]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.question}"


class Complaint(AuditedModel):
    """客户投诉: received, handled, visited back (回访), accepted by the customer, closed."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        EMAIL = "email", _("邮件")
        LETTER = "letter", _("书面函件")
        MEETING = "meeting", _("会议/面谈")
        SURVEY = "survey", _("调查意见")

    class Severity(models.TextChoices):
        MAJOR = "major", _("重大")
        GENERAL = "general", _("一般")
        MINOR = "minor", _("轻微")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLING = "handling", _("处理中")
        VISITED = "visited", _("已回访")
        CLOSED = "closed", _("已关闭")

    class VisitResult(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    received_at = models.DateTimeField(_("受理时间"))
    channel = models.CharField(_("投诉渠道"), max_length=16, choices=Channel.choices)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("客户"))
    project = models.ForeignKey(
        "org.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name=_("项目")
    )
    contact = models.CharField(_("投诉人/联系人"), max_length=100)
    content = models.TextField(_("投诉内容"))
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices, default=Severity.GENERAL)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_handled", verbose_name=_("处理人")
    )
    deadline_days = models.PositiveSmallIntegerField(_("处理时限（工作日）"), default=3)
    due_date = models.DateField(_("处理期限"), editable=False)
    handling = models.TextField(_("处理记录"), blank=True)
    visit_date = models.DateField(_("回访日期"), null=True, blank=True)
    visit_by = models.CharField(_("回访人"), max_length=100, blank=True)
    visit_result = models.CharField(_("回访结果"), max_length=16, choices=VisitResult.choices, blank=True)
    visit_note = models.TextField(_("回访情况"), blank=True)
    accepted = models.BooleanField(_("客户认可处理结果"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints", verbose_name=_("来源答卷")
    )
    finding = models.ForeignKey(
        "findings.Finding", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("关联问题")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    version = models.PositiveIntegerField(default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False), name="complaint_closed_has_time"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(visit_result="satisfied", accepted=True), name="complaint_closed_after_satisfied_visit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"

    def audit_project_id(self) -> int | None:
        return self.project_id
