"""What Open311 reads: the query parameters of GET requests and of the updates feed, checked, and the queries
they make. Every case is public, as on the public pages; only public events and public media are read, and never
the reporter (no query here follows Case.reporter).

Empty parameters count as absent (the spec's "Optional Arguments"). A list parameter may be comma-separated,
repeated, or both.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Prefetch, Value
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .. import clock
from ..duplicates import EARTH_RADIUS_METRES, bounding_box
from ..models import OPEN_STATES, Case, CaseEvent, Category, CategoryAttribute, Media, State
from ..selectors import public_media_all

# The spec's response volume: requests of the last 90 days when no dates are given, at most 1,000 in one answer
# (page_size may ask for fewer, never more). Read at call time, so tests can lower them.
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
# Far beyond any real paging, and small enough that the offset stays a number every database takes.
MAX_PAGE = 1_000_000
# A radius search is for a neighbourhood; a larger one would read most of the city through the lat/long index.
MAX_RADIUS_METRES = 50_000

CLOSED_STATES = tuple(state for state in State if state not in OPEN_STATES)
STATUS_STATES = {"open": OPEN_STATES, "closed": CLOSED_STATES}

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "+07:00" in a query string that was not percent-encoded arrives as " 07:00".
_UNENCODED_PLUS = re.compile(r"^(?P<moment>\S+T\S+) (?P<offset>\d{2}(?::?\d{2})?)$")


class BadParameters(Exception):
    """One message per bad parameter, so a client can fix them all at once (400)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


# --- Parameters -------------------------------------------------------------------------------------------


def _value(query, name):
    return (query.get(name) or "").strip() or None


def _list(query, name):
    items = []
    for value in query.getlist(name):
        items.extend(part.strip() for part in value.split(","))
    return tuple(dict.fromkeys(item for item in items if item))


def parse_moment(text, *, end_of_day=False):
    """A W3C / ISO 8601 date and time, aware; None when it is not one. A time without an offset is the city's;
    a date alone is the start of that day in the city, or its last instant when it ends a range."""
    text = text.strip()
    if _DATE_ONLY.match(text):
        try:
            day = parse_date(text)
        except ValueError:
            return None
        if day is None:
            return None
        return _storable(timezone.make_aware(datetime.combine(day, time.max if end_of_day else time.min)))
    match = _UNENCODED_PLUS.match(text)
    if match:
        text = f"{match['moment']}+{match['offset']}"
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None:
        return None
    return _storable(moment if timezone.is_aware(moment) else timezone.make_aware(moment))


def _storable(moment):
    """The moment if the database can compare with it (in UTC), else None: 0001-01-01T00:00+07:00 cannot be."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return None
    return moment


class _Reader:
    """Reads parameters off a QueryDict, collecting a message for each bad one."""

    def __init__(self, query):
        self.query = query
        self.errors = []

    def value(self, name):
        return _value(self.query, name)

    def moment(self, name, *, end_of_day=False):
        text = self.value(name)
        if text is None:
            return None
        moment = parse_moment(text, end_of_day=end_of_day)
        if moment is None:
            self.errors.append(
                _("%(name)s must be an ISO 8601 date and time, e.g. 2026-11-24T16:05:00+07:00.") % {"name": name}
            )
        return moment

    def positive_int(self, name, *, maximum):
        text = self.value(name)
        if text is None:
            return None
        number = int(text) if text.isdigit() else 0
        if number < 1 or number > maximum:
            self.errors.append(_("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum})
            return None
        return number

    def number(self, name, low, high):
        text = self.value(name)
        if text is None:
            return None
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):
            self.errors.append(
                _("%(name)s must be a number from %(low)s to %(high)s.") % {"name": name, "low": low, "high": high}
            )
            return None
        return number

    def range(self, first, last, start, end):
        if start is not None and end is not None and start > end:
            self.errors.append(_("%(first)s must not be later than %(last)s.") % {"first": first, "last": last})

    def paging(self):
        page = self.positive_int("page", maximum=MAX_PAGE) or 1
        return page, self.positive_int("page_size", maximum=MAX_RESULTS)

    def done(self):
        if self.errors:
            raise BadParameters(self.errors)


def _bbox(reader):
    """bbox=west,south,east,north in degrees, as (south, west, north, east)."""
    text = reader.value("bbox")
    if text is None:
        return None
    parts = text.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        west = south = east = north = math.nan
    valid = all(math.isfinite(v) for v in (west, south, east, north)) and (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    )
    if not valid:
        reader.errors.append(
            _("bbox must be four numbers, west,south,east,north in degrees, with west <= east and south <= north.")
        )
        return None
    return Decimal(repr(south)), Decimal(repr(west)), Decimal(repr(north)), Decimal(repr(east))


def _near(reader):
    """lat, long and radius (metres) together, as (lat, long, radius)."""
    given = {name: reader.value(name) for name in ("lat", "long", "radius")}
    if not any(given.values()):
        return None
    missing = [name for name, text in given.items() if text is None]
    if missing:
        reader.errors.append(
            _("lat, long and radius (in metres) go together; missing: %(names)s.") % {"names": ", ".join(missing)}
        )
        return None
    lat = reader.number("lat", -90, 90)
    lon = reader.number("long", -180, 180)
    radius = reader.number("radius", 1, MAX_RADIUS_METRES)
    if None in (lat, lon, radius):
        return None
    return lat, lon, radius


@dataclass(frozen=True)
class RequestFilters:
    """GET requests.{fmt}: the spec's filters and the common extensions."""

    ids: tuple = ()
    service_codes: tuple = ()
    statuses: tuple = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    # (south, west, north, east) and (lat, long, radius in metres).
    bbox: tuple | None = None
    near: tuple | None = None
    page: int = 1
    # None: MAX_RESULTS.
    page_size: int | None = None
    extensions: bool = False

    @classmethod
    def parse(cls, query):
        extensions = (_value(query, "extensions") or "").lower() == "true"
        ids = _list(query, "service_request_id")
        if ids:
            # The spec: service_request_id overrides every other argument, so none of them is even checked.
            return cls(ids=ids, extensions=extensions)
        reader = _Reader(query)
        statuses = _list(query, "status")
        unknown = [status for status in statuses if status not in STATUS_STATES]
        if unknown:
            reader.errors.append(_("status must be open, closed or both (comma-separated)."))
        start = reader.moment("start_date")
        end = reader.moment("end_date", end_of_day=True)
        reader.range("start_date", "end_date", start, end)
        updated_after = reader.moment("updated_after")
        updated_before = reader.moment("updated_before", end_of_day=True)
        reader.range("updated_after", "updated_before", updated_after, updated_before)
        bbox = _bbox(reader)
        near = _near(reader)
        page, page_size = reader.paging()
        reader.done()
        return cls(
            service_codes=_list(query, "service_code"),
            statuses=statuses,
            start=start,
            end=end,
            updated_after=updated_after,
            updated_before=updated_before,
            bbox=bbox,
            near=near,
            page=page,
            page_size=page_size,
            extensions=extensions,
        )


@dataclass(frozen=True)
class UpdateFilters:
    """GET requests/updates.{fmt}: public case events, by when they happened. start_date / end_date are the names
    mySociety's servicerequestupdates extension uses for the same window."""

    after: datetime | None = None
    before: datetime | None = None
    page: int = 1
    page_size: int | None = None

    @classmethod
    def parse(cls, query):
        reader = _Reader(query)
        after_name = "updated_after" if _value(query, "updated_after") else "start_date"
        before_name = "updated_before" if _value(query, "updated_before") else "end_date"
        after = reader.moment(after_name)
        before = reader.moment(before_name, end_of_day=True)
        reader.range(after_name, before_name, after, before)
        page, page_size = reader.paging()
        reader.done()
        return cls(after=after, before=before, page=page, page_size=page_size)


def _page(queryset, page, page_size):
    size = min(page_size or MAX_RESULTS, MAX_RESULTS)
    offset = (page - 1) * size
    return list(queryset[offset : offset + size])


# --- Queries ----------------------------------------------------------------------------------------------


def active_services():
    """Active categories with their agency kind (the Open311 group) and whether they have attributes."""
    has_attributes = CategoryAttribute.objects.filter(category=OuterRef("pk"))
    return (
        Category.objects.filter(is_active=True, kind=Category.Kind.PROBLEM)
        .select_related("agency_kind")
        .annotate(has_attributes=Exists(has_attributes))
        .order_by("code")
    )


def service_definition(code):
    """The active category with this code, its attributes in order; None when there is none."""
    return (
        Category.objects.filter(is_active=True, kind=Category.Kind.PROBLEM, code=code)
        .prefetch_related(Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "code")))
        .first()
    )


def _photos():
    return public_media_all().filter(kind=Media.Kind.PHOTO).order_by("id")


def _cases(*, extensions):
    # One query for the cases with their category, agency kind, agency and merge target, one for the photos that
    # give media_url, and with extensions one each for the public events and the public media: never one per row.
    cases = Case.objects.select_related("category__agency_kind", "agency", "merged_into").prefetch_related(
        Prefetch("media", queryset=_photos(), to_attr="open311_photos")
    )
    if extensions:
        cases = cases.prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(is_public=True).select_related("agency").order_by("created_at", "id"),
                to_attr="open311_events",
            ),
            Prefetch("media", queryset=public_media_all().order_by("id"), to_attr="open311_media"),
        )
    return cases


def _within_radius(cases, lat, lon, radius):
    south, west, north, east = bounding_box(lat, lon, radius)
    # The box uses the lat/long index; the exact cut is an equirectangular distance, plain arithmetic that
    # SQLite and PostgreSQL both do, and within a millimetre of the great circle at a city's scale.
    metres_per_degree = EARTH_RADIUS_METRES * math.pi / 180
    kx = Decimal(repr(metres_per_degree * math.cos(math.radians(lat))))
    ky = Decimal(repr(metres_per_degree))
    dx = (F("longitude") - Value(Decimal(repr(lon)))) * Value(kx)
    dy = (F("latitude") - Value(Decimal(repr(lat)))) * Value(ky)
    return (
        cases.filter(latitude__range=(south, north), longitude__range=(west, east))
        .alias(open311_distance2=ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField()))
        .filter(open311_distance2__lte=radius * radius)
    )


def service_requests(filters: RequestFilters):
    """The cases the filters select, newest first, one page of at most MAX_RESULTS.

    Without any date (start_date, end_date, updated_after, updated_before) the spec's default applies: cases
    received in the last DEFAULT_DAYS days. end_date alone looks back DEFAULT_DAYS days from it; start_date alone
    reaches to now. updated_after / updated_before alone set no window on when cases were received: a client
    catching up on changes wants every case that changed, however old.
    """
    cases = _cases(extensions=filters.extensions).order_by("-created_at", "-pk")
    if filters.ids:
        return list(cases.filter(tracking_code__in=filters.ids[:MAX_RESULTS])[:MAX_RESULTS])
    start, end = filters.start, filters.end
    if not any((start, end, filters.updated_after, filters.updated_before)):
        start = clock.now() - timedelta(days=DEFAULT_DAYS)
    elif end is not None and start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        cases = cases.filter(created_at__gte=start)
    if end is not None:
        cases = cases.filter(created_at__lte=end)
    # Always a state condition, all states when no status is asked: every case is in one, and saying so lets the
    # (state, created_at) index serve the date window instead of a scan of every case.
    statuses = filters.statuses or tuple(STATUS_STATES)
    cases = cases.filter(state__in=[state for status in statuses for state in STATUS_STATES[status]])
    if filters.service_codes:
        cases = cases.filter(category__code__in=filters.service_codes)
    if filters.updated_after is not None:
        cases = cases.filter(updated_at__gte=filters.updated_after)
    if filters.updated_before is not None:
        cases = cases.filter(updated_at__lte=filters.updated_before)
    if filters.bbox is not None:
        south, west, north, east = filters.bbox
        cases = cases.filter(latitude__range=(south, north), longitude__range=(west, east))
    if filters.near is not None:
        cases = _within_radius(cases, *filters.near)
    return _page(cases, filters.page, filters.page_size)


def service_request(tracking_code, *, extensions=False):
    return _cases(extensions=extensions).filter(tracking_code=tracking_code).first()


def tracking_code_for_token(token):
    """The tracking code of the case an Open311 app was given this token for; None for an unknown token."""
    return Case.objects.filter(open311_token=token).values_list("tracking_code", flat=True).first()


def service_request_updates(filters: UpdateFilters):
    """Public case events, newest first, one page of at most MAX_RESULTS; each with its case's tracking code and
    the public photos attached to it."""
    events = (
        CaseEvent.objects.filter(is_public=True)
        .select_related("case")
        .prefetch_related(Prefetch("media", queryset=_photos(), to_attr="open311_photos"))
        .order_by("-created_at", "-pk")
    )
    if filters.after is not None:
        events = events.filter(created_at__gte=filters.after)
    if filters.before is not None:
        events = events.filter(created_at__lte=filters.before)
    return _page(events, filters.page, filters.page_size)
