"""Browser-test harness: a real opsqm server (gunicorn + Huey worker) on its own database,
loaded with the demo data, driven by Playwright in Debian's Chromium.

The server runs in a separate process with a fresh SQLite file, or a fresh PostgreSQL
database when DATABASE_URL is set, so tests see the product exactly as `make run` serves it.

    def test_something(server, page_as):
        page = page_as("qm")                 # logged in as the demo quality manager
        page.goto(server.url("/org/projects/"))
        server.shell("from opsqm.org.models import Project; print(Project.objects.count())")
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

CHROMIUM = os.environ.get("OPSQM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DEMO_PASSWORD = "opsqm-demo"
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    workdir: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def opsqm(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run an `opsqm` command against the server's database."""
        return subprocess.run([str(BIN / "opsqm"), *args], env=self.env, capture_output=True, text=True, check=check, timeout=timeout)

    def shell(self, code: str) -> str:
        """Run Python in Django's shell against the server's database; returns stdout."""
        return self.opsqm("shell", "--no-imports", "-c", code).stdout


def _fresh_postgres_url(base: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    parsed = urlparse(base)
    name = f"opsqm_browser_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(parsed._replace(path=f"/{name}")), drop


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: run `make setup` as root or `sudo apt-get install chromium`.")
    workdir = tmp_path_factory.mktemp("opsqm-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "opsqm.settings",
            "OPSQM_VAR_DIR": str(workdir / "var"),
            "OPSQM_SQLITE_PATH": str(workdir / "opsqm.sqlite3"),
            "OPSQM_MEDIA_ROOT": str(workdir / "media"),
            "OPSQM_TESTING": "0",
            "OPSQM_AXES_ENABLED": "0",
            "OPSQM_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    env.pop("REDIS_URL", None)  # the server's jobs run on its own embedded queue

    def cleanup() -> None:
        pass

    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"], cleanup = _fresh_postgres_url(os.environ["DATABASE_URL"])
    port = _free_port()
    srv = Server(f"http://127.0.0.1:{port}", env, workdir)
    srv.opsqm("migrate", "--noinput", "-v", "0")
    srv.opsqm("demo")
    log = open(workdir / "server.log", "w")
    proc = subprocess.Popen(
        [str(BIN / "opsqm"), "serve", "--host", "127.0.0.1", "--port", str(port), "--web-workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(srv.url("/accounts/login/"), timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("opsqm server did not start:\n" + (workdir / "server.log").read_text()[-3000:])
                time.sleep(0.3)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
        cleanup()
        shutil.rmtree(workdir / "media", ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_as(server, browser):
    """page_as("qm") -> a Playwright page logged in as that demo user (fresh context each call)."""
    contexts = []

    def _page(username: str, password: str = DEMO_PASSWORD):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url("/accounts/login/"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield _page
    for context in contexts:
        context.close()
