from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from opsqm.checklists import labels
from opsqm.checklists.models import ChecklistElement, ChecklistKind, ChecklistPhase, ChecklistTemplate
from opsqm.checklists.xlsx import MAX_UPLOAD_BYTES
from opsqm.forms_base import StyledFormMixin

_AREA_CHOICES = [
    ("", _("（不适用）")),
    (_("项目级领域"), list(labels.PROJECT_AREAS.items())),
    (_("组织级质量保证领域"), list(labels.ORG_QA_AREAS.items())),
]
_PHASE_CHOICES = [("", _("（不适用）"))] + list(ChecklistPhase.choices)


class ChecklistMetaForm(StyledFormMixin, forms.Form):
    """Header fields and the change note of the editor; items are posted as rows (see editor.py)."""

    name = forms.CharField(label=_("名称"), max_length=200)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    source = forms.CharField(label=_("来源"), max_length=200, required=False)
    phase = forms.ChoiceField(label=_("项目阶段"), choices=_PHASE_CHOICES, required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_note = forms.CharField(
        label=_("修改说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明改了什么、为什么改；将显示在版本历史中。"),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class NewChecklistForm(StyledFormMixin, forms.Form):
    slug = forms.CharField(
        label=_("标识"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("只能使用小写字母、数字和连字符，且不能以连字符开头。"))],
        help_text=_("字母、数字和短横线，如 project-risk；创建后不可修改。"),
    )
    ref_id = forms.CharField(label=_("编号"), max_length=50, help_text=_("显示用编号，如 PRJ-RSK，库内唯一。"))
    name = forms.CharField(label=_("名称"), max_length=200)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=ChecklistKind.choices)
    element = forms.ChoiceField(label=_("要素"), choices=ChecklistElement.choices)
    phase = forms.ChoiceField(label=_("项目阶段"), choices=_PHASE_CHOICES, required=False, help_text=_("仅“项目级阶段检查”填写。"))
    source = forms.CharField(label=_("来源"), max_length=200, required=False)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    copy_from = forms.ModelChoiceField(
        label=_("复制自"),
        queryset=ChecklistTemplate.objects.none(),
        required=False,
        empty_label=_("（空白检查单）"),
        help_text=_("选择一个检查单，复制其当前版本的全部条目；留空则新建空白检查单。"),
    )
    first_item = forms.CharField(
        label=_("第一个检查点"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("新建空白检查单时必填；其余条目创建后在编辑页添加。"),
    )

    first_area = forms.ChoiceField(
        label=_("第一个检查点的检查领域"),
        required=False,
        choices=_AREA_CHOICES,
        help_text=_("仅“项目级阶段检查”和“组织级质量保证检查”需要。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = ChecklistTemplate.objects.filter(current_version__isnull=False).order_by("ref_id")

    def clean(self):
        data = super().clean()
        if not data.get("copy_from") and not (data.get("first_item") or "").strip():
            self.add_error("first_item", _("新建空白检查单时请填写第一个检查点，或选择要复制的检查单。"))
        return data


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_(".xlsx 文件"), help_text=_("请使用本系统导出的表格作为模板；不超过 5 MB。"))

    def clean_file(self):
        from opsqm.records.uploads import upload_check

        upload = self.cleaned_data["file"]
        upload_check(upload, name=upload.name, allowed_extensions=[".xlsx"], max_bytes=MAX_UPLOAD_BYTES)  # the one upload gate
        return upload
