"""The home page shows a participant their active pairs, and nobody else's."""

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Pair
from programs.models import Enrolment
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_each_side_of_a_pair_sees_the_other_on_the_home_page(
    client_for, program, mentor, mentee, other_participant
):
    pair = Pair.objects.create(
        program=program,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
    )
    link = reverse("matching:my_pair", args=[pair.public_id])
    html = client_for(mentee).get(reverse("home")).content.decode()
    assert "Your mentor: Minh Trần" in html and link in html
    client_for(None).logout()
    html = client_for(mentor).get(reverse("home")).content.decode()
    assert "Your mentee: Mehmet Kaya" in html and link in html
    client_for(None).logout()
    html = client_for(other_participant).get(reverse("home")).content.decode()
    assert link not in html

    Pair.objects.filter(pk=pair.pk).update(status="ended")
    client_for(None).logout()
    assert link not in client_for(mentee).get(reverse("home")).content.decode()


def test_home_page_queries_do_not_grow_with_pairs(client_for, program, mentor):
    mentor_enrolment = Enrolment.objects.get(user=mentor)
    client = client_for(mentor)
    client.get(reverse("home"))  # the first request of a session reads more (session, user)
    counts = []
    for added in (1, 4):
        for _ in range(added):
            Pair.objects.create(
                program=program,
                mentor=mentor_enrolment,
                mentee=EnrolmentFactory(program=program, role="mentee"),
            )
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("home")).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_every_page_names_the_sites_own_icon(client):
    # Without it browsers ask for /favicon.ico on every visit and get the 404 page.
    page = client.get(reverse("account_login")).content.decode()

    assert f'<link rel="icon" href="{static("favicon.svg")}"' in page
    assert finders.find("favicon.svg")
