"""The item-tree editor's form data: one row per item, posted as parallel lists in document order.

Each row carries a `key` (the item's urn, or "new-…" for a row added in the browser) and the
key of its parent. Sibling `order` is the row's rank among its siblings in document order, so
moving a row up or down in the page is all reordering takes. New rows get a urn derived from
their number, never one that any version of the checklist has used before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opsqm.core import checklists as core

ROW_FIELDS = ("key", "parent", "ref_id", "text", "guidance", "evidence", "assessable", "area")
_SLUG_RE = re.compile(r"[^a-z0-9._-]+")


@dataclass
class EditorRow:
    key: str
    parent: str
    ref_id: str
    text: str
    guidance: str
    evidence: str
    assessable: bool
    area: str
    depth: int = 0

    @property
    def is_new(self) -> bool:
        return self.key.startswith("new-")


def rows_from_checklist(checklist: core.Checklist) -> list[EditorRow]:
    return [
        EditorRow(
            key=item.urn,
            parent=item.parent or "",
            ref_id=item.ref_id,
            text=item.text,
            guidance=item.guidance,
            evidence=item.evidence,
            assessable=item.assessable,
            area=item.area or "",
            depth=item.depth,
        )
        for item in checklist.items
    ]


def rows_from_post(post: Mapping) -> list[EditorRow]:
    lists = {name: post.getlist(f"item_{name}") for name in ROW_FIELDS}
    count = len(lists["key"])
    rows = []
    for i in range(count):
        value = {name: (lists[name][i] if i < len(lists[name]) else "") for name in ROW_FIELDS}
        rows.append(
            EditorRow(
                key=value["key"].strip(),
                parent=value["parent"].strip(),
                ref_id=value["ref_id"].strip(),
                text=value["text"].strip(),
                guidance=value["guidance"].strip(),
                evidence=value["evidence"].strip(),
                assessable=value["assessable"] != "0",
                area=value["area"].strip(),
            )
        )
    _set_depths(rows)
    return rows


def _set_depths(rows: list[EditorRow]) -> None:
    parents = {row.key: row.parent for row in rows}
    for row in rows:
        depth, seen, node = 0, set(), row.parent
        while node and node in parents and node not in seen and depth < 20:
            seen.add(node)
            depth += 1
            node = parents[node]
        row.depth = depth


def _new_urn(checklist_urn: str, row: EditorRow, taken: set[str], counter: list[int]) -> str:
    slug = _SLUG_RE.sub("-", row.ref_id.lower()).strip("-.")
    if slug:
        candidate = f"{checklist_urn}:{slug}"
        if candidate not in taken:
            return candidate
    while True:
        counter[0] += 1
        candidate = f"{checklist_urn}:n{counter[0]}"
        if candidate not in taken:
            return candidate


def rows_to_core(checklist_urn: str, rows: list[EditorRow], used_urns: Iterable[str]) -> list[dict]:
    """Core rows (urn, parent, order …) for `rows_to_checklist`; new rows get fresh urns."""
    taken = set(used_urns) | {row.key for row in rows if not row.is_new}
    counter = [0]
    urn_of: dict[str, str] = {}
    for row in rows:
        if row.is_new or not row.key:
            urn_of[row.key] = _new_urn(checklist_urn, row, taken, counter)
            taken.add(urn_of[row.key])
        else:
            urn_of[row.key] = row.key
    ranks: dict[str, int] = {}
    result = []
    for row in rows:
        parent = urn_of.get(row.parent, row.parent) if row.parent else None
        ranks[parent or ""] = ranks.get(parent or "", 0) + 1
        result.append(
            {
                "urn": urn_of[row.key],
                "ref_id": row.ref_id,
                "parent": parent,
                "order": ranks[parent or ""],
                "text": row.text,
                "guidance": row.guidance,
                "evidence": row.evidence,
                "assessable": row.assessable,
                "area": row.area or None,
            }
        )
    return result
