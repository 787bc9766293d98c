from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from opsqm.checklists import xlsx
from opsqm.checklists.models import ChecklistTemplate, ChecklistVersion
from opsqm.checklists.services import content_checksum, version_to_checklist

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "checklist.xlsx"):
    return client.post(reverse("checklists:import"), {"step": "upload", "file": SimpleUploadedFile(name, data)})


def _rewrite(data: bytes, edit) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    edit(wb[xlsx.SHEET])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _item_rows(ws):
    header = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("urn（"))
    return header + 1


def test_export_then_import_gives_back_the_same_checklist(loaded):
    for template in loaded.values():
        original = version_to_checklist(template.current_version)
        again = xlsx.import_checklist(xlsx.export_checklist(original))
        assert content_checksum(again) == template.current_version.checksum
        assert again.items == original.items


def test_the_export_is_styled_and_neutralizes_formulas(loaded, world, login):
    response = login(world.outsider).get(reverse("checklists:export", args=[loaded["ORG-QM"].pk]))
    assert response["Content-Disposition"].startswith("attachment") and "ORG-QM-v1.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))[xlsx.SHEET]
    first = _item_rows(ws)
    assert ws.freeze_panes == f"A{first}"
    assert ws.cell(first - 1, 1).font.bold and ws.cell(first - 1, 1).fill.fgColor.rgb.endswith("1F4E79")
    assert ws.column_dimensions["E"].width == 60
    assert xlsx.neutralize('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert xlsx.neutralize("@SUM(A1)").startswith("'") and xlsx.neutralize("\tx").startswith("'")
    assert xlsx.unneutralize(xlsx.neutralize("-1")) == "-1"


def test_a_formula_like_text_survives_the_round_trip_as_text(loaded, world):
    original = version_to_checklist(loaded["ORG-QM"].current_version)
    data = _rewrite(
        xlsx.export_checklist(original), lambda ws: ws.cell(_item_rows(ws), 6).__setattr__("value", xlsx.neutralize("=1+1 看报告"))
    )
    ws = load_workbook(io.BytesIO(data))[xlsx.SHEET]
    assert ws.cell(_item_rows(ws), 6).value == "'=1+1 看报告"
    imported = xlsx.import_checklist(data)
    assert imported.items[0].guidance == "=1+1 看报告"


def test_an_import_is_previewed_then_confirmed_as_a_new_version(loaded, world, login):
    template = loaded["ORG-QM"]
    data = _rewrite(
        xlsx.export_checklist(version_to_checklist(template.current_version)),
        lambda ws: ws.cell(_item_rows(ws), 5).__setattr__("value", "表格里改过的检查点"),
    )
    client = login(world.qm)
    preview = _upload(client, data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "修改 1 条" in page and "表格里改过的检查点" in page
    assert template.versions.count() == 1
    payload = preview.context["payload"]
    response = client.post(reverse("checklists:import"), {"step": "confirm", "payload": payload, "change_note": "按评审意见修改"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.current_version.number, template.current_version.origin) == (2, "xlsx")
    assert template.current_version.items.first().text == "表格里改过的检查点"
    # the same preview confirmed again is stale now: nothing more is written
    client.post(reverse("checklists:import"), {"step": "confirm", "payload": payload})
    assert template.versions.count() == 2


def test_a_tampered_payload_is_refused(loaded, world, login):
    response = login(world.qm).post(reverse("checklists:import"), {"step": "confirm", "payload": "x:y:z"}, follow=True)
    assert "预览已过期或无效" in response.content.decode()
    assert ChecklistVersion.objects.count() == 2


def test_an_import_with_a_new_urn_creates_a_new_checklist(loaded, world, login):
    original = version_to_checklist(loaded["ORG-QM"].current_version)

    def move(ws):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "org-quality-management" in cell.value:
                    cell.value = cell.value.replace("org-quality-management", "org-qm-2026")
                if cell.value == "ORG-QM":
                    cell.value = "ORG-QM-2026"

    client = login(world.qm)
    preview = _upload(client, _rewrite(xlsx.export_checklist(original), move))
    assert "确认新建" in preview.content.decode()
    client.post(reverse("checklists:import"), {"step": "confirm", "payload": preview.context["payload"]})
    created = ChecklistTemplate.objects.get(ref_id="ORG-QM-2026")
    assert (created.current_version.number, created.current_version.origin, created.current_version.item_count) == (1, "xlsx", 8)


def test_a_missing_parent_is_reported_in_chinese_and_nothing_is_saved(loaded, world, login):
    template = loaded["OM-CAP"]
    data = xlsx.export_checklist(version_to_checklist(template.current_version))

    def break_parent(ws):
        for r in range(_item_rows(ws), ws.max_row + 1):
            if ws.cell(r, 3).value:
                ws.cell(r, 3).value = "urn:opsqm:checklist:om-capability:404"
                return

    response = _upload(login(world.qm), _rewrite(data, break_parent))
    assert response.status_code == 400
    assert "父条目 urn:opsqm:checklist:om-capability:404 不存在" in response.content.decode()
    assert template.versions.count() == 1


def test_a_file_that_is_not_a_workbook_is_rejected(loaded, world, login):
    client = login(world.qm)
    response = _upload(client, b"urn,ref_id\nx,y\n", "fake.xlsx")
    assert response.status_code == 400 and "实际为 文本文件" in response.content.decode()
    response = _upload(client, b"PK\x03\x04garbage", "broken.xlsx")
    assert response.status_code == 400 and "损坏" in response.content.decode()
    response = _upload(client, b"anything", "list.csv")
    assert response.status_code == 400 and "允许的类型：.xlsx" in response.content.decode()
    assert ChecklistVersion.objects.count() == 2


def test_an_oversized_upload_is_rejected(loaded, world, login):
    response = _upload(login(world.qm), b"PK\x03\x04" + b"0" * (xlsx.MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 400 and "5 MB" in response.content.decode()
