"""The classifier itself: features, model, training with a held-out evaluation, and serialisation. Pure: no Django,
so the benchmark and the tests can run it on any list of texts.

Features are TF-IDF weights of folded words and word pairs (Vietnamese words are often two syllables: "vỉa hè",
"rác thải") beside character n-grams within words, which still match a word typed with a typo or half its accents.
The model is a logistic regression with balanced class weights (rare categories count as much as common ones), whose
probabilities are the confidence shown to operators.
"""

import io
from collections import Counter
from dataclasses import dataclass, field

import joblib
import numpy
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from .text import fold_all

HELD_OUT_SHARE = 0.2
SEED = 2026
# Character n-grams of a large city's cases run to millions; the most frequent ones carry the signal.
MAX_CHAR_FEATURES = 200_000
# A word is any run of letters or digits, one character included: folded Vietnamese has one-letter syllables
# ("ổ gà" -> "o ga") and numbers are folded to "0".
WORD = r"(?u)\b\w+\b"


@dataclass
class Evaluation:
    """How a model trained on `trained` examples did on `held_out` examples it never saw."""

    trained: int
    held_out: int
    accuracy: float
    macro_f1: float
    baseline_accuracy: float
    # label -> {"precision", "recall", "f1", "support" (held out), "trained"}
    per_label: dict = field(default_factory=dict)

    def as_json(self):
        return {
            "trained": self.trained,
            "held_out": self.held_out,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "baseline_accuracy": self.baseline_accuracy,
            "per_label": self.per_label,
        }


def build_pipeline() -> Pipeline:
    words = TfidfVectorizer(
        lowercase=False, token_pattern=WORD, ngram_range=(1, 2), sublinear_tf=True, dtype=numpy.float32
    )
    chars = TfidfVectorizer(
        lowercase=False,
        analyzer="char_wb",
        ngram_range=(2, 5),
        min_df=2,
        max_features=MAX_CHAR_FEATURES,
        sublinear_tf=True,
        dtype=numpy.float32,
    )
    return Pipeline(
        [
            ("fold", FunctionTransformer(fold_all)),
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("model", LogisticRegression(C=10.0, class_weight="balanced", solver="newton-cg", max_iter=200)),
        ]
    )


def train(texts, labels, *, held_out_share=HELD_OUT_SHARE, seed=SEED):
    """Fit a pipeline on a stratified share of the examples and evaluate it on the rest; returns (pipeline,
    Evaluation). Every label needs at least two examples, and the held-out share must leave one of each."""
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        list(texts), list(labels), test_size=held_out_share, random_state=seed, stratify=list(labels)
    )
    pipeline = build_pipeline()
    pipeline.fit(train_texts, train_labels)
    return pipeline, evaluate(pipeline, train_labels, test_texts, test_labels)


def evaluate(pipeline, train_labels, test_texts, test_labels) -> Evaluation:
    predicted = pipeline.predict(test_texts)
    # The majority-class baseline: always answering the category most common among the training examples.
    majority = Counter(train_labels).most_common(1)[0][0]
    baseline = sum(1 for label in test_labels if label == majority) / len(test_labels)
    labels = sorted(set(train_labels) | set(test_labels))
    precision, recall, f1, support = precision_recall_fscore_support(
        test_labels, predicted, labels=labels, zero_division=0
    )
    trained = Counter(train_labels)
    return Evaluation(
        trained=len(train_labels),
        held_out=len(test_labels),
        accuracy=float(accuracy_score(test_labels, predicted)),
        macro_f1=float(f1_score(test_labels, predicted, labels=labels, average="macro", zero_division=0)),
        baseline_accuracy=baseline,
        per_label={
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
                "trained": trained[label],
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
    )


def ranked(pipeline, texts):
    """For each text, every label with its probability, most likely first."""
    probabilities = pipeline.predict_proba(list(texts))
    classes = [str(label) for label in pipeline.classes_]
    return [[(classes[i], float(row[i])) for i in row.argsort()[::-1]] for row in probabilities]


def dump(pipeline) -> bytes:
    out = io.BytesIO()
    joblib.dump(pipeline, out, compress=("zlib", 3))
    return out.getvalue()


def load(blob) -> Pipeline:
    # Only our own training writes these bytes (Classifier.model); unpickling anything else would be unsafe.
    return joblib.load(io.BytesIO(bytes(blob)))
