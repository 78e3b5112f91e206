"""A step whose message could not go (a gateway down longer than the task's retries, a lost message) is sent by the
periodic sweep, once, to exactly those who should have heard of it: not a follower who came later, not someone who
unsubscribed, not the reporter of their own step."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db.models import Exists

from huesmart.celery import app as celery_app
from reports import clock, services
from reports.models import CaseEvent, Notice, Outbox, Subscription
from reports.notifications import gateways
from reports.notifications.steps import hears_of, told_steps
from reports.notifications.sweep import _unsent_subscriptions, notices_sweep, unsent_events
from reports.outbox import relay_pending
from reports.services.following import subscription_resume, subscription_stop
from reports.tasks import notify_reporter
from tests.conftest import advance

pytestmark = pytest.mark.django_db

PHONE, E164 = "0905 123 456", "+84905123456"
T0 = clock.now().replace(microsecond=0) - timedelta(hours=6)
MINUTE = timedelta(minutes=1)


class AlwaysDown:
    """An SMS gateway that never answers."""

    calls = 0

    def send(self, message):
        AlwaysDown.calls += 1
        raise gateways.GatewayError("gateway timed out")


def at(moment, step, **kwargs):
    with clock.travel(moment):
        return step(**kwargs)


def submit(category, moment=T0):
    return at(
        moment,
        services.case_submit,
        description="Đèn đường hỏng",
        latitude="16.47",
        longitude="107.59",
        category=category,
        language="en",
        phone=PHONE,
        notify_by=["sms"],
    ).case


def follow(case, moment, email):
    return at(moment, services.case_follow, case=case, email=email, language="en")


def lose_queued_messages():
    """What the steps queued never reached a worker (a broker that lost it, a worker killed)."""
    Outbox.objects.filter(sent_at=None).update(sent_at=clock.now())


def sweep(moment):
    queued = notices_sweep(now=moment)
    relay_pending()
    return queued


def test_a_gateway_down_through_every_retry_is_caught_up_by_the_sweep_exactly_once(category, operator, settings):
    case = submit(category)
    at(T0 + MINUTE, services.case_verify, case=case, by=operator)
    lose_queued_messages()
    event = case.events.get(kind="verified")
    settings.TEXT_MESSAGE_BACKEND = "tests.reports.test_notice_sweep.AlwaysDown"
    AlwaysDown.calls = 0

    # The task tries, retries five times with back-off (at once when eager), and gives up.
    celery_app.conf.task_eager_propagates = False
    notify_reporter.apply(args=[event.pk], throw=False)
    celery_app.conf.task_eager_propagates = True
    assert AlwaysDown.calls == 6
    assert not Notice.objects.filter(event=event).exists()

    # Too soon to call it lost: the event's own task may still be retrying.
    assert sweep(event.created_at + 5 * MINUTE) == 0
    settings.TEXT_MESSAGE_BACKEND = "reports.notifications.gateways.LocmemBackend"
    assert sweep(event.created_at + 15 * MINUTE) == 1

    [message] = gateways.outbox
    assert message.to == E164 and case.tracking_code in message.body
    assert Notice.objects.filter(event=event, channel=f"s{case.subscriptions.get().pk}").count() == 1
    # A second sweep finds nothing and sends nothing.
    assert sweep(event.created_at + 30 * MINUTE) == 0
    assert len(gateways.outbox) == 1


def test_only_those_subscribed_at_the_step_and_still_subscribed_hear_of_it(category, operator):
    case = submit(category)
    before = follow(case, T0 + MINUTE, "truoc@example.org")
    gone = follow(case, T0 + MINUTE, "huy@example.org")
    at(T0 + 2 * MINUTE, services.case_verify, case=case, by=operator)
    lose_queued_messages()
    at(T0 + 3 * MINUTE, subscription_stop, subscription=gone)
    later = follow(case, T0 + 4 * MINUTE, "sau@example.org")

    assert sweep(T0 + timedelta(hours=1)) == 1

    assert [m.to for m in gateways.outbox] == [E164]
    assert [m.to for m in mail.outbox] == [["truoc@example.org"]]
    event = case.events.get(kind="verified")
    told = set(Notice.objects.filter(event=event).values_list("channel", flat=True))
    assert told == {f"s{case.subscriptions.get(role='reporter').pk}", f"s{before.pk}"}
    assert not Notice.objects.filter(channel__in=[f"s{gone.pk}", f"s{later.pk}"]).exists()


def test_a_follower_back_after_unsubscribing_hears_from_the_next_step_on_not_of_what_they_missed(category, operator):
    case = submit(category)
    away = follow(case, T0 + MINUTE, "quaylai@example.org")
    at(T0 + 2 * MINUTE, subscription_stop, subscription=away)
    at(T0 + 3 * MINUTE, services.case_verify, case=case, by=operator)
    lose_queued_messages()
    at(T0 + 4 * MINUTE, subscription_resume, subscription=away)
    # Following again by the form brings back the same row, with the same promise.
    at(T0 + 5 * MINUTE, services.case_follow, case=case, email="quaylai@example.org", language="en")

    sweep(T0 + timedelta(hours=1))

    assert mail.outbox == []
    assert not Notice.objects.filter(channel=f"s{away.pk}").exists()


def test_steps_older_than_the_window_are_left_alone(category, operator, settings):
    settings.NOTIFICATION_RETRY_HOURS = 2
    case = submit(category)
    at(T0 + MINUTE, services.case_verify, case=case, by=operator)
    lose_queued_messages()

    assert unsent_events(now=T0 + 3 * timedelta(hours=1)) == []
    assert unsent_events(now=T0 + timedelta(hours=1)) == [case.events.get(kind="verified").pk]
    assert unsent_events(now=T0 + 3 * timedelta(hours=1), hours=48) == [case.events.get(kind="verified").pk]


def test_the_query_agrees_with_deliverys_rule_for_every_step_and_subscriber(
    category, operator, staff_a, agency_a, django_assert_num_queries
):
    submission = at(
        T0,
        services.case_submit,
        description="x",
        latitude="16.47",
        longitude="107.59",
        category=category,
        phone=PHONE,
        notify_by=["sms"],
    )
    case = submission.case
    follow(case, T0 + MINUTE, "truoc@example.org")
    gone = follow(case, T0 + MINUTE, "huy@example.org")
    with clock.travel(T0 + 2 * MINUTE):
        case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
        services.case_add_note(case=case, by=operator, note="Ghi chú nội bộ")
    follow(case, T0 + 3 * MINUTE, "sau@example.org")
    at(T0 + 4 * MINUTE, services.case_resolve, case=case, by=staff_a, note="Xong")
    at(T0 + 5 * MINUTE, subscription_stop, subscription=gone)
    at(T0 + 6 * MINUTE, services.case_reopen, case=case, token=submission.token, reason="Vẫn còn")
    lose_queued_messages()

    events = list(CaseEvent.objects.filter(case=case))
    subscriptions = list(Subscription.objects.filter(case=case))
    assert len(events) >= 7 and len(subscriptions) == 4
    rule, query = set(), set()
    for event in events:
        for subscription in subscriptions:
            if subscription.unsubscribed_at is None and hears_of(subscription, event):
                rule.add((event.kind, subscription.pk))
            pending = _unsent_subscriptions().filter(pk=subscription.pk)
            if CaseEvent.objects.filter(told_steps(), Exists(pending), pk=event.pk).exists():
                query.add((event.kind, subscription.pk))
    assert query == rule
    reporter = case.subscriptions.get(role="reporter").pk
    assert ("verified", reporter) in rule and ("reopened", reporter) not in rule
    assert any(kind == "reopened" for kind, _ in rule)  # the follower hears of it
    assert not any(kind == "note" for kind, _ in rule)

    # The sweep's own question is one query, whatever the number of events.
    with django_assert_num_queries(1):
        found = unsent_events(now=T0 + timedelta(hours=1))
    assert found == sorted({event.pk for event in events if any(kind == event.kind for kind, _ in rule)})


def test_the_beat_runs_the_sweep_every_quarter_hour(category, operator, django_capture_on_commit_callbacks):
    from reports import tasks

    entry = django_settings.CELERY_BEAT_SCHEDULE["notices-sweep"]
    assert (entry["task"], entry["schedule"]) == ("reports.tasks.notices_sweep", 900.0)
    case = submit(category, moment=clock.now() - timedelta(hours=1))
    at(clock.now() - timedelta(hours=1), services.case_verify, case=case, by=operator)
    lose_queued_messages()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notices_sweep.delay().get() == 1

    assert [m.to for m in gateways.outbox] == [E164]
