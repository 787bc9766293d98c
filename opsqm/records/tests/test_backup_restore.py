"""Backup and restore against a real, separate opsqm instance (own SQLite file or own
PostgreSQL database), driven through the `opsqm` command as an operator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

BIN = Path(sys.executable).parent / "opsqm"

WRITER = """
import time
from opsqm.org.models import Customer
deadline = time.monotonic() + {seconds}
i = 0
while time.monotonic() < deadline:
    Customer.objects.create(code=f"W{{i}}", name=f"写入中{{i}}")
    i += 1
print(i)
"""

COUNTS = (
    "import hashlib, json; from opsqm.org.models import Customer; from opsqm.records.models import AuditEvent; "
    "names = '|'.join(sorted(Customer.objects.values_list('name', flat=True))); "
    "print(json.dumps([Customer.objects.count(), AuditEvent.objects.filter(model='org.customer', action='create').count(), "
    "hashlib.sha256(names.encode()).hexdigest()]))"
)


class Instance:
    def __init__(self, root: Path):
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        self.env.update(
            {
                "OPSQM_VAR_DIR": str(root / "var"),
                "OPSQM_SQLITE_PATH": str(root / "db.sqlite3"),
                "OPSQM_MEDIA_ROOT": str(root / "media"),
                "OPSQM_TESTING": "0",
            }
        )
        self.env.pop("REDIS_URL", None)
        self._drop = None
        if os.environ.get("DATABASE_URL"):
            parsed = urlparse(os.environ["DATABASE_URL"])
            name = f"opsqm_backup_{uuid.uuid4().hex[:8]}"
            self._admin = urlunparse(parsed._replace(path="/postgres"))
            self._run_sql(f'CREATE DATABASE "{name}"')
            self.env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
            self._drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'

    def _run_sql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(sql)

    def opsqm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True, check=check, timeout=600)

    def shell(self, code: str) -> str:
        return self.opsqm("shell", "--no-imports", "-c", code).stdout.strip()

    def close(self) -> None:
        if self._drop:
            self._run_sql(self._drop)


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    inst = Instance(tmp_path_factory.mktemp("live"))
    inst.opsqm("migrate", "--noinput", "-v", "0")
    inst.shell("from opsqm.org.models import Customer; [Customer.objects.create(code=f'C{i}', name=f'客户{i}') for i in range(5)]")
    yield inst
    inst.close()


def test_a_backup_taken_during_writes_is_a_consistent_snapshot_that_restores(instance, tmp_path):
    writer = subprocess.Popen(
        [str(BIN), "shell", "--no-imports", "-c", WRITER.format(seconds=4)],
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    backup = tmp_path / "during.zip"
    instance.opsqm("backup", str(backup))
    written = int(writer.communicate(timeout=60)[0].strip())
    assert writer.returncode == 0 and written > 0

    fresh = Instance(tmp_path / "fresh")
    try:
        if "DATABASE_URL" not in fresh.env:
            fresh.opsqm("migrate", "--noinput", "-v", "0")
        restored = fresh.opsqm("restore", str(backup), "--yes")
        assert "已从" in restored.stdout
        customers, creates, _ = json.loads(fresh.shell(COUNTS))
        # Every customer row has its history row and vice versa: the snapshot is transactional.
        assert customers == creates and 5 <= customers < 5 + written + 1
        assert "哈希链一致" in fresh.opsqm("verify-audit-trail").stdout
    finally:
        fresh.close()


def test_a_restore_brings_back_exactly_the_backed_up_data(instance, tmp_path):
    before = instance.shell(COUNTS)
    backup = tmp_path / "b.zip"
    instance.opsqm("backup", str(backup))
    instance.shell(
        "from opsqm.org.models import Customer; Customer.objects.filter(code='C1').delete(); "
        "Customer.objects.create(code='NEW', name='恢复后应消失'); Customer.objects.filter(code='C2').update(name='改过')"
    )
    assert instance.shell(COUNTS) != before
    instance.opsqm("restore", str(backup), "--yes")
    assert instance.shell(COUNTS) == before
    assert "哈希链一致" in instance.opsqm("verify-audit-trail").stdout


def test_a_corrupt_backup_is_refused_and_live_data_is_untouched(instance, tmp_path):
    good = tmp_path / "good.zip"
    instance.opsqm("backup", str(good))
    before = instance.shell(COUNTS)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = instance.opsqm("restore", str(truncated), "--yes", check=False)
    assert result.returncode != 0 and "拒绝恢复" in result.stderr

    flipped = tmp_path / "flipped.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(flipped, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("db."):
                data = data[:1000] + bytes([data[1000] ^ 0xFF]) + data[1001:]
            dst.writestr(item, data)
    result = instance.opsqm("restore", str(flipped), "--yes", check=False)
    assert result.returncode != 0 and "损坏" in result.stderr
    assert instance.shell(COUNTS) == before


def test_a_backup_from_a_newer_schema_is_refused(instance, tmp_path):
    future = "INSERT INTO django_migrations (app, name, applied) VALUES ('records', '9999_from_the_future', CURRENT_TIMESTAMP)"
    instance.shell(f'from django.db import connection; connection.cursor().execute("{future}")')
    newer = tmp_path / "newer.zip"
    instance.opsqm("backup", str(newer))
    instance.shell(
        "from django.db import connection; connection.cursor().execute(\"DELETE FROM django_migrations WHERE name = '9999_from_the_future'\")"
    )
    before = instance.shell(COUNTS)
    result = instance.opsqm("restore", str(newer), "--yes", check=False)
    assert result.returncode != 0 and "更新版本" in result.stderr and "9999_from_the_future" in result.stderr
    assert instance.shell(COUNTS) == before


def test_a_backup_of_the_other_engine_is_refused(instance, tmp_path):
    good = tmp_path / "good.zip"
    instance.opsqm("backup", str(good))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "manifest.json":
                data = data.replace(b'"engine": "sqlite"', b'"engine": "xx"').replace(b'"engine": "postgresql"', b'"engine": "xx"')
            dst.writestr(item, data)
    result = instance.opsqm("restore", str(other), "--yes", check=False)
    assert result.returncode != 0 and "不能直接恢复" in result.stderr
