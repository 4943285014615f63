"""The environment really switches the database, broker, cache and email backend, and the
production settings pass Django's deployment checks.

Each case imports the settings in a fresh interpreter with a controlled environment, because
settings are read once per process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""),
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"]["LOCATION"],
    "proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "email": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_path": getattr(settings, "EMAIL_FILE_PATH", ""),
    "debug": settings.DEBUG,
    "verification": settings.ACCOUNT_EMAIL_VERIFICATION,
    "time_zone": settings.TIME_ZONE,
    "allowed_hosts": settings.ALLOWED_HOSTS,
}))
"""
CONFIG_NAMES = [
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "EMAIL_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "VAR_DIR",
    "ACCOUNT_EMAIL_VERIFICATION",
    "FIELD_ENCRYPTION_SALT",
    "SECURE_SSL_REDIRECT",
]


def _environment(tmp_path, **variables) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_NAMES}
    environment.update(
        DJANGO_SETTINGS_MODULE="mentorship.settings",
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="x" * 60,
        FIELD_ENCRYPTION_SALT="salt-for-this-test",
    )
    environment.update(variables)
    return environment


def _run_probe(environment: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings_under(tmp_path, **variables) -> dict:
    result = _run_probe(_environment(tmp_path, **variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_defaults_need_no_service(tmp_path):
    found = _settings_under(tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"] == str(tmp_path / "var" / "db.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["result_backend"].startswith("file://")
    assert found["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert found["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["email_path"] == str(tmp_path / "var" / "mail")
    assert found["debug"] is False
    assert found["verification"] == "mandatory"


def test_service_urls_switch_database_broker_cache_and_mail(tmp_path):
    found = _settings_under(
        tmp_path,
        DATABASE_URL="postgres://postgres@db.internal:5432/mentoring",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.internal:587",
        TIME_ZONE="Europe/Istanbul",
        ALLOWED_HOSTS="mentoring.example.com,www.mentoring.example.com",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db_name"] == "mentoring"
    assert found["db_host"] == "db.internal"
    # The JIT costs the dashboard's aggregates half a second of compiling (bench/dashboard.py).
    assert found["db_options"]["options"] == "-c jit=off"
    assert found["broker"] == "redis://cache.internal:6379/2"
    assert found["result_backend"] == "redis://cache.internal:6379/2"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    # The cache lives in the next Redis database, so clearing it never empties the queues.
    assert found["cache_location"] == "redis://cache.internal:6379/3"
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["email_host"] == "smtp.internal"
    assert found["time_zone"] == "Europe/Istanbul"
    assert found["allowed_hosts"] == ["mentoring.example.com", "www.mentoring.example.com"]


def test_an_explicit_broker_url_wins_over_redis_url(tmp_path):
    found = _settings_under(
        tmp_path, REDIS_URL="redis://r:6379/0", CELERY_BROKER_URL="amqp://guest@mq:5672//"
    )
    assert found["broker"] == "amqp://guest@mq:5672//"


def test_debug_relaxes_email_verification_for_development(tmp_path):
    assert _settings_under(tmp_path, DEBUG="true")["verification"] == "optional"


def test_production_always_verifies_email_and_counts_proxies(tmp_path):
    found = _settings_under(
        tmp_path, DEBUG="false", ACCOUNT_EMAIL_VERIFICATION="none", TRUSTED_PROXY_COUNT="1"
    )
    assert found["verification"] == "mandatory"
    assert found["proxies"] == 1


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    environment = _environment(tmp_path, DEBUG="false")
    del environment["SECRET_KEY"]
    result = _run_probe(environment)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_runs_without_a_secret_key(tmp_path):
    environment = _environment(tmp_path, DEBUG="true")
    del environment["SECRET_KEY"]
    result = _run_probe(environment)
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_environment(
            tmp_path,
            DEBUG="false",
            SECRET_KEY="k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
            ALLOWED_HOSTS="mentoring.example.com",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_ci_runs_on_postgresql_and_redis(settings):
    """CI must exercise the real services, not the embedded defaults."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        import pytest

        pytest.skip("only CI promises PostgreSQL and Redis")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_the_encryption_salt_is_required_when_debug_is_off(tmp_path):
    environment = _environment(tmp_path, DEBUG="false")
    del environment["FIELD_ENCRYPTION_SALT"]
    result = _run_probe(environment)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_SALT must be set when DEBUG is off" in result.stderr
