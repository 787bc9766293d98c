"""Small display helpers for clerks' pages: time-zone names people read."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils.translation import gettext as _

register = template.Library()

KNOWN = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "PRC": "北京时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
    "Asia/Tokyo": "东京时间",
    "Asia/Singapore": "新加坡时间",
    "Europe/London": "伦敦时间",
    "UTC": "协调世界时",
}


@register.filter
def tz_label(name: str) -> str:
    """ "Asia/Shanghai" → "北京时间 (UTC+8)"; an unknown zone shows its offset and name."""
    try:
        offset = dt.datetime.now(ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return name or "—"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    label = KNOWN.get(name)
    return f"{_(label)} ({utc})" if label else f"{utc} {name}"


def tz_choices() -> list[tuple[str, str]]:
    """Choices for a time-zone select: the zones people here use, labelled as they say them."""
    return [
        (name, tz_label(name))
        for name in ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore", "Europe/London", "UTC")
    ]
