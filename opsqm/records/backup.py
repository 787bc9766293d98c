"""Live-safe backup and validated restore.

A backup is a ZIP: `manifest.json` (engine, applied migrations, checksums), the database
(`db.sqlite3` from SQLite's online backup API, or `db.pgdump` from pg_dump's custom
format) and the uploaded files under `media/`. Restore checks everything first — archive
integrity, checksums, the database file itself, and that the backup's schema is not newer
than this code — and only then replaces the live data, so a refused restore changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump/pg_restore with argument lists, no shell
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup cannot be made or a restore is refused; the message is for the user."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _applied_migrations_live() -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args() -> list[str]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def backup_create(path: Path) -> dict[str, Any]:
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        engine = _engine()
        if engine == "sqlite":
            db_file = tmpdir / "db.sqlite3"
            src = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
            dst = sqlite3.connect(db_file)
            try:
                src.backup(dst)  # consistent snapshot while writers continue
            finally:
                dst.close()
                src.close()
            with sqlite3.connect(db_file) as check:
                rows = check.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
            migrations = [list(r) for r in rows]
        else:
            db_file = tmpdir / "db.pgdump"
            # One pg_dump = one REPEATABLE READ snapshot: consistent under concurrent writes.
            proc = subprocess.run(
                [
                    "pg_dump",  # nosec B603 B607 # PostgreSQL client from PATH, argv list, no shell
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    "--file",
                    str(db_file),
                    *_pg_args(),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_dump 失败：{proc.stderr.strip()}")
            migrations = _applied_migrations_live()
        manifest = {
            "format": FORMAT_VERSION,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "database_file": db_file.name,
            "database_sha256": _sha256(db_file),
            "migrations": migrations,
            "media": [],
        }
        tmp_zip = path.with_suffix(path.suffix + ".part")
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.write(db_file, db_file.name)
            media_root = Path(settings.MEDIA_ROOT)
            if media_root.exists():
                for file in sorted(p for p in media_root.rglob("*") if p.is_file()):
                    rel = file.relative_to(media_root).as_posix()
                    zf.write(file, f"media/{rel}")
                    manifest["media"].append({"path": rel, "sha256": _sha256(file)})
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(tmp_zip, path)
    return manifest


@dataclass
class CheckedBackup:
    manifest: dict[str, Any]
    workdir: Path
    db_file: Path


def _safe_member(name: str) -> bool:
    p = Path(name)
    return not p.is_absolute() and ".." not in p.parts


def backup_check(path: Path, workdir: Path) -> CheckedBackup:
    """Validate a backup completely, extracting into `workdir`; raise BackupError if anything is wrong."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"备份文件已损坏或不是 opsqm 备份：{exc}") from exc
    with zf:
        bad = zf.testzip()
        if bad is not None:
            raise BackupError(f"备份文件已损坏：{bad} 校验失败。")
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except (KeyError, ValueError) as exc:
            raise BackupError("备份文件缺少有效的 manifest.json，不是 opsqm 备份。") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"不支持的备份格式版本：{manifest.get('format')}。")
        if manifest.get("engine") != _engine():
            raise BackupError(f"备份来自 {manifest.get('engine')} 数据库，当前使用 {_engine()}，不能直接恢复。")
        unknown = sorted({tuple(m) for m in manifest.get("migrations", [])} - _known_migrations())
        if unknown:
            raise BackupError(
                "备份来自更新版本的 opsqm（包含本版本不认识的数据库结构："
                + "、".join(f"{a}.{n}" for a, n in unknown[:5])
                + "），请先升级 opsqm 再恢复。"
            )
        names = zf.namelist()
        if not all(_safe_member(n) for n in names):
            raise BackupError("备份文件包含不安全的路径，已拒绝。")
        zf.extractall(workdir)
    db_file = workdir / manifest["database_file"]
    if not db_file.exists() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError("备份中的数据库文件与校验和不一致，文件已损坏。")
    for item in manifest.get("media", []):
        f = workdir / "media" / item["path"]
        if not f.exists() or _sha256(f) != item["sha256"]:
            raise BackupError(f"备份中的附件 {item['path']} 已损坏。")
    if manifest["engine"] == "sqlite":
        try:
            with sqlite3.connect(db_file) as check:
                status = check.execute("PRAGMA integrity_check").fetchone()[0]
                check.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份中的数据库无法打开：{exc}") from exc
        if status != "ok":
            raise BackupError(f"备份中的数据库完整性检查失败：{status}")
    else:
        proc = subprocess.run(["pg_restore", "--list", str(db_file)], capture_output=True, text=True)  # nosec B603 B607 # PostgreSQL client from PATH, argv list
        if proc.returncode != 0:
            raise BackupError(f"备份中的数据库转储无法读取：{proc.stderr.strip()}")
    return CheckedBackup(manifest, workdir, db_file)


def backup_restore(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        checked = backup_check(Path(path), Path(tmp))
        if checked.manifest["engine"] == "sqlite":
            connection.close()
            src = sqlite3.connect(checked.db_file)
            dst = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
            try:
                src.backup(dst)  # page-level copy under the live DB's lock: readers see old or new, never half
            finally:
                dst.close()
                src.close()
        else:
            connection.close()
            proc = subprocess.run(  # nosec B603 B607 # PostgreSQL client from PATH, argv list, no shell
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-acl",
                    "--single-transaction",
                    "--exit-on-error",
                    *_pg_args(),
                    str(checked.db_file),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_restore 失败，数据库未改动：{proc.stderr.strip()[-1500:]}")
        media_src = checked.workdir / "media"
        media_root = Path(settings.MEDIA_ROOT)
        if media_src.exists():
            staging = media_root.with_name(media_root.name + ".restore")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(media_src, staging)
            old = media_root.with_name(media_root.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if media_root.exists():
                media_root.rename(old)
            staging.rename(media_root)
            shutil.rmtree(old, ignore_errors=True)
        return checked.manifest
