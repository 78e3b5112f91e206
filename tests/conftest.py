"""Named people for every role, and a small city to work in.

citizen: an anonymous client; operator: the centre, may reveal reporters; plain_operator: the centre
without that permission; staff_a / staff_b: two agencies' staff; outsider: signed in, no role.
"""

import contextlib
import io
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from PIL import Image

from agencies.models import Agency, AgencyKind, AgencyMember, Area
from agencies.routing import reset_index
from huesmart.celery import app as celery_app
from reports import categories, clock, services
from reports.ledger.append_only import flush_with_triggers_lifted
from reports.models import Category
from reports.notifications import gateways


def _redis_of_this_worker():
    """pytest-xdist runs the suite in processes gw0, gw1...: each gets a Redis database of its own, as it gets a test
    database of its own, so that one process's cache.clear() or queued tasks never reach another's tests."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not (url and worker.startswith("gw")):
        return
    base, _, number = url.rpartition("/")
    own = f"{base}/{(int(number or 0) + int(worker[2:])) % 16}"
    os.environ["REDIS_URL"] = own
    settings.REDIS_URL = own
    settings.CELERY_BROKER_URL = own
    settings.CACHES["default"]["LOCATION"] = own
    celery_app.conf.broker_url = own


_redis_of_this_worker()

# Transactional tests end with Django's flush, which empties the tables the append-only triggers guard: the
# triggers are lifted inside the flush's transaction only (migration 0006).
flush_with_triggers_lifted(type(connection.ops))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and feeds of one test must not answer the next, whose cases reuse the same tracking codes."""
    cache.clear()
    yield
    # A test may have pointed the cache at a server that is down on purpose (tests/platform/test_health.py).
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read English; the city's default, Vietnamese, is tested in tests/platform/test_translations.py."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tasks run in-process; tests/reports/test_redis_worker.py runs them on a real worker instead.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TEXT_MESSAGE_BACKEND = "reports.notifications.gateways.LocmemBackend"
    gateways.outbox.clear()
    settings.MAP_TILE_URL = ""
    # Hashing at full strength would make every fixture user cost a tenth of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_routing_index():
    """Routing keeps its index in the process, and the categories their copy; a rolled-back test's areas and
    categories must not serve the next one."""
    reset_index()
    categories.forget()


@pytest.fixture
def kind_market(db):
    return AgencyKind.objects.create(code="market-management", name_vi="Ban quản lý chợ", name_en="Market management")


@pytest.fixture
def kind_urban(db):
    return AgencyKind.objects.create(code="urban-order", name_vi="Đội trật tự đô thị", name_en="Urban order team")


@pytest.fixture
def ward(db):
    square = [[107.58, 16.46], [107.60, 16.46], [107.60, 16.48], [107.58, 16.48], [107.58, 16.46]]
    return Area.objects.create(
        code="phu-hoi",
        name_vi="Phú Hội",
        name_en="Phu Hoi",
        level="ward",
        geometry={"type": "Polygon", "coordinates": [square]},
    )


@pytest.fixture
def agency_a(kind_market, ward):
    agency = Agency.objects.create(
        code="market-phu-hoi", kind=kind_market, name_vi="BQL chợ Phú Hội", name_en="Phu Hoi market management"
    )
    agency.areas.add(ward)
    return agency


@pytest.fixture
def agency_b(kind_urban):
    return Agency.objects.create(
        code="urban-order-hue", kind=kind_urban, name_vi="Đội TTĐT Huế", name_en="Hue urban order team"
    )


@pytest.fixture
def category(kind_market):
    return Category.objects.create(
        code="price-gouging", name_vi="Chặt chém giá", name_en="Price gouging", agency_kind=kind_market, deadline_days=5
    )


@pytest.fixture
def other_category(kind_urban):
    return Category.objects.create(
        code="sidewalk-encroachment",
        name_vi="Lấn chiếm vỉa hè",
        name_en="Sidewalk encroachment",
        agency_kind=kind_urban,
    )


def _praise_category(code, name_vi, name_en):
    """Migration 0014 makes the praise categories, but a transactional test's flush empties the tables it filled."""
    kind, _ = AgencyKind.objects.get_or_create(
        code="ward-committee", defaults={"name_vi": "Ủy ban nhân dân phường", "name_en": "Ward People's Committee"}
    )
    category, _ = Category.objects.update_or_create(
        code=code,
        defaults={"name_vi": name_vi, "name_en": name_en, "agency_kind": kind, "kind": Category.Kind.PRAISE},
    )
    return category


@pytest.fixture
def good_deed(db):
    return _praise_category("good-deed", "Việc tốt", "Good deed")


@pytest.fixture
def thanks(db):
    return _praise_category("thanks", "Cảm ơn cơ quan", "Thanks to an agency")


def _user(username, **extra):
    return User.objects.create_user(username=username, password="pw-" + username, **extra)


@pytest.fixture
def operators_group(db):
    group, _ = Group.objects.get_or_create(name="Centre operators")
    group.permissions.add(Permission.objects.get(codename="triage_case"))
    return group


@pytest.fixture
def operator(operators_group):
    user = _user("operator")
    user.groups.add(operators_group)
    user.user_permissions.add(Permission.objects.get(codename="reveal_reporter"))
    return user


@pytest.fixture
def plain_operator(operators_group):
    user = _user("plain_operator")
    user.groups.add(operators_group)
    return user


@pytest.fixture
def staff_a(agency_a):
    user = _user("staff_a")
    AgencyMember.objects.create(user=user, agency=agency_a)
    return user


@pytest.fixture
def staff_b(agency_b):
    user = _user("staff_b")
    AgencyMember.objects.create(user=user, agency=agency_b)
    return user


@pytest.fixture
def outsider(db):
    return _user("outsider")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reporter_details():
    return {"name": "Nguyễn Văn Bí Mật", "phone": "+84 905 123 456", "email": "bimat@example.org"}


@pytest.fixture
def submission(category, reporter_details):
    """A citizen's report with contact details, just submitted."""
    return services.case_submit(
        description="Quán bán bún bò 200.000 đồng một tô cho khách du lịch",
        latitude="16.470000",
        longitude="107.590000",
        address="12 Chi Lăng",
        category=category,
        **reporter_details,
    )


@pytest.fixture
def case(submission):
    return submission.case


def advance(case, to, *, operator, staff, agency):
    """Walk a case along the happy path up to the state `to`."""
    path = ["verified", "assigned", "in_progress", "resolved"]
    steps = {
        "verified": lambda c: services.case_verify(case=c, by=operator),
        "assigned": lambda c: services.case_assign(case=c, agency=agency, by=operator, priority="high"),
        "in_progress": lambda c: services.case_accept(case=c, by=staff),
        "resolved": lambda c: services.case_resolve(case=c, by=staff, note="Đã xử phạt và niêm yết giá"),
    }
    for state in path[: path.index(to) + 1]:
        case = steps[state](case)
    return case


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), exif=None):
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def refresh_figures(now=None):
    """What the workers do once events commit: compute the statistics rollups and map cells the events marked stale
    (in tests, pytest-django's transaction never commits, so nothing runs on commit by itself). With `now`, as at
    that moment, after the deadline sweep of that moment has marked the cases that went overdue."""
    from agencies.escalation import deadline_sweep
    from reports.rollups.refresh import refresh_stale

    if now is None:
        return refresh_stale()
    with clock.travel(now):
        deadline_sweep(now)
        return refresh_stale()
