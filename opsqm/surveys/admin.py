"""Question editing for a new template version (a used version is read-only in spirit: the page
offers "生成新版本" and the audit trail records every change)."""

from django.contrib import admin

from opsqm.surveys.models import Question, Section, SurveyTemplate


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = [
        "order",
        "section",
        "kind",
        "text",
        "text_en",
        "scale_min",
        "scale_max",
        "label_min",
        "label_max",
        "choices",
        "weight",
        "required",
    ]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "version", "is_default", "active"]
    inlines = [SectionInline, QuestionInline]


from opsqm.surveys.models import IncidentRule  # noqa: E402


@admin.register(IncidentRule)
class IncidentRuleAdmin(admin.ModelAdmin):
    """Per-project incident-survey rules (project empty = the company default)."""

    list_display = ["project", "enabled", "sampling_pct", "delay_hours", "validity_days", "contact_days"]
