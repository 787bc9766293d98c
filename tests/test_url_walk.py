"""The URL walk: every route of the URL resolver (pages, exports, downloads, admin) and every API
endpoint, requested by each persona who must see nothing of project B, with the real ids of
project-B objects: no answer is a 5xx, and no answer (body, redirect, spreadsheet, document)
contains a code or name of a project-B object. Nothing of project B changes.

Routes are discovered from the resolver, so the pages of every later app are walked too.
Parameters are filled by name (`project_id` → project B, `pk` → every project-B object id, …)
or, for unknown names, by converter type.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import make_user
from opsqm.accounts.roles import Role

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')
MARK = "ZQX"  # in the name of every project-B object created here


# ---------------------------------------------------------------- routes


def _routes(patterns, prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def all_routes() -> list[str]:
    routes = []
    for route in _routes(get_resolver().url_patterns):
        if "(?P<format>" in route or "<drf_format_suffix:" in route:
            continue  # the same views with a format suffix
        if route.startswith("admin/") and ("(?P<" in route or "<path:object_id>/" in route and not route.endswith("change/")):
            continue  # admin: the list, add and change page of each model are enough
        routes.append(route)
    return sorted(set(routes))


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass
class Foreign:
    """Project B's objects: ids to put in URLs, and the strings that must never show."""

    project_id: int
    ids: list[int]
    item_ids: list[int]
    job_ids: list[str]
    markers: list[str] = field(default_factory=list)


def _values(name: str, conv: str | None, foreign: Foreign) -> list[str]:
    by_name = {
        "project_id": [foreign.project_id],
        "item_pk": foreign.item_ids,
        "fmt": ["docx", "xlsx"],
        "scope": [foreign.project_id],
        "kpi": ["response_rate", "resolution_rate"],
        "period": ["2026-03"],
        "token": ["x"],
        "object_id": [foreign.project_id],
        "id": [foreign.project_id],
    }
    if name in by_name:
        return [str(v) for v in by_name[name]]
    if conv == "uuid" or (name == "pk" and conv == "str"):
        return foreign.job_ids + [str(i) for i in foreign.ids]
    if conv in (None, "int") or name.endswith(("pk", "_id")):
        return [str(i) for i in foreign.ids]
    return [str(foreign.project_id), "PB"]


def urls_for(route: str, foreign: Foreign, limit: int = 40) -> list[str]:
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    params = list(PARAM.finditer(route))
    if not params:
        return ["/" + route]
    choices = [_values(m.group("name") or m.group("rname"), m.group("conv"), foreign) for m in params]
    urls = []
    for combo in itertools.islice(itertools.product(*choices), limit):
        it = iter(combo)
        urls.append("/" + PARAM.sub(lambda _m, it=it: next(it), route))
    return urls


# ---------------------------------------------------------------- project B's data


@pytest.fixture
def foreign(world) -> Foreign:
    from opsqm.audits import services as audits
    from opsqm.audits.models import AuditItemResult
    from opsqm.audits.tests.conftest import SMALL_CHECKLIST, save_checklist
    from opsqm.audits.tests.helpers import pdf_bytes, run_to
    from opsqm.findings import services as findings
    from opsqm.jobs.services import job_create
    from opsqm.notifications.services import notify

    pb, spec_b, ops_b = world.project_b, world.spec_b, world.ops_b
    finding = findings.finding_create(
        actor=spec_b,
        title=f"乙方机密问题{MARK}1",
        description=f"乙方机密描述{MARK}",
        severity="minor",
        source="manual",
        project=pb,
        owner=ops_b,
    )
    finding = findings.finding_analyze(actor=ops_b, finding=finding, cause=f"乙方机密原因{MARK}")
    action = findings.action_create(
        actor=ops_b, finding=finding, description=f"乙方机密措施{MARK}2", owner=ops_b, due_date=dt.date.today() + dt.timedelta(days=5)
    )
    improvement = findings.improvement_create(
        actor=spec_b, title=f"乙方机密改进{MARK}3", target="目标", owner=ops_b, due_date=dt.date.today() + dt.timedelta(days=30), project=pb
    )
    version = save_checklist(SMALL_CHECKLIST)
    program = audits.program_create(actor=world.qm, year=2026, title="2026 年度内审方案", objectives="")
    program = audits.program_approve(actor=world.gm, program=audits.program_submit(actor=world.qm, program=program), note="同意")
    audit = audits.audit_plan(
        actor=world.qm,
        data=dict(
            title=f"乙方机密审核{MARK}4",
            kind="internal",
            mode="routine",
            program=program,
            criteria="GB/T 28827.1",
            planned_start=dt.date(2026, 6, 10),
            planned_end=dt.date(2026, 6, 12),
        ),
        projects=[pb],
        departments=[],
        checklists=[(version, pb)],
        lead=world.auditor,
    )
    audit = run_to(world, audit, "onsite")
    items = list(AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("position")[:2])
    audits.audit_item_assess(
        actor=world.auditor, item=items[0], result="minor_nc", notes=f"乙方机密记录{MARK}5", expected_version=items[0].version
    )
    evidence = audits.audit_item_add_evidence(
        actor=world.auditor,
        item=items[0],
        uploaded_file=SimpleUploadedFile(f"乙方机密证据{MARK}6.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    notes = notify(users=[spec_b, ops_b], title=f"乙方机密通知{MARK}7", body="x", url=f"/findings/{finding.pk}/", kind="t", email=False)
    job = job_create(kind="t", title=f"乙方机密任务{MARK}8", user=spec_b, project=pb)
    ids = sorted(
        {
            pb.pk,
            world.customer_b.pk,
            finding.pk,
            action.pk,
            improvement.pk,
            audit.pk,
            evidence.pk,
            job.pk if isinstance(job.pk, int) else 0,
            *[n.pk for n in notes],
            *[i.pk for i in items],
        }
        - {0}
    )
    return Foreign(
        project_id=pb.pk,
        ids=ids,
        item_ids=[i.pk for i in items],
        job_ids=[str(job.pk)],
        markers=[MARK, pb.name, world.customer_b.name, finding.code, improvement.code, audit.code],
    )


# ---------------------------------------------------------------- personas


def _expired_reviewer(world):
    from opsqm.accounts.models import ExternalGrant

    user = make_user("reviewer_x", Role.EXTERNAL_REVIEWER, "过期评审")
    now = timezone.now()
    grant = ExternalGrant.objects.create(
        user=user, purpose="评审", valid_from=now - dt.timedelta(days=30), valid_until=now + dt.timedelta(days=1), granted_by=world.qm
    )
    grant.projects.set([world.project_b])
    return user, grant


PERSONAS = ["outsider", "spec_a", "expired_reviewer", "deactivated_spec_b"]
# POSTs that would end the persona's own session or token (not about project B; walked with GET only).
GET_ONLY = {"accounts/logout/", "accounts/profile/token/"}


def _persona(name: str, world):
    """(session client, API client) of the persona, in the state the walk tests."""
    from opsqm.accounts.models import ExternalGrant

    if name == "expired_reviewer":
        user, grant = _expired_reviewer(world)
    else:
        user = getattr(world, name.replace("deactivated_", ""))
    session, api = Client(), APIClient()
    session.force_login(user)  # an existing session ...
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")  # ... and an existing token
    if name == "expired_reviewer":
        ExternalGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    if name.startswith("deactivated_"):
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    return session, api


def _texts(response) -> str:
    parts = [response.get("Location", "")]
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content[:2] == b"PK":  # .xlsx / .docx: search inside the zip members
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                parts += [z.read(n).decode("utf-8", "ignore") for n in z.namelist()]
        except zipfile.BadZipFile:
            pass
    # CSRF tokens are random text that can contain a marker by chance: they are left out.
    parts.append(CSRF_VALUE.sub("", content.decode("utf-8", "ignore")))
    return "\n".join(parts)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_url_walk_shows_nothing_of_project_b(persona, world, foreign):
    from opsqm.records.models import AuditEvent

    routes = all_routes()
    assert len(routes) > 80 and any(r.startswith("api/") for r in routes)
    session, api = _persona(persona, world)
    before = AuditEvent.objects.filter(project_id=foreign.project_id).count()
    problems, requests = [], 0
    for route in routes:
        client = api if route.startswith("api/") else session
        for url in urls_for(route, foreign):
            methods = ["get"] if route in GET_ONLY or route.startswith("admin/") else ["get", "post"]
            for method in methods:
                response = getattr(client, method)(url)
                requests += 1
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} → {response.status_code}")
                    continue
                text = _texts(response)
                leaked = [m for m in foreign.markers if m and m in text]
                if leaked:
                    problems.append(
                        f"{method.upper()} {url} → {response.status_code} shows {leaked} :: "
                        + text[max(0, text.find(leaked[0]) - 300) : text.find(leaked[0]) + 80].replace("\n", " ")
                    )
    assert problems == [], f"{len(problems)} of {requests} answers leak or fail:\n" + "\n".join(problems[:40])
    assert AuditEvent.objects.filter(project_id=foreign.project_id).count() == before  # nothing of project B changed


def test_the_walk_sees_project_b_when_the_persona_may(world, foreign):
    """Control: the detector works — the quality manager (org-wide) does see project B's markers."""
    client = Client()
    client.force_login(world.qm)
    seen = set()
    for route in ("findings/", "findings/<int:pk>/", "audits/<int:pk>/results/", "improvements/", "org/projects/<int:pk>/"):
        for url in urls_for(route, foreign):
            seen |= {m for m in foreign.markers if m in _texts(client.get(url))}
    assert set(foreign.markers) <= seen
