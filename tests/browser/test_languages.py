"""The scripts of public pages speak the page's language: the map's list names categories and states as the page
does (map.json sends codes), and Leaflet's zoom buttons carry the page's words, not Leaflet's English."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from reports import services
from reports.models import State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _vi(message):
    with translation.override("vi"):
        return gettext(message)


def test_the_transparency_map_lists_cases_in_the_pages_language(phone, category, settings):
    settings.LANGUAGE_CODE = "vi"
    services.case_submit(description="Ổ gà", latitude="16.4637", longitude="107.5909", category=category)
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))

    phone.goto("/transparency/map/")
    phone.wait_for_selector("#map-list li")

    item = phone.locator("#map-list li").first.inner_text()
    with translation.override("vi"):
        state = str(State.SUBMITTED.label)
    assert category.name_vi in item and state in item
    assert category.code not in item and "submitted" not in item
    zoom_in = phone.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == _vi("Zoom in") == zoom_in.get_attribute("aria-label")
    assert errors == []


def test_a_case_pages_map_zoom_buttons_carry_the_pages_words(phone, category, settings):
    settings.LANGUAGE_CODE = "vi"
    case = services.case_submit(description="Ổ gà", latitude="16.4637", longitude="107.5909", category=category).case

    phone.goto(f"/cases/{case.tracking_code}/")
    phone.wait_for_selector(".case-map .leaflet-control-zoom-out")

    assert phone.locator(".case-map .leaflet-control-zoom-out").get_attribute("title") == _vi("Zoom out")
