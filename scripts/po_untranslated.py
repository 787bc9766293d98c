#!/usr/bin/env python3
"""List (and optionally fill) untranslated or fuzzy entries of the English catalog.

The UI's source language is Simplified Chinese; English lives in
opsqm/locale/en/LC_MESSAGES/django.po. After new code lands:

    cd opsqm && ../.venv/bin/python ../manage.py makemessages -l en --no-obsolete && cd ..
    .venv/bin/python scripts/po_untranslated.py                 # human-readable list + count
    .venv/bin/python scripts/po_untranslated.py --json > todo.json
    # fill in "msgstr" (or "msgstr_plural": [one, other]) in todo.json, then:
    .venv/bin/python scripts/po_untranslated.py --apply todo.json   # writes msgstr, drops #, fuzzy
    cd opsqm && ../.venv/bin/python ../manage.py compilemessages -l en && cd ..
    .venv/bin/pytest opsqm/accounts/tests/test_english.py -q

Listing uses only the standard library; --apply needs `polib` (pip install polib; it is a dev
tool, not a project dependency). Exit status of the listing is 1 when anything is left to do.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess  # nosec B404 - only runs msgcat on the catalog file
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "opsqm" / "locale" / "en" / "LC_MESSAGES" / "django.po"
_KEY = re.compile(r'^(#\| msgid|msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def entries(path: Path = PO) -> list[dict]:
    """Minimal .po reader (obsolete #~ entries skipped)."""
    out, cur, key = [], {}, ""
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if cur.get("msgid") is not None:
                out.append(cur)
            cur, key = {}, ""
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            cur.setdefault("flags", []).extend(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#:"):
            cur.setdefault("locations", []).extend(line[2:].split())
            continue
        m = _KEY.match(line)
        if m:
            key = "previous_msgid" if m.group(1) == "#| msgid" else m.group(1)
            cur[key] = _unquote(m.group(2))
        elif line.startswith('#| "') and key == "previous_msgid":
            cur[key] += _unquote(line[4:-1])
        elif line.startswith('"') and key:
            cur[key] += _unquote(line[1:-1])
        elif line.startswith("#"):
            continue
    return [e for e in out if e.get("msgid") or "msgid_plural" in e]


def todo(path: Path = PO) -> list[dict]:
    items = []
    for e in entries(path):
        fuzzy = "fuzzy" in e.get("flags", [])
        if "msgid_plural" in e:
            missing = not e.get("msgstr[0]") or not e.get("msgstr[1]")
        else:
            missing = not e.get("msgstr")
        if not (fuzzy or missing):
            continue
        item = {"msgid": e["msgid"], "state": "fuzzy" if fuzzy else "untranslated", "where": (e.get("locations") or [""])[0]}
        if "msgctxt" in e:
            item["msgctxt"] = e["msgctxt"]
        if "msgid_plural" in e:
            item["msgid_plural"] = e["msgid_plural"]
            item["msgstr_plural"] = [e.get("msgstr[0]", ""), e.get("msgstr[1]", "")]
        else:
            item["msgstr"] = e.get("msgstr", "")
        if fuzzy and e.get("previous_msgid"):
            item["previous_msgid"] = e["previous_msgid"]
        items.append(item)
    return items


def apply(path: Path, source: Path) -> int:
    try:
        import polib
    except ImportError:  # pragma: no cover
        sys.exit("--apply needs polib: .venv/bin/pip install polib (dev tool only)")
    po = polib.pofile(str(path), wrapwidth=79)
    index = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    done = 0
    for item in json.loads(source.read_text(encoding="utf-8")):
        entry = index.get((item.get("msgctxt"), item["msgid"]))
        if entry is None:
            print(f"not in catalog: {item['msgid']!r}", file=sys.stderr)
            continue
        if entry.msgid_plural:
            forms = item.get("msgstr_plural") or []
            if len(forms) != 2 or not all(forms):
                continue
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            if not item.get("msgstr"):
                continue
            entry.msgstr = item["msgstr"]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        done += 1
    po.save(str(path))
    msgcat = shutil.which("msgcat")
    if msgcat:  # rewrap exactly as makemessages/msgmerge does, so diffs stay small
        subprocess.run([msgcat, "-o", str(path), str(path)], check=True)  # nosec B603 - fixed argv, no shell
    print(f"applied {done} translation(s) to {path}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--po", type=Path, default=PO)
    ap.add_argument("--json", action="store_true", help="print the to-do list as JSON (for --apply)")
    ap.add_argument("--apply", type=Path, metavar="FILE", help="write translations from a JSON to-do list")
    args = ap.parse_args()
    if args.apply:
        return apply(args.po, args.apply)
    items = todo(args.po)
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for item in items:
            print(f"[{item['state']}] {item['where']}\n  {item['msgid']!r}")
        print(
            f"{len(items)} entr{'y' if len(items) == 1 else 'ies'} to translate ({sum(i['state'] == 'fuzzy' for i in items)} fuzzy)",
            file=sys.stderr,
        )
    return 1 if items else 0


if __name__ == "__main__":
    sys.exit(main())
