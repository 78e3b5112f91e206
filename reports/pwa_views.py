"""The installable report page (a progressive web app): the web app manifest, the service worker and its offline page.

The service worker's source is static/js/sw.js; this view serves it at the site's root (a worker controls only the
pages under its own address) behind one line of settings: the cache's version, the pages and static files to keep
for offline use, and where the offline queue's script is. The version is a digest of those files' content, so a
deploy that changes any of them installs a new worker, which fetches them again and drops the old cache.
"""

import hashlib
import json
import os
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# What the report page needs to open without a network (templates/reports/submit.html, base.html, the offline page).
# Map tiles come from another site and are not kept: offline, the map shows the pin on a blank background.
PRECACHED_STATIC = (
    "css/site.css",
    "favicon.svg",
    "icons/icon-192.png",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/tus-js-client/tus.min.js",
    "js/pwa.js",
    "js/case-map.js",
    "js/uploader.js",
    "js/offline-queue.js",
    "js/report-form.js",
    "js/nearby-cases.js",
)
WORKER_SOURCE = "js/sw.js"
QUEUE_SCRIPT = "js/offline-queue.js"
# Offline, a report's photos and videos wait on the phone and go with the report in one request when the network
# returns; a video larger than this would be a long request that cannot resume, so it needs the network and goes
# by resumable upload (static/js/uploader.js). Photos are at most MEDIA_MAX_PHOTO_BYTES anyway.
OFFLINE_MAX_VIDEO_BYTES = 20 * 1024 * 1024

THEME_COLOUR = "#5b2a86"  # --brand in static/css/site.css
BACKGROUND_COLOUR = "#ffffff"  # --paper


def _source_path(name):
    """The file behind a static name: the source folders, else the collected files (production)."""
    found = finders.find(name)
    if found:
        return found
    return staticfiles_storage.path(name)


@lru_cache(maxsize=64)
def _file_digest(path, mtime_ns, size):
    # Keyed by modification time and size: a changed file is read again, an unchanged one is not on every request
    # (browsers ask for the worker at each navigation).
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _digest(name):
    path = _source_path(name)
    stat = os.stat(path)
    return _file_digest(path, stat.st_mtime_ns, stat.st_size)


def cache_version():
    """A digest of the worker and of every file it keeps, with their addresses (hashed names in production)."""
    sha = hashlib.sha256()
    for name in (WORKER_SOURCE, *PRECACHED_STATIC):
        sha.update(f"{name}\0{static(name)}\0{_digest(name)}\n".encode())
    return sha.hexdigest()[:16]


def worker_config():
    pages = [reverse("reports:submit"), reverse("pwa:offline")]
    return {
        "version": cache_version(),
        "submitUrl": reverse("reports:submit"),
        "offlineUrl": reverse("pwa:offline"),
        "pages": pages,
        "static": [static(name) for name in PRECACHED_STATIC],
        "queueScript": static(QUEUE_SCRIPT),
        "icon": static("icons/icon-192.png"),
    }


@require_GET
def service_worker(request):
    with open(_source_path(WORKER_SOURCE), encoding="utf-8") as handle:
        source = handle.read()
    config = json.dumps(worker_config(), separators=(",", ":"))
    response = HttpResponse(
        f"self.HUESMART_SW = {config};\n{source}", content_type="application/javascript; charset=utf-8"
    )
    # Browsers check for a new worker at each navigation; they must ask us, not a cache.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest, in the language of the request (the name under the icon, the shortcuts)."""
    city = settings.CITY_NAME
    data = {
        "id": "/",
        "name": _("huesmart {city}: report a problem").format(city=city),
        "short_name": "huesmart",
        "description": _(
            "Report a problem in {city} from your phone, even without a connection, and follow it until it is fixed."
        ).format(city=city),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        "start_url": reverse("reports:submit"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("icons/maskable-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
            {"src": static("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
        "shortcuts": [
            {"name": _("Report a problem"), "url": reverse("reports:submit")},
            {"name": _("Track a case"), "url": reverse("reports:track")},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """What the service worker shows for a page it cannot fetch (kept in its cache, never fetched offline)."""
    return render(request, "reports/offline.html")
