"""Small builders shared by the survey tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opsqm.surveys import services
from opsqm.surveys.models import Level, Question, Section, SurveyTemplate


def simple_template(level: str = Level.PROJECT, family: str | None = None) -> SurveyTemplate:
    """Two rating questions (1–5 weight 1, 0–10 weight 3) and one optional text question."""
    tpl = SurveyTemplate.objects.create(family=family or f"t-{level}", version=1, name=f"测试问卷 {level}", level=level, is_default=True)
    s = Section.objects.create(template=tpl, title="评价", order=0)
    Question.objects.create(template=tpl, section=s, order=1, kind="rating", text="响应速度", scale_min=1, scale_max=5, weight=1)
    Question.objects.create(template=tpl, section=s, order=2, kind="rating", text="总体", scale_min=0, scale_max=10, weight=3)
    Question.objects.create(template=tpl, section=s, order=3, kind="text", text="改进建议", required=False)
    return tpl


def campaign(world, *, project=None, customer=None, level: str = Level.PROJECT, contacts: int = 2, template=None, actor=None):
    template = template or SurveyTemplate.objects.filter(level=level).first() or simple_template(level)
    now = timezone.now()
    return services.campaign_create(
        actor=actor or world.qm,
        level=level,
        customer=customer or (project.customer if project else world.customer_a),
        project=project,
        template=template,
        title="测试调查",
        period_label="2026",
        expires_at=now + dt.timedelta(days=10),
        contacts=[{"name": f"联系人{i}", "email": f"c{i}@example.com", "phone": ""} for i in range(contacts)],
    )


def answer_data(template: SurveyTemplate, values: list[int], text: str = "") -> dict[str, str]:
    qs = list(template.questions.order_by("order"))
    data = {}
    ratings = [q for q in qs if q.kind == "rating"]
    for q, v in zip(ratings, values):
        data[f"q{q.pk}"] = str(v)
    for q in qs:
        if q.kind == "text":
            data[f"q{q.pk}"] = text
    return data
