"""Record classes with retention periods, disposals, and assessor packages (C10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opsqm.records.models import AuditedModel
from opsqm.records.querysets import AuditedManager


class RecordClass(AuditedModel):
    """What kind of record is kept how long: rows of `model` whose `date_field` is older than
    `retention_years` are listed for disposal."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("记录类别"), max_length=100)
    model = models.CharField(_("记录对象"), max_length=100, help_text=_("app_label.model"))
    date_field = models.CharField(_("起算日期字段"), max_length=64)
    retention_years = models.PositiveSmallIntegerField(_("保存期限（年）"))

    objects = AuditedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("记录类别")
        verbose_name_plural = _("记录类别与保存期限")
        constraints = [models.CheckConstraint(condition=Q(retention_years__gte=1), name="record_class_retention_positive")]

    def __str__(self) -> str:
        return self.name


class Disposal(AuditedModel):
    """One disposed record; the record's own deletion also lands in the audit trail."""

    record_class = models.ForeignKey(RecordClass, on_delete=models.PROTECT, related_name="disposals", verbose_name=_("记录类别"))
    object_id = models.CharField(_("记录 ID"), max_length=64)
    object_repr = models.CharField(_("记录"), max_length=300)
    record_date = models.DateField(_("记录日期"))
    reason = models.CharField(_("销毁说明"), max_length=300)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("销毁人"))
    disposed_at = models.DateTimeField(_("销毁时间"))

    class Meta:
        ordering = ["-disposed_at", "-id"]
        verbose_name = _("记录销毁")
        verbose_name_plural = _("记录销毁")
        constraints = [models.UniqueConstraint(fields=["record_class", "object_id"], name="disposal_once")]


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    BUILDING = "building", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("失败")


def _package_upload_to(instance: AssessorPackage, filename: str) -> str:
    import uuid

    return f"packages/{instance.year}/{uuid.uuid4().hex}.zip"


class AssessorPackage(AuditedModel):
    """A ZIP for an external assessor: scope = year, period and projects (empty = whole company)."""

    code = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    projects = models.ManyToManyField("org.Project", blank=True, related_name="+", verbose_name=_("项目范围"))
    evidence_ids = models.JSONField(_("选定的证据文件"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PackageStatus.choices, default=PackageStatus.QUEUED)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("后台任务"))
    file = models.FileField(_("资料包"), upload_to=_package_upload_to, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    manifest = models.JSONField(_("内容清单"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("生成人"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("评审资料包")
        verbose_name_plural = _("评审资料包")
        constraints = [models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="package_period_ordered")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
