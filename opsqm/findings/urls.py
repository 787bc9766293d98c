from django.urls import path

from opsqm.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.finding_list, name="list"),
    path("new/", views.finding_create, name="create"),
    path("export.xlsx", views.finding_export, name="export"),
    path("<int:pk>/", views.finding_detail, name="detail"),
    path("<int:pk>/edit/", views.finding_edit, name="edit"),
    path("<int:pk>/analyze/", views.finding_analyze, name="analyze"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/close/", views.finding_close, name="close"),
    path("<int:pk>/reopen/", views.finding_reopen, name="reopen"),
    path("<int:pk>/to-improvement/", views.finding_to_improvement, name="to_improvement"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/implement/", views.action_implement, name="action_implement"),
    path("actions/<int:pk>/verify/", views.action_verify, name="action_verify"),
]
