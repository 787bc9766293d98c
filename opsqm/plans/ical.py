"""A user's plan activities (and pending quarterly summaries) as an iCalendar feed (all-day events)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

from opsqm.plans.models import ActivityStatus, PlanActivity


def feed_for(user: Any, base_url: str) -> bytes:
    from opsqm.quarterly.models import QuarterlySubmission

    cal = Calendar()
    cal.add("prodid", "-//opsqm//质量计划//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"质量计划 · {user.display_name}")
    stamp = dt.datetime.now(dt.UTC)
    for a in PlanActivity.objects.filter(owner=user).select_related("plan").order_by("due_date"):
        ev = Event()
        ev.add("uid", f"plan-activity-{a.pk}@opsqm")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", a.due_date)
        ev.add("dtend", a.due_date + dt.timedelta(days=1))
        done = a.status == ActivityStatus.DONE
        ev.add("summary", ("[已完成] " if done else "") + a.title)
        ev.add("description", f"{a.get_type_display()}\n{a.content}\n输出物：{a.output}")
        ev.add("url", f"{base_url}/plans/activities/{a.pk}/")
        ev.add("categories", [a.get_type_display()])
        cal.add_component(ev)
    for s in QuarterlySubmission.objects.filter(owner=user, status=QuarterlySubmission.Status.PENDING).select_related("review", "project"):
        ev = Event()
        ev.add("uid", f"quarterly-submission-{s.pk}@opsqm")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", s.review.due_date)
        ev.add("dtend", s.review.due_date + dt.timedelta(days=1))
        ev.add("summary", f"提交 {s.project.code} {s.review.year} 年第 {s.review.quarter} 季度工作总结")
        ev.add("url", f"{base_url}/quarterly/submissions/{s.pk}/")
        cal.add_component(ev)
    return cal.to_ical()
