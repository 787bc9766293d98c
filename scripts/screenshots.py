"""Take screenshots of opsqm pages as a logged-in user (for looking at what we built).

Usage: .venv/bin/python scripts/screenshots.py [--base URL] [--user qm] [--out screenshots] [--lang en] PATH [PATH ...]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="qm")
    parser.add_argument("--password", default="opsqm-demo")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--lang", default="", help="interface language, e.g. en (sets the django_language cookie)")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": args.width, "height": 900})
        if args.lang:
            context.add_cookies([{"name": "django_language", "value": args.lang, "url": args.base}])
        page = context.new_page()
        if args.user != "-":
            page.goto(args.base + "/accounts/login/")
            page.fill("#id_username", args.user)
            page.fill("#id_password", args.password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(600)  # let charts finish their animation
            prefix = f"{args.user}_{args.lang}" if args.lang else args.user
            name = re.sub(r"[^A-Za-z0-9]+", "_", f"{prefix}_{path}").strip("_") or "root"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
