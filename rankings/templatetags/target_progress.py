"""`{% agency_target_progress agency as progress %}`: the agency profile's targets section
reads its rows here, from the same frame as the targets' export."""

from django import template

from rankings.targets import tables
from rankings.targets.presenters import page_rows
from rankings.targets.progress import RULE
from rankings.targets.selectors import agency_targets

register = template.Library()


@register.simple_tag
def agency_target_progress(agency) -> dict:
    targets = agency_targets(agency=agency)
    if not targets.rows:
        return {"rows": []}
    table = tables.agency_table(targets)
    return {"rows": page_rows(table, targets.years), "years": targets.years, "rule": RULE}


@register.simple_tag
def target_provinces(user) -> list:
    """The provinces where `user` records targets, for the workspace's links."""
    from agencies.models import Province
    from rankings.permissions import memberships
    from rankings.targets import access

    ids = {m.province_id for m in memberships(user)}
    found = Province.objects.filter(pk__in=ids).order_by("name")
    return [
        p
        for p in found
        if access.edits_province(user, province=p) or access.own_agency_ids(user, province=p)
    ]
