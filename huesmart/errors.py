"""Error answers (handler400/403/404/500 in huesmart/urls.py, CSRF_FAILURE_VIEW in settings) in the language the
person reads and the form their client reads: a page for people, {"detail": ...} for /api/, the spec's error list for
/open311/.

The language is chosen again from the request (cookie, then Accept-Language): an error raised above
LocaleMiddleware, or after a view changed the active language, must not answer in another person's language. The
500 answer touches neither the database nor the session (the failure may be theirs): no request context, no user.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from reports.forms import TrackForm
from reports.open311.formats import error_response


def _language(request):
    return translation.get_language_from_request(request)


def _machine_answer(request, status, message):
    """The answer an API or Open311 client reads, or None for a page."""
    path = request.path_info
    if path.startswith("/open311/"):
        # As reports/open311/views.py answers: JSON when the path asks for it, XML (the spec's default) otherwise.
        return error_response("json" if path.endswith(".json") else "xml", status, [message])
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return None


def _page(request, template, status, context):
    answer = _machine_answer(request, status, context["message"])
    if answer is None and hasattr(request, "user"):
        answer = render(request, template, context, status=status)
    elif answer is None:
        # Refused before the authentication middleware ran (a Host header not ours): the context processors read the
        # user, so the page gets only what it names.
        page = render_to_string(template, {**context, "CITY_NAME": settings.CITY_NAME, "request": request})
        answer = HttpResponse(page, status=status)
    # LocaleMiddleware only sets the header when it is missing, from the language active when it answers.
    answer.headers["Content-Language"] = translation.get_language()
    return answer


def _too_big_message(exception):
    """What to tell the person whose form was refused before any view read it."""
    if isinstance(exception, RequestDataTooBig):
        return _("What you sent is too large. Go back, shorten it and send it again.")
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return _("What you sent has too many parts. Go back, remove some of it and send it again.")
    return None


def bad_request(request, exception=None):
    with translation.override(_language(request)):
        too_big = _too_big_message(exception)
        message = too_big or _("The request could not be understood. Check the address, or go back and try again.")
        return _page(request, "400.html", 400, {"message": message, "unsaved": too_big is not None})


def permission_denied(request, exception=None):
    with translation.override(_language(request)):
        message = _("You are not allowed to see this page.")
        user = getattr(request, "user", None)
        return _page(request, "403.html", 403, {"message": message, "signed_in": bool(user and user.is_authenticated)})


def page_not_found(request, exception=None):
    with translation.override(_language(request)):
        return _page(request, "404.html", 404, {"message": _("Not found."), "track_form": TrackForm()})


def server_error(request):
    with translation.override(_language(request)):
        message = _("Something went wrong on our side. It has been reported; please try again in a few minutes.")
        answer = _machine_answer(request, 500, message)
        if answer is None:
            # No request: the template gets no context processor (they read the user, hence the database).
            unsaved = request.method not in ("GET", "HEAD")
            context = {"message": message, "CITY_NAME": settings.CITY_NAME, "unsaved": unsaved}
            answer = HttpResponse(render_to_string("500.html", context), status=500)
        answer.headers["Content-Language"] = translation.get_language()
    return answer


def _same_site_referer(request):
    """The page the refused form was on, when it is one of ours: where the person goes back to."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return None


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: on a phone, nearly always a page left open for long (or restored by the
    browser) whose security token no longer matches. Nothing of the request was read or stored."""
    # Django logs the reason (django.security.csrf); the page never shows it.
    with translation.override(_language(request)):
        message = _("This page was open too long, so for your safety it was not sent. Nothing was saved.")
        # A fresh token goes with this answer (the middleware sets its cookie), so that the reloaded form is accepted.
        get_token(request)
        context = {
            "message": message,
            "back": _same_site_referer(request) or reverse("reports:home"),
            "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        }
        return _page(request, "403_csrf.html", 403, context)
