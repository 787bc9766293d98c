from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.forms_base import StyledFormMixin
from opsqm.surveys.models import CompanyMethod, Complaint, Level, SurveyTemplate

EMPTY = [("", _("请选择"))]


def open_satisfaction_activities(user: Any):
    """The approved plan's open 客户满意度调查 activities `user` may complete (owner or quality manager);
    None when the annual plan (opsqm.plans) is not installed."""
    from django.apps import apps

    if not apps.is_installed("opsqm.plans"):
        return None
    from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus
    from opsqm.plans.services import can_plan

    qs = PlanActivity.objects.filter(plan__status=PlanStatus.APPROVED, type="satisfaction").exclude(status=ActivityStatus.DONE)
    if not can_plan(user):
        qs = qs.filter(owner=user) if user is not None and user.is_authenticated else qs.none()
    return qs.order_by("due_date")


class CampaignForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=_("调查层级"), choices=EMPTY + [(Level.PROJECT, Level.PROJECT.label), (Level.CUSTOMER, Level.CUSTOMER.label)]
    )
    project = forms.ModelChoiceField(label=_("项目（项目级）"), queryset=None, required=False, empty_label=_("请选择"))
    customer = forms.ModelChoiceField(label=_("客户（客户级）"), queryset=None, required=False, empty_label=_("请选择"))
    template = forms.ModelChoiceField(
        label=_("调查模板"),
        queryset=SurveyTemplate.objects.filter(active=True),
        empty_label=_("请选择"),
        required=False,
        help_text=_("不选则使用该层级的默认模板"),
    )
    title = forms.CharField(label=_("调查名称"), max_length=200)
    period_label = forms.CharField(label=_("调查期间"), max_length=20, help_text=_("例如 2026 上半年、2026 年度"))
    expires_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    contacts = forms.CharField(
        label=_("客户联系人"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("每行一位：姓名, 邮箱, 电话（邮箱或电话可空）")
    )
    # Offered when creating: the open annual-plan activity this campaign fulfils (opsqm.plans).
    plan_activity = forms.ModelChoiceField(
        label=_("完成年度质量计划活动"),
        queryset=None,
        required=False,
        empty_label=_("请选择"),
        help_text=_("选择后，调查活动创建即登记为该计划活动的完成记录。"),
    )

    def __init__(self, *args: Any, projects=None, customers=None, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["customer"].queryset = customers
        activities = open_satisfaction_activities(user)
        if activities is None or not activities.exists():
            del self.fields["plan_activity"]
        else:
            self.fields["plan_activity"].queryset = activities

    def contact_rows(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["contacts"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            parts += [""] * (3 - len(parts))
            rows.append({"name": parts[0], "email": parts[1], "phone": parts[2]})
        return rows


class ContactForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(label=_("邮箱"), required=False)
    phone = forms.CharField(label=_("电话"), max_length=50, required=False)


class RulesForm(StyledFormMixin, forms.Form):
    weight_incident = forms.FloatField(label=_("事件级权重"), min_value=0)
    weight_project = forms.FloatField(label=_("项目级权重"), min_value=0)
    weight_customer = forms.FloatField(label=_("客户级权重"), min_value=0)
    band_1 = forms.FloatField(label=_("“非常满意”下限"), min_value=0, max_value=100)
    band_2 = forms.FloatField(label=_("“满意”下限"), min_value=0, max_value=100)
    band_3 = forms.FloatField(label=_("“一般”下限"), min_value=0, max_value=100)
    min_responses = forms.IntegerField(label=_("每个层级最少回收份数"), min_value=1, max_value=1000)
    company_method = forms.ChoiceField(label=_("公司满意度加权方式"), choices=CompanyMethod.choices)
    threshold = forms.FloatField(label=_("项目满意度预警线"), min_value=0, max_value=100)
    target = forms.FloatField(label=_("满意度目标"), min_value=0, max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        b = [data.get("band_1"), data.get("band_2"), data.get("band_3")]
        if None not in b and not b[0] > b[1] > b[2]:
            raise forms.ValidationError(_("分档下限须从高到低：非常满意 > 满意 > 一般。"))
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "weight_incident": d["weight_incident"],
            "weight_project": d["weight_project"],
            "weight_customer": d["weight_customer"],
            "bands": [[d["band_1"], "非常满意"], [d["band_2"], "满意"], [d["band_3"], "一般"], [0, "不满意"]],
            "min_responses": d["min_responses"],
            "company_method": d["company_method"],
            "threshold": d["threshold"],
            "target": d["target"],
        }


class ComplaintForm(StyledFormMixin, forms.ModelForm):
    received_at = forms.DateTimeField(
        label=_("受理时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    class Meta:
        model = Complaint
        fields = ["received_at", "channel", "customer", "project", "contact", "content", "severity", "handler", "deadline_days"]

    def __init__(self, *args: Any, projects=None, customers=None, handlers=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["customer"].queryset = customers
        self.fields["customer"].required = False
        self.fields["handler"].queryset = handlers
        self.fields["channel"].choices = EMPTY + list(Complaint.Channel.choices)
        for name in ("customer", "project", "handler"):
            self.fields[name].empty_label = _("请选择")

    def clean(self):
        data = super().clean()
        if not data.get("project") and not data.get("customer"):
            raise forms.ValidationError(_("请选择客户或项目。"))
        return data


class HandlingForm(StyledFormMixin, forms.Form):
    handling = forms.CharField(label=_("处理记录"), widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VisitForm(StyledFormMixin, forms.Form):
    visit_date = forms.DateField(
        label=_("回访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=dt.date.today
    )
    visit_by = forms.CharField(label=_("回访人"), max_length=100)
    visit_result = forms.ChoiceField(label=_("回访结果"), choices=EMPTY + list(Complaint.VisitResult.choices))
    accepted = forms.BooleanField(label=_("客户认可处理结果"), required=False)
    visit_note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
