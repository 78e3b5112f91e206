"""The report page as an installed app on a phone that loses its network: it opens offline from the service worker,
a report composed offline waits on the phone with its photo and is sent once the network returns, and a report
whose answer was lost is sent again without making a second case."""

import json

import pytest
from PIL import Image

from reports import pwa_views
from reports.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def small_photo(path):
    Image.new("RGB", (640, 480), (200, 120, 40)).save(path, "JPEG", quality=85)
    return path


def installed(phone):
    """The report page, opened once online, controlled by its service worker with everything it needs kept."""
    phone.goto("/report/")
    phone.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) {
                await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
            }
        }"""
    )
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")


def compose(phone, category, description):
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    phone.select_option("#id_category", str(category.pk))
    phone.fill("#id_description", description)


def my_reports(phone):
    return json.loads(phone.evaluate("localStorage.getItem('huesmart.myReports') || '[]'"))


def test_a_report_composed_offline_waits_on_the_phone_and_is_sent_once_back_online(
    phone, category, tmp_path, monkeypatch
):
    monkeypatch.setattr(pwa_views, "OFFLINE_MAX_VIDEO_BYTES", 1024 * 1024)
    installed(phone)
    phone.context.set_offline(True)
    # A page the worker does not keep: the offline page, which leads to the report page.
    phone.goto("/cases/")
    assert phone.locator("#offline-page").is_visible()
    phone.click("#offline-page a[href='/report/']")
    # Served by the service worker: the form, its map and its scripts, with no network.
    phone.wait_for_selector("#report-map.leaflet-container")
    assert phone.locator("#offline-notice").is_visible()

    compose(phone, category, "Cây đổ chắn đường Lê Lợi")
    # A video too large to wait on the phone needs the network (it goes by resumable upload).
    video = {"name": "clip.mp4", "mimeType": "video/mp4", "buffer": b"\0" * (1024 * 1024 + 1)}
    phone.set_input_files("#id_media_gallery", files=[video])
    refused = phone.locator("#media-list li.upload-refused")
    refused.wait_for()
    assert "1,0 MB" in refused.inner_text()
    refused.get_by_role("button").click()
    phone.set_input_files("#id_media_gallery", str(small_photo(tmp_path / "IMG_0002.jpg")))
    phone.wait_for_selector("#media-list li.upload-kept")
    phone.click("#submit-report")

    waiting = phone.locator("#offline-queue-list li.queued-report[data-state='waiting']")
    waiting.wait_for()
    assert "Cây đổ chắn đường Lê Lợi" in waiting.inner_text()
    saved = phone.get_attribute("#offline-queue", "data-msg-saved")
    assert phone.inner_text("#offline-queue-status") == saved
    assert phone.locator("#report-form").is_hidden()
    assert Case.objects.count() == 0

    phone.context.set_offline(False)
    sent = phone.locator("#offline-queue-list li.queued-report[data-state='sent']")
    sent.wait_for(timeout=20_000)

    case = Case.objects.get()
    assert case.description == "Cây đổ chắn đường Lê Lợi"
    assert [media.kind for media in case.media.all()] == ["photo"]
    assert sent.locator(".tracking-code").inner_text() == case.tracking_code
    # The private follow link, for the citizen's own list of reports.
    (mine,) = my_reports(phone)
    assert mine["code"] == case.tracking_code
    assert f"/cases/{case.tracking_code}/follow/" in mine["url"]
    # Opening the page again sends nothing more.
    phone.reload()
    phone.wait_for_selector("#offline-queue-list li.queued-report[data-state='sent']")
    assert Case.objects.count() == 1


def test_a_report_whose_answer_was_lost_is_sent_again_and_makes_one_case(phone, category, tmp_path):
    installed(phone)
    compose(phone, category, "Đèn đường hỏng trước chợ Đông Ba")
    phone.set_input_files("#id_media_gallery", str(small_photo(tmp_path / "IMG_0003.jpg")))
    phone.wait_for_selector("#media-list li.upload-done input[name=upload]", state="attached")
    posts = []

    def lose_the_first_answer(route):
        if route.request.method == "POST":
            posts.append(route.request.post_data_buffer)
            if len(posts) == 1:
                # The server makes the case; its answer never reaches the phone.
                route.fetch(max_redirects=0)
                route.abort("connectionreset")
                return
        route.continue_()

    phone.context.route("**/report/", lose_the_first_answer)
    phone.click("#submit-report")

    sent = phone.locator("#offline-queue-list li.queued-report[data-state='sent']")
    sent.wait_for(timeout=20_000)
    case = Case.objects.get()
    assert len(posts) >= 2
    assert sent.locator(".tracking-code").inner_text() == case.tracking_code
    assert case.media.count() == 1
    assert [entry["code"] for entry in my_reports(phone)] == [case.tracking_code]


def test_a_report_sent_online_goes_to_its_sent_page_and_into_my_reports(phone, category):
    installed(phone)
    compose(phone, category, "Rác tràn ra đường Trần Hưng Đạo")
    phone.click("#submit-report")
    phone.wait_for_url("**/report/sent/**")

    case = Case.objects.get()
    assert phone.inner_text("#tracking-code") == case.tracking_code
    (mine,) = my_reports(phone)
    assert mine["code"] == case.tracking_code and mine["url"] == phone.get_attribute("#follow-link", "href")
