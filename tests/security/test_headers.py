"""Security headers: a Content-Security-Policy without inline script on every answer (the database outage page and
the API's reader included), HSTS, a Referrer-Policy that gives other sites at most the origin, no sniffing, no
framing. tests/browser/test_content_security_policy.py checks the same pages in Chromium."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path

from tests.platform.test_settings import manage, production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def test_pages_allow_scripts_from_the_sites_files_only(db):
    response = Client().get("/")

    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_pages_give_other_sites_at_most_the_origin_and_cannot_be_framed_or_sniffed(db):
    response = Client().get("/")

    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_api_answers_carry_the_policy_too(db):
    response = Client().get("/api/v1/categories/")

    assert policy(response)["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JAVASCRIPT_URL):
            found += [f"{template.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)]

    assert found == []


def test_the_api_reader_loads_its_script_from_an_address_not_inline(db):
    client = Client()

    page = client.get("/api/docs/")
    scripts = re.findall(r"<script\b[^>]*>", page.content.decode())
    own = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', page.content.decode())
    script = client.get(own.group(1).replace("&amp;", "&"))

    assert page.status_code == 200
    assert scripts and all("src=" in tag for tag in scripts)
    assert "<style" not in page.content.decode()
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def _database_down(request):
    raise OperationalError("connection refused")


urlpatterns = [path("down/", _database_down)]


def test_the_database_outage_page_keeps_its_own_styles_under_the_policy(settings):
    """It needs no other file, so its styles are inline: the policy allows exactly those by their hash."""
    settings.ROOT_URLCONF = __name__

    response = Client().get("/down/")

    assert response.status_code == 503
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy(response)["style-src"]
    assert policy(response)["script-src"] == ["'self'"]


def test_production_allows_images_from_the_tile_servers_and_the_media_bucket_and_sets_hsts():
    shown = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'hsts': s.SECURE_HSTS_SECONDS, "
        "'referrer': s.SECURE_REFERRER_POLICY}))"
    )
    env = production_env(
        MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png",
        S3_BUCKET="huesmart-media",
        S3_ENDPOINT_URL="https://media.huesmart.example.org",
    )

    result = manage("shell", "-c", shown, env=env)

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert "https://*.tile.example.org" in found["csp"]["img-src"]
    assert "https://media.huesmart.example.org" in found["csp"]["img-src"]
    assert "https://media.huesmart.example.org" in found["csp"]["media-src"]
    assert found["csp"]["script-src"] == ["'self'"]
    assert found["hsts"] == 31536000
    assert found["referrer"] == "strict-origin-when-cross-origin"


def test_the_embedded_default_allows_the_default_tile_server():
    shown = "import json; from django.conf import settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY))"

    result = manage("shell", "-c", shown, env={})

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["DIRECTIVES"]["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
