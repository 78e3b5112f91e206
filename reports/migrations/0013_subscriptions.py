"""Follower becomes Subscription: someone who hears about a case by one channel (e-mail, Web Push, SMS, Zalo), its
reporter or a follower. Existing followers keep their rows and ids (so a notice already sent as "f<id>" is known as
sent to "s<id>"); each case whose reporter left an e-mail address gets the reporter's e-mail subscription, which the
notices used to read from the reporter row."""

import hashlib
import hmac
import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _digest(value):
    # The formula of reports/notifications/addresses.py, frozen here.
    return hmac.new(settings.SECRET_KEY.encode(), value.strip().lower().encode(), hashlib.sha256).hexdigest()


def give_tokens(apps, schema_editor):
    Subscription = apps.get_model("reports", "Subscription")
    for pk in Subscription.objects.filter(token=None).values_list("pk", flat=True).iterator():
        Subscription.objects.filter(pk=pk).update(token=secrets.token_urlsafe(12))


def subscribe_reporters(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The schema editor creates some indexes at the end of the migration, and PostgreSQL cannot alter a table
        # with foreign-key checks still pending: these rows' checks are made as they are inserted.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Case = apps.get_model("reports", "Case")
    Subscription = apps.get_model("reports", "Subscription")
    # A reporter who already followed their own case by the same address: that row becomes the reporter's.
    followed = {
        (case_id, digest): pk
        for pk, case_id, digest in Subscription.objects.filter(channel="email").values_list(
            "pk", "case_id", "address_digest"
        )
    }
    batch = []
    cases = (
        Case.objects.filter(reporter__isnull=False)
        .exclude(reporter__email="")
        .select_related("reporter")
        .only("pk", "created_at", "reporter__email", "reporter__language", "reporter__citizen_id")
    )
    for case in cases.iterator(chunk_size=1000):
        email = case.reporter.email.strip()
        if not email:
            continue
        digest = _digest(email)
        own = followed.get((case.pk, digest))
        if own is not None:
            Subscription.objects.filter(pk=own).update(role="reporter")
            continue
        batch.append(
            Subscription(
                case_id=case.pk,
                role="reporter",
                channel="email",
                address=email,
                address_digest=digest,
                language=case.reporter.language,
                citizen_id=case.reporter.citizen_id,
                token=secrets.token_urlsafe(12),
                created_at=case.created_at,
            )
        )
        if len(batch) >= 1000:
            Subscription.objects.bulk_create(batch)
            batch = []
    Subscription.objects.bulk_create(batch)


def unsubscribe_all_but_followers(apps, schema_editor):
    # Going back, only e-mail followers fit the old table; the reporter's e-mail is read from the reporter again.
    Subscription = apps.get_model("reports", "Subscription")
    Subscription.objects.exclude(role="follower", channel="email").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0012_citizens_and_praise"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="follower", name="one_follow_per_email"),
        migrations.RenameModel(old_name="Follower", new_name="Subscription"),
        migrations.RenameField(model_name="subscription", old_name="email", new_name="address"),
        migrations.RenameField(model_name="subscription", old_name="email_digest", new_name="address_digest"),
        migrations.AlterField(
            model_name="subscription",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="subscriptions", to="reports.case"
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="role",
            field=models.CharField(
                choices=[("reporter", "reporter"), ("follower", "follower")], default="follower", max_length=8
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="subscription",
            name="channel",
            field=models.CharField(
                choices=[
                    ("email", "e-mail"),
                    ("push", "notifications on this device"),
                    ("sms", "SMS"),
                    ("zalo", "Zalo"),
                ],
                default="email",
                max_length=5,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="subscription",
            name="citizen",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="subscriptions",
                to="reports.citizen",
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="unsubscribed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="token",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="token",
            field=models.CharField(max_length=32, unique=True),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                fields=("case", "channel", "address_digest"), name="one_subscription_per_address"
            ),
        ),
        migrations.RunPython(subscribe_reporters, unsubscribe_all_but_followers),
    ]
