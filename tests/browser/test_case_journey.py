"""One case the whole way, in a real browser: a citizen's phone, the centre, the agency, the public page."""

import re

import pytest

from reports.models import Case
from tests.browser.conftest import sign_in
from tests.conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(320, 240))}


def test_a_report_goes_from_a_phone_to_a_closed_case(
    phone, desk, browser, live_server, category, operator, staff_a, agency_a, reporter_details
):
    # The citizen, on a phone in Vietnamese, lets the page read their position and sends a photo.
    phone.goto("/report/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert phone.input_value("#id_latitude") == "16.467500"
    phone.select_option("#id_category", str(category.pk))
    phone.fill("#id_description", "Quán nước trước chợ Đông Ba bán chai nước 50.000 đồng")
    phone.set_input_files("#id_media_gallery", [photo("IMG_2041.jpg")])
    phone.fill("#id_name", reporter_details["name"])
    phone.fill("#id_phone", reporter_details["phone"])
    phone.fill("#id_email", reporter_details["email"])
    phone.click("#submit-report")
    phone.wait_for_url(re.compile(r"/report/sent/"))
    code = phone.inner_text("#tracking-code").strip()
    follow_url = phone.get_attribute("#follow-link", "href")
    case = Case.objects.get(tracking_code=code)
    assert (case.state, case.media.count(), case.language) == ("submitted", 1, "vi")

    # The centre verifies and assigns it to the market management board.
    sign_in(desk, "operator")
    desk.goto(f"/centre/cases/{code}/")
    assert reporter_details["name"] not in desk.content()
    desk.click("form[action$='/verify/'] button[type=submit]")
    desk.wait_for_selector(".message.success, [role=status]")
    desk.select_option("form[action$='/assign/'] select[name=agency]", str(agency_a.pk))
    desk.select_option("form[action$='/assign/'] select[name=priority]", "high")
    desk.click("form[action$='/assign/'] button[type=submit]")
    desk.wait_for_selector("form[action$='/note/']")
    assert Case.objects.get(pk=case.pk).state == "assigned"

    # The agency finds it in its inbox, accepts it and resolves it with a photo.
    agency = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url)
    inbox = agency.new_page()
    sign_in(inbox, "staff_a")
    inbox.goto("/inbox/")
    inbox.click(f"a:has-text('{code}')")
    assert reporter_details["phone"] not in inbox.content()
    inbox.click("form[action$='/accept/'] button[type=submit]")
    inbox.wait_for_selector("form[action$='/resolve/']")
    inbox.fill("form[action$='/resolve/'] textarea[name=note]", "Đã xử phạt và yêu cầu niêm yết giá")
    inbox.set_input_files("form[action$='/resolve/'] input[type=file]", [photo("after.jpg")])
    inbox.click("form[action$='/resolve/'] button[type=submit]")
    inbox.wait_for_selector("#case-history, .history, h2")
    assert Case.objects.get(pk=case.pk).state == "resolved"
    agency.close()

    # The reporter, from their private link, rates the outcome: the case closes.
    phone.goto(follow_url)
    phone.check("input[name=stars][value='5']")
    phone.fill("#id_comment", "Cảm ơn các anh chị")
    phone.click("#rate-submit")
    phone.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).state == "closed"

    # Anyone sees the public page: state, history and photos, and never who reported it.
    public = browser.new_page(base_url=live_server.url)
    public.goto(f"/cases/{code}/")
    text = public.inner_text("main")
    assert code in text
    for secret in reporter_details.values():
        assert secret not in public.content()
    images = public.locator("main img[src*='/media/']")
    assert images.count() == 2
    assert all(
        public.evaluate("(img) => img.complete && img.naturalWidth > 0", images.nth(i).element_handle())
        for i in range(images.count())
    )
    public.close()
