"""Survey records in 2026-Q2 (and one complaint in Q3) shared by the tests of the satisfaction area's
contributions to other areas (quarterly review, management review, assessor package)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opsqm.surveys import services
from opsqm.surveys.tests.helpers import answer_data, simple_template

# (project attr, answers per contact): simple_template scores q1 on 1–5 (weight 1), q2 on 0–10 (weight 3)
ANSWERS = {"project_a": [[5, 10], [3, 6]], "project_b": [[2, 8]]}
COMPLAINTS = [
    ("project_a", dt.date(2026, 5, 20), "甲项目夜间响应慢"),
    ("project_b", dt.date(2026, 6, 3), "乙项目报告延迟"),
    ("project_a", dt.date(2026, 7, 8), "甲项目七月投诉"),
]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def expected_score(values: list[int]) -> float:
    """A response's 0–100 score computed a second way: (v − min) / (max − min) × 100, weighted 1 and 3."""
    q1 = (values[0] - 1) / (5 - 1) * 100
    q2 = (values[1] - 0) / (10 - 0) * 100
    return (q1 * 1 + q2 * 3) / 4


def make(world) -> dict:
    template = simple_template()
    sent = at(dt.date(2026, 5, 10))
    for attr, answers in ANSWERS.items():
        project = getattr(world, attr)
        c = services.campaign_create(
            actor=world.qm,
            level="project",
            customer=project.customer,
            project=project,
            template=template,
            title=f"{project.code} 上半年满意度调查",
            period_label="2026 上半年",
            expires_at=at(dt.date(2026, 6, 10)),
            contacts=[{"name": f"联系人{i}", "email": f"c{i}@example.com", "phone": ""} for i in range(len(answers))],
            now=sent,
        )
        for inv, values in zip(c.invitations.order_by("id"), answers):
            services.response_submit(
                token=services.invitation_token(inv), data=answer_data(template, values, text="希望响应更快"), now=at(dt.date(2026, 5, 12))
            )
    for attr, day, content in COMPLAINTS:
        project = getattr(world, attr)
        services.complaint_create(
            actor=world.qm,
            data={
                "received_at": at(day),
                "channel": "phone",
                "project": project,
                "customer": project.customer,
                "contact": "客户代表",
                "content": content,
                "severity": "general",
                "handler": world.qm,
                "deadline_days": 3,
            },
        )
    scores = {attr: sum(expected_score(v) for v in answers) / len(answers) for attr, answers in ANSWERS.items()}
    return {"scores": scores, "company_equal": sum(scores.values()) / len(scores)}
