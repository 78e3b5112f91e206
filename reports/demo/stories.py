"""A year of cases as plans: what each citizen reported and every step that followed, with its moment.

Pure and deterministic: the same seed, count and `now` give the same plans. Each case draws from its own
random stream, so adding cases never changes the ones before. The seed then replays the steps through
reports.services in time order.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dashboard.classifier.demo_texts import demo_text

from ..services.praise import PRAISE_CODES
from . import places, texts
from .organisations import AGENCIES, AUTO_ASSIGNED, CATEGORIES, CATEGORY_WEIGHTS

CATEGORY_BY_CODE = {category.code: category for category in CATEGORIES}
PRIORITIES = ("low", "normal", "high", "urgent")
# Every state of the life cycle, and the situations a demo should show.
REQUIRED_LABELS = (
    "submitted",
    "verified",
    "rejected",
    "merged",
    "assigned",
    "in_progress",
    "resolved",
    "closed",
    "overdue",
    "rated",
    "reopened",
    "returned",
)
NEXT_STATE = {
    "submit": "submitted",
    "verify": "verified",
    "reject": "rejected",
    "merge": "merged",
    "assign": "assigned",
    "return": "verified",
    "accept": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "assigned",
}


@dataclass
class Step:
    at: datetime
    action: str
    args: dict = field(default_factory=dict)


@dataclass
class CasePlan:
    number: int
    category: str
    submitted_category: str
    ward: str
    latitude: float
    longitude: float
    address: str
    description: str
    language: str
    contact: dict
    photo: bool
    priority: str
    created: datetime
    steps: list = field(default_factory=list)

    @property
    def external_id(self):
        return external_id(self.number)

    def final_state(self):
        state = None
        for step in self.steps:
            if step.action == "rate" and state == "resolved":
                state = "closed"
            state = NEXT_STATE.get(step.action, state)
        return state

    def labels(self, now, deadline_for):
        state = self.final_state()
        actions = {step.action for step in self.steps}
        found = {state}
        if "rate" in actions:
            found.add("rated")
        if "reopen" in actions:
            found.add("reopened")
        if "return" in actions:
            found.add("returned")
        if state in ("assigned", "in_progress"):
            start = [s.at for s in self.steps if s.action in ("assign", "reopen")][-1]
            if deadline_for(self.category, self.priority, start) < now:
                found.add("overdue")
        return found


def external_id(number):
    return f"demo-{number:04d}"


def route(kind, ward):
    """The agency of this kind whose jurisdiction names the ward, else the city-wide one, else the first one."""
    of_kind = [spec for spec in AGENCIES if spec.kind == kind]
    for spec in of_kind:
        if ward in spec.areas:
            return spec.code
    return next((spec for spec in of_kind if "hue" in spec.areas), of_kind[0]).code


def _hours(rng, low, high):
    return timedelta(hours=rng.uniform(low, high))


def _office(rng, moment):
    """Move a moment to the centre's and agencies' working hours (7:00-20:00)."""
    if moment.hour < 7:
        return moment.replace(hour=7, minute=rng.randint(0, 59))
    if moment.hour >= 20:
        return (moment + timedelta(days=1)).replace(hour=7, minute=rng.randint(0, 59))
    return moment


def creation_times(rng, count, now, days=365):
    """Moments over the last year, more of them recently (the platform grows), in daytime, oldest first."""
    moments = []
    for _ in range(count):
        age = timedelta(days=days * rng.random() ** 1.25)
        day = now - age
        moment = day.replace(hour=rng.choice(range(6, 23)), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        if moment > now - timedelta(minutes=10):
            moment = now - timedelta(minutes=rng.randint(10, 600))
        moments.append(moment.replace(microsecond=0))
    return sorted(moments)


def _place(rng, ward):
    spec = places.WARDS_BY_CODE[ward]
    street = rng.choice(spec.streets)
    landmark = rng.choice(spec.landmarks) if spec.landmarks and rng.random() < 0.6 else f"đường {street}"
    return street, landmark


def _ward_for(rng, category):
    if category.hotspots and rng.random() < 0.7:
        return rng.choice(category.hotspots)
    return rng.choice(places.WARDS).code


def _priority(rng, category):
    index = PRIORITIES.index(category.priority)
    roll = rng.random()
    if roll < 0.12:
        index = min(index + 1, len(PRIORITIES) - 1)
    elif roll < 0.18:
        index = max(index - 1, 0)
    return PRIORITIES[index]


def _contact(rng, language):
    if rng.random() < 0.5:
        return {}
    given = rng.choice(texts.GIVEN_NAMES)
    family = rng.choice(texts.FAMILY_NAMES)
    if language == "en":
        return {"email": f"visitor{rng.randint(100, 999)}@example.org"}
    contact = {"name": f"{family} {rng.choice(texts.MIDDLE_NAMES)} {given}"}
    slug = _ascii(f"{given}.{family.split()[0]}").lower()
    if rng.random() < 0.75:
        contact["email"] = f"{slug}{rng.randint(1, 99)}@example.org"
    if rng.random() < 0.6 or "email" not in contact:
        # Made-up numbers in the 0900 000 xxx block.
        contact["phone"] = f"0900 000 {rng.randint(0, 999):03d}"
    return contact


def _ascii(text):
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def plan_report(rng, number, created, duplicate_of=None):
    """What the citizen sends: category, place, words, contact."""
    if duplicate_of is not None:
        category = CATEGORY_BY_CODE[duplicate_of.category]
        ward = duplicate_of.ward
        lat = round(duplicate_of.latitude + rng.uniform(-0.0003, 0.0003), 6)
        lon = round(duplicate_of.longitude + rng.uniform(-0.0003, 0.0003), 6)
        if places.ward_of(lat, lon) != ward:
            lat, lon = duplicate_of.latitude, duplicate_of.longitude
    else:
        # Good deeds are not problems: reports/demo/praise.py plans them (the classifier still learns their words).
        codes = [code for code in CATEGORY_WEIGHTS if code not in PRAISE_CODES]
        category = CATEGORY_BY_CODE[rng.choices(codes, weights=[CATEGORY_WEIGHTS[c] for c in codes])[0]]
        ward = _ward_for(rng, category)
        lat, lon = places.point_in_ward(rng, ward)
    street, place = _place(rng, ward)
    house = rng.randint(2, 180)
    # Varied words (Vietnamese with and without accents, some English, typos), so the category classifier has
    # labelled text to learn from in the demo city.
    language, description = demo_text(rng, category.code, street=street, place=place)
    roll = rng.random()
    if roll < 0.55:
        address = f"{house} {street}"
    elif roll < 0.75:
        address = f"Kiệt {house} {street}"
    else:
        address = place[:1].upper() + place[1:]
    submitted_category = category.code
    if rng.random() < 0.08:
        submitted_category = rng.choice([c.code for c in CATEGORIES if c.code != category.code])
    return CasePlan(
        number=number,
        category=category.code,
        submitted_category=submitted_category,
        ward=ward,
        latitude=lat,
        longitude=lon,
        address=address,
        description=description,
        language=language,
        contact=_contact(rng, language),
        photo=rng.random() < 0.035,
        priority=_priority(rng, category),
        created=created,
    )


class _Story:
    """Steps appended in time order; anything planned after `now` has not happened yet and is dropped."""

    def __init__(self, plan, now):
        self.plan, self.now, self.at = plan, now, plan.created
        plan.steps = [Step(plan.created, "submit")]

    def add(self, action, delay, office=None, **args):
        moment = self.at + max(delay, timedelta(minutes=2))
        if office is not None:
            moment = _office(office, moment)
        if moment >= self.now:
            return False
        self.at = moment
        self.plan.steps.append(Step(moment, action, args))
        return True


def plan_story(rng, plan, now, *, deadline_for, confirm_days, duplicates=None):
    """The steps that followed the report, truncated at `now`."""
    category = CATEGORY_BY_CODE[plan.category]
    story = _Story(plan, now)
    age = now - plan.created
    recent = age < timedelta(days=5)
    verify_args = {}
    if plan.submitted_category != plan.category:
        verify_args = {"category": plan.category, "note": texts.RECATEGORISE_NOTE}

    if duplicates is not None:
        if rng.random() < 0.4 and not story.add("verify", _hours(rng, 0.2, 6), rng):
            return
        story.add("merge", _hours(rng, 0.2, 10), rng, into=duplicates.number, note=texts.MERGE_NOTE)
        return
    if rng.random() < 0.06:
        if rng.random() < 0.3 and not story.add("verify", _hours(rng, 0.2, 6), rng):
            return
        story.add("reject", _hours(rng, 0.2, 8), rng, reason=rng.choice(texts.REJECT_REASONS))
        return
    if not story.add("verify", _hours(rng, 0.2, 10), rng, **verify_args):
        return
    if rng.random() < (0.3 if recent else 0.01):
        return
    agency = route(category.kind, plan.ward)
    if rng.random() < 0.05:
        wrong = rng.choice([spec.code for spec in AGENCIES if spec.kind not in (category.kind, "city-committee")])
        if not story.add("assign", _hours(rng, 0.05, 3), rng, agency=wrong, priority=plan.priority):
            return
        if not story.add("return", _hours(rng, 1, 24), rng, reason=rng.choice(texts.RETURN_REASONS)):
            return
    delay = _hours(rng, 24, 48) if rng.random() < 0.1 else _hours(rng, 0.05, 3)
    if not story.add("assign", delay, rng, agency=agency, priority=plan.priority):
        return
    _work(rng, story, plan, category, recent, deadline_for=deadline_for, confirm_days=confirm_days, reopens=1)


def _work(rng, story, plan, category, recent, *, deadline_for, confirm_days, reopens):
    """From assigned: the agency accepts, works, resolves; the reporter rates, or it closes, or it is reopened."""
    deadline = deadline_for(plan.category, plan.priority, story.at)
    if rng.random() < (0.25 if recent else 0.03):
        return
    if not story.add("accept", _hours(rng, 0.5, 30), rng):
        return
    if rng.random() < (0.3 if recent else 0.04):
        if rng.random() < 0.6:
            story.add(
                "progress",
                _hours(rng, 4, 48),
                rng,
                note=texts.PROGRESS_NOTES.get(plan.category, texts.PROGRESS_DEFAULT),
            )
        return
    accepted_at = story.at
    left = deadline - accepted_at
    if left <= timedelta(hours=2):
        duration = _hours(rng, 2, 72)
    elif rng.random() < 0.15:
        duration = left * rng.uniform(1.05, 2.5)
    else:
        duration = left * rng.uniform(0.1, 0.95)
    late = accepted_at + duration > deadline
    note = texts.PROGRESS_NOTES.get(plan.category, texts.PROGRESS_DEFAULT)
    if rng.random() < 0.5 and not story.add("progress", duration / 2, rng, note=note):
        return
    resolve_delay = max(accepted_at + duration - story.at, timedelta(hours=1))
    photo = rng.random() < 0.02
    if not story.add("resolve", resolve_delay, rng, note=texts.RESOLVE_NOTES[plan.category], photo=photo):
        return
    anonymous = not plan.contact and rng.random() < 0.5
    roll = rng.random()
    if reopens and roll < 0.07:
        if story.add("reopen", _hours(rng, 12, 24 * 5), rng, reason=rng.choice(texts.REOPEN_REASONS)):
            _work(rng, story, plan, category, False, deadline_for=deadline_for, confirm_days=confirm_days, reopens=0)
        return
    if roll < 0.55 and not anonymous:
        stars = rng.choice([1, 2, 3, 3, 4]) if late else rng.choice([3, 4, 4, 5, 5, 5])
        story.add("rate", _hours(rng, 2, 24 * 5), rng, stars=stars, comment=rng.choice(texts.RATING_COMMENTS[stars]))
        return
    # The hourly sweep closes what the reporter left unanswered.
    if not story.add("close", timedelta(days=confirm_days, minutes=rng.randint(1, 60))):
        return
    roll = rng.random()
    if reopens and roll < 0.04:
        if story.add("reopen", _hours(rng, 24, 24 * 10), rng, reason=rng.choice(texts.REOPEN_REASONS)):
            _work(rng, story, plan, category, False, deadline_for=deadline_for, confirm_days=confirm_days, reopens=0)
    elif roll < 0.12:
        stars = rng.choice([2, 3, 4, 5])
        story.add("rate", _hours(rng, 12, 24 * 20), rng, stars=stars, comment=rng.choice(texts.RATING_COMMENTS[stars]))


def _forced_steps(plan, label, now, deadline_for, target):
    """A short story that ends in `label`, spread between the report and now (for small seeds)."""
    route_to = route(CATEGORY_BY_CODE[plan.category].kind, plan.ward)
    wrong = next(s.code for s in AGENCIES if s.kind not in (CATEGORY_BY_CODE[plan.category].kind, "city-committee"))
    verify = {"category": plan.category} if plan.submitted_category != plan.category else {}
    resolve = [
        ("verify", verify),
        ("assign", {"agency": route_to, "priority": plan.priority}),
        ("accept", {}),
        ("resolve", {"note": texts.RESOLVE_NOTES[plan.category], "photo": False}),
    ]
    stories = {
        "submitted": [],
        "verified": [("verify", verify)],
        "rejected": [("reject", {"reason": texts.REJECT_REASONS[0]})],
        "merged": [("merge", {"into": target, "note": texts.MERGE_NOTE})],
        "assigned": resolve[:2],
        "overdue": resolve[:2],
        "in_progress": resolve[:3],
        "returned": [
            ("verify", verify),
            ("assign", {"agency": wrong, "priority": plan.priority}),
            ("return", {"reason": texts.RETURN_REASONS[0]}),
        ],
        "resolved": resolve,
        "closed": [*resolve, ("close", {})],
        "rated": [*resolve, ("rate", {"stars": 5, "comment": ""})],
        "reopened": [*resolve, ("reopen", {"reason": texts.REOPEN_REASONS[0]})],
    }
    actions = stories[label]
    gap = min(timedelta(hours=6), (now - plan.created) / (len(actions) + 1))
    plan.steps = [Step(plan.created, "submit")]
    for i, (action, args) in enumerate(actions, start=1):
        plan.steps.append(Step(plan.created + gap * i, action, args))
    return label in plan.labels(now, deadline_for)


def plan_cases(count, *, seed, now, deadline_for, confirm_days):
    """`count` case plans over the year before `now`, oldest first, covering every label when count allows.

    deadline_for(category_code, priority, start) -> datetime, as the services will compute it.
    """
    moments = creation_times(random.Random(f"{seed}:times:{count}"), count, now)
    plans = []
    for number, created in enumerate(moments, start=1):
        rng = random.Random(f"{seed}:case:{number}")
        target = None
        if rng.random() < 0.05:
            window = created - timedelta(days=20)
            candidates = [
                p for p in plans[-40:] if p.created > window and p.final_state() not in ("rejected", "merged")
            ]
            target = rng.choice(candidates) if candidates else None
        plan = plan_report(rng, number, created, duplicate_of=target)
        plan_story(rng, plan, now, deadline_for=deadline_for, confirm_days=confirm_days, duplicates=target)
        plans.append(plan)
    _cover_every_label(plans, now, deadline_for)
    return plans


def _cover_every_label(plans, now, deadline_for):
    found = set().union(*(p.labels(now, deadline_for) for p in plans)) if plans else set()
    targets = {step.args["into"] for p in plans for step in p.steps if step.action == "merge"}
    used = set(targets)
    for label in REQUIRED_LABELS:
        if label in found:
            continue
        newest_first = label in ("submitted", "verified")
        for plan in sorted(plans, key=lambda p: p.created, reverse=newest_first):
            if plan.number in used:
                continue
            # Verifying a case of a category assigned automatically assigns it at once: it cannot stay verified.
            if label == "verified" and plan.category in AUTO_ASSIGNED:
                continue
            target = None
            if label == "merged":
                earlier = [p for p in plans if p.number < plan.number and p.final_state() not in ("rejected", "merged")]
                if not earlier:
                    continue
                target = earlier[-1].number
            original = plan.steps
            if _forced_steps(plan, label, now, deadline_for, target):
                used.add(plan.number)
                if target is not None:
                    used.add(target)
                found = set().union(*(p.labels(now, deadline_for) for p in plans))
                break
            plan.steps = original
