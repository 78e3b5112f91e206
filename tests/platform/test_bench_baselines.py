"""bench/web.py's baseline views: mounted only when BENCH_BASELINES is true, and each does what its name says."""

import importlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches

import huesmart.urls
from reports.models import Reporter


def _remount(settings, enabled):
    settings.BENCH_BASELINES = enabled
    importlib.reload(huesmart.urls)
    clear_url_caches()


@pytest.fixture
def mounted(settings):
    """The root URLconf as it is built with the flag on; built again with the flag off afterwards."""
    _remount(settings, True)
    yield Client()
    _remount(settings, False)


@pytest.fixture
def unmounted(settings):
    _remount(settings, False)
    return Client()


@pytest.mark.django_db
def test_bare_view_answers_ok_to_get_and_post(mounted):
    got = mounted.get("/bench/bare/")
    posted = mounted.post("/bench/bare/", data=b'{"a": 1}', content_type="application/json")
    assert (got.status_code, got.content, posted.status_code, posted.content) == (200, b"ok", 200, b"ok")


@pytest.mark.django_db
def test_insert_view_creates_one_reporter_row(mounted):
    before = Reporter.objects.count()
    response = mounted.post("/bench/insert/", data=b"{}", content_type="application/json")
    assert response.status_code == 201
    assert Reporter.objects.count() == before + 1
    assert Reporter.objects.filter(pk=response.json()["id"]).exists()


@pytest.mark.django_db
def test_sink_view_stores_the_uploaded_body_as_sent(mounted):
    body = bytes(range(256)) * 40
    response = mounted.post("/bench/sink/", {"media": _file("photo.jpg", body)})
    assert response.status_code == 201
    name = response.json()["name"]
    assert name.startswith("bench/")
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == body


@pytest.mark.django_db
def test_sink_view_refuses_a_post_without_a_file(mounted):
    response = mounted.post("/bench/sink/", {"other": "x"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_insert_view_refuses_get_and_writes_nothing(mounted):
    response = mounted.get("/bench/insert/")
    assert response.status_code == 405
    assert Reporter.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/bench/bare/", "/bench/insert/", "/bench/sink/"])
def test_baselines_are_absent_when_the_flag_is_off(unmounted, path):
    assert unmounted.get(path).status_code == 404
    assert unmounted.post(path, {"media": _file("photo.jpg", b"x")}).status_code == 404
    assert Reporter.objects.count() == 0


def _file(name, body):
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")
