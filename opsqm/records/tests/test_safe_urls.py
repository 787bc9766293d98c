"""Every URL field accepts only http(s) and site-relative links; unsafe stored links render inert."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from opsqm.findings.models import Finding
from opsqm.notifications.models import Notification
from opsqm.records.safeurl import SafeURLFormField, SafeURLSerializerField, is_safe_url, validate_safe_url

BAD = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://",
    "ftp://files.example/x",
    "file:///etc/passwd",
    'x" onmouseover="alert(1)',
    "javascript&colon;alert(1)",
]
GOOD = ["https://itsm.example.com/tickets/1?a=b#c", "http://10.0.0.1:8080/x", "/kpis/drill/?code=x", "?page=2", "#top", "audits/1/", ""]


@pytest.mark.parametrize("value", BAD)
def test_unsafe_links_are_refused_everywhere(value):
    assert not is_safe_url(value)
    with pytest.raises(ValidationError):
        validate_safe_url(value)
    with pytest.raises(ValidationError):
        SafeURLFormField(required=False, strip=False).clean(value)
    from rest_framework.exceptions import ValidationError as DrfError

    with pytest.raises(DrfError):
        SafeURLSerializerField(required=False, trim_whitespace=False).run_validation(value)


@pytest.mark.parametrize("value", GOOD)
def test_http_and_relative_links_are_accepted(value):
    validate_safe_url(value)
    assert SafeURLFormField(required=False).clean(value) == value


def test_the_link_filter_renders_unsafe_values_as_a_hash():
    rendered = Template('{% load safe_urls %}<a href="{{ u|safe_href }}">').render(Context({"u": "javascript:alert(1)"}))
    assert rendered == '<a href="#">'
    rendered = Template('{% load safe_urls %}<a href="{{ u|safe_href }}">').render(Context({"u": '/x?a=1&b="'}))
    assert rendered == '<a href="#">'  # a quote is not a URL character here
    assert Template("{% load safe_urls %}{{ u|safe_href }}").render(Context({"u": "/x?a=1&b=2"})) == "/x?a=1&amp;b=2"


@pytest.mark.django_db
def test_model_url_fields_refuse_javascript(world):
    for field in (Finding._meta.get_field("source_url"), Notification._meta.get_field("url")):
        with pytest.raises(ValidationError):
            field.clean("javascript:alert(1)", None)
        assert field.clean("/findings/1/", None) == "/findings/1/"


@pytest.mark.django_db
def test_the_api_never_stores_a_javascript_source_url(world, login):
    # source_url is server-set (read-only in the serializer): the API ignores it, so no
    # javascript: link can reach the database through it.
    client = login(world.spec_a)
    response = client.post(
        reverse("api:finding-list") if _has("api:finding-list") else "/api/v1/findings/",
        {
            "title": "问题",
            "severity": "minor",
            "project": world.project_a.pk,
            "source_url": "javascript:alert(1)",
        },
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.content
    assert not Finding.objects.filter(source_url__startswith="javascript").exists()
    if response.status_code == 201:
        assert Finding.objects.get(pk=response.json()["id"]).source_url == ""


@pytest.mark.django_db
def test_notify_drops_an_unsafe_link(world):
    from opsqm.notifications.services import notify

    rows = notify(users=[world.qm], title="t", url="javascript:alert(1)", email=False)
    assert [n.url for n in rows] == [""]


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False
