from django.urls import path

from opsqm.archive import views

app_name = "archive"
urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("retention/<int:rc>/<str:object_id>/dispose/", views.dispose, name="dispose"),
    path("packages/", views.package_list, name="packages"),
    path("packages/new/", views.package_create, name="package_create"),
    path("packages/<int:pk>/", views.package_detail, name="package_detail"),
    path("packages/<int:pk>/download/", views.package_download, name="package_download"),
]
