"""The form fields a citizen chooses their channels with, on the report form (reporter) and the follow form
(follower): the same choices, the same checks as the services make (addresses.py)."""

from django import forms
from django.core.exceptions import ValidationError

from ..errors import InvalidInput
from ..models import Subscription
from .addresses import EMAIL, PHONE_CHANNELS, PUSH, PUSH_SUBSCRIPTION_MAX, clean_mobile, clean_push_subscription
from .vapid import vapid_public_key


def channel_choices():
    """Every channel; push only where a VAPID key is set up (reports/notifications/vapid.py)."""
    offered = Subscription.Channel.choices
    return offered if vapid_public_key() else [(value, label) for value, label in offered if value != PUSH]


class PushSubscriptionField(forms.CharField):
    """The browser's push subscription (JSON), put there by static/js/push.js once the citizen allowed notifications."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=PUSH_SUBSCRIPTION_MAX, **kwargs)


def check_channels(chosen, *, email, phone, push_subscription):
    """The chosen channels that have somewhere to go, or ValidationError saying what is missing. E-mail is chosen by
    default on the report form: with no address given it is dropped quietly, so that reporting anonymously stays one
    tap. SMS, Zalo and push are chosen on purpose: without a mobile number or a subscription, the citizen is told."""
    problems, kept = [], []
    for channel in chosen:
        if channel == EMAIL:
            if email:
                kept.append(channel)
            continue
        try:
            if channel in PHONE_CHANNELS:
                clean_mobile(phone)
            elif channel == PUSH:
                clean_push_subscription(push_subscription)
        except InvalidInput as exc:
            if str(exc.message) not in problems:
                problems.append(str(exc.message))
            continue
        kept.append(channel)
    if problems:
        raise ValidationError(problems)
    return kept
