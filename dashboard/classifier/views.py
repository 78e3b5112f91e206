"""The centre's classifier page: versions and their figures, the pre-fill settings, training on demand, and a box
to try a suggestion. Operators only; every change is a POST that calls one service and redirects."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.errors import DomainError

from ..models import ClassificationSettings, Classifier
from ..views import operator_required
from . import selectors, services, training
from .forms import SettingsForm, TryForm
from .suggest import suggest_text

PAGE_SIZE = 20


def _render(request, *, settings_form=None, status=200):
    settings = ClassificationSettings.current()
    active = selectors.active_version()
    versions = Paginator(selectors.versions(), PAGE_SIZE).get_page(request.GET.get("page"))
    for classifier in versions:
        classifier.decision = training.decision_text(classifier)
    try_form = TryForm(request.GET if "text" in request.GET else None)
    tried = None
    if try_form.is_bound and try_form.is_valid():
        tried = {"suggestion": suggest_text(try_form.cleaned_data["text"], settings=settings)}
    context = {
        "active": active,
        "active_decision": training.decision_text(active) if active else "",
        "category_rows": selectors.category_rows(active) if active else [],
        "versions": versions,
        "readiness": training.readiness() if active is None else None,
        "status": training.training_status(),
        "settings": settings,
        "settings_form": settings_form
        or SettingsForm(initial={"prefill": settings.prefill, "threshold": settings.threshold}),
        "try_form": try_form,
        "tried": tried,
    }
    return render(request, "dashboard/classifier/classifier.html", context, status=status)


@operator_required
def classifier_page(request):
    return _render(request)


@operator_required
@require_POST
def settings_update(request):
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _render(request, settings_form=form, status=400)
    try:
        services.classification_settings_update(
            prefill=form.cleaned_data["prefill"], threshold=form.cleaned_data["threshold"], by=request.user
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render(request, settings_form=form, status=exc.http_status)
    messages.success(request, _("Settings saved."))
    return redirect("dashboard:classifier:page")


@operator_required
@require_POST
def train(request):
    services.classifier_train_request(by=request.user)
    messages.success(request, _("Training asked for: a worker trains a new version if cases were verified since."))
    return redirect("dashboard:classifier:page")


@operator_required
@require_POST
def activate(request, version):
    classifier = get_object_or_404(Classifier.objects.defer("model"), version=version)
    try:
        services.classifier_activate(classifier=classifier, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("v%(version)s is now active.") % {"version": classifier.version})
    return redirect("dashboard:classifier:page")
