"""The per-user iCalendar feed: parsed back by a library; secret, revocable."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from opsqm.plans import services


def test_the_feed_lists_the_users_activities_as_all_day_events(world, client, approved_plan):
    token = services.feed_issue(user=world.qm)
    response = client.get(f"/plans/ical/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    mine = list(approved_plan.activities.filter(owner=world.qm).order_by("due_date"))
    assert len(events) == len(mine) > 10
    by_uid = {str(e["UID"]): e for e in events}
    for a in mine:
        e = by_uid[f"plan-activity-{a.pk}@opsqm"]
        assert e.decoded("DTSTART") == a.due_date
        assert e.decoded("DTEND") == a.due_date + dt.timedelta(days=1)
        assert a.title in str(e["SUMMARY"])


def test_a_new_secret_revokes_the_old_url_and_revoking_stops_the_feed(world, client, approved_plan):
    old = services.feed_issue(user=world.qm)
    new = services.feed_issue(user=world.qm)
    assert client.get(f"/plans/ical/{old}.ics").status_code == 404
    assert client.get(f"/plans/ical/{new}.ics").status_code == 200
    services.feed_revoke(user=world.qm)
    assert client.get(f"/plans/ical/{new}.ics").status_code == 404
    assert client.get("/plans/ical/guess.ics").status_code == 404


def test_another_users_feed_does_not_contain_my_activities(world, client, approved_plan):
    token = services.feed_issue(user=world.outsider)
    cal = Calendar.from_ical(client.get(f"/plans/ical/{token}.ics").content)
    assert list(cal.walk("VEVENT")) == []
