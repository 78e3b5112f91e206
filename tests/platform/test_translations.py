"""Vietnamese first: the city's default language, and a catalogue kept complete and compiled."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/vi/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def test_every_string_is_translated_with_the_same_placeholders():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in po.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        # Vietnamese has one plural form, used for every count: it carries the plural's placeholders (an English
        # singular such as "the last month" may leave the count out).
        source = entry.msgid_plural or entry.msgid
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), entry.msgid
            assert '"' not in text, f"straight quote in the translation of {entry.msgid!r} (it may go in an attribute)"


def test_the_compiled_catalogue_matches_the_source():
    po = {key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.pofile(str(PO)).translated_entries()}
    mo = {key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "locale/vi is not compiled: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)")
def test_the_catalogue_has_every_string_of_the_code(tmp_path):
    copy = tmp_path / "huesmart"
    ignore = shutil.ignore_patterns(".venv", "var", "staticfiles", "node_modules", ".git", "__pycache__", "vendor")
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "huesmart.settings", "HOME": str(tmp_path)},
        timeout=120,
    )
    fresh = {key(e) for e in polib.pofile(str(copy / "locale/vi/LC_MESSAGES/django.po"))}
    kept = {key(e) for e in polib.pofile(str(PO)) if not e.obsolete}
    assert sorted(fresh - kept, key=str) == [], "strings missing from locale/vi: run `make messages` and translate"


@pytest.mark.django_db
def test_pages_are_in_vietnamese_unless_the_browser_asks_for_english(settings):
    settings.LANGUAGE_CODE = "vi"
    page = Client().get("/report/").content.decode()
    assert '<html lang="vi">' in page and "Gửi phản ánh" in page
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").get("/report/").content.decode()
    assert '<html lang="en">' in page and "Send the report" in page
