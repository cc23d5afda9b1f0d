"""Who may record targets: an agency's own staff for it, provincial ICT staff for all.

Agency roles (reporter, head) record their own agency's targets; the province's ICT staff
and administrators record any agency's and the province-wide ones. Reading is public.
"""

from agencies.models import Agency, Province
from rankings import permissions
from rankings.models import AGENCY_ROLES, Role

PROVINCE_EDITORS = {Role.ADMIN, Role.EDITOR}


def edits_province(user, *, province: Province) -> bool:
    """ICT staff and administrators: every agency of the province and its own targets."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(permissions.roles_in(user, province_id=province.pk) & PROVINCE_EDITORS)


def can_edit_target(user, *, province: Province, agency: Agency | None) -> bool:
    if edits_province(user, province=province):
        return True
    if agency is None or agency.province_id != province.pk:
        return False
    roles = permissions.roles_in(user, province_id=province.pk, agency_id=agency.pk)
    return bool(roles & AGENCY_ROLES)


def own_agency_ids(user, *, province: Province) -> set[int]:
    """The agencies of the province whose targets the user records as their staff."""
    return {
        m.agency_id
        for m in permissions.memberships(user)
        if m.province_id == province.pk and m.role in AGENCY_ROLES and m.agency_id
    }


def has_role_in(user, *, province: Province) -> bool:
    """Any role in the province: others get the 404 of a missing province."""
    if getattr(user, "is_superuser", False):
        return True
    return any(m.province_id == province.pk for m in permissions.memberships(user))
