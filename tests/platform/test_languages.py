"""Every citizen and public page, form error and error answer in Vietnamese (the city's default) or English, as the
browser or the switch chose; dates, times and numbers written each language's way, in the city's time zone.

How "no English is left on a Vietnamese page" is checked (test_vietnamese_pages_have_no_english_words)
------------------------------------------------------------------------------------------------------
Each page is rendered in Vietnamese and cut into what a person reads or hears: the text outside <script>, <style>,
<code> and <pre>; the title, alt, aria-label and placeholder attributes; data-text-* and data-msg-* attributes (the
words our scripts show); the labels of input buttons. Elements marked with another language than the page's (the
switcher's lang="en" "English") are skipped. Each word of three or more ASCII letters that is not all capitals
(acronyms: CSV, API, UBND) must have the shape of a Vietnamese syllable: an initial consonant (b, ch, gh, ngh, qu,
tr, ...), one to three vowels, a final c, ch, m, n, ng, nh, p or t. Vietnamese without its marks fits ("con", "tin",
"thanh", "trong"); the words of an English sentence nearly all do not ("report", "case", "your", "sent", "with",
"and", "of"). A word that does not fit and is not on the allow-list (loanwords the translation keeps, names of
brands and formats) fails the test, naming the page, the text and the word.

Skipped: tokens holding / . = _ @ : (paths, file names, query parameters, e-mail addresses), {placeholders} of our
scripts, data-attribution (the map tile provider's credit, in its own words), and what the database holds (the
fixtures write it in Vietnamese). A few short English words fit the shape ("the", "to", "map"): a sentence never
consists of those alone, and test_the_check_catches_the_english_pages proves the check is not vacuous by running it
on the same pages in English.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from reports import clock, services
from reports.models import Case, CaseEvent, Subscription
from reports.services.messages import reporter_link_key
from tests.conftest import advance, refresh_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wired(settings):
    """What huesmart/settings.py names (test_the_settings_and_urls_name_them checks it does)."""
    settings.FORMAT_MODULE_PATH = "huesmart.formats"
    settings.CSRF_FAILURE_VIEW = "huesmart.errors.csrf_failure"


# Loanwords and names the Vietnamese catalogue keeps as they are, lower case.
ALLOWED = {
    "huesmart",
    "email",
    "mail",
    "cookie",
    "video",
    "menu",
    "javascript",
    "openstreetmap",
    "merkle",
    "atom",
    "feed",
    "geojson",
    "point",
    "creative",
    "commons",
    "zalo",
    "online",
    "website",
}
# The open-data page documents the values of the `state` column, which are data, not words.
STATE_VALUES = {"submitted", "verified", "rejected", "merged", "assigned", "progress", "resolved", "closed"}

_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")
_WORD = re.compile(r"[^\W\d_]+")
_TECHNICAL = re.compile(r"\S*[/=_@:]\S*|\S+\.\S+|\{\w+\}")
_READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_UNREAD = {"script", "style", "code", "pre"}


class _ReadText(HTMLParser):
    """(where, text) for each piece of a page a person reads or hears."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = []  # (tag, skipped)
        self.found = []
        self.language = None

    def _skipped(self):
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        language = attributes.get("lang")
        if tag == "html":
            self.language = language
        other_language = language is not None and language != self.language
        skipped = self._skipped() or tag in _UNREAD or other_language
        if not skipped:
            for name, value in attrs:
                read = name in _READ_ATTRIBUTES or name.startswith(("data-text-", "data-msg-"))
                if value and read:
                    self.found.append((f"<{tag} {name}>", value))
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.found.append((f"<{tag} value>", attributes["value"]))
        if tag not in _VOID:
            self.open.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            self.found.append((f"<{self.open[-1][0] if self.open else ''}>", " ".join(data.split())))


def english_words(text, allowed=frozenset()):
    words = []
    for word in _WORD.findall(_TECHNICAL.sub(" ", text)):
        if len(word) < 3 or not word.isascii() or word.isupper() or word.lower() in ALLOWED | allowed:
            continue
        if not _SYLLABLE.fullmatch(word.lower()):
            words.append(word)
    return words


def english_on(html, allowed=frozenset()):
    parser = _ReadText()
    parser.feed(html)
    return [(where, text[:120], words) for where, text in parser.found if (words := english_words(text, allowed))]


def test_the_syllable_check_tells_vietnamese_from_english():
    assert english_words("Gửi phản ánh, theo dõi tình trạng xử lý trong thành phố Huế") == []
    assert english_words("Tin nhan khong dau van dung hinh dang tieng Viet") == []
    assert english_words("Send the report and track your case") == ["Send", "report", "and", "track", "your", "case"]
    assert english_words("Tải CSV, xem trên /cases/HUE-26-00001/ hoặc ?ward=phu-hoi, viết cho a@b.vn") == []


# --- the pages -----------------------------------------------------------------------------------------------


@pytest.fixture
def city(settings, submission, operator, staff_a, agency_a, ward):
    """A resolved case of a reporter with an address, the figures computed; the pages read in Vietnamese."""
    settings.LANGUAGE_CODE = "vi"
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    refresh_figures()
    return {"case": case, "token": submission.token, "agency": agency_a, "ward": ward}


def _pages(city):
    case, token = city["case"], city["token"]
    code = case.tracking_code
    private = reverse("reports:reporter_case", args=[code, token])
    return [
        ("GET", "/", None),
        ("GET", reverse("reports:submit"), None),
        ("POST", reverse("reports:submit"), {"description": ""}),
        ("GET", reverse("reports:submitted", args=[code]), None),
        ("GET", reverse("reports:track"), None),
        ("GET", reverse("reports:track") + "?code=", None),
        ("GET", reverse("reports:track") + "?code=HUE-00-99999", None),
        ("GET", reverse("reports:case_list"), None),
        ("GET", reverse("reports:case", args=[code]), None),
        ("GET", private, None),
        ("POST", reverse("reports:rate", args=[code, token]), {"stars": "9"}),
        ("POST", reverse("reports:reopen", args=[code, token]), {"reason": ""}),
        ("GET", reverse("reports:reporter_messages", args=[code, reporter_link_key(case)]), None),
        ("GET", reverse("agency_stats:index"), None),
        ("GET", reverse("transparency:home"), None),
        ("GET", reverse("transparency:map"), None),
        ("GET", reverse("transparency:data"), None),
        ("GET", reverse("transparency:category", args=[case.category.code]), None),
        ("GET", reverse("transparency:agency", args=[city["agency"].code]), None),
        ("GET", reverse("transparency:ward", args=[city["ward"].code]), None),
        ("GET", reverse("login"), None),
        ("GET", "/no-such-page/", None),
        ("GET", reverse("reports:case", args=["HUE-00-99999"]), None),
    ]


def _visit(client, method, url, data, **headers):
    if method == "POST":
        return client.post(url, data, **headers)
    return client.get(url, **headers)


@pytest.mark.urls("tests.platform.language_urls")
def test_vietnamese_pages_have_no_english_words(city):
    client = Client()
    found = []
    for method, url, data in _pages(city):
        response = _visit(client, method, url, data)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        allowed = STATE_VALUES if url == reverse("transparency:data") else frozenset()
        page = response.content.decode()
        assert '<html lang="vi">' in page, url
        found += [f"{method} {url} {where} {text!r}: {words}" for where, text, words in english_on(page, allowed)]
    assert found == [], "English on Vietnamese pages:\n" + "\n".join(found)


@pytest.mark.urls("tests.platform.language_urls")
def test_the_check_catches_the_english_pages(city):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for method, url, data in _pages(city):
        page = _visit(client, method, url, data).content.decode()
        assert '<html lang="en">' in page, url
        assert len(english_on(page)) >= 5, url


def test_form_errors_on_citizen_pages_are_in_the_pages_language(settings, case):
    settings.LANGUAGE_CODE = "vi"
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")

    follow = client.post(reverse("reports:follow", args=[case.tracking_code]), {"email": "not an address"})
    report = client.post(reverse("reports:submit"), {"description": "", "latitude": "abc"})

    assert follow.status_code == report.status_code == 400
    assert _vi("Enter a valid email address.") in follow.content.decode()
    assert _vi("Enter a number.") in report.content.decode()
    assert not Subscription.objects.filter(role="follower").exists()
    assert Case.objects.count() == 1


# --- choosing the language --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        (None, "vi"),
        ("fr-FR,fr;q=0.9,de;q=0.8", "vi"),
        ("zh-CN", "vi"),
        ("en-GB,en;q=0.9", "en"),
        ("en-US", "en"),
        ("fr-FR,en;q=0.5", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
    ],
)
def test_the_browser_chooses_and_vietnamese_is_the_default(settings, accept_language, lang):
    settings.LANGUAGE_CODE = "vi"
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}

    response = Client(**headers).get("/")

    assert f'<html lang="{lang}">' in response.content.decode()
    assert response["Content-Language"] == lang


def _switcher(page):
    """The language form of a page: its action, its `next`, the languages it offers."""
    form = re.search(r'<form action="([^"]+)" method="post" class="language".*?</form>', page, re.DOTALL)
    assert form is not None, "no language switcher"
    following = re.search(r'name="next" type="hidden" value="([^"]*)"', form.group(0)).group(1)
    offered = re.findall(r'name="language" value="(\w+)"', form.group(0))
    return form.group(1), following.replace("&amp;", "&"), offered


@pytest.mark.urls("tests.platform.language_urls")
def test_every_citizen_and_public_page_can_switch_language_without_script_and_comes_back(city):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    for method, url, data in _pages(city):
        if method != "GET":
            continue
        action, following, offered = _switcher(_visit(client, method, url, data).content.decode())
        assert action == reverse("set_language") and offered == ["vi", "en"], url
        assert following == url, url


@pytest.mark.urls("tests.platform.language_urls")
def test_the_switch_is_remembered_over_the_browsers_language(city):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi-VN,vi")
    page = f"{reverse('reports:case_list')}?page=1"

    response = client.post(reverse("set_language"), {"language": "en", "next": page})

    assert response.status_code == 302 and response["Location"] == page
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    assert '<html lang="en">' in client.get(reverse("transparency:home")).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_the_switch_refuses_a_next_address_on_another_site(settings):
    response = Client().post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switched_language_is_stored_with_the_report_for_its_messages(settings, category):
    """A Vietnamese phone switched to English: the report and its reporter are in English, for every message."""
    settings.LANGUAGE_CODE = "vi"
    client = Client(HTTP_ACCEPT_LANGUAGE="vi-VN,vi")
    client.post(reverse("set_language"), {"language": "en", "next": reverse("reports:submit")})
    data = {
        "category": str(category.pk),
        "description": "Đèn đường hỏng trước số 5 Lê Lợi",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "email": "visitor@example.org",
    }

    assert client.post(reverse("reports:submit"), data).status_code == 302

    case = Case.objects.get()
    assert (case.language, case.reporter.language) == ("en", "en")


@pytest.mark.parametrize(("language", "due"), [("vi", "24/11/2026 14:05"), ("en", "24 Nov 2026, 14:05")])
def test_emails_write_times_in_the_readers_language_and_the_citys_time(settings, case, language, due):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    # 07:05 UTC is 14:05 in Huế; the e-mail is written by a worker, with no request and no active time zone.
    case.deadline = datetime.datetime(2026, 11, 24, 7, 5, tzinfo=datetime.UTC)
    context = {"case": case, "event": CaseEvent(case=case, kind="overdue"), "case_url": "https://example.org/"}

    with translation.override(language):
        text = render_to_string("reports/email/case_event.txt", context)
        html = render_to_string("reports/email/case_event.html", context)

    assert f"({due})" in text and f"({due})" in html


# --- formats ------------------------------------------------------------------------------------------------------


@pytest.fixture
def tuesday_case(settings, category):
    """A case received on Tuesday 24 November 2026 at 14:05 in Huế (07:05 UTC)."""
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    with clock.travel(datetime.datetime(2026, 11, 24, 7, 5, tzinfo=datetime.UTC)):
        return services.case_submit(
            description="Rác thải đổ trộm bên bờ sông", latitude="16.47", longitude="107.59", category=category
        ).case


@pytest.mark.parametrize(
    ("accept_language", "received", "short"),
    [("vi", "Thứ 3, 24/11/2026 14:05", "24/11/2026"), ("en", "Tuesday 24 November 2026, 14:05", "24 Nov 2026")],
)
def test_dates_are_written_the_languages_way_in_the_citys_time(tuesday_case, accept_language, received, short):
    client = Client(HTTP_ACCEPT_LANGUAGE=accept_language)

    case_page = client.get(reverse("reports:case", args=[tuesday_case.tracking_code])).content.decode()
    list_page = client.get(reverse("reports:case_list")).content.decode()

    assert f'<time datetime="2026-11-24T14:05:00+07:00">{received}</time>' in case_page
    assert f'<time datetime="2026-11-24T14:05:00+07:00">{short}</time>' in list_page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", ["12.345", "1.234.567", "0", "999", "1.000"]), ("en", ["12,345", "1,234,567", "0", "999", "1,000"])],
)
def test_public_figures_group_thousands_the_languages_way(language, expected):
    counts = {"received": 12345, "eligible": 1234567, "handled": 0, "under_review": 999, "overdue": 1000}
    with translation.override(language):
        tiles = render_to_string("transparency/_tiles.html", {"counts": counts, "period": "all"})

    assert re.findall(r'<span class="n">([^<]*)</span>', tiles) == expected


def test_formats_keep_iso_first_for_date_inputs():
    """Django writes a form's date back with the first input format, and <input type="date"> reads only ISO."""
    from django.utils import formats

    for language in ("vi", "en"):
        with translation.override(language):
            assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
            assert formats.get_format("DATETIME_INPUT_FORMATS")[0] == "%Y-%m-%d %H:%M:%S"
            assert formats.date_format(datetime.time(21, 30), "TIME_FORMAT") == "21:30"


# --- errors ---------------------------------------------------------------------------------------------------------


MESSAGE_500 = "Something went wrong on our side. It has been reported; please try again in a few minutes."


def _vi(message):
    with translation.override("vi"):
        return gettext(message)


def test_the_settings_and_urls_name_the_formats_and_the_error_views():
    # The modules themselves: the tests here set both settings (_wired).
    from huesmart import settings as site_settings
    from huesmart import urls

    assert site_settings.FORMAT_MODULE_PATH == "huesmart.formats"
    assert site_settings.CSRF_FAILURE_VIEW == "huesmart.errors.csrf_failure"
    handlers = (urls.handler400, urls.handler403, urls.handler404, urls.handler500)
    assert handlers == tuple(
        f"huesmart.errors.{name}" for name in ("bad_request", "permission_denied", "page_not_found", "server_error")
    )


@pytest.mark.urls("tests.platform.language_urls")
@pytest.mark.parametrize(("accept_language", "lang", "title"), [("vi", "vi", None), ("en", "en", "Page not found")])
def test_a_missing_page_is_a_page_of_the_site_in_the_browsers_language(settings, accept_language, lang, title):
    settings.LANGUAGE_CODE = "vi"

    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get("/cases/HUE-00-99999/")

    page = response.content.decode()
    assert response.status_code == 404 and response["Content-Language"] == lang
    assert f'<html lang="{lang}">' in page and 'id="not-found"' in page
    assert f"<h1>{title or _vi('Page not found')}</h1>" in page
    assert 'action="/track/"' in page and 'name="code"' in page
    assert 'class="language"' in page


@pytest.mark.urls("tests.platform.language_urls")
def test_errors_of_the_api_and_open311_follow_accept_language(settings):
    settings.LANGUAGE_CODE = "vi"
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    english = Client(HTTP_ACCEPT_LANGUAGE="en")

    # DRF turns Http404("No such case.") into its answer as it is: the message must be translated where raised.
    missing_case = vietnamese.get("/api/v1/cases/HUE-00-99999/").json()
    assert missing_case == {"detail": _vi("No such case.")} != {"detail": "No such case."}
    assert english.get("/api/v1/cases/HUE-00-99999/").json() == {"detail": "No such case."}
    # An address the API does not have: JSON too, not the site's page.
    missing = vietnamese.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and missing.json() == {"detail": _vi("Not found.")}
    refused = vietnamese.post("/api/v1/reports/", {}, content_type="application/json").json()
    assert refused["description"] == [_vi("This field is required.")] != ["This field is required."]
    long = vietnamese.post("/api/v1/reports/", {"description": "x" * 5001}, content_type="application/json").json()
    too_long = "Ensure this field has no more than {max_length} characters."
    # DRF's own catalogue lacks it: huesmart/drf_messages.py brings it to ours.
    assert long["description"] == [_vi(too_long).format(max_length=5000)] != [too_long.format(max_length=5000)]
    open311 = vietnamese.get("/open311/v2/requests/HUE-00-99999.json")
    message = _vi("service_request_id %(id)s was not found.") % {"id": "HUE-00-99999"}
    assert open311.status_code == 404 and open311.json() == [{"code": 404, "description": message}]


CSRF_FAILED_API = (
    "This request was refused for your safety: it came from a signed-in session without a valid security (CSRF) "
    "token, for example from a page left open too long. Nothing was changed. Reload the page and try again; a "
    "program using the API with a session must send the X-CSRFToken header, or sign in with a token."
)


@pytest.mark.parametrize(("accept_language", "language"), [("vi", "vi"), ("en", "en")])
def test_an_api_call_from_a_session_without_its_csrf_token_is_refused_in_the_readers_language(
    settings, operator, case, accept_language, language
):
    settings.LANGUAGE_CODE = "vi"
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=accept_language)
    client.force_login(operator)
    events = case.events.count()

    response = client.post(
        f"/api/v1/cases/{case.tracking_code}/note/", {"note": "Đã kiểm tra"}, content_type="application/json"
    )

    with translation.override(language):
        expected = gettext(CSRF_FAILED_API)
    # DRF's own "CSRF Failed: CSRF token missing." is English whatever the language.
    assert response.status_code == 403 and response["Content-Language"] == language
    assert response.json() == {"detail": expected, "code": "csrf_failed"}
    assert (expected != CSRF_FAILED_API) == (language == "vi")
    assert case.events.count() == events


def test_the_staff_case_map_names_its_zoom_buttons_in_the_pages_language(case):
    """static/js/case-map.js titles Leaflet's zoom buttons with these (Leaflet's own say "Zoom in" in English)."""
    with translation.override("vi"):
        html = render_to_string("dashboard/partials/case_map.html", {"case": case})

    assert f'data-text-zoom-in="{_vi("Zoom in")}"' in html and _vi("Zoom in") != "Zoom in"
    assert f'data-text-zoom-out="{_vi("Zoom out")}"' in html and _vi("Zoom out") != "Zoom out"


def test_drf_messages_declared_for_translation_are_drfs_own():
    """huesmart/drf_messages.py copies DRF's strings word for word: a copy DRF no longer uses translates nothing."""
    from pathlib import Path

    import rest_framework

    from huesmart import drf_messages

    source = "".join(path.read_text() for path in Path(rest_framework.__file__).parent.glob("*.py"))
    declared = [*drf_messages.FIELDS, *drf_messages.ERRORS, *drf_messages.TOKEN_AUTHENTICATION]
    with translation.override("en"):
        missing = [str(m) for m in declared if repr(str(m)) not in source and f'"{m}"' not in source]
    assert missing == []


@pytest.mark.urls("tests.platform.language_urls")
def test_a_server_error_is_a_self_contained_page_that_reads_no_database(settings, django_assert_num_queries):
    settings.LANGUAGE_CODE = "vi"
    client = Client(HTTP_ACCEPT_LANGUAGE="vi", raise_request_exception=False)

    with django_assert_num_queries(0):
        response = client.get("/boom/")

    page = response.content.decode()
    assert response.status_code == 500 and '<html lang="vi">' in page
    assert f"<h1>{_vi('Something went wrong')}</h1>" in page
    assert "RuntimeError" not in page and "a bug" not in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False).post("/boom/", {"x": "1"})
    assert "<h1>Something went wrong</h1>" in english.content.decode()
    assert "What you sent may not have been saved." in english.content.decode()
    api = Client(HTTP_ACCEPT_LANGUAGE="vi", raise_request_exception=False).get("/api/v1/boom/")
    assert api.status_code == 500 and api.json() == {"detail": _vi(MESSAGE_500)}


def test_the_server_error_pages_styles_are_allowed_by_the_content_security_policy(rf):
    """500.html may load no file: its one <style> block must be one the policy allows by its hash."""
    import base64
    import hashlib

    from huesmart.errors import server_error

    page = server_error(rf.get("/")).content.decode()
    [block] = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.urls("tests.platform.language_urls")
def test_a_refused_host_is_a_translated_bad_request_page(settings):
    settings.LANGUAGE_CODE = "vi"

    response = Client(HTTP_HOST="evil.example").get("/")

    assert response.status_code == 400
    assert 'id="bad-request"' in response.content.decode() and '<html lang="vi">' in response.content.decode()


@pytest.mark.urls("tests.platform.language_urls")
def test_a_form_too_large_to_read_is_refused_with_a_clear_message_and_nothing_stored(settings, category):
    settings.LANGUAGE_CODE = "vi"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    data = {"category": str(category.pk), "description": "Quá dài " * 1000, "latitude": "16.47", "longitude": "107.59"}

    response = Client(HTTP_ACCEPT_LANGUAGE="vi").post(reverse("reports:submit"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert _vi("What you sent is too large. Go back, shorten it and send it again.") in page
    assert _vi("What you sent was not saved.") in page
    assert not Case.objects.exists()


@pytest.mark.urls("tests.platform.language_urls")
def test_a_staff_page_refused_to_a_signed_in_outsider_is_translated(settings, outsider):
    settings.LANGUAGE_CODE = "vi"
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(outsider)

    response = client.get(reverse("dashboard:triage"))

    page = response.content.decode()
    assert response.status_code == 403 and 'id="forbidden"' in page and '<html lang="vi">' in page
    assert _vi("You are not allowed to see this page.") in page


@pytest.mark.urls("tests.platform.language_urls")
def test_a_stale_form_on_a_phone_says_nothing_was_saved_and_the_reloaded_form_goes_through(settings, case):
    settings.LANGUAGE_CODE = "vi"
    phone = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    case_url = reverse("reports:case", args=[case.tracking_code])
    follow_url = reverse("reports:follow", args=[case.tracking_code])
    phone.get(case_url)
    # The page sat in a tab for days; the browser dropped the cookie its form's token belongs to.
    stale_token = phone.cookies["csrftoken"].value
    del phone.cookies["csrftoken"]

    response = phone.post(
        follow_url,
        {"email": "hang@example.org", "csrfmiddlewaretoken": stale_token},
        HTTP_REFERER=f"http://testserver{case_url}",
    )

    page = response.content.decode()
    assert response.status_code == 403 and '<html lang="vi">' in page and 'id="csrf-failure"' in page
    assert _vi("This page was open too long, so for your safety it was not sent. Nothing was saved.") in page
    assert f'href="http://testserver{case_url}"' in page
    cookie_hint = (
        "If this happens again, your browser may be refusing this site's cookie. The site needs it only to protect "
        "your forms: allow it, then send again."
    )
    assert _vi(cookie_hint) in page
    assert not Subscription.objects.filter(role="follower").exists()
    # The answer carried a new cookie: the reloaded page's form is accepted.
    reloaded = phone.get(case_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reloaded).group(1)
    assert phone.post(follow_url, {"email": "hang@example.org", "csrfmiddlewaretoken": token}).status_code == 302
    assert Subscription.objects.get(role="follower").language == "vi"


@pytest.mark.urls("tests.platform.language_urls")
def test_a_stale_form_answered_in_english_to_an_english_reader(settings, case):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(reverse("reports:follow", args=[case.tracking_code]), {"email": "a@example.org"})

    page = response.content.decode()
    assert response.status_code == 403 and '<html lang="en">' in page
    assert "Nothing was saved." in page and "Reload the page, then send it again." in page
    assert f'href="{reverse("reports:home")}"' in page


def test_too_many_reports_is_answered_in_the_pages_language(settings):
    settings.LANGUAGE_CODE = "vi"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["1/m"]}
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")

    statuses = [client.post(reverse("reports:submit"), {}).status_code for _ in range(2)]

    assert statuses == [400, 429]
    page = client.post(reverse("reports:submit"), {}).content.decode()
    assert '<html lang="vi">' in page and english_on(page) == []
