"""List pages and dashboards issue the same number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["accounts:people", "dashboard", "home"])
def test_query_count_does_not_grow_with_people(client, hr_admin, url_name):
    client.force_login(hr_admin)
    url = reverse(url_name)
    counts = []
    for added in (2, 80):
        UserFactory.create_batch(added)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, [query["sql"] for query in context.captured_queries]
