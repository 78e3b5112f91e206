"""The Content-Security-Policy in a real browser: the main pages, the centre's and an agency's, and the API's
reader run their scripts and styles without a single violation (an inline script, an inline handler or a style
the policy refuses would be reported by Chromium on the console and as a securitypolicyviolation event)."""

import re

import pytest

from reports import services
from tests.browser.conftest import sign_in
from tests.conftest import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set before any page script runs: every violation the page reports, whatever the console says.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " +
    (event.sourceFile || "") + ":" + event.lineNumber);
});
"""
CONSOLE_VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|apply|load|evaluate|connect|frame)")


def watch(page):
    """The page's CSP violations, console messages and script errors, as they come."""
    seen = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: CONSOLE_VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    return seen


def visit(page, seen, path, ready):
    """Open `path`, wait until its script has visibly run (`ready`: a selector), and collect what went wrong."""
    page.goto(path)
    page.wait_for_selector(ready, state="attached")
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    return [f"{path}: {problem}" for problem in [*seen, *violations]]


def test_the_main_pages_run_under_the_policy_without_a_violation(
    phone, desk, browser, live_server, category, operator, staff_a, agency_a
):
    sent = services.case_submit(
        description="Đèn đường hỏng", latitude="16.4701", longitude="107.5901", category=category
    )
    code = sent.case.tracking_code
    advance(sent.case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    problems = []

    seen = watch(phone)
    # What each page's script does once it ran: a map drawn, a key made, a list filled.
    for path, ready in [
        ("/", "main"),
        ("/report/", "#report-map.leaflet-container"),
        (f"/cases/{code}/", ".case-map.leaflet-container"),
        ("/track/", "#track-form"),
        (f"/track/?code={code}", ".case-map.leaflet-container"),
        (f"/cases/{code}/follow/{sent.token}/", ".case-map.leaflet-container"),
        ("/transparency/", "main"),
        ("/transparency/map/", ".leaflet-marker-icon"),
        ("/api/docs/", ".swagger-ui .information-container"),
    ]:
        problems += visit(phone, seen, path, ready)
        seen.clear()
    # The report page's script made its idempotency key (a UUID) without being refused.
    phone.goto("/report/")
    phone.wait_for_selector("#report-map.leaflet-container")
    assert re.fullmatch(r"[0-9a-f-]{36}", phone.input_value("#id_idempotency_key"))

    seen = watch(desk)
    sign_in(desk, "operator")
    for path, ready in [
        ("/centre/", "main"),
        (f"/centre/cases/{code}/", ".case-map.leaflet-container"),
        ("/centre/areas/", ".leaflet-container"),
    ]:
        problems += visit(desk, seen, path, ready)
        seen.clear()

    agency = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url)
    inbox = agency.new_page()
    seen = watch(inbox)
    sign_in(inbox, "staff_a")
    for path, ready in [("/inbox/", "main"), (f"/inbox/cases/{code}/", ".case-map.leaflet-container")]:
        problems += visit(inbox, seen, path, ready)
        seen.clear()
    agency.close()

    assert problems == []


def test_the_report_page_makes_a_new_key_when_served_from_a_cache_with_one_already_sent(phone):
    """A page kept by a cache carries the key of the report it last sent: its script must not reuse it."""
    # This browser already sent a report with the key the (cached) page carries.
    phone.add_init_script('localStorage.setItem("huesmart.sentReportKeys", JSON.stringify(["cached-key"]))')

    def cached_copy(route):
        response = route.fetch()
        body = re.sub(
            r'name="idempotency_key" value="[^"]*"', 'name="idempotency_key" value="cached-key"', response.text()
        )
        route.fulfill(response=response, body=body)

    phone.route("**/report/", cached_copy)
    phone.goto("/report/")
    phone.wait_for_selector("#report-map.leaflet-container")

    key = phone.input_value("#id_idempotency_key")
    assert key != "cached-key"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", key)


def test_a_fresh_report_page_keeps_the_key_the_server_made(phone):
    phone.goto("/report/")
    phone.wait_for_selector("#report-map.leaflet-container")
    served = phone.evaluate("document.getElementById('id_idempotency_key').getAttribute('value')")

    assert phone.input_value("#id_idempotency_key") == served
