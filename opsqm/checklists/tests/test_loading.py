from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opsqm.checklists.loading import load_after_migrate
from opsqm.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion, VersionOrigin
from opsqm.checklists.services import checklist_save_version, library_load, version_to_checklist
from opsqm.core import checklists as core
from opsqm.records.models import AuditEvent

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        ChecklistTemplate.objects.count(),
        ChecklistVersion.objects.count(),
        ChecklistItem.objects.count(),
        AuditEvent.objects.filter(model__startswith="checklists.").count(),
    )


def test_it_loads_the_shipped_library_with_the_seed_item_counts(library):
    call_command("load_checklists", "--dir", str(library))
    by_ref = {t.ref_id: t for t in ChecklistTemplate.objects.select_related("current_version")}
    org_qm = list(by_ref["ORG-QM"].current_version.items.all())
    assert len(org_qm) == 8
    cap = list(by_ref["OM-CAP"].current_version.items.all())
    top = [i for i in cap if not i.parent_urn]
    assert len(top) == 16
    sixth = next(i for i in top if i.ref_id == "6")
    assert len([i for i in cap if i.parent_urn == sixth.urn]) == 7
    assert all(t.current_version.number == 1 and t.current_version.origin == VersionOrigin.LIBRARY for t in by_ref.values())
    assert len(by_ref) == len(list(library.glob("*.yaml")))


def test_it_changes_nothing_when_loaded_twice(library):
    call_command("load_checklists", "--dir", str(library))
    before = _counts()
    call_command("load_checklists", "--dir", str(library))
    assert _counts() == before


def test_a_modified_yaml_creates_a_new_version_and_keeps_the_old_items(library):
    library_load(directory=library)
    template = ChecklistTemplate.objects.get(ref_id="ORG-QM")
    old_version = template.current_version
    old_texts = list(old_version.items.values_list("text", flat=True))
    path = library / "org-quality-management.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("text: ", "text: 【修订】", 1), encoding="utf-8")

    report = library_load(directory=library)

    assert report.updated == ["ORG-QM"]
    template.refresh_from_db()
    assert template.current_version.number == 2
    assert template.current_version.origin == VersionOrigin.LIBRARY
    assert list(old_version.items.values_list("text", flat=True)) == old_texts
    assert template.current_version.items.filter(text__startswith="【修订】").count() == 1


def test_an_invalid_file_anywhere_writes_nothing(library, capsys):
    (library / "zz-broken.yaml").write_text(
        "urn: urn:opsqm:checklist:broken\nref_id: BRK\nname: 坏\nkind: org_qm\nelement: capability\n"
        "items:\n  - urn: urn:opsqm:checklist:broken:1\n    ref_id: '1'\n    order: 1\n    text: 甲\n"
        "    parent: urn:opsqm:checklist:broken:9\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="未写入任何内容"):
        call_command("load_checklists", "--dir", str(library))
    assert "父条目 urn:opsqm:checklist:broken:9 不存在" in capsys.readouterr().err
    assert _counts() == (0, 0, 0, 0)


def test_a_changed_library_file_wins_over_a_ui_edit(small_library, world):
    library_load(directory=small_library)
    template = ChecklistTemplate.objects.get(ref_id="ORG-QM")
    edited = version_to_checklist(template.current_version)
    rows = core.checklist_to_rows(edited)
    rows[0]["text"] = "页面上改过的检查点"
    meta = {k: v for k, v in edited.to_dict().items() if k != "items"}
    checklist_save_version(
        actor=world.qm, checklist=core.rows_to_checklist(meta, rows), origin=VersionOrigin.UI, change_note="页面修改", expected_number=1
    )
    template.refresh_from_db()
    assert template.current_version.origin == VersionOrigin.UI

    report = library_load(directory=small_library)  # library file unchanged since v1: v1 becomes current again
    assert report.restored == ["ORG-QM"]
    template.refresh_from_db()
    assert template.current_version.number == 1

    path = small_library / "org-quality-management.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("text: ", "text: 库文件修订：", 1), encoding="utf-8")
    library_load(directory=small_library)
    template.refresh_from_db()
    assert (template.current_version.number, template.current_version.origin) == (3, VersionOrigin.LIBRARY)
    assert [v.origin for v in template.versions.order_by("number")] == ["library", "ui", "library"]


def test_post_migrate_loads_quietly_and_survives_a_missing_or_broken_library(settings, tmp_path, small_library, caplog):
    settings.CHECKLISTS_LOAD_ON_MIGRATE = True
    settings.CHECKLIST_LIBRARY_DIR = tmp_path / "missing"
    load_after_migrate(using="default")
    assert ChecklistTemplate.objects.count() == 0

    (small_library / "bad.yaml").write_text("urn: [", encoding="utf-8")
    settings.CHECKLIST_LIBRARY_DIR = small_library
    load_after_migrate(using="default")
    assert ChecklistTemplate.objects.count() == 0
    assert "opsqm load-checklists" in caplog.text

    (small_library / "bad.yaml").unlink()
    load_after_migrate(using="default")
    assert ChecklistTemplate.objects.count() == 2


def test_post_migrate_is_off_in_tests_by_default(small_library, settings):
    settings.CHECKLIST_LIBRARY_DIR = small_library
    load_after_migrate(using="default")
    assert ChecklistTemplate.objects.count() == 0
