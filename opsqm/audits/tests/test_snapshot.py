"""Starting on-site copies the checklist items once; later checklist edits never touch them."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsqm.audits import services
from opsqm.audits.models import AuditItemResult
from opsqm.audits.tests.conftest import SMALL_CHECKLIST, save_checklist
from opsqm.audits.tests.helpers import run_to


def test_it_copies_every_item_with_one_bulk_insert(world, plan, process_version, people_version):
    audit = run_to(world, plan(checklists=[(people_version, None), (process_version, None)]), "opening")
    with CaptureQueriesContext(connection) as ctx:
        services.audit_start_onsite(actor=world.auditor, audit=audit)
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "audits_audititemresult"')]
    assert len(inserts) == 1
    rows = list(AuditItemResult.objects.filter(audit=audit).order_by("audit_checklist_id", "position"))
    assert len(rows) == 7
    heading = rows[0]
    assert (heading.ref_id, heading.assessable, heading.result, heading.element) == ("1", False, "", "people")
    assert rows[1].parent_urn == heading.urn and rows[1].depth == 1 and rows[1].result == "not_assessed"
    assert {r.project_id for r in rows} == {world.project_b.pk}  # the audit's single project
    assert rows[-1].element == "process"


def test_start_onsite_query_count_does_not_grow_with_the_items(world, plan, people_version, process_version):
    def count(audit) -> int:
        audit = run_to(world, audit, "opening")
        with CaptureQueriesContext(connection) as ctx:
            services.audit_start_onsite(actor=world.auditor, audit=audit)
        return len(ctx.captured_queries)

    small = count(plan(checklists=[(process_version, None)]))
    large = count(plan(checklists=[(people_version, None), (process_version, None)]))
    # lock + update + stage log + one snapshot read + ONE insert + trail events (savepoints and the
    # PostgreSQL advisory lock included), each append with its audit-trail anchor INSERT:
    # 29 on SQLite, 32 on PostgreSQL, whatever the item count.
    assert small == large <= 33


def test_later_checklist_edits_do_not_change_the_audit(world, plan, people_version):
    audit = run_to(world, plan(), "onsite")
    before = list(AuditItemResult.objects.filter(audit=audit).values_list("ref_id", "text").order_by("position"))
    new_version = save_checklist(SMALL_CHECKLIST.replace("关键岗位有备份", "关键岗位有 AB 角并演练"))
    assert new_version.pk != people_version.pk
    after = list(AuditItemResult.objects.filter(audit=audit).values_list("ref_id", "text").order_by("position"))
    assert after == before and ("1.1", "关键岗位有备份") in after


def test_a_project_check_gets_one_checklist_per_sampled_project(world, plan, people_version):
    audit = plan(
        kind="project_check",
        projects=[world.project_b, world.project_a],
        lead=world.auditor,
        checklists=[(people_version, world.project_a), (people_version, world.project_b)],
    )
    assert audit.code.startswith("PC-2026-")
    audit = run_to(world, audit, "onsite")
    by_project = {}
    for r in AuditItemResult.objects.filter(audit=audit):
        by_project[r.project_id] = by_project.get(r.project_id, 0) + 1
    assert by_project == {world.project_a.pk: 5, world.project_b.pk: 5}
