"""MFA secrets encrypted at rest. allauth's default adapter stores each TOTP key and
recovery-code seed as it is, so a database dump would let anyone mint second factors; here they
are encrypted with the keys that protect private notes (SECRET_KEY with FIELD_ENCRYPTION_SALT,
rotation included)."""

import functools

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from encrypted_fields.fields import EncryptedTextField

# Marks a value as ours: secrets stored before this adapter (plain base32 or hex, which never
# start with it) are still read, and migration 0002 encrypts them.
PREFIX = "fernet:"


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str, salts: tuple[str, ...], fallbacks: tuple[str, ...]) -> MultiFernet:
    # The encrypted fields derive their keys from settings: the same derivation, cached per
    # key set (deriving costs 100,000 PBKDF2 rounds).
    del secret_key, salts, fallbacks
    return MultiFernet([Fernet(key) for key in EncryptedTextField().keys])


def fernet() -> MultiFernet:
    salts = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
    fallbacks = tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _fernet(settings.SECRET_KEY, tuple(salts), fallbacks)


def encrypt_secret(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt_secret(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    return fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()


class EncryptingMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
