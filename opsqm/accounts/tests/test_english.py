"""The English interface: the cookie switches the UI, and the catalog is complete.

The source language is Simplified Chinese (msgids are Chinese); English comes from
opsqm/locale/en/LC_MESSAGES/django.po, compiled to django.mo and committed.
"""

from __future__ import annotations

import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_the_login_page_is_english_with_the_language_cookie(client):
    response = _english(client).get("/accounts/login/")
    body = _text(response)
    assert response.headers["Content-Language"] == "en"
    assert "O&M Service Quality Management System" in body
    assert "Username" in body and "Password" in body and "Log in" in body
    assert "运维服务质量管理系统" not in body


@pytest.mark.django_db
def test_the_login_page_stays_chinese_without_the_cookie(client):
    body = _text(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "运维服务质量管理系统" in body


def test_the_dashboard_sidebar_is_english(world, login):
    response = _english(login(world.qm)).get("/")
    assert response.status_code == 200
    body = _text(response)
    sections = re.findall(r'<div class="nav-section">([^<]*)</div>', body)
    assert sections, "the sidebar has no sections"
    assert {"Workspace", "Organization & Projects", "Tickets & SLA"} <= {s.strip() for s in sections}
    for label in sections:
        assert not re.search(r"[\u4e00-\u9fff]", label), f"untranslated sidebar section {label!r}"
    assert "O&M Service Quality Management" in body
    assert "Quality Dashboard" in body and "Audits & Inspections" in body and "Findings & Improvement" in body


def test_the_compiled_catalog_translates_key_strings():
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    expected = {
        "运维服务质量管理系统": "O&M Service Quality Management System",
        "质量经理": "Quality Manager",
        "质量专员": "Quality Specialist",
        "运维经理": "O&M Manager",
        "内审员": "Internal Auditor",
        "管理者代表": "Management Representative",
        "总经办": "General Manager's Office",
        "严重不符合": "Major nonconformity",
        "一般不符合": "Minor nonconformity",
        "观察项": "Observation",
        "纠正措施": "Corrective action",
        "首次会议": "Opening meeting",
        "末次会议": "Closing meeting",
        "业务日历": "Business calendar",
        "审计追踪": "Audit trail",
    }
    for msgid, msgstr in expected.items():
        assert catalog.gettext(msgid) == msgstr
    assert catalog.ngettext("还有 %(n)s 个问题未关闭。", "还有 %(n)s 个问题未关闭。", 1) == "%(n)s finding is still open."
    assert catalog.ngettext("还有 %(n)s 个问题未关闭。", "还有 %(n)s 个问题未关闭。", 2) == "%(n)s findings are still open."


def _po_entries(text: str) -> list[dict[str, str]]:
    """Minimal .po reader: msgctxt/msgid/msgid_plural/msgstr/msgstr[n] with continuation lines."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, ""
            continue
        if line.startswith("#~"):
            continue  # obsolete entries are not used
        if line.startswith("#"):
            if line.startswith("#,"):
                current["flags"] = current.get("flags", "") + line[2:]
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    if current:
        entries.append(current)
    return entries


def test_the_catalog_has_no_untranslated_or_fuzzy_entries():
    text = PO_FILE.read_text(encoding="utf-8")
    # No entry whose msgid is non-empty is followed directly by an empty msgstr.
    assert not re.search(r'^msgid "(?:[^"\\]|\\.)+"\nmsgstr ""\n\n', text, flags=re.M)
    entries = _po_entries(text)
    header = [e for e in entries if e.get("msgid") == "" and "msgid_plural" not in e]
    assert len(header) == 1 and "nplurals=2" in header[0]["msgstr"]
    untranslated, fuzzy = [], []
    for entry in entries:
        if entry.get("msgid") == "" and "msgid_plural" not in entry:
            continue
        if "fuzzy" in entry.get("flags", ""):
            fuzzy.append(entry["msgid"])
        if "msgid_plural" in entry:
            if not entry.get("msgstr[0]") or not entry.get("msgstr[1]"):
                untranslated.append(entry["msgid"])
        elif not entry.get("msgstr"):
            untranslated.append(entry["msgid"])
    assert len(entries) > 1000
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalog_is_not_older_than_the_po_file():
    # Runtime reads only django.mo; a .po edited without compilemessages would be silently ignored.
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    entries = [e for e in _po_entries(PO_FILE.read_text(encoding="utf-8")) if e.get("msgid") and "msgctxt" not in e]
    stale = [e["msgid"] for e in entries if "msgid_plural" not in e and catalog.gettext(_unescape(e["msgid"])) != _unescape(e["msgstr"])]
    assert stale == []


def _unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
