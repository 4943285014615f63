"""Pages of participants: answering a survey from its link, mail preferences, unsubscribing."""

from django.urls import path

from feedback import views_participant as views

urlpatterns = [
    path("surveys/<str:token>/", views.survey_answer, name="survey_answer"),
    path("mail/preferences/", views.preferences, name="preferences"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
