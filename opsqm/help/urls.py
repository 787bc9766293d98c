from django.urls import path

from opsqm.help import views

app_name = "help"
urlpatterns = [
    path("", views.index, name="index"),
    path("glossary/", views.glossary, name="glossary"),
    path("roles/<slug:role>/", views.role, name="role"),
]
