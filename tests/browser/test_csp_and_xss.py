"""Stored XSS and the Content-Security-Policy, in Chromium.

Every text and URL field of the main records (customer, project, audit, checklist item, finding,
corrective action, improvement item, ticket) is filled with classic payloads straight in the
database (as if an old bug had let them in); the pages that show them are opened

- once with the CSP bypassed, so only escaping protects the page: a dialog fails the test, and
  no injected <img>/<script> element may exist;
- once normally: the console must show no CSP violation (the policy forbids inline script and
  eval, so any violation is a page that still has some).

The values are restored afterwards: the browser server is shared with the other browser tests.
"""

from __future__ import annotations

import json

import pytest

P_SCRIPT = "<script>alert(1)</script>"
P_IMG = '"><img src=x onerror=alert(1)>'
P_TPL = "{{7*7}}"
P_ALL = P_IMG + P_SCRIPT + P_TPL
P_URL = "javascript:alert(1)"

POISON = r"""
import json
from django.db import models as m
from opsqm.records.safeurl import SafeURLField
from opsqm.org.models import Customer, Project
from opsqm.audits.models import Audit, AuditItemResult
from opsqm.checklists.models import ChecklistItem
from opsqm.findings.models import CorrectiveAction, Finding, ImprovementItem
from opsqm.tickets.models import Ticket

P_ALL, P_IMG, P_SCRIPT, P_TPL, P_URL = %(payloads)s
SKIP = {"time_zone", "area", "element", "phase", "urn", "parent_urn", "sha256", "password", "username", "source_type", "source_id", "kind", "status", "result"}

def poison(obj):
    old, new = {}, {}
    for f in obj._meta.concrete_fields:
        if not isinstance(f, (m.CharField, m.TextField)) or f.choices or f.primary_key or f.name in SKIP:
            continue
        limit = f.max_length or 10**6
        if isinstance(f, SafeURLField):
            value = P_URL
        else:
            value = next((p for p in (P_ALL, P_IMG, P_SCRIPT, P_TPL) if len(p) <= limit), None)
        if value is None:
            continue
        old[f.name], new[f.name] = getattr(obj, f.name), value
    m.QuerySet(model=type(obj)).filter(pk=obj.pk).update(**new)  # past immutable-row managers: this is a fixture
    return [type(obj)._meta.label, obj.pk, old]

action = CorrectiveAction.objects.select_related("finding").order_by("pk").first()
finding = action.finding
project = finding.project or Project.objects.order_by("pk").first()
result = AuditItemResult.objects.select_related("audit").order_by("pk").first()
audit = result.audit
item = ChecklistItem.objects.select_related("version").order_by("pk").first()
improvement = ImprovementItem.objects.order_by("pk").first()
ticket = Ticket.objects.order_by("pk").first()
customer = project.customer
saved = [poison(o) for o in (customer, project, audit, result, item, finding, action, improvement, ticket) if o is not None]
urls = ["/", "/my-work/", "/org/projects/", f"/org/projects/{project.pk}/", "/org/customers/", f"/org/customers/{customer.pk}/",
        "/audits/", f"/audits/{audit.pk}/", f"/audits/{audit.pk}/results/", "/findings/", f"/findings/{finding.pk}/",
        "/improvements/", "/checklists/", f"/checklists/{item.version.template_id}/", "/kpis/", "/notifications/"]
urls += [f"/org/projects/{project.pk}/edit/", f"/org/customers/{customer.pk}/edit/", f"/audits/{audit.pk}/edit/",
         f"/findings/{finding.pk}/edit/", f"/findings/actions/{action.pk}/edit/", f"/checklists/{item.version.template_id}/edit/"]
if improvement:
    urls += [f"/improvements/{improvement.pk}/", f"/improvements/{improvement.pk}/edit/"]
if ticket:
    urls += [f"/tickets/projects/{ticket.project_id}/tickets/", f"/tickets/projects/{ticket.project_id}/tickets/{ticket.pk}/"]
print(json.dumps({"saved": saved, "urls": urls, "finding": finding.pk}, default=str))
"""

RESTORE = r"""
import json
from django.apps import apps
from django.db import models as m
for label, pk, old in json.loads(%(saved)r):
    m.QuerySet(model=apps.get_model(label)).filter(pk=pk).update(**old)
"""

CSP_PAGES = [
    "/",
    "/my-work/",
    "/org/projects/",
    "/org/customers/",
    "/org/staff/",
    "/org/service-catalog/",
    "/audits/",
    "/audits/programs/",
    "/audits/conformance/",
    "/audits/report-template/",
    "/findings/",
    "/improvements/",
    "/checklists/",
    "/kpis/",
    "/tickets/",
    "/tickets/calendars/",
    "/notifications/",
    "/accounts/profile/",
    "/records/audit-trail/",
    "/api/docs/",
]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


@pytest.fixture(scope="module")
def poisoned(server):
    payloads = repr((P_ALL, P_IMG, P_SCRIPT, P_TPL, P_URL))
    out = server.shell(POISON % {"payloads": payloads})
    data = json.loads(out.strip().splitlines()[-1])
    yield data
    server.shell(RESTORE % {"saved": json.dumps(data["saved"], default=str)})


def _login(browser, server, username: str, *, bypass_csp: bool):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(server.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", "opsqm-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def _injected(page) -> list[str]:
    return page.evaluate("""() => {
      const bad = [];
      document.querySelectorAll('img[src="x"], img[src$="/x"]').forEach(e => bad.push('img ' + e.outerHTML));
      document.querySelectorAll('script').forEach(e => { if (e.textContent.includes('alert(1)') && e.type !== 'application/json') bad.push('script ' + e.outerHTML); });
      document.querySelectorAll('[onerror],[onclick],[onload],[onmouseover]').forEach(e => bad.push('handler ' + e.outerHTML.slice(0, 200)));
      document.querySelectorAll('a[href^="javascript:" i]').forEach(e => bad.push('link ' + e.outerHTML.slice(0, 200)));
      return bad;
    }""")


def test_payloads_in_every_field_stay_text_when_only_escaping_protects_the_page(server, browser, poisoned):
    context, page = _login(browser, server, "qm", bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    problems = {}
    seen_payload = seen_template = 0
    for url in poisoned["urls"]:
        response = page.goto(server.url(url))
        assert response.status in (200, 403), url  # an edit page may be closed in the record's current state
        page.wait_for_timeout(150)
        bad = _injected(page)
        if bad:
            problems[url] = bad
        text = page.inner_text("body")
        seen_payload += "<script>alert(1)</script>" in text or "onerror=alert(1)" in text
        seen_template += P_TPL in text  # shown as typed, never evaluated
    assert not dialogs, dialogs
    assert not problems, problems
    assert seen_payload >= len(poisoned["urls"]) // 2 and seen_template  # the payloads are really on the pages, as text
    context.close()


def test_a_javascript_source_link_stored_before_validation_renders_inert(server, browser, poisoned):
    context, page = _login(browser, server, "qm", bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url(f"/findings/{poisoned['finding']}/"))
    link = page.get_by_role("link", name="查看来源记录")
    assert link.get_attribute("href") == "#"
    link.click()
    page.wait_for_timeout(200)
    assert not dialogs
    context.close()


POISON_CHART = """(args) => {
  const [id, payload] = args;
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const option = chart.getOption();
  const labels = option.xAxis[0].data.slice();
  labels[0] = payload;
  chart.setOption({xAxis: [{data: labels}], series: option.series.map((s, i) => (i === 0 ? {name: payload} : {}))});
}"""


def test_echarts_tooltips_show_names_as_text(server, browser, poisoned):
    # The cockpit's charts name projects by code and periods by label; the user text that may reach
    # a tooltip is put into a category and a series name here, then every tooltip is read back.
    context, page = _login(browser, server, "qm", bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url("/"))
    for chart_id in ("chart-kpi-trend", "chart-satisfaction"):
        page.evaluate(POISON_CHART, [chart_id, P_IMG])
        page.locator(f"#{chart_id}").scroll_into_view_if_needed()
        box = page.locator(f"#{chart_id}").bounding_box()
        tooltips = []
        for i in range(40):
            page.mouse.move(box["x"] + 20 + (box["width"] - 40) * i / 39, box["y"] + box["height"] * 0.6)
            page.wait_for_timeout(40)
            tooltips.append(
                page.evaluate(f"() => Array.from(document.querySelectorAll('#{chart_id} div')).map(d => d.innerHTML).join('|')")
            )
        joined = "\n".join(tooltips)
        assert "&lt;img src=x onerror=alert(1)&gt;" in joined, (chart_id, joined[:2000])  # shown as text
    assert not dialogs and not _injected(page)
    context.close()


def test_main_pages_raise_no_csp_violation_and_scripts_still_work(server, browser, poisoned):
    context, page = _login(browser, server, "qm", bypass_csp=False)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text or m.type == "error" else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    violations = {}
    for url in sorted(set(CSP_PAGES + poisoned["urls"])):
        response = page.goto(server.url(url))
        assert response.status in (200, 403), url
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
        page.wait_for_timeout(200)
        found = page.evaluate("() => window.__csp")
        if found:
            violations[url] = found
    assert not violations, violations
    assert not [c for c in console if "Content Security Policy" in c], console
    assert not errors, errors
    # charts were drawn (ECharts runs without eval) and the language select still submits (no inline handler)
    page.goto(server.url("/"))
    assert page.locator("#chart-kpi-trend canvas").count() == 1
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    context.close()
