"""Error pages leak nothing: whatever went wrong, the visitor sees our own short page in their
language, without the exception, a traceback, the URL patterns or the settings."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.error_pages_urls import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_pages_urls")]

LEAKS = (SECRET, "Traceback", "URLconf", "SECRET_KEY", "DATABASES", "site-packages", "Django")


@pytest.fixture
def visitor():
    # As a browser would see it: the exception becomes the error page, not a test failure.
    return Client(raise_request_exception=False)


def _assert_nothing_leaks(response):
    body = response.content.decode()
    for leak in LEAKS:
        assert leak not in body, leak


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-crash/", 500, "Something went wrong on our side"),
        ("/test-refuse/", 403, "You cannot open this page"),
        ("/test-suspicious/", 400, "This request could not be understood"),
        ("/no-such-page/", 404, "Page not found"),
    ],
)
def test_an_error_shows_our_page_and_nothing_of_the_cause(visitor, path, status, heading):
    response = visitor.get(path)

    assert response.status_code == status
    assert heading in response.content.decode()
    _assert_nothing_leaks(response)


def test_a_foreign_host_name_is_refused_without_details(visitor):
    response = visitor.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    _assert_nothing_leaks(response)
    assert "evil.example" not in response.content.decode()
    assert "This request could not be understood" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "english"),
    [
        ("/no-such-page/", "Page not found"),
        ("/test-crash/", "Something went wrong on our side"),
        ("/test-refuse/", "You cannot open this page"),
        ("/test-suspicious/", "This request could not be understood"),
    ],
)
def test_the_error_pages_speak_the_visitors_language(visitor, path, english):
    visitor.cookies["django_language"] = "vi"

    page = visitor.get(path).content.decode()

    assert 'lang="vi"' in page
    assert english not in page
    with translation.override("vi"):
        assert gettext("Back to the home page") in page
