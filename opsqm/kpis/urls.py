from django.urls import path

from opsqm.kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="overview_export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("projects/<int:pk>/", views.project_kpis, name="project"),
    path("projects/<int:pk>/export.xlsx", views.project_export, name="project_export"),
    path("projects/<int:pk>/measures/", views.measure_save, name="measure_save"),
    path("projects/<int:pk>/targets/", views.project_targets, name="project_targets"),
    path("drill/<str:scope>/<str:kpi>/<str:period>/", views.drill, name="drill"),
    path("raise/<str:scope>/<str:kpi>/<str:period>/", views.raise_finding, name="raise_finding"),
]
