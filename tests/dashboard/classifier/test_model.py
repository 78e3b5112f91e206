"""The pure classifier on demo texts: no database."""

from collections import Counter

from dashboard.classifier import model
from dashboard.classifier.demo_texts import VOCABULARY, demo_texts, strip_accents
from reports.demo.organisations import CATEGORIES

from .conftest import labelled


def test_training_on_demo_texts_beats_the_majority_baseline_clearly_on_held_out_texts(trained_blob):
    _blob, evaluation = trained_blob
    assert evaluation.held_out == 39 and evaluation.trained == 153
    assert evaluation.baseline_accuracy < 0.2
    assert evaluation.accuracy >= evaluation.baseline_accuracy + 0.6
    assert evaluation.macro_f1 >= 0.75
    assert set(evaluation.per_label) == {code for code, _ in labelled(per_category=1)}
    assert sum(row["support"] for row in evaluation.per_label.values()) == 39


def test_a_serialised_pipeline_answers_the_same_after_loading(trained_blob):
    blob, _evaluation = trained_blob
    pipeline = model.load(blob)
    again = model.load(model.dump(pipeline))
    texts = ["Đèn đường không sáng", "rac thai boc mui"]
    assert model.ranked(pipeline, texts) == model.ranked(again, texts)


def test_the_model_reads_texts_without_accents_as_their_accented_form(trained_blob):
    pipeline = model.load(trained_blob[0])
    accented = "Chó thả rông cắn người trong kiệt"
    assert model.ranked(pipeline, [accented])[0][0][0] == model.ranked(pipeline, [strip_accents(accented)])[0][0][0]
    assert model.ranked(pipeline, [accented])[0][0][0] == "stray-animals"


def test_demo_texts_cover_every_demo_category_in_both_languages_and_vary():
    assert set(VOCABULARY) == {spec.code for spec in CATEGORIES}
    texts = demo_texts(600, seed=3)
    assert len(texts) == 600
    codes = Counter(code for code, _language, _text in texts)
    assert set(codes) == set(VOCABULARY) and min(codes.values()) >= 8
    languages = Counter(language for _code, language, _text in texts)
    assert 0.08 < languages["en"] / 600 < 0.25
    vietnamese = [text for _code, language, text in texts if language == "vi"]
    unaccented = [text for text in vietnamese if text == strip_accents(text)]
    assert 0.08 < len(unaccented) / len(vietnamese) < 0.3
    # Varied: almost every text is different from every other.
    assert len({text for _code, _language, text in texts}) >= 590
    assert all("{" not in text and "}" not in text for _code, _language, text in texts)


def test_demo_texts_are_the_same_for_the_same_seed():
    assert demo_texts(50, seed=9) == demo_texts(50, seed=9)
    assert demo_texts(50, seed=9) != demo_texts(50, seed=10)
