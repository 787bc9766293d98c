from django.urls import path

from opsqm.quarterly import views

app_name = "quarterly"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("open/", views.review_open, name="open"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/analysis/", views.review_analysis, name="analysis"),
    path("<int:pk>/report/", views.review_report, name="report"),
    path("<int:pk>/decide/", views.review_decide, name="decide"),
    path("<int:pk>/download/<str:fmt>/", views.review_download, name="download"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
]
