"""Read-only admin: checklist content changes only through the services (a new version each time)."""

from django.contrib import admin

from opsqm.checklists.models import ChecklistTemplate, ChecklistVersion


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(_ReadOnly):
    list_display = ("ref_id", "name", "kind", "element", "phase", "active", "current_version")
    list_filter = ("kind", "element", "active")
    search_fields = ("ref_id", "name", "urn")


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(_ReadOnly):
    list_display = ("template", "number", "origin", "created_by", "created_at", "item_count")
    list_filter = ("origin",)
