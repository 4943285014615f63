"""The browser harness itself: a signed-in page in the person's language, at a phone size."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_signed_in_page_opens_in_the_persons_language_on_a_phone(page_for, snap, participant):
    page = page_for(participant, language="vi", phone=True)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.viewport_size["width"] == 390
    assert snap(page, "home").exists()
