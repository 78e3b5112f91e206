"""Training on the city's verified cases: which cases teach, versions, activation, idempotency."""

import pytest
from django.db import connection, connections

from dashboard.classifier import tasks, training
from dashboard.classifier.demo_texts import strip_accents
from dashboard.classifier.suggest import suggest_text, suggest_texts, suggestion_for
from dashboard.models import ClassificationSettings, Classifier
from reports.models import Source, State

from .conftest import CODES, PER_CATEGORY, labelled, make_cases

pytestmark = pytest.mark.django_db


def test_training_creates_an_active_version_that_beats_the_baseline(verified_cases):
    result = training.classifier_train()

    assert result.status == training.TRAINED and result.activated
    classifier = Classifier.objects.get()
    assert (classifier.version, classifier.is_active) == (1, True)
    assert classifier.trained_cases + classifier.held_out_cases == len(CODES) * PER_CATEGORY
    assert classifier.held_out_cases == 39
    assert classifier.accuracy >= classifier.baseline_accuracy + 0.6
    assert classifier.macro_f1 >= 0.75
    assert set(classifier.report["categories"]) == set(CODES)
    assert classifier.report["decision"]["reason"] == "first"
    assert len(bytes(classifier.model)) == classifier.report["model_bytes"]


def test_only_verified_citizen_cases_in_active_categories_teach(categories, verified_cases):
    noise = labelled(per_category=6, seed=9)
    for state in (State.SUBMITTED, State.REJECTED, State.MERGED):
        make_cases(categories, noise, state=state)
    make_cases(categories, noise, state=State.RESOLVED, source=Source.CAMERA)
    resolved = make_cases(categories, labelled(per_category=1, seed=11), state=State.CLOSED)
    categories["stray-animals"].is_active = False
    categories["stray-animals"].save()

    examples = training.training_examples()

    assert len(examples.texts) == (len(CODES) - 1) * (PER_CATEGORY + 1)
    assert "stray-animals" not in examples.labels
    assert resolved[0].description in examples.texts


def test_categories_with_fewer_than_five_cases_are_left_out(categories, verified_cases):
    for case in verified_cases:
        if case.category.code == "pothole":
            case.delete()
    make_cases(categories, [("pothole", "Ổ gà giữa đường")] * 4)

    result = training.classifier_train()

    assert result.classifier.report["too_few"] == {"pothole": 4}
    assert "pothole" not in result.classifier.report["categories"]


def test_without_enough_verified_cases_nothing_is_trained(categories):
    make_cases(categories, labelled(per_category=3))

    result = training.classifier_train()

    assert result.status == training.NOT_ENOUGH
    assert not Classifier.objects.exists()
    assert training.readiness() == {
        "cases": 24,
        "usable_cases": 0,
        "categories": 0,
        "min_cases": 30,
        "min_per_category": 5,
        "min_categories": 2,
        "ready": False,
    }


def test_a_version_that_does_not_beat_the_baseline_is_stored_but_not_activated(categories):
    # Texts that differ only by a number, which folding removes: nothing to learn, one category much more common.
    pairs = [("garbage" if i % 4 else "noise", f"Phản ánh số {i}") for i in range(80)]
    make_cases(categories, pairs)

    result = training.classifier_train()

    assert result.status == training.TRAINED and not result.activated
    classifier = Classifier.objects.get()
    assert not classifier.is_active
    assert classifier.report["decision"]["reason"] == "baseline"
    assert "does not beat" in training.decision_text(classifier)
    assert suggest_text("rác thải bốc mùi") is None


def test_a_new_version_worse_than_the_active_one_is_not_activated(verified_cases, active_classifier):
    Classifier.objects.filter(pk=active_classifier.pk).update(macro_f1=1.0)

    result = training.classifier_train()

    assert (result.classifier.version, result.activated) == (2, False)
    assert result.classifier.report["decision"] == {"reason": "worse", "active_version": 1, "active_f1": 1.0}
    assert list(Classifier.objects.filter(is_active=True).values_list("version", flat=True)) == [1]


def test_a_better_new_version_replaces_the_active_one(verified_cases, active_classifier):
    Classifier.objects.filter(pk=active_classifier.pk).update(macro_f1=0.3)

    result = training.classifier_train()

    assert (result.classifier.version, result.activated) == (2, True)
    assert list(Classifier.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    assert suggest_text("Đèn đường tắt").version == 2


def test_the_task_is_idempotent_it_skips_when_no_case_was_verified_since(categories, verified_cases):
    assert tasks.classifier_train.delay().get() == training.TRAINED
    assert tasks.classifier_train.delay().get() == training.SKIPPED
    assert Classifier.objects.count() == 1

    make_cases(categories, [("noise", "Hàng xóm hát karaoke đến 1 giờ sáng")])
    assert tasks.classifier_train.delay().get() == training.TRAINED
    assert list(Classifier.objects.values_list("version", flat=True)) == [2, 1]
    assert training.classifier_train(force=True).status == training.TRAINED
    assert Classifier.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_a_second_run_gives_up_while_another_holds_the_lock(verified_cases):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(training.LOCK_KEYS))
        assert training.training_status()["running"] is True
        result = training.classifier_train()
    finally:
        other.close()

    assert result.status == training.BUSY
    assert not Classifier.objects.exists()
    assert training.training_status()["running"] is False


UNSEEN = {
    "garbage": "Rác thải sinh hoạt chất đống ở đầu kiệt cả tuần, bốc mùi hôi thối",
    "broken-streetlight": "Đèn đường trước nhà tôi không sáng, ban đêm tối om",
    "noise": "Quán karaoke hát to đến 1 giờ sáng, cả xóm không ngủ được",
    "flooding": "Mưa to, đường ngập sâu nửa mét, nước tràn vào nhà",
    "water-leak": "Ống nước bị vỡ, nước phun lên mặt đường",
    "stray-animals": "Chó thả rông cắn người đi đường",
}


def test_suggestions_find_the_category_of_unseen_texts_with_and_without_accents(active_classifier):
    texts = list(UNSEEN.values()) + [strip_accents(text) for text in UNSEEN.values()]

    answers = suggest_texts(texts)

    expected = list(UNSEEN) * 2
    assert [answer.category.code for answer in answers] == expected
    assert all(answer.version == 1 and 0 < answer.confidence <= 1 for answer in answers)
    assert (
        suggest_text("Street lights are not working, the street is dark at night").category.code == "broken-streetlight"
    )


def test_a_suggestion_lists_the_top_three_best_first(active_classifier):
    suggestion = suggest_text(UNSEEN["noise"])

    assert len(suggestion.alternatives) == 3
    assert suggestion.alternatives[0].category == suggestion.category
    assert suggestion.alternatives[0].confidence == suggestion.confidence
    confidences = [candidate.confidence for candidate in suggestion.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert [c.category for c in suggestion.others] == [c.category for c in suggestion.alternatives[1:]]


def test_prefill_follows_the_centres_settings(active_classifier):
    settings = ClassificationSettings.current()
    confidence = suggest_text(UNSEEN["noise"]).confidence

    assert suggest_text(UNSEEN["noise"]).prefill is False  # pre-filling is off by default

    settings.prefill, settings.threshold = True, round(confidence - 0.01, 4)
    settings.save()
    assert suggest_text(UNSEEN["noise"]).prefill is True

    settings.threshold = min(round(confidence + 0.01, 4), 0.99)
    settings.save()
    assert suggest_text(UNSEEN["noise"]).prefill is False


def test_a_switched_off_category_is_never_suggested(categories, active_classifier):
    first = suggest_text(UNSEEN["noise"])
    first.category.is_active = False
    first.category.save()

    again = suggest_text(UNSEEN["noise"])

    assert again.category != first.category
    assert again.category.code in {c.category.code for c in first.alternatives[1:]}


def test_suggestion_for_a_case_reads_its_description_and_ignores_camera_cases(categories, active_classifier):
    citizen, camera = make_cases(categories, [("pothole", UNSEEN["flooding"])]) + make_cases(
        categories, [("pothole", UNSEEN["flooding"])], source=Source.CAMERA
    )

    assert suggestion_for(citizen).category.code == "flooding"
    assert suggestion_for(camera) is None


def test_no_suggestion_without_an_active_version_or_for_an_empty_text(categories, active_classifier):
    assert suggest_texts(["", "   "]) == [None, None]
    Classifier.objects.update(is_active=False)
    assert suggest_text(UNSEEN["noise"]) is None


def test_the_command_trains_in_the_foreground_and_prints_the_figures(verified_cases):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("train_classifier", stdout=out)

    text = out.getvalue()
    classifier = Classifier.objects.get()
    assert "Training on 192 cases of 8 categories" in text
    assert f"accuracy {classifier.accuracy:.3f}  macro-F1 {classifier.macro_f1:.3f}" in text
    assert "broken-streetlight" in text and "Activated: the first version to beat the baseline." in text

    out = StringIO()
    call_command("train_classifier", stdout=out)
    assert "No new verified cases since v1: nothing to train." in out.getvalue()


def test_train_now_with_eager_celery_trains_once_the_request_commits(
    operator, verified_cases, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.conftest import client_for

    with django_capture_on_commit_callbacks(execute=True):
        client_for(operator).post(reverse("dashboard:classifier:train"))

    assert Classifier.objects.filter(is_active=True).count() == 1
    status = training.training_status()
    assert (status["queued"], status["running"], status["last_run"]["status"]) == (False, False, training.TRAINED)
