"""The `opsqm` command as an operator uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPSQM = str(Path(sys.executable).parent / "opsqm")


def test_opsqm_is_manage_py_plus_our_commands_with_dashed_names():
    out = subprocess.run([OPSQM, "help"], capture_output=True, text=True, check=True).stdout
    for command in ("demo", "backup", "restore", "verify_audit_trail", "serve", "migrate"):
        assert command in out
    helped = subprocess.run([OPSQM, "verify-audit-trail", "--help"], capture_output=True, text=True, check=True).stdout
    assert "哈希链" in helped


def test_demo_refuses_a_database_that_already_has_projects(world):
    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已有项目数据"):
        call_command("demo")
    call_command("demo", "--if-empty")  # silent no-op for `make run`
