"""Staff pages: campaigns sent and chased, QR and A4 sheet, results and explanations, rules; foreign data is 404."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from openpyxl import load_workbook

from opsqm.surveys import services
from opsqm.surveys.models import Campaign, Invitation, SatisfactionRules
from opsqm.surveys.tests.helpers import answer_data, campaign


@pytest.fixture
def sent(world):
    c = campaign(world, project=world.project_a, contacts=3)
    services.campaign_send(actor=world.spec_a, campaign=c)
    return c


def test_creating_a_campaign_on_the_page_makes_one_invitation_per_contact(world, login):
    from opsqm.surveys.tests.helpers import simple_template

    simple_template("project")
    client = login(world.ops_a)
    r = client.post(
        "/surveys/campaigns/new/",
        {
            "level": "project",
            "project": world.project_a.pk,
            "title": "上半年调查",
            "period_label": "2026 上半年",
            "expires_on": "2030-01-01",
            "contacts": "张三, z@example.com, 139\n李四,,13800000000",
        },
    )
    assert r.status_code == 302
    c = Campaign.objects.get()
    assert c.code.startswith("SV-") and c.invitations.count() == 2 and c.created_by == world.ops_a
    bad = client.post(
        "/surveys/campaigns/new/",
        {"level": "project", "project": world.project_b.pk, "title": "x", "period_label": "x", "expires_on": "2030-01-01", "contacts": "a"},
    )
    assert bad.status_code == 200 and Campaign.objects.count() == 1  # project B is not in ops_a's choices


def test_sending_emails_a_chinese_invitation_and_reminders_go_to_those_who_have_not_answered(
    world, sent, django_capture_on_commit_callbacks
):
    assert len(mail.outbox) == 0 or all("邀请您参加" in m.subject for m in mail.outbox)
    first = sent.invitations.order_by("id").first()
    services.response_submit(token=services.invitation_token(first), data=answer_data(sent.template, [4, 8]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.campaign_remind(actor=world.spec_a, campaign=sent)
    assert n == 2 and len(mail.outbox) == 2 and all(m.subject.startswith("【提醒】") for m in mail.outbox)
    assert all(first.contact_email not in m.to for m in mail.outbox)


def test_the_qr_code_and_sheet_are_for_the_campaigns_people_only(world, sent, login):
    inv = sent.invitations.first()
    r = login(world.spec_a).get(f"/surveys/invitations/{inv.pk}/qr.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r.content[:4] == b"\x89PNG"
    sheet = login(world.spec_a).get(f"/surveys/campaigns/{sent.pk}/sheet/")
    assert sheet.status_code == 200 and sheet.content.decode().count("data:image/svg+xml") == 3
    for user in (world.outsider, world.spec_b, world.ops_b):
        assert login(user).get(f"/surveys/invitations/{inv.pk}/qr.png").status_code == 404
        assert login(user).get(f"/surveys/campaigns/{sent.pk}/").status_code == 404
        assert login(user).get(f"/surveys/campaigns/{sent.pk}/sheet/").status_code == 404


def test_withdrawing_an_invitation_kills_its_link(world, sent, login, client):
    inv = sent.invitations.first()
    assert login(world.spec_b).post(f"/surveys/invitations/{inv.pk}/withdraw/").status_code == 404
    login(world.spec_a).post(f"/surveys/invitations/{inv.pk}/withdraw/")
    assert Invitation.objects.get(pk=inv.pk).status == Invitation.Status.WITHDRAWN
    assert client.get(f"/s/{services.invitation_token(inv)}/").status_code == 404


def test_results_and_explanation_open_down_to_the_raw_answer(world, sent, login):
    inv = sent.invitations.order_by("id").first()
    r = services.response_submit(token=services.invitation_token(inv), data=answer_data(sent.template, [4, 8], text="<script>x</script>"))
    year = r.submitted_at.year
    page = login(world.spec_a).get(f"/surveys/?period={year}").content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)  # random text, may hold "PB"
    assert "PA" in page and "PB" not in page
    explain = login(world.spec_a).get(f"/surveys/explain/PA/?period={year}").content.decode()
    assert f"/surveys/responses/{r.pk}/" in explain and "78.8" in explain  # (75 + 80*3)/4 = 78.75
    detail = login(world.spec_a).get(f"/surveys/responses/{r.pk}/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in detail and "<script>x</script>" not in detail
    assert login(world.spec_b).get(f"/surveys/explain/PA/?period={year}").status_code == 404
    assert login(world.spec_b).get(f"/surveys/responses/{r.pk}/").status_code == 404


def test_only_the_quality_manager_changes_the_rules_and_the_formula_follows(world, login):
    data = {
        "weight_incident": 0.2,
        "weight_project": 0.5,
        "weight_customer": 0.3,
        "band_1": 90,
        "band_2": 80,
        "band_3": 60,
        "min_responses": 2,
        "company_method": "contract_value",
        "threshold": 70,
        "target": 88,
    }
    assert login(world.spec_a).post("/surveys/rules/2026/", data).status_code == 403
    assert login(world.qm).post("/surveys/rules/2026/", data).status_code == 302
    rules = SatisfactionRules.objects.get(year=2026)
    assert (rules.weight_project, rules.min_responses, rules.bands[1]) == (0.5, 2, [80.0, "满意"])
    page = login(world.qm).get("/surveys/rules/2026/").content.decode()
    assert "项目级 0.5" in page and "按合同金额加权" in page
    bad = dict(data, band_2=95)
    assert login(world.qm).post("/surveys/rules/2026/", bad).status_code == 200
    assert SatisfactionRules.objects.get(year=2026).bands[1] == [80.0, "满意"]


def test_a_new_template_version_leaves_sent_invitations_on_theirs(world, sent):
    new = services.template_new_version(actor=world.qm, template=sent.template)
    assert new.version == sent.template.version + 1 and new.questions.count() == sent.template.questions.count()
    assert set(sent.invitations.values_list("template_id", flat=True)) == {sent.template_id}


def test_the_report_renders_with_comments_verbatim_and_neutralized(world, sent, login):
    inv = sent.invitations.order_by("id").first()
    r = services.response_submit(
        token=services.invitation_token(inv), data=answer_data(sent.template, [4, 8], text='=HYPERLINK("x") <b>好</b>')
    )
    year = r.submitted_at.year
    docx = login(world.qm).get(f"/surveys/report/{year}.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "<b>好</b>" in text
    xlsx = login(world.qm).get(f"/surveys/report/{year}.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    comments = [row[4] for row in wb["客户意见"].iter_rows(min_row=2, values_only=True)]
    assert comments and not any(str(c).startswith("=") for c in comments)
    own = login(world.spec_b).get(f"/surveys/report/{year}.xlsx")
    wb = load_workbook(io.BytesIO(own.content))
    assert [row[0] for row in wb["项目满意度"].iter_rows(min_row=2, values_only=True)] == ["PB"]
