"""WCAG 2.1 AA on the citizen and public pages: axe-core on each page, in Vietnamese on a phone and in English on a
desk, then by keyboard what axe cannot judge (tab order, a visible focus, errors announced, the skip link and the
language switcher).

axe-core (static/vendor/axe-core/) is injected by these tests only, never served to users: as an init script, which
runs before the page's own and outside the Content-Security-Policy (add_script_tag's inline script would be refused
by it, and turning the policy off would check a page users never get).
"""

import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports import services
from reports.media import check_uploads
from reports.services.messages import reporter_link_key
from reports.services.praise import praise_submit
from tests.conftest import advance, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class Page(NamedTuple):
    """One page to check: its name, its address built from the city's data, and what to do there first."""

    name: str
    url: Callable[[SimpleNamespace], str]
    then: Callable | None = None


def submit_empty_report(page):
    # The browser's own check would stop an empty required field: the server's errors are the ones to check.
    page.evaluate("document.getElementById('report-form').noValidate = true")
    page.click("#submit-report")
    page.wait_for_selector("#error-summary")


def choose_the_category(page):
    """On a phone in Hue the open case is nearby: static/js/nearby-cases.js lists it under the map."""
    page.select_option("#id_category", index=1)
    page.wait_for_selector("#nearby-cases-list li")


def wait_for_the_map(page):
    """The transparency map loads its cases after the page: judge it with its markers drawn."""
    page.wait_for_selector("#map-status:not(:empty)")


# A new page is one line here.
PAGES = [
    Page("home", lambda city: "/"),
    Page("report form", lambda city: "/report/"),
    Page("report form, a case nearby", lambda city: "/report/", choose_the_category),
    Page("report form with errors", lambda city: "/report/", submit_empty_report),
    Page("report sent", lambda city: f"/report/sent/{city.open_case.tracking_code}/"),
    Page("track", lambda city: "/track/"),
    Page("track, not found", lambda city: "/track/?code=HUE-00-99999"),
    Page("all cases", lambda city: "/cases/"),
    Page("case", lambda city: f"/cases/{city.open_case.tracking_code}/"),
    Page("reporter's case", lambda city: f"/cases/{city.resolved_case.tracking_code}/follow/{city.token}/"),
    Page("reporter's messages", lambda city: city.messages_url),
    Page("transparency", lambda city: "/transparency/"),
    Page("transparency map", lambda city: "/transparency/map/", wait_for_the_map),
    Page("open data", lambda city: "/transparency/data/"),
    Page("a category's figures", lambda city: f"/transparency/categories/{city.category.code}/"),
    Page("a ward's figures", lambda city: f"/transparency/wards/{city.ward.code}/"),
    Page("an agency's figures", lambda city: f"/transparency/agencies/{city.agency.code}/"),
    Page("agencies' figures", lambda city: "/agencies/"),
    Page("staff sign in", lambda city: "/accounts/login/"),
    Page("my reports", lambda city: "/me/"),
    Page("citizen sign in", lambda city: "/me/sign-in/"),
    Page("offline", lambda city: "/offline/"),
    Page("good deeds", lambda city: "/good-deeds/"),
    Page("share a good deed", lambda city: "/good-deeds/new/"),
    Page("a good deed", lambda city: f"/cases/{city.good_deed.tracking_code}/"),
    Page("unsubscribe", lambda city: f"/notifications/unsubscribe/{city.unsubscribe_token}/"),
]


@pytest.fixture
def city(category, ward, agency_a, operator, staff_a, reporter_details, good_deed):
    """An open case with photos and public steps, and a resolved one with its reporter's link and messages."""

    def photos(*names):
        return check_uploads([SimpleUploadedFile(name, jpeg_bytes(size=(320, 240))) for name in names])

    open_case = services.case_submit(
        description="Quán bán bún bò 200.000 đồng một tô cho khách du lịch",
        latitude="16.470000",
        longitude="107.590000",
        address="12 Chi Lăng",
        category=category,
        uploads=photos("a.jpg", "b.jpg"),
    ).case
    open_case = advance(open_case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    services.case_progress(case=open_case, by=staff_a, note="Đã kiểm tra quán")

    submission = services.case_submit(
        description="Rác đổ trộm bên bờ sông",
        latitude="16.468000",
        longitude="107.592000",
        category=category,
        **reporter_details,
    )
    resolved_case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    services.message_to_reporter(case=resolved_case, by=staff_a, body="Anh chị có thể gửi thêm ảnh không?")
    messages_url = f"/cases/{resolved_case.tracking_code}/messages/{reporter_link_key(resolved_case)}/"
    good_deed = praise_submit(
        description="Anh xe ôm nhặt được ví và mang trả lại cho khách du lịch ở cầu Trường Tiền",
        latitude="16.468500",
        longitude="107.588000",
        category=good_deed,
    ).case
    services.case_verify(case=good_deed, by=operator)
    return SimpleNamespace(
        good_deed=good_deed,
        unsubscribe_token=resolved_case.subscriptions.get().token,
        open_case=open_case,
        resolved_case=resolved_case,
        token=submission.token,
        messages_url=messages_url,
        category=category,
        ward=ward,
        agency=agency_a,
    )


# resultTypes: only violations get their nodes' details, which makes a run on a long table several times faster.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.flatMap(v => v.nodes.map(node => `${v.id} (${v.impact}): ${v.help} -> ${node.target}`));
}"""


def axe_violations(page):
    """axe-core's WCAG 2.1 A and AA violations (and its best practices: landmarks, headings) on the page as it is now,
    one readable line per node. The page has axe from add_init_script(path=AXE)."""
    return page.evaluate(AXE_RUN, AXE_TAGS)


def page_problems(page, language):
    """What axe finds, and what it checks only in part: the page's language, alt text, the maps' names."""
    problems = axe_violations(page)
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        problems.append(f"html lang is {lang!r}, not {language!r}")
    for html in page.eval_on_selector_all("img:not([alt])", "images => images.map(i => i.outerHTML.slice(0, 120))"):
        problems.append(f"image without alt: {html}")
    for html in page.eval_on_selector_all(
        ".case-map, #report-map, #transparency-map",
        """maps => maps.filter(m => !(m.getAttribute('aria-label') || '').trim() || !m.getAttribute('role'))
                     .map(m => m.outerHTML.slice(0, 120))""",
    ):
        problems.append(f"map without a named role: {html}")
    for html in page.eval_on_selector_all(
        ".case-map",
        """maps => maps.filter(m => !m.nextElementSibling?.querySelector('a[href^="geo:"]'))
                     .map(m => m.outerHTML.slice(0, 120))""",
    ):
        problems.append(f"map without its coordinates in words: {html}")
    return problems


def check_every_page(page, city, language):
    page.add_init_script(path=str(AXE))
    found = []
    for entry in PAGES:
        page.goto(entry.url(city))
        if entry.then:
            entry.then(page)
        found += [f"[{language}] {entry.name} {page.url}: {problem}" for problem in page_problems(page, language)]
    return found


def test_every_citizen_and_public_page_passes_axe_in_both_languages(phone, desk, city):
    # The desk stands in Hue too, so the report form places its pin and lists the case nearby.
    desk.context.grant_permissions(["geolocation"])
    desk.context.set_geolocation({"latitude": 16.4675, "longitude": 107.5905})
    found = check_every_page(phone, city, "vi") + check_every_page(desk, city, "en")
    print("\n".join(found))
    assert found == []


# --- what axe cannot judge -------------------------------------------------------------------------------------

# An outline or a ring (box-shadow): what the focused control shows, compared with the same control at rest.
FOCUS_STYLE = """(el) => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {ring: outline || style.boxShadow !== 'none',
          look: [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(' ')};
}"""


def contrast_with_white(rgb):
    """WCAG's contrast ratio of an "rgb(r, g, b)" colour against white."""

    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(n)) for n in re.findall(r"\d+", rgb)[:3])
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def focus_ring_contrast(look):
    """The best contrast against white among the colours of the focus outline and ring (WCAG 1.4.11 asks 3:1)."""
    return max((contrast_with_white(rgb) for rgb in re.findall(r"rgba?\([^)]*\)", look)), default=1)


def focused(page):
    """The focused element, marked as reached (data-tabbed) for the check that nothing was skipped."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          el.dataset.tabbed = '';
          return {id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
                  inForm: !!el.closest('#report-form'), visible: el.matches(':focus-visible')};
        }"""
    )


# Controls in the form a pointer can use, never reached by Tab: a radio counts as reached when one of its group is.
UNREACHED = """() => Array.from(document.querySelectorAll(
    '#report-form :is(input:not([type=hidden]), select, textarea, button, a[href], [tabindex]:not([tabindex="-1"]))'))
  .filter(el => el.getClientRects().length && !el.disabled && !('tabbed' in el.dataset))
  .filter(el => !(el.type === 'radio' && el.form.querySelector(`[name="${el.name}"][data-tabbed]`)))
  .map(el => el.id || el.outerHTML.slice(0, 80))"""


def test_the_report_form_is_used_by_keyboard_in_order_with_a_visible_focus(desk, category):
    desk.goto("/report/")
    desk.wait_for_selector("#pin-centre:not([hidden])")
    order, styles = [], {}
    # From the top of the page, as a keyboard user arrives: the header's links, then the form.
    for _ in range(80):
        desk.keyboard.press("Tab")
        now = focused(desk)
        if not now["inForm"]:
            if order:
                break
            continue
        key = now["id"] or f"{now['tag']}[name={now['name']}]"
        order.append(key)
        assert now["visible"], f"{key} does not match :focus-visible when reached by Tab"
        styles[key] = desk.evaluate(FOCUS_STYLE, desk.evaluate_handle("document.activeElement"))
    assert desk.evaluate(UNREACHED) == [], order
    # Every control the citizen fills, in the order they read it, the map in its place between them.
    expected = [
        "id_category",
        "id_description",
        "use-location",
        "pin-centre",
        "report-map",
        "id_address",
        "id_media",
        "id_media_gallery",
        "id_name",
        "id_phone",
        "id_email",
        "submit-report",
    ]
    assert [key for key in order if key in expected] == expected, order
    # A focused control shows an outline or a ring, and looks different from the same control at rest.
    desk.evaluate("document.activeElement.blur()")
    for key in expected:
        rest = desk.evaluate(FOCUS_STYLE, desk.locator(f"#{key}").element_handle())
        assert styles[key]["ring"], f"{key} has no outline or ring when focused: {styles[key]['look']}"
        assert styles[key]["look"] != rest["look"], f"{key} looks the same focused and unfocused: {rest['look']}"
        assert focus_ring_contrast(styles[key]["look"]) >= 3, f"{key}'s focus ring is faint: {styles[key]['look']}"


def test_a_failed_report_announces_its_errors(phone, category):
    phone.goto("/report/")
    phone.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    submit_empty_report(phone)
    summary = phone.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    for field in ("id_category", "id_description"):
        control = phone.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true"
        described = (control.get_attribute("aria-describedby") or "").split()
        messages = [phone.locator(f"#{name}").inner_text() for name in described]
        error = phone.locator(f"#error-summary a[href='#{field}']").inner_text()
        assert error in " ".join(messages), (field, described, messages)
    # The summary's link takes the keyboard to the field.
    phone.locator("#error-summary a[href='#id_description']").focus()
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "id_description"


def test_the_skip_link_and_the_language_switcher_work_by_keyboard(phone):
    phone.goto("/track/")
    assert phone.evaluate("document.documentElement.lang") == "vi"
    phone.keyboard.press("Tab")
    skip = phone.locator(".skip-link")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 1 and box["height"] > 1, box
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"

    english = phone.locator("form.language button[value=en]")
    assert english.get_attribute("lang") == "en"
    phone.reload()
    for _ in range(30):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.getAttribute('value')") == "en":
            break
    else:
        pytest.fail("the English button is not reachable by Tab")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.evaluate("document.documentElement.lang") == "en"
    assert re.search(r"/track/$", phone.url)
    assert phone.locator("form.language button[aria-current=true]").get_attribute("value") == "en"
