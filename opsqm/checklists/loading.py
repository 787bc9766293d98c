"""Where the shipped library lives, and loading it after `migrate`.

The post_migrate load is a convenience so a fresh install has the library: it is quiet,
skips when the checklist tables are absent or the library directory is missing, and an
invalid library file is logged (nothing is written) instead of failing `migrate` — the
explicit `opsqm load-checklists` command is the place where errors stop with exit code 1.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("opsqm.checklists")


def library_dir() -> Path:
    return Path(getattr(settings, "CHECKLIST_LIBRARY_DIR", settings.BASE_DIR / "library" / "checklists"))


def _tables_exist(using: str) -> bool:
    from opsqm.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
    from opsqm.records.models import AuditEvent

    needed = {m._meta.db_table for m in (ChecklistTemplate, ChecklistVersion, ChecklistItem, AuditEvent)}
    return needed <= set(connections[using].introspection.table_names())


def load_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver of the checklists app (skipped in tests unless enabled)."""
    if not getattr(settings, "CHECKLISTS_LOAD_ON_MIGRATE", not getattr(settings, "TESTING", False)):
        return
    if using != DEFAULT_DB_ALIAS or not library_dir().is_dir() or not _tables_exist(using):
        return
    from opsqm.checklists.services import library_load
    from opsqm.core.checklists import ChecklistError
    from opsqm.records.context import Actor, acting_as

    try:
        with acting_as(Actor(None, "opsqm migrate")):
            report = library_load(directory=library_dir())
    except ChecklistError as exc:
        logger.error("检查单库未加载（未写入任何内容），请修正后运行 opsqm load-checklists：\n%s", "\n".join(exc.errors))
        return
    if report.created or report.updated or report.restored:
        logger.info("检查单库：新增 %s 个，新版本 %s 个，恢复 %s 个", len(report.created), len(report.updated), len(report.restored))
