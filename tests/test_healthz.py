"""/healthz names the database, the broker and the worker, and is 200 only when all are ok."""

import pytest

pytestmark = [pytest.mark.django_db]


@pytest.mark.worker
def test_healthz_is_ok_with_a_live_worker_and_not_ok_once_it_stops(client, celery_worker_process):
    worker = celery_worker_process()

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]

    worker.stop()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"] != "ok"


def test_healthz_without_any_worker_is_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "error: no worker answered"


def test_healthz_reports_an_unreachable_broker(client, monkeypatch):
    from mentorship.celery import app

    # Nothing listens on port 1: the broker check must fail fast and say so.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error")
    assert body["worker"] == "error: broker unreachable"
