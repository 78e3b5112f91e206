"""What the channel choice needs on pages that the view does not prepare: the VAPID public key push.js subscribes
with, and the follow form of a case page rendered without one (the public page, kept fresh by workers)."""

from django import template

from ..notifications.vapid import vapid_public_key

register = template.Library()


@register.simple_tag
def push_public_key():
    return vapid_public_key()


@register.simple_tag
def follow_form_or_new(form=None):
    if form:
        return form
    from ..follow_views import FollowForm

    return FollowForm()
