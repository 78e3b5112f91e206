"""The centre's configuration writes: routing rules and a category's automatic assignment.

These are settings, not case steps, so they are plain ORM saves; each checks the operator and leaves a log line.
Routing sees the change by itself: a save or delete drops its in-process index (agencies/routing.py), and other
processes notice the rules' count and latest `updated_at` move.
"""

import logging

from django.db import transaction

from agencies.models import RoutingRule
from reports.errors import NotAllowed
from reports.permissions import is_operator

log = logging.getLogger(__name__)


def _require_operator(user):
    if not is_operator(user):
        raise NotAllowed()


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, by) -> RoutingRule:
    _require_operator(by)
    created = rule.pk is None
    rule.save()
    log.info("routing rule %s %s by %s", rule.pk, "created" if created else "changed", by.get_username())
    return rule


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule, by) -> None:
    _require_operator(by)
    pk = rule.pk
    rule.delete()
    log.info("routing rule %s deleted by %s", pk, by.get_username())


@transaction.atomic
def category_set_auto_assign(*, category, enabled: bool, by):
    _require_operator(by)
    if category.auto_assign != enabled:
        category.auto_assign = enabled
        category.save(update_fields=["auto_assign"])
        log.info("category %s auto_assign=%s by %s", category.code, enabled, by.get_username())
    return category


@transaction.atomic
def category_set_auto_verify(*, category, enabled: bool, by):
    _require_operator(by)
    if category.auto_verify != enabled:
        category.auto_verify = enabled
        category.save(update_fields=["auto_verify"])
        log.info("category %s auto_verify=%s by %s", category.code, enabled, by.get_username())
    return category
