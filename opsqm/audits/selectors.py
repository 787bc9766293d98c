"""Reads of audits: who sees which audit, conformance rates, progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.access import is_org_wide, visible_project_ids
from opsqm.accounts.roles import Role
from opsqm.audits.models import Audit, AuditItemResult, AuditProgram, AuditTeamMember, ItemResult

# Roles that see org-level audits (no audited project) without being on their team.
ORG_AUDIT_READERS = frozenset({Role.QUALITY_SPECIALIST, Role.AUDITOR})
# Roles that see the annual program (its page lists only the audits they may see).
PROGRAM_READERS = frozenset({Role.QUALITY_SPECIALIST, Role.AUDITOR})

CONFORMANCE_RULE = _("符合率 = (符合 + 观察项) ÷ (符合 + 观察项 + 严重不符合 + 一般不符合)；观察项计为符合，不适用与未评估不计入。")


def visible_audits(user: Any) -> QuerySet[Audit]:
    """Audits `user` may see (THE access rule for audits, used by pages, API, downloads).

    Org-wide roles see all. Everyone else sees the audits they are on the team of, and the
    audits all of whose audited projects they can see (an audit that also covers a foreign
    project stays hidden, so no foreign data leaks through its report). Org-level audits (no
    project) are also visible to quality specialists and auditors.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Audit.objects.none()
    if is_org_wide(user):
        return Audit.objects.all()
    visible = visible_project_ids(user)
    on_team = Exists(AuditTeamMember.objects.filter(audit=OuterRef("pk"), user=user))
    has_project = Exists(Audit.projects.through.objects.filter(audit_id=OuterRef("pk")))
    has_foreign = Exists(Audit.projects.through.objects.filter(audit_id=OuterRef("pk")).exclude(project_id__in=visible))
    rule = Q(on_team) | (Q(has_project) & ~Q(has_foreign))
    if user.role in ORG_AUDIT_READERS:
        rule |= ~Q(has_project)
    return Audit.objects.filter(rule)


def get_audit_or_404(user: Any, pk: int) -> Audit:
    from opsqm.accounts.access import get_visible_or_404

    return get_visible_or_404(visible_audits(user).select_related("program", "created_by"), pk=pk)


def can_see_programs(user: Any) -> bool:
    return is_org_wide(user) or bool(user.is_authenticated and user.role in PROGRAM_READERS)


def is_on_team(user: Any, audit: Audit) -> bool:
    return AuditTeamMember.objects.filter(audit=audit, user=user).exists()


def team_lead(audit: Audit) -> Any:
    member = AuditTeamMember.objects.filter(audit=audit, role=AuditTeamMember.Role.LEAD).select_related("user").first()
    return member.user if member else None


def audit_list(user: Any, *, year: int | None = None, kind: str = "", stage: str = "", project_id: int | None = None) -> QuerySet[Audit]:
    qs = visible_audits(user).select_related("program").prefetch_related("projects", "team__user")
    if year:
        qs = qs.filter(planned_start__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if stage:
        qs = qs.filter(stage=stage)
    if project_id:
        qs = qs.filter(projects=project_id)
    return qs.order_by("-planned_start", "-id")


def program_list() -> QuerySet[AuditProgram]:
    return AuditProgram.objects.select_related("drafted_by", "approved_by").annotate(audit_count=Count("audits"))


@dataclass(frozen=True)
class Conformance:
    """Counts of one group of results and its conformance rate under CONFORMANCE_RULE."""

    label: str
    conform: int = 0
    major_nc: int = 0
    minor_nc: int = 0
    observation: int = 0
    not_applicable: int = 0
    not_assessed: int = 0

    @property
    def counted(self) -> int:
        return self.conform + self.observation + self.major_nc + self.minor_nc

    @property
    def rate(self) -> float | None:
        """None when nothing counts (so a page shows "—", never a made-up 100 %)."""
        if not self.counted:
            return None
        return (self.conform + self.observation) / self.counted

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def assessed(self) -> int:
        return self.counted + self.not_applicable

    @property
    def total(self) -> int:
        return self.assessed + self.not_assessed


def _conformance_groups(qs: QuerySet[AuditItemResult], key: str, labels: dict[Any, str]) -> list[Conformance]:
    rows = qs.filter(assessable=True).values(key, "result").annotate(n=Count("id")).order_by(key)
    grouped: dict[Any, dict[str, int]] = {}
    for row in rows:
        grouped.setdefault(row[key], {})[row["result"]] = row["n"]
    return [Conformance(labels.get(k, str(k) if k else "—"), **counts) for k, counts in grouped.items()]


def conformance_for_audit(audit: Audit) -> Conformance:
    groups = _conformance_groups(AuditItemResult.objects.filter(audit=audit), "audit_id", {audit.pk: audit.code})
    return groups[0] if groups else Conformance(audit.code)


def conformance_by_audit(audits: QuerySet[Audit]) -> list[tuple[Audit, Conformance]]:
    """Each audit with its conformance, in two queries whatever the number of audits."""
    audits = list(audits)
    labels = {a.pk: a.code for a in audits}
    groups = {c.label: c for c in _conformance_groups(AuditItemResult.objects.filter(audit__in=audits), "audit_id", labels)}
    return [(a, groups.get(a.code, Conformance(a.code))) for a in audits]


def conformance_by_element(audit: Audit) -> list[Conformance]:
    from opsqm.checklists.models import ChecklistElement

    return _conformance_groups(AuditItemResult.objects.filter(audit=audit), "element", dict(ChecklistElement.choices))


def conformance_by_project(user: Any, year: int) -> list[Conformance]:
    """Per project, across the audits of `year` the user may see (results tied to a project only)."""
    from opsqm.org.models import Project

    qs = AuditItemResult.objects.filter(audit__in=visible_audits(user), audit__planned_start__year=year, project__isnull=False)
    if not is_org_wide(user):
        qs = qs.filter(project__in=visible_project_ids(user))
    labels = {p.pk: f"{p.code} {p.name}" for p in Project.objects.filter(pk__in=qs.values("project_id")).only("code", "name")}
    return _conformance_groups(qs, "project_id", labels)


def results_tree(audit: Audit) -> list[dict[str, Any]]:
    """The snapshot grouped by checklist, in tree order, with each row's evidence files."""
    from opsqm.records.models import EvidenceFile

    checklists = list(audit.checklists.select_related("checklist_version__template", "project").order_by("id"))
    results = list(AuditItemResult.objects.filter(audit=audit).select_related("assessed_by").order_by("audit_checklist_id", "position"))
    evidence: dict[str, list[EvidenceFile]] = {}
    for ev in EvidenceFile.objects.filter(owner_type="audits.audititemresult", owner_id__in=[str(r.pk) for r in results]).select_related(
        "uploaded_by"
    ):
        evidence.setdefault(ev.owner_id, []).append(ev)
    by_checklist: dict[int, list[AuditItemResult]] = {}
    for r in results:
        r.evidence_files = evidence.get(str(r.pk), [])
        by_checklist.setdefault(r.audit_checklist_id, []).append(r)
    return [{"checklist": c, "results": by_checklist.get(c.pk, [])} for c in checklists]


def findings_of_audit(audit: Audit) -> QuerySet:
    from opsqm.findings.models import Finding

    ids = [str(pk) for pk in AuditItemResult.objects.filter(audit=audit).values_list("pk", flat=True)]
    return Finding.objects.filter(source_type="audits.audititemresult", source_id__in=ids).select_related("project", "owner")


def unresolved_items(audit: Audit):
    """Assessable items that block the conclusion: never assessed, or 不适用/未评估 without a reason."""
    return AuditItemResult.objects.filter(audit=audit, assessable=True).filter(
        Q(assessed_by__isnull=True) | Q(result__in=(ItemResult.NOT_APPLICABLE, ItemResult.NOT_ASSESSED), notes="")
    )


def progress(audit: Audit) -> tuple[int, int]:
    """(assessed, total) over assessable items."""
    agg = AuditItemResult.objects.filter(audit=audit, assessable=True).aggregate(
        total=Count("id"), open=Count("id", filter=Q(result=ItemResult.NOT_ASSESSED))
    )
    return agg["total"] - agg["open"], agg["total"]
