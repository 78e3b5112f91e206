from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dashboard import views as dashboard_views

urlpatterns = [
    path("", include("reports.urls")),
    path("centre/", include("dashboard.urls")),
    path("inbox/", include("agencies.urls")),
    path("agencies/", include("agencies.public_urls")),
    path("transparency/", include("reports.transparency.urls")),
    path("api/v1/", include("huesmart.api_urls")),
    path("open311/v2/", include("reports.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("start/", dashboard_views.start, name="start"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
