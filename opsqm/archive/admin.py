from django.contrib import admin

from opsqm.archive.models import Disposal, RecordClass


@admin.register(RecordClass)
class RecordClassAdmin(admin.ModelAdmin):
    """Retention periods are master data the quality manager keeps (the disposal list follows them)."""

    list_display = ("code", "name", "model", "date_field", "retention_years")
    search_fields = ("code", "name")


@admin.register(Disposal)
class DisposalAdmin(admin.ModelAdmin):
    list_display = ("record_class", "object_repr", "record_date", "disposed_by", "disposed_at")
    readonly_fields = [f.name for f in Disposal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
