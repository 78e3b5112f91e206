"""Who may do what, in one place. Services call these; views never decide on their own."""

from agencies.selectors import agency_of


def is_operator(user):
    return user.is_authenticated and user.has_perm("reports.triage_case")


def can_reveal_reporter(user):
    return is_operator(user) and user.has_perm("reports.reveal_reporter")


def is_staff_of(user, agency):
    return agency is not None and agency_of(user) == agency
