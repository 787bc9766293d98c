"""Shared fixtures: the named personas of ENGINEERING.md and a small world around them.

qm        quality manager (org-wide)
spec_a    quality specialist of project A
ops_a     O&M manager of project A
auditor   internal auditor (member of no project)
gm        general manager office (org-wide, read-all)
mgmt      management representative (org-wide)
outsider  an O&M manager of no project: sees nothing project-scoped
spec_b / ops_b  the people of project B (the "wrong project" for spec_a)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from opsqm.accounts.roles import Role


@dataclass
class World:
    qm: Any
    spec_a: Any
    ops_a: Any
    auditor: Any
    gm: Any
    mgmt: Any
    admin: Any
    outsider: Any
    spec_b: Any
    ops_b: Any
    customer_a: Any
    customer_b: Any
    project_a: Any
    project_b: Any
    department: Any


PASSWORD = "persona-pass-1"


def make_user(username: str, role: str, full_name: str = "") -> Any:
    from opsqm.accounts.services import user_create

    return user_create(username=username, password=PASSWORD, role=role, full_name=full_name or username)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> World:
    from opsqm.org.models import Customer, Department, Project, ProjectStatus

    users = {
        "qm": make_user("qm", Role.QUALITY_MANAGER, "王质量"),
        "spec_a": make_user("spec_a", Role.QUALITY_SPECIALIST, "李专员"),
        "ops_a": make_user("ops_a", Role.OPS_MANAGER, "张运维"),
        "auditor": make_user("auditor", Role.AUDITOR, "周内审"),
        "gm": make_user("gm", Role.GM_OFFICE, "郑总"),
        "mgmt": make_user("mgmt", Role.MGMT_REP, "孙代表"),
        "admin": make_user("admin", Role.ADMIN, "管理员"),
        "outsider": make_user("outsider", Role.OPS_MANAGER, "外人"),
        "spec_b": make_user("spec_b", Role.QUALITY_SPECIALIST, "赵专员"),
        "ops_b": make_user("ops_b", Role.OPS_MANAGER, "刘运维"),
    }
    department = Department.objects.create(code="OPS", name="运行维护部")
    customer_a = Customer.objects.create(code="CA", name="甲客户", industry="能源")
    customer_b = Customer.objects.create(code="CB", name="乙客户", industry="金融")
    common = dict(status=ProjectStatus.ACTIVE, contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2026, 12, 31))
    project_a = Project.objects.create(
        code="PA",
        name="项目甲",
        customer=customer_a,
        contract_value=Decimal("1000000"),
        ops_manager=users["ops_a"],
        quality_specialist=users["spec_a"],
        department=department,
        **common,
    )
    project_b = Project.objects.create(
        code="PB",
        name="项目乙",
        customer=customer_b,
        contract_value=Decimal("2000000"),
        ops_manager=users["ops_b"],
        quality_specialist=users["spec_b"],
        **common,
    )
    return World(**users, customer_a=customer_a, customer_b=customer_b, project_a=project_a, project_b=project_b, department=department)


_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


@pytest.fixture
def client():
    """Django's test client, with the CSRF token of each HTML page replaced by a fixed word.

    A token is 64 random letters and digits, so now and then it contains a short marker a test
    looks for ("PB", "ZQX"); the test client does not check CSRF, so nothing needs the value.
    """
    from django.test import Client

    class TokenFreeClient(Client):
        def request(self, **request):
            response = super().request(**request)
            if not getattr(response, "streaming", False) and response.get("Content-Type", "").startswith("text/html"):
                response.content = _CSRF_VALUE.sub(rb"\1csrf\2", response.content)
            return response

    return TokenFreeClient()


@pytest.fixture
def login(client):
    """login(user) -> the test client logged in as `user`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client():
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def _client(user=None):
        c = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return _client
