from django.urls import path

from opsqm.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.results, name="results"),
    path("explain/<str:code>/", views.explain, name="explain"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("propose/<str:kind>/<str:pk>/", views.finding_propose, name="propose"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/sheet/", views.campaign_sheet, name="campaign_sheet"),
    path("campaigns/<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
    path("invitations/<int:pk>/qr.png", views.invitation_qr, name="invitation_qr"),
    path("invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:year>/", views.rules, name="rules_year"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("report/<str:period>.<str:fmt>", views.report, name="report"),
]
