"""URLs of the account pages of the project (allauth's own live under /accounts/)."""

from django.urls import path

from mentorship.accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:pk>/erase/", views.person_erase_confirm, name="person_erase_confirm"),
    path("people/<int:pk>/anonymise/", views.person_anonymise, name="person_anonymise"),
    path("people/erasure-requests/", views.erasure_requests, name="erasure_requests"),
    path("profile/", views.profile, name="profile"),
    path("profile/my-data/", views.my_data, name="my_data"),
    path("profile/erasure/", views.erasure_confirm, name="erasure_confirm"),
    path("profile/erasure/request/", views.erasure_request, name="erasure_request"),
]
