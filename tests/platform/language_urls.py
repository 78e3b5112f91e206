"""The site's URLs with the error handlers of huesmart/errors.py and a view that fails, for
tests/platform/test_languages.py (the handlers are read from the URLconf in use)."""

from django.urls import path

from huesmart.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", fails), path("api/v1/boom/", fails), *site_urlpatterns]

handler400 = "huesmart.errors.bad_request"
handler403 = "huesmart.errors.permission_denied"
handler404 = "huesmart.errors.page_not_found"
handler500 = "huesmart.errors.server_error"
