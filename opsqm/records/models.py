"""The append-only, hash-chained audit trail (C10) and the base class of audited models."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    BULK = "bulk", _("批量操作")


class AuditEvent(models.Model):
    """One change of one business record. Never updated or deleted (DB triggers refuse it).

    No foreign keys on purpose: deleting a user or a record must not touch its history.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人 ID"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    model = models.CharField(_("对象类型"), max_length=100, db_index=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300)
    project_id = models.BigIntegerField(_("项目 ID"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计追踪")
        indexes = [models.Index(fields=["model", "object_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_name} {self.action} {self.model}:{self.object_id}"


class AuditAnchor(models.Model):
    """Where the chain stood after each append: how many events, the last one's id and hash.

    Written in the same transaction as the events it anchors; INSERT only (DB triggers refuse
    UPDATE and DELETE, as for the events). `verify_chain` compares the chain with every anchor,
    so deleting the last rows, all rows, or rewriting the chain with fresh hashes is reported.
    A copy of the newest anchor is also kept in a file (`settings.AUDIT_ANCHOR_FILE`).
    """

    count = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["last_event_id"], name="audit_anchor_unique_event")]

    def __str__(self) -> str:
        return f"anchor {self.count} @ #{self.last_event_id}"


class AuditedModel(models.Model):
    """Base for business records whose every change lands in the audit trail.

    Field values as loaded are remembered so an update records old and new values.
    `audit_project_id` tells which project's history a record belongs to.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The post_save receiver writes the history row; one transaction keeps the record and
        # its history together even when the caller runs in autocommit mode.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        from opsqm.records.trail import snapshot

        instance._audit_snapshot = snapshot(instance)
        return instance

    def audit_project_id(self) -> int | None:
        return None


def _evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    """A generated name: the user's file name is kept only in `original_name`, never on disk."""
    import os
    import uuid

    from django.utils import timezone

    ext = os.path.splitext(filename)[1].lower()
    now = timezone.now()
    return f"evidence/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


class EvidenceFile(AuditedModel):
    """An uploaded evidence file attached to a business record (owner_type, owner_id).

    Rows are never replaced: a new upload for the same owner is a new revision, so the
    history of what was shown to the auditor stays. Files are served only through
    `records:evidence_download`, which asks the owner's app whether the user may see it.
    """

    file = models.FileField(_("文件"), upload_to=_evidence_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    project_id = models.BigIntegerField(_("项目 ID"), null=True, blank=True, db_index=True)
    owner_type = models.CharField(_("所属对象类型"), max_length=100)
    owner_id = models.CharField(_("所属对象 ID"), max_length=64)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("证据文件")
        verbose_name_plural = _("证据文件")
        indexes = [models.Index(fields=["owner_type", "owner_id", "uploaded_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(size__gte=0), name="evidence_size_nonnegative")]

    def __str__(self) -> str:
        return self.original_name

    def audit_project_id(self) -> int | None:
        return self.project_id


class CodeCounter(models.Model):
    """The last number handed out in one code series ("NC", 2026). See `records/codes.py`."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="code_counter_unique_series")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
