"""The one access policy (PRODUCT.md visibility rule), used by pages, API, exports and charts.

Project-scoped data is visible only to org-wide roles and to members of the project; an
external reviewer sees the projects of a grant while it is valid. Anything else is a 404,
so a foreign object is indistinguishable from a missing one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opsqm.accounts.roles import MASTER_DATA_ROLES, Role

M = TypeVar("M", bound=Model)


def is_org_wide(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_org_wide)


def can_manage_master_data(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in MASTER_DATA_ROLES))


def is_external_reviewer(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.EXTERNAL_REVIEWER)


def account_usable(user: Any, *, now=None) -> bool:
    """May this signed-in account use the system right now? The one rule, checked on every request
    (session: `AccountStillAllowedMiddleware`; API token: `opsqm.accounts.authentication`) and at login:
    the account is active, and an external reviewer has a grant valid at this moment."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role != Role.EXTERNAL_REVIEWER:
        return True
    from opsqm.accounts.models import ExternalGrant

    now = now or timezone.now()
    return ExternalGrant.objects.filter(user=user, valid_from__lte=now, valid_until__gt=now).exists()


def visible_projects(user: Any, *, now=None) -> QuerySet:
    from opsqm.org.models import Project

    if not (user and user.is_authenticated and user.is_active):
        return Project.objects.none()
    if is_org_wide(user):
        return Project.objects.all()
    if is_external_reviewer(user):
        now = now or timezone.now()
        return Project.objects.filter(
            external_grants__user=user, external_grants__valid_from__lte=now, external_grants__valid_until__gt=now
        ).distinct()
    member = Q(ops_manager=user) | Q(quality_specialist=user) | Q(memberships__user=user)
    # An internal auditor on an audit of a project needs to see it to audit it and verify its findings.
    member |= Q(audits__team__user=user)
    return Project.objects.filter(member).distinct()


def visible_project_ids(user: Any) -> QuerySet:
    return visible_projects(user).values("pk")


def scope_to_projects(qs: QuerySet[M], user: Any, field: str = "project") -> QuerySet[M]:
    """Restrict any project-scoped queryset to the projects `user` may see."""
    if is_org_wide(user):
        return qs
    return qs.filter(**{f"{field}__in": visible_project_ids(user)})


def visible_customers(user: Any) -> QuerySet:
    from opsqm.org.models import Customer

    if not (user and user.is_authenticated and user.is_active):
        return Customer.objects.none()
    if is_org_wide(user):
        return Customer.objects.all()
    return Customer.objects.filter(pk__in=visible_projects(user).values("customer_id"))


def get_visible_or_404(qs: QuerySet[M], **lookup: Any) -> M:
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


def get_project_or_404(user: Any, **lookup: Any):
    return get_visible_or_404(visible_projects(user), **lookup)


def get_customer_or_404(user: Any, **lookup: Any):
    return get_visible_or_404(visible_customers(user), **lookup)


def can_edit_project(user: Any, project: Any) -> bool:
    return can_manage_master_data(user)


# ---------------------------------------------------------------- history (audit-trail events)
#
# An audit-trail event names its record by (model label, object id) and the project it belongs to.
# A viewer sees an event when the project is visible to them AND, for models whose visibility is
# narrower than their project's (an audit covering a foreign project, its item results and notes,
# the evidence files attached to those), the record itself is visible. Areas register that narrower
# rule here (`register_history_rule`, e.g. from AppConfig.ready), so every history view — the
# project history tab, later ones — applies the same rule through `scope_history`.

_HISTORY_RULES: dict[str, Any] = {}


def register_history_rule(model_label: str, visible: Any) -> None:
    """`visible(user) -> QuerySet` of the records of `model_label` (e.g. "audits.audititemresult") user may see."""
    _HISTORY_RULES[model_label.lower()] = visible


def _as_text_ids(qs: QuerySet) -> QuerySet:
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return qs.annotate(_id_text=Cast("pk", output_field=CharField())).values("_id_text")


def _visible_evidence(user: Any) -> QuerySet:
    """Evidence files whose owner the user may see (owners with a registered rule), else by project."""
    from opsqm.records.models import EvidenceFile

    qs = EvidenceFile.objects.filter(project_id__in=visible_project_ids(user))
    for label, visible in _HISTORY_RULES.items():
        if label == "records.evidencefile":
            continue
        qs = qs.exclude(Q(owner_type=label) & ~Q(owner_id__in=_as_text_ids(visible(user))))
    return qs


def scope_history(qs: QuerySet, user: Any) -> QuerySet:
    """Restrict a queryset of AuditEvent to events of records `user` may see (THE history rule)."""
    if is_org_wide(user):
        return qs
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    qs = qs.filter(project_id__in=visible_project_ids(user))
    rules = dict(_HISTORY_RULES)
    rules.setdefault("records.evidencefile", _visible_evidence)
    for label, visible in rules.items():
        qs = qs.exclude(Q(model=label) & ~Q(object_id__in=_as_text_ids(visible(user))))
    return qs
