from django.urls import path

from opsqm.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<str:pk>/", views.job_detail, name="detail"),
    path("<str:pk>/status.json", views.job_status, name="status"),
]
