from .models import Agency


def agency_of(user):
    """The agency a user works for, or None (citizens, operators, outsiders)."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "agency_membership", None)
    return membership.agency if membership is not None else None


def agencies_for_assignment(category=None):
    """Active agencies the centre can assign a case to, those of the category's kind first."""
    agencies = Agency.objects.filter(is_active=True).select_related("kind")
    if category is None:
        return agencies.order_by("name_vi")
    return sorted(agencies, key=lambda a: (a.kind_id != category.agency_kind_id, a.name_vi))
