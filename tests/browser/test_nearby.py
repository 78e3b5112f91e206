"""Before sending a report on a phone: open cases of the same kind nearby are offered, to follow one instead."""

import re

import pytest

from reports import services
from reports.models import Case, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_the_category_shows_the_open_case_nearby_and_its_link_opens_it(phone, category):
    # About 30 m from where the phone says it is.
    existing = services.case_submit(
        description="Quán nước bán 50.000 đồng một chai",
        latitude="16.467700",
        longitude="107.590600",
        category=category,
    ).case
    panel = phone.locator("#nearby-cases")

    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert panel.is_hidden()
    phone.select_option("#id_category", str(category.pk))

    panel.wait_for(state="visible")
    link = panel.get_by_role("link", name=existing.tracking_code)
    assert "Quán nước bán 50.000 đồng một chai" in panel.inner_text()
    link.click()

    phone.wait_for_url(re.compile(rf"/cases/{existing.tracking_code}/#follow$"))
    assert phone.locator("h1").inner_text() == existing.tracking_code
    phone.fill("#id_follow_email", "hang@example.org")
    phone.click("#follow button[type=submit]")
    phone.locator(".message.success").wait_for()
    assert Subscription.objects.get().case == existing
    assert Case.objects.count() == 1


def test_the_panel_stays_hidden_when_nothing_is_near(phone, category, other_category):
    services.case_submit(
        description="Lấn chiếm vỉa hè", latitude="16.4676", longitude="107.5906", category=other_category
    )

    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    with phone.expect_response(lambda response: "/api/v1/cases/nearby/" in response.url) as answer:
        phone.select_option("#id_category", str(category.pk))
    assert answer.value.json() == []
    assert phone.locator("#nearby-cases").is_hidden()


def test_moving_the_place_away_hides_the_panel(phone, category):
    services.case_submit(description="Chặt chém", latitude="16.467700", longitude="107.590600", category=category)

    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    phone.select_option("#id_category", str(category.pk))
    phone.locator("#nearby-cases").wait_for(state="visible")
    # What report-form.js does when the pin moves: about 1.4 km north.
    phone.evaluate("document.getElementById('id_latitude').value = '16.480000'")

    phone.locator("#nearby-cases").wait_for(state="hidden")
