"""Who hears about a case: its reporter by the channels they chose when reporting, and anyone who follows it instead
of reporting it again. One Subscription per (case, channel, address); every message carries its unsubscribe link."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .. import clock
from ..errors import InvalidInput, InvalidTransition
from ..models import State, Subscription
from ..notifications.addresses import EMAIL, PHONE_CHANNELS, PUSH, address_digest, clean_address
from .common import lock_case

Role, Channel = Subscription.Role, Subscription.Channel


def follower_digest(email) -> str:
    """The keyed hash that makes one e-mail address one subscription of a case, whatever its case or spacing."""
    return address_digest(email)


def new_token() -> str:
    # 96 random bits: the unsubscribe link's secret, short enough for an SMS.
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class ChannelChoice:
    """A channel someone chose and its address, checked and normalised (clean_address)."""

    channel: str
    address: str
    digest: str


def reporter_choices(*, notify_by, email, phone, push_subscription) -> list[ChannelChoice]:
    """The reporter's channels, each with its checked address, or InvalidInput saying what is wrong: before anything
    is written. `notify_by` None (the API, Open311): e-mail when an address is given, as before there was a choice."""
    if notify_by is None:
        notify_by = [EMAIL] if (email or "").strip() else []
    raw = {EMAIL: email, PUSH: push_subscription}
    choices = {}
    for channel in notify_by:
        if channel not in Channel.values:
            raise InvalidInput(_("Choose how you want to be told."))
        address, digest = clean_address(channel, phone if channel in PHONE_CHANNELS else raw[channel])
        choices[(channel, digest)] = ChannelChoice(channel, address, digest)
    return list(choices.values())


def subscriptions_for_reporter(case, reporter, choices) -> list[Subscription]:
    """The reporter's subscriptions, built (not saved): case_submit inserts them in one statement."""
    return [
        Subscription(
            case=case,
            role=Role.REPORTER,
            channel=choice.channel,
            address=choice.address,
            address_digest=choice.digest,
            language=reporter.language,
            citizen_id=reporter.citizen_id,
            token=new_token(),
            created_at=case.created_at,
        )
        for choice in choices
    ]


@transaction.atomic
def case_follow(*, case, language, email="", channel=EMAIL, address=None, citizen=None) -> Subscription:
    """Someone who did not report the case asks to be told of its steps, instead of reporting it again. `address`:
    the e-mail address, mobile number or push subscription (JSON) of `channel`; `email` is the e-mail one.
    Following twice by the same address keeps one subscription, in the language of the latest request, and takes
    back an unsubscribing."""
    address, digest = clean_address(channel, email if address is None else address)
    case = lock_case(case)
    if not case.is_open:
        raise InvalidTransition(
            _("Case %(code)s is %(state)s and can no longer be followed.")
            % {"code": case.tracking_code, "state": State(case.state).label}
        )
    subscription, created = Subscription.objects.get_or_create(
        case=case,
        channel=channel,
        address_digest=digest,
        defaults={
            "role": Role.FOLLOWER,
            "address": address,
            "language": language,
            "citizen": citizen,
            "token": new_token(),
            "created_at": clock.now(),
        },
    )
    if not created:
        if subscription.role == Role.FOLLOWER:
            subscription.address, subscription.language = address, language
        # else: the reporter following their own case stays its reporter, as they reported, and hears once.
        if subscription.unsubscribed_at is not None:
            # Back from the next step on: created_at is where a subscriber's steps start (notifications.steps), so the
            # sweep does not send what happened while they were away.
            subscription.unsubscribed_at, subscription.created_at = None, clock.now()
        subscription.citizen = subscription.citizen or citizen
        subscription.save(update_fields=["address", "language", "unsubscribed_at", "created_at", "citizen"])
    return subscription


def move_followers(source, target, *, since):
    """A merged case's followers follow the case that goes on; one who already follows it is not doubled. They hear of
    its steps from `since` on (the moment the duplicate was merged in), not of its earlier ones."""
    already = Subscription.objects.filter(
        case=target, channel=OuterRef("channel"), address_digest=OuterRef("address_digest")
    )
    moving = Subscription.objects.filter(case=source, role=Role.FOLLOWER)
    moving.filter(Exists(already)).delete()
    # created_at is where a subscriber's steps start (notifications.steps).
    moving.update(case=target, created_at=since)


def reporter_follows_survivor(duplicate, into):
    """The reporter of a merged duplicate is told of the surviving case's steps from now on, by the channels they
    chose (their subscriptions to the duplicate stay, for its history)."""
    taken = set(into.subscriptions.values_list("channel", "address_digest"))
    rows = [
        Subscription(
            case=into,
            role=Role.FOLLOWER,
            channel=own.channel,
            address=own.address,
            address_digest=own.address_digest,
            language=own.language,
            citizen_id=own.citizen_id,
            token=new_token(),
            created_at=clock.now(),
        )
        for own in duplicate.subscriptions.filter(role=Role.REPORTER, unsubscribed_at=None).order_by("pk")
        if (own.channel, own.address_digest) not in taken
    ]
    Subscription.objects.bulk_create(rows)


# Unsubscribing: the token of the link every message carries is the whole authority, as a mail client's one-click
# POST (RFC 8058) brings nothing else.


def subscription_by_token(token) -> Subscription | None:
    if not 0 < len(token or "") <= 32:
        return None
    return Subscription.objects.select_related("case").filter(token=token).first()


def subscription_stop(*, subscription) -> Subscription:
    """No more messages for this subscription. Doing it twice changes nothing."""
    Subscription.objects.filter(pk=subscription.pk, unsubscribed_at=None).update(unsubscribed_at=clock.now())
    subscription.refresh_from_db(fields=["unsubscribed_at"])
    return subscription


def subscription_resume(*, subscription) -> Subscription:
    """Undo: messages come again, from the next step on (created_at is where a subscriber's steps start)."""
    moment = clock.now()
    Subscription.objects.filter(pk=subscription.pk).update(unsubscribed_at=None, created_at=moment)
    subscription.unsubscribed_at, subscription.created_at = None, moment
    return subscription
