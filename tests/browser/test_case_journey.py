"""One case the whole way, in a real browser: a citizen's phone, the centre, the agency, the citizen again, the public
page. A screenshot of each step is kept in var/test-artifacts/."""

import re

import pytest
from django.core import mail

from reports.models import Case
from tests.browser.conftest import sign_in
from tests.conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(320, 240))}


def test_a_report_goes_from_a_phone_to_the_agency_and_back_when_its_reporter_is_not_satisfied(
    phone, desk, browser, live_server, category, operator, staff_a, agency_a, reporter_details, screenshots
):
    shot = screenshots
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
    shot(phone, "citizen-report-form")
    phone.click("#submit-report")
    phone.wait_for_url(re.compile(r"/report/sent/"))
    shot(phone, "citizen-report-sent")
    code = phone.inner_text("#tracking-code").strip()
    follow_url = phone.get_attribute("#follow-link", "href")
    case = Case.objects.get(tracking_code=code)
    assert (case.state, case.media.count(), case.language) == ("submitted", 1, "vi")

    # The centre verifies and assigns it to the market management board.
    sign_in(desk, "operator")
    desk.goto(f"/centre/cases/{code}/")
    assert reporter_details["name"] not in desk.content()
    shot(desk, "centre-case")
    desk.click("form[action$='/verify/'] button[type=submit]")
    desk.wait_for_selector(".message.success, [role=status]")
    desk.select_option("form[action$='/assign/'] select[name=agency]", str(agency_a.pk))
    desk.select_option("form[action$='/assign/'] select[name=priority]", "high")
    desk.click("form[action$='/assign/'] button[type=submit]")
    desk.wait_for_selector("form[action$='/note/']")
    shot(desk, "centre-assigned")
    assert Case.objects.get(pk=case.pk).state == "assigned"

    # The agency finds it in its inbox, accepts it and resolves it with a photo.
    agency = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url)
    inbox = agency.new_page()
    sign_in(inbox, "staff_a")
    inbox.goto("/inbox/")
    inbox.click(f"a:has-text('{code}')")
    assert reporter_details["phone"] not in inbox.content()
    shot(inbox, "agency-case")
    inbox.click("form[action$='/accept/'] button[type=submit]")
    inbox.wait_for_selector("form[action$='/resolve/']")
    inbox.fill("form[action$='/resolve/'] textarea[name=note]", "Đã xử phạt và yêu cầu niêm yết giá")
    inbox.set_input_files("form[action$='/resolve/'] input[type=file]", [photo("after.jpg")])
    inbox.click("form[action$='/resolve/'] button[type=submit]")
    inbox.wait_for_selector("#case-history, .history, h2")
    shot(inbox, "agency-resolved")
    assert Case.objects.get(pk=case.pk).state == "resolved"
    agency.close()

    # The reporter was told of each step that matters, in Vietnamese, by e-mail (the channel they gave).
    told = [m.subject for m in mail.outbox if m.to == [reporter_details["email"]]]
    assert f"Phản ánh {code} của bạn: xử lý xong" in told, told
    assert not any(reporter_details["email"] in m.to for m in mail.outbox if m.to != [reporter_details["email"]])

    # From their private link they rate the outcome poorly and reopen it: it goes back to the same agency.
    phone.goto(follow_url)
    shot(phone, "reporter-page-resolved")
    phone.check("input[name=stars][value='1']")
    phone.fill("#id_comment", "Quán vẫn bán giá cũ")
    phone.click("#rate-submit")
    phone.wait_for_selector("#reopen-form")
    phone.fill("#reopen-form textarea[name=reason]", "Hôm nay quán vẫn bán chai nước 50.000 đồng")
    shot(phone, "reporter-rates-poorly")
    phone.click("#reopen-submit")
    phone.wait_for_load_state()
    shot(phone, "reporter-reopened")
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.agency_id) == ("assigned", agency_a.pk)
    assert case.events.get(kind="rated").data == {"stars": 1}

    # Anyone sees the public page: every step, the photos, and never who reported it.
    public = browser.new_page(base_url=live_server.url)
    public.goto(f"/cases/{code}/")
    shot(public, "public-page")
    text = public.inner_text("main")
    assert code in text
    history = public.inner_text("ol.history")
    for step in ("submitted", "verified", "assigned", "accepted", "resolved", "rated", "reopened"):
        assert step in history.lower(), (step, history)
    for secret in reporter_details.values():
        assert secret not in public.content()
    images = public.locator("main img[src*='/media/']")
    assert images.count() == 2
    assert all(
        public.evaluate("(img) => img.complete && img.naturalWidth > 0", images.nth(i).element_handle())
        for i in range(images.count())
    )
    public.close()
