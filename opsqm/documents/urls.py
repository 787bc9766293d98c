from django.urls import path

from opsqm.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_form, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_form, name="edit"),
    path("<int:pk>/reviewed/", views.document_reviewed, name="reviewed"),
    path("<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("<int:pk>/versions/<int:vpk>/<str:step>/", views.version_step, name="version_step"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/rounds/new/", views.round_new, name="round_new"),
    path("feedback/rounds/<int:pk>/close/", views.round_close, name="round_close"),
]
