"""The report form's "notifications on this device": offered where the browser can receive pushes (static/js/push.js),
and unticked again, with a word of why, when the browser refuses the permission."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vapid(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    settings.WEBPUSH_VAPID_PRIVATE_KEY = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_push_is_offered_and_a_refused_permission_unticks_it(phone, category, vapid):
    phone.goto("/report/")
    option = phone.locator("[data-push-option]")
    option.wait_for(state="visible")
    box = phone.locator("input[name=notify_by][value=push]")

    box.click()

    status = phone.locator("[data-push-status]")
    phone.wait_for_function("document.querySelector('[data-push-status]').textContent.trim() !== ''")
    phone.wait_for_function("!document.querySelector('input[name=notify_by][value=push]').checked")
    assert status.inner_text().strip()
    assert phone.input_value("input[name=push_subscription]") == ""
    # E-mail stays the default choice.
    assert phone.locator("input[name=notify_by][value=email]").is_checked()
