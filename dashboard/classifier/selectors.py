"""What the centre's classifier page reads."""

from reports.models import Category

from ..models import Classifier


def versions():
    """Every version, newest first, without the model's bytes."""
    return Classifier.objects.defer("model").order_by("-version")


def active_version():
    return versions().filter(is_active=True).first()


def category_rows(classifier):
    """The per-category figures of a version on its held-out cases, by category name."""
    figures = (classifier.report or {}).get("categories", {})
    names = {category.code: category for category in Category.objects.filter(code__in=list(figures))}
    rows = [{"code": code, "category": names.get(code), **row} for code, row in figures.items()]
    return sorted(rows, key=lambda row: str(row["category"].name if row["category"] else row["code"]))
