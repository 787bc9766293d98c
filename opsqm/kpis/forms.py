from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opsqm.core.kpi import Period
from opsqm.forms_base import StyledFormMixin
from opsqm.kpis.models import MANUAL_KPI_CHOICES


class ManualMeasureForm(StyledFormMixin, forms.Form):
    kpi = forms.ChoiceField(label=_("指标"), choices=MANUAL_KPI_CHOICES)
    period = forms.CharField(label=_("期间"), max_length=8, help_text=_("月度填 2026-03，季度填 2026-Q1"))
    value = forms.DecimalField(
        label=_("数值"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("可用率填小数（99.5% 填 0.995）；重大事件、投诉填次数"),
    )
    numerator = forms.IntegerField(label=_("按时提交数"), required=False, min_value=0)
    denominator = forms.IntegerField(label=_("应提交数"), required=False, min_value=0)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_period(self) -> str:
        raw = self.cleaned_data["period"].strip().upper().replace("q", "Q")
        try:
            return Period.parse(raw).key
        except ValueError as exc:
            raise forms.ValidationError(_("期间格式应为 2026-03（月）或 2026-Q1（季度）。")) from exc
