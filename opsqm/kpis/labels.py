"""KPI names, formulas and period labels in the active UI language.

The catalogue in opsqm.core.kpi carries both Chinese and English text (the core has no
Django, so no gettext); pages pick the one matching the language the user chose.
"""

from __future__ import annotations

from django.utils.translation import get_language

from opsqm.core.kpi import KpiDefinition, Period


def _english() -> bool:
    return (get_language() or "").startswith("en")


def kpi_name(definition: KpiDefinition) -> str:
    return definition.name_en if _english() else definition.name_zh


def kpi_formula(definition: KpiDefinition) -> str:
    return definition.formula_en if _english() else definition.formula_zh


def period_label(period: Period) -> str:
    return period.label_en if _english() else period.label_zh
