"""URLs of matching: HR's review at /programs/<slug>/matching/, a participant's pair at /my/.

A pair is named by its public_id (a UUID), never its sequential pk. Sessions and action items
keep their pks: every view looks them up inside the pair the URL names, so another pair's id is
a 404."""

from django.urls import path

from matching import hr_pair_views, pair_views, session_views, views

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
    path("programs/<slug:slug>/pairs/", hr_pair_views.pair_list, name="hr_pairs"),
    path(
        "programs/<slug:slug>/pairs/<uuid:public_id>/end/",
        hr_pair_views.pair_end,
        name="hr_pair_end",
    ),
    # The two people of a pair
    path("my/pairs/<uuid:public_id>/", pair_views.pair_detail, name="my_pair"),
    path("my/pairs/<uuid:public_id>/end/", pair_views.pair_end, name="pair_end"),
    path("my/pairs/<uuid:public_id>/actions/", pair_views.action_add, name="action_add"),
    path(
        "my/pairs/<uuid:public_id>/actions/<int:item_pk>/done/",
        pair_views.action_done,
        name="action_done",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/new/",
        session_views.session_propose,
        name="session_propose",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/<int:session_pk>/edit/",
        session_views.session_edit,
        name="session_edit",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/<int:session_pk>/cancel/",
        session_views.session_cancel,
        name="session_cancel",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/<int:session_pk>/invite.ics",
        session_views.session_ics,
        name="session_ics",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/<int:session_pk>/log/",
        pair_views.session_log,
        name="session_log",
    ),
    path(
        "my/pairs/<uuid:public_id>/sessions/<int:session_pk>/confirm/",
        pair_views.session_confirm,
        name="session_confirm",
    ),
]
