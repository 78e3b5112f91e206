"""Writing the demo city. Reference data is upserted by natural key; cases are replayed through
reports.services in time order under reports.clock.travel, so every history looks lived."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from agencies.deadlines import deadline_for
from agencies.models import Agency, AgencyKind, AgencyMember, Area, RoutingRule
from cameras.models import Camera
from dashboard.classifier.training import classifier_train

from .. import clock, services
from ..errors import DomainError
from ..ledger.checkpoints import checkpoint_sign
from ..ledger.leaves import ledger_append
from ..media import check_uploads
from ..models import Case, Category, CategoryAttribute
from ..open311.keys import api_key_install
from . import cameras as demo_cameras
from . import open311, organisations, places, praise, stories
from .photos import street_photo

# Printed by the command and in README.md; a demo is not a deployment.
DEMO_PASSWORD = "huesmart-demo"  # noqa: S105
OPERATORS_GROUP = "Centre operators"
OPERATOR_PERMISSIONS = ("triage_case", "reveal_reporter")
# Staff logins shown in the summary; every agency has one, named after its code.
FEATURED_STAFF = ("ubnd-phu-hoi", "bql-cho-dong-ba", "qtdt-hue", "csgt-hue", "hepco", "huewaco", "pc-hue")


@dataclass
class Result:
    created: int = 0
    existing: int = 0
    # Steps that a case's state no longer allowed (a re-run with another --cases); that case stops there.
    stopped: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    api_key: str = ""
    classifier: str = ""


def seed(*, cases, seed_value=2026, now=None):
    now = (now or timezone.now()).astimezone(ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)
    result = Result()
    # One transaction: an interrupted run leaves nothing behind, and a re-run starts from a clean slate.
    with transaction.atomic():
        areas = _areas()
        agencies = _agencies(areas)
        categories = _categories()
        _attributes(categories)
        _routing(categories, agencies, areas)
        users = _users(agencies, result)
        _demo_api_key(users, result)
        _cameras()
        _cases(cases, seed_value, now, agencies, categories, users, result)
    # The demo's history goes into the public ledger at once, with a signed checkpoint, rather than waiting for
    # the worker's sweep (a second run appends nothing and signs nothing new).
    ledger_append()
    checkpoint_sign()
    # The classifier learns from the demo's verified cases, so triage suggests categories from the first visit.
    result.classifier = classifier_train().message
    return result


def _areas():
    city = places.CITY
    areas = {
        city["code"]: Area.objects.update_or_create(
            code=city["code"],
            defaults={
                "name_vi": city["name_vi"],
                "name_en": city["name_en"],
                "level": Area.Level.CITY,
                "parent": None,
                "geometry": places.geojson(places.city_polygon()),
            },
        )[0]
    }
    for ward in places.WARDS:
        areas[ward.code] = Area.objects.update_or_create(
            code=ward.code,
            defaults={
                "name_vi": ward.name_vi,
                "name_en": ward.name_en,
                "level": Area.Level.WARD,
                "parent": areas[city["code"]],
                "geometry": places.geojson(places.ward_polygons()[ward.code]),
            },
        )[0]
    return areas


def _agencies(areas):
    kinds = {
        kind.code: AgencyKind.objects.update_or_create(
            code=kind.code, defaults={"name_vi": kind.name_vi, "name_en": kind.name_en}
        )[0]
        for kind in organisations.KINDS
    }
    agencies = {}
    # Parents come before their children in AGENCIES.
    for spec in organisations.AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            code=spec.code,
            defaults={
                "kind": kinds[spec.kind],
                "name_vi": spec.name_vi,
                "name_en": spec.name_en,
                "parent": agencies[spec.parent] if spec.parent else None,
                "email": spec.email,
                "phone": spec.phone,
                "is_active": True,
            },
        )
        agency.areas.set([areas[code] for code in spec.areas])
        agencies[spec.code] = agency
    return agencies


def _categories():
    kinds = {kind.code: kind for kind in AgencyKind.objects.all()}
    return {
        spec.code: Category.objects.update_or_create(
            code=spec.code,
            defaults={
                "name_vi": spec.name_vi,
                "name_en": spec.name_en,
                "agency_kind": kinds[spec.kind],
                "deadline_days": spec.deadline_days,
                "description_vi": spec.description_vi,
                "description_en": spec.description_en,
                "is_active": True,
                "kind": spec.category_kind,
            },
        )[0]
        for spec in organisations.CATEGORIES
    }


def _attributes(categories):
    for code, specs in open311.ATTRIBUTES.items():
        for order, spec in enumerate(specs, start=1):
            CategoryAttribute.objects.update_or_create(
                category=categories[code],
                code=spec.code,
                defaults={
                    "datatype": spec.datatype,
                    "variable": spec.variable,
                    "required": spec.required,
                    "description_vi": spec.description_vi,
                    "description_en": spec.description_en,
                    "datatype_description_vi": spec.datatype_description_vi,
                    "datatype_description_en": spec.datatype_description_en,
                    "order": order,
                    "values": spec.values_json(),
                },
            )


def _demo_api_key(users, result):
    # A fixed, published key so that anyone can try Open311 POST against the demo; see reports/demo/open311.py.
    api_key_install(
        plain=open311.DEMO_API_KEY,
        name=open311.DEMO_API_KEY_NAME,
        contact_email=open311.DEMO_API_KEY_CONTACT,
        rate_limit_per_minute=open311.DEMO_API_KEY_RATE_LIMIT,
        by=users["operator"],
    )
    result.api_key = open311.DEMO_API_KEY


# (note, category, area or None, agency, ISO weekdays, start, end): the centre's overrides of default routing.
RULES = (
    (
        "Quanh chợ Đông Ba: BQL chợ xử lý lấn chiếm",
        "sidewalk-encroachment",
        "dong-ba",
        "bql-cho-dong-ba",
        [],
        None,
        None,
    ),
    (
        "Phố đi bộ cuối tuần: đội quy tắc xử lý đỗ xe",
        "illegal-parking",
        "phu-hoi",
        "qtdt-hue",
        [5, 6, 7],
        "18:00",
        "23:00",
    ),
)


def _routing(categories, agencies, areas):
    for code in organisations.AUTO_ASSIGNED:
        Category.objects.filter(pk=categories[code].pk).update(auto_assign=True)
    for order, (note, category, area, agency, weekdays, start, end) in enumerate(RULES, start=10):
        RoutingRule.objects.update_or_create(
            note=note,
            defaults={
                "category": categories[category],
                "area": areas[area] if area else None,
                "agency": agencies[agency],
                "weekdays": weekdays,
                "start_time": start,
                "end_time": end,
                "order": order,
                "is_active": True,
            },
        )


def _user(username, password_hash, **fields):
    user, _ = User.objects.get_or_create(username=username)
    for name, value in fields.items():
        setattr(user, name, value)
    # The demo logins always work after a seed, even if someone changed a password in between.
    user.password = password_hash
    user.is_active = True
    user.save()
    return user


def _users(agencies, result):
    # Hashing is slow by design; every demo login shares one hash so the seed stays fast.
    password_hash = make_password(DEMO_PASSWORD)
    _user("admin", password_hash, is_staff=True, is_superuser=True, email="admin@example.org")
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reports", codename__in=OPERATOR_PERMISSIONS)
    )
    operator = _user("operator", password_hash, first_name="Trực", last_name="ban", email="operator@example.org")
    operator.groups.add(group)
    staff = {}
    for code, agency in agencies.items():
        user = _user(code, password_hash, email=f"{code}@example.org")
        AgencyMember.objects.update_or_create(user=user, defaults={"agency": agency})
        staff[agency.pk] = user
    result.logins = [
        ("admin", DEMO_PASSWORD, "superuser", "/admin/"),
        ("operator", DEMO_PASSWORD, "centre operator (may reveal reporters)", "/centre/"),
        *((code, DEMO_PASSWORD, f"staff of {agencies[code].name_vi}", "/inbox/") for code in FEATURED_STAFF),
    ]
    return {"operator": operator, "staff": staff}


def _cameras():
    cameras = [
        Camera.objects.update_or_create(
            code=code,
            defaults={"name": name, "latitude": Decimal(f"{latitude:.6f}"), "longitude": Decimal(f"{longitude:.6f}")},
        )[0]
        for code, name, latitude, longitude in organisations.CAMERAS
    ]
    # Each plays a generated street scene; the clips are rendered and first analysed once the seed commits.
    demo_cameras.demo_cameras_configure(cameras=cameras)


def _deadline_for(categories):
    def for_code(code, priority, start):
        return deadline_for(categories[code], priority, start)

    return for_code


def _cases(count, seed_value, now, agencies, categories, users, result):
    # A share of the cases are good deeds and thanks (praise.py), replayed with the problems in time order.
    plans = stories.plan_cases(
        count - praise.share_of(count),
        seed=seed_value,
        now=now,
        deadline_for=_deadline_for(categories),
        confirm_days=settings.CASE_CONFIRM_DAYS,
    ) + praise.plan_praise(praise.share_of(count), seed=seed_value, now=now)
    existing = set(
        Case.objects.filter(external_id__in=[p.external_id for p in plans]).values_list("external_id", flat=True)
    )
    todo = [plan for plan in plans if plan.external_id not in existing]
    result.existing = len(plans) - len(todo)
    player = _Player(agencies, categories, users)
    steps = sorted(
        ((step.at, plan.number, index, plan, step) for plan in todo for index, step in enumerate(plan.steps)),
        key=lambda item: item[:3],
    )
    for at, number, _, plan, step in steps:
        if number in player.stopped:
            continue
        with clock.travel(at):
            try:
                player.play(plan, step)
            except DomainError as exc:
                player.stopped.add(number)
                result.stopped.append(f"{plan.external_id} {step.action}: {exc.message}")
    result.created = len(todo)


class _Player:
    def __init__(self, agencies, categories, users):
        self.agencies, self.categories = agencies, categories
        self.operator, self.staff = users["operator"], users["staff"]
        self.cases, self.tokens, self.stopped = {}, {}, set()

    def case(self, number):
        if number not in self.cases:
            self.cases[number] = Case.objects.get(external_id=stories.external_id(number))
        return self.cases[number]

    def staff_of(self, case):
        return self.staff[case.agency_id]

    def play(self, plan, step):
        if isinstance(plan, praise.PraisePlan):
            return praise.play(self, plan, step)
        args = step.args
        if step.action == "submit":
            uploads = ()
            if plan.photo:
                photo = street_photo(_photo_rng(plan), plan.category, step.at)
                uploads = check_uploads([SimpleUploadedFile("photo.jpg", photo, "image/jpeg")])
            submission = services.case_submit(
                description=plan.description,
                latitude=Decimal(f"{plan.latitude:.6f}"),
                longitude=Decimal(f"{plan.longitude:.6f}"),
                category=self.categories[plan.submitted_category],
                address=plan.address,
                uploads=uploads,
                language=plan.language,
                external_id=plan.external_id,
                **plan.contact,
            )
            self.cases[plan.number], self.tokens[plan.number] = submission.case, submission.token
            return
        case = self.case(plan.number)
        match step.action:
            case "verify":
                category = self.categories[args["category"]] if "category" in args else None
                case = services.case_verify(case=case, by=self.operator, category=category, note=args.get("note", ""))
            case "reject":
                case = services.case_reject(case=case, by=self.operator, reason=args["reason"])
            case "merge":
                case = services.case_merge(case=case, into=self.case(args["into"]), by=self.operator, note=args["note"])
            case "assign":
                agency = self.agencies[args["agency"]]
                case = services.case_assign(case=case, agency=agency, by=self.operator, priority=args["priority"])
            case "return":
                case = services.case_return(case=case, by=self.staff_of(case), reason=args["reason"])
            case "accept":
                case = services.case_accept(case=case, by=self.staff_of(case))
            case "progress":
                case = services.case_progress(case=case, by=self.staff_of(case), note=args["note"])
            case "resolve":
                uploads = ()
                if args.get("photo"):
                    photo = street_photo(_photo_rng(plan, "after"), "resolved", step.at)
                    uploads = check_uploads([SimpleUploadedFile("after.jpg", photo, "image/jpeg")])
                case = services.case_resolve(case=case, by=self.staff_of(case), note=args["note"], uploads=uploads)
            case "rate":
                token = self.tokens[plan.number]
                case = services.case_rate(case=case, token=token, stars=args["stars"], comment=args["comment"])
            case "reopen":
                case = services.case_reopen(case=case, token=self.tokens[plan.number], reason=args["reason"])
            case "close":
                case = services.case_close(case=case)
            case _:
                raise ValueError(f"Unknown demo step {step.action!r}")
        self.cases[plan.number] = case


def _photo_rng(plan, salt="before"):
    import random

    return random.Random(f"{plan.external_id}:{salt}")


def summary():
    """Counts for the command's report."""
    from ..models import OPEN_STATES, CaseEvent, Media

    states = Counter(Case.objects.values_list("state", flat=True))
    moment = clock.now()
    return {
        "areas": Area.objects.count(),
        "agencies": Agency.objects.count(),
        "categories": Category.objects.count(),
        "attributes": CategoryAttribute.objects.count(),
        "users": User.objects.count(),
        "cameras": Camera.objects.count(),
        "cases": sum(states.values()),
        "states": dict(sorted(states.items())),
        "overdue": Case.objects.filter(state__in=OPEN_STATES, deadline__lt=moment).count(),
        "rated": Case.objects.exclude(rating=None).count(),
        "reopened": Case.objects.filter(events__kind="reopened").distinct().count(),
        "events": CaseEvent.objects.count(),
        "media": Media.objects.count(),
    }
