from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import Role
from opsqm.forms_base import StyledFormMixin
from opsqm.org.models import Customer, Project, ServiceItem


class VersionedForm(StyledFormMixin, forms.ModelForm):
    """Carries the record version the editor loaded, for optimistic locking."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CustomerForm(VersionedForm):
    class Meta:
        model = Customer
        fields = ["code", "name", "industry", "contact_name", "contact_phone", "contact_email", "address", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


def _people(*roles: str):
    User = get_user_model()
    return User.objects.filter(is_active=True, role__in=roles).order_by("username")


class ProjectForm(VersionedForm):
    members = forms.ModelMultipleChoiceField(
        label=_("项目成员"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("输入姓名、部门或岗位搜索，点击即可添加。运维经理和质量专员无需重复添加。"),
    )
    service_items = forms.ModelMultipleChoiceField(
        label=_("服务目录项"),
        required=False,
        queryset=ServiceItem.objects.filter(active=True),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "customer",
            "status",
            "department",
            "contract_start",
            "contract_end",
            "contract_value",
            "ops_manager",
            "quality_specialist",
            "time_zone",
            "description",
        ]
        widgets = {
            "contract_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contract_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from opsqm.help.templatetags.ui_tags import tz_choices

        choices = tz_choices()
        current = self.initial.get("time_zone") or getattr(self.instance, "time_zone", "")
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["time_zone"].widget = forms.Select(choices=choices, attrs={"class": "form-select"})
        User = get_user_model()
        self.fields["ops_manager"].queryset = _people(Role.OPS_MANAGER)
        self.fields["quality_specialist"].queryset = _people(Role.QUALITY_SPECIALIST, Role.QUALITY_MANAGER)
        self.fields["members"].queryset = User.objects.filter(is_active=True).exclude(role=Role.EXTERNAL_REVIEWER).order_by("username")
        if self.instance.pk:
            self.fields["members"].initial = [m.user_id for m in self.instance.memberships.all()]
            self.fields["service_items"].initial = list(self.instance.service_items.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("合同结束日期不能早于开始日期。"))
        return data

    def clean_time_zone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        tz = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("无法识别的时区，例如 Asia/Shanghai。"))
        return tz
