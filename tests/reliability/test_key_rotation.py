"""Rotating the contact-encryption key: every encrypted value moves to the new key, and the old one can go."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from reports.crypto import _fernet
from reports.models import Reporter

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM reports_reporter ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def keys(settings):
    def use(*keys):
        settings.CONTACT_ENCRYPTION_KEYS = list(keys)
        _fernet.cache_clear()

    yield use
    _fernet.cache_clear()


def test_rotation_moves_every_contact_to_the_first_key_and_the_old_key_can_go(db, keys, capsys):
    keys(OLD)
    Reporter.objects.create(name="Nguyễn Văn An", phone="0905 111 222", email="an@example.org")
    Reporter.objects.create(name="Trần Thị Bình", device_id="device-1")
    Reporter.objects.create()  # anonymous: nothing to encrypt
    before = raw_names()

    keys(NEW, OLD)
    with pytest.raises(CommandError):
        call_command("rotate_contact_keys", "--check")
    call_command("rotate_contact_keys")
    assert "Reporter: 2 rows re-encrypted" in capsys.readouterr().out
    assert raw_names() != before
    call_command("rotate_contact_keys", "--check")  # nothing left under the old key

    keys(NEW)
    first = Reporter.objects.order_by("pk").first()
    assert (first.name, first.phone, first.email) == ("Nguyễn Văn An", "0905 111 222", "an@example.org")
    assert Reporter.objects.order_by("pk")[1].device_id == "device-1"


def test_a_second_run_changes_nothing(db, keys, capsys):
    keys(NEW, OLD)
    Reporter.objects.create(name="Lê Văn Cường")
    stored = raw_names()

    call_command("rotate_contact_keys")

    assert raw_names() == stored
    assert "Reporter: 0 rows re-encrypted" in capsys.readouterr().out
