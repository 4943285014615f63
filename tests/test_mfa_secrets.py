"""TOTP keys and recovery-code seeds are encrypted at rest: a database dump gives no second
factor away, and second factors still work."""

import importlib
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.db import connection

from mentorship.accounts.mfa_adapter import PREFIX, decrypt_secret, encrypt_secret

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
migration = importlib.import_module("mentorship.accounts.migrations.0002_encrypt_mfa_secrets")


def raw_data(authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (data,) = cursor.fetchone()
    return data if isinstance(data, str) else str(data)


def test_a_new_totp_key_is_stored_encrypted_and_still_checks_codes(participant):
    authenticator = TOTP.activate(participant, SECRET).instance
    stored = raw_data(authenticator)
    assert SECRET not in stored and PREFIX in stored
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False):
        code = format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))
        assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(code)
        assert not TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code("000000")


def test_recovery_codes_come_from_an_encrypted_seed(participant):
    codes = RecoveryCodes.activate(participant)
    stored = raw_data(codes.instance)
    seed = decrypt_secret(codes.instance.data["seed"])
    assert seed not in stored and PREFIX in stored
    first = codes.get_unused_codes()[0]
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(first)


def test_a_key_stored_before_encryption_is_still_read(participant):
    assert decrypt_secret(SECRET) == SECRET


def test_the_migration_encrypts_stored_secrets_once(participant):
    authenticator = Authenticator.objects.create(
        user=participant,
        type=Authenticator.Type.TOTP,
        data={"secret": SECRET},
    )
    migration.encrypt(apps, None)
    authenticator.refresh_from_db()
    once = authenticator.data["secret"]
    assert once.startswith(PREFIX) and decrypt_secret(once) == SECRET
    migration.encrypt(apps, None)
    authenticator.refresh_from_db()
    assert authenticator.data["secret"] == once
    migration.decrypt(apps, None)
    authenticator.refresh_from_db()
    assert authenticator.data["secret"] == SECRET


def test_secrets_survive_a_rotated_secret_key(settings):
    stored = encrypt_secret(SECRET)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789-abcdefghijklmnopqrstuv"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert decrypt_secret(stored) == SECRET
