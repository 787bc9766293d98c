"""20 concurrent submissions of one token on PostgreSQL store exactly one response, with no 5xx."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from opsqm.surveys import services
from opsqm.surveys.models import Response
from opsqm.surveys.tests.helpers import answer_data, campaign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pg_only():
    if not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_twenty_concurrent_submissions_of_one_token_store_one_response(world, settings):
    settings.OPSQM_SURVEY_RATE_IP = "10000/m"
    settings.OPSQM_SURVEY_RATE_TOKEN = "10000/m"
    c = campaign(world, project=world.project_a, contacts=1)
    inv = c.invitations.get()
    url = reverse("survey_public:answer", args=[services.invitation_token(inv)])
    data = answer_data(c.template, [4, 7])
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def submit():
        client = Client()
        barrier.wait()
        try:
            codes.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 20 and all(code < 500 for code in codes)
    assert codes.count(302) == 1 and codes.count(404) == 19
    assert Response.objects.filter(invitation=inv).count() == 1
