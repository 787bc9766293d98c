"""Tampering with the audit trail is reported, including what a hash chain alone cannot show:
deleted last rows, all rows deleted, a chain rewritten with fresh hashes. Runs on SQLite and,
with DATABASE_URL=postgres://…, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from opsqm.org.models import Customer
from opsqm.records.models import AuditAnchor, AuditEvent
from opsqm.records.trail import GENESIS, anchor_file_read, event_hash, hashed_fields, verify_chain

TABLES = {
    "records_auditevent": ("records_auditevent_no_update", "records_auditevent_no_delete", "records_auditevent_no_change"),
    "records_auditanchor": ("records_auditanchor_no_update", "records_auditanchor_no_delete", "records_auditanchor_no_change"),
}


def _behind_the_triggers(table: str, statements: list[tuple[str, list]]) -> None:
    """Run SQL on an append-only table as an attacker with database access would (triggers off)."""
    no_update, no_delete, pg_trigger = TABLES[table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {pg_trigger}")
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {pg_trigger}")
        else:
            cursor.execute(f"DROP TRIGGER {no_update}")
            cursor.execute(f"DROP TRIGGER {no_delete}")
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(f"CREATE TRIGGER {no_update} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END;")
            cursor.execute(f"CREATE TRIGGER {no_delete} BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END;")


def _history(n: int = 6) -> list[int]:
    for i in range(n):
        Customer.objects.create(code=f"C{i}", name=f"客户{i}")
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def _refused() -> str:
    result = verify_chain()
    assert not result.ok
    with pytest.raises(CommandError, match="审计追踪被篡改"):
        call_command("verify_audit_trail")
    return result.reason


@pytest.fixture
def committed_history(settings, tmp_path, django_capture_on_commit_callbacks):
    """The anchor file on; history written with its on-commit hooks run as if each append committed
    (SQLite's flush cannot empty the append-only tables, so these tests stay in the test transaction)."""
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.json")

    def write(n: int) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return _history(n)

    return write


@pytest.mark.django_db
def test_each_append_writes_an_anchor_with_the_running_count_and_head_hash():
    ids = _history(3)
    anchors = list(AuditAnchor.objects.order_by("id"))
    assert [(a.count, a.last_event_id) for a in anchors] == [(1, ids[0]), (2, ids[1]), (3, ids[2])]
    assert anchors[-1].head_hash == AuditEvent.objects.get(pk=ids[2]).hash
    assert verify_chain().ok and verify_chain().checked == 3


@pytest.mark.django_db
def test_the_anchor_file_follows_committed_appends(committed_history):
    ids = committed_history(2)
    assert anchor_file_read() == {"count": 2, "last_event_id": ids[1], "head_hash": AuditEvent.objects.get(pk=ids[1]).hash}
    with pytest.raises(RuntimeError), transaction.atomic():
        Customer.objects.create(code="RB", name="回滚")
        raise RuntimeError
    assert anchor_file_read()["count"] == 2  # a rolled-back append leaves the file alone
    stale = AuditAnchor.objects.order_by("id").first()
    from opsqm.records.trail import anchor_file_write

    anchor_file_write(stale)  # a late writer never moves the file back
    assert anchor_file_read()["count"] == 2
    assert verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("sql", ["UPDATE records_auditanchor SET count = 0", "DELETE FROM records_auditanchor"])
def test_the_database_refuses_to_change_or_delete_anchors(sql):
    _history(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditAnchor.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_row_is_reported():
    ids = _history()
    _behind_the_triggers("records_auditevent", [("UPDATE records_auditevent SET actor_name = %s WHERE id = %s", ["someone", ids[3]])])
    assert "altered" in _refused()
    assert verify_chain().first_bad_id == ids[3]


@pytest.mark.django_db
def test_a_deleted_middle_row_is_reported():
    ids = _history()
    _behind_the_triggers("records_auditevent", [("DELETE FROM records_auditevent WHERE id = %s", [ids[2]])])
    _refused()
    assert verify_chain().first_bad_id == ids[3]


@pytest.mark.django_db
def test_deleted_last_rows_are_reported():
    ids = _history()
    _behind_the_triggers("records_auditevent", [("DELETE FROM records_auditevent WHERE id >= %s", [ids[4]])])
    reason = _refused()
    assert "末尾记录被删除" in reason and verify_chain().checked == 4


@pytest.mark.django_db
def test_all_rows_deleted_is_reported():
    _history()
    _behind_the_triggers("records_auditevent", [("DELETE FROM records_auditevent", [])])
    assert "末尾记录被删除" in _refused() and verify_chain().checked == 0


@pytest.mark.django_db
def test_a_rechained_trail_is_reported():
    """Change a row, then recompute every hash after it so the chain itself is consistent again."""
    ids = _history()
    events = list(AuditEvent.objects.filter(id__gte=ids[2]).order_by("id"))
    prev = AuditEvent.objects.get(pk=ids[1]).hash
    statements = []
    for i, event in enumerate(events):
        if i == 0:
            event.actor_name = "forged"
        event.prev_hash = prev
        event.hash = event_hash(prev, hashed_fields(event))
        prev = event.hash
        statements.append(
            (
                "UPDATE records_auditevent SET actor_name = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.actor_name, event.prev_hash, event.hash, event.id],
            )
        )
    _behind_the_triggers("records_auditevent", statements)
    # The chain alone now looks intact ...
    p = GENESIS
    for e in AuditEvent.objects.order_by("id"):
        assert e.prev_hash == p and e.hash == event_hash(p, hashed_fields(e))
        p = e.hash
    # ... but its anchors are not.
    assert "改写" in _refused()
    assert verify_chain().first_bad_id == ids[2]


@pytest.mark.django_db
def test_rows_appended_behind_the_applications_back_are_reported():
    ids = _history(2)
    last = AuditEvent.objects.get(pk=ids[-1])
    forged = AuditEvent(
        at=last.at, actor_name="x", action="create", model="org.customer", object_id="9", object_repr="x", changes={}, prev_hash=last.hash
    )
    forged.hash = event_hash(last.hash, hashed_fields(forged))
    forged.save()  # INSERT passes the triggers, but no anchor confirms the row
    assert "未经锚点确认" in _refused()


@pytest.mark.django_db
def test_deleting_events_and_anchors_together_is_caught_by_the_anchor_file(committed_history):
    committed_history(4)
    _behind_the_triggers("records_auditevent", [("DELETE FROM records_auditevent", [])])
    _behind_the_triggers("records_auditanchor", [("DELETE FROM records_auditanchor", [])])
    assert "锚点文件" in _refused()


@pytest.mark.django_db
def test_deleting_the_tail_and_its_anchors_is_caught_by_the_anchor_file(committed_history):
    ids = committed_history(5)
    _behind_the_triggers("records_auditevent", [("DELETE FROM records_auditevent WHERE id >= %s", [ids[3]])])
    _behind_the_triggers("records_auditanchor", [("DELETE FROM records_auditanchor WHERE last_event_id >= %s", [ids[3]])])
    assert "锚点文件" in _refused()
