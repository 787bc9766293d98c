from django.urls import path

from opsqm.surveys import public

app_name = "survey_public"

urlpatterns = [
    path("thanks/", public.thanks, name="thanks"),
    path("<str:token>/", public.answer, name="answer"),
]
