"""The project app: cross-app pages (home, dashboards), health checks and management commands."""

from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Mentorship"
