"""What each channel says about a step, in the subscriber's language (the caller holds translation.override).

E-mail says it all (templates/reports/email/); a push notification shows a title and a line, and opens the case (its
data is exactly the {"title", "body", "url"} the service worker shows); an SMS must fit in one message, so it names the
case and the step, and gives the links: the case, then how to stop.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

# One SMS: 160 characters of the GSM alphabet. Vietnamese with its diacritics goes as UCS-2 (70 per part), which
# gateways send as a concatenated message: the length still keeps it to one screen.
SMS_MAX = 160
ZALO_MAX = 1000
ELLIPSIS = "…"


def case_url(case):
    return settings.SITE_URL + reverse("reports:case", args=[case.tracking_code])


def unsubscribe_url(subscription):
    return settings.SITE_URL + reverse("reports:unsubscribe", args=[subscription.token])


def _one_line(name, context):
    return " ".join(render_to_string(name, context).split())


def step_context(event, subscription):
    return {
        "case": event.case,
        "event": event,
        "case_url": case_url(event.case),
        "unsubscribe_url": unsubscribe_url(subscription),
    }


def step_title(event, subscription):
    """ "Your report HUE-26-00417: assigned" to its reporter, "Case HUE-26-00417 you follow: assigned" to others."""
    name = "case_event" if subscription.role == "reporter" else "follower_event"
    return _one_line(f"reports/email/{name}_subject.txt", {"case": event.case, "event": event})


def step_explanation(event):
    return _one_line("reports/_state_explanation.html", {"state": event.to_state})


def _shorten(text, room):
    return text if len(text) <= room else text[: max(room - 1, 0)].rstrip() + ELLIPSIS


def _with_links(head, link, stop_url):
    return f"{head} {link} {gettext('Stop')}: {stop_url}"


def step_text(event, subscription, limit):
    """The step as an SMS or a Zalo message: the case's code, the step, the case's page and the stop link. Where both
    links do not fit in one SMS (a city's long domain), the one link is the stop link, whose page names the case and
    links it: a message always says how to stop them."""
    head = step_title(event, subscription)
    if limit > SMS_MAX:
        head = f"{head}. {step_explanation(event)}"
    stop_url = unsubscribe_url(subscription)
    text = _with_links(head, case_url(event.case), stop_url)
    if len(text) <= limit:
        return text
    return f"{_shorten(head, limit - len(stop_url) - 1)} {stop_url}"


def step_push(event, subscription):
    return {"title": step_title(event, subscription), "body": step_explanation(event), "url": case_url(event.case)}


def message_head(event):
    """Who wrote to the reporter: the agency's name or the monitoring centre, never a person's (as the e-mail's
    subject says it)."""
    from_centre = event.actor_role == "operator" or event.agency is None
    context = {"case": event.case, "event": event, "from_centre": from_centre}
    return _one_line("reports/email/message_to_reporter_subject.txt", context)


def message_text(event, subscription, conversation_url, limit):
    """A staff message's notice: who wrote, and the link to read and answer it (the stop link too where it fits:
    this link is long, and the reporter's step messages carry the stop link anyway)."""
    head = message_head(event)
    text = _with_links(head, conversation_url, unsubscribe_url(subscription))
    if len(text) <= limit:
        return text
    room = limit - len(conversation_url) - 1
    if len(head) > room:
        head = gettext("%(code)s: you have a message") % {"code": event.case.tracking_code}
    return f"{_shorten(head, room)} {conversation_url}"


def message_push(event, conversation_url):
    body = gettext("Open it to read the message and reply.")
    return {"title": message_head(event), "body": body, "url": conversation_url}
