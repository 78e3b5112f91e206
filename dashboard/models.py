from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Claim(models.Model):
    """An operator deciding a case: while it holds, no other operator's decision on that case goes through.

    Taken and extended with a conditional write (the row is free, expired or already theirs), so two operators
    racing for one case cannot both hold it; it lapses by itself when the operator walks away.
    """

    case = models.OneToOneField("reports.Case", on_delete=models.CASCADE, related_name="claim")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()

    def __str__(self):
        return f"{self.case_id} by {self.operator_id} until {self.expires_at:%H:%M:%S}"


class Classifier(models.Model):
    """One trained version of the category classifier, with how well it did on cases it never saw."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    # The fitted scikit-learn pipeline, serialised by dashboard.classifier; written only by our own workers.
    model = models.BinaryField()
    trained_cases = models.PositiveIntegerField()
    held_out_cases = models.PositiveIntegerField()
    accuracy = models.FloatField()
    macro_f1 = models.FloatField()
    baseline_accuracy = models.FloatField(help_text=_("Accuracy of always answering the most common category."))
    # Per-category precision, recall and support on the held-out cases.
    report = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_classifier"
            )
        ]

    def __str__(self):
        return f"v{self.version}"


class ClassificationSettings(models.Model):
    """The centre's choice of whether the classifier may pre-fill the category, and above which confidence."""

    prefill = models.BooleanField(_("pre-fill the category at triage"), default=False)
    threshold = models.FloatField(_("confidence needed to pre-fill"), default=0.8)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"prefill={self.prefill} threshold={self.threshold}"

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]
