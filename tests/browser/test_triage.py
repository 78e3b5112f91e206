"""The centre's triage by keyboard in Chromium: open the queue, open a case, verify it with V, assign it with A,
and watch another window's queue refresh by itself, keeping the case the operator ticked and the focus."""

import re

import pytest

from dashboard import views
from reports import services
from reports.models import Case
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_PROBLEM = re.compile(r"Content Security Policy|Refused to")


def test_an_operator_triages_by_keyboard_and_the_queue_updates_itself(desk, operator, agency_a, category, monkeypatch):
    # A second's refresh instead of the page's usual few, so the test need not wait.
    monkeypatch.setattr(views, "QUEUE_REFRESH_SECONDS", 1)
    first, second = (
        services.case_submit(description=text, latitude="16.4701", longitude="107.5901", category=category).case
        for text in ("Quán nước bán 50.000 đồng một chai", "Bãi giữ xe thu 30.000 đồng")
    )
    problems = []
    desk.on("console", lambda message: CSP_PROBLEM.search(message.text) and problems.append(message.text))
    desk.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(desk, "operator")

    # Another window keeps the queue open: the operator ticks the second case there.
    watcher = desk.context.new_page()
    watcher.on("console", lambda message: CSP_PROBLEM.search(message.text) and problems.append(message.text))
    watcher.goto("/centre/")
    watcher.wait_for_selector(f"#row-{first.tracking_code}")
    watcher.keyboard.press("j")
    watcher.keyboard.press("j")
    watcher.keyboard.press("x")
    assert watcher.is_checked(f"#select-{second.tracking_code}")
    assert watcher.evaluate("document.activeElement.id") == f"open-{second.tracking_code}"

    # The queue, then the first case, by keyboard.
    desk.goto("/centre/")
    desk.keyboard.press("j")
    with desk.expect_navigation():
        desk.keyboard.press("Enter")
    assert desk.url.endswith(f"/centre/cases/{first.tracking_code}/")
    assert "You are deciding this case" in desk.inner_text("#claim-status")

    # V verifies it; the screen stays on the case, now to assign.
    with desk.expect_navigation():
        desk.keyboard.press("v")
    desk.wait_for_selector("#assign-suggested")
    assert Case.objects.get(pk=first.pk).state == "verified"

    # A assigns it to the suggested agency and moves on to the next case.
    with desk.expect_navigation():
        desk.keyboard.press("a")
    desk.wait_for_url(re.compile(rf"/centre/cases/{second.tracking_code}/$"))
    first.refresh_from_db()
    assert (first.state, first.agency_id) == ("assigned", agency_a.pk)
    assert f"Case {first.tracking_code} is assigned to" in desk.inner_text(".messages")

    # The open queue dropped the decided case by itself, kept the tick and the focus, and says who decides the other.
    watcher.wait_for_selector(f"#row-{first.tracking_code}", state="detached", timeout=8_000)
    assert watcher.is_checked(f"#select-{second.tracking_code}")
    assert watcher.evaluate("document.activeElement.id") == f"open-{second.tracking_code}"
    watcher.wait_for_selector(f"#row-{second.tracking_code} .badge-claim.mine", timeout=8_000)
    assert "you are deciding it" in watcher.inner_text(f"#row-{second.tracking_code}")

    # "?" shows the shortcuts on the case screen.
    desk.keyboard.press("?")
    assert desk.is_visible("#shortcuts")
    assert problems == []
