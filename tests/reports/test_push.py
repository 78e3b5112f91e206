"""Web Push, end to end: a local HTTP server plays the push service, the test plays the browser (its own P-256 key
pair and auth secret, as PushManager.subscribe() makes them) and decrypts what arrives (RFC 8291, aes128gcm) to read
the notification the service worker would show."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from py_vapid import Vapid02

from reports import services
from reports.models import Notice, Subscription
from reports.notifications import gateways, send_reporter_notice
from reports.notifications.vapid import KEY_FILE_NAME, local_private_key, vapid_public_key

pytestmark = pytest.mark.django_db


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """What a push service does with our POSTs: keeps them, and answers with the next status queued (201 by default)."""

    def __init__(self):
        self.received = []
        self.answers = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                self.send_response(service.answers.pop(0) if service.answers else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A browser's push subscription: its key pair and auth secret stay here, the server gets the public parts."""

    def __init__(self, endpoint):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }

    def read(self, request):
        """The notification's data, as the service worker gets it after the browser decrypts it."""
        assert request["headers"]["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(request["body"], private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


@pytest.fixture
def push_service(settings):
    service = PushService()
    vapid = ec.generate_private_key(ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(vapid.private_numbers().private_value.to_bytes(32, "big"))
    settings.WEBPUSH_VAPID_PUBLIC_KEY = ""
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:centre@hue.example"
    # The only push service these tests may reach: this one.
    settings.WEBPUSH_SERVICE_ORIGINS = [service.origin]
    yield service
    service.close()


@pytest.fixture
def browser(push_service):
    return Browser(f"{push_service.origin}/push/v1/device-token-123")


def report(category, browser, language):
    data = {
        "category": str(category.pk),
        "description": "Cột đèn đổ ra đường",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "notify_by": ["push"],
        "push_subscription": json.dumps(browser.subscription),
    }
    response = Client().post(reverse("reports:submit"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Subscription.objects.get(channel="push")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_step_reaches_the_browser_encrypted_signed_and_in_the_reporters_language(
    category, operator, push_service, browser, language, django_capture_on_commit_callbacks
):
    subscription = report(category, browser, language)
    case = subscription.case

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    [request] = push_service.received
    assert request["path"] == "/push/v1/device-token-123"
    assert int(request["headers"]["ttl"]) > 24 * 3600
    # Signed with our VAPID key, for this push service's origin (RFC 8292).
    authorization = request["headers"]["authorization"]
    assert f"k={vapid_public_key()}" in authorization
    assert Vapid02.verify(authorization)
    with translation.override(language):
        title = gettext("Your report %(code)s: %(kind)s") % {
            "code": case.tracking_code,
            "kind": gettext("verified") if language == "en" else "đã xác minh",
        }
        body = gettext("The monitoring centre has checked the report and is choosing the agency responsible.")
    assert browser.read(request) == {
        "title": title,
        "body": body,
        "url": f"http://127.0.0.1:8000/cases/{case.tracking_code}/",
    }
    if language == "vi":
        assert title.startswith("Phản ánh")
    assert Notice.objects.filter(channel=f"s{subscription.pk}").count() == 1


def test_a_push_service_that_forgot_the_subscription_unsubscribes_it(
    category, operator, staff_a, agency_a, push_service, browser, django_capture_on_commit_callbacks
):
    subscription = report(category, browser, "en")
    push_service.answers = [410]

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=subscription.case, by=operator)

    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert not Notice.objects.filter(channel=f"s{subscription.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=subscription.case, agency=agency_a, by=operator)
    assert len(push_service.received) == 1


def test_a_push_service_that_is_down_is_tried_again_and_delivers_once(
    category, operator, push_service, browser, django_capture_on_commit_callbacks
):
    subscription = report(category, browser, "en")
    services.case_verify(case=subscription.case, by=operator)
    event = subscription.case.events.get(kind="verified")
    push_service.answers = [503]

    with pytest.raises(gateways.GatewayError):
        send_reporter_notice(event.pk)
    assert not Notice.objects.filter(event=event).exists()
    assert send_reporter_notice(event.pk) is True
    assert send_reporter_notice(event.pk) is False

    assert len(push_service.received) == 2
    assert browser.read(push_service.received[0]) == browser.read(push_service.received[1])


def test_a_follower_chooses_push_on_the_follow_form(case, operator, push_service, browser):
    response = Client().post(
        reverse("reports:follow", args=[case.tracking_code]),
        {"channel": "push", "push_subscription": json.dumps(browser.subscription)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    follower = Subscription.objects.get(role="follower")
    assert (follower.channel, json.loads(follower.address)["endpoint"]) == ("push", browser.subscription["endpoint"])
    services.case_verify(case=case, by=operator)
    send_reporter_notice(case.events.get(kind="verified").pk)
    [request] = push_service.received
    assert browser.read(request)["title"] == f"Case {case.tracking_code} you follow: verified"


def test_the_report_page_gives_push_js_the_public_key(category, push_service):
    content = Client().get(reverse("reports:submit")).content.decode()

    assert f'data-push-key="{vapid_public_key()}"' in content
    assert 'name="notify_by" value="push"' in content


@pytest.mark.parametrize(
    "subscription",
    [
        "not json",
        json.dumps({"endpoint": "http://10.0.0.5/internal", "keys": {"p256dh": "x", "auth": "y"}}),
        json.dumps([1, 2]),
        "{" + " " * 5000 + "}",
        # An internal address, with keys a browser could make: the server never POSTs there.
        "internal",
        # Keys of the wrong size or not on the curve.
        "bad-keys",
    ],
    ids=["not-json", "junk-keys", "not-an-object", "oversized", "internal-endpoint", "bad-keys"],
)
def test_a_forged_push_subscription_is_refused_and_nothing_is_stored(category, push_service, browser, subscription):
    if subscription == "internal":
        subscription = json.dumps({**browser.subscription, "endpoint": "http://127.0.0.1:8000/admin/"})
    elif subscription == "bad-keys":
        keys = {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"short")}
        subscription = json.dumps({**browser.subscription, "keys": keys})
    data = {
        "category": str(category.pk),
        "description": "Cột đèn đổ ra đường",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "notify_by": ["push"],
        "push_subscription": subscription,
    }

    response = Client().post(reverse("reports:submit"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "notification subscription could not be used" in response.content.decode()
    assert not Subscription.objects.exists()


def test_without_keys_push_is_not_offered_outside_debug(category, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.DEBUG = False

    content = Client().get(reverse("reports:submit")).content.decode()

    assert 'value="push"' not in content


def test_the_embedded_default_makes_its_key_pair_once_and_keeps_it(settings, tmp_path):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = settings.WEBPUSH_VAPID_PUBLIC_KEY = ""
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path

    first = vapid_public_key()

    assert first and vapid_public_key() == first
    stored = (tmp_path / KEY_FILE_NAME).read_text().strip()
    assert local_private_key(tmp_path) == stored
    assert (tmp_path / KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    # The public key is the uncompressed P-256 point a browser's applicationServerKey takes.
    assert len(base64.urlsafe_b64decode(first + "=")) == 65
