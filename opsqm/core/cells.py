"""Spreadsheet cell safety for everything opsqm exports (.xlsx and .csv).

A cell whose text starts with = + - @ tab or CR would be run as a formula by Excel or
WPS (CSV/formula injection); such text is written with a leading apostrophe, which the
spreadsheet shows as plain text. Importers strip it again with `unneutralize`.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["FORMULA_PREFIXES", "neutralize", "unneutralize"]

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralize(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
