"""A QuerySet whose bulk writes land in the audit trail like single saves do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from opsqm.records.models import AuditAction
from opsqm.records.trail import change_for, diff, record_changes, snapshot, to_json_value


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        with transaction.atomic():
            before = {obj.pk: obj for obj in self.model._base_manager.filter(pk__in=self.values("pk"))}
            count = super().update(**kwargs)
            after = self.model._base_manager.filter(pk__in=list(before))
            changes = []
            for obj in after:
                delta = diff(snapshot(before[obj.pk]), snapshot(obj))
                if delta:
                    changes.append(change_for(obj, AuditAction.UPDATE, delta))
            record_changes(changes)
        return count

    def bulk_create(self, objs: Iterable[models.Model], *args: Any, **kwargs: Any) -> list[models.Model]:
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            record_changes(
                change_for(obj, AuditAction.CREATE, {k: [None, v] for k, v in snapshot(obj).items()})
                for obj in created
                if obj.pk is not None
            )
        return created

    def bulk_update(self, objs: Iterable[models.Model], fields: list[str], *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        with transaction.atomic():
            stored = {o.pk: snapshot(o) for o in self.model._base_manager.filter(pk__in=[o.pk for o in objs])}
            # A plain QuerySet does the writing: Django's bulk_update calls update() internally,
            # which would otherwise record every row a second time.
            count = models.QuerySet(model=self.model, using=self.db).bulk_update(objs, fields, *args, **kwargs)
            changes = []
            for obj in objs:
                delta = diff(stored.get(obj.pk, {}), snapshot(obj))
                if delta:
                    changes.append(change_for(obj, AuditAction.UPDATE, delta))
            record_changes(changes)
        return count

    # delete() needs no override: post_delete has a receiver for every model, so Django's
    # collector takes the per-object path and the signal receiver records each row.


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    pass


__all__ = ["AuditedQuerySet", "AuditedManager", "to_json_value"]
