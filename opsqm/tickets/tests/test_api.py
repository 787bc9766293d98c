from __future__ import annotations

from opsqm.tickets.models import SlaStatus, Ticket

URL = "/api/v1/projects/{}/tickets/"

ITEMS = [
    {
        "ticket_no": "API-1",
        "priority": "P1",
        "created_at": "2026-03-02T09:00:00+08:00",
        "first_response_at": "2026-03-02T09:20:00",
        "resolved_at": "2026-03-02T14:00:00",
        "pauses": [{"start": "2026-03-02T10:00:00", "end": "2026-03-02T11:00:00"}],
        "first_contact_resolution": True,
    },
    {"ticket_no": "API-2", "priority": "P2", "created_at": "2026-03-06T09:00:00Z", "title": "UTC 时间"},
]


def test_push_upserts_tickets_and_lists_them_with_sla(sla_world, api_client):
    w = sla_world
    client = api_client(w.spec_a)
    response = client.post(URL.format(w.project_a.pk), ITEMS, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"total": 2, "created": 2, "updated": 0, "unchanged": 0}
    t1 = Ticket.objects.get(number="API-1")
    assert (t1.response_seconds, t1.resolution_seconds, t1.source) == (1200, 9000, "api")
    again = client.post(URL.format(w.project_a.pk), ITEMS, format="json")
    assert again.json()["unchanged"] == 2
    listed = client.get(URL.format(w.project_a.pk) + "?period=2026-03")
    assert listed.status_code == 200
    rows = {r["ticket_no"]: r for r in listed.json()["results"]}
    assert rows["API-1"]["resolution_status"] == SlaStatus.MET and rows["API-1"]["response_status_display"] == "达标"
    assert client.get(URL.format(w.project_a.pk) + "?period=2026-04").json()["count"] == 0


def test_invalid_items_give_400_with_per_item_errors_and_store_nothing(sla_world, api_client):
    w = sla_world
    bad = ITEMS + [{"ticket_no": "API-3", "priority": "P1", "created_at": "昨天"}, {"priority": "P1"}]
    response = api_client(w.spec_a).post(URL.format(w.project_a.pk), bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"item": 3, "field": "created_at", "value": "昨天"}.items() <= errors[0].items()
    assert any(e["item"] == 4 and e["field"] == "ticket_no" for e in errors)
    assert Ticket.objects.count() == 0


def test_outsider_and_wrong_project_get_404(sla_world, api_client):
    w = sla_world
    for user, project in ((w.outsider, w.project_a), (w.spec_a, w.project_b)):
        client = api_client(user)
        assert client.post(URL.format(project.pk), ITEMS, format="json").status_code == 404
        assert client.get(URL.format(project.pk)).status_code == 404
    assert Ticket.objects.count() == 0


def test_read_only_roles_get_403_on_push(sla_world, api_client):
    w = sla_world
    for user in (w.gm, w.mgmt):
        assert api_client(user).post(URL.format(w.project_a.pk), ITEMS, format="json").status_code == 403
        assert api_client(user).get(URL.format(w.project_a.pk)).status_code == 200
    assert Ticket.objects.count() == 0


def test_more_than_5000_items_are_refused(sla_world, api_client):
    w = sla_world
    items = [{"ticket_no": f"X{i}", "priority": "P1", "created_at": "2026-03-02T09:00:00"} for i in range(5001)]
    assert api_client(w.spec_a).post(URL.format(w.project_a.pk), items, format="json").status_code == 400
