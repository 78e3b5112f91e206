"""Sending each subscriber of a case one message per step, by their channel, in their language.

Each (event, subscription) goes once: the Notice row "s<subscription id>" is written in the same transaction as the
sending, and its unique (event, channel) pair stops a second run. A channel that fails for now (a gateway or push
service down, an SMTP server gone) leaves no Notice: the others are sent, then the error is raised again so the task
retries (reports/tasks.py retries ConnectionError, which GatewayError is), and the retry sends only what is missing.
A push subscription the push service no longer knows (404, 410) is unsubscribed: the browser dropped it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .. import clock
from ..models import CaseEvent, Notice, Role, Subscription
from . import texts
from .gateways import send_text
from .push import PushRefused, SubscriptionGone, send_push
from .steps import hears_of

log = logging.getLogger(__name__)

EMAIL, PUSH, SMS, ZALO = (choice.value for choice in Subscription.Channel)


def notice_channel(subscription):
    # Notice.channel holds 10 characters: "s" and up to nine digits.
    return f"s{subscription.pk}"


def _already_sent(subscription, done):
    if notice_channel(subscription) in done:
        return True
    # Sent before migration 0013: to the reporter's address as "email", to a follower as "f<id>" (same id).
    if subscription.channel != EMAIL:
        return False
    legacy = "email" if subscription.role == Subscription.Role.REPORTER else f"f{subscription.pk}"
    return legacy in done


def active_subscriptions(case, **filters):
    return Subscription.objects.filter(case=case, unsubscribed_at=None, **filters).order_by("pk")


def _load(event_id, **filters):
    return (
        CaseEvent.objects.select_related("case__category", "case__agency", "agency")
        .filter(pk=event_id, **filters)
        .first()
    )


def send_reporter_notice(event_id) -> bool:
    """Send the event's messages still unsent to everyone subscribed to its case. True if any was sent."""
    event = _load(event_id)
    if event is None:
        return False
    subscriptions = [s for s in active_subscriptions(event.case) if hears_of(s, event)]
    return _deliver_each(event, subscriptions, _step_message)


def send_conversation_message(event) -> bool:
    """A staff message to each of the reporter's subscriptions (send_message_notice). True if any was sent."""
    subscriptions = list(active_subscriptions(event.case, role=Subscription.Role.REPORTER))
    return _deliver_each(event, subscriptions, _conversation_message)


def _deliver_each(event, subscriptions, build):
    done = set(Notice.objects.filter(event=event).values_list("channel", flat=True))
    sent, failure = False, None
    for subscription in subscriptions:
        if _already_sent(subscription, done):
            continue
        try:
            sent |= _send_once(event, subscription, build)
        except OSError as exc:
            # ConnectionError (GatewayError), TimeoutError, SMTP errors: the others still go; this one on retry.
            log.warning("subscription %s, event %s: not sent for now: %s", subscription.pk, event.pk, exc)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent


def _send_once(event, subscription, build):
    try:
        with transaction.atomic():
            Notice.objects.create(event=event, channel=notice_channel(subscription))
            with translation.override(subscription.language):
                message = build(event, subscription)
            _deliver(subscription, message)
    except IntegrityError:
        # Already sent by an earlier run of the task.
        return False
    except SubscriptionGone:
        Subscription.objects.filter(pk=subscription.pk, unsubscribed_at=None).update(unsubscribed_at=clock.now())
        log.info("subscription %s: the push service no longer knows it; unsubscribed", subscription.pk)
        return False
    except PushRefused as exc:
        # Retrying would be refused again; nothing is recorded, so a later step tries this subscription afresh.
        log.warning("subscription %s, event %s: push refused: %s", subscription.pk, event.pk, exc)
        return False
    return True


def _deliver(subscription, message):
    if subscription.channel == EMAIL:
        message.send()
    elif subscription.channel == PUSH:
        send_push(subscription.address, message)
    else:
        send_text(subscription.channel, subscription.address, message)


def _email(subscription, name, context):
    unsubscribe = texts.unsubscribe_url(subscription)
    context = {**context, "unsubscribe_url": unsubscribe}
    subject = " ".join(render_to_string(f"reports/email/{name}_subject.txt", context).split())
    text = render_to_string(f"reports/email/{name}.txt", context)
    html = render_to_string(f"reports/email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [subscription.address],
        # RFC 8058: a mail client's "unsubscribe" button POSTs to the link, and that one request unsubscribes.
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _step_message(event, subscription):
    if subscription.channel == EMAIL:
        name = "case_event" if subscription.role == Subscription.Role.REPORTER else "follower_event"
        return _email(subscription, name, texts.step_context(event, subscription))
    if subscription.channel == PUSH:
        return texts.step_push(event, subscription)
    limit = texts.SMS_MAX if subscription.channel == SMS else texts.ZALO_MAX
    return texts.step_text(event, subscription, limit)


def _conversation_message(event, subscription):
    from ..services.messages import LINK_DAYS, reporter_link_key

    case = event.case
    conversation_url = settings.SITE_URL + reverse(
        "reports:reporter_messages", args=[case.tracking_code, reporter_link_key(case)]
    )
    if subscription.channel == EMAIL:
        context = {
            "case": case,
            "event": event,
            "from_centre": event.actor_role == Role.OPERATOR or event.agency is None,
            "conversation_url": conversation_url,
            "link_days": LINK_DAYS,
        }
        return _email(subscription, "message_to_reporter", context)
    if subscription.channel == PUSH:
        return texts.message_push(event, conversation_url)
    limit = texts.SMS_MAX if subscription.channel == SMS else texts.ZALO_MAX
    return texts.message_text(event, subscription, conversation_url, limit)
