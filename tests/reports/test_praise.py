"""Good deeds and thanks: verified by the centre and published, handled by no one, never counted as problems."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from agencies.escalation import deadline_sweep
from agencies.stats import agency_figures
from reports import clock, praise_selectors, services
from reports.errors import InvalidInput, InvalidTransition
from reports.models import Case, CaseEvent, Category, DeadlineAlert, Media, State
from reports.rollups import read
from reports.services.praise import praise_submit
from tests.conftest import advance, client_for, jpeg_bytes, refresh_figures

pytestmark = [pytest.mark.django_db]

WORDS = "Anh xe ôm ở cầu Trường Tiền nhặt được ví và hộ chiếu của du khách, đã mang trả lại."


def share(category, agency=None, **extra):
    return praise_submit(
        category=category,
        agency=agency,
        description=WORDS,
        latitude="16.470000",
        longitude="107.590000",
        address="Cầu Trường Tiền",
        **extra,
    )


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


# --- The life cycle ------------------------------------------------------------------------------------------------


def test_the_migration_makes_two_praise_categories_verified_by_a_person(good_deed, thanks):
    for category in (good_deed, thanks):
        assert category.kind == Category.Kind.PRAISE
        assert (category.auto_assign, category.auto_verify, category.is_active) == (False, False, True)
    assert (good_deed.name_vi, thanks.name_vi) == ("Việc tốt", "Cảm ơn cơ quan")
    assert good_deed.agency_kind.code == "ward-committee"


def test_verifying_a_good_deed_publishes_it_in_the_same_step(good_deed, operator):
    case = share(good_deed, name="Lê Thị Hoa", email="hoa@example.org").case
    assert case.state == State.SUBMITTED and case.tracking_code.startswith("HUE-")

    services.case_verify(case=case, by=operator, note="Đã xác minh")

    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert (case.agency, case.deadline, case.assigned_at) == (None, None, None)
    assert case.closed_at is not None
    assert kinds(case) == ["submitted", "verified", "closed"]
    closed = CaseEvent.objects.get(case=case, kind="closed")
    assert closed.data == {"by": "published"} and closed.is_public
    assert "Published" in closed.note or "công khai" in closed.note
    assert list(praise_selectors.published()) == [case]


def test_a_thanks_names_the_agency_which_sees_it_read_only_in_its_history(thanks, agency_a, staff_a, staff_b, operator):
    case = share(thanks, agency=agency_a).case
    assert Case.objects.get(pk=case.pk).agency == agency_a

    services.case_verify(case=case, by=operator)

    case.refresh_from_db()
    assert (case.state, case.agency, case.deadline) == (State.CLOSED, agency_a, None)
    assert CaseEvent.objects.get(case=case, kind="closed").agency == agency_a
    inbox = client_for(staff_a).get(reverse("agencies:inbox"), {"tab": "done"})
    assert case.tracking_code in inbox.content.decode()
    todo = client_for(staff_a).get(reverse("agencies:inbox"))
    assert case.tracking_code not in todo.content.decode()
    page = client_for(staff_a).get(reverse("agencies:case", args=[case.tracking_code]))
    assert page.status_code == 200
    assert set(page.context["forms"]) == {"note"}
    assert client_for(staff_b).get(reverse("agencies:case", args=[case.tracking_code])).status_code == 404
    # Nothing the agency may do with it: it was never assigned.
    with pytest.raises(InvalidTransition):
        services.case_accept(case=case, by=staff_a)


@pytest.mark.parametrize("agency_state", ["missing", "inactive"])
def test_a_thanks_needs_an_active_agency_and_leaves_nothing_without_one(thanks, agency_a, agency_state):
    agency = None
    if agency_state == "inactive":
        agency_a.is_active = False
        agency_a.save()
        agency = agency_a
    with pytest.raises(InvalidInput):
        share(thanks, agency=agency)
    assert not Case.objects.exists()


def test_a_good_deed_thanks_no_agency_and_a_problem_category_is_refused(good_deed, category, agency_a):
    assert share(good_deed, agency=agency_a).case.agency is None
    with pytest.raises(InvalidInput):
        share(category)
    assert Case.objects.count() == 1


def test_the_centre_rejects_abuse_with_a_reason_and_it_is_never_published(thanks, agency_a, operator):
    case = share(thanks, agency=agency_a).case
    services.case_reject(case=case, by=operator, reason="Nội dung xúc phạm cá nhân")
    case.refresh_from_db()
    assert case.state == State.REJECTED
    assert CaseEvent.objects.get(case=case, kind="rejected").note == "Nội dung xúc phạm cá nhân"
    assert not praise_selectors.published().exists()
    assert praise_selectors.thanks_received(agency_a) == 0
    with pytest.raises(InvalidInput):
        services.case_reject(case=share(thanks, agency=agency_a).case, by=operator, reason=" ")


def test_routing_automatic_steps_and_deadlines_never_touch_a_praise_case(good_deed, thanks, agency_a, operator):
    # Even a praise category set to assign and verify automatically is published, never routed.
    Category.objects.filter(pk__in=[good_deed.pk, thanks.pk]).update(auto_assign=True, auto_verify=True)
    good_deed.refresh_from_db()
    case = share(good_deed).case
    assert services.case_verify_automatically(case=case) is True
    thanked = share(thanks, agency=agency_a)
    services.case_verify(case=thanked.case, by=operator)
    for found in (case, thanked.case):
        found.refresh_from_db()
        assert found.state == State.CLOSED and found.deadline is None
        assert "assigned" not in kinds(found)
        with pytest.raises(InvalidTransition):
            services.case_assign(case=found, agency=agency_a, by=operator)
    # The reporter can neither reopen (it would go to the agency with a deadline) nor rate it.
    assert services.can_reopen(thanked.case) is False
    with pytest.raises(InvalidTransition):
        services.case_reopen(case=thanked.case, token=thanked.token, reason="Chưa xong")
    with pytest.raises(InvalidTransition):
        services.case_rate(case=thanked.case, token=thanked.token, stars=5)
    # Months later the deadline sweep finds nothing to warn anyone about.
    later = clock.now() + timedelta(days=60)
    with clock.travel(later):
        deadline_sweep(later)
    assert not DeadlineAlert.objects.filter(case__in=[case, thanked.case]).exists()
    thanked.case.refresh_from_db()
    assert (thanked.case.state, thanked.case.rating) == (State.CLOSED, None)


def test_a_praise_case_the_centre_reclassifies_as_a_problem_goes_on_as_one(thanks, category, agency_a, operator):
    case = share(thanks, agency=agency_a).case
    services.case_verify(case=case, by=operator, category=category)
    case.refresh_from_db()
    assert (case.state, case.category, case.agency) == (State.VERIFIED, category, None)
    services.case_assign(case=case, agency=agency_a, by=operator)
    case.refresh_from_db()
    assert case.state == State.ASSIGNED and case.deadline is not None


# --- The figures ---------------------------------------------------------------------------------------------------


def test_figures_count_problems_only_and_a_thanks_is_no_handled_case(
    category, good_deed, thanks, agency_a, staff_a, operator, ward
):
    problem = advance(
        services.case_submit(
            description="Quán bán giá cắt cổ", latitude="16.470000", longitude="107.590000", category=category
        ).case,
        "resolved",
        operator=operator,
        staff=staff_a,
        agency=agency_a,
    )
    for praise in (share(thanks, agency=agency_a).case, share(good_deed).case, share(thanks, agency=agency_a).case):
        services.case_verify(case=praise, by=operator)
    share(good_deed)  # waiting to be checked: neither published nor counted
    refresh_figures()

    city = read.figures()
    assert (city.received, city.eligible, city.handled, city.under_review) == (1, 1, 1, 0)
    agency = read.figures(read.Dimension.AGENCY, agency_a.pk)
    assert (agency.received, agency.handled) == (1, 1)
    assert read.figures(read.Dimension.WARD, ward.pk).received == 1
    assert read.figures(read.Dimension.CATEGORY, thanks.pk).received == 0
    [row] = [f for f in agency_figures() if f.agency == agency_a]
    assert (row.received, row.handled) == (1, 1)
    assert praise_selectors.counts() == {"good_deeds": 1, "thanks": 2}
    assert praise_selectors.thanks_received(agency_a) == 2
    # The centre's case lists behind the figures agree with them.
    client = client_for(operator)
    for figure, n in (("received", 1), ("handled", 1), ("eligible", 1)):
        listed = client.get(reverse("dashboard:cases"), {"figure": figure, "agency": agency_a.pk})
        assert listed.context["page"].paginator.count == n, figure
    public = Client().get(reverse("reports:case_list"), {"figure": "received"})
    assert [c.tracking_code for c in public.context["page"].object_list] == [problem.tracking_code]


# --- The citizen's page --------------------------------------------------------------------------------------------


def photo(name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def form_data(chosen, **overrides):
    data = {
        "category": str(chosen.pk),
        "description": WORDS,
        "latitude": "16.470000",
        "longitude": "107.590000",
        "address": "Cầu Trường Tiền",
        "email": "hoa@example.org",
        "idempotency_key": "2b1b7a0e-0d2c-4d59-9a57-1f6c1c2f7a11",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_page_offers_a_good_deed_or_a_thanks_and_the_report_form_offers_neither(good_deed, thanks, category):
    page = Client().get(reverse("reports:praise_new"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["category"].queryset) == [good_deed, thanks]
    html = page.content.decode()
    assert 'data-code="thanks"' in html and 'id="report-map"' in html and "js/report-form.js" in html
    report = Client().get(reverse("reports:submit"))
    assert list(report.context["form"].fields["category"].queryset) == [category]
    # Posted anyway, a praise category is refused on the report page.
    refused = Client().post(reverse("reports:submit"), {**form_data(good_deed), "idempotency_key": "k-report-1"})
    assert refused.status_code == 400 and not Case.objects.exists()
    assert "Choose a category from the list." in refused.content.decode()


def test_a_thanks_link_opens_the_form_as_a_thanks_to_that_agency(thanks, agency_a):
    page = Client().get(reverse("reports:praise_new"), {"agency": agency_a.code})
    assert page.context["form"].initial == {"category": thanks.pk, "agency": agency_a.code}


def test_sharing_a_good_deed_with_a_photo_goes_through_the_report_pipeline(good_deed, agency_a):
    client = Client()
    response = client.post(reverse("reports:praise_new"), form_data(good_deed, agency=agency_a.code, media=[photo()]))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:praise_sent", args=[case.tracking_code])
    assert (case.category, case.agency, case.state) == (good_deed, None, State.SUBMITTED)
    assert case.reporter.email == "hoa@example.org"
    assert Media.objects.get(case=case).kind == Media.Kind.PHOTO
    sent = client.get(response.url)
    assert sent.status_code == 200
    assert case.tracking_code in sent.content.decode() and sent.context["follow_url"]
    # Sent again (a double tap), the same key leads to the same one.
    again = client.post(reverse("reports:praise_new"), form_data(good_deed, agency=agency_a.code, media=[photo()]))
    assert again.status_code == 302 and Case.objects.count() == 1


def test_a_thanks_from_the_page_reaches_the_agency(thanks, agency_a):
    response = Client().post(reverse("reports:praise_new"), form_data(thanks, agency=agency_a.code))
    assert response.status_code == 302
    assert Case.objects.get().agency == agency_a


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agency": None}, "agency", "Choose the agency you want to thank."),
        ({"agency": "no-such-agency"}, "agency", "Choose an agency from the list."),
        ({"description": "  "}, "description", "Tell what happened."),
        ({"category": None}, "category", "Choose a good deed or a thanks."),
        ({"latitude": "", "longitude": ""}, "latitude", "choose the place on the map"),
        ({"latitude": "21.0", "longitude": "105.8"}, "latitude", "outside"),
        ({"media": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]}, "media", "x.jpg"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_stores_nothing(thanks, agency_a, overrides, field, message):
    data = form_data(thanks, agency=agency_a.code)
    data.update({key: value for key, value in overrides.items() if value is not None})
    for key in [key for key, value in overrides.items() if value is None]:
        data.pop(key)
    response = Client().post(reverse("reports:praise_new"), data)
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert not Case.objects.exists() and not Media.objects.exists()
    assert WORDS in response.content.decode() or field == "description"


def test_the_sent_page_of_a_problem_is_not_found(case):
    assert Client().get(reverse("reports:praise_sent", args=[case.tracking_code])).status_code == 404


def test_the_centre_publishes_it_from_its_case_page(thanks, agency_a, operator):
    case = share(thanks, agency=agency_a).case
    client = client_for(operator)
    assert client.get(reverse("dashboard:case", args=[case.tracking_code])).status_code == 200
    response = client.post(reverse("dashboard:verify", args=[case.tracking_code]), {"category": thanks.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.agency) == (State.CLOSED, agency_a)


def test_the_demo_plans_good_deeds_and_thanks_to_real_demo_agencies_and_no_problem_story_is_one():
    from reports.demo import organisations, praise, stories

    now = clock.now()
    plans = praise.plan_praise(30, seed=2026, now=now)
    assert plans == praise.plan_praise(30, seed=2026, now=now)
    agencies = {spec.code for spec in organisations.AGENCIES}
    assert {plan.category for plan in plans} == {"good-deed", "thanks"}
    for plan in plans:
        assert plan.external_id.startswith("demo-praise-") and plan.steps[0].action == "submit"
        assert (plan.agency in agencies) if plan.category == "thanks" else plan.agency is None
        assert {step.action for step in plan.steps[1:]} <= {"verify", "reject"}
        assert all(step.at <= now for step in plan.steps)
    assert len({plan.external_id for plan in plans}) == 30
    assert any(plan.photo for plan in plans) and sum("verify" in [s.action for s in p.steps] for p in plans) > 20
    assert praise.share_of(360) == 30 and praise.share_of(25) == 0
    problems = stories.plan_cases(120, seed=2026, now=now, deadline_for=lambda *a: now, confirm_days=7)
    assert not [plan for plan in problems if plan.category in ("good-deed", "thanks")]
