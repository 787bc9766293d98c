from django.urls import path

from opsqm.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_form, name="create"),
    path("actions/", views.actions_list, name="actions"),
    path("actions/<int:pk>/<str:step>/", views.action_step, name="action_step"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_form, name="edit"),
    path("<int:pk>/inputs/<int:spk>/note/", views.section_note, name="section_note"),
    path("<int:pk>/inputs/<int:spk>/chart.png", views.section_chart, name="section_chart"),
    path("<int:pk>/<str:step>/", views.review_step, name="step"),
]
