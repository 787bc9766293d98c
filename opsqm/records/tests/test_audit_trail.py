from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from opsqm.org.models import Customer, Project
from opsqm.records.context import Actor, acting_as
from opsqm.records.models import AuditEvent
from opsqm.records.trail import GENESIS, event_hash, hashed_fields, verify_chain


def events_for(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id"))


@pytest.mark.django_db
def test_it_records_create_update_and_delete_with_old_and_new_values():
    with acting_as(Actor(7, "王质量（qm）", "10.0.0.8")):
        customer = Customer.objects.create(code="C1", name="甲")
        customer.name = "甲公司"
        customer.save()
        pk = customer.pk
        customer.delete()
    kinds = [(e.action, e.actor_name, e.ip) for e in AuditEvent.objects.filter(model="org.customer", object_id=str(pk)).order_by("id")]
    assert kinds == [("create", "王质量（qm）", "10.0.0.8"), ("update", "王质量（qm）", "10.0.0.8"), ("delete", "王质量（qm）", "10.0.0.8")]
    update = AuditEvent.objects.filter(model="org.customer", action="update").get()
    assert update.changes == {"name": ["甲", "甲公司"]}
    delete = AuditEvent.objects.filter(model="org.customer", action="delete").get()
    assert delete.changes["name"] == ["甲公司", None]


@pytest.mark.django_db
def test_it_records_bulk_updates_bulk_creates_and_queryset_deletes_row_by_row():
    Customer.objects.bulk_create([Customer(code=f"B{i}", name=f"批量{i}") for i in range(3)])
    assert AuditEvent.objects.filter(model="org.customer", action="create").count() == 3
    Customer.objects.filter(code__startswith="B").update(industry="金融")
    updates = AuditEvent.objects.filter(model="org.customer", action="update")
    assert updates.count() == 3
    assert all(e.changes == {"industry": ["", "金融"]} for e in updates)
    objs = list(Customer.objects.filter(code__startswith="B"))
    for o in objs:
        o.notes = "n"
    Customer.objects.bulk_update(objs, ["notes"])
    assert AuditEvent.objects.filter(model="org.customer", action="update").count() == 6
    Customer.objects.filter(code__startswith="B").delete()
    assert AuditEvent.objects.filter(model="org.customer", action="delete").count() == 3


@pytest.mark.django_db
def test_an_unchanged_save_records_nothing(world):
    before = AuditEvent.objects.count()
    project = Project.objects.get(pk=world.project_a.pk)
    project.save()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_membership_changes_land_in_the_project_history(world):
    from opsqm.org.services import project_set_members

    project_set_members(actor=world.qm, project=world.project_a, users=[world.auditor])
    event = AuditEvent.objects.filter(model="org.projectmembership").latest("id")
    assert event.project_id == world.project_a.pk and event.action == "create"


@pytest.mark.django_db
def test_the_chain_links_every_event_to_the_previous_one():
    Customer.objects.create(code="C1", name="甲")
    Customer.objects.create(code="C2", name="乙")
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        assert event.prev_hash == prev
        assert event.hash == event_hash(prev, hashed_fields(event))
        prev = event.hash
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("sql", ["UPDATE records_auditevent SET actor_name = 'x'", "DELETE FROM records_auditevent"])
def test_the_database_refuses_to_change_or_delete_history(sql):
    Customer.objects.create(code="C1", name="甲")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(actor_name="system").exists()


def _tamper(event_id: int, new_name: str) -> None:
    """Change a history row behind the triggers' back, as an attacker with DB access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE records_auditevent DISABLE TRIGGER records_auditevent_no_change")
            cursor.execute("UPDATE records_auditevent SET actor_name = %s WHERE id = %s", [new_name, event_id])
            cursor.execute("ALTER TABLE records_auditevent ENABLE TRIGGER records_auditevent_no_change")
        else:
            cursor.execute("DROP TRIGGER records_auditevent_no_update")
            cursor.execute("UPDATE records_auditevent SET actor_name = %s WHERE id = %s", [new_name, event_id])
            cursor.execute(
                "CREATE TRIGGER records_auditevent_no_update BEFORE UPDATE ON records_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END;"
            )


@pytest.mark.django_db
def test_verify_names_the_first_tampered_row():
    for i in range(5):
        Customer.objects.create(code=f"C{i}", name=f"客户{i}")
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    _tamper(ids[2], "someone else")
    _tamper(ids[4], "again")
    result = verify_chain()
    assert not result.ok and result.first_bad_id == ids[2] and result.checked == 2
    with pytest.raises(CommandError, match=f"id={ids[2]}"):
        call_command("verify_audit_trail")


@pytest.mark.django_db
def test_verify_detects_a_removed_row():
    for i in range(3):
        Customer.objects.create(code=f"C{i}", name=f"客户{i}")
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE records_auditevent DISABLE TRIGGER records_auditevent_no_change")
            cursor.execute("DELETE FROM records_auditevent WHERE id = %s", [ids[1]])
            cursor.execute("ALTER TABLE records_auditevent ENABLE TRIGGER records_auditevent_no_change")
        else:
            cursor.execute("DROP TRIGGER records_auditevent_no_delete")
            cursor.execute("DELETE FROM records_auditevent WHERE id = %s", [ids[1]])
    result = verify_chain()
    assert not result.ok and result.first_bad_id == ids[2]


@pytest.mark.django_db
def test_a_failed_business_transaction_leaves_no_history():
    with pytest.raises(RuntimeError), transaction.atomic():
        Customer.objects.create(code="C1", name="甲")
        raise RuntimeError
    assert not AuditEvent.objects.exists()


def test_the_audit_trail_page_and_verify_job_are_for_org_wide_roles_only(world, login):
    Customer.objects.create(code="CX", name="丙")
    client = login(world.qm)
    assert client.get("/records/audit-trail/").status_code == 200
    response = client.post("/records/audit-trail/verify/")
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert "校验通过" in job_page.content.decode() or job_page.context["job"].status == "succeeded"
    for user in (world.spec_a, world.outsider, world.ops_a):
        assert login(user).get("/records/audit-trail/").status_code == 404
        assert login(user).post("/records/audit-trail/verify/").status_code == 404
