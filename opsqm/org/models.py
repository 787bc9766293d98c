"""Organization master data (C1): departments, posts, staff, customers, service catalog, projects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class Department(AuditedModel):
    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级部门"))
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("负责人")
    )
    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class PostCategory(models.TextChoices):
    MANAGEMENT = "management", _("管理岗")
    TECHNICAL = "technical", _("技术支持岗")
    OPERATIONS = "operations", _("操作岗")


class Post(AuditedModel):
    """A job post (岗位); ITSS groups posts into management, technical support and operations."""

    name = models.CharField(_("岗位名称"), max_length=100, unique=True)
    category = models.CharField(_("岗位类别"), max_length=16, choices=PostCategory.choices)
    duties = models.TextField(_("岗位职责"), blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")

    def __str__(self) -> str:
        return self.name


class Staff(AuditedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name=_("账号"))
    employee_no = models.CharField(_("工号"), max_length=32, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("部门"))
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="staff", verbose_name=_("岗位"))
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    joined_on = models.DateField(_("入职日期"), null=True, blank=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.employee_no}）"


class Customer(AuditedModel):
    code = models.CharField(_("客户编码"), max_length=32, unique=True)
    name = models.CharField(_("客户名称"), max_length=200, unique=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return self.name


class ServiceItem(AuditedModel):
    """An entry of the org-level service catalog (运维服务目录)."""

    class Category(models.TextChoices):
        ROUTINE = "routine", _("例行操作")
        RESPONSE = "response", _("响应支持")
        OPTIMIZATION = "optimization", _("优化改善")
        CONSULTING = "consulting", _("调研评估")

    code = models.CharField(_("服务编码"), max_length=32, unique=True)
    name = models.CharField(_("服务名称"), max_length=100)
    category = models.CharField(_("服务类别"), max_length=16, choices=Category.choices)
    description = models.TextField(_("服务说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务目录项")
        verbose_name_plural = _("服务目录")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("筹备中")
    ACTIVE = "active", _("运维中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已结项")


class Project(AuditedModel):
    code = models.CharField(_("项目编号"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="projects", verbose_name=_("客户"))
    status = models.CharField(_("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING)
    contract_start = models.DateField(_("合同开始"))
    contract_end = models.DateField(_("合同结束"))
    contract_value = models.DecimalField(_("合同金额（元）"), max_digits=14, decimal_places=2, default=0)
    ops_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_projects", verbose_name=_("运维经理")
    )
    quality_specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="qa_projects", verbose_name=_("质量专员")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", verbose_name=_("所属部门")
    )
    service_items = models.ManyToManyField(ServiceItem, blank=True, related_name="projects", verbose_name=_("服务目录项"))
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    description = models.TextField(_("项目说明"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("运维项目")
        verbose_name_plural = _("运维项目")
        constraints = [
            models.CheckConstraint(condition=Q(contract_end__gte=F("contract_start")), name="project_contract_period_valid"),
            models.CheckConstraint(condition=Q(contract_value__gte=0), name="project_contract_value_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_project_id(self) -> int | None:
        return self.pk


class ProjectMembership(AuditedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("项目"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships", verbose_name=_("成员"))
    duty = models.CharField(_("项目职责"), max_length=100, blank=True)
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        verbose_name = _("项目成员")
        verbose_name_plural = _("项目成员")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="unique_project_member")]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.user}"

    def audit_project_id(self) -> int | None:
        return self.project_id
