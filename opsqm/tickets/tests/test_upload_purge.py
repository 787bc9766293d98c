"""Abandoned uploads, and temporary folders a killed import left beside them, go after a day."""

from __future__ import annotations

import os
import time

from opsqm.tickets.services import STALE_UPLOAD_SECONDS, _purge_stale_uploads


def test_day_old_uploads_and_leftover_folders_are_removed_and_recent_ones_kept(tmp_path):
    old = time.time() - STALE_UPLOAD_SECONDS - 60
    upload, leftover, recent, recent_dir = (
        tmp_path / "a.csv",
        tmp_path / ".opsqm-numbers-x",
        tmp_path / "b.csv",
        tmp_path / ".opsqm-numbers-y",
    )
    upload.write_text("x")
    leftover.mkdir()
    (leftover / "00").write_bytes(b"\0" * 16)
    recent.write_text("y")
    recent_dir.mkdir()
    for item in (upload, leftover):
        os.utime(item, (old, old))
    _purge_stale_uploads(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".opsqm-numbers-y", "b.csv"]
