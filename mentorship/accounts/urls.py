"""URLs of the account pages of the project (allauth's own live under /accounts/)."""

from django.urls import path

from mentorship.accounts import views

app_name = "accounts"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("profile/", views.profile, name="profile"),
]
