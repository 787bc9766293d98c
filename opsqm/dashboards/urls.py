from django.urls import path

from opsqm.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my_work"),
    path("cockpit/projects/<int:pk>/", views.project, name="project"),
]
