from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def yesno_bool(value: Any) -> Any:
    """Booleans read as 是/否 in the diff; other values unchanged (None shown as empty)."""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return "" if value is None else value
