"""The boundary editor in Chromium: the map and leaflet-geoman load, an edit reaches the form, saving keeps it."""

import json
import re

import pytest
from shapely.geometry import shape

from agencies.models import Area
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _errors(page):
    """JavaScript errors the page throws, collected from now on."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A 400 answer is logged as a failed load; it is the refusal under test, not a script error.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(message.text)
        ),
    )
    return errors


def _settle(page):
    """Let the last page's requests finish: the database is flushed once the test returns."""
    page.wait_for_load_state("networkidle")


def _geometry(page):
    value = page.input_value("#id_geometry")
    return json.loads(value) if value else None


def _open_editor(page, code):
    page.goto(f"/centre/areas/{code}/")
    page.wait_for_selector("#area-editor[data-ready='true']")
    page.wait_for_selector("#area-editor[data-context-loaded='true']")


def test_dragging_a_corner_changes_the_boundary_and_saving_keeps_it(desk, operator, ward, agency_a):
    errors = _errors(desk)
    sign_in(desk, "operator")
    _open_editor(desk, ward.code)
    raw = desk.input_value("#id_geometry")
    before = json.loads(raw)
    assert before == ward.geometry
    # The editor's toolbar and the area's corners, ready to drag (edit mode is on when the page opens).
    assert desk.locator(".leaflet-pm-toolbar").count() > 0
    corners = desk.locator("#area-editor .marker-icon:not(.marker-icon-middle)")
    assert corners.count() == 4

    box = corners.first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    desk.mouse.move(x, y)
    desk.mouse.down()
    desk.mouse.move(x - 30, y + 20, steps=8)
    desk.mouse.up()
    desk.wait_for_function("(raw) => document.getElementById('id_geometry').value !== raw", arg=raw)

    after = _geometry(desk)
    assert after["type"] == "Polygon"
    assert after != before
    assert shape(after).is_valid
    assert desk.inner_text("#area-editor-status") == "The boundary has changed: save the area to keep it."

    desk.click("#area-form button[type=submit]")
    desk.wait_for_selector(".message.success")
    ward.refresh_from_db()
    assert ward.geometry == after
    _settle(desk)
    assert errors == []


def test_moving_a_corner_through_the_editor_api_changes_the_hidden_input(desk, operator, ward):
    errors = _errors(desk)
    sign_in(desk, "operator")
    _open_editor(desk, ward.code)

    desk.evaluate(
        """() => {
            const layer = window.huesmartAreaEditor.layers.getLayers()[0];
            const rings = layer.getLatLngs();
            rings[0][2] = L.latLng(16.49, 107.61);
            layer.setLatLngs(rings);
            layer.fire("pm:edit", { layer: layer, shape: "Polygon" });
        }"""
    )

    assert _geometry(desk)["coordinates"][0][2] == [107.61, 16.49]
    desk.click("#area-form button[type=submit]")
    desk.wait_for_selector(".message.success")
    ward.refresh_from_db()
    assert [107.61, 16.49] in ward.geometry["coordinates"][0]
    _settle(desk)
    assert errors == []


def test_drawing_a_new_area_with_the_polygon_tool(desk, operator, ward, agency_a):
    errors = _errors(desk)
    sign_in(desk, "operator")
    desk.goto("/centre/areas/new/")
    desk.wait_for_selector("#area-editor[data-ready='true']")
    assert desk.input_value("#id_geometry") == ""
    assert "There is no boundary yet" in desk.inner_text("#area-editor-status")

    desk.click(".leaflet-pm-icon-polygon")
    the_map = desk.locator("#area-editor").bounding_box()
    cx, cy = the_map["x"] + the_map["width"] / 2, the_map["y"] + the_map["height"] / 2
    for dx, dy in [(-60, -40), (60, -40), (60, 40), (-60, 40), (-60, -40)]:
        desk.mouse.click(cx + dx, cy + dy)
    desk.wait_for_function("document.getElementById('id_geometry').value !== ''")

    drawn = _geometry(desk)
    assert drawn["type"] == "Polygon"
    assert len(drawn["coordinates"][0]) == 5
    desk.fill("#id_code", "vy-da")
    desk.fill("#id_name_vi", "Vỹ Dạ")
    desk.fill("#id_name_en", "Vy Da")
    desk.select_option("#id_agencies", str(agency_a.pk))
    desk.click("#area-form button[type=submit]")
    desk.wait_for_url(re.compile(r"/centre/areas/vy-da/$"))

    area = Area.objects.get(code="vy-da")
    assert area.geometry == drawn
    assert list(area.agencies.all()) == [agency_a]
    _settle(desk)
    assert errors == []


def test_a_refused_boundary_comes_back_on_the_map_with_the_reason(desk, operator, ward):
    errors = _errors(desk)
    sign_in(desk, "operator")
    _open_editor(desk, ward.code)
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[107.58, 16.46], [107.60, 16.48], [107.60, 16.46], [107.58, 16.48], [107.58, 16.46]]],
    }
    # The editor forbids crossing edges; a browser that skips it gets the server's refusal.
    desk.evaluate("(value) => { document.getElementById('id_geometry').value = value; }", json.dumps(bow_tie))
    desk.click("#area-form button[type=submit]")
    desk.wait_for_selector("#error-summary")

    assert "Self-intersection[107.59 16.47]" in desk.inner_text("#error-summary")
    desk.wait_for_selector("#area-editor[data-ready='true']")
    assert _geometry(desk) == bow_tie
    ward.refresh_from_db()
    assert ward.geometry["coordinates"][0][1] == [107.60, 16.46]
    _settle(desk)
    assert errors == []


def test_the_overview_map_draws_every_area(desk, operator, ward, agency_a):
    errors = _errors(desk)
    sign_in(desk, "operator")
    desk.goto("/centre/areas/")
    desk.wait_for_selector("#areas-map[data-loaded='true']")
    assert desk.locator("#areas-map path.leaflet-interactive").count() == 1
    desk.locator("#areas-map path.leaflet-interactive").first.click()
    desk.wait_for_url(re.compile(r"/centre/areas/phu-hoi/$"))
    _settle(desk)
    assert errors == []
