from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opsqm.checklists import selectors
from opsqm.checklists.models import ChecklistElement, ChecklistItem, ChecklistKind, ChecklistPhase, VersionOrigin
from opsqm.checklists.services import NoChangesError, StaleVersionError, checklist_save_version, version_to_checklist
from opsqm.core import checklists as core

pytestmark = pytest.mark.django_db


def _edited(template, change):
    checklist = version_to_checklist(template.current_version)
    rows = core.checklist_to_rows(checklist)
    change(rows)
    meta = {k: v for k, v in checklist.to_dict().items() if k != "items"}
    return core.rows_to_checklist(meta, rows)


def test_the_model_choices_mirror_the_core_enums():
    assert dict(ChecklistKind.choices) == core.KINDS
    assert dict(ChecklistElement.choices) == core.ELEMENTS
    assert dict(ChecklistPhase.choices) == core.PHASES


def test_a_stored_item_cannot_be_changed_by_any_path(loaded):
    item = loaded["ORG-QM"].current_version.items.first()
    item.text = "改"
    with pytest.raises(ValidationError):
        item.save()
    with pytest.raises(ValidationError):
        ChecklistItem.objects.filter(pk=item.pk).update(text="改")
    with pytest.raises(ValidationError):
        ChecklistItem.objects.bulk_update([item], ["text"])
    with pytest.raises(ValidationError):
        ChecklistItem.objects.filter(pk=item.pk).delete()
    with pytest.raises(ValidationError):
        item.delete()
    version = loaded["ORG-QM"].current_version
    version.change_note = "改"
    with pytest.raises(ValidationError):
        version.save()
    assert ChecklistItem.objects.get(pk=item.pk).text != "改"


def test_saving_new_content_creates_the_next_version(loaded, world):
    template = loaded["ORG-QM"]
    new = _edited(template, lambda rows: rows.append(dict(rows[0], urn=template.urn + ":9", ref_id="9", order=9)))
    result = checklist_save_version(actor=world.qm, checklist=new, origin=VersionOrigin.UI, change_note="加一条", expected_number=1)
    assert (result.status, result.version.number, result.version.item_count) == ("created", 2, 9)
    assert result.version.created_by == world.qm
    assert selectors.version_items(template.versions.get(number=1)).count() == 8


def test_a_stale_base_version_is_refused(loaded, world):
    template = loaded["ORG-QM"]
    first = _edited(template, lambda rows: rows[0].update(text="甲的修改"))
    checklist_save_version(actor=world.qm, checklist=first, origin=VersionOrigin.UI, expected_number=1)
    second = _edited(template, lambda rows: rows[1].update(text="乙的修改"))
    with pytest.raises(StaleVersionError, match="第 2 版"):
        checklist_save_version(actor=world.admin, checklist=second, origin=VersionOrigin.UI, expected_number=1)


def test_unchanged_content_is_refused_and_older_content_is_restored(loaded, world):
    template = loaded["ORG-QM"]
    same = version_to_checklist(template.current_version)
    with pytest.raises(NoChangesError):
        checklist_save_version(actor=world.qm, checklist=same, origin=VersionOrigin.UI, expected_number=1)
    checklist_save_version(
        actor=world.qm, checklist=_edited(template, lambda r: r[0].update(text="改")), origin=VersionOrigin.UI, expected_number=1
    )
    result = checklist_save_version(actor=world.qm, checklist=same, origin=VersionOrigin.UI, expected_number=2)
    assert (result.status, result.version.number) == ("restored", 1)


def test_only_editors_may_save_a_version(loaded, world):
    new = _edited(loaded["ORG-QM"], lambda rows: rows[0].update(text="改"))
    for user in (world.spec_a, world.ops_a, world.auditor, world.gm, world.outsider):
        with pytest.raises(PermissionDenied):
            checklist_save_version(actor=user, checklist=new, origin=VersionOrigin.UI, expected_number=1)


def test_current_versions_filters_by_kind_element_and_active(loaded, world):
    from opsqm.checklists.services import checklist_set_active

    assert [v.template.ref_id for v in selectors.current_versions()] == ["OM-CAP", "ORG-QM"]
    assert [v.template.ref_id for v in selectors.current_versions(kind="org_qm")] == ["ORG-QM"]
    assert list(selectors.current_versions(element="people")) == []
    checklist_set_active(actor=world.qm, template=loaded["ORG-QM"], active=False)
    assert [v.template.ref_id for v in selectors.current_versions()] == ["OM-CAP"]


def test_version_items_come_in_tree_order(loaded):
    items = list(selectors.version_items(loaded["OM-CAP"].current_version))
    seen = set()
    for item in items:
        assert not item.parent_urn or item.parent_urn in seen
        seen.add(item.urn)
    assert selectors.get_version(loaded["OM-CAP"].current_version_id).template.ref_id == "OM-CAP"
