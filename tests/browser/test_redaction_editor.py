"""The redaction page in Chromium: the detector's boxes are drawn over the original, a drag draws a new one, a
box is removed from the list, and saving keeps exactly what the page shows."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports import services
from reports.media import check_uploads
from reports.models import Media
from tests.browser.conftest import sign_in
from tests.conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FACE = {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2, "source": "auto"}


@pytest.fixture
def photo(category):
    uploads = check_uploads([SimpleUploadedFile("street.jpg", jpeg_bytes(size=(400, 300)))])
    case = services.case_submit(
        description="Xe đậu trên vỉa hè", latitude="16.47", longitude="107.59", category=category, uploads=uploads
    ).case
    media = case.media.get()
    assert media.status == Media.Status.READY
    Media.objects.filter(pk=media.pk).update(blur_boxes=[FACE])
    return media


def _errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_drawing_and_removing_boxes_then_saving(desk, operator, photo):
    errors = _errors(desk)
    sign_in(desk, "operator")
    desk.goto(f"/centre/media/{photo.pk}/")
    canvas = desk.locator("#redaction-canvas")
    desk.wait_for_function("document.querySelector('#redaction-canvas img').complete")
    assert canvas.locator(".blur-box-auto").count() == 1

    box = canvas.bounding_box()
    start = (box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    end = (box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.8)
    desk.mouse.move(*start)
    desk.mouse.down()
    desk.mouse.move(*end, steps=5)
    desk.mouse.up()

    assert canvas.locator(".blur-box-operator").count() == 1
    drawn = json.loads(desk.input_value("input[name=boxes]"))
    assert [b["source"] for b in drawn] == ["auto", "operator"]
    assert drawn[1]["x"] == pytest.approx(0.5, abs=0.02) and drawn[1]["w"] == pytest.approx(0.25, abs=0.02)
    assert "not saved" in desk.inner_text("#redaction-status")

    # A click without a drag draws nothing.
    desk.mouse.click(box["x"] + 5, box["y"] + box["height"] - 5)
    assert len(json.loads(desk.input_value("input[name=boxes]"))) == 2

    desk.get_by_role("button", name="Remove area 1").click()
    assert canvas.locator(".blur-box-auto").count() == 0
    assert desk.evaluate("document.activeElement.textContent") == "Remove area 1"

    desk.click("#redaction-save")
    desk.wait_for_url(f"**/centre/media/{photo.pk}/")
    desk.wait_for_load_state("networkidle")
    photo.refresh_from_db()
    assert [b["source"] for b in photo.blur_boxes] == ["operator"]
    assert photo.blur_boxes[0]["x"] == drawn[1]["x"]
    assert desk.locator("#redaction-canvas .blur-box-operator").count() == 1
    assert errors == []
