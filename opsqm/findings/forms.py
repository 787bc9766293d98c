from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.access import visible_projects
from opsqm.accounts.roles import Role
from opsqm.findings.models import Finding, ImprovementItem
from opsqm.findings.policy import RAISER_ROLES
from opsqm.forms_base import StyledFormMixin
from opsqm.org.models import Department

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def internal_people():
    return get_user_model().objects.filter(is_active=True).exclude(role=Role.EXTERNAL_REVIEWER).order_by("username")


def projects_for_raising(user: Any):
    qs = visible_projects(user).order_by("code")
    if not (user.role in RAISER_ROLES or user.is_superuser):
        qs = qs.filter(ops_manager=user)
    return qs


class VersionField(forms.IntegerField):
    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, required=False)


class FindingForm(StyledFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Finding
        fields = ["title", "severity", "source", "project", "department", "owner", "due_date", "description"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "severity": _("重大问题保存后立即上报总经办（站内通知和邮件）。"),
            "owner": _("负责原因分析和答复的人；不填则为项目运维经理。"),
            "due_date": _("不填则为 3 个工作日后。"),
        }

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_raising(user)
        self.fields["project"].empty_label = _("（公司级，不属于具体项目）")
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["owner"].queryset = internal_people()
        self.fields["owner"].required = False
        self.fields["due_date"].required = False
        if editing:
            # Where a finding came from and which project it belongs to do not change after registration.
            del self.fields["source"]
            del self.fields["project"]
        else:
            self.fields["source"].initial = Finding.Source.MANUAL


class CauseForm(StyledFormMixin, forms.Form):
    cause = forms.CharField(
        label=_("原因分析"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("说明问题发生的根本原因（人员、流程、技术、管理等方面）。"),
    )
    version = VersionField()


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("纠正措施"), widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.ModelChoiceField(label=_("实施责任人"), queryset=get_user_model().objects.none())
    due_date = forms.DateField(label=_("完成期限"), widget=DATE, help_text=_("不能早于今天，也不能早于问题登记日期。"))
    version = VersionField()

    def __init__(self, *args: Any, finding: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finding = finding
        self.fields["owner"].queryset = internal_people()


class ImplementForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("实施情况"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence_ref = forms.CharField(
        label=_("证据材料"), required=False, max_length=300, help_text=_("填写证据文件编号或存放位置（如文档编号、共享目录路径、工单号）。")
    )
    evidence_file = forms.FileField(
        label=_("上传证据文件"),
        required=False,
        help_text=_("可选。支持 PDF、图片、Office 文档、文本和 ZIP，系统会核验文件内容与扩展名是否一致。"),
    )
    version = VersionField()


class VerifyForm(StyledFormMixin, forms.Form):
    effective = forms.TypedChoiceField(
        label=_("验证结论"),
        choices=[("1", _("有效：问题已消除")), ("0", _("无效：需要重新制定措施"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("验证意见"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("结论为无效时必须说明原因。")
    )
    version = VersionField()


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 4}))
    version = VersionField()


class ToImprovementForm(StyledFormMixin, forms.Form):
    target = forms.CharField(label=_("改进目标"), max_length=300)
    measure = forms.CharField(label=_("改进措施"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=get_user_model().objects.none())
    due_date = forms.DateField(label=_("计划完成日期"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = internal_people()


class ImprovementForm(StyledFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = ImprovementItem
        fields = ["title", "target", "project", "owner", "due_date", "status", "measure", "description"]
        widgets = {"due_date": DATE, "measure": forms.Textarea(attrs={"rows": 3}), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_raising(user)
        self.fields["project"].empty_label = _("（公司级）")
        self.fields["owner"].queryset = internal_people()
        if not editing:
            del self.fields["status"]
        else:
            # Progress and completion are reported as updates, not typed over.
            self.fields["status"].choices = (
                [c for c in ImprovementItem.Status.choices if c[0] != ImprovementItem.Status.DONE]
                if self.instance.status != ImprovementItem.Status.DONE
                else ImprovementItem.Status.choices
            )


class ProgressForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展说明"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


__all__ = [
    "FindingForm",
    "CauseForm",
    "ActionForm",
    "ImplementForm",
    "VerifyForm",
    "NoteForm",
    "ToImprovementForm",
    "ImprovementForm",
    "ProgressForm",
]
