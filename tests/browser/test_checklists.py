"""The checklist library as a quality manager uses it: browse, edit the item tree, version history."""

from __future__ import annotations

from playwright.sync_api import expect


def _template_id(server, ref_id: str) -> str:
    return server.shell(f"from opsqm.checklists.models import ChecklistTemplate as T; print(T.objects.get(ref_id='{ref_id}').pk)").strip()


def test_the_editor_adds_moves_and_removes_items_and_saves_a_new_version(server, page_as):
    pk = _template_id(server, "ORG-QM")
    page = page_as("qm")
    page.goto(server.url(f"/checklists/{pk}/edit/"))
    rows = page.locator(".cl-row")
    expect(rows).to_have_count(8)
    rows.nth(0).locator("[data-action=child]").click()
    child = page.locator(".cl-row").nth(1)
    child.locator("[name=item_ref_id]").fill("1.1")
    child.locator("[name=item_text]").fill("浏览器新增的子条目")
    page.locator(".cl-row").nth(2).locator("[data-action=up]").click()  # item 2 moves above item 1 and its child
    page.locator(".cl-row").last.locator("[data-action=remove]").click()
    page.fill("#id_change_note", "浏览器编辑")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存为第")
    refs = page.locator(".cl-tree .cl-ref").all_inner_texts()
    assert refs[:3] == ["2", "1", "1.1"] and len(refs) == 8
    expect(page.locator(".cl-tree li.cl-depth-1")).to_contain_text("浏览器新增的子条目")


def test_a_specialist_can_read_but_not_edit_the_library(server, page_as):
    page = page_as("spec_a")
    page.goto(server.url("/checklists/"))
    expect(page.get_by_role("link", name="OM-CAP")).to_be_visible()
    expect(page.get_by_role("link", name="新建检查单")).to_have_count(0)
    pk = _template_id(server, "OM-CAP")
    assert page.goto(server.url(f"/checklists/{pk}/edit/")).status == 403
