"""The public side of good deeds and thanks: their list, their pages, the transparency site and the agencies' pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reports import clock, services
from reports.media import check_uploads
from reports.models import Category, Media
from reports.services.praise import praise_submit
from reports.transparency import mapdata
from tests.conftest import client_for, jpeg_bytes, refresh_figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("good_deed", "thanks")]


def share(code, words, agency=None, uploads=()):
    return praise_submit(
        category=Category.objects.get(code=code),
        agency=agency,
        description=words,
        latitude="16.470000",
        longitude="107.590000",
        address="Bờ sông Hương",
        uploads=uploads,
    ).case


@pytest.fixture
def praise(operator, agency_a, django_capture_on_commit_callbacks):
    """Published: a good deed with a photo, then a thanks to agency A, then a good deed; one waiting, one rejected."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    found = {}
    with django_capture_on_commit_callbacks(execute=True):
        photo = check_uploads([SimpleUploadedFile("a.jpg", jpeg_bytes(size=(320, 240)), content_type="image/jpeg")])
        found["photo"] = share("good-deed", "Các bạn đoàn viên dọn rác bờ sông Hương", uploads=photo)
    found["thanks"] = share("thanks", "Cảm ơn BQL chợ đã xử lý rất nhanh", agency=agency_a)
    found["deed"] = share("good-deed", "Chú bảo vệ giúp cụ già lạc đường về nhà")
    for key in ("photo", "thanks", "deed"):
        with clock.travel(clock.now()):
            services.case_verify(case=found[key], by=operator)
    found["waiting"] = share("good-deed", "Chưa được kiểm tra")
    found["rejected"] = share("thanks", "Lời lẽ xúc phạm", agency=agency_a)
    services.case_reject(case=found["rejected"], by=operator, reason="Xúc phạm cá nhân")
    for case in found.values():
        case.refresh_from_db()
    return found


def codes(response):
    return [case.tracking_code for case in response.context["page"].object_list]


def test_the_list_shows_what_is_published_newest_first_with_public_photos_only(praise, agency_a):
    response = Client().get(reverse("reports:good_deeds"))
    html = response.content.decode()

    assert response.status_code == 200
    assert codes(response) == [praise[k].tracking_code for k in ("deed", "thanks", "photo")]
    assert "Chưa được kiểm tra" not in html and "Lời lẽ xúc phạm" not in html
    assert f"to {agency_a.name}" in html
    media = Media.objects.get(case=praise["photo"])
    assert media.status == Media.Status.READY
    assert reverse("reports:media_thumbnail", args=[media.pk]) in html
    assert reverse("reports:media_original", args=[media.pk]) not in html
    assert Client().get(reverse("reports:media_thumbnail", args=[media.pk])).status_code == 200
    assert "1 thanks to agencies" in html and "2 good deeds published" in html


def test_the_list_filters_by_kind_and_by_the_agency_thanked(praise, agency_a, agency_b):
    client = Client()
    assert codes(client.get(reverse("reports:good_deeds"), {"kind": "thanks"})) == [praise["thanks"].tracking_code]
    deeds = codes(client.get(reverse("reports:good_deeds"), {"kind": "good-deed"}))
    assert deeds == [praise["deed"].tracking_code, praise["photo"].tracking_code]
    to_a = client.get(reverse("reports:good_deeds"), {"agency": agency_a.code})
    assert codes(to_a) == [praise["thanks"].tracking_code]
    assert f"Thanks to {agency_a.name}" in to_a.content.decode()
    to_b = client.get(reverse("reports:good_deeds"), {"agency": agency_b.code})
    assert codes(to_b) == [] and "No thanks to this agency has been published yet." in to_b.content.decode()
    # An unknown filter is ignored, as on the public case list.
    assert len(codes(client.get(reverse("reports:good_deeds"), {"kind": "nonsense", "agency": "nobody"}))) == 3


def test_an_empty_list_says_so_and_invites_the_first_one(db):
    response = Client().get(reverse("reports:good_deeds"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="no-good-deeds"' in html and reverse("reports:praise_new") in html


def test_the_list_is_paginated_by_twenty(operator):
    for n in range(21):
        services.case_verify(case=share("good-deed", f"Việc tốt số {n}"), by=operator)
    client = Client()
    first, second = client.get(reverse("reports:good_deeds")), client.get(reverse("reports:good_deeds"), {"page": 2})
    assert len(codes(first)) == 20 and len(codes(second)) == 1
    assert set(codes(first)).isdisjoint(codes(second))


@pytest.mark.parametrize("who", ["anonymous", "operator"])
def test_the_public_page_of_a_thanks_reads_as_thanks_not_as_a_problem(praise, agency_a, who, request):
    client = client_for(None if who == "anonymous" else request.getfixturevalue("operator"))
    html = client.get(reverse("reports:case", args=[praise["thanks"].tracking_code])).content.decode()
    assert "Thanks to an agency" in html and "Agency thanked" in html and agency_a.name in html
    assert "published" in html and "Cảm ơn BQL chợ đã xử lý rất nhanh" in html
    for problem_words in ("Deadline", "not assigned yet", "What was reported", "will check it and send it"):
        assert problem_words not in html, problem_words
    waiting = client.get(reverse("reports:case", args=[praise["waiting"].tracking_code])).content.decode()
    assert "waiting to be checked" in waiting and "Good deed" in waiting
    rejected = client.get(reverse("reports:case", args=[praise["rejected"].tracking_code])).content.decode()
    assert "Why it was not published" in rejected and "Xúc phạm cá nhân" in rejected


def test_the_transparency_home_counts_good_deeds_apart_from_the_figures(praise, category):
    services.case_submit(description="Rác", latitude="16.47", longitude="107.59", category=category)
    refresh_figures()
    html = Client().get(reverse("transparency:home")).content.decode()

    block = html[html.index('id="tiles-praise"') : html.index("</ul>", html.index('id="tiles-praise"'))]
    found = dict(re.findall(r'data-figure="(\w+)"><a href="[^"]+"><span class="n">(\d+)</span>', block))
    assert found == {"good_deeds": "2", "thanks": "1"}
    tiles = html[html.index('id="tiles-all"') :]
    assert re.search(r'data-figure="received"><a href="[^"]*figure=received"><span class="n">1</span>', tiles)
    latest = html[html.index('id="good-deeds"') :]
    assert latest.index(praise["deed"].tracking_code) < latest.index(praise["photo"].tracking_code)


def test_an_agency_page_shows_the_thanks_it_received_and_how_to_thank_it(praise, agency_a, agency_b):
    page = Client().get(reverse("transparency:agency", args=[agency_a.code])).content.decode()
    assert "1 thanks received from citizens" in page
    assert f"{reverse('reports:good_deeds')}?agency={agency_a.code}" in page
    assert f"{reverse('reports:praise_new')}?agency={agency_a.code}" in page
    other = Client().get(reverse("transparency:agency", args=[agency_b.code])).content.decode()
    assert "No thanks from citizens published yet." in other


def test_the_home_page_links_to_sharing_and_to_the_list(db):
    html = Client().get(reverse("reports:home")).content.decode()
    assert f'href="{reverse("reports:praise_new")}" id="praise-button"' in html
    assert f'href="{reverse("reports:good_deeds")}" id="good-deeds-link"' in html


@pytest.mark.parametrize("read_from", ["points", "grid"])
def test_the_maps_figures_leave_out_good_deeds_and_thanks_it_still_shows(praise, category, monkeypatch, read_from):
    services.case_submit(description="Rác", latitude="16.47", longitude="107.59", category=category)
    refresh_figures()
    if read_from == "grid":
        monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)
    client = Client()

    def count(**filters):
        answer = client.get("/transparency/map.json", {"bbox": "107.40,16.30,107.80,16.65", **filters}).json()
        return answer["count"]

    # The three published ones are on the map as closed cases; no figure counts them.
    assert count(state="closed") == 3
    assert (count(state="handled"), count(state="eligible"), count(state="under_review")) == (0, 1, 0)
