"""Signing in: who may try how often, and the answer to one who may not.

Two guards, both keyed on the client's address as huesmart/ratelimit.py reads it, both in the authentication
backend so that every sign-in form (the staff's and the admin's) has them:
- django-axes locks one (username, address) pair after LOGIN_FAILURE_LIMIT failures, for LOGIN_LOCKOUT_MINUTES.
  Someone guessing a colleague's password from elsewhere locks out only themselves, never the colleague at their
  own desk; a success clears the pair's failures.
- the "login" rate limit counts failed sign-ins per address whatever the username, so that nobody can try a few
  passwords on each of many usernames (spraying) without being stopped.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from . import ratelimit

# Set on a request whose sign-in the per-address limit refused, for the view to answer 429.
REFUSAL = "login_refusal"


class LoginGuardBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a sign-in before any password is checked when the address or the
    (username, address) pair is over its limit. Signs nobody in itself."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # No client to count or lock out: manage.py shell, createsuperuser, the test client's login().
            return None
        refusal = ratelimit.check(request, "login", count=False)
        if refusal is not None:
            setattr(request, REFUSAL, refusal)
            # Stops authenticate() here: no later backend checks the password.
            raise PermissionDenied
        return super().authenticate(request, username, password, **kwargs)


def _count_failed_sign_in(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, REFUSAL, None) is None:
        ratelimit.check(request, "login")


user_login_failed.connect(_count_failed_sign_in, dispatch_uid="huesmart.security.count_failed_sign_in")


def login(request):
    """The staff sign-in page, which says so when the address may not try again yet."""
    response = auth_views.LoginView.as_view()(request)
    refusal = getattr(request, REFUSAL, None)
    if refusal is not None:
        return ratelimit.refused(request, refusal)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page for a (username, address) pair that is locked out."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    # Every failure while locked starts the lock-out again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
    response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response
