from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsqm.core.kpi import KPI_DEFINITIONS
from opsqm.forms_base import StyledFormMixin
from opsqm.plans.models import PlanActivity, QualityObjective

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_HELP = _("计划已批准：修改将记为一次修订，必须写明原因。")


class ReasonMixin(forms.Form):
    reason = forms.CharField(label=_("修订原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["reason"]


class GenerateForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class PlanForm(StyledFormMixin, ReasonMixin):
    title = forms.CharField(label=_("计划名称"), max_length=200)
    notes = forms.CharField(label=_("编制说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ObjectiveForm(StyledFormMixin, ReasonMixin, forms.ModelForm):
    class Meta:
        model = QualityObjective
        fields = ["indicator", "formula", "kpi", "target", "unit", "higher_is_better", "period", "manual_actual", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"] = forms.ChoiceField(
            label=_("关联指标"),
            required=False,
            help_text=QualityObjective._meta.get_field("kpi").help_text,
            choices=[("", _("不关联（手工填写实际值）"))] + [(c.value, d.name_zh) for c, d in KPI_DEFINITIONS.items()],
        )
        from opsqm.forms_base import style_widgets

        style_widgets(self)


class ActivityForm(StyledFormMixin, ReasonMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PlanActivity
        fields = ["type", "title", "content", "department", "projects", "owner", "due_date", "output"]
        widgets = {"due_date": DATE, "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, projects_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).order_by("role", "username")
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name}（{u.get_role_display()}）"
        self.fields["owner"].empty_label = _("请选择")
        self.fields["department"].empty_label = _("请选择")
        if projects_qs is not None:
            self.fields["projects"].queryset = projects_qs
        self.fields["projects"].help_text = _("不选项目即为组织级活动。")


class QAPlanForm(StyledFormMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, empty_label=_("请选择"))
    start = forms.DateField(label=_("项目启动日期"), widget=DATE)

    def __init__(self, *args, projects_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_qs
        self.fields["project"].label_from_instance = lambda p: f"{p.code} {p.name}"
