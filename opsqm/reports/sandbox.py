"""The sandboxed Jinja environment for user .docx templates and the two public functions.

Layers, each enough on its own against the classic payloads
(`{{ cycler.__init__.__globals__.os.popen('id').read() }}`, `''.__class__.__mro__`, `self`,
`config`, `request`, `range(10**10)`):

1. nothing in scope but the report's data: no globals at all, and a static check that every
   top-level name a tag reads is a key of the context;
2. `ImmutableSandboxedEnvironment` plus a stricter attribute rule: no attribute starting with
   `_`, dict keys before dict methods, only a few harmless str/dict methods, nothing else;
3. only allowlisted filters (none that can allocate by a number: center, indent, wordwrap,
   format, batch, slice, …), intercepted `* ** + %` operators with size limits, a cap on the
   rendered size of every template part, no include/import/extends;
4. autoescape on: every value is XML-escaped into the document.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_PART_CHARS = 30 * 1024 * 1024  # one rendered XML part (body, a header, …)
MAX_SEQUENCE = 1_000_000  # longest string or list an operator may build
MAX_EXPONENT = 64
MAX_POWER_BITS = 4096
MAX_LOOP_DEPTH = 2  # loops over report rows inside loops over report rows; deeper is a CPU bomb

SAFE_FILTERS = frozenset(
    {
        "abs",
        "capitalize",
        "count",
        "d",
        "default",
        "dictsort",
        "e",
        "escape",
        "first",
        "float",
        "forceescape",
        "groupby",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "striptags",
        "sum",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    }
)
SAFE_STR_METHODS = frozenset({"upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "startswith", "endswith", "isdigit"})
SAFE_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
SAFE_LOOP_ATTRS = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem", "cycle"}
)
FORBIDDEN_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
NO_MACROS = (nodes.Macro, nodes.CallBlock)  # exponential output in a few lines; reports do not need them
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_XML = re.compile(r"<[^>]+>")


class TemplateRejected(ValidationError):
    """A user template that the sandbox refuses or that cannot render; the message is for the user."""


def _capped_concat(parts: Any) -> str:
    out, size = [], 0
    for part in parts:
        size += len(part)
        if size > MAX_PART_CHARS:
            raise SecurityError("output too large")
        out.append(part)
    return "".join(out)


def _seq_len(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


class ReportSandbox(ImmutableSandboxedEnvironment):
    """Jinja sandbox with only the report's data in scope (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/"})
    concat = staticmethod(_capped_concat)

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self.globals.clear()  # no range, dict, lipsum, cycler, joiner, namespace
        self.filters = {name: DEFAULT_FILTERS[name] for name in SAFE_FILTERS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, str):
            return attr in SAFE_STR_METHODS
        if isinstance(obj, dict):
            return attr in SAFE_DICT_METHODS
        if isinstance(obj, LoopContext):
            return attr in SAFE_LOOP_ATTRS
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:  # `f.items` is the data, not dict.items
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("printf-style formatting is not allowed")
        if operator == "**" and (
            not isinstance(right, (int, float))
            or abs(right) > MAX_EXPONENT
            or (isinstance(left, int) and left.bit_length() * abs(right) > MAX_POWER_BITS)
        ):
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                n = _seq_len(seq)
                if n is not None and isinstance(times, int) and n * times > MAX_SEQUENCE:
                    raise SecurityError("repetition too large")
        if operator == "+":
            a, b = _seq_len(left), _seq_len(right)
            if a is not None and b is not None and a + b > MAX_SEQUENCE:
                raise SecurityError("concatenation too large")
        return super().call_binop(context, operator, left, right)


class _StaticCheck(ReportSandbox):
    """The sandbox that also checks every tag before compiling it (on upload and on every render)."""

    def __init__(self, allowed_names: set[str]) -> None:
        super().__init__()
        self.allowed_names = allowed_names

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if isinstance(source, str):
            check_source(self, source, self.allowed_names)
        return super().from_string(source, globals, template_class)


def _tag_text(source: str, lineno: int | None, needle: str = "") -> str:
    """The `{{ … }}` / `{% … %}` tag on `lineno` that contains `needle`, as the user typed it."""
    lines = source.splitlines()
    if lineno and 0 < lineno <= len(lines):
        candidates = [_XML.sub("", m.group(0)) for m in _TAG.finditer(lines[lineno - 1])]
        for tag in candidates:
            if needle in tag:
                return tag[:160]
        if candidates:
            return candidates[0][:160]
        return _XML.sub("", lines[lineno - 1]).strip()[:160]
    return needle[:160]


def _reject(source: str, node: nodes.Node, needle: str, why: str) -> TemplateRejected:
    tag = _tag_text(source, getattr(node, "lineno", None), needle)
    return TemplateRejected(_("模板中的标记“%(tag)s”不被允许：%(why)s") % {"tag": tag, "why": why}, code="template_tag")


def _loop_depth(node: nodes.Node) -> int:
    inner = max((_loop_depth(child) for child in node.iter_child_nodes()), default=0)
    return inner + 1 if isinstance(node, nodes.For) else inner


def check_source(env: ReportSandbox, source: str, allowed_names: set[str]) -> None:
    """Static rules on one template part; raises TemplateRejected naming the first bad tag."""
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        tag = _tag_text(source, exc.lineno)
        raise TemplateRejected(
            _("模板中的标记“%(tag)s”有语法错误（%(err)s），请检查 {{ }} 与 {%% %%} 是否成对、拼写是否正确。")
            % {"tag": tag, "err": exc.message},
            code="template_syntax",
        ) from None
    for node in ast.find_all(FORBIDDEN_NODES):
        raise _reject(source, node, "", _("模板不能引用其他模板（include/import/extends）。"))
    for node in ast.find_all(NO_MACROS):
        raise _reject(source, node, "", _("模板不支持宏（macro/call）。"))
    for node in ast.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            raise _reject(source, node, node.attr, _("不能访问以下划线开头的属性“%(name)s”。") % {"name": node.attr})
    for node in ast.find_all(nodes.Getitem):
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            raise _reject(source, node, node.arg.value, _("不能访问以下划线开头的属性“%(name)s”。") % {"name": node.arg.value})
    for node in ast.find_all(nodes.Const):
        if isinstance(node.value, str) and "__" in node.value:  # map(attribute='__class__'), sort('__init__') …
            raise _reject(source, node, node.value, _("不能访问以下划线开头的属性“%(name)s”。") % {"name": node.value[:40]})
    for node in ast.find_all(nodes.For):
        if node.recursive:
            raise _reject(source, node, "recursive", _("模板不支持递归循环（recursive）。"))
        if _loop_depth(node) > MAX_LOOP_DEPTH:
            raise _reject(source, node, "for", _("循环嵌套超过 %(n)d 层。") % {"n": MAX_LOOP_DEPTH})
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
            raise _reject(source, node, node.name, _("不支持过滤器“%(name)s”。") % {"name": node.name})
    for node in ast.find_all(nodes.Name):
        if node.name == "self" and "self" not in allowed_names:
            raise _reject(source, node, "self", _("不能访问模板对象“self”。"))
    from jinja2 import meta

    unknown = sorted(meta.find_undeclared_variables(ast) - allowed_names)
    if unknown:
        name = unknown[0]
        node = next((n for n in ast.find_all(nodes.Name) if n.name == name), None)
        raise _reject(source, node, name, _("报告数据中没有“%(name)s”，只能使用报告提供的字段。") % {"name": name})


def _render(template: bytes, context: dict[str, Any], env: ReportSandbox) -> bytes:
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render(context, jinja_env=env, autoescape=True)
        buf = io.BytesIO()
        tpl.save(buf)
    except TemplateRejected:
        raise
    except SecurityError as exc:
        raise TemplateRejected(
            _("模板中有不被允许的操作（%(err)s），已停止生成。请改用报告提供的字段。") % {"err": str(exc)[:200]}, code="template_unsafe"
        ) from None
    except TemplateError as exc:
        raise TemplateRejected(
            _("模板无法生成报告：%(err)s。请检查模板中的 {{ }} 与 {%% %%} 标记。") % {"err": str(exc)[:200]}, code="template_error"
        ) from None
    except Exception as exc:  # a broken .docx, a RecursionError, lxml errors: the user needs the reason
        raise TemplateRejected(
            _("模板无法生成报告：%(err)s。") % {"err": str(exc)[:200] or exc.__class__.__name__}, code="template_error"
        ) from None
    return buf.getvalue()


def render_docx_template(template: bytes, context: dict[str, Any]) -> bytes:
    """Render a user .docx template with `context` in the sandbox; raises TemplateRejected.

    The upload rules are checked again here, so a template stored before they existed cannot
    run anything either."""
    return _render(template, context, _StaticCheck(set(context)))


def validate_docx_template(template: bytes, sample_context: dict[str, Any]) -> None:
    """Check every tag statically and render against `sample_context`; raises TemplateRejected."""
    _render(template, sample_context, _StaticCheck(set(sample_context)))


__all__ = ["TemplateRejected", "ReportSandbox", "render_docx_template", "validate_docx_template", "check_source"]
