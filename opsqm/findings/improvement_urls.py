"""The service improvement plan (服务改进计划) under /improvements/, its own sidebar entry."""

from django.urls import path

from opsqm.findings import views

app_name = "improvements"
urlpatterns = [
    path("", views.improvement_list, name="list"),
    path("new/", views.improvement_create, name="create"),
    path("<int:pk>/", views.improvement_detail, name="detail"),
    path("<int:pk>/edit/", views.improvement_edit, name="edit"),
]
