"""Categories verified automatically (Category.auto_verify): a worker verifies and routes the report as soon as it is
received, so it reaches the agency's inbox without waiting for the centre."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import Case, EventKind, Outbox, Role, State
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PHU_HOI = {"latitude": "16.470000", "longitude": "107.590000"}


def _submit(category, **place):
    return services.case_submit(description="Đèn đường tắt cả tuần", category=category, **(place or PHU_HOI)).case


def test_a_report_of_an_automatic_category_reaches_the_agency_without_the_centre(
    category, agency_a, django_capture_on_commit_callbacks
):
    category.auto_verify = category.auto_assign = True
    category.save()

    with django_capture_on_commit_callbacks(execute=True):
        case = _submit(category)

    case.refresh_from_db()
    assert case.state == State.ASSIGNED
    assert case.agency == agency_a
    verified = case.events.get(kind=EventKind.VERIFIED)
    assert (verified.actor, verified.actor_role) == (None, Role.SYSTEM)
    assert case.events.get(kind=EventKind.ASSIGNED).actor_role == Role.SYSTEM


def test_verified_automatically_without_automatic_assignment_waits_for_routing(
    category, agency_a, django_capture_on_commit_callbacks
):
    category.auto_verify = True
    category.save()

    with django_capture_on_commit_callbacks(execute=True):
        case = _submit(category)

    case.refresh_from_db()
    assert case.state == State.VERIFIED and case.agency is None


def test_other_categories_wait_for_the_centre_and_queue_no_verification(category, agency_a):
    case = _submit(category)

    assert case.state == State.SUBMITTED
    assert not Outbox.objects.filter(task="reports.tasks.case_auto_verify").exists()


def test_the_worker_leaves_a_case_an_operator_already_decided(category, agency_a, operator):
    category.auto_verify = True
    category.save()
    case = _submit(category)
    services.case_reject(case=case, by=operator, reason="Trùng lặp")
    events = case.events.count()

    assert services.case_verify_automatically(case=case) is False

    case.refresh_from_db()
    assert case.state == State.REJECTED and case.events.count() == events


def test_switching_the_category_off_before_the_worker_runs_leaves_the_case_to_the_centre(category, agency_a):
    category.auto_verify = True
    category.save()
    case = _submit(category)
    category.auto_verify = False
    category.save()

    from reports.tasks import case_auto_verify

    case_auto_verify(case.pk)
    case_auto_verify(case.pk + 1000)  # a case that is gone: nothing to do, no error

    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_operators_switch_automatic_verification_and_others_cannot(category, operator, staff_a):
    url = reverse("dashboard:category_auto_verify", args=[category.code])

    assert client_for(staff_a).post(url, {"enabled": "1"}).status_code == 403
    category.refresh_from_db()
    assert category.auto_verify is False

    page = client_for(operator).post(url, {"enabled": "1"}, follow=True)
    category.refresh_from_db()
    assert category.auto_verify is True
    assert "verified as soon as they are received" in page.content.decode()
    assert client_for(operator).post(url, {}).status_code == 400
