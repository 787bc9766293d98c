"""Every page of every demo persona, at 1440 px and 390 px: no console error, no failed request, nothing
wider than the viewport, no English UI words outside data, no raw ISO timestamp. Screenshots of every page
go to $OPSQM_PAGEWALK_DIR (default var/pagewalk/) for review (not under CI=true unless OPSQM_PAGEWALK_SHOTS=1).

Pages are discovered, not listed: the sidebar links plus the links found on visited pages, one page per
URL shape (digits folded), bounded per persona. Pages other engineers add are covered once they are
linked from the sidebar or another page.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

PERSONAS = ["qm", "spec_a", "ops_a", "auditor", "mgmt", "gm", "reviewer", "admin"]
WIDTHS = (1440, 390)
MAX_PAGES = int(os.environ.get("OPSQM_PAGEWALK_MAX", "50"))  # per persona; one page per URL shape
PER_FAMILY = 4  # pages per family (/kpis/drill/…, /help/roles/…, /audits/<n>/…), so one area cannot eat the budget
SHOTS = Path(os.environ.get("OPSQM_PAGEWALK_DIR", Path(__file__).resolve().parents[2] / "var" / "pagewalk"))
# Screenshots are for people to look at; a CI clone is thrown away, so CI skips them (≈ 10 % of the walk).
TAKE_SHOTS = os.environ.get("OPSQM_PAGEWALK_SHOTS", "0" if os.environ.get("CI") else "1") == "1"

# Not pages: downloads, actions reached by links, other UIs (Django admin, API browser), pagination duplicates.
SKIP = re.compile(
    r"^/(admin|api|static|media|i18n)/|/logout/|/(export|download|ics|calendar\.ics)|/report/(docx|xlsx)|"
    r"\.(docx|xlsx|csv|zip|pdf|ics|json)$"
)
# UI words that are English on purpose (product names, units, standards).
ALLOWED_WORDS = {
    "SLA",
    "API",
    "Excel",
    "Word",
    "KPI",
    "ITSS",
    "ISO",
    "PDF",
    "ZIP",
    "Token",
    "Authorization",
    "HTTP",
    "HTTPS",
    "ITSM",
    "CSV",
    "XLSX",
    "DOCX",
    "SHA",
    "UTC",
    "Office",
    "OpenAPI",
    "REST",
    "Huey",
    "ECharts",
    "Chrome",
    "Email",
    "Redis",
}
# Where UI words live (labels, headers, buttons, navigation); table cells and page text hold data.
UI_SELECTOR = (
    "th, label, button, .nav-link, .nav-section, .form-text, .card-header > :not(a):not(.badge), .page-head h1 > .badge, .btn, legend"
)
ISO_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:\d{2}|Z)\b|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# A word with a lower-case letter, not part of a code, path or file name (bank-6x10, .docx, PRJ-A).
ENGLISH_WORD = re.compile(r"(?<![\w.\-/])[A-Za-z]*[a-z][A-Za-z]*(?![\w\-/.])")


def shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


def family(path: str) -> str:
    parts = shape(path).strip("/").split("/")
    return "/".join(parts[:3] if "<n>" in parts[:2] else parts[:2])


def _check_page(page, path: str, width: int) -> list[str]:
    problems = []
    overflow = page.evaluate("""() => {
        const w = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= w + 1) return [];
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > w + 1 && r.width > 0 && !el.closest('.table-responsive, .offcanvas-lg, .ts-dropdown, .dropdown-menu')) {
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : ''));
                if (out.length > 4) break;
            }
        }
        return out.length ? out : ['<html> scrollWidth ' + document.documentElement.scrollWidth];
    }""")
    if overflow:
        problems.append(f"{width}px {path}: wider than the viewport: {', '.join(overflow)}")
    if width == WIDTHS[0]:
        ui_text = page.evaluate(
            "(sel) => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null).map(e => e.innerText).join('\\n')",
            UI_SELECTOR,
        )
        words = sorted({w for w in ENGLISH_WORD.findall(ui_text) if len(w) >= 4 and w not in ALLOWED_WORDS})
        if words:
            problems.append(f"{path}: English words in the Chinese UI: {', '.join(words[:10])}")
        body = page.inner_text("body")
        stamp = ISO_TIMESTAMP.search(body)
        if stamp:
            problems.append(f"{path}: raw ISO timestamp {stamp.group(0)!r}")
    return problems


def _walk_in_own_browser(server, username: str) -> list[str]:
    """One persona in its own Playwright (the sync API is per thread), so personas run in parallel."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return _walk(server, browser, username)
        except Exception as exc:  # noqa: BLE001 - reported as the persona's problem, not a crash of the others
            return [f"{username}: walk failed: {exc!r}"]
        finally:
            browser.close()


@pytest.fixture(scope="module")
def walk_results(server) -> dict[str, list[str]]:
    from concurrent.futures import ThreadPoolExecutor

    if os.environ.get("DATABASE_URL", "").startswith("postgres") and not os.environ.get("OPSQM_PAGEWALK_PG"):
        # CI runs the suite twice (SQLite, PostgreSQL); pages render the same, so one walk keeps CI short.
        pytest.skip("page walk runs on the SQLite pass (set OPSQM_PAGEWALK_PG=1 to walk on PostgreSQL too)")
    # Four personas at a time even on 2 cores: each mostly waits for its pages to go network-idle
    # (a walk limited to 12 pages a persona: 140 s with two at a time, 117 s with four).
    workers = int(os.environ.get("OPSQM_PAGEWALK_WORKERS", "4"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_walk_in_own_browser, server, name) for name in PERSONAS}
        return {name: future.result() for name, future in futures.items()}


def _walk(server, browser, username: str) -> list[str]:
    from tests.browser.conftest import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    current = {"path": ""}
    page.on("console", lambda m: m.type == "error" and problems.append(f"{current['path']}: console error: {m.text[:200]}"))
    page.on("pageerror", lambda e: problems.append(f"{current['path']}: script error: {str(e)[:200]}"))

    def request_failed(r) -> None:
        # The browser fetches the favicon on its own and drops that fetch when the walk moves on.
        if r.url.endswith("/favicon.svg") and "ERR_ABORTED" in (r.failure or ""):
            return
        problems.append(f"{current['path']}: request failed: {r.url} ({r.failure})")

    page.on("requestfailed", request_failed)
    page.on(
        "response",
        lambda r: (
            r.status >= 400 and r.request.resource_type != "document" and problems.append(f"{current['path']}: {r.status} for {r.url}")
        ),
    )
    page.goto(server.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    origin = urlparse(server.base_url)
    queue: deque[str] = deque(["/"])
    seen_shapes: set[str] = set()
    families: dict[str, int] = {}
    visited: list[str] = []
    out = SHOTS / username
    out.mkdir(parents=True, exist_ok=True)
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        if shape(path) in seen_shapes or SKIP.search(path) or families.get(family(path), 0) >= PER_FAMILY:
            continue
        seen_shapes.add(shape(path))
        families[family(path)] = families.get(family(path), 0) + 1
        current["path"] = path
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
            response = page.goto(server.url(path), wait_until="networkidle")
            if response is None or response.status >= 400:
                problems.append(f"{path}: HTTP {response.status if response else '—'}")
                break
            if "/accounts/login/" in page.url:
                break
            problems.extend(_check_page(page, path, width))
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            if TAKE_SHOTS:
                page.screenshot(path=str(out / f"{name}_{width}.png"), full_page=True)
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(server.url(path), href))
            if url.netloc != origin.netloc or url.query or not url.path.startswith("/"):
                continue
            if shape(url.path) not in seen_shapes:
                queue.append(url.path)
    context.close()
    assert visited, f"{username}: no page visited"
    return problems


@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_of_the_persona_is_clean_at_desktop_and_phone_width(walk_results, username):
    problems = walk_results[username]
    assert not problems, f"{len(problems)} problem(s) for {username}:\n" + "\n".join(dict.fromkeys(problems))
