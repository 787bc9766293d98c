from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.documents.forms import DATE
from opsqm.forms_base import StyledFormMixin
from opsqm.org.models import Project
from opsqm.records.models import EvidenceFile


class ProjectChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class EvidenceChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"#{obj.pk} {obj.original_name}（{obj.uploaded_at:%Y-%m-%d}）"


class PackageForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    period_start = forms.DateField(label=_("期间开始"), widget=DATE)
    period_end = forms.DateField(label=_("期间结束"), widget=DATE)
    projects = ProjectChoice(
        label=_("项目范围（不选 = 全公司）"),
        queryset=Project.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    evidence = EvidenceChoice(
        label=_("附带的证据文件（须属于所选项目）"),
        queryset=EvidenceFile.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    title = forms.CharField(label=_("名称（可选）"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        recent = list(
            EvidenceFile.objects.exclude(owner_type__startswith="archive.").order_by("-uploaded_at").values_list("pk", flat=True)[:300]
        )
        self.fields["evidence"].queryset = EvidenceFile.objects.filter(pk__in=recent).order_by("-uploaded_at")

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_start"] > data["period_end"]:
            self.add_error("period_end", _("期间结束日期不能早于开始日期。"))
        return data


class DisposeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("销毁说明"), max_length=300)
