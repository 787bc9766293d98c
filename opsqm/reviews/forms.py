from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.documents.forms import DATE, PICK, PeopleChoice, PersonChoice, internal_people
from opsqm.forms_base import StyledFormMixin
from opsqm.reviews.models import OutputKind


class ReviewForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    planned_date = forms.DateField(label=_("会议日期"), widget=DATE)
    place = forms.CharField(label=_("会议地点"), max_length=200)
    chair = PersonChoice(label=_("主持人"), queryset=internal_people(), empty_label=PICK)
    attendees = PeopleChoice(
        label=_("应到人员"), queryset=internal_people(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    agenda = forms.CharField(label=_("议程（每行一个议题）"), widget=forms.Textarea(attrs={"rows": 7}))
    changes_text = forms.CharField(label=_("影响体系的内外部变化"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resources_text = forms.CharField(
        label=_("资源状况（人员、技术、信息、财务）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    risks_text = forms.CharField(label=_("风险与机遇"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["year"].disabled = True


class AssembleForm(StyledFormMixin, forms.Form):
    as_of = forms.DateField(label=_("输入截止日期"), widget=DATE)


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("批注"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("输出类别"), choices=[("", PICK), *OutputKind.choices])
    decision = forms.CharField(label=_("决定/措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = PersonChoice(label=_("责任人"), queryset=internal_people(), empty_label=PICK)
    due_date = forms.DateField(label=_("完成期限"), widget=DATE)
