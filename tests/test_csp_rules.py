"""The Content-Security-Policy is sent, and no template needs inline script (so it can stay strict)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1] / "opsqm"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\s(on[a-z]+)\s*=", re.I | re.S)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)
# Known exceptions (none): a handler becomes data-confirm="…" / data-autosubmit (opsqm/static/opsqm/app.js).
KNOWN: dict[str, set[str]] = {}


def _templates():
    return sorted(p for p in ROOT.rglob("*.html") if "static" not in p.parts)


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    problems = []
    for path in _templates():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text):
            problems.append(f"{rel}: inline <script>")
        handlers = {m.group(1).lower() for m in HANDLER.finditer(text)} - KNOWN.get(rel, set())
        if handlers:
            problems.append(f"{rel}: {sorted(handlers)}")
        if JS_URL.search(text):
            problems.append(f"{rel}: javascript: URL")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_page_gets_a_policy_without_inline_script_or_eval(world, login):
    response = login(world.qm).get(reverse("dashboards:home"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert login(world.outsider).get("/accounts/login/")["Content-Security-Policy"] == policy


@pytest.mark.django_db
def test_htmx_runs_without_eval(world, login):
    page = login(world.qm).get(reverse("dashboards:home")).content.decode()
    assert '"allowEval":false' in page and '"includeIndicatorStyles":false' in page


@pytest.mark.django_db
def test_evidence_downloads_keep_their_own_sandbox_policy(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opsqm.records.evidence import evidence_store

    project = world.project_a
    evidence = evidence_store(
        uploaded_file=SimpleUploadedFile("../../x.txt", b"hello"), actor=world.qm, owner=project, project_id=project.pk
    )
    assert evidence.original_name == "x.txt" and ".." not in evidence.file.name and "x.txt" not in evidence.file.name
    from opsqm.records.evidence import evidence_download_response

    response = evidence_download_response(evidence)
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
