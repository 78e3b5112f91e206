"""Thanking an agency on a phone: the citizen chooses a thanks and the agency on /good-deeds/new/, sends it and gets
the tracking code; the operator verifies it at /centre/, which publishes it; it then shows on /good-deeds/ and on the
agency's transparency page."""

import re

import pytest

from reports.models import Case, State
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_PROBLEM = re.compile(r"Content Security Policy|Refused to")
WORDS = "Cảm ơn ban quản lý chợ đã xử lý quầy bán giá cắt cổ chỉ trong một buổi sáng."


def watch(page, problems):
    page.on("console", lambda message: CSP_PROBLEM.search(message.text) and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))


def test_a_citizen_thanks_an_agency_which_the_centre_publishes(
    phone, desk, thanks, good_deed, agency_a, operator, screenshots
):
    problems = []
    watch(phone, problems)
    watch(desk, problems)

    # The citizen: a thanks, to agency A, in their words, at the place the phone gives.
    phone.goto("/good-deeds/new/")
    phone.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert phone.is_hidden("#agency-choice")
    phone.check(f'input[name="category"][data-code="{thanks.code}"]')
    phone.wait_for_selector("#agency-choice", state="visible")
    phone.select_option("#id_agency", agency_a.code)
    phone.fill("#id_description", WORDS)
    screenshots(phone, "thanks-form")
    with phone.expect_navigation():
        phone.click("#submit-report")

    case = Case.objects.get()
    assert phone.url.endswith(f"/good-deeds/sent/{case.tracking_code}/")
    assert phone.inner_text("#tracking-code").strip() == case.tracking_code
    assert (case.category, case.agency, case.state) == (thanks, agency_a, State.SUBMITTED)
    screenshots(phone, "sent")

    # The operator verifies it from the centre's queue: verifying a thanks publishes it.
    sign_in(desk, "operator")
    desk.goto("/centre/")
    desk.wait_for_selector(f"#row-{case.tracking_code}")
    with desk.expect_navigation():
        desk.click(f"#open-{case.tracking_code}")
    with desk.expect_navigation():
        desk.click("#verify-button")
    case.refresh_from_db()
    assert (case.state, case.category, case.agency) == (State.CLOSED, thanks, agency_a)

    # The public: the list of good deeds, and the agency's transparency page.
    phone.goto("/good-deeds/")
    item = phone.locator(f'li.good-deed[data-code="{case.tracking_code}"]')
    assert item.count() == 1
    assert WORDS[:60] in item.inner_text() and agency_a.name_vi in item.inner_text()
    screenshots(phone, "good-deeds")
    phone.goto(f"/transparency/agencies/{agency_a.code}/")
    thanked = phone.locator(f'#thanks-received a[href="/good-deeds/?agency={agency_a.code}"]')
    assert re.match(r"1\D", thanked.inner_text())
    screenshots(phone, "agency-page")
    assert problems == []
