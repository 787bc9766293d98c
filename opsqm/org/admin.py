"""Master data the system administrator maintains in the Django admin (系统管理)."""

from django.contrib import admin

from opsqm.org.models import Customer, Department, Post, Project, ProjectMembership, ServiceItem, Staff


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "head")
    search_fields = ("code", "name")
    autocomplete_fields = ("head",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("name", "category")
    list_filter = ("category",)
    search_fields = ("name",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("employee_no", "user", "department", "post", "phone")
    list_filter = ("department", "post__category")
    search_fields = ("employee_no", "user__username", "user__full_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "department", "post")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "industry", "contact_name")
    search_fields = ("code", "name")
    readonly_fields = ("version",)


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "active")
    list_filter = ("category", "active")
    search_fields = ("code", "name")


class MembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "customer", "status", "ops_manager", "quality_specialist")
    list_filter = ("status",)
    search_fields = ("code", "name", "customer__name")
    autocomplete_fields = ("customer", "ops_manager", "quality_specialist")
    readonly_fields = ("version",)
    inlines = [MembershipInline]
