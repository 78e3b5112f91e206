"""The installable report page's server side: the manifest in the request's language, the service worker's headers
and cache version, and the offline page. The browser side is tests/browser/test_offline.py."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image

from reports import pwa_views

pytestmark = pytest.mark.django_db


def manifest_in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def test_the_manifest_follows_the_language_of_the_request(client):
    english = manifest_in(client, "en")
    vietnamese = manifest_in(client, "vi")

    assert english["lang"] == "en" and vietnamese["lang"] == "vi"
    assert [s["name"] for s in english["shortcuts"]] == ["Report a problem", "Track a case"]
    assert [s["name"] for s in vietnamese["shortcuts"]] == ["Gửi phản ánh", "Tra cứu phản ánh"]
    for manifest in (english, vietnamese):
        assert manifest["start_url"] == "/report/"
        assert manifest["scope"] == "/"
        assert manifest["display"] == "standalone"
        assert manifest["theme_color"] == "#5b2a86"
        assert settings.CITY_NAME in manifest["name"]


def test_the_manifest_icons_exist_at_their_sizes_with_a_maskable_one(client):
    icons = manifest_in(client, "en")["icons"]

    assert {(icon["sizes"], icon["purpose"]) for icon in icons} >= {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        name = icon["src"].removeprefix("/static/")
        with Image.open(finders.find(name)) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_the_service_worker_is_served_at_the_root_uncached_with_its_settings(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    first_line, source = body.split("\n", 1)
    config = json.loads(first_line.removeprefix("self.HUESMART_SW = ").removesuffix(";"))
    with open(finders.find("js/sw.js"), encoding="utf-8") as handle:
        assert source == handle.read()
    assert config["version"] == pwa_views.cache_version()
    assert config["pages"] == ["/report/", "/offline/"]
    assert "/static/js/report-form.js" in config["static"] and "/static/css/site.css" in config["static"]
    assert config["queueScript"] == "/static/js/offline-queue.js"


def test_the_service_worker_refuses_anything_but_get(client):
    assert client.post("/sw.js").status_code == 405


def copy_with_report_form(tmp_path, extra):
    folder = tmp_path / "static"
    (folder / "js").mkdir(parents=True)
    with open(finders.find("js/report-form.js"), encoding="utf-8") as handle:
        (folder / "js" / "report-form.js").write_text(handle.read() + extra, encoding="utf-8")
    return folder


def test_the_cache_version_changes_when_a_kept_static_file_changes(client, settings, tmp_path):
    before = pwa_views.cache_version()
    # The same content found in another folder: the same version.
    settings.STATICFILES_DIRS = [copy_with_report_form(tmp_path / "same", ""), *settings.STATICFILES_DIRS]
    assert pwa_views.cache_version() == before

    settings.STATICFILES_DIRS = [copy_with_report_form(tmp_path / "new", "\n// a deploy\n"), *settings.STATICFILES_DIRS]
    after = pwa_views.cache_version()
    assert after != before
    assert f'"version":"{after}"' in client.get("/sw.js").content.decode()


def test_the_offline_page_leads_to_the_report_page(client):
    response = client.get("/offline/")

    assert response.status_code == 200
    assert b'href="/report/"' in response.content
    assert b"No connection" in response.content


def test_the_report_page_carries_the_offline_queue_and_its_messages(client, category):
    response = client.get("/report/")

    page = response.content.decode()
    assert 'id="offline-queue"' in page
    assert f'data-offline-max-video-bytes="{pwa_views.OFFLINE_MAX_VIDEO_BYTES}"' in page
    assert "Saved on this phone: it will be sent when you are back online." in page
    # The queue's script before the form's, which uses it.
    assert page.index("js/offline-queue.js") < page.index("js/report-form.js")
