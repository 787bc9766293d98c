from django.urls import path

from opsqm.records import views

app_name = "records"
urlpatterns = [
    path("audit-trail/", views.audit_trail, name="audit_trail"),
    path("audit-trail/verify/", views.audit_trail_verify, name="audit_trail_verify"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
]
