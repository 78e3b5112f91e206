"""The triage queue and the case screen: what needs a decision first at the top, who is deciding what, the live
refresh that keeps the operator's selection, and a decision that moves on to the next case."""

import sys
import types
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse

from dashboard import claims
from reports import clock, services
from reports.models import Case, State
from tests.conftest import advance, client_for


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _submit(category, description="Quán bán giá cắt cổ", latitude="16.470000"):
    return services.case_submit(
        description=description, latitude=latitude, longitude="107.590000", category=category
    ).case


def _set(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)


def _codes(response):
    return [case.tracking_code for case in response.context["page"].object_list]


# --- the order of the queue -----------------------------------------------------------------------------------


def test_queue_puts_returned_first_then_the_nearest_deadline_then_priority_then_age(
    operator, staff_a, agency_a, category
):
    now = clock.now()
    newer_normal = _submit(category)
    older_normal = _submit(category)
    urgent = _submit(category)
    overdue = _submit(category)
    later_deadline = _submit(category)
    returned = advance(_submit(category), "assigned", operator=operator, staff=staff_a, agency=agency_a)
    services.case_return(case=returned, by=staff_a, reason="Không thuộc phạm vi")
    same_deadline = now + timedelta(hours=5)
    _set(newer_normal, verify_deadline=same_deadline, created_at=now - timedelta(hours=1))
    _set(older_normal, verify_deadline=same_deadline, created_at=now - timedelta(hours=2))
    _set(urgent, verify_deadline=same_deadline, priority="urgent", created_at=now - timedelta(minutes=5))
    _set(overdue, verify_deadline=now - timedelta(hours=3))
    _set(later_deadline, verify_deadline=now + timedelta(days=2), priority="urgent")

    response = _client(operator).get(reverse("dashboard:triage"))

    assert _codes(response) == [
        returned.tracking_code,
        overdue.tracking_code,
        urgent.tracking_code,
        older_normal.tracking_code,
        newer_normal.tracking_code,
        later_deadline.tracking_code,
    ]


def test_queue_rows_show_who_is_deciding_each_case(operator, plain_operator, category):
    mine, theirs, free = _submit(category), _submit(category), _submit(category)
    claims.claim_take(case=mine, by=operator)
    claims.claim_take(case=theirs, by=plain_operator)
    lapsed = clock.now() - timedelta(minutes=claims.CLAIM_MINUTES + 1)
    claims.claim_take(case=free, by=plain_operator, now=lapsed)

    response = _client(operator).get(reverse("dashboard:triage"))

    rows = {case.tracking_code: case for case in response.context["page"].object_list}
    assert rows[mine.tracking_code].held.operator == operator
    assert rows[theirs.tracking_code].held.operator == plain_operator
    assert rows[free.tracking_code].held is None
    content = response.content.decode()
    assert content.count("you are deciding it") == 1
    assert content.count("plain_operator is deciding it (until") == 1


def test_the_live_refresh_answers_only_the_rows_and_keeps_the_ticked_cases(operator, category):
    ticked, other = _submit(category), _submit(category)
    client = _client(operator)

    response = client.get(reverse("dashboard:triage"), {"cases": [ticked.tracking_code]}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'value="{ticked.tracking_code}" id="select-{ticked.tracking_code}" checked' in content
    assert f'value="{other.tracking_code}" id="select-{other.tracking_code}" aria-label' in content
    assert "HX-Request" in response["Vary"]
    page = client.get(reverse("dashboard:triage"), {"state": "submitted"}).content.decode()
    assert 'hx-get="/centre/?state=submitted"' in page
    assert 'hx-trigger="every 10s"' in page
    assert 'hx-include=".queue-select"' in page


def test_the_queue_page_loads_htmx_and_its_script_from_our_own_files_and_shows_the_keys(operator, category):
    _submit(category)

    content = _client(operator).get(reverse("dashboard:triage")).content.decode()

    assert '<script src="/static/vendor/htmx/htmx.min.js"></script>' in content
    assert '<script src="/static/js/triage.js"></script>' in content
    assert "<script>" not in content
    assert '"allowEval": false' in content
    assert "<kbd>J</kbd>" in content
    assert 'id="shortcuts"' in content


def test_an_empty_queue_says_so_and_offers_no_rows(operator):
    content = _client(operator).get(reverse("dashboard:triage"), HTTP_HX_REQUEST="true").content.decode()

    assert "Nothing to triage" in content
    assert "queue-row" not in content


# --- the case screen ------------------------------------------------------------------------------------------


def test_the_case_screen_offers_every_decision_with_its_key_and_the_neighbours_in_the_queue(
    operator, agency_a, category
):
    first, middle, last = _submit(category), _submit(category, latitude="16.470500"), _submit(category)
    now = clock.now()
    for hours, case in enumerate((first, middle, last)):
        _set(case, verify_deadline=now + timedelta(hours=hours + 1))

    response = _client(operator).get(reverse("dashboard:case", args=[middle.tracking_code]))

    content = response.content.decode()
    assert (response.context["previous_code"], response.context["next_code"]) == (
        first.tracking_code,
        last.tracking_code,
    )
    for key in ("V", "R", "M", "N", "P", "Q", "?"):
        assert f"<kbd>{key}</kbd>" in content
    assert 'id="verify-button" aria-keyshortcuts="V"' in content
    # The most likely duplicate is one key away.
    top = response.context["top_duplicate"].case
    assert f'<input type="hidden" name="into" value="{top.tracking_code}">' in content
    assert 'id="merge-top-button"' in content


def test_the_verified_case_screen_assigns_to_the_suggestion_with_a(operator, agency_a, case):
    services.case_verify(case=case, by=operator)

    content = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code])).content.decode()

    assert 'id="assign-suggested" accesskey="s" aria-keyshortcuts="A Alt+S Alt+Shift+S"' in content
    assert "Assign to Phu Hoi market management <kbd>A</kbd>" in content


@dataclass
class FakeSuggestion:
    category: object
    confidence: float
    prefill: bool
    version: int = 3
    alternatives: tuple = ()


@pytest.fixture
def classifier(monkeypatch):
    """A stand-in for dashboard.classifier.suggest (helper 5's module): answers what the test sets."""
    module = types.ModuleType("dashboard.classifier.suggest")
    module.answer = None
    module.suggestion_for = lambda case: module.answer
    monkeypatch.setitem(sys.modules, "dashboard.classifier.suggest", module)
    return module


def test_a_confident_suggestion_prefills_the_verify_form(operator, other_category, case, classifier):
    classifier.answer = FakeSuggestion(category=other_category, confidence=0.93, prefill=True)

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert response.context["forms"]["verify"].initial["category"] == other_category.pk


def test_a_suggestion_not_to_prefill_leaves_the_reporters_category(operator, other_category, case, classifier):
    classifier.answer = FakeSuggestion(category=other_category, confidence=0.41, prefill=False)

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert response.context["forms"]["verify"].initial["category"] == case.category_id


def test_a_failing_classifier_does_not_take_the_case_screen_down(operator, case, classifier):
    def broken(case):
        raise RuntimeError("model file missing")

    classifier.suggestion_for = broken

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert response.status_code == 200
    assert response.context["category_suggestion"] is None


# --- after a decision -----------------------------------------------------------------------------------------


def test_verifying_from_the_screen_stays_on_the_case_to_assign_it(operator, case):
    response = _client(operator).post(reverse("dashboard:verify", args=[case.tracking_code]), {"then": "next"})

    assert response.url == reverse("dashboard:case", args=[case.tracking_code])


def test_a_decision_that_takes_the_case_out_of_the_queue_moves_on_to_the_next_case_no_one_else_holds(
    operator, plain_operator, category
):
    decided, held, free = _submit(category), _submit(category), _submit(category)
    claims.claim_take(case=held, by=plain_operator)

    response = _client(operator).post(
        reverse("dashboard:reject", args=[decided.tracking_code]), {"reason": "Trùng lặp", "then": "next"}
    )

    assert Case.objects.get(pk=decided.pk).state == State.REJECTED
    assert response.url == reverse("dashboard:case", args=[free.tracking_code])


def test_the_last_decision_stays_on_the_case_and_says_the_queue_is_empty(operator, case):
    response = _client(operator).post(
        reverse("dashboard:reject", args=[case.tracking_code]), {"reason": "Trùng lặp", "then": "next"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("dashboard:case", args=[case.tracking_code])
    assert "The queue is empty" in response.content.decode()
