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


class AuditedModel(models.Model):
    """Base for business records whose every change lands in the audit trail.

    Field values as loaded are remembered so an update records old and new values.
    `audit_project_id` tells which project's history a record belongs to.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        from opsqm.records.trail import snapshot

        instance._audit_snapshot = snapshot(instance)
        return instance

    def save(self, *args, **kwargs):
        # The post_save receiver writes the history row; one transaction keeps the record and
        # its history together even when the caller runs in autocommit mode.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    def audit_project_id(self) -> int | None:
        return None
