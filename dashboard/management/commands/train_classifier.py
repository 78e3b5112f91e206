"""`python manage.py train_classifier [--force]`: train the category classifier now, in the foreground."""

from django.core.management.base import BaseCommand, CommandError

from dashboard.classifier import training


class Command(BaseCommand):
    help = (
        "Train a new version of the category classifier on the verified cases, print its figures on held-out cases "
        "beside the majority-class baseline, and activate it if it is better. Does nothing when no case was "
        "verified since the latest version, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="train even if the verified cases did not change")

    def handle(self, *args, force, **options):
        result = training.classifier_train(force=force, progress=self.stdout.write)
        if result.status == training.BUSY:
            raise CommandError(result.message)
        if result.status != training.TRAINED:
            self.stdout.write(self.style.WARNING(result.message))
            return
        classifier = result.classifier
        self.stdout.write(
            f"v{classifier.version}: trained on {classifier.trained_cases}, held out {classifier.held_out_cases}\n"
            f"  accuracy {classifier.accuracy:.3f}  macro-F1 {classifier.macro_f1:.3f}  "
            f"baseline accuracy {classifier.baseline_accuracy:.3f}"
        )
        rows = classifier.report.get("categories", {})
        width = max((len(code) for code in rows), default=8)
        self.stdout.write(f"  {'category':<{width}}  precision  recall  support  trained")
        for code, row in sorted(rows.items()):
            self.stdout.write(
                f"  {code:<{width}}  {row['precision']:9.2f}  {row['recall']:6.2f}  {row['support']:7d}  "
                f"{row['trained']:7d}"
            )
        for code, count in classifier.report.get("too_few", {}).items():
            self.stdout.write(f"  left out, too few cases: {code} ({count})")
        style = self.style.SUCCESS if result.activated else self.style.WARNING
        self.stdout.write(style(training.decision_text(classifier)))
