"""The centre's classifier page: who may see and change it, the settings form, training on demand, trying it."""

import pytest
from django.urls import reverse

from dashboard.classifier import training
from dashboard.models import ClassificationSettings, Classifier
from reports.models import Outbox
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboard:classifier:page")
SETTINGS = reverse("dashboard:classifier:settings")
TRAIN = reverse("dashboard:classifier:train")


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in (PAGE, SETTINGS, TRAIN):
        response = client_for(None).get(url) if url == PAGE else client_for(None).post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_agency_staff_and_outsiders_are_refused_and_change_nothing(staff_a, outsider):
    for user in (staff_a, outsider):
        client = client_for(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(SETTINGS, {"prefill": "on", "threshold": "0.6"}).status_code == 403
        assert client.post(TRAIN).status_code == 403
    settings = ClassificationSettings.current()
    assert (settings.prefill, settings.threshold) == (False, 0.8)
    assert not Outbox.objects.filter(task=training.TASK).exists()


def test_without_a_version_the_page_says_how_many_verified_cases_are_needed(operator, verified_cases):
    response = client_for(operator).get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="no-model"' in body
    assert (
        "Training needs at least 30 verified citizen cases, in at least 2 categories with 5 cases or more each." in body
    )
    assert "The city has 192 verified cases; 192 of them are in the 8 categories that have enough." in body
    assert "No version has been trained yet." in body


def test_the_page_shows_the_versions_and_the_active_ones_figures_by_category(operator, active_classifier):
    Classifier.objects.create(
        version=2,
        created_at=active_classifier.created_at,
        model=b"",
        trained_cases=10,
        held_out_cases=3,
        accuracy=0.3,
        macro_f1=0.2,
        baseline_accuracy=0.33,
        report={"decision": {"reason": "baseline"}},
    )

    response = client_for(operator).get(PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Active version: v1" in body
    assert 'id="category-figures"' in body and "Broken streetlight" in body
    assert "Not activated: its accuracy (30%) does not beat always answering the most common category (33%)" in body
    # Version 2 misses the baseline: no button puts it in service; version 1 is the active one.
    assert reverse("dashboard:classifier:activate", args=[2]) not in body
    assert f">{active_classifier.held_out_cases}<" in body


def test_an_operator_saves_the_prefill_settings(operator):
    response = client_for(operator).post(SETTINGS, {"prefill": "on", "threshold": "0.65"})

    assert response.status_code == 302 and response["Location"] == PAGE
    settings = ClassificationSettings.current()
    assert (settings.prefill, settings.threshold) == (True, 0.65)


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("0.3", "Ensure this value is greater than or equal to 0.5."),
        ("1", "Ensure this value is less than or equal to 0.99."),
        ("", "This field is required."),
        ("lots", "Enter a number."),
    ],
)
def test_a_threshold_outside_half_to_099_is_refused_with_a_message(operator, threshold, message):
    response = client_for(operator).post(SETTINGS, {"prefill": "on", "threshold": threshold})

    assert response.status_code == 400
    assert message in response.content.decode()
    settings = ClassificationSettings.current()
    assert (settings.prefill, settings.threshold) == (False, 0.8)


def test_train_now_enqueues_the_task_and_the_page_shows_it_queued(operator):
    client = client_for(operator)

    response = client.post(TRAIN)

    assert response.status_code == 302
    assert list(Outbox.objects.filter(sent_at=None).values_list("task", "args")) == [(training.TASK, [])]
    body = client.get(PAGE).content.decode()
    assert "A training is queued" in body
    assert '<button type="submit" class="button" disabled>Train now</button>' in body


def test_train_now_refuses_get(operator):
    assert client_for(operator).get(TRAIN).status_code == 405
    assert not Outbox.objects.exists()


def test_the_try_box_shows_the_suggestion_for_a_text(operator, active_classifier):
    response = client_for(operator).get(PAGE, {"text": "Karaoke hat to den 1 gio sang, ca xom khong ngu duoc"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="category-suggestion"' in body
    assert "<strong>Noise</strong>" in body
    assert "Classifier v1." in body


def test_the_try_box_without_a_version_says_so(operator, categories):
    response = client_for(operator).get(PAGE, {"text": "Rác thải bốc mùi"})

    assert "No suggestion: there is no active version yet." in response.content.decode()


def test_an_operator_puts_an_earlier_version_back_in_service(operator, active_classifier):
    newer = Classifier.objects.create(
        version=2,
        created_at=active_classifier.created_at,
        model=b"",
        trained_cases=10,
        held_out_cases=3,
        accuracy=0.9,
        macro_f1=0.9,
        baseline_accuracy=0.3,
        report={},
    )
    client = client_for(operator)

    client.post(reverse("dashboard:classifier:activate", args=[2]))
    assert list(Classifier.objects.filter(is_active=True).values_list("pk", flat=True)) == [newer.pk]

    client.post(reverse("dashboard:classifier:activate", args=[1]))
    assert list(Classifier.objects.filter(is_active=True).values_list("pk", flat=True)) == [active_classifier.pk]


def test_a_version_missing_the_baseline_cannot_be_activated(operator, active_classifier, staff_a):
    Classifier.objects.create(
        version=2,
        created_at=active_classifier.created_at,
        model=b"",
        trained_cases=10,
        held_out_cases=3,
        accuracy=0.3,
        macro_f1=0.2,
        baseline_accuracy=0.33,
        report={},
    )
    url = reverse("dashboard:classifier:activate", args=[2])

    assert client_for(staff_a).post(url).status_code == 403
    response = client_for(operator).post(url, follow=True)

    assert "v2 does not beat the baseline and cannot be activated." in response.content.decode()
    assert list(Classifier.objects.filter(is_active=True).values_list("version", flat=True)) == [1]
    assert client_for(operator).post(reverse("dashboard:classifier:activate", args=[9])).status_code == 404
