from django.urls import path

from opsqm.checklists import views

app_name = "checklists"
urlpatterns = [
    path("", views.library, name="library"),
    path("new/", views.create, name="create"),
    path("import/", views.import_xlsx, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/active/", views.set_active, name="set_active"),
]
