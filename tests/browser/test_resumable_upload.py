"""Photos and videos from a phone on a weak network: made smaller in the browser when larger than needed, sent in
chunks with a progress bar, resumed after the connection drops, and the report waits for them."""

import os

import numpy as np
import pytest
from PIL import Image

from reports import uploads
from reports.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone_photo(path, size=(4000, 3000)):
    """A 12-megapixel photo as a phone takes it, with some texture so it is not trivially small."""
    width, height = size
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=-1)
    rgb += np.random.default_rng(1).normal(0, 6, rgb.shape)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=90)
    return path


def open_form(phone):
    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    phone.wait_for_selector("#media-fieldset[data-uploader='active']", state="attached")


def test_a_large_photo_is_made_smaller_uploaded_with_progress_and_sent_with_the_report(phone, category, tmp_path):
    photo = phone_photo(tmp_path / "IMG_0001.jpg")
    open_form(phone)

    phone.set_input_files("#id_media_gallery", str(photo))
    phone.wait_for_selector("#media-list li.upload-done input[type=hidden][name=upload]", state="attached")

    bar = phone.locator("#media-list progress")
    assert bar.evaluate("bar => bar.value") == 100
    # The bar is named by its file for assistive technology.
    assert phone.get_by_role("progressbar", name="IMG_0001.jpg").count() == 1
    # The files went by upload: the file inputs are empty, so they are not sent twice.
    assert phone.evaluate("document.getElementById('id_media_gallery').files.length") == 0
    phone.select_option("#id_category", str(category.pk))
    phone.fill("#id_description", "Rác đổ trộm cạnh cầu Trường Tiền")
    phone.click("#submit-report")
    phone.wait_for_url("**/report/sent/**")

    media = Case.objects.get().media.get()
    assert media.kind == "photo" and media.content_type == "image/jpeg"
    with media.original.open("rb") as original, Image.open(original) as image:
        assert max(image.size) <= 2560
        assert image.size == (2560, 1920)
    assert not any(uploads.root().iterdir())


def test_an_upload_cut_off_by_a_lost_connection_goes_on_when_the_phone_is_back_online(phone, category, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 5000)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(data)
    offsets = []

    def lose_the_connection_at_the_second_chunk(route):
        request = route.request
        if request.method == "PATCH":
            offsets.append(request.headers["upload-offset"])
            if len(offsets) == 2:
                phone.context.set_offline(True)
                route.abort("internetdisconnected")
                return
        route.continue_()

    open_form(phone)
    phone.route("**/uploads/**", lose_the_connection_at_the_second_chunk)

    phone.set_input_files("#id_media_gallery", str(clip))
    phone.wait_for_selector("#media-list li.upload-offline")
    button = phone.locator("#submit-report")
    waiting = button.get_attribute("data-msg-waiting")
    assert button.is_disabled() and button.inner_text() == waiting
    phone.context.set_offline(False)
    phone.wait_for_selector("#media-list li.upload-done input[type=hidden][name=upload]", state="attached")

    upload_id = phone.input_value("#media-list input[name=upload]")
    assert (uploads.root() / upload_id / "data").read_bytes() == data
    # The second chunk was sent again from where the server stood, not the whole file.
    assert offsets[:3] == ["0", str(1024 * 1024), str(1024 * 1024)]
    assert button.is_enabled() and button.inner_text() != waiting
