from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from opsqm.accounts.models import ExternalGrant, User
from opsqm.accounts.services import user_set_role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "email", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email")}),
        (_("角色与状态"), {"fields": ("role", "is_active", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "role", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=obj.role)  # keeps the role's group and admin access in step


@admin.register(ExternalGrant)
class ExternalGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "valid_from", "valid_until", "granted_by")
    autocomplete_fields = ("user", "granted_by")
    filter_horizontal = ("projects",)
