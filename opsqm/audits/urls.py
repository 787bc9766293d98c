from django.urls import path

from opsqm.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("new/", views.audit_create, name="audit_create"),
    path("conformance/", views.conformance, name="conformance"),
    path("report-template/", views.report_template, name="report_template"),
    path("report-template/download/", views.report_template_download, name="report_template_download"),
    path("programs/", views.program_list, name="program_list"),
    path("programs/new/", views.program_form, name="program_create"),
    path("programs/<int:pk>/", views.program_detail, name="program_detail"),
    path("programs/<int:pk>/edit/", views.program_form, name="program_edit"),
    path("programs/<int:pk>/submit/", views.program_submit, name="program_submit"),
    path("programs/<int:pk>/decide/", views.program_decide, name="program_decide"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("<int:pk>/edit/", views.audit_edit, name="audit_edit"),
    path("<int:pk>/opening/", views.audit_opening, name="audit_opening"),
    path("<int:pk>/onsite/", views.audit_start_onsite, name="audit_start_onsite"),
    path("<int:pk>/results/", views.audit_results, name="audit_results"),
    path("<int:pk>/results/progress/", views.audit_progress, name="audit_progress"),
    path("<int:pk>/results/checklist/<int:checklist_pk>/conform/", views.audit_conform_rest, name="audit_conform_rest"),
    path("<int:pk>/results/<int:item_pk>/", views.audit_item_save, name="audit_item_save"),
    path("<int:pk>/results/<int:item_pk>/evidence/", views.audit_item_upload, name="audit_item_upload"),
    path("<int:pk>/conclude/", views.audit_conclude, name="audit_conclude"),
    path("<int:pk>/closing/", views.audit_closing, name="audit_closing"),
    path("<int:pk>/report/", views.audit_issue_report, name="audit_issue_report"),
    path("<int:pk>/report/<str:fmt>/", views.audit_report_download, name="audit_report_download"),
    path("<int:pk>/followup/", views.audit_start_followup, name="audit_start_followup"),
    path("<int:pk>/close/", views.audit_close, name="audit_close"),
]
