from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from opsqm.accounts.roles import Role
from opsqm.checklists.models import ChecklistTemplate, ChecklistVersion

pytestmark = pytest.mark.django_db


def _editor_post(template, *, based_on, change=None, note="修改说明"):
    """The POST the editor page sends for the template's current items (optionally changed)."""
    items = list(template.current_version.items.all())
    rows = [
        {
            "key": i.urn,
            "parent": i.parent_urn,
            "ref_id": i.ref_id,
            "text": i.text,
            "guidance": i.guidance,
            "evidence": i.evidence,
            "assessable": "1" if i.assessable else "0",
            "area": i.area,
        }
        for i in items
    ]
    if change:
        change(rows)
    data = {
        "name": template.name,
        "name_en": template.name_en,
        "source": template.source,
        "phase": template.phase,
        "description": template.description,
        "change_note": note,
        "based_on": str(based_on),
    }
    for field in ("key", "parent", "ref_id", "text", "guidance", "evidence", "assessable", "area"):
        data[f"item_{field}"] = [row[field] for row in rows]
    return data


@pytest.fixture
def reviewer(world):
    """An external reviewer with a grant valid now (without one, the account may not use the system)."""
    import datetime as dt

    from django.utils import timezone

    from opsqm.accounts.models import ExternalGrant

    user = make_user("reviewer", Role.EXTERNAL_REVIEWER, "外部评审")
    ExternalGrant.objects.create(
        user=user,
        purpose="评审",
        valid_from=timezone.now() - dt.timedelta(days=1),
        valid_until=timezone.now() + dt.timedelta(days=1),
        granted_by=world.qm,
    )
    return user


def test_every_logged_in_user_can_browse_the_library(loaded, world, login, reviewer):
    cap = loaded["OM-CAP"]
    for user in (world.qm, world.spec_a, world.ops_a, world.outsider, world.auditor, reviewer):
        client = login(user)
        assert client.get(reverse("checklists:library")).status_code == 200
        page = client.get(reverse("checklists:detail", args=[cap.pk]))
        assert page.status_code == 200 and "公司是否对运行维护服务能力进行了整体策划" in page.content.decode()
        assert client.get(reverse("checklists:export", args=[cap.pk])).status_code == 200
        assert client.get(reverse("checklists:diff", args=[cap.pk])).status_code == 200


def test_anonymous_users_are_sent_to_login(loaded, client):
    response = client.get(reverse("checklists:library"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_quality_managers_and_admins_can_edit(loaded, world, login, reviewer):
    template = loaded["ORG-QM"]
    urls = [reverse("checklists:edit", args=[template.pk]), reverse("checklists:create"), reverse("checklists:import")]
    for user in (world.spec_a, world.ops_a, world.outsider, world.auditor, world.gm, reviewer):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(urls[0], _editor_post(template, based_on=1, change=lambda r: r[0].update(text="改"))).status_code == 403
        assert client.post(reverse("checklists:set_active", args=[template.pk]), {"active": "0"}).status_code == 403
        page = client.get(reverse("checklists:detail", args=[template.pk])).content.decode()
        assert reverse("checklists:edit", args=[template.pk]) not in page
    assert ChecklistVersion.objects.filter(template=template).count() == 1
    for user in (world.qm, world.admin):
        assert login(user).get(urls[0]).status_code == 200


def test_an_unknown_checklist_or_version_is_404(loaded, world, login):
    client = login(world.qm)
    assert client.get(reverse("checklists:detail", args=[999999])).status_code == 404
    assert client.get(reverse("checklists:detail", args=[loaded["ORG-QM"].pk]) + "?v=7").status_code == 404
    assert client.get(reverse("checklists:detail", args=[loaded["ORG-QM"].pk]) + "?v=x").status_code == 404


def test_the_library_searches_item_text_and_filters(loaded, world, login):
    client = login(world.spec_a)
    page = client.get(reverse("checklists:library"), {"q": "整体策划"}).content.decode()
    assert "OM-CAP" in page and "ORG-QM" not in page
    page = client.get(reverse("checklists:library"), {"kind": "org_qm"}).content.decode()
    assert "ORG-QM" in page and "OM-CAP" not in page
    page = client.get(reverse("checklists:library"), {"element": "people"}).content.decode()
    assert "没有符合条件的检查单" in page


def test_an_edit_creates_a_new_version_and_leaves_the_old_items_alone(loaded, world, login):
    template = loaded["ORG-QM"]
    v1_texts = list(template.current_version.items.values_list("text", flat=True))

    def change(rows):
        rows[0]["text"] = "修改后的第一条"
        rows[0], rows[1] = rows[1], rows[0]  # move the first item down
        rows.append(
            {
                "key": "new-1",
                "parent": "",
                "ref_id": "9",
                "text": "新增的检查点",
                "guidance": "",
                "evidence": "",
                "assessable": "1",
                "area": "",
            }
        )
        del rows[2]

    response = login(world.qm).post(reverse("checklists:edit", args=[template.pk]), _editor_post(template, based_on=1, change=change))
    assert response.status_code == 302
    template.refresh_from_db()
    v2 = template.current_version
    assert (v2.number, v2.origin, v2.created_by, v2.change_note) == (2, "ui", world.qm, "修改说明")
    texts = list(v2.items.values_list("text", flat=True))
    assert texts[1] == "修改后的第一条" and texts[-1] == "新增的检查点" and len(texts) == 8
    assert v2.items.get(text="新增的检查点").urn == template.urn + ":9"
    assert list(template.versions.get(number=1).items.values_list("text", flat=True)) == v1_texts


def test_a_stale_edit_shows_a_conflict_and_keeps_the_users_edits(loaded, world, login):
    template = loaded["ORG-QM"]
    client = login(world.qm)
    client.post(
        reverse("checklists:edit", args=[template.pk]), _editor_post(template, based_on=1, change=lambda r: r[0].update(text="先保存的"))
    )
    template.refresh_from_db()
    response = login(world.admin).post(
        reverse("checklists:edit", args=[template.pk]),
        _editor_post(template, based_on=1, change=lambda r: r[1].update(text="我的修改不能丢")),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "编辑冲突" in page and "第 2 版" in page and "我的修改不能丢" in page
    assert 'name="based_on" value="2"' in page
    assert template.versions.count() == 2


def test_an_invalid_edit_shows_chinese_errors_and_saves_nothing(loaded, world, login):
    template = loaded["ORG-QM"]
    response = login(world.qm).post(
        reverse("checklists:edit", args=[template.pk]),
        _editor_post(template, based_on=1, change=lambda r: r[0].update(text="", ref_id=r[1]["ref_id"])),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存" in page and "必填" in page and "重复" in page
    assert template.versions.count() == 1


def test_an_unchanged_edit_is_not_saved(loaded, world, login):
    template = loaded["ORG-QM"]
    response = login(world.qm).post(reverse("checklists:edit", args=[template.pk]), _editor_post(template, based_on=1))
    assert response.status_code == 400 and "完全相同" in response.content.decode()


def test_a_new_checklist_can_be_blank_or_a_copy(loaded, world, login):
    client = login(world.qm)
    blank = {"slug": "risk", "ref_id": "RSK", "name": "风险检查", "kind": "org_qm", "element": "capability", "first_item": "是否识别了风险"}
    assert client.post(reverse("checklists:create"), blank).status_code == 302
    risk = ChecklistTemplate.objects.get(ref_id="RSK")
    assert risk.current_version.items.get().text == "是否识别了风险"
    copy = {
        "slug": "cap-copy",
        "ref_id": "CAP2",
        "name": "能力检查副本",
        "kind": "capability",
        "element": "capability",
        "copy_from": loaded["OM-CAP"].pk,
    }
    assert client.post(reverse("checklists:create"), copy).status_code == 302
    copied = ChecklistTemplate.objects.get(ref_id="CAP2").current_version
    assert copied.item_count == 23
    assert all(i.urn.startswith("urn:opsqm:checklist:cap-copy:") for i in copied.items.all())
    duplicate = client.post(reverse("checklists:create"), dict(blank, ref_id="RSK2"))
    assert duplicate.status_code == 400 and "已被检查单" in duplicate.content.decode()


def test_version_history_and_diff_show_what_changed(loaded, world, login):
    template = loaded["ORG-QM"]
    client = login(world.qm)
    client.post(
        reverse("checklists:edit", args=[template.pk]), _editor_post(template, based_on=1, change=lambda r: r[0].update(text="改过的文字"))
    )
    page = client.get(reverse("checklists:diff", args=[template.pk]), {"a": 1, "b": 2}).content.decode()
    assert "修改 1 条" in page and "改过的文字" in page
    old = client.get(reverse("checklists:detail", args=[template.pk]), {"v": 1}).content.decode()
    assert "历史版本 v1" in old and "改过的文字" not in old
    assert "页面编辑" in old and "库文件" in old


def test_library_and_detail_pages_use_a_fixed_number_of_queries(library, world, login, django_assert_max_num_queries):
    from opsqm.checklists.services import library_load

    library_load(directory=library)  # the whole shipped library: counts must not grow with it
    cap = ChecklistTemplate.objects.get(ref_id="OM-CAP")
    client = login(world.spec_a)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("checklists:library"))
    assert page.status_code == 200 and page.content.decode().count('href="/checklists/') >= 2 * ChecklistTemplate.objects.count()
    with django_assert_max_num_queries(6):
        assert client.get(reverse("checklists:library"), {"q": "SLA"}).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("checklists:detail", args=[cap.pk])).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("checklists:diff", args=[cap.pk])).status_code == 200


def test_the_api_lists_and_reads_checklists_for_any_user_but_not_anonymously(loaded, world, api_client, reviewer):
    cap = loaded["OM-CAP"]
    assert api_client().get("/api/v1/checklists/").status_code in (401, 403)
    for user in (world.outsider, reviewer, world.qm):
        client = api_client(user)
        listing = client.get("/api/v1/checklists/", {"kind": "capability"}).json()
        rows = listing["results"] if isinstance(listing, dict) else listing
        assert [r["ref_id"] for r in rows] == ["OM-CAP"]
        detail = client.get(f"/api/v1/checklists/{cap.pk}/").json()
        assert detail["version"] == 1 and len(detail["items"]) == 23 and detail["items"][0]["ref_id"] == "1"
        assert client.get(f"/api/v1/checklists/{cap.pk}/", {"version": 5}).status_code == 404
        assert [v["number"] for v in client.get(f"/api/v1/checklists/{cap.pk}/versions/").json()] == [1]
    assert api_client(world.qm).post("/api/v1/checklists/", {}).status_code == 405
