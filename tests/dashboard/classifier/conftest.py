"""A small city for the classifier: eight of the demo's categories and verified cases written with its demo texts."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import AgencyKind
from dashboard.classifier import model, suggest
from dashboard.classifier.demo_texts import demo_text
from dashboard.models import Classifier
from reports.models import Case, Category, Source, State

CODES = (
    "garbage",
    "broken-streetlight",
    "noise",
    "flooding",
    "pothole",
    "sidewalk-encroachment",
    "water-leak",
    "stray-animals",
)
PER_CATEGORY = 24


def labelled(per_category=PER_CATEGORY, seed=1, codes=CODES):
    """(code, text) pairs, `per_category` of each code, in a shuffled order."""
    rng = random.Random(seed)
    pairs = [(code, demo_text(rng, code)[1]) for code in codes for _ in range(per_category)]
    rng.shuffle(pairs)
    return pairs


@pytest.fixture(autouse=True)
def _forget_loaded_model():
    """Versions are numbered from 1 again in every test: the process's loaded version must not carry over."""
    suggest.forget()
    yield
    suggest.forget()


@pytest.fixture
def categories(db):
    kind = AgencyKind.objects.create(code="urban-works", name_vi="Công trình đô thị", name_en="Urban works")
    return {
        code: Category.objects.create(
            code=code, name_vi=code, name_en=code.replace("-", " ").capitalize(), agency_kind=kind
        )
        for code in CODES
    }


_numbers = iter(range(1, 10**6))


def make_cases(categories, pairs, *, state=State.VERIFIED, source=Source.CITIZEN):
    moment = timezone.now()
    cases = [
        Case(
            tracking_code=f"HUE-26-T{next(_numbers):06d}",
            source=source,
            state=state,
            category=categories[code],
            latitude=Decimal("16.470000"),
            longitude=Decimal("107.590000"),
            description=text,
            created_at=moment - timedelta(minutes=i),
            updated_at=moment,
        )
        for i, (code, text) in enumerate(pairs)
    ]
    return Case.objects.bulk_create(cases)


@pytest.fixture
def verified_cases(categories):
    return make_cases(categories, labelled())


@pytest.fixture(scope="session")
def trained_blob():
    """One pipeline trained on demo texts, serialised: for tests that need an active version, not a training."""
    pairs = labelled(seed=5)
    pipeline, evaluation = model.train([text for _code, text in pairs], [code for code, _text in pairs])
    return model.dump(pipeline), evaluation


@pytest.fixture
def active_classifier(categories, trained_blob):
    blob, evaluation = trained_blob
    return Classifier.objects.create(
        version=1,
        created_at=timezone.now(),
        model=blob,
        trained_cases=evaluation.trained,
        held_out_cases=evaluation.held_out,
        accuracy=evaluation.accuracy,
        macro_f1=evaluation.macro_f1,
        baseline_accuracy=evaluation.baseline_accuracy,
        report={"categories": evaluation.per_label, "decision": {"reason": "first"}},
        is_active=True,
    )
