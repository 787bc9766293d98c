from django.urls import path

from opsqm.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("generate/", views.plan_generate, name="generate"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/decide/", views.plan_decide, name="decide"),
    path("<int:pk>/calendar/", views.plan_calendar, name="calendar"),
    path("<int:pk>/stats/", views.plan_stats, name="stats"),
    path("<int:pk>/document/", views.plan_docx, name="docx"),
    path("<int:pk>/objectives/new/", views.objective_form, name="objective_new"),
    path("<int:pk>/objectives/<int:obj_pk>/", views.objective_form, name="objective_edit"),
    path("<int:pk>/objectives/<int:obj_pk>/delete/", views.objective_delete, name="objective_delete"),
    path("<int:pk>/activities/new/", views.activity_form, name="activity_new"),
    path("<int:pk>/activities/<int:act_pk>/edit/", views.activity_form, name="activity_edit"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/link/", views.activity_link, name="activity_link"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/<str:action>/", views.activity_action, name="activity_action"),
    path("calendar-feed/", views.feed_settings, name="feed_settings"),
    path("ical/<str:token>.ics", views.feed, name="feed"),
    path("qa/", views.qa_list, name="qa_list"),
    path("qa/<int:pk>/", views.qa_detail, name="qa_detail"),
]
