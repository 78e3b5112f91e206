"""Times our scripts write on a citizen's phone are on the city's clock (settings.TIME_ZONE, given to them as
<body data-time-zone>), not the phone's: a visitor from abroad, or a phone set to another zone, reads the same day
and hour as the city's pages and messages."""

import json

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 20:00 UTC: 03:00 the next morning in Hue, 15:00 the same day in New York.
MOMENT = "2026-11-25T20:00:00Z"


@pytest.fixture
def abroad(browser, live_server):
    """A Vietnamese phone whose clock is set to New York."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="vi-VN",
        timezone_id="America/New_York",
        geolocation={"latitude": 16.4675, "longitude": 107.5905},
        permissions=["geolocation"],
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_my_reports_dates_a_report_by_the_citys_day(abroad):
    entry = {"code": "HUE-26-00001", "url": "", "sentAt": MOMENT}
    abroad.goto("/me/")
    assert abroad.get_attribute("body", "data-time-zone") == settings.TIME_ZONE
    abroad.evaluate(f"localStorage.setItem('huesmart.myReports', {json.dumps(json.dumps([entry]))})")
    abroad.reload()

    meta = abroad.locator("#phone-cases li[data-code='HUE-26-00001'] .case-row-meta").inner_text()
    assert "26/11/2026" in meta and "25/11/2026" not in meta


def test_a_waiting_report_shows_when_it_was_made_on_the_citys_clock(abroad, category):
    abroad.clock.set_fixed_time(MOMENT)
    abroad.goto("/report/")
    assert abroad.get_attribute("body", "data-time-zone") == settings.TIME_ZONE
    abroad.wait_for_function("document.getElementById('id_latitude').value !== ''")
    abroad.select_option("#id_category", str(category.pk))
    abroad.fill("#id_description", "Cây đổ chắn đường Lê Lợi")
    # The network is lost as the report leaves: it waits on the phone.
    abroad.context.route(
        "**/report/",
        lambda route: route.abort("internetdisconnected") if route.request.method == "POST" else route.fallback(),
    )
    abroad.click("#submit-report")

    title = abroad.locator("#offline-queue-list li.queued-report p").first.inner_text()
    assert "26/11/2026" in title and "03:00" in title
    assert "15:00" not in title
