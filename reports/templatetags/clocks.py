"""The two clocks of a case in words: the centre's (to verify a submitted case) and the agency's (to resolve an
assigned one), with the time left or overdue, and for a resolved case whether its deadline was met.

    {% load clocks %}
    {% case_clock case %}                       the clock that runs now, as HTML, or nothing
    {% case_clock case as clock %}{% if clock %}...{{ clock }}...{% endif %}
    {{ case.deadline|time_left }}               "2 working days left", "due in 3 hours", "overdue by 1 day"
"""

from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.deadlines import working_days_between
from reports import clock

register = template.Library()

HOUR = 3600
DAY = 24 * HOUR


def _split(seconds):
    """The largest whole unit of a positive span: ("day", n), ("hour", n) or ("minute", n), never 0 minutes."""
    if seconds >= DAY:
        return "day", int(seconds // DAY)
    if seconds >= HOUR:
        return "hour", int(seconds // HOUR)
    return "minute", max(1, int(seconds // 60))


def time_left_words(deadline, now):
    """What a running clock says: working days left, or hours or minutes on the last day, or how late it is."""
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        unit, n = _split(-seconds)
        if unit == "day":
            return ngettext("overdue by %(count)d day", "overdue by %(count)d days", n) % {"count": n}
        if unit == "hour":
            return ngettext("overdue by %(count)d hour", "overdue by %(count)d hours", n) % {"count": n}
        return ngettext("overdue by %(count)d minute", "overdue by %(count)d minutes", n) % {"count": n}
    if seconds >= DAY:
        # A deadline is the end of a working day, so a day or more away means at least one working day to go.
        days = working_days_between(now, deadline)
        if days:
            return ngettext("%(count)d working day left", "%(count)d working days left", days) % {"count": days}
    # Under a day, or a deadline set off a working day's end with no working day between: hours, then minutes.
    if seconds >= HOUR:
        n = int(seconds // HOUR)
        return ngettext("due in %(count)d hour", "due in %(count)d hours", n) % {"count": n}
    n = max(1, int(seconds // 60))
    return ngettext("due in %(count)d minute", "due in %(count)d minutes", n) % {"count": n}


def outcome_words(deadline, done_at):
    """Whether a resolved case met its deadline, and if not by how much."""
    late = (done_at - deadline).total_seconds()
    if late <= 0:
        return _("resolved on time")
    unit, n = _split(late)
    if unit == "day":
        return ngettext("resolved %(count)d day late", "resolved %(count)d days late", n) % {"count": n}
    if unit == "hour":
        return ngettext("resolved %(count)d hour late", "resolved %(count)d hours late", n) % {"count": n}
    return ngettext("resolved %(count)d minute late", "resolved %(count)d minutes late", n) % {"count": n}


def duration_words(delta):
    """A span of time as its largest whole unit ("3 days", "5 hours", "20 minutes"); "—" when unknown."""
    if delta is None:
        return "—"
    unit, n = _split(max(delta.total_seconds(), 0))
    if unit == "day":
        return ngettext("%(count)d day", "%(count)d days", n) % {"count": n}
    if unit == "hour":
        return ngettext("%(count)d hour", "%(count)d hours", n) % {"count": n}
    return ngettext("%(count)d minute", "%(count)d minutes", n) % {"count": n}


def _time(moment):
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), formats.date_format(local, "SHORT_DATETIME_FORMAT")
    )


def render_case_clock(case, now=None):
    """The HTML of the clock that matters for the case's state, or "" when no clock applies."""
    now = now or clock.now()
    if case.state == "submitted" and case.verify_deadline:
        who, deadline = _("Centre to verify:"), case.verify_deadline
    elif case.state in ("assigned", "in_progress") and case.deadline:
        who, deadline = _("Agency to resolve:"), case.deadline
    elif case.state in ("resolved", "closed") and case.deadline and case.resolved_at:
        met = case.resolved_at <= case.deadline
        return format_html(
            '<span class="clock clock-{}"><strong class="clock-words">{}</strong> <span class="clock-at">{}</span>'
            "</span>",
            "met" if met else "late",
            outcome_words(case.deadline, case.resolved_at),
            format_html(_("(deadline {date})"), date=_time(case.deadline)),
        )
    else:
        return ""
    left = (deadline - now).total_seconds()
    if left <= 0:
        status = "overdue"
    elif left <= settings.DEADLINE_WARNING_HOURS * HOUR:
        status = "soon"
    else:
        status = "ok"
    return format_html(
        '<span class="clock clock-{} clock-{}"><span class="clock-who">{}</span> <strong class="clock-words">{}'
        '</strong> <span class="clock-at">({})</span></span>',
        "centre" if case.state == "submitted" else "agency",
        status,
        who,
        time_left_words(deadline, now),
        _time(deadline),
    )


@register.simple_tag
def case_clock(case):
    return render_case_clock(case)


@register.filter
def time_left(deadline):
    return time_left_words(deadline, clock.now()) if deadline else ""


@register.filter
def duration(delta):
    return duration_words(delta)
