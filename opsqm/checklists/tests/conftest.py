from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opsqm.checklists.loading import library_dir

SHIPPED = library_dir()


@pytest.fixture
def library(tmp_path) -> Path:
    """A private copy of the shipped library that a test may edit."""
    target = tmp_path / "checklists"
    shutil.copytree(SHIPPED, target)
    return target


@pytest.fixture
def small_library(tmp_path) -> Path:
    """Two shipped checklists only: enough for page tests, fast to load."""
    target = tmp_path / "small"
    target.mkdir()
    for name in ("org-quality-management.yaml", "om-capability.yaml"):
        shutil.copy(SHIPPED / name, target / name)
    return target


@pytest.fixture
def loaded(db, small_library):
    from opsqm.checklists.models import ChecklistTemplate
    from opsqm.checklists.services import library_load

    library_load(directory=small_library)
    return {t.ref_id: t for t in ChecklistTemplate.objects.select_related("current_version")}
