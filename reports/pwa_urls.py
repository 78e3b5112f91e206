"""At the site's root (huesmart/urls.py): a service worker controls only the pages under its own address."""

from django.urls import path

from . import pwa_views

app_name = "pwa"

urlpatterns = [
    path("sw.js", pwa_views.service_worker, name="sw"),
    path("manifest.webmanifest", pwa_views.manifest, name="manifest"),
    path("offline/", pwa_views.offline, name="offline"),
]
