"""One-click unsubscribe: every message a subscriber gets carries /notifications/unsubscribe/<token>/.

GET shows one button and changes nothing: mail scanners and link previews open links on their own. POST stops the
messages at once; it needs no CSRF token, because a mail client's one-click unsubscribe (RFC 8058, the
List-Unsubscribe-Post header) POSTs to the link with nothing else, and the link's secret token is the authority. The
page that follows offers to undo it.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from huesmart.ratelimit import rate_limited

from .services.following import subscription_by_token, subscription_resume, subscription_stop


def _subscription(token):
    subscription = subscription_by_token(token)
    if subscription is None:
        raise Http404("No such subscription.")
    return subscription


def _page(request, subscription, state):
    response = render(request, "reports/subscriptions/unsubscribe.html", {"subscription": subscription, "state": state})
    # The token is in the address: no shared cache keeps the page, no other site learns the address.
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, no_store=True)
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
# Tokens are long and random; still, no one gets to try them by the thousand.
@rate_limited("track", methods=("GET", "POST"))
def unsubscribe(request, token):
    subscription = _subscription(token)
    if request.method == "POST":
        subscription_stop(subscription=subscription)
        return _page(request, subscription, "stopped")
    return _page(request, subscription, "stopped" if subscription.unsubscribed_at else "ask")


@require_POST
@rate_limited("track")
def resubscribe(request, token):
    subscription = _subscription(token)
    subscription_resume(subscription=subscription)
    return _page(request, subscription, "resumed")
