"""Likely duplicates: the ranking (pure), the cases nearby a citizen is shown before sending a report, the centre's
ranked merge candidates, and a merge that keeps both histories, tells both reporters and moves the followers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from reports import clock, duplicates, services
from reports.duplicates import Sighting, bounding_box, metres_between, normalise, rank, text_similarity
from reports.errors import InvalidTransition
from reports.models import CaseEvent, EventKind, State, Subscription
from tests.conftest import client_for

MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# One thousandth of a degree of latitude is about 111 m.
LAT, LON = 16.47, 107.59


def seen(*, north_m=0.0, hours=0.0, text="Đèn đường hỏng trước nhà số 12"):
    return Sighting(LAT + north_m / 111_195, LON, MOMENT + timedelta(hours=hours), text)


def ranked(origin, **candidates):
    return [likely.case for likely in rank(origin, candidates.items(), radius_m=300, days=30)]


# --- text -------------------------------------------------------------------------------------------------


def test_normalise_folds_vietnamese_to_plain_lower_case_words():
    assert normalise("  Đèn ĐƯỜNG hỏng,   tối  om!! ") == "den duong hong toi om"
    assert normalise("Ngập nước ở Huế") == "ngap nuoc o hue"


def test_text_typed_without_accents_is_as_alike_as_the_same_text_with_them():
    assert text_similarity("Đèn đường hỏng", "den duong hong") == pytest.approx(1.0)
    assert text_similarity("Đèn đường hỏng", "DEN DUONG HONG!") == pytest.approx(1.0)


def test_similar_descriptions_score_higher_than_unrelated_ones():
    alike = text_similarity("Đèn đường hỏng cả tuần nay", "den duong bi hong")
    unrelated = text_similarity("Đèn đường hỏng cả tuần nay", "Rác thải đổ bừa bãi bên sông")

    assert alike > 0.5
    assert unrelated < 0.15
    assert alike > unrelated


def test_there_is_no_similarity_without_text():
    assert text_similarity("", "den duong hong") is None
    assert text_similarity("Đèn đường hỏng", " ,.! ") is None


# --- place ------------------------------------------------------------------------------------------------


def test_metres_between_points_a_thousandth_of_a_degree_apart():
    assert metres_between(LAT, LON, LAT + 0.001, LON) == pytest.approx(111.2, abs=0.1)
    assert metres_between(LAT, LON, LAT, LON + 0.001) == pytest.approx(106.6, abs=0.1)


def test_the_bounding_box_holds_every_point_within_the_radius():
    south, west, north, east = bounding_box(LAT, LON, 300)

    for bearing_lat, bearing_lon in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        # Walk out along each axis to the last point still within 300 m.
        step = 0.000001
        lat, lon = LAT, LON
        while metres_between(LAT, LON, lat + bearing_lat * step, lon + bearing_lon * step) <= 300:
            lat, lon = lat + bearing_lat * step, lon + bearing_lon * step
        assert float(south) <= lat <= float(north)
        assert float(west) <= lon <= float(east)
    assert float(north - south) < 2 * 300 / 111_000


# --- ranking ----------------------------------------------------------------------------------------------


def test_ranking_puts_the_nearest_first_when_time_and_text_are_the_same():
    assert ranked(seen(), far=seen(north_m=250), near=seen(north_m=20), middle=seen(north_m=120)) == [
        "near",
        "middle",
        "far",
    ]


def test_ranking_puts_the_closest_in_time_first_when_place_and_text_are_the_same():
    origin = seen()
    candidates = {"weeks": seen(hours=-24 * 20), "hours": seen(hours=3), "days": seen(hours=-24 * 4)}

    assert ranked(origin, **candidates) == ["hours", "days", "weeks"]


def test_ranking_puts_the_most_alike_text_first_with_or_without_accents():
    origin = seen(text="Đèn đường hỏng")
    candidates = {
        "other": seen(text="Rác thải đổ bừa bãi"),
        "no_accents": seen(text="den duong hong"),
        "partly": seen(text="đèn giao thông hỏng"),
    }

    assert ranked(origin, **candidates) == ["no_accents", "partly", "other"]


def test_much_more_alike_text_outweighs_a_little_distance():
    origin = seen(text="Đèn đường hỏng")
    candidates = {"near_other": seen(north_m=10, text="Ổ gà lớn giữa đường"), "alike": seen(north_m=60)}

    assert ranked(origin, **candidates) == ["alike", "near_other"]


def test_ranking_leaves_out_what_is_beyond_the_radius_or_the_time_window():
    origin = seen()
    candidates = {"far": seen(north_m=320), "old": seen(hours=-24 * 31), "later": seen(hours=24 * 31), "ok": seen()}

    assert ranked(origin, **candidates) == ["ok"]


def test_ranking_reports_the_parts_of_the_score():
    origin = seen(text="Đèn đường hỏng")
    (likely,) = rank(origin, [("x", seen(north_m=120, hours=50, text="den duong hong"))], radius_m=300, days=30)

    assert likely.case == "x"
    assert likely.distance_m == 120
    assert likely.apart == timedelta(hours=50)
    assert likely.days_apart == 2
    assert likely.text_percent == 100
    assert 0 < likely.score <= 1


def test_without_text_place_and_time_decide():
    origin = seen(text="")
    (near, far) = rank(origin, [("far", seen(north_m=200)), ("near", seen(north_m=10))], radius_m=300, days=30)

    assert (near.case, far.case) == ("near", "far")
    assert near.similarity is None and near.text_percent is None
    assert near.score == pytest.approx((0.45 * (1 - 10 / 300) + 0.2) / 0.65, abs=0.01)


# --- the cases a citizen sees before sending a report ----------------------------------------------------

NEARBY_URL = "/api/v1/cases/nearby/"


def _submit(category, *, latitude="16.470000", longitude="107.590000", description="Đèn đường hỏng", **details):
    return services.case_submit(
        description=description, latitude=latitude, longitude=longitude, category=category, **details
    ).case


def _nearby(**params):
    query = {"latitude": "16.470000", "longitude": "107.590000", **params}
    return client_for(None).get(NEARBY_URL, {k: v for k, v in query.items() if v is not None})


def test_nearby_api_answers_public_facts_of_open_cases_of_the_category(db, category, reporter_details):
    case = _submit(category, latitude="16.471000", description="Quán bán giá cắt cổ " * 20, **reporter_details)

    response = _nearby(category=category.code)

    assert response.status_code == 200
    (found,) = response.json()
    assert found == {
        "tracking_code": case.tracking_code,
        "state": "submitted",
        "category": {"code": "price-gouging", "name": "Price gouging"},
        "description": ("Quán bán giá cắt cổ " * 20)[:139] + "…",
        "distance_m": 111,
        "created_at": found["created_at"],
        "url": f"http://testserver/cases/{case.tracking_code}/",
    }
    assert len(found["description"]) == 140
    text = response.content.decode()
    for secret in reporter_details.values():
        assert secret not in text


def test_nearby_api_never_shows_internal_notes(db, category, operator):
    case = _submit(category)
    services.case_add_note(case=case, by=operator, note="Người báo là hàng xóm của chủ quán")

    response = _nearby(category=category.code)

    assert [c["tracking_code"] for c in response.json()] == [case.tracking_code]
    assert "hàng xóm" not in response.content.decode()


def test_nearby_api_leaves_out_closed_other_category_far_and_old_cases(
    db, category, other_category, operator, settings
):
    with clock.travel(clock.now() - timedelta(days=settings.DUPLICATE_DAYS + 1)):
        old = _submit(category)
    near = _submit(category, latitude="16.470500")
    far = _submit(category, latitude="16.473000")  # about 330 m north
    other_kind = _submit(other_category)
    rejected = services.case_reject(case=_submit(category), by=operator, reason="Không phải chặt chém")
    merged = services.case_merge(case=_submit(category), into=near, by=operator)

    response = _nearby(category=category.code)

    assert [c["tracking_code"] for c in response.json()] == [near.tracking_code]
    assert {old.state, far.state, other_kind.state} == {State.SUBMITTED}
    assert (rejected.state, merged.state) == (State.REJECTED, State.MERGED)


def test_nearby_api_follows_the_configured_radius(db, category, settings):
    far = _submit(category, latitude="16.473000")
    settings.DUPLICATE_RADIUS_METRES = 400

    response = _nearby(category=category.code)

    assert [(c["tracking_code"], c["distance_m"]) for c in response.json()] == [(far.tracking_code, 334)]


def test_nearby_api_answers_at_most_five_cases_nearest_first(db, category):
    codes = [_submit(category, latitude=f"16.470{i}00").tracking_code for i in range(7)]

    response = _nearby(category=category.code)

    assert [c["tracking_code"] for c in response.json()] == codes[:5]


def test_nearby_api_answers_an_empty_list_when_nothing_is_near(db, category):
    response = _nearby(category=category.code)

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"latitude": None, "longitude": None}, {"latitude", "longitude"}),
        ({"latitude": "abc"}, {"latitude"}),
        ({"latitude": "21.0285", "longitude": "105.8542"}, {"latitude", "longitude"}),
        ({"category": "no-such-category"}, {"category"}),
        ({"category": None, "longitude": ""}, {"category", "longitude"}),
    ],
)
def test_nearby_api_refuses_bad_input_field_by_field(db, category, params, fields):
    response = _nearby(**{"category": category.code, **params})

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(isinstance(messages, list) and messages for messages in response.json().values())


def test_nearby_api_refuses_an_inactive_category(db, category):
    category.is_active = False
    category.save()

    response = _nearby(category=category.code)

    assert response.status_code == 400
    assert set(response.json()) == {"category"}


def test_nearby_api_is_in_the_schema(db):
    assert "operationId: cases_nearby" in client_for(None).get("/api/schema/").content.decode()


# --- the centre's likely duplicates ----------------------------------------------------------------------


def test_likely_duplicates_rank_open_cases_of_the_category_around_a_case(db, category, other_category, operator):
    case = _submit(category, description="Đèn đường hỏng trước chợ")
    alike_but_farther = _submit(category, latitude="16.471000", description="den duong hong truoc cho")
    near_but_other_text = _submit(category, latitude="16.470300", description="Bán hàng rong lấn chiếm")
    _submit(other_category, description="Đèn đường hỏng trước chợ")
    _submit(category, latitude="16.480000", description="Đèn đường hỏng trước chợ")
    services.case_reject(case=_submit(category), by=operator, reason="Trùng")

    found = duplicates.likely_duplicates(case)

    assert [likely.case for likely in found] == [alike_but_farther, near_but_other_text]
    assert (found[0].distance_m, found[0].days_apart, found[0].text_percent) == (111, 0, 100)
    assert found[1].text_percent < 20


def test_likely_duplicates_look_both_ways_in_time_within_the_window(db, category, settings):
    start = clock.now() - timedelta(days=60)
    with clock.travel(start):
        too_early = _submit(category)
    with clock.travel(start + timedelta(days=25)):
        before = _submit(category)
    with clock.travel(start + timedelta(days=31)):
        case = _submit(category)
    with clock.travel(start + timedelta(days=33)):
        after = _submit(category)

    found = duplicates.likely_duplicates(case)

    assert [likely.case for likely in found] == [after, before]
    assert [likely.days_apart for likely in found] == [2, 6]
    assert too_early not in [likely.case for likely in found]


def test_a_case_that_is_no_longer_open_has_no_likely_duplicates(db, category, operator):
    _submit(category)
    rejected = services.case_reject(case=_submit(category), by=operator, reason="Trùng")

    assert duplicates.likely_duplicates(rejected) == []


def test_centre_case_page_ranks_likely_duplicates_with_the_parts_of_the_score(db, category, operator):
    case = _submit(category, description="Đèn đường hỏng")
    other = _submit(category, latitude="16.471000", description="den duong hong")

    response = client_for(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Likely duplicates" in content
    assert "111 m" in content
    assert "less than a day apart" in content
    assert "text 100% alike" in content
    assert f'name="into" value="{other.tracking_code}"' in content
    assert "Merge into this one" in content


def test_merge_into_a_likely_duplicate_in_one_click(db, category, operator):
    case = _submit(category)
    other = _submit(category, latitude="16.470500")

    response = client_for(operator).post(
        reverse("dashboard:merge", args=[case.tracking_code]), {"into": other.tracking_code}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.merged_into) == (State.MERGED, other)


def test_merged_cases_offer_no_merge_and_list_no_duplicates(db, category, operator):
    case = _submit(category)
    other = _submit(category)
    services.case_merge(case=case, into=other, by=operator)

    response = client_for(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert "Likely duplicates" not in response.content.decode()


# --- merging ----------------------------------------------------------------------------------------------


def test_merge_keeps_both_histories_and_tells_both_reporters(
    db, category, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = _submit(category, email="first@example.org", language="en")
        survivor = _submit(category, email="second@example.org", language="en")
        services.case_merge(case=duplicate, into=survivor, by=operator, note="Cùng một cột đèn")

    assert list(duplicate.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED, EventKind.MERGED]
    assert list(survivor.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED, EventKind.DUPLICATE_MERGED]
    assert survivor.events.get(kind=EventKind.DUPLICATE_MERGED).data == {"from": duplicate.tracking_code}
    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["first@example.org", "second@example.org"]
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox)
    assert survivor.tracking_code in sent["first@example.org"].body
    assert sent["second@example.org"].subject == f"Your report {survivor.tracking_code}: duplicate report merged in"
    assert "second@example.org" not in sent["first@example.org"].body
    assert "first@example.org" not in sent["second@example.org"].body


def test_merge_moves_the_followers_to_the_surviving_case(db, category, operator, django_capture_on_commit_callbacks):
    duplicate = _submit(category)
    survivor = _submit(category)
    moved = services.case_follow(case=duplicate, email="moved@example.org", language="en")
    both = services.case_follow(case=duplicate, email="both@example.org", language="en")
    services.case_follow(case=survivor, email="Both@Example.org ", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_merge(case=duplicate, into=survivor, by=operator)

    moved.refresh_from_db()
    assert moved.case == survivor
    # Already following the survivor: still one follower there, and told once.
    assert not Subscription.objects.filter(pk=both.pk).exists()
    assert Subscription.objects.filter(case=survivor).count() == 2
    assert not Subscription.objects.filter(case=duplicate).exists()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["Both@Example.org", "moved@example.org"]
    assert all(duplicate.tracking_code in message.body for message in mail.outbox)


def test_a_refused_merge_moves_no_follower(db, category, operator):
    duplicate = _submit(category)
    survivor = _submit(category)
    follower = services.case_follow(case=duplicate, email="f@example.org", language="en")
    services.case_reject(case=survivor, by=operator, reason="Không đúng")
    events = CaseEvent.objects.count()

    with pytest.raises(InvalidTransition):
        services.case_merge(case=duplicate, into=survivor, by=operator)

    follower.refresh_from_db()
    assert follower.case == duplicate
    assert CaseEvent.objects.count() == events
