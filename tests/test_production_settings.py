"""Production mode: refuses to start without a real secret key; `check --deploy` is clean with the
production settings documented in README ("Production settings")."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _opsqm(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPSQM_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    base.update({"OPSQM_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=base,
        cwd=str(tmp_path),  # nosec B603
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = _opsqm(["check"], {"OPSQM_PRODUCTION": "1"}, tmp_path)
    assert result.returncode != 0
    assert "OPSQM_SECRET_KEY" in result.stderr and "生产模式" in result.stderr


def test_production_mode_refuses_a_short_or_the_development_key(tmp_path):
    for key in ("short", "dev-only-insecure-key-change-me-for-production-use"):
        result = _opsqm(["check"], {"OPSQM_PRODUCTION": "1", "OPSQM_SECRET_KEY": key}, tmp_path)
        assert result.returncode != 0 and "OPSQM_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "OPSQM_PRODUCTION=1" in readme and "check --deploy" in readme
    env = {
        "OPSQM_PRODUCTION": "1",
        "OPSQM_SECRET_KEY": secrets.token_urlsafe(64),
        "OPSQM_ALLOWED_HOSTS": "qm.example.com",
        "OPSQM_CSRF_TRUSTED_ORIGINS": "https://qm.example.com",
    }
    result = _opsqm(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_still_starts_without_a_key(tmp_path):
    result = _opsqm(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
