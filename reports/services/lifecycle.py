"""The case life cycle of DESIGN.md: one function per step."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from agencies.deadlines import add_working_days, deadline_for
from agencies.routing import RoutingDecision, route_case, ward_at

from .. import clock
from ..errors import InvalidInput, InvalidTransition, NotAllowed
from ..media import UploadedMedia
from ..models import Case, Category, EventKind, Reporter, Role, Source, State, Subscription
from ..permissions import can_reveal_reporter, is_operator, is_staff_of
from .common import (
    append_event,
    attach_media,
    hash_token,
    lock_case,
    move_case,
    require_agency_staff,
    require_note,
    require_operator,
    require_state,
)
from .following import move_followers, reporter_choices, reporter_follows_survivor, subscriptions_for_reporter


@dataclass(frozen=True)
class Submission:
    case: Case
    # The reporter's secret, given once: only its hash is stored.
    token: str


def next_tracking_code(moment):
    year = moment.year % 100
    with connection.cursor() as cursor:
        # One statement (PostgreSQL, and SQLite 3.35+): the upsert takes the row lock, so concurrent submissions get
        # consecutive numbers, never the same; the submission path saves two round trips over get/update/read.
        cursor.execute(
            'INSERT INTO "reports_casetrackingcounter" ("year", "last") VALUES (%s, 1) '
            'ON CONFLICT ("year") DO UPDATE SET "last" = "reports_casetrackingcounter"."last" + 1 RETURNING "last"',
            [year],
        )
        (number,) = cursor.fetchone()
    return f"{settings.CITY_CODE}-{year:02d}-{number:05d}"


def reporter_has_access(case, token) -> bool:
    """Whether `token` is this case's reporter secret (compared in constant time)."""
    return bool(token and case.token_hash) and hmac.compare_digest(case.token_hash, hash_token(token))


def _require_reporter(case, token):
    if not reporter_has_access(case, token):
        raise NotAllowed(_("This link is not valid for this case."))


# No savepoint: an error aborts the submission as a whole, and the callers (idempotency.once) already hold a
# transaction, so a savepoint would cost two round trips for nothing.
@transaction.atomic(savepoint=False)
def case_submit(
    *,
    description,
    latitude,
    longitude,
    category,
    address="",
    uploads: tuple[UploadedMedia, ...] = (),
    name="",
    phone="",
    email="",
    language="vi",
    external_id=None,
    attributes=None,
    device_id="",
    account_id="",
    api_key=None,
    media_url="",
    citizen=None,
    notify_by=None,
    push_subscription="",
) -> Submission:
    """A citizen's report becomes a case, whether it came from the pages, the API or an Open311 app.
    Inputs are validated by the form or serializer first. `notify_by`: the channels the reporter chose to hear about
    the case by (e-mail, push with `push_subscription`, SMS, Zalo); None: e-mail if an address is given."""
    description = require_note(description, _("Describe what you saw."))
    choices = reporter_choices(notify_by=notify_by, email=email, phone=phone, push_subscription=push_subscription)
    moment = clock.now()
    reporter = Reporter.objects.create(
        name=name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        device_id=device_id.strip(),
        account_id=account_id.strip(),
        language=language,
        # The reporter's account when they were signed in (reports/citizens): the case is in their "My reports".
        citizen=citizen,
    )
    token = secrets.token_urlsafe(16)
    case = Case.objects.create(
        tracking_code=next_tracking_code(moment),
        token_hash=hash_token(token),
        source=Source.CITIZEN,
        state=State.SUBMITTED,
        category=category,
        latitude=latitude,
        longitude=longitude,
        ward_id=ward_at(latitude, longitude),
        address=address.strip(),
        description=description,
        language=language,
        reporter=reporter,
        external_id=external_id,
        attributes=attributes or {},
        api_key=api_key,
        open311_token=secrets.token_urlsafe(12) if api_key is not None else None,
        media_url=media_url,
        created_at=moment,
        updated_at=moment,
        verify_deadline=add_working_days(moment, settings.CENTRE_VERIFY_WORKING_DAYS),
    )
    if choices:
        # One INSERT for all of them: the submission's statements are counted (tests/platform).
        Subscription.objects.bulk_create(subscriptions_for_reporter(case, reporter, choices))
    event = append_event(case, EventKind.SUBMITTED, role=Role.REPORTER)
    attach_media(case, uploads, role=Role.REPORTER, event=event)
    return Submission(case=case, token=token)


@transaction.atomic
def case_verify(*, case, by, category=None, note=""):
    """The centre confirms the report is real and in the city's remit. If its category assigns automatically and
    routing finds an agency, the case goes straight on to that agency."""
    require_operator(by)
    case = lock_case(case)
    require_state(case, {State.SUBMITTED})
    return _verify(case, role=Role.OPERATOR, by=by, category=category, note=note)


@transaction.atomic
def case_verify_automatically(*, case) -> bool:
    """The system verifies a report of a category the centre lets through unchecked (Category.auto_verify), then
    routes it as case_verify does. False, changing nothing, when the case is no longer waiting or its category
    no longer verifies automatically (an operator was quicker, or the setting changed since it was received)."""
    case = lock_case(case)
    if case.state != State.SUBMITTED or not case.category.auto_verify:
        return False
    _verify(case, role=Role.SYSTEM, by=None, category=None, note="")
    return True


def _verify(case, *, role, by, category, note):
    fields = {}
    data = {}
    if category is not None and category != case.category:
        data = {"category_from": case.category.code, "category_to": category.code}
        fields["category"] = category
        if category.kind == Category.Kind.PROBLEM and case.agency_id is not None:
            # A thanks names the agency thanked; as a problem the case goes to whichever agency routing finds.
            fields["agency"] = None
    move_case(case, State.VERIFIED, **fields)
    append_event(case, EventKind.VERIFIED, role=role, by=by, from_state=State.SUBMITTED, note=note, data=data)
    if case.category.kind == Category.Kind.PRAISE:
        return _publish(case, role=role, by=by)
    if case.category.auto_assign:
        decision = route_case(case)
        if decision.agency is not None:
            _assign(
                case,
                decision.agency,
                case.priority,
                role=Role.SYSTEM,
                note=str(decision.explanation),
                decision=decision,
            )
    return case


def _publish(case, *, role, by):
    """A good deed or a thanks, once verified, is published: closed at once, with no agency to handle it, no
    routing and no deadline (a thanks keeps the agency it thanks, which sees it in its history)."""
    move_case(case, State.CLOSED, closed_at=clock.now(), deadline=None)
    with translation.override(case.language):
        note = str(_("Published on the public site. Thank you for sharing it."))
    append_event(
        case,
        EventKind.CLOSED,
        role=role,
        by=by,
        from_state=State.VERIFIED,
        note=note,
        agency=case.agency,
        data={"by": "published"},
    )
    return case


@transaction.atomic
def case_reject(*, case, by, reason):
    require_operator(by)
    reason = require_note(reason, _("Give the reason for rejecting this report."))
    case = lock_case(case)
    require_state(case, {State.SUBMITTED, State.VERIFIED})
    previous = case.state
    move_case(case, State.REJECTED, closed_at=clock.now())
    append_event(case, EventKind.REJECTED, role=Role.OPERATOR, by=by, from_state=previous, note=reason)
    return case


@transaction.atomic
def case_merge(*, case, into, by, note=""):
    """A duplicate is merged into the case that goes on; its reporter follows that one."""
    require_operator(by)
    if into.pk == case.pk:
        raise InvalidInput(_("A case cannot be merged into itself."))
    # Lock both in id order so two operators merging a pair in opposite directions cannot deadlock.
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[case.pk, into.pk]).order_by("pk")}
    case, into = locked[case.pk], locked[into.pk]
    require_state(case, {State.SUBMITTED, State.VERIFIED})
    if into.state in (State.MERGED, State.REJECTED):
        raise InvalidTransition(
            _("Case %(code)s is %(state)s and cannot take duplicates.")
            % {"code": into.tracking_code, "state": State(into.state).label}
        )
    previous = case.state
    move_case(case, State.MERGED, merged_into=into, closed_at=clock.now())
    append_event(
        case,
        EventKind.MERGED,
        role=Role.OPERATOR,
        by=by,
        from_state=previous,
        note=note,
        data={"into": into.tracking_code},
    )
    # Both histories stay whole: the surviving case records the duplicate too, and its reporter hears of it.
    merged_in = append_event(
        into,
        EventKind.DUPLICATE_MERGED,
        role=Role.OPERATOR,
        by=by,
        from_state=into.state,
        agency=into.agency,
        data={"from": case.tracking_code},
    )
    move_followers(case, into, since=merged_in.created_at)
    reporter_follows_survivor(case, into)
    return case


@transaction.atomic
def case_assign(*, case, agency, by, priority=None, note="", decision: RoutingDecision | None = None):
    """The centre sends a case to an agency. `decision` is the routing suggestion the operator accepted, if any:
    it is recorded so that returns can be counted against the rule or jurisdiction that chose the agency."""
    require_operator(by)
    if agency is None or not agency.is_active:
        raise InvalidInput(_("Choose an active agency."))
    case = lock_case(case)
    require_state(case, {State.VERIFIED, State.ASSIGNED})
    if decision is not None and decision.agency != agency:
        decision = None
    _assign(case, agency, priority or case.priority, role=Role.OPERATOR, by=by, note=note, decision=decision)
    return case


def _assign(case, agency, priority, *, role, by=None, note="", decision=None):
    previous = case.state
    move_case(
        case,
        State.ASSIGNED,
        agency=agency,
        priority=priority,
        assigned_at=clock.now(),
        deadline=deadline_for(case.category, priority, clock.now()),
    )
    data = {"agency": agency.code, "priority": priority, "deadline": case.deadline.isoformat()}
    if decision is not None:
        data["routing"] = decision.as_data()
    append_event(case, EventKind.ASSIGNED, role=role, by=by, from_state=previous, note=note, agency=agency, data=data)


@transaction.atomic
def case_accept(*, case, by, note=""):
    case = lock_case(case)
    require_agency_staff(by, case)
    require_state(case, {State.ASSIGNED})
    move_case(case, State.IN_PROGRESS)
    append_event(
        case, EventKind.ACCEPTED, role=Role.AGENCY, by=by, from_state=State.ASSIGNED, note=note, agency=case.agency
    )
    return case


@transaction.atomic
def case_return(*, case, by, reason):
    """The agency says the case is not theirs; it goes back to the centre to be routed again."""
    reason = require_note(reason, _("Say why this case is not for your agency."))
    case = lock_case(case)
    require_agency_staff(by, case)
    require_state(case, {State.ASSIGNED, State.IN_PROGRESS})
    previous, agency = case.state, case.agency
    move_case(case, State.VERIFIED, agency=None, deadline=None)
    append_event(case, EventKind.RETURNED, role=Role.AGENCY, by=by, from_state=previous, note=reason, agency=agency)
    return case


@transaction.atomic
def case_progress(*, case, by, note, is_public=True, uploads=()):
    note = require_note(note, _("Write what has been done."))
    case = lock_case(case)
    require_agency_staff(by, case)
    require_state(case, {State.IN_PROGRESS})
    case.updated_at = clock.now()
    case.save(update_fields=["updated_at"])
    event = append_event(
        case,
        EventKind.PROGRESS,
        role=Role.AGENCY,
        by=by,
        from_state=case.state,
        note=note,
        is_public=is_public,
        agency=case.agency,
    )
    attach_media(case, uploads, role=Role.AGENCY, event=event)
    return case


@transaction.atomic
def case_resolve(*, case, by, note, uploads=()):
    note = require_note(note, _("Write how the problem was resolved."))
    case = lock_case(case)
    require_agency_staff(by, case)
    require_state(case, {State.IN_PROGRESS})
    move_case(case, State.RESOLVED, resolved_at=clock.now())
    event = append_event(
        case, EventKind.RESOLVED, role=Role.AGENCY, by=by, from_state=State.IN_PROGRESS, note=note, agency=case.agency
    )
    attach_media(case, uploads, role=Role.AGENCY, event=event)
    return case


@transaction.atomic
def case_add_note(*, case, by, note):
    """An internal note: seen by the centre, and by the agency that wrote it."""
    note = require_note(note, _("The note is empty."))
    case = lock_case(case)
    if is_operator(by):
        role, agency = Role.OPERATOR, None
    elif is_staff_of(by, case.agency):
        role, agency = Role.AGENCY, case.agency
    else:
        raise NotAllowed(_("Only the centre and the case's agency can add notes."))
    return append_event(
        case, EventKind.NOTE, role=role, by=by, from_state=case.state, note=note, is_public=False, agency=agency
    )


@transaction.atomic
def case_rate(*, case, token, stars, comment=""):
    """The reporter rates the outcome; a rating of a resolved case confirms it and closes it."""
    case = lock_case(case)
    _require_reporter(case, token)
    if case.category.kind == Category.Kind.PRAISE:
        raise InvalidTransition(_("A good deed or a thanks is published, not rated."))
    if not (isinstance(stars, int) and 1 <= stars <= 5):
        raise InvalidInput(_("Give a rating from 1 to 5 stars."))
    if case.state == State.CLOSED and case.rating is not None:
        raise InvalidTransition(_("You have already rated this case."))
    require_state(case, {State.RESOLVED, State.CLOSED})
    previous = case.state
    case.rating = stars
    case.save(update_fields=["rating"])
    append_event(
        case, EventKind.RATED, role=Role.REPORTER, from_state=previous, note=comment.strip(), data={"stars": stars}
    )
    if previous == State.RESOLVED:
        move_case(case, State.CLOSED, closed_at=clock.now())
        append_event(case, EventKind.CLOSED, role=Role.REPORTER, from_state=State.RESOLVED, data={"by": "confirmation"})
    return case


def can_reopen(case) -> bool:
    """A resolved case can be reopened, and a closed one within CASE_REOPEN_DAYS of its closing; a published good
    deed or thanks never (it would go to an agency with a deadline)."""
    if case.category.kind == Category.Kind.PRAISE:
        return False
    if case.state == State.RESOLVED:
        return True
    return (
        case.state == State.CLOSED
        and case.closed_at is not None
        and case.closed_at >= clock.now() - timedelta(days=settings.CASE_REOPEN_DAYS)
    )


@transaction.atomic
def case_reopen(*, case, token, reason):
    """The reporter says the problem is still there; the same agency gets it back with a new deadline."""
    reason = require_note(reason, _("Say what is still wrong."))
    case = lock_case(case)
    _require_reporter(case, token)
    require_state(case, {State.RESOLVED, State.CLOSED})
    if case.category.kind == Category.Kind.PRAISE:
        raise InvalidTransition(_("A good deed or a thanks cannot be reopened."))
    moment = clock.now()
    if not can_reopen(case):
        raise InvalidTransition(
            _("This case was closed more than %(days)d days ago; please send a new report.")
            % {"days": settings.CASE_REOPEN_DAYS}
        )
    previous = case.state
    move_case(
        case,
        State.ASSIGNED,
        rating=None,
        resolved_at=None,
        closed_at=None,
        deadline=deadline_for(case.category, case.priority, moment),
    )
    append_event(case, EventKind.REOPENED, role=Role.REPORTER, from_state=previous, note=reason, agency=case.agency)
    return case


@transaction.atomic
def case_close(*, case, reason="timeout"):
    """The system closes a resolved case the reporter did not answer within CASE_CONFIRM_DAYS."""
    case = lock_case(case)
    require_state(case, {State.RESOLVED})
    move_case(case, State.CLOSED, closed_at=clock.now())
    append_event(case, EventKind.CLOSED, role=Role.SYSTEM, from_state=State.RESOLVED, data={"by": reason})
    return case


@transaction.atomic
def reporter_reveal(*, case, by) -> Reporter | None:
    """An operator with the permission reads who reported a case. Every read is logged as an event."""
    if not can_reveal_reporter(by):
        raise NotAllowed(_("You do not have permission to see reporters' contact details."))
    # Locked and read again: the event records the state the case is in now, not when the page was read.
    case = lock_case(case)
    append_event(case, EventKind.REPORTER_REVEALED, role=Role.OPERATOR, by=by, from_state=case.state, is_public=False)
    return case.reporter
