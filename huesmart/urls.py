from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboard import views as dashboard_views
from huesmart import health, security

urlpatterns = [
    # Probes for load balancers (huesmart/health.py); SECURE_REDIRECT_EXEMPT names these exact paths.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("reports.urls")),
    # The installable app: its service worker at the root scope, its manifest, the page shown offline.
    path("", include("reports.pwa_urls")),
    path("centre/", include("dashboard.urls")),
    path("inbox/", include("agencies.urls")),
    path("agencies/", include("agencies.public_urls")),
    path("transparency/", include("reports.transparency.urls")),
    path("me/", include("reports.citizens.urls")),
    path("cameras/", include("cameras.urls")),
    path("api/v1/", include("huesmart.api_urls")),
    path("open311/v2/", include("reports.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Its script is served at the same address (?script=), not inline: the Content-Security-Policy allows no inline
    # script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("start/", dashboard_views.start, name="start"),
    # Failed sign-ins are limited per address and per (username, address): huesmart/security.py.
    path("accounts/login/", security.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# bench/web.py's baselines (bench/baselines.py), under the same middleware as the real views; never in production.
if settings.BENCH_BASELINES:
    urlpatterns.append(path("bench/", include("bench.baselines")))

# Error pages in the visitor's language; the API and Open311 get their own error formats (huesmart/errors.py).
handler400 = "huesmart.errors.bad_request"
handler403 = "huesmart.errors.permission_denied"
handler404 = "huesmart.errors.page_not_found"
handler500 = "huesmart.errors.server_error"
