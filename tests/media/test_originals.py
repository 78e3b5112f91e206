"""Originals are private: the centre and the case's agency reach them through a permission-checked view, and the
reporter through short-lived signed links on their private page, bound to one file."""

import re
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services
from reports.media import check_uploads
from reports.signed_urls import PARAMETER, signed_original_url
from tests.conftest import advance, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db

ORIGINAL = jpeg_bytes(size=(96, 64), color=(20, 90, 200))


@pytest.fixture
def sent(category, reporter_details, django_capture_on_commit_callbacks):
    """A report with two photos, just sent."""
    uploads = check_uploads(
        [SimpleUploadedFile("IMG_1.jpg", ORIGINAL), SimpleUploadedFile("IMG_2.jpg", jpeg_bytes(size=(40, 40)))]
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.case_submit(
            description="Đèn đường hỏng",
            latitude="16.47",
            longitude="107.59",
            category=category,
            uploads=uploads,
            **reporter_details,
        )


@pytest.fixture
def first(sent):
    return sent.case.media.order_by("pk").first()


def reporter_page(submission):
    url = reverse("reports:reporter_case", args=[submission.case.tracking_code, submission.token])
    response = client_for(None).get(url)
    assert response.status_code == 200
    return response


def signed_links(html):
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/media/\d+/original/\?[^"]+)"', html)]


def later(monkeypatch, seconds):
    """Move the signing clock on, without touching the rest of the process's time."""
    now = time.time() + seconds
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: now))


def content(response):
    return b"".join(response.streaming_content)


def test_the_reporters_page_links_each_of_their_originals_with_a_signed_link(sent):
    response = reporter_page(sent)

    links = signed_links(response.content.decode())
    ids = list(sent.case.media.order_by("pk").values_list("pk", flat=True))
    assert [link.split("?")[0] for link in links] == [reverse("reports:media_original", args=[pk]) for pk in ids]
    assert all(f"?{PARAMETER}=" in link for link in links)
    assert "no-store" in response["Cache-Control"]


def test_a_signed_link_opens_the_original_without_signing_in(sent, first):
    link = signed_links(reporter_page(sent).content.decode())[0]

    response = client_for(None).get(link)

    assert response.status_code == 200
    assert content(response) == ORIGINAL
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_reporters_page_does_not_list_files_the_agency_added(sent, operator, staff_a, agency_a):
    case = advance(sent.case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    uploads = check_uploads([SimpleUploadedFile("work.jpg", jpeg_bytes())])
    services.case_progress(case=case, by=staff_a, note="Đã thay bóng đèn", uploads=uploads)
    agency_file = case.media.get(uploaded_by="agency")

    links = signed_links(reporter_page(sent).content.decode())

    assert len(links) == 2
    assert not any(link.startswith(reverse("reports:media_original", args=[agency_file.pk])) for link in links)


def test_a_wrong_token_shows_no_links(sent):
    url = reverse("reports:reporter_case", args=[sent.case.tracking_code, "not-the-token"])

    assert client_for(None).get(url).status_code == 404


def test_a_signed_link_works_until_it_expires(sent, first, settings, monkeypatch):
    settings.MEDIA_SIGNED_URL_SECONDS = 300
    link = signed_original_url(first)

    later(monkeypatch, 290)
    assert client_for(None).get(link).status_code == 200

    later(monkeypatch, 310)
    assert client_for(None).get(link).status_code == 404


def test_the_lifetime_comes_from_the_setting(sent, first, settings, monkeypatch):
    settings.MEDIA_SIGNED_URL_SECONDS = 30
    link = signed_original_url(first)

    later(monkeypatch, 40)

    assert client_for(None).get(link).status_code == 404


def test_a_signed_link_is_bound_to_its_file(sent):
    first, second = sent.case.media.order_by("pk")
    signature = signed_original_url(first).split("?", 1)[1]

    response = client_for(None).get(f"{reverse('reports:media_original', args=[second.pk])}?{signature}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-1] + ("A" if link[-1] != "A" else "B"),
        lambda link: link.split("?")[0] + f"?{PARAMETER}=",
        lambda link: link.split("?")[0] + f"?{PARAMETER}=garbage",
        lambda link: link.split("?")[0],
    ],
    ids=["changed", "empty", "garbage", "missing"],
)
def test_a_tampered_or_missing_signature_is_refused(sent, first, tamper):
    assert client_for(None).get(tamper(signed_original_url(first))).status_code == 404


def test_a_signature_made_for_something_else_is_refused(sent, first):
    # The same value signed without this purpose's salt (as a session or another feature might sign it).
    foreign = signing.TimestampSigner().sign(str(first.pk)).split(":", 1)[1]
    url = f"{reverse('reports:media_original', args=[first.pk])}?{PARAMETER}={foreign}"

    assert client_for(None).get(url).status_code == 404


@pytest.mark.parametrize("who", [None, "outsider", "staff_b"])
def test_without_a_signature_originals_stay_hidden_from_the_public_and_other_agencies(
    request, sent, first, operator, staff_a, agency_a, who
):
    advance(sent.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    user = request.getfixturevalue(who) if who else None

    response = client_for(user).get(reverse("reports:media_original", args=[first.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["operator", "staff_a"])
def test_the_centre_and_the_cases_agency_need_no_signature(request, sent, first, operator, staff_a, agency_a, who):
    advance(sent.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    response = client_for(request.getfixturevalue(who)).get(reverse("reports:media_original", args=[first.pk]))

    assert response.status_code == 200
    assert content(response) == ORIGINAL


def test_no_public_page_carries_a_signed_link(sent):
    for url in (reverse("reports:case", args=[sent.case.tracking_code]), f"/api/v1/cases/{sent.case.tracking_code}/"):
        html = client_for(None).get(url).content.decode()
        assert "/original/" not in html
        assert PARAMETER not in html
