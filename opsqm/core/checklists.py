"""检查单库：YAML 检查单模板的解析、校验、导出（纯 Python，从不导入 Django）。

一个检查单是一棵扁平存储的树（与 CISO Assistant 的 framework 库同一思路）：每个条目用
``parent`` 指向父条目的 urn，兄弟之间按 ``order`` 排序。文件格式::

    urn: urn:opsqm:checklist:org-quality-management   # 检查单的稳定标识，小写
    ref_id: ORG-QM                                      # 显示用编号，库内唯一
    name: 组织级质量管理检查
    name_en: Organization-level quality management check   # 可省略
    kind: org_qm          # 见 KINDS
    element: capability   # ITSS 方面，见 ELEMENTS；按要素统计符合率时使用
    phase: null           # 仅 kind=project_phase 时必填，见 PHASES
    source: 种子 2.4.4.1   # 可省略
    description: ...      # 可省略
    version: 1            # 正整数，可省略（默认 1）
    items:
      - urn: urn:opsqm:checklist:org-quality-management:1   # 必须以检查单 urn + ":" 开头
        ref_id: "1"       # 字符串（YAML 中数字请加引号），检查单内唯一
        parent: null      # 父条目 urn；顶层为 null（可省略）
        order: 1          # 整数，同一父条目下唯一
        text: 是否……       # 检查点，必填
        guidance: ...     # 审核员如何检查（可省略）
        evidence: ...     # 应看到的证据 / 记录（可省略）
        assessable: true  # 是否逐项给出结论（默认 true）；纯章节标题写 false
        area: null        # 检查领域标签，见下

``kind``（检查单类别）：
  org_qm 组织级质量管理（种子 2.4.4.1）；capability 运维服务能力（2.4.4.2）；
  element ITSS 要素检查（人员 / 资源 / 技术 / 过程）；org_qa 组织级质量保证领域（2.2.1）；
  project_phase 项目级阶段检查（2.4.5，按启动 / 计划 / 实施 / 监控 / 收尾）。
  每种类别允许的 element 见 KIND_ELEMENTS。

``area``（检查领域标签）只用于两类检查单，且其中每个可评估条目都必须标注：
  project_phase 用 PROJECT_AREAS（种子 2.2.2 的十个领域）；org_qa 用 ORG_QA_AREAS
  （种子 2.2.1 的八个领域）。其他类别的条目 area 必须为 null。

校验在返回前一次做完，所有问题汇总进 ChecklistError.errors（中文，每条写明文件、条目
urn / 编号和字段）：必填字段、类型、未知键（防拼写错误）、YAML 重复键、枚举值、urn 前缀与
唯一性、编号唯一、父条目存在且不是自身、无循环、同级 order 唯一、叶子条目必须可评估。

checksum 是规范化内容（默认值补齐、首尾空白去除、条目按树序）的规范 JSON 的 sha256，
与 YAML 的排版、键顺序、条目书写顺序无关，供按校验和幂等加载。

YAML 只用 yaml.SafeLoader 读取；其子类 _StrictLoader 只多做一件事：拒绝重复的键。
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ChecklistItem",
    "Checklist",
    "ChecklistError",
    "parse_checklist",
    "load_library",
    "content_checksum",
    "checklist_to_rows",
    "rows_to_checklist",
    "dump_checklist",
    "ITEM_FIELDS",
    "CHECKLIST_FIELDS",
    "KINDS",
    "ELEMENTS",
    "PHASES",
    "PROJECT_AREAS",
    "ORG_QA_AREAS",
    "KIND_ELEMENTS",
]

KINDS = {
    "org_qm": "组织级质量管理检查",
    "capability": "运维服务能力检查",
    "element": "ITSS 要素检查",
    "org_qa": "组织级质量保证检查",
    "project_phase": "项目级阶段检查",
}
ELEMENTS = {
    "capability": "能力管理",
    "people": "人员",
    "resources": "资源",
    "technology": "技术",
    "process": "过程",
    "project": "项目",
}
PHASES = {
    "initiation": "启动",
    "planning": "计划",
    "delivery": "实施",
    "monitoring": "监控",
    "closure": "收尾",
}
PROJECT_AREAS = {
    "delivery_plan": "交付计划",
    "resource_allocation": "资源配置",
    "delivery_process": "交付过程",
    "emergency_response": "应急响应",
    "service_report": "服务报告",
    "customer_visit": "客户回访",
    "project_meeting": "项目例会",
    "sla_attainment": "SLA 达成",
    "acceptance": "项目验收",
    "payment_collection": "项目回款",
}
ORG_QA_AREAS = {
    "hr": "人力资源",
    "post_structure": "岗位结构",
    "knowledge": "知识",
    "skills": "技能",
    "technology": "技术",
    "process": "过程",
    "delivery": "交付",
    "emergency": "应急",
}
KIND_ELEMENTS = {
    "org_qm": ("capability",),
    "capability": ("capability",),
    "element": ("people", "resources", "technology", "process"),
    "org_qa": ("capability",),
    "project_phase": ("project",),
}
_KIND_AREAS = {"project_phase": PROJECT_AREAS, "org_qa": ORG_QA_AREAS}

CHECKLIST_FIELDS = (
    "urn",
    "ref_id",
    "name",
    "name_en",
    "kind",
    "element",
    "phase",
    "source",
    "description",
    "version",
    "items",
)
ITEM_FIELDS = (
    "urn",
    "ref_id",
    "parent",
    "order",
    "text",
    "guidance",
    "evidence",
    "assessable",
    "area",
)
_URN_PREFIX = "urn:opsqm:checklist:"
_SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
_SUFFIX_CHARS = _SLUG_CHARS | set("._:")
MAX_TEXT_CHARS = 2_000_000


class ChecklistError(ValueError):
    """检查单不合法；errors 列出发现的全部问题。"""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"检查单校验失败（{len(self.errors)} 个问题）：\n" + "\n".join(self.errors))


@dataclass(frozen=True)
class ChecklistItem:
    urn: str
    ref_id: str
    parent: str | None
    order: int
    text: str
    guidance: str
    evidence: str
    assessable: bool
    area: str | None
    depth: int = 0

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in ITEM_FIELDS}


@dataclass(frozen=True)
class Checklist:
    urn: str
    ref_id: str
    name: str
    name_en: str
    kind: str
    element: str
    phase: str | None
    source: str
    description: str
    version: int
    items: tuple[ChecklistItem, ...]
    checksum: str

    def to_dict(self) -> dict:
        data = {name: getattr(self, name) for name in CHECKLIST_FIELDS if name != "items"}
        data["items"] = [item.to_dict() for item in self.items]
        return data

    def children(self, urn: str | None) -> list[ChecklistItem]:
        return [item for item in self.items if item.parent == urn]


# ---------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader，另外拒绝同一映射中的重复键（否则后一个会悄悄覆盖前一个）。"""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:
            continue  # 不可哈希的键由 SafeLoader 自己报错
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"重复的键 {key!r}", key_node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(text: str, prefix: str) -> Any:
    if len(text) > MAX_TEXT_CHARS:
        raise ChecklistError([f"{prefix}文件过大（超过 {MAX_TEXT_CHARS} 个字符）"])
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 — SafeLoader 子类  # nosec B506 # _StrictLoader is a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError([f"{prefix}YAML 语法错误：{where}{problem}"]) from None
    except RecursionError:
        raise ChecklistError([f"{prefix}YAML 语法错误：嵌套层级过深"]) from None


# ---------------------------------------------------------------- validation


class _Errors:
    def __init__(self, prefix: str):
        self.prefix = prefix
        self.items: list[str] = []

    def add(self, where: str, field: str | None, message: str) -> None:
        field_part = f" 字段 {field}" if field else ""
        self.items.append(f"{self.prefix}{where}{field_part}：{message}")


def _item_label(raw: Any, index: int) -> str:
    if isinstance(raw, Mapping):
        urn, ref = raw.get("urn"), raw.get("ref_id")
        if isinstance(urn, str) and urn.strip():
            ref_part = f"（编号 {ref}）" if ref not in (None, "") else ""
            return f"条目 {urn.strip()}{ref_part}"
        if ref not in (None, ""):
            return f"第 {index} 个条目（编号 {ref}）"
    return f"第 {index} 个条目"


def _string(data, key, where, errs, *, required, default="") -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            errs.add(where, key, "必填，不能为空")
        return default
    if not isinstance(value, str):
        hint = "（YAML 中请加引号）" if isinstance(value, (int, float)) else ""
        errs.add(where, key, f"必须是字符串，实际是 {type(value).__name__}{hint}")
        return default
    value = value.strip()
    if required and not value:
        errs.add(where, key, "必填，不能为空")
    return value


def _choice(data, key, where, errs, choices, *, required) -> str | None:
    value = _string(data, key, where, errs, required=required, default=None)
    if value == "":
        return None
    if value is not None and value not in choices:
        allowed = "、".join(choices)
        errs.add(where, key, f"取值 {value!r} 不在允许范围内（{allowed}）")
        return None
    return value


def _integer(data, key, where, errs, *, default=None, minimum=None) -> int | None:
    value = data.get(key, default)
    if value is None:
        errs.add(where, key, "必填，必须是整数")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errs.add(where, key, f"必须是整数，实际是 {value!r}")
        return None
    if minimum is not None and value < minimum:
        errs.add(where, key, f"必须不小于 {minimum}，实际是 {value}")
        return None
    return value


def _unknown_keys(data: Mapping, allowed, where, errs) -> None:
    for key in data:
        if key not in allowed:
            errs.add(where, str(key), f"未知的键（允许的键：{'、'.join(allowed)}）")


def _normalize_item(raw: Any, index: int, errs: _Errors) -> dict | None:
    where = _item_label(raw, index)
    if not isinstance(raw, Mapping):
        errs.add(where, None, "条目必须是映射（键: 值）")
        return None
    _unknown_keys(raw, ITEM_FIELDS, where, errs)
    assessable = raw.get("assessable", True)
    if not isinstance(assessable, bool):
        errs.add(where, "assessable", f"必须是 true 或 false，实际是 {assessable!r}")
        assessable = True
    parent = _string(raw, "parent", where, errs, required=False, default=None)
    area = _string(raw, "area", where, errs, required=False, default=None)
    return {
        "urn": _string(raw, "urn", where, errs, required=True),
        "ref_id": _string(raw, "ref_id", where, errs, required=True),
        "parent": parent or None,
        "order": _integer(raw, "order", where, errs),
        "text": _string(raw, "text", where, errs, required=True),
        "guidance": _string(raw, "guidance", where, errs, required=False),
        "evidence": _string(raw, "evidence", where, errs, required=False),
        "assessable": assessable,
        "area": area or None,
        "_where": where,
    }


def _normalize_meta(data: Mapping, errs: _Errors) -> dict:
    where = "检查单"
    _unknown_keys(data, CHECKLIST_FIELDS, where, errs)
    meta = {
        "urn": _string(data, "urn", where, errs, required=True),
        "ref_id": _string(data, "ref_id", where, errs, required=True),
        "name": _string(data, "name", where, errs, required=True),
        "name_en": _string(data, "name_en", where, errs, required=False),
        "kind": _choice(data, "kind", where, errs, KINDS, required=True),
        "element": _choice(data, "element", where, errs, ELEMENTS, required=True),
        "phase": _choice(data, "phase", where, errs, PHASES, required=False),
        "source": _string(data, "source", where, errs, required=False),
        "description": _string(data, "description", where, errs, required=False),
        "version": _integer(data, "version", where, errs, default=1, minimum=1),
    }
    urn = meta["urn"]
    if urn and not (urn.startswith(_URN_PREFIX) and _is_slug(urn[len(_URN_PREFIX) :])):
        errs.add(where, "urn", f"格式应为 {_URN_PREFIX}<小写字母、数字和连字符>，实际是 {urn!r}")
    kind, element = meta["kind"], meta["element"]
    if kind and element and element not in KIND_ELEMENTS[kind]:
        allowed = "、".join(KIND_ELEMENTS[kind])
        errs.add(where, "element", f"kind 为 {kind} 时 element 只能是 {allowed}，实际是 {element}")
    if kind == "project_phase" and meta["phase"] is None and data.get("phase") in (None, ""):
        errs.add(where, "phase", "项目级阶段检查单必须填写 phase")
    if kind and kind != "project_phase" and meta["phase"] is not None:
        errs.add(where, "phase", f"只有 kind 为 project_phase 的检查单才填写 phase（当前 kind 为 {kind}）")
    return meta


def _is_slug(value: str) -> bool:
    return bool(value) and value[0] != "-" and set(value) <= _SLUG_CHARS


def _check_items(meta: dict, items: list[dict], errs: _Errors) -> None:
    """跨条目的检查：urn 前缀与唯一、编号唯一、父子关系、循环、同级顺序、叶子、area。"""
    urn = meta["urn"] or ""
    by_urn: dict[str, dict] = {}
    refs: dict[str, str] = {}
    for item in items:
        where, item_urn = item["_where"], item["urn"]
        if item_urn:
            suffix = item_urn[len(urn) + 1 :]
            if urn and not (item_urn.startswith(urn + ":") and suffix and set(suffix) <= _SUFFIX_CHARS):
                errs.add(where, "urn", f"必须以检查单 urn 加冒号（{urn}:）开头，后接小写字母、数字或 . _ - :")
            if item_urn in by_urn:
                errs.add(where, "urn", "与前面的条目重复")
            else:
                by_urn[item_urn] = item
        if item["ref_id"]:
            if item["ref_id"] in refs:
                errs.add(where, "ref_id", f"编号与条目 {refs[item['ref_id']]} 重复")
            else:
                refs[item["ref_id"]] = item_urn or where

    children: dict[str | None, list[dict]] = {}
    for item in by_urn.values():
        parent, where = item["parent"], item["_where"]
        if parent is not None and parent == item["urn"]:
            errs.add(where, "parent", "不能以自身为父条目")
            continue
        if parent is not None and parent not in by_urn:
            errs.add(where, "parent", f"父条目 {parent} 不存在")
            continue
        children.setdefault(parent, []).append(item)
    _check_cycles(by_urn, errs)

    for siblings in children.values():
        seen: dict[int, dict] = {}
        for item in siblings:
            order = item["order"]
            if order is None:
                continue
            if order in seen:
                errs.add(item["_where"], "order", f"与同级条目 {seen[order]['urn']} 的 order（{order}）重复")
            else:
                seen[order] = item

    areas = _KIND_AREAS.get(meta["kind"]) if meta["kind"] else None
    for item in by_urn.values():
        where = item["_where"]
        if not item["assessable"] and item["urn"] not in children:
            errs.add(where, "assessable", "没有子条目的条目必须可评估（true）；空章节请删除或补充子条目")
        if not meta["kind"]:
            continue
        if areas is None and item["area"] is not None:
            errs.add(where, "area", f"kind 为 {meta['kind']} 的检查单不使用 area，请删除")
        elif areas is not None and item["area"] is not None and item["area"] not in areas:
            errs.add(where, "area", f"取值 {item['area']!r} 不在允许范围内（{'、'.join(areas)}）")
        elif areas is not None and item["area"] is None and item["assessable"]:
            errs.add(where, "area", f"kind 为 {meta['kind']} 的检查单中，可评估条目必须标注 area")


def _check_cycles(by_urn: dict[str, dict], errs: _Errors) -> None:
    state: dict[str, int] = {}  # 1 = 正在沿父链追溯，2 = 已确认无环
    for start in by_urn:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in by_urn and state.get(node) is None:
            state[node] = 1
            path.append(node)
            parent = by_urn[node]["parent"]
            node = None if parent == node else parent
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            chain = " → ".join(cycle + [node])
            errs.add(by_urn[node]["_where"], "parent", f"父子关系形成循环（{chain}）")
        for visited in path:
            state[visited] = 2


def _tree_order(items: list[dict]) -> list[tuple[dict, int]]:
    children: dict[str | None, list[dict]] = {}
    for item in items:
        children.setdefault(item["parent"], []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda it: it["order"])
    ordered: list[tuple[dict, int]] = []
    stack = [(item, 0) for item in reversed(children.get(None, []))]
    while stack:
        item, depth = stack.pop()
        ordered.append((item, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(item["urn"], [])))
    return ordered


def _build(data: Any, prefix: str = "") -> Checklist:
    errs = _Errors(prefix)
    if data is None:
        raise ChecklistError([f"{prefix}文件为空"])
    if not isinstance(data, Mapping):
        raise ChecklistError([f"{prefix}顶层必须是映射（键: 值），实际是 {type(data).__name__}"])
    meta = _normalize_meta(data, errs)
    raw_items = data.get("items")
    items: list[dict] = []
    if not isinstance(raw_items, list) or not raw_items:
        errs.add("检查单", "items", "必须是非空列表")
    else:
        for index, raw in enumerate(raw_items, start=1):
            item = _normalize_item(raw, index, errs)
            if item is not None:
                items.append(item)
        _check_items(meta, items, errs)
    if errs.items:
        raise ChecklistError(errs.items)

    ordered = _tree_order(items)
    checklist_items = tuple(ChecklistItem(**{k: v for k, v in item.items() if k != "_where"}, depth=depth) for item, depth in ordered)
    content = dict(meta, items=[item.to_dict() for item in checklist_items])
    return Checklist(**meta, items=checklist_items, checksum=_hash(content))


def _hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- public API


def parse_checklist(text: str, *, source_name: str = "") -> Checklist:
    """解析并完整校验一个 YAML 检查单；任何问题都抛出 ChecklistError。"""
    prefix = f"{source_name}：" if source_name else ""
    return _build(_load_yaml(text, prefix), prefix)


def load_library(directory: Path) -> list[Checklist]:
    """读取目录下全部 *.yaml（按文件名排序）；汇总所有文件的问题后一次抛出。"""
    directory = Path(directory)
    if not directory.is_dir():
        raise ChecklistError([f"{directory}：检查单库目录不存在"])
    errors: list[str] = []
    checklists: list[Checklist] = []
    urns: dict[str, str] = {}
    refs: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
            checklist = parse_checklist(text, source_name=path.name)
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{path.name}：无法读取（{exc}）")
            continue
        except ChecklistError as exc:
            errors.extend(exc.errors)
            continue
        if checklist.urn in urns:
            errors.append(f"{path.name}：检查单 字段 urn：{checklist.urn} 与 {urns[checklist.urn]} 重复")
            continue
        if checklist.ref_id in refs:
            errors.append(f"{path.name}：检查单 字段 ref_id：{checklist.ref_id} 与 {refs[checklist.ref_id]} 重复")
            continue
        urns[checklist.urn] = refs[checklist.ref_id] = path.name
        checklists.append(checklist)
    if errors:
        raise ChecklistError(errors)
    return checklists


def content_checksum(checklist_dict: Mapping | Checklist) -> str:
    """内容校验和：与排版、键顺序、条目书写顺序、默认值是否写出无关。先完整校验。"""
    if isinstance(checklist_dict, Checklist):
        return checklist_dict.checksum
    return _build(checklist_dict).checksum


def checklist_to_rows(checklist: Checklist) -> list[dict]:
    """按树序展开为扁平行（键为 ITEM_FIELDS），供 .xlsx 导出。"""
    return [item.to_dict() for item in checklist.items]


_TRUE_WORDS = {"true", "yes", "y", "1", "是", "可评估"}
_FALSE_WORDS = {"false", "no", "n", "0", "否", "不可评估"}


def _row_value(key: str, value: Any) -> Any:
    """把电子表格里常见的写法还原成 YAML 里的类型；其余原样交给校验。"""
    if isinstance(value, str) and not value.strip() and key not in ("urn", "ref_id", "order", "text"):
        return None
    if key == "ref_id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if key in ("ref_id", "order") and isinstance(value, float) and value.is_integer():
        return str(int(value)) if key == "ref_id" else int(value)
    if key == "order" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if key == "assessable":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
    return value


def rows_to_checklist(meta: Mapping, rows: list[Mapping]) -> Checklist:
    """由检查单元数据与扁平行（.xlsx 导入）重建检查单，校验规则与 parse_checklist 相同。"""
    if not isinstance(meta, Mapping):
        raise ChecklistError(["检查单元数据必须是映射"])
    if "items" in meta:
        raise ChecklistError(["检查单 字段 items：元数据中不能包含 items，条目请放在行中"])
    items = []
    for row in rows:
        if isinstance(row, Mapping):
            items.append({k: _row_value(k, v) for k, v in row.items() if not (v is None and k in ITEM_FIELDS)})
        else:
            items.append(row)
    return _build(dict(meta, items=items))


def dump_checklist(checklist: Checklist) -> str:
    """导出为 YAML 文本（固定键顺序，中文原样），可被 parse_checklist 读回且校验和不变。"""
    return yaml.safe_dump(
        checklist.to_dict(),
        allow_unicode=True,
        sort_keys=False,
        width=10**6,
        default_flow_style=False,
    )
