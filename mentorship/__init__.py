"""The Django project: settings, URLs, the Celery app, accounts and the cross-app pages."""

# Load the Celery app with Django so that @shared_task binds to it.
from mentorship.celery import app as celery_app

__all__ = ["celery_app"]
