"""The project's URLs plus views that fail on purpose, for tests/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from mentorship.urls import urlpatterns as project_urlpatterns

SECRET = "SECRET-d41d8cd9-in-the-exception"


def crash(request):
    raise RuntimeError(f"database password is {SECRET}")


def refuse(request):
    raise PermissionDenied(f"because {SECRET}")


def suspicious(request):
    raise SuspiciousOperation(f"tampered with {SECRET}")


urlpatterns = [
    path("test-crash/", crash),
    path("test-refuse/", refuse),
    path("test-suspicious/", suspicious),
    *project_urlpatterns,
]
