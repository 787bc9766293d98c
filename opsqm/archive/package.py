"""Building the assessor package: every provider's items in a ZIP with an offline `index.html`
(plain HTML, no scripts) linking each item, and `SHA256SUMS.txt`. Used by the page's background
job and by `opsqm assessor-package` alike, so both produce the same package."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import zipfile
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from opsqm.archive.providers import PackageScope, providers

Progress = Callable[[int, int, str], None]


class PackageError(Exception):
    pass


def _safe_path(section: str, path: str) -> str:
    norm = posixpath.normpath(path.replace("\\", "/"))
    if norm.startswith(("/", "..")) or "/../" in f"/{norm}/" or not norm or norm in (".", "index.html", "SHA256SUMS.txt"):
        raise PackageError(f"provider {section} produced an unsafe path: {path!r}")
    return norm


def _scope_label(scope: PackageScope) -> str:
    from opsqm.org.models import Project

    if scope.whole_company:
        return _("全公司")
    return "、".join(f"{p.code} {p.name}" for p in Project.objects.filter(pk__in=scope.project_ids).order_by("code"))


def index_html(*, title: str, scope: PackageScope, sections: list[dict[str, Any]], generated_at: dt.datetime) -> str:
    company = getattr(settings, "OPSQM_COMPANY_NAME", "") or _("运维服务质量管理体系")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}"
        "h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:2px solid #2f5597;padding-bottom:.25rem;margin-top:2rem}"
        "table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}"
        "th{background:#d9e2f3}td.hash{font-family:monospace;font-size:.75rem;word-break:break-all}.muted{color:#666}"
        "dl{display:grid;grid-template-columns:8rem 1fr;gap:.25rem .75rem}dt{color:#555}</style></head><body>",
        f"<h1>{escape(company)} · {escape(title)}</h1>",
        "<dl>",
        f"<dt>{escape(_('年度'))}</dt><dd>{scope.year}</dd>",
        f"<dt>{escape(_('期间'))}</dt><dd>{escape(_('%(a)s 至 %(b)s') % {'a': scope.start.isoformat(), 'b': scope.end.isoformat()})}</dd>",
        f"<dt>{escape(_('范围'))}</dt><dd>{escape(_scope_label(scope))}</dd>",
        f"<dt>{escape(_('生成时间'))}</dt><dd>{timezone.localtime(generated_at).strftime('%Y-%m-%d %H:%M')}</dd>",
        "</dl>",
        f'<p class="muted">{escape(_("本资料包离线打开即可浏览；每个文件后列出 SHA-256 校验值，完整清单见 SHA256SUMS.txt。"))}</p>',
    ]
    for section in sections:
        parts.append(f"<h2>{escape(section['title'])}</h2>")
        if not section["items"]:
            parts.append(f'<p class="muted">{escape(section.get("empty") or _("本范围内没有该类记录。"))}</p>')
            continue
        parts.append(
            f"<table><thead><tr><th>{escape(_('文件'))}</th><th>{escape(_('说明'))}</th><th>{escape(_('大小'))}</th>"
            f"<th>SHA-256</th></tr></thead><tbody>"
        )
        for item in section["items"]:
            parts.append(
                f'<tr><td><a href="{escape(quote(item["path"]))}">{escape(item["title"])}</a></td><td>{escape(item["note"])}</td>'
                f'<td>{item["size"]:,}</td><td class="hash">{item["sha256"]}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build_zip(scope: PackageScope, out: IO[bytes], *, title: str, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Write the package for `scope` into the binary stream `out`; returns the manifest (one dict per file)."""
    progress = progress or (lambda done, total, message: None)
    found = providers()
    manifest: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    seen: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, provider in enumerate(found):
            progress(n, len(found) + 1, _("正在收集：%(s)s") % {"s": provider.title})
            section = {"key": provider.section, "title": str(provider.title), "items": [], "empty": str(provider.empty or "")}
            for item in provider.items(scope):
                path = _safe_path(provider.section, item.path)
                if path in seen:
                    raise PackageError(f"duplicate path in package: {path}")
                seen.add(path)
                data = item.data()
                entry = {
                    "section": provider.section,
                    "path": path,
                    "title": item.title,
                    "note": item.note,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
                zf.writestr(path, data)
                section["items"].append(entry)
                manifest.append(entry)
            sections.append(section)
        progress(len(found), len(found) + 1, _("正在生成索引"))
        generated = timezone.now()
        zf.writestr("index.html", index_html(title=title, scope=scope, sections=sections, generated_at=generated).encode("utf-8"))
        zf.writestr("SHA256SUMS.txt", "".join(f"{e['sha256']}  {e['path']}\n" for e in manifest).encode("utf-8"))
    progress(len(found) + 1, len(found) + 1, _("已完成"))
    return manifest
