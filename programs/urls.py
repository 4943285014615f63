"""URLs of programs: HR's pages under /programs/ and /topics/, participants' under /my/."""

from django.urls import path

from programs.views import hr, imports, invitations, participant, topics

app_name = "programs"

urlpatterns = [
    # HR admins
    path("programs/", hr.program_list, name="program_list"),
    path("programs/new/", hr.program_create, name="program_create"),
    path("programs/<slug:slug>/", hr.program_detail, name="program_detail"),
    path("programs/<slug:slug>/edit/", hr.program_edit, name="program_edit"),
    path("programs/<slug:slug>/status/", hr.program_transition, name="program_transition"),
    path("programs/<slug:slug>/duplicate/", hr.program_duplicate, name="program_duplicate"),
    path("programs/<slug:slug>/participants/", hr.participant_list, name="participant_list"),
    path(
        "programs/<slug:slug>/participants/export.csv",
        imports.participant_export,
        name="participant_export",
    ),
    path(
        "programs/<slug:slug>/participants/<uuid:public_id>/",
        hr.participant_detail,
        name="participant_detail",
    ),
    path(
        "programs/<slug:slug>/participants/<uuid:public_id>/decide/",
        hr.participant_decide,
        name="participant_decide",
    ),
    path(
        "programs/<slug:slug>/participants/<uuid:public_id>/withdraw/",
        hr.participant_withdraw,
        name="participant_withdraw",
    ),
    path(
        "programs/<slug:slug>/participants/<uuid:public_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path("programs/<slug:slug>/invite/", invitations.invite, name="invite"),
    path("programs/<slug:slug>/import/", imports.import_upload, name="import_upload"),
    path(
        "programs/<slug:slug>/import/<uuid:import_id>/",
        imports.import_preview,
        name="import_preview",
    ),
    path("topics/", topics.topic_list, name="topic_list"),
    path("topics/new/", topics.topic_create, name="topic_create"),
    path("topics/<int:pk>/edit/", topics.topic_edit, name="topic_edit"),
    # Participants
    path("my/programs/", participant.my_programs, name="my_programs"),
    path("my/programs/<slug:slug>/apply/", participant.apply, name="apply"),
    path("my/programs/<slug:slug>/profile/", participant.my_profile, name="my_profile"),
    path("my/programs/<slug:slug>/guidelines/", participant.guidelines, name="guidelines"),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
]
