"""The public answer page: one response per invitation, neutral page for every unusable token, low band needs a comment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsqm.surveys import services
from opsqm.surveys.models import Invitation, Response
from opsqm.surveys.tests.helpers import answer_data, campaign


def _url(inv):
    return reverse("survey_public:answer", args=[services.invitation_token(inv)])


@pytest.fixture
def setup(world, settings):
    settings.OPSQM_SURVEY_RATE_IP = "10000/m"
    settings.OPSQM_SURVEY_RATE_TOKEN = "10000/m"
    c = campaign(world, project=world.project_a, contacts=4)
    services.campaign_send(actor=world.qm, campaign=c)
    return c, list(c.invitations.order_by("id"))


def test_a_respondent_answers_once_and_sees_the_thank_you_page(client, setup):
    c, invs = setup
    page = client.get(_url(invs[0]))
    assert page.status_code == 200 and "测试问卷" in page.content.decode()
    resp = client.post(_url(invs[0]), answer_data(c.template, [4, 8]))
    assert resp.status_code == 302 and resp["Location"] == reverse("survey_public:thanks")
    r = Response.objects.get()
    # (4-1)/4*100 = 75 weight 1; 8/10*100 = 80 weight 3 -> (75 + 240) / 4
    assert r.score == pytest.approx((75 + 80 * 3) / 4)
    assert Invitation.objects.get(pk=invs[0].pk).status == Invitation.Status.ANSWERED
    again = client.post(_url(invs[0]), answer_data(c.template, [5, 10]))
    assert again.status_code == 404 and Response.objects.count() == 1


def test_unknown_used_withdrawn_and_expired_tokens_answer_alike(client, setup, world):
    c, invs = setup
    client.post(_url(invs[0]), answer_data(c.template, [4, 8]))
    services.invitation_withdraw(actor=world.qm, invitation=invs[1])
    Invitation.objects.filter(pk=invs[2].pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    urls = {
        "unknown": reverse("survey_public:answer", args=["x" * 32]),
        "used": _url(invs[0]),
        "withdrawn": _url(invs[1]),
        "expired": _url(invs[2]),
    }
    for method in ("get", "post"):
        answers = {
            name: getattr(client, method)(url, answer_data(c.template, [5, 10]) if method == "post" else None) for name, url in urls.items()
        }
        statuses = {a.status_code for a in answers.values()}
        bodies = {a.content for a in answers.values()}
        assert statuses == {404}, (method, {k: a.status_code for k, a in answers.items()})
        assert len(bodies) == 1, method
    assert Response.objects.count() == 1


def test_a_lowest_band_score_needs_a_comment(client, setup):
    c, invs = setup
    resp = client.post(_url(invs[0]), answer_data(c.template, [1, 8]))
    assert resp.status_code == 400 and "最低一档" in resp.content.decode()
    assert Response.objects.count() == 0 and Invitation.objects.get(pk=invs[0].pk).status == Invitation.Status.SENT
    ok = client.post(_url(invs[0]), answer_data(c.template, [1, 8], text="工程师两次上门都没带备件"))
    assert ok.status_code == 302
    r = Response.objects.get()
    assert r.lowest_band and "备件" in r.comment


def test_out_of_scale_and_missing_required_answers_are_rejected_whole(client, setup):
    c, invs = setup
    data = answer_data(c.template, [9, 8])
    assert client.post(_url(invs[0]), data).status_code == 400
    data = answer_data(c.template, [4])
    assert client.post(_url(invs[0]), data).status_code == 400
    assert Response.objects.count() == 0


def test_requests_beyond_the_token_rate_are_refused(client, setup, settings):
    from django.core.cache import caches

    caches["ratelimit"].clear()
    settings.OPSQM_SURVEY_RATE_TOKEN = "3/m"
    _, invs = setup
    codes = [client.get(_url(invs[3])).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    caches["ratelimit"].clear()


def test_tokens_are_long_random_and_stored_only_hashed(setup):
    _, invs = setup
    tokens = {services.invitation_token(i) for i in invs}
    assert len(tokens) == len(invs) and all(len(t) >= 32 for t in tokens)
    for inv in invs:
        token = services.invitation_token(inv)
        assert token not in (inv.token_hash, inv.nonce)
        assert inv.token_hash == services.token_hash(token)
