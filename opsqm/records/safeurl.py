"""The one home for user-visible URLs: only http(s) and same-site relative links (ENGINEERING.md).

    from opsqm.records.safeurl import SafeURLField, SafeURLFormField, SafeURLSerializerField, validate_safe_url, is_safe_url

- `SafeURLField(models.CharField)`: every model field holding a link (max_length 500 by default);
  `full_clean()` rejects `javascript:`, `data:`, `vbscript:`, protocol-relative `//host`, any
  whitespace, control character or backslash (browsers drop or rewrite those before parsing).
- `SafeURLFormField(forms.CharField)`: the form field `SafeURLField.formfield()` returns.
- `SafeURLSerializerField(serializers.CharField)`: for hand-written DRF serializers (a
  ModelSerializer picks up the model field's validator by itself).
- `is_safe_url(value) -> bool` and the template filter `{% load safe_urls %}{{ url|safe_href }}`
  (an unsafe stored value renders as "#", so even rows saved before this rule are harmless).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ALLOWED_SCHEMES = frozenset({"http", "https"})
_NEVER = frozenset("\\\"'<>`")  # not URL characters unencoded; a backslash is read as "/" by browsers


def is_safe_url(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in _NEVER for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc) and value.lower().startswith(parts.scheme.lower() + "://")
    if value.startswith("//") or parts.netloc:
        return False  # protocol-relative: another site
    first = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return ":" not in first and "&" not in first  # `javascript&colon;` would become a scheme in HTML


def validate_safe_url(value: Any) -> None:
    if value in (None, ""):
        return
    if not is_safe_url(value):
        raise ValidationError(_("链接只能是 http:// 或 https:// 开头的网址，或以 / 开头的站内地址。"), code="unsafe_url")


class SafeURLFormField(forms.CharField):
    default_validators = [validate_safe_url]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)


class SafeURLField(models.CharField):
    default_validators = [validate_safe_url]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": SafeURLFormField, **kwargs})


try:  # DRF is a dependency, but keep this module importable without it
    from rest_framework import serializers

    class SafeURLSerializerField(serializers.CharField):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("max_length", 500)
            super().__init__(**kwargs)
            self.validators.append(validate_safe_url)
except ImportError:  # pragma: no cover
    SafeURLSerializerField = None  # type: ignore[assignment,misc]


__all__ = ["SafeURLField", "SafeURLFormField", "SafeURLSerializerField", "validate_safe_url", "is_safe_url", "ALLOWED_SCHEMES"]
