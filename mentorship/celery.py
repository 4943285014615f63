"""The Celery app: configured from Django's settings (the CELERY_* names)."""

import os

from celery import Celery

from mentorship.broker import use_atomic_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

# The embedded broker of `make run` (filesystem://) must never hand out a half-written message.
use_atomic_filesystem_transport()

app = Celery("mentorship")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
