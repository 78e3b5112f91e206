"""The authorisation matrix: every URL pattern of the project x every role, aimed at a case agency B holds (its
media, its events, its reporter's secret), by GET and, where the pattern takes it, by POST with a plausible body.

Each test id is one cell of the table: "<METHOD> /<route> | <role>". A cell checks who gets in (staff pages send
anonymous readers to the sign-in page and refuse everyone else, agency A never gets a 2xx on B's case), and scans
what came back: B's tracking code reaches agency A only where the public sees it too, B's internal note only the
centre and B, the reporter's name, phone and e-mail only an operator who revealed them (and the reporter, on the
page their secret opens). A URL pattern with no row in ENDPOINTS fails, so a new endpoint cannot escape the matrix.
"""

import contextlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from agencies.models import Agency, AgencyKind, AgencyMember, Area, RoutingRule
from huesmart.celery import app as celery_app
from reports import services
from reports.media import check_uploads
from reports.media_processing import media_make_public
from reports.models import Category
from reports.open311.keys import api_key_issue
from reports.services.messages import reporter_link_key
from tests.conftest import advance, jpeg_bytes, refresh_figures

# The same details as the reporter_details fixture (checked below): the world is built once per module, where a
# function-scoped fixture cannot reach.
REPORTER = {"name": "Nguyễn Văn Bí Mật", "phone": "+84 905 123 456", "email": "bimat@example.org"}
INTERNAL_NOTE = "Ghi chú nội bộ của đội B: chủ quán là người quen"
pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "staff_a", "staff_b", "plain_operator", "operator"]
LOGIN = "/accounts/login/"

# Who a pattern is for.
PUBLIC = "public"  # anyone
REPORTER_PAGE = "reporter"  # whoever holds the reporter's secret, which is in the URL
OPERATOR = "operator"  # the centre's pages: sign-in redirect for anonymous, 403 for other users
AGENCY = "agency"  # the inbox: sign-in redirect for anonymous, 403 for users of no agency
CASE_WORKER = "case worker"  # the staff API: operators and agency staff; 401 without credentials
OPERATOR_API = "operator api"  # the staff API's centre-only endpoints
SIGNED_IN = "signed in"  # any signed-in user
STAFF_FILE = "staff file"  # originals and unpublished posters: the centre and the case's agency, 404 for others
PROBE = "probe"  # health checks for load balancers: 503 is their way of saying a dependency is down


@dataclass(frozen=True)
class World:
    code_b: str
    token_b: str
    link_key_b: str
    open311_token_b: str
    media_b: int
    code_a: str
    code_submitted: str
    agency_a: Agency
    category: Category
    rule: int
    api_key: int
    plain_api_key: str
    users: dict = field(repr=False)


@dataclass(frozen=True)
class Endpoint:
    audience: str
    # The URL's arguments: (world, role) -> kwargs.
    kwargs: Callable = lambda w, role: {}
    # A plausible body for a POST, or None when the pattern takes GET only.
    post: Callable | None = None
    json: bool = False
    # Whether the URL names B's case or one of its files.
    foreign: bool = False
    # The reporter's own private page, which shows them the contact details they gave (DESIGN.md: "own").
    shows_reporter: bool = False


def on_case(audience, post=None, *, arg="code", json=False):
    return Endpoint(audience, lambda w, role: {arg: w.code_b}, post, json, foreign=True)


def on_media(audience, post=None):
    return Endpoint(audience, lambda w, role: {"pk": w.media_b}, post, foreign=True)


def reporter_page(post=None, *, arg="token", shows_reporter=True):
    """A page the reporter's secret opens (their token, or the key a message's e-mail links with): the role
    "reporter" holds B's, everyone else tries a wrong one."""

    def kwargs(w, role):
        secret = (w.token_b if arg == "token" else w.link_key_b) if role == "reporter" else "not-the-secret"
        return {"code": w.code_b, arg: secret}

    return Endpoint(REPORTER_PAGE, kwargs, post, foreign=True, shows_reporter=shows_reporter)


def body(**values):
    return lambda w: values


NOTE = body(note="Đã kiểm tra tại chỗ")
OPEN311 = {"fmt": "json"}

ENDPOINTS = {
    # Health checks.
    "healthz": Endpoint(PROBE),
    "readyz": Endpoint(PROBE),
    # Citizens' and public pages.
    "reports:home": Endpoint(PUBLIC),
    "reports:submit": Endpoint(
        PUBLIC,
        post=lambda w: {
            "description": "Vỉa hè bị lấn chiếm",
            "latitude": "16.47",
            "longitude": "107.59",
            "category": w.category.pk,
        },
    ),
    "reports:submitted": on_case(PUBLIC),
    "reports:track": Endpoint(PUBLIC),
    "reports:good_deeds": Endpoint(PUBLIC),
    "reports:praise_new": Endpoint(
        PUBLIC,
        post=lambda w: {
            "description": "Anh xe ôm trả lại ví",
            "latitude": "16.47",
            "longitude": "107.59",
            "category": Category.objects.filter(code="good-deed").values_list("pk", flat=True).first() or "",
        },
    ),
    "reports:praise_sent": on_case(PUBLIC),
    "reports:unsubscribe": Endpoint(PUBLIC, lambda w, role: {"token": "no-such-subscription"}, body()),
    "reports:resubscribe": Endpoint(PUBLIC, lambda w, role: {"token": "no-such-subscription"}, body()),
    "citizens:me": Endpoint(PUBLIC),
    "pwa:sw": Endpoint(PUBLIC),
    "pwa:manifest": Endpoint(PUBLIC),
    "pwa:offline": Endpoint(PUBLIC),
    "citizens:sign_in": Endpoint(PUBLIC, post=body(contact="nguoi.dan@example.org")),
    "citizens:sign_in_code": Endpoint(PUBLIC, post=body(code="123456")),
    "citizens:sign_out": Endpoint(PUBLIC, post=body()),
    "citizens:claim": Endpoint(
        PUBLIC,
        post=lambda w: {"cases": json.dumps([{"code": w.code_b, "url": f"/cases/{w.code_b}/follow/{w.token_b}/"}])},
    ),
    "citizens:phone_cases": Endpoint(PUBLIC),
    "reports:case_list": Endpoint(PUBLIC),
    "reports:case": on_case(PUBLIC),
    "reports:follow": on_case(PUBLIC, body(email="nguoi.theo.doi@example.org")),
    "reports:reporter_case": reporter_page(),
    "reports:rate": reporter_page(body(stars="5", comment="Cảm ơn")),
    "reports:reopen": reporter_page(body(reason="Vẫn còn lấn chiếm")),
    "reports:reporter_message": reporter_page(body(body="Quán vẫn bày bàn ra vỉa hè")),
    # The conversation an e-mailed link opens shows no contact details, not even to the reporter.
    "reports:reporter_messages": reporter_page(body(body="Cảm ơn"), arg="key", shows_reporter=False),
    "reports:upload_create": Endpoint(PUBLIC, post=body()),
    "reports:upload_detail": Endpoint(PUBLIC, lambda w, role: {"upload_id": "no-such-upload"}, body()),
    "reports:media_public": on_media(PUBLIC),
    "reports:media_thumbnail": on_media(PUBLIC),
    "reports:media_poster": on_media(STAFF_FILE),
    "reports:media_original": on_media(STAFF_FILE),
    # The centre.
    "dashboard:triage": Endpoint(OPERATOR),
    "dashboard:cases": Endpoint(OPERATOR),
    "dashboard:case": on_case(OPERATOR),
    "dashboard:verify": on_case(OPERATOR, NOTE),
    "dashboard:reject": on_case(OPERATOR, body(reason="Không thuộc thẩm quyền")),
    "dashboard:merge": on_case(OPERATOR, lambda w: {"into": w.code_a}),
    "dashboard:assign": on_case(OPERATOR, lambda w: {"agency": w.agency_a.pk, "priority": "normal"}),
    "dashboard:note": on_case(OPERATOR, NOTE),
    "dashboard:reveal": on_case(OPERATOR, body()),
    "dashboard:message": on_case(OPERATOR, body(body="Anh/chị có thể gửi thêm ảnh không?")),
    "dashboard:media": on_media(OPERATOR),
    "dashboard:media_boxes": on_media(OPERATOR, body(boxes="[]")),
    "dashboard:media_withhold": on_media(OPERATOR, body(reason="Có biển số xe")),
    "dashboard:media_release": on_media(OPERATOR, body()),
    "dashboard:media_preview": on_media(OPERATOR),
    "dashboard:media_variant": on_media(OPERATOR),
    "dashboard:rules": Endpoint(OPERATOR),
    "dashboard:rule_new": Endpoint(OPERATOR, post=body()),
    "dashboard:rule": Endpoint(OPERATOR, lambda w, role: {"pk": w.rule}, body()),
    "dashboard:rule_delete": Endpoint(OPERATOR, lambda w, role: {"pk": w.rule}, body()),
    "dashboard:categories": Endpoint(OPERATOR),
    "dashboard:category_auto_assign": Endpoint(OPERATOR, lambda w, role: {"code": w.category.code}, body(enabled="1")),
    "dashboard:category_auto_verify": Endpoint(OPERATOR, lambda w, role: {"code": w.category.code}, body(enabled="1")),
    "dashboard:returns": Endpoint(OPERATOR),
    # Triage: claims, bulk decisions and the SLA monitor.
    "dashboard:claim": on_case(OPERATOR, body()),
    "dashboard:release": on_case(OPERATOR, body()),
    "dashboard:bulk": Endpoint(OPERATOR, post=lambda w: {"action": "verify", "cases": [w.code_b, w.code_submitted]}),
    "dashboard:sla": Endpoint(OPERATOR),
    "dashboard:sla_remind": on_case(OPERATOR, body()),
    "dashboard:sla_escalate": on_case(OPERATOR, body()),
    # The centre's overview, exports and monthly report.
    "dashboard:overview:overview": Endpoint(OPERATOR),
    "dashboard:overview:map_json": Endpoint(OPERATOR),
    "dashboard:overview:agencies": Endpoint(OPERATOR),
    "dashboard:overview:report": Endpoint(OPERATOR, lambda w, role: {"year": "2026", "month": "11"}),
    # The category classifier.
    "dashboard:classifier:page": Endpoint(OPERATOR),
    "dashboard:classifier:settings": Endpoint(OPERATOR, post=body(prefill="on", threshold="0.8")),
    "dashboard:classifier:train": Endpoint(OPERATOR, post=body()),
    "dashboard:classifier:activate": Endpoint(OPERATOR, lambda w, role: {"version": 1}, body()),
    # Cameras: their pages, zones and the review queue.
    "dashboard:cameras:list": Endpoint(OPERATOR),
    "dashboard:cameras:new": Endpoint(OPERATOR, post=body()),
    "dashboard:cameras:review": Endpoint(OPERATOR),
    "dashboard:cameras:camera": Endpoint(OPERATOR, lambda w, role: {"code": "cam-none"}, body()),
    "dashboard:cameras:edge_secret": Endpoint(OPERATOR, lambda w, role: {"code": "cam-none"}, body()),
    "dashboard:cameras:snapshot": Endpoint(OPERATOR, lambda w, role: {"code": "cam-none"}),
    "dashboard:cameras:zones": Endpoint(OPERATOR, lambda w, role: {"code": "cam-none"}, body(zones="{}")),
    "dashboard:cameras:review_detection": Endpoint(OPERATOR, lambda w, role: {"pk": 1}),
    "dashboard:cameras:review_confirm": Endpoint(OPERATOR, lambda w, role: {"pk": 1}, body()),
    "dashboard:cameras:review_dismiss": Endpoint(OPERATOR, lambda w, role: {"pk": 1}, body(reason="false_alarm")),
    "dashboard:cameras:evidence": Endpoint(OPERATOR, lambda w, role: {"pk": 1, "which": "snapshot"}),
    "dashboard:areas": Endpoint(OPERATOR),
    "dashboard:areas_geojson": Endpoint(OPERATOR),
    "dashboard:area_new": Endpoint(OPERATOR, post=body()),
    "dashboard:area": Endpoint(OPERATOR, lambda w, role: {"code": "phu-hoi"}, body()),
    "dashboard:api_keys": Endpoint(OPERATOR),
    "dashboard:api_key_new": Endpoint(OPERATOR, post=body(name="Ứng dụng phường")),
    "dashboard:api_key": Endpoint(OPERATOR, lambda w, role: {"pk": w.api_key}, body(rate_limit_per_minute="30")),
    "dashboard:api_key_revoke": Endpoint(OPERATOR, lambda w, role: {"pk": w.api_key}, body()),
    # The agencies' inbox.
    "agencies:inbox": Endpoint(AGENCY),
    "agencies:performance": Endpoint(AGENCY),
    "agencies:case": on_case(AGENCY),
    "agencies:accept": on_case(AGENCY, body(note="")),
    "agencies:return": on_case(AGENCY, body(reason="Không phải việc của đội")),
    "agencies:progress": on_case(AGENCY, body(note="Đã nhắc nhở", is_public="on")),
    "agencies:resolve": on_case(AGENCY, body(note="Đã giải toả")),
    "agencies:note": on_case(AGENCY, NOTE),
    "agencies:message": on_case(AGENCY, body(body="Đội sẽ đến vào sáng mai")),
    # Public figures and transparency.
    "agency_stats:index": Endpoint(PUBLIC),
    "transparency:home": Endpoint(PUBLIC),
    "transparency:map": Endpoint(PUBLIC),
    "transparency:map_json": Endpoint(PUBLIC),
    "transparency:data": Endpoint(PUBLIC),
    "transparency:cases_csv": Endpoint(PUBLIC),
    "transparency:cases_geojson": Endpoint(PUBLIC),
    "transparency:daily_file": Endpoint(PUBLIC, lambda w, role: {"name": "cases.csv"}),
    "transparency:feed_new": Endpoint(PUBLIC),
    "transparency:feed_resolved": Endpoint(PUBLIC),
    "transparency:categories_months": Endpoint(PUBLIC),
    "transparency:category": Endpoint(PUBLIC, lambda w, role: {"code": "sidewalk-encroachment"}),
    "transparency:wards_months": Endpoint(PUBLIC),
    "transparency:ward": Endpoint(PUBLIC, lambda w, role: {"code": "phu-hoi"}),
    "transparency:agencies_months": Endpoint(PUBLIC),
    "transparency:agency": Endpoint(PUBLIC, lambda w, role: {"code": "urban-order-hue"}),
    # The REST API.
    "api:categories": Endpoint(PUBLIC),
    "api:report-create": Endpoint(
        PUBLIC,
        post=lambda w: {"description": "Rác", "latitude": 16.47, "longitude": 107.59, "category": w.category.code},
        json=True,
    ),
    "api:cases-nearby": Endpoint(PUBLIC),
    "api:case": on_case(PUBLIC, arg="tracking_code"),
    "api:case-rate": on_case(PUBLIC, lambda w: {"token": w.token_b, "stars": 5}, arg="tracking_code", json=True),
    "api:case-reopen": on_case(
        PUBLIC, lambda w: {"token": w.token_b, "reason": "Vẫn còn"}, arg="tracking_code", json=True
    ),
    "api:case-verify": on_case(CASE_WORKER, NOTE, arg="tracking_code", json=True),
    "api:case-reject": on_case(CASE_WORKER, body(reason="Không thuộc"), arg="tracking_code", json=True),
    "api:case-merge": on_case(CASE_WORKER, lambda w: {"into": w.code_a}, arg="tracking_code", json=True),
    "api:case-assign": on_case(CASE_WORKER, lambda w: {"agency": w.agency_a.code}, arg="tracking_code", json=True),
    "api:case-note": on_case(CASE_WORKER, NOTE, arg="tracking_code", json=True),
    "api:case-accept": on_case(CASE_WORKER, body(note=""), arg="tracking_code", json=True),
    "api:case-return": on_case(CASE_WORKER, body(reason="Không phải"), arg="tracking_code", json=True),
    "api:case-progress": on_case(CASE_WORKER, NOTE, arg="tracking_code", json=True),
    "api:case-resolve": on_case(CASE_WORKER, NOTE, arg="tracking_code", json=True),
    "api:case-reveal-reporter": on_case(CASE_WORKER, body(), arg="tracking_code", json=True),
    "api:staff-cases": Endpoint(CASE_WORKER),
    "api:staff-case": on_case(CASE_WORKER, arg="tracking_code"),
    "api:staff-triage": Endpoint(OPERATOR_API),
    "api:routing-suggest": Endpoint(OPERATOR_API),
    "api:ledger-key": Endpoint(PUBLIC),
    "api:ledger-checkpoints": Endpoint(PUBLIC),
    "api:ledger-leaves": Endpoint(PUBLIC),
    "api:ledger-inclusion": Endpoint(PUBLIC),
    "api:ledger-consistency": Endpoint(PUBLIC),
    # Edge cameras' signed events (the signature and payloads are tested in tests/cameras/test_edge.py).
    "cameras:events": Endpoint(
        PUBLIC, lambda w, role: {"code": "no-such-camera"}, post=lambda w: {"rule": "no_parking"}, json=True
    ),
    # Open311.
    "open311:discovery": Endpoint(PUBLIC, lambda w, role: OPEN311),
    "open311:services": Endpoint(PUBLIC, lambda w, role: OPEN311),
    "open311:service": Endpoint(PUBLIC, lambda w, role: {**OPEN311, "code": "sidewalk-encroachment"}),
    "open311:requests": Endpoint(
        PUBLIC,
        lambda w, role: OPEN311,
        lambda w: {
            "api_key": w.plain_api_key,
            "service_code": w.category.code,
            "lat": "16.47",
            "long": "107.59",
            "description": "Lấn chiếm vỉa hè",
        },
    ),
    "open311:updates": Endpoint(PUBLIC, lambda w, role: OPEN311),
    "open311:servicerequestupdates": Endpoint(PUBLIC, lambda w, role: OPEN311),
    "open311:request": Endpoint(PUBLIC, lambda w, role: {**OPEN311, "code": w.code_b}, foreign=True),
    "open311:token": Endpoint(PUBLIC, lambda w, role: {**OPEN311, "token": w.open311_token_b}, foreign=True),
    "open311:not_found": Endpoint(PUBLIC, lambda w, role: {"path": "nothing-here.json"}, body()),
    # The schema and its reader, sign-in and language.
    "api-schema": Endpoint(PUBLIC),
    "api-docs": Endpoint(PUBLIC),
    "start": Endpoint(SIGNED_IN),
    "login": Endpoint(PUBLIC, post=body(username="someone", password="wrong")),
    "logout": Endpoint(PUBLIC, post=body()),
    "set_language": Endpoint(PUBLIC, post=body(language="vi", next="/")),
}
# Patterns that are not in the matrix, and why.
NOT_IN_MATRIX = {
    "admin/": "Django's admin: staff users only, guarded by Django itself (is_staff), not by our roles",
    "^static/": "files Django's static() serves in development only; WhiteNoise serves them otherwise",
    "^media/": "files Django's static() serves in development only; media go through reports' views",
}
# The two ways an operator asks for the reporter's contact details; each is logged as a case event.
REVEALS = {("POST", "dashboard:reveal"), ("POST", "api:case-reveal-reporter")}


def url_patterns(patterns=None, prefix="", namespace=""):
    """Every (route, name) of the project, walking included URL confs."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if any(route.startswith(skipped) for skipped in NOT_IN_MATRIX):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def cells():
    found = []
    for route, name in url_patterns():
        endpoint = ENDPOINTS.get(name)
        if endpoint is None:
            found.append(pytest.param(name, "GET", "anonymous", id=f"UNLISTED /{route}"))
            continue
        roles = ROLES + (["reporter"] if endpoint.audience == REPORTER_PAGE else [])
        methods = ["GET"] + (["POST"] if endpoint.post is not None else [])
        for method in methods:
            for role in roles:
                found.append(pytest.param(name, method, role, id=f"{method} /{route} | {role}"))
    return found


# --- the world: built once for the module, rolled back after it ---------------------------------------------------


def _user(username, *groups, permissions=()):
    user = User.objects.create_user(username=username, password="pw-" + username)
    user.groups.add(*groups)
    user.user_permissions.add(*(Permission.objects.get(codename=codename) for codename in permissions))
    return user


def _build_world():
    operators, _ = Group.objects.get_or_create(name="Centre operators")
    operators.permissions.add(Permission.objects.get(codename="triage_case"))
    operator = _user("operator", operators, permissions=["reveal_reporter"])
    users = {
        "operator": operator,
        "plain_operator": _user("plain_operator", operators),
        "staff_a": _user("staff_a"),
        "staff_b": _user("staff_b"),
        "outsider": _user("outsider"),
    }
    market = AgencyKind.objects.create(code="market-management", name_vi="Ban quản lý chợ", name_en="Market")
    urban = AgencyKind.objects.create(code="urban-order", name_vi="Đội trật tự đô thị", name_en="Urban order")
    square = [[107.58, 16.46], [107.60, 16.46], [107.60, 16.48], [107.58, 16.48], [107.58, 16.46]]
    ward = Area.objects.create(
        code="phu-hoi",
        name_vi="Phú Hội",
        name_en="Phu Hoi",
        level="ward",
        geometry={"type": "Polygon", "coordinates": [square]},
    )
    agency_a = Agency.objects.create(code="market-phu-hoi", kind=market, name_vi="BQL chợ Phú Hội", name_en="Market A")
    agency_a.areas.add(ward)
    agency_b = Agency.objects.create(code="urban-order-hue", kind=urban, name_vi="Đội TTĐT Huế", name_en="Urban B")
    AgencyMember.objects.create(user=users["staff_a"], agency=agency_a)
    AgencyMember.objects.create(user=users["staff_b"], agency=agency_b)
    category = Category.objects.create(
        code="price-gouging", name_vi="Chặt chém giá", name_en="Price gouging", agency_kind=market
    )
    sidewalk = Category.objects.create(
        code="sidewalk-encroachment", name_vi="Lấn chiếm vỉa hè", name_en="Sidewalk", agency_kind=urban
    )
    key, plain_key = api_key_issue(name="Ứng dụng phường", by=operator)
    rule = RoutingRule.objects.create(category=category, agency=agency_a, note="Chợ Đông Ba")

    # B's case: sent through Open311 with a photo and the reporter's details, taken on by B, with a public progress
    # note and an internal one.
    photo = check_uploads([SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(size=(96, 64)))])
    sent_b = services.case_submit(
        description="Quán cà phê lấn chiếm toàn bộ vỉa hè",
        latitude="16.470000",
        longitude="107.590000",
        category=sidewalk,
        uploads=photo,
        api_key=key,
        **REPORTER,
    )
    case_b = advance(sent_b.case, "in_progress", operator=operator, staff=users["staff_b"], agency=agency_b)
    services.case_progress(case=case_b, by=users["staff_b"], note="Đã lập biên bản")
    services.case_add_note(case=case_b, by=users["staff_b"], note=INTERNAL_NOTE)
    media_b = case_b.media.get()
    media_make_public(media_b)

    sent_a = services.case_submit(
        description="Bán hàng giá cao", latitude="16.47", longitude="107.59", category=category
    )
    advance(sent_a.case, "in_progress", operator=operator, staff=users["staff_a"], agency=agency_a)
    waiting = services.case_submit(description="Chưa xác minh", latitude="16.47", longitude="107.59", category=category)
    refresh_figures()
    case_b.refresh_from_db()
    return World(
        code_b=case_b.tracking_code,
        token_b=sent_b.token,
        link_key_b=reporter_link_key(case_b),
        open311_token_b=case_b.open311_token,
        media_b=media_b.pk,
        code_a=sent_a.case.tracking_code,
        code_submitted=waiting.case.tracking_code,
        agency_a=agency_a,
        category=sidewalk,
        rule=rule.pk,
        api_key=key.pk,
        plain_api_key=plain_key,
        users=users,
    )


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """B's case and everyone around it, in a transaction of the module's own: each cell's test runs in a savepoint
    inside it (pytest-django nests its atomic blocks), and the whole is rolled back at the end."""
    storages = {**django_settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    celery_app.conf.task_always_eager = True
    cache.clear()
    with django_db_blocker.unblock():
        # pytest-django sets the test database up for the module's django_db mark; never build on another one.
        name = connection.settings_dict["NAME"]
        assert name.startswith("test_") or "memorydb" in name, f"not a test database: {name}"
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with (
                override_settings(
                    MEDIA_ROOT=world_media,
                    STORAGES=storages,
                    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                ),
                translation.override("en"),
            ):
                built = _build_world()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            # Public pages were cached for codes the rollback frees for other tests' cases.
            cache.clear()


@pytest.fixture(autouse=True)
def _world_media(_isolated_media, settings, world_media):
    """conftest gives every test a media folder of its own; the cells read the world's files."""
    settings.MEDIA_ROOT = world_media


# --- one request, and what its answer may hold -------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    text: str


def _text(response):
    # A file is read to the end, so the test client's wrapper closes it (closing it again here would close the
    # database connection that holds the test's transaction, as at the end of a real request).
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    text = raw.decode("utf-8", errors="replace")
    # The scans look for plain text: JSON may escape non-ASCII letters, HTML may escape anything.
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def ask(world, name, method, role):
    """One request as `role`, in a savepoint rolled back afterwards so that no cell sees another's POST."""
    endpoint = ENDPOINTS[name]
    url = reverse(name, kwargs=endpoint.kwargs(world, role))
    client = Client()
    savepoint = transaction.savepoint()
    try:
        if role in world.users:
            # force_login's request has no client address, which django-axes would log as "unknown" (an error in
            # PostgreSQL's inet column); the requests themselves still pass through axes.
            with override_settings(AXES_ENABLED=False):
                client.force_login(world.users[role])
        if method == "GET":
            response = client.get(url)
        elif endpoint.json:
            response = client.post(url, json.dumps(endpoint.post(world)), content_type="application/json")
        else:
            response = client.post(url, endpoint.post(world))
        return Answer(response.status_code, response.get("Location", ""), _text(response))
    finally:
        transaction.savepoint_rollback(savepoint)


def refused(answer, *allowed):
    return answer.status in allowed


def sent_to_sign_in(answer):
    return answer.status == 302 and answer.location.startswith(LOGIN)


def check_who_gets_in(endpoint, role, answer):
    audience, status = endpoint.audience, answer.status
    if audience == PROBE:
        assert status < 500 or status == 503
        return
    assert status < 500, f"server error {status}"
    if audience in (OPERATOR, AGENCY, SIGNED_IN) and role == "anonymous":
        assert sent_to_sign_in(answer), f"anonymous got {status} {answer.location}, not the sign-in page"
    if audience == OPERATOR and role in ("outsider", "staff_a", "staff_b"):
        assert refused(answer, 403), f"{role} got {status} on a centre page"
    if audience == AGENCY and role in ("outsider", "plain_operator", "operator"):
        assert refused(answer, 403), f"{role} got {status} on the agencies' inbox"
    if audience in (CASE_WORKER, OPERATOR_API) and role == "anonymous":
        assert refused(answer, 401, 403), f"anonymous got {status} from the staff API"
    if audience in (CASE_WORKER, OPERATOR_API) and role == "outsider":
        assert refused(answer, 403), f"outsider got {status} from the staff API"
    if audience == OPERATOR_API and role in ("staff_a", "staff_b"):
        assert refused(answer, 403), f"{role} got {status} from a centre-only API"
    if audience == STAFF_FILE and role in ("anonymous", "outsider"):
        assert refused(answer, 404), f"{role} got {status} for a staff file"
    if audience == REPORTER_PAGE and role != "reporter":
        assert refused(answer, 404, 405), f"{role} got {status} with a wrong secret"
    if endpoint.foreign and role == "staff_a" and audience not in (PUBLIC, REPORTER_PAGE):
        # Agency A may not learn that B's case exists, let alone act on it.
        assert refused(answer, 403, 404, 405), f"agency A got {status} on agency B's case"


def check_what_comes_back(world, name, method, role, answer):
    seen = answer.text + answer.location
    reporter_seen = [value for value in REPORTER.values() if value in answer.text]
    may_see_reporter = (role == "operator" and (method, name) in REVEALS) or (
        role == "reporter" and ENDPOINTS[name].shows_reporter
    )
    assert not reporter_seen or may_see_reporter, f"{role} was shown the reporter's {reporter_seen}"
    if INTERNAL_NOTE in seen:
        assert role in ("operator", "plain_operator", "staff_b"), f"{role} was shown B's internal note"
    if role == "staff_a" and world.code_b in seen:
        # Only what the public sees anyway: the public pages and exports name every case.
        public = ask(world, name, method, "anonymous")
        assert world.code_b in public.text + public.location, "agency A was shown B's case where the public is not"


@pytest.mark.parametrize(("name", "method", "role"), cells())
def test_cell(world, name, method, role):
    endpoint = ENDPOINTS.get(name)
    assert endpoint is not None, f"{name} is not in the matrix: add it to ENDPOINTS (or NOT_IN_MATRIX, with why)"
    answer = ask(world, name, method, role)
    check_who_gets_in(endpoint, role, answer)
    check_what_comes_back(world, name, method, role, answer)


# --- the matrix's own checks: it scans what it means to, and its scans can see ------------------------------------


def test_the_matrix_scans_for_the_reporter_of_the_fixtures(reporter_details):
    assert reporter_details == REPORTER


def test_every_row_of_the_matrix_is_a_pattern_of_the_project():
    names = {name for _route, name in url_patterns()}
    assert set(ENDPOINTS) - names == set()


@pytest.mark.parametrize(
    ("name", "role", "expected"),
    [
        ("agencies:inbox", "staff_a", "code_a"),
        ("api:staff-cases", "staff_a", "code_a"),
        ("agencies:case", "staff_b", "code_b"),
        ("api:staff-case", "staff_b", "code_b"),
        ("dashboard:cases", "operator", "code_b"),
        ("dashboard:triage", "operator", "code_submitted"),
    ],
)
def test_the_lists_the_scans_read_are_not_empty(world, name, role, expected):
    answer = ask(world, name, "GET", role)
    assert answer.status == 200
    assert getattr(world, expected) in answer.text


def test_an_operator_who_reveals_sees_the_reporter_and_the_scan_finds_them(world):
    answer = ask(world, "api:case-reveal-reporter", "POST", "operator")
    assert answer.status == 200
    assert all(value in answer.text for value in REPORTER.values())


def test_agency_b_sees_its_internal_note_and_the_scan_finds_it(world):
    assert INTERNAL_NOTE in ask(world, "agencies:case", "GET", "staff_b").text
