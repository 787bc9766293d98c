"""The core stays importable without Django (ENGINEERING.md: core never imports it)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import opsqm.core


def _core_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(opsqm.core.__path__, prefix="opsqm.core.") if ".tests" not in info.name)


def test_core_modules_import_without_loading_django():
    modules = ["opsqm.core", *_core_modules()]
    assert "opsqm.core.calendars" in modules and "opsqm.core.sla" in modules
    script = (
        f"import importlib, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    # A fresh interpreter: this test process has Django loaded by pytest-django.
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
