"""`{% load safe_urls %}` — `{{ url|safe_href }}` renders only http(s) and site-relative links, else "#"."""

from django import template

from opsqm.records.safeurl import is_safe_url

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    return value if isinstance(value, str) and is_safe_url(value) else "#"
