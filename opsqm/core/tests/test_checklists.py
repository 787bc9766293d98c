"""Checklist library: the shipped YAML files and the parser/validator in opsqm.core.checklists."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from opsqm.core.checklists import (
    ITEM_FIELDS,
    ORG_QA_AREAS,
    PHASES,
    PROJECT_AREAS,
    Checklist,
    ChecklistError,
    checklist_to_rows,
    content_checksum,
    dump_checklist,
    load_library,
    parse_checklist,
    rows_to_checklist,
)

LIBRARY = Path(__file__).resolve().parents[3] / "library" / "checklists"
SHIPPED = [
    "org-quality-management",
    "om-capability",
    "people",
    "resources",
    "technology",
    "process",
    "org-qa-areas",
    "project-initiation",
    "project-planning",
    "project-delivery",
    "project-monitoring",
    "project-closure",
]


@pytest.fixture(scope="module")
def library() -> dict[str, Checklist]:
    return {c.urn.rsplit(":", 1)[1]: c for c in load_library(LIBRARY)}


def sections(checklist: Checklist) -> list[str]:
    return [item.text for item in checklist.items if item.parent is None]


def minimal(**overrides) -> dict:
    data = {
        "urn": "urn:opsqm:checklist:demo",
        "ref_id": "DEMO",
        "name": "演示检查单",
        "kind": "element",
        "element": "people",
        "items": [
            {"urn": "urn:opsqm:checklist:demo:1", "ref_id": "1", "order": 1, "text": "章节", "assessable": False},
            {
                "urn": "urn:opsqm:checklist:demo:1.1",
                "ref_id": "1.1",
                "order": 1,
                "text": "检查点甲",
                "parent": "urn:opsqm:checklist:demo:1",
                "guidance": "看记录",
                "evidence": "记录",
            },
            {
                "urn": "urn:opsqm:checklist:demo:1.2",
                "ref_id": "1.2",
                "order": 2,
                "text": "检查点乙",
                "parent": "urn:opsqm:checklist:demo:1",
            },
        ],
    }
    data.update(overrides)
    return data


def as_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def errors_of(data_or_text, **kwargs) -> list[str]:
    text = data_or_text if isinstance(data_or_text, str) else as_yaml(data_or_text)
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, **kwargs)
    return caught.value.errors


# ---------------------------------------------------------------- shipped content


def test_every_shipped_file_parses_and_nothing_else_is_there(library):
    assert sorted(library) == sorted(SHIPPED)
    assert sorted(p.stem for p in LIBRARY.glob("*.yaml")) == sorted(SHIPPED)


def test_org_quality_management_has_the_eight_seed_items_verbatim(library):
    checklist = library["org-quality-management"]
    assessable = [item for item in checklist.items if item.assessable]
    assert len(assessable) == 8
    assert [item.ref_id for item in assessable] == [str(n) for n in range(1, 9)]
    assert assessable[0].text == "是否根据公司业务模式及能力，制定了运维服务管理范围。"
    assert assessable[7].text.startswith("各部门负责人是否组织相关部门按照 PDCA 的要求")
    assert (checklist.kind, checklist.element, checklist.source) == ("org_qm", "capability", "种子 2.4.4.1")


def test_om_capability_has_sixteen_top_level_items_and_item_six_has_seven_children(library):
    checklist = library["om-capability"]
    top = [item for item in checklist.items if item.parent is None]
    assert [item.ref_id for item in top] == [str(n) for n in range(1, 17)]
    six = top[5]
    children = checklist.children(six.urn)
    assert [c.ref_id for c in children] == [f"6.{n}" for n in range(1, 8)]
    assert all(c.depth == 1 for c in children)
    assert children[0].text == "当前和预计的能力和性能需求。"


def test_om_capability_item_sixteen_is_completed_past_the_seed_truncation(library):
    sixteen = library["om-capability"].items[-1]
    assert sixteen.ref_id == "16"
    assert sixteen.text.startswith("公司是否定期进行管理评审，对不符合本运维服务质量体系要求的情况")
    assert sixteen.text.endswith("。")


def test_project_phase_files_cover_the_five_phases_and_all_ten_areas(library):
    phase_lists = [c for c in library.values() if c.kind == "project_phase"]
    assert sorted(c.phase for c in phase_lists) == sorted(PHASES)
    covered = {item.area for c in phase_lists for item in c.items if item.assessable}
    assert covered == set(PROJECT_AREAS)
    assert len(PROJECT_AREAS) == 10


def test_process_checklist_has_the_eight_processes(library):
    assert sections(library["process"]) == [
        "服务级别管理",
        "服务报告",
        "事件管理",
        "问题管理",
        "配置管理",
        "变更管理",
        "发布管理",
        "信息安全管理",
    ]
    assert all(library["process"].children(s.urn) for s in library["process"].items if s.depth == 0)


def test_people_resources_and_technology_have_their_sections(library):
    assert sections(library["people"]) == ["人员储备", "人员培训", "绩效考核", "岗位结构", "知识", "技能", "经验"]
    assert sections(library["resources"]) == ["运维工具", "服务台", "备件库", "知识库", "服务数据"]
    tools = library["resources"].items[0]
    assert [c.text for c in library["resources"].children(tools.urn)] == ["监控工具", "过程管理工具", "专用工具与工具管理"]
    assert sections(library["technology"]) == ["技术研发", "发现问题的技术", "解决问题的技术", "测试环境"]
    people = library["people"]
    training = next(s for s in people.items if s.text == "人员培训")
    assert len(people.children(training.urn)) == 5  # 需求、计划、课程、记录、效果评价


def test_org_qa_has_the_eight_areas_with_two_to_four_items_each(library):
    checklist = library["org-qa-areas"]
    assert [s.area for s in checklist.items if s.parent is None] == list(ORG_QA_AREAS)
    for section in (s for s in checklist.items if s.parent is None):
        children = checklist.children(section.urn)
        assert 2 <= len(children) <= 4, section.text
        assert {c.area for c in children} == {section.area}


def test_every_shipped_assessable_item_has_guidance_and_evidence(library):
    missing = [item.urn for c in library.values() for item in c.items if item.assessable and not (item.guidance and item.evidence)]
    assert missing == []


def test_shipped_chinese_text_has_no_stray_spaces_from_folded_yaml_lines(library):
    cjk = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    stray = re.compile(cjk + r"\s+" + cjk)
    found = [c.urn for c in library.values() if stray.search(c.description)]
    found += [
        f"{item.urn} {field}"
        for c in library.values()
        for item in c.items
        for field in ("text", "guidance", "evidence")
        if stray.search(getattr(item, field))
    ]
    assert found == []


def test_items_come_in_tree_order_parents_before_children(library):
    for checklist in library.values():
        seen = set()
        for item in checklist.items:
            assert item.parent is None or item.parent in seen, item.urn
            seen.add(item.urn)


# ---------------------------------------------------------------- checksum and round trips


def test_checksum_is_stable_under_key_reordering_item_reordering_and_reformatting():
    text = (LIBRARY / "people.yaml").read_text(encoding="utf-8")
    original = parse_checklist(text)
    data = yaml.safe_load(text)
    shuffled = {key: data[key] for key in reversed(list(data))}
    shuffled["items"] = [{k: item[k] for k in reversed(list(item))} for item in reversed(data["items"])]
    shuffled["items"][0]["text"] = "  " + shuffled["items"][0]["text"] + "\n"
    reformatted = yaml.safe_dump(shuffled, allow_unicode=False, default_flow_style=True, width=60)
    assert reformatted != text
    assert parse_checklist(reformatted).checksum == original.checksum
    assert content_checksum(shuffled) == original.checksum == content_checksum(original)


def test_checksum_ignores_spelled_out_defaults_but_sees_content_changes():
    base = parse_checklist(as_yaml(minimal()))
    explicit = minimal(version=1, phase=None, description="", source="", name_en="")
    for item in explicit["items"]:
        item.setdefault("assessable", True)
        item.setdefault("area", None)
    assert parse_checklist(as_yaml(explicit)).checksum == base.checksum
    changed = minimal()
    changed["items"][1]["text"] = "检查点甲（改）"
    assert parse_checklist(as_yaml(changed)).checksum != base.checksum
    assert parse_checklist(as_yaml(minimal(version=2))).checksum != base.checksum


@pytest.mark.parametrize("name", SHIPPED)
def test_dump_then_parse_gives_back_the_same_checklist(name):
    checklist = parse_checklist((LIBRARY / f"{name}.yaml").read_text(encoding="utf-8"))
    dumped = dump_checklist(checklist)
    assert "\\u" not in dumped and "urn:" in dumped
    assert parse_checklist(dumped) == checklist
    assert dump_checklist(parse_checklist(dumped)) == dumped


@pytest.mark.parametrize("name", SHIPPED)
def test_rows_round_trip_back_to_the_same_checklist(name):
    checklist = parse_checklist((LIBRARY / f"{name}.yaml").read_text(encoding="utf-8"))
    rows = checklist_to_rows(checklist)
    assert all(tuple(row) == ITEM_FIELDS for row in rows)
    meta = {k: v for k, v in checklist.to_dict().items() if k != "items"}
    assert rows_to_checklist(meta, rows) == checklist


def test_rows_accept_spreadsheet_style_values():
    meta = {k: v for k, v in minimal().items() if k != "items"}
    rows = [
        {
            "urn": "urn:opsqm:checklist:demo:1",
            "ref_id": 1,
            "parent": "",
            "order": 1.0,
            "text": "章节",
            "guidance": "",
            "evidence": None,
            "assessable": "否",
            "area": "",
        },
        {
            "urn": "urn:opsqm:checklist:demo:1.1",
            "ref_id": "1.1",
            "parent": "urn:opsqm:checklist:demo:1",
            "order": "1",
            "text": "检查点",
            "guidance": "看",
            "evidence": "记录",
            "assessable": "是",
            "area": None,
        },
    ]
    checklist = rows_to_checklist(meta, rows)
    assert [(i.ref_id, i.order, i.assessable, i.parent) for i in checklist.items] == [
        ("1", 1, False, None),
        ("1.1", 1, True, "urn:opsqm:checklist:demo:1"),
    ]


def test_rows_are_validated_like_yaml():
    meta = {k: v for k, v in minimal().items() if k != "items"}
    rows = checklist_to_rows(parse_checklist(as_yaml(minimal())))
    rows[2]["urn"] = rows[1]["urn"]
    with pytest.raises(ChecklistError) as caught:
        rows_to_checklist(meta, rows)
    assert any("urn:opsqm:checklist:demo:1.1" in e and "字段 urn" in e for e in caught.value.errors)


# ---------------------------------------------------------------- validation errors


def test_it_rejects_a_duplicate_item_urn():
    data = minimal()
    data["items"][2]["urn"] = "urn:opsqm:checklist:demo:1.1"
    errors = errors_of(data)
    assert any("条目 urn:opsqm:checklist:demo:1.1（编号 1.2）" in e and "字段 urn" in e and "重复" in e for e in errors)


def test_it_rejects_a_missing_parent():
    data = minimal()
    data["items"][1]["parent"] = "urn:opsqm:checklist:demo:9"
    errors = errors_of(data)
    assert errors == ["条目 urn:opsqm:checklist:demo:1.1（编号 1.1） 字段 parent：父条目 urn:opsqm:checklist:demo:9 不存在"]


def test_it_rejects_a_cycle_and_a_self_parent():
    data = minimal()
    data["items"][0]["parent"] = "urn:opsqm:checklist:demo:1.1"
    errors = errors_of(data)
    assert any("循环" in e and "urn:opsqm:checklist:demo:1" in e and "字段 parent" in e for e in errors)

    data = minimal()
    data["items"][2]["parent"] = "urn:opsqm:checklist:demo:1.2"
    assert any("urn:opsqm:checklist:demo:1.2" in e and "自身" in e for e in errors_of(data))


def test_it_rejects_unknown_keys_on_items_and_on_the_checklist():
    data = minimal(titel="拼错")
    data["items"][1]["guidence"] = "拼错"
    errors = errors_of(data)
    assert any(e.startswith("检查单 字段 titel：未知的键") for e in errors)
    assert any("urn:opsqm:checklist:demo:1.1" in e and "字段 guidence：未知的键" in e for e in errors)


def test_it_rejects_bad_enum_values():
    errors = errors_of(minimal(kind="special", element="money"))
    assert any("字段 kind" in e and "special" in e for e in errors)
    assert any("字段 element" in e and "money" in e for e in errors)
    errors = errors_of(minimal(kind="project_phase", element="project", phase="someday"))
    assert any("字段 phase" in e and "someday" in e for e in errors)
    errors = errors_of(minimal(element="project"))
    assert any("字段 element" in e and "kind 为 element" in e for e in errors)


def test_it_rejects_empty_text():
    data = minimal()
    data["items"][2]["text"] = "   "
    errors = errors_of(data)
    assert errors == ["条目 urn:opsqm:checklist:demo:1.2（编号 1.2） 字段 text：必填，不能为空"]


def test_it_rejects_bad_orders_refs_and_leaves():
    data = minimal()
    data["items"][1]["order"] = "第一"
    data["items"][2]["ref_id"] = 12
    errors = errors_of(data)
    assert any("demo:1.1" in e and "字段 order" in e and "整数" in e for e in errors)
    assert any("demo:1.2" in e and "字段 ref_id" in e and "加引号" in e for e in errors)

    data = minimal()
    data["items"][2]["order"] = 1
    data["items"][1]["assessable"] = False
    errors = errors_of(data)
    assert any("demo:1.2" in e and "字段 order" in e and "重复" in e for e in errors)
    assert any("demo:1.1" in e and "字段 assessable" in e for e in errors)


def test_it_rejects_item_urns_outside_the_checklist_and_duplicate_ref_ids():
    data = minimal()
    data["items"][2]["urn"] = "urn:opsqm:checklist:other:1.2"
    data["items"][2]["ref_id"] = "1.1"
    errors = errors_of(data)
    assert any("other:1.2" in e and "字段 urn" in e and "urn:opsqm:checklist:demo:" in e for e in errors)
    assert any("other:1.2" in e and "字段 ref_id" in e and "重复" in e for e in errors)


def test_it_enforces_area_rules_per_kind():
    data = minimal()
    data["items"][1]["area"] = "hr"
    assert any("demo:1.1" in e and "字段 area" in e and "不使用" in e for e in errors_of(data))

    data = minimal(kind="project_phase", element="project", phase="closure")
    data["items"][1]["area"] = "hr"
    errors = errors_of(data)
    assert any("demo:1.1" in e and "字段 area" in e and "'hr'" in e for e in errors)
    assert any("demo:1.2" in e and "字段 area" in e and "必须标注" in e for e in errors)
    assert not any("demo:1（" in e for e in errors)  # sections need no area


def test_it_requires_a_phase_only_for_project_phase_checklists():
    assert any("字段 phase" in e for e in errors_of(minimal(kind="project_phase", element="project")))
    assert any("字段 phase" in e for e in errors_of(minimal(phase="closure")))


def test_it_reports_every_problem_at_once_with_the_source_name():
    data = minimal(kind="nope")
    data["items"][1]["parent"] = "urn:opsqm:checklist:demo:404"
    data["items"][2]["text"] = ""
    errors = errors_of(data, source_name="demo.yaml")
    assert len(errors) == 3
    assert all(e.startswith("demo.yaml：") for e in errors)


def test_it_rejects_duplicate_yaml_keys_and_bad_yaml():
    text = as_yaml(minimal()).replace("name: 演示检查单", "name: 演示检查单\nname: 又一个名字")
    assert any("重复的键 'name'" in e for e in errors_of(text))
    assert any("YAML 语法错误" in e and "第 " in e for e in errors_of("urn: [未闭合\n"))
    assert errors_of("") == ["文件为空"]
    assert any("非空列表" in e for e in errors_of(minimal(items=[])))


def test_it_does_not_construct_python_objects_from_yaml():
    text = "!!python/object/apply:os.system ['echo hacked']\n"
    assert any("YAML 语法错误" in e for e in errors_of(text))


def test_parse_does_not_mutate_or_depend_on_the_input_order():
    data = minimal()
    snapshot = copy.deepcopy(data)
    first = parse_checklist(as_yaml(data))
    data["items"].reverse()
    assert parse_checklist(as_yaml(data)) == first
    assert content_checksum(snapshot) == first.checksum
    assert [i.ref_id for i in first.items] == ["1", "1.1", "1.2"]
    assert [i.depth for i in first.items] == [0, 1, 1]


# ---------------------------------------------------------------- load_library


def test_load_library_aggregates_errors_from_several_files(tmp_path):
    (tmp_path / "a-good.yaml").write_text(as_yaml(minimal()), encoding="utf-8")
    bad = minimal(urn="urn:opsqm:checklist:bad", ref_id="BAD")
    for item in bad["items"]:
        item["urn"] = item["urn"].replace(":demo:", ":bad:")
        if item.get("parent"):
            item["parent"] = item["parent"].replace(":demo:", ":bad:")
    bad["items"][1]["text"] = ""
    (tmp_path / "b-bad.yaml").write_text(as_yaml(bad), encoding="utf-8")
    (tmp_path / "c-broken.yaml").write_text("items: [\n", encoding="utf-8")
    (tmp_path / "d-copy.yaml").write_text(as_yaml(minimal(ref_id="COPY")), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("不是检查单", encoding="utf-8")

    with pytest.raises(ChecklistError) as caught:
        load_library(tmp_path)
    errors = caught.value.errors
    assert any(e.startswith("b-bad.yaml：条目 urn:opsqm:checklist:bad:1.1") and "字段 text" in e for e in errors)
    assert any(e.startswith("c-broken.yaml：YAML 语法错误") for e in errors)
    assert any(e.startswith("d-copy.yaml：") and "a-good.yaml" in e and "urn" in e for e in errors)
    assert len(errors) == 3


def test_load_library_returns_checklists_sorted_by_file_name(tmp_path):
    second = minimal(urn="urn:opsqm:checklist:zz", ref_id="ZZ")
    for item in second["items"]:
        item["urn"] = item["urn"].replace(":demo:", ":zz:")
        if item.get("parent"):
            item["parent"] = item["parent"].replace(":demo:", ":zz:")
    (tmp_path / "b.yaml").write_text(as_yaml(minimal()), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(as_yaml(second), encoding="utf-8")
    assert [c.ref_id for c in load_library(tmp_path)] == ["ZZ", "DEMO"]
    with pytest.raises(ChecklistError):
        load_library(tmp_path / "missing")
