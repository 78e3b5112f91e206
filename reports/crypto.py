"""Encryption at rest for reporters' contact details (Fernet, keys from CONTACT_ENCRYPTION_KEYS)."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(key) for key in keys])


def fernet():
    return _fernet(tuple(settings.CONTACT_ENCRYPTION_KEYS))


def encrypt(value):
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value):
    if not value:
        return ""
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("A reporter contact could not be decrypted with the configured keys.") from exc


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database. Not searchable, by design."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""
