"""The camera pages in Chromium: a zone drawn on the snapshot with the mouse and saved; a detection confirmed with
the keyboard alone."""

import pytest

from cameras.models import Detection
from reports.models import Case
from tests.browser.conftest import sign_in
from tests.dashboard.cameras.conftest import *  # noqa: F403 (the camera, the traffic police and their categories)
from tests.dashboard.cameras.conftest import make_detection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(message.text)
        ),
    )
    return errors


def test_a_no_parking_zone_drawn_on_the_snapshot_is_saved(desk, operator, camera):
    errors = _errors(desk)
    sign_in(desk, "operator")
    desk.goto(f"/centre/cameras/{camera.code}/zones/")
    desk.wait_for_selector("#zone-editor[data-ready='true']")
    # The two zones of the fixture are drawn over the picture.
    assert desk.locator("#zone-svg .zone-shape").count() == 2

    desk.click("button[data-draw='no_parking']")
    box = desk.locator("#zone-svg").bounding_box()
    corners = [(0.55, 0.7), (0.9, 0.7), (0.9, 0.95), (0.55, 0.95)]
    for x, y in corners:
        desk.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#zone-svg .zone-shape.selected")
    # The new zone's first corner, moved with the keyboard.
    desk.focus("#zone-svg [data-handle='point:0']")
    desk.keyboard.press("ArrowLeft")
    desk.fill(".zone-props [data-prop='name']", "Trước cổng chợ")
    desk.press(".zone-props [data-prop='name']", "Tab")
    assert "save them" in desk.inner_text("#zone-editor-status")

    # A mask drawn with the keyboard alone: the cross starts in the middle; Space places, Enter closes.
    desk.click("button[data-draw='mask']")
    desk.keyboard.press("Space")
    for _ in range(4):
        desk.keyboard.press("Shift+ArrowRight")
    desk.keyboard.press("Space")
    for _ in range(4):
        desk.keyboard.press("Shift+ArrowDown")
    desk.keyboard.press("Space")
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#zone-svg .zone-mask.selected")

    desk.click("#zones-form button[type=submit]")
    desk.wait_for_selector(".message.success")
    camera.refresh_from_db()
    drawn = camera.zones["zones"][-1]
    assert (drawn["id"], drawn["kind"], drawn["name"], drawn["dwell_s"]) == ("np2", "no_parking", "Trước cổng chợ", 60)
    assert len(drawn["polygon"]) == 4
    for (x, y), (want_x, want_y) in zip(drawn["polygon"], corners, strict=True):
        assert abs(y - want_y) < 0.02
        assert abs(x - want_x) < (0.03 if (want_x, want_y) == corners[0] else 0.02)
    # The first corner went one keyboard step (0.005) to the left of where it was clicked.
    assert drawn["polygon"][0][0] < corners[0][0]
    assert len(camera.zones["zones"]) == 3
    assert camera.zones["mask"] == [[[0.5, 0.5], [0.6, 0.5], [0.6, 0.6]]]
    desk.wait_for_load_state("networkidle")
    assert errors == []


def test_an_operator_confirms_a_detection_with_the_keyboard(desk, operator, camera, traffic_police, traffic_categories):
    errors = _errors(desk)
    first = make_detection(camera, minutes_ago=30)
    second = make_detection(camera, minutes_ago=20, rule="red_light", zone="sl1")
    sign_in(desk, "operator")
    desk.goto("/centre/cameras/review/")
    desk.wait_for_selector("#review[data-keyboard='ready']")
    assert desk.locator("#review").get_attribute("data-detection") == str(first.pk)
    assert "C" in desk.inner_text("#review-keys")

    desk.keyboard.press("c")
    desk.wait_for_selector(f"#review[data-detection='{second.pk}']")
    assert "is sent to" in desk.inner_text(".messages")
    first.refresh_from_db()
    assert first.status == Detection.Status.CONFIRMED
    assert Case.objects.get().agency == traffic_police

    # D then 3: dismissed as a duplicate; the queue is then empty.
    desk.keyboard.press("d")
    desk.keyboard.press("3")
    desk.wait_for_selector("#review-empty")
    second.refresh_from_db()
    assert (second.status, second.dismiss_reason) == (Detection.Status.DISMISSED, "duplicate")
    desk.wait_for_load_state("networkidle")
    assert errors == []
