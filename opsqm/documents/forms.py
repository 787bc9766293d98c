from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.roles import Role
from opsqm.documents.models import ControlledDocument, DocumentType, FeedbackOutcome
from opsqm.forms_base import StyledFormMixin
from opsqm.org.models import Department

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PICK = _("请选择")


def internal_people():
    return get_user_model().objects.filter(is_active=True).exclude(role=Role.EXTERNAL_REVIEWER).order_by("username")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class DocumentForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("文件编号"), max_length=40)
    title = forms.CharField(label=_("文件名称"), max_length=200)
    doc_type = forms.ChoiceField(label=_("文件类别"), choices=[("", PICK), *DocumentType.choices])
    department = forms.ModelChoiceField(label=_("归口部门"), queryset=Department.objects.order_by("code"), required=False, empty_label=PICK)
    owner = PersonChoice(label=_("文件负责人"), queryset=internal_people(), empty_label=PICK)
    next_review_date = forms.DateField(label=_("下次评审日期"), widget=DATE, required=False)
    distribution = PeopleChoice(
        label=_("发放范围（须阅读人员）"), queryset=internal_people(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True  # the code identifies the document: server-kept once registered


class VersionForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=_("版本号"), max_length=20, help_text=_("例如 A/1、2.0"))
    change_note = forms.CharField(label=_("修订说明"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("文件"), required=False, help_text=_("PDF、Word、Excel 等；提交审核前必须上传"))


class FileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("文件"))


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EffectiveForm(StyledFormMixin, forms.Form):
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE)


class ReviewedForm(StyledFormMixin, forms.Form):
    next_review_date = forms.DateField(label=_("下次评审日期"), widget=DATE)


class FeedbackForm(StyledFormMixin, forms.Form):
    document = forms.ModelChoiceField(label=_("文件"), queryset=ControlledDocument.objects.order_by("code"), empty_label=PICK)
    difficulty = forms.CharField(label=_("执行中的困难"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    missing = forms.CharField(label=_("缺少的内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    suggestion = forms.CharField(label=_("改进建议"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    anonymous = forms.BooleanField(label=_("对其他人匿名（只有您自己能看到反馈人）"), required=False)


class AcceptForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("处理方式"), choices=[("", PICK), *FeedbackOutcome.choices])
    target = forms.CharField(label=_("改进目标"), max_length=300, required=False)
    owner = PersonChoice(label=_("责任人"), queryset=internal_people(), required=False, empty_label=PICK)
    due_date = forms.DateField(label=_("计划完成日期"), widget=DATE, required=False)
    revision_label = forms.CharField(label=_("修订版本号"), max_length=20, required=False)


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("未采纳原因（反馈人可见）"), widget=forms.Textarea(attrs={"rows": 2}))


class RoundForm(StyledFormMixin, forms.Form):
    period = forms.CharField(label=_("期间（YYYY-MM）"), max_length=7)
    due_date = forms.DateField(label=_("反馈截止日期"), widget=DATE)
    participants = PeopleChoice(label=_("征集对象"), queryset=internal_people(), widget=forms.SelectMultiple(attrs={"size": 8}))
    documents = forms.ModelMultipleChoiceField(
        label=_("重点征集的文件"),
        queryset=ControlledDocument.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
