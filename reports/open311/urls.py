from django.urls import re_path

from . import views

app_name = "open311"

# Every endpoint answers in the format its extension names: .json or .xml.
FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}$", views.service_requests, name="requests"),
    # The updates feed, before requests/<id> (no tracking code is "updates"); servicerequestupdates is the name
    # mySociety's extension gives it, which FixMyStreet and its kin call.
    re_path(rf"^requests/updates\.{FMT}$", views.service_request_updates, name="updates"),
    re_path(rf"^servicerequestupdates\.{FMT}$", views.service_request_updates, name="servicerequestupdates"),
    re_path(rf"^requests/(?P<code>[^/]+)\.{FMT}$", views.service_request, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", views.token, name="token"),
    # Anything else, an unknown format included, gets the spec's error list rather than an HTML page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
