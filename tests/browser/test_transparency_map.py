"""The transparency map in a real browser: it loads the cases in view and shows them, without a script error."""

import pytest

from reports import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_map_shows_the_cases_in_view(desk, category):
    for n in range(3):
        services.case_submit(description=f"Ổ gà {n}", latitude="16.4637", longitude=f"107.59{n}", category=category)
    errors = []
    desk.on("pageerror", lambda error: errors.append(str(error)))
    desk.goto("/transparency/map/")
    desk.wait_for_selector(".leaflet-marker-icon")
    desk.wait_for_function("document.getElementById('map-status').textContent.includes('3')")
    assert errors == []
    # The filters sit each with its label (one field, one box).
    assert desk.locator("#map-filters .field select").count() == 5
