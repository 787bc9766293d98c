from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.forms_base import StyledFormMixin
from opsqm.quarterly.models import QuarterlySubmission


class OpenForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, _("第 %(q)d 季度") % {"q": q}) for q in range(1, 5)])


class SubmissionForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = QuarterlySubmission
        fields = [
            "tickets_handled",
            "major_incidents",
            "service_reports",
            "customer_meetings",
            "staff_changes",
            "summary",
            "problems",
            "next_plan",
        ]
        widgets = {k: forms.Textarea(attrs={"rows": 4}) for k in ("summary", "problems", "next_plan")}


class AnalysisForm(StyledFormMixin, forms.Form):
    analysis = forms.CharField(label=_("质量分析"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    requirements = forms.CharField(label=_("改进要求"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)
