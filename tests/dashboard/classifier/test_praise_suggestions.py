"""The classifier suggests problems for problems only: nothing for a good deed or a thanks (the citizen chose it on
the praise form), and never a praise category for a problem, at triage least of all where it pre-fills."""

from django.urls import reverse

from dashboard.classifier.suggest import suggest_text, suggestion_for
from dashboard.models import ClassificationSettings
from reports import services
from reports.models import Category
from reports.services.praise import praise_submit
from tests.conftest import client_for

from .test_training import UNSEEN


def test_a_category_turned_into_praise_is_never_suggested_for_a_problem(categories, active_classifier):
    first = suggest_text(UNSEEN["flooding"])
    assert first.category.code == "flooding"
    Category.objects.filter(code="flooding").update(kind=Category.Kind.PRAISE)

    again = suggest_text(UNSEEN["flooding"])

    assert again.category.code != "flooding"
    assert "flooding" not in {candidate.category.code for candidate in again.alternatives}


def test_a_good_deed_gets_no_suggestion_and_keeps_its_category_at_triage(
    categories, active_classifier, good_deed, operator
):
    ClassificationSettings.objects.create(prefill=True, threshold=0.0)
    # Words a problem classifier reads as flooding: the citizen still shared a good deed.
    deed = praise_submit(
        category=good_deed,
        description="Mưa to, đường ngập sâu, anh thanh niên lội nước đẩy xe giúp bà cụ về nhà",
        latitude="16.47",
        longitude="107.59",
    ).case
    problem = services.case_submit(
        description=UNSEEN["flooding"], latitude="16.47", longitude="107.59", category=categories["garbage"]
    ).case

    assert suggestion_for(deed) is None
    assert suggestion_for(problem).category.code == "flooding"
    page = client_for(operator).get(reverse("dashboard:case", args=[deed.tracking_code]))
    assert page.status_code == 200
    assert page.context["category_suggestion"] is None
    assert page.context["forms"]["verify"].initial["category"] == good_deed.pk
    # A problem is still pre-filled as the centre chose.
    page = client_for(operator).get(reverse("dashboard:case", args=[problem.tracking_code]))
    assert page.context["forms"]["verify"].initial["category"] == categories["flooding"].pk
