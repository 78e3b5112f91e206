"""The report form on a phone: the place from GPS corrected on the map, and clear errors that lose nothing."""

import pytest

from reports.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tapping_the_map_moves_the_pin_and_the_place(phone, category):
    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    before = (phone.input_value("#id_latitude"), phone.input_value("#id_longitude"))
    the_map = phone.locator("#report-map")
    box = the_map.bounding_box()
    the_map.tap(position={"x": box["width"] * 0.8, "y": box["height"] * 0.8})
    after = (phone.input_value("#id_latitude"), phone.input_value("#id_longitude"))
    assert after != before
    # Lower right of the map: south and east of where the phone was.
    assert float(after[0]) < float(before[0]) and float(after[1]) > float(before[1])


def test_a_report_without_description_shows_the_error_and_keeps_what_was_typed(phone, category):
    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    phone.select_option("#id_category", str(category.pk))
    phone.fill("#id_address", "25 Lê Lợi")
    # The browser's own check would stop an empty required field; a citizen on an old browser gets the server's.
    phone.evaluate("document.getElementById('report-form').noValidate = true")
    phone.click("#submit-report")
    phone.wait_for_selector("#error-summary")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert phone.locator("#error-summary li").count() == 1
    assert phone.input_value("#id_address") == "25 Lê Lợi"
    assert Case.objects.count() == 0
