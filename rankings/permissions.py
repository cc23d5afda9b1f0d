"""Who may do what: roles are scoped by province and, for agency roles, by agency.

Plain functions over the user's memberships (one query, cached on the user object), so
views, the API and services ask the same questions and get the same answers.
"""

from rankings.models import AGENCY_ROLES, CycleState, Membership, Role

STAFF_ROLES = {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER}
CYCLE_OPENERS = {Role.ADMIN, Role.EDITOR}


def memberships(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    if not hasattr(user, "_memberships"):
        user._memberships = list(Membership.objects.filter(user=user))
    return user._memberships


def roles_in(user, *, province_id: int, agency_id: int | None = None) -> set[str]:
    """The user's roles that apply to a province, or to one agency in it."""
    found = set()
    for membership in memberships(user):
        if membership.province_id != province_id:
            continue
        if membership.role in AGENCY_ROLES and membership.agency_id != agency_id:
            continue
        found.add(membership.role)
    return found


def visible_cycles(user, cycles):
    """`cycles` narrowed to the provinces where the user has a role (all for a superuser).

    Staff pages and the workflow API look a cycle up through this, so to anyone else an
    existing cycle answers exactly the 404 of a missing one, never a 403 that confirms it.
    """
    if getattr(user, "is_superuser", False):
        return cycles
    return cycles.filter(province_id__in={m.province_id for m in memberships(user)})


def can_preview_drafts(user, *, cycle) -> bool:
    """Provincial staff see a cycle's draft ranking; agencies never see other agencies' drafts."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, province_id=cycle.province_id) & STAFF_ROLES)


def can_publish(user, *, cycle) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return Role.APPROVER in roles_in(user, province_id=cycle.province_id)


def can_enter_scores(user, *, cycle) -> bool:
    """ICT staff and provincial administrators enter and import scores for every agency."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, province_id=cycle.province_id) & {Role.ADMIN, Role.EDITOR})


def can_self_assess(user, *, cycle, agency) -> bool:
    """The agency's reporter and head fill its self-assessment; nobody else's."""
    roles = roles_in(user, province_id=cycle.province_id, agency_id=agency.pk)
    return bool(roles & {Role.REPORTER, Role.HEAD})


def can_submit_self_assessment(user, *, cycle, agency) -> bool:
    return Role.HEAD in roles_in(user, province_id=cycle.province_id, agency_id=agency.pk)


def can_review(user, *, cycle) -> bool:
    """Appraisal council members (and provincial administrators) verify self-assessments."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, province_id=cycle.province_id) & {Role.ADMIN, Role.REVIEWER})


def can_manage_cycle(user, *, cycle) -> bool:
    """ICT staff and provincial administrators run a cycle without the superuser: move its
    deadline, extend it for one agency, reopen a submission, cancel or archive the cycle."""
    return can_enter_scores(user, cycle=cycle)


def can_exclude_agency(user, *, cycle) -> bool:
    """ICT staff, who draft the decision, and the approver, who signs it, record the agencies
    the decision leaves unranked (in its words); the council and agencies do not."""
    return can_enter_scores(user, cycle=cycle) or can_publish(user, cycle=cycle)


def can_see_cycle_dashboard(user, *, cycle) -> bool:
    """ICT staff and the director (the approver) follow a cycle on its dashboard."""
    return can_enter_scores(user, cycle=cycle) or can_publish(user, cycle=cycle)


def can_open_cycles(user, *, province) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, province_id=province.pk) & CYCLE_OPENERS)


def can_transition(user, *, cycle, action: str) -> bool:
    """ICT staff move a cycle to review and back; the approver approves."""
    if action in {"review", "reopen"}:
        return can_enter_scores(user, cycle=cycle)
    if action == "approve":
        return can_publish(user, cycle=cycle)
    return False


def can_read_agency_drafts(user, *, cycle, agency) -> bool:
    """Provincial staff read every agency's unpublished scores; an agency only its own."""
    return can_preview_drafts(user, cycle=cycle) or can_self_assess(
        user, cycle=cycle, agency=agency
    )


def allowed_actions(user, *, cycle) -> list[str]:
    """What the user may do to the cycle now, for the API's cycle document."""
    from rankings.cycles.services import CYCLE_ACTIONS, TRANSITIONS

    actions = [
        action
        for action, state in CYCLE_ACTIONS.items()
        if can_transition(user, cycle=cycle, action=action)
        and state in TRANSITIONS.get(cycle.state, set())
    ]
    if can_enter_scores(user, cycle=cycle):
        actions += ["enter_scores", "import"]
    if can_review(user, cycle=cycle):
        actions.append("review_scores")
    if can_publish(user, cycle=cycle) and cycle.state in {
        CycleState.APPROVED,
        CycleState.PUBLISHED,
    }:
        actions.append("publish")
    return actions
