"""Migration 0013: followers become e-mail subscriptions with their ids (so a notice sent as "f<id>" counts as sent),
and each case whose reporter left an e-mail address gets the reporter's e-mail subscription."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reports.models import Subscription

BEFORE = [("reports", "0012_citizens_and_praise")]
AFTER = [("reports", "0013_subscriptions")]


def _digest(value):
    from reports.notifications.addresses import address_digest

    return address_digest(value)


@pytest.mark.django_db(transaction=True)
def test_followers_and_reporters_become_subscriptions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    kind = old.get_model("agencies", "AgencyKind").objects.create(code="k", name_vi="k", name_en="k")
    category = old.get_model("reports", "Category").objects.create(code="c", name_vi="c", name_en="c", agency_kind=kind)
    Reporter, Case = old.get_model("reports", "Reporter"), old.get_model("reports", "Case")
    Follower = old.get_model("reports", "Follower")

    def case(code, email):
        reporter = Reporter.objects.create(email=email, language="en")
        return Case.objects.create(
            tracking_code=code,
            category=category,
            latitude="16.47",
            longitude="107.59",
            reporter=reporter,
            created_at="2026-11-01T00:00:00Z",
            updated_at="2026-11-01T00:00:00Z",
        )

    emailed = case("HUE-26-00001", "lan@example.org")
    anonymous = case("HUE-26-00002", "")
    reported = case("HUE-26-00003", " minh@example.org ")
    follower = Follower.objects.create(
        case=emailed, email="hang@example.org", email_digest=_digest("hang@example.org"), created_at=emailed.created_at
    )
    # The reporter also followed their own case: one row, theirs.
    own = Follower.objects.create(
        case=emailed, email="Lan@example.org", email_digest=_digest("lan@example.org"), created_at=emailed.created_at
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    rows = {s.pk: s for s in Subscription.objects.all()}
    [new] = Subscription.objects.filter(case_id=reported.pk)

    assert set(rows) == {follower.pk, own.pk, new.pk}
    assert (new.role, new.channel, new.address, new.language) == ("reporter", "email", "minh@example.org", "en")
    assert new.address_digest == _digest("minh@example.org")
    assert (rows[follower.pk].role, rows[follower.pk].channel, rows[follower.pk].address) == (
        "follower",
        "email",
        "hang@example.org",
    )
    assert (rows[own.pk].role, rows[own.pk].channel) == ("reporter", "email")
    assert all(len(s.token) >= 16 for s in rows.values())
    assert not Subscription.objects.filter(case_id=anonymous.pk).exists()

    # Back to the latest schema for the tests that follow.
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
