"""Encrypts the MFA secrets stored before EncryptingMFAAdapter (mentorship/accounts/mfa_adapter.py):
TOTP keys, recovery-code seeds and migrated recovery codes."""

from django.db import migrations

from mentorship.accounts.mfa_adapter import PREFIX, decrypt_secret, encrypt_secret


def _convert(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        for name in ("secret", "seed"):
            if isinstance(data.get(name), str):
                data[name] = convert(data[name])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt(apps, schema_editor) -> None:
    _convert(apps, lambda value: value if value.startswith(PREFIX) else encrypt_secret(value))


def decrypt(apps, schema_editor) -> None:
    _convert(apps, decrypt_secret)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
