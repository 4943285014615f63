"""HR pages: survey templates, program schedules, results and deliveries.

The templates live under survey-templates/, not surveys/templates/: the participants' survey
links are surveys/<token>/ and come first in feedback/urls.py, so "surveys/templates/" would
open the answer page with the token "templates".
"""

from django.urls import path

from feedback import views_hr as views

urlpatterns = [
    path("survey-templates/", views.template_list, name="template_list"),
    path("survey-templates/new/", views.template_create, name="template_create"),
    path("survey-templates/<int:pk>/", views.template_edit, name="template_edit"),
    path(
        "survey-templates/<int:pk>/duplicate/",
        views.template_duplicate,
        name="template_duplicate",
    ),
    path("programs/<slug:slug>/surveys/", views.schedule_list, name="schedule_list"),
    path("programs/<slug:slug>/surveys/new/", views.schedule_create, name="schedule_create"),
    path(
        "programs/<slug:slug>/surveys/recommended/",
        views.schedule_add_recommended,
        name="schedule_add_recommended",
    ),
    path("programs/<slug:slug>/surveys/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path(
        "programs/<slug:slug>/surveys/<int:pk>/results/",
        views.schedule_results,
        name="results",
    ),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
