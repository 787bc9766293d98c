"""The checklist library (C3): templates, their immutable versions and the items of a version.

A template is the stable identity of a checklist (its urn); its content lives in versions.
A saved version never changes: every edit (UI, .xlsx import, a changed library file)
creates a new version and moves `current_version`. Audits copy the items of the version
they start from, so history never changes either.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class ChecklistKind(models.TextChoices):
    """Mirrors opsqm.core.checklists.KINDS (a test keeps them equal)."""

    ORG_QM = "org_qm", _("组织级质量管理检查")
    CAPABILITY = "capability", _("运维服务能力检查")
    ELEMENT = "element", _("ITSS 要素检查")
    ORG_QA = "org_qa", _("组织级质量保证检查")
    PROJECT_PHASE = "project_phase", _("项目级阶段检查")


class ChecklistElement(models.TextChoices):
    CAPABILITY = "capability", _("能力管理")
    PEOPLE = "people", _("人员")
    RESOURCES = "resources", _("资源")
    TECHNOLOGY = "technology", _("技术")
    PROCESS = "process", _("过程")
    PROJECT = "project", _("项目")


class ChecklistPhase(models.TextChoices):
    INITIATION = "initiation", _("启动")
    PLANNING = "planning", _("计划")
    DELIVERY = "delivery", _("实施")
    MONITORING = "monitoring", _("监控")
    CLOSURE = "closure", _("收尾")


class VersionOrigin(models.TextChoices):
    LIBRARY = "library", _("库文件")
    UI = "ui", _("页面编辑")
    XLSX = "xlsx", _("表格导入")


class ChecklistTemplate(AuditedModel):
    urn = models.CharField(_("URN"), max_length=200, unique=True)
    ref_id = models.CharField(_("编号"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=ChecklistKind.choices)
    element = models.CharField(_("要素"), max_length=20, choices=ChecklistElement.choices)
    phase = models.CharField(_("项目阶段"), max_length=20, choices=ChecklistPhase.choices, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    current_version = models.ForeignKey(
        "ChecklistVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("当前版本")
    )
    objects = AuditedManager()

    class Meta:
        ordering = ["ref_id"]
        verbose_name = _("检查单")
        verbose_name_plural = _("检查单")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="project_phase", phase__gt="") | (~Q(kind="project_phase") & Q(phase="")),
                name="checklist_phase_only_for_project_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.name}"


class ChecklistVersion(AuditedModel):
    """One immutable content version. `meta` keeps the checklist's header fields as of this version."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="versions", verbose_name=_("检查单"))
    number = models.PositiveIntegerField(_("版本号"))
    checksum = models.CharField(_("内容校验和"), max_length=64)
    meta = models.JSONField(_("检查单属性"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"))
    change_note = models.TextField(_("修改说明"), blank=True)
    origin = models.CharField(_("来源"), max_length=16, choices=VersionOrigin.choices)
    item_count = models.PositiveIntegerField(_("条目数"), default=0)
    objects = AuditedManager()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("检查单版本")
        verbose_name_plural = _("检查单版本")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="checklist_version_number_unique"),
            models.UniqueConstraint(fields=["template", "checksum"], name="checklist_version_checksum_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="checklist_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.template.ref_id} v{self.number}"

    def save(self, *args, **kwargs):
        # A saved version is immutable; new content is always a new version (services.checklist_save_version).
        if not self._state.adding:
            raise ValidationError(_("检查单版本保存后不可修改；请编辑检查单以创建新版本。"))
        super().save(*args, **kwargs)


class ImmutableItemQuerySet(models.QuerySet):
    """Items of a saved version are never changed: only inserts (by the version service) pass."""

    def update(self, **kwargs):
        raise ValidationError(_("检查单条目不可修改；请编辑检查单以创建新版本。"))

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise ValidationError(_("检查单条目不可修改；请编辑检查单以创建新版本。"))

    def delete(self):
        raise ValidationError(_("检查单条目不可删除；请编辑检查单以创建新版本。"))


class ChecklistItem(models.Model):
    """An item (or section heading) of one version. Not audited per row: its version's creation is."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("版本"))
    position = models.PositiveIntegerField(_("树序位置"))
    urn = models.CharField(_("URN"), max_length=300)
    ref_id = models.CharField(_("编号"), max_length=50)
    parent_urn = models.CharField(_("父条目 URN"), max_length=300, blank=True)
    order = models.IntegerField(_("同级顺序"))
    depth = models.PositiveSmallIntegerField(_("层级"), default=0)
    text = models.TextField(_("检查点"))
    guidance = models.TextField(_("检查方法"), blank=True)
    evidence = models.TextField(_("应见证据"), blank=True)
    assessable = models.BooleanField(_("可评估"), default=True)
    area = models.CharField(_("检查领域"), max_length=40, blank=True)
    objects = ImmutableItemQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("检查单条目")
        verbose_name_plural = _("检查单条目")
        constraints = [
            models.UniqueConstraint(fields=["version", "urn"], name="checklist_item_urn_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="checklist_item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.text[:40]}"

    def save(self, *args, **kwargs):
        # Guard, not a side effect: a stored item must never be rewritten in place.
        if not self._state.adding:
            raise ValidationError(_("检查单条目不可修改；请编辑检查单以创建新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("检查单条目不可删除；请编辑检查单以创建新版本。"))
