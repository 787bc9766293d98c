"""Receivers that put single-object saves, deletes and M2M edits of audited models in the trail.

Bulk operations bypass signals; `AuditedQuerySet` records those.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from opsqm.records.models import AuditAction, AuditedModel
from opsqm.records.trail import change_for, diff, record_changes, snapshot


def _is_audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, AuditedModel)


@receiver(post_save)
def audit_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    new = snapshot(instance)
    if created:
        changes = {k: [None, v] for k, v in new.items()}
        record_changes([change_for(instance, AuditAction.CREATE, changes)])
    else:
        old = getattr(instance, "_audit_snapshot", None)
        changes = diff(old, new) if old is not None else {k: [None, v] for k, v in new.items()}
        if changes:
            record_changes([change_for(instance, AuditAction.UPDATE, changes)])
    instance._audit_snapshot = new


@receiver(post_delete)
def audit_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    old = snapshot(instance)
    record_changes([change_for(instance, AuditAction.DELETE, {k: [v, None] for k, v in old.items()})])


@receiver(m2m_changed)
def audit_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not isinstance(instance, AuditedModel) or action not in {"post_add", "post_remove", "post_clear"}:
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    ids = sorted(pk_set or [])
    record_changes([change_for(instance, AuditAction.UPDATE, {field.name: {verb: ids}})])
