"""URLs of matching: HR's review at /programs/<slug>/matching/, a participant's pair at /my/."""

from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    # HR admins
    path("programs/<slug:slug>/matching/", views.review, name="review"),
    path(
        "programs/<slug:slug>/matching/mentees/<uuid:public_id>/",
        views.mentee_detail,
        name="mentee",
    ),
    path("programs/<slug:slug>/matching/run/", views.run_create, name="run"),
    path(
        "programs/<slug:slug>/matching/runs/<int:run_id>/approve/",
        views.run_approve,
        name="approve",
    ),
    path("programs/<slug:slug>/matching/rules/", views.rule_add, name="rule_add"),
    path(
        "programs/<slug:slug>/matching/rules/<int:pk>/delete/",
        views.rule_delete,
        name="rule_delete",
    ),
    path("programs/<slug:slug>/matching/pairs/", views.pair_add, name="pair_add"),
    # Participants
    path("my/pairs/<int:pk>/", views.my_pair, name="my_pair"),
]
