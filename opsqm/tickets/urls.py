from django.urls import path

from opsqm.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/holidays/import/", views.holiday_import, name="holiday_import"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/exceptions/add/", views.calendar_exception_add, name="calendar_exception_add"),
    path("calendars/<int:pk>/exceptions/<int:exception_id>/delete/", views.calendar_exception_remove, name="calendar_exception_remove"),
    path("projects/<int:project_id>/sla/", views.sla_agreement, name="sla_agreement"),
    path("projects/<int:project_id>/tickets/", views.ticket_list, name="ticket_list"),
    path("projects/<int:project_id>/tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("projects/<int:project_id>/imports/", views.import_list, name="import_list"),
    path("projects/<int:project_id>/imports/new/", views.import_new, name="import_new"),
    path("projects/<int:project_id>/imports/template.<str:kind>", views.import_template, name="import_template"),
    path("projects/<int:project_id>/imports/mapping/<str:token>/", views.import_mapping, name="import_mapping"),
    path("projects/<int:project_id>/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("projects/<int:project_id>/imports/<int:pk>/report/", views.import_report, name="import_report"),
]
