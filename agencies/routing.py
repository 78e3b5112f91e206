"""Routing: which agency handles a case of this category at this place, and why.

category -> agency kind; place -> the agency of that kind whose jurisdiction holds the point, the smallest
area first, falling back to larger (parent) areas; the centre's routing rules override both. A point no
agency covers goes to the centre, with that explanation: a case is never dropped.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from reports import clock

from .models import Agency, Area, RoutingRule


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    explanation: str
    rule: RoutingRule | None = None
    area: Area | None = None

    @property
    def how(self):
        if self.rule is not None:
            return "rule"
        return "jurisdiction" if self.agency is not None else "none"

    def as_data(self):
        """What an assignment records of the decision (JSON), so returns can be counted by rule and area."""
        return {
            "how": self.how,
            "agency": self.agency.code if self.agency else None,
            "rule": self.rule.pk if self.rule else None,
            "area": self.area.code if self.area else None,
        }


def route(*, category, latitude, longitude, at=None) -> RoutingDecision:
    at = at or clock.now()
    point = Point(float(longitude), float(latitude))
    containing = sorted(
        ((shape(area.geometry), area) for area in Area.objects.all() if shape(area.geometry).covers(point)),
        key=lambda pair: pair[0].area,
    )
    for _shape, area in containing:
        agency = Agency.objects.filter(kind=category.agency_kind, is_active=True, areas=area).order_by("pk").first()
        if agency is not None:
            return RoutingDecision(
                agency,
                _("%(agency)s: category %(category)s, point inside %(area)s")
                % {"agency": agency.name, "category": category.name, "area": area.name},
                area=area,
            )
    return RoutingDecision(
        None,
        _("No %(kind)s covers this place: the monitoring centre decides.") % {"kind": category.agency_kind.name},
    )


def route_case(case) -> RoutingDecision:
    return route(category=case.category, latitude=case.latitude, longitude=case.longitude)
