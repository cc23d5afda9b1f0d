"""The final preview (the leaderboard publishing will freeze) and the confirmation
checklists of a cycle's steps: moving to review, approval, publication."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Agency
from rankings import permissions
from rankings.cycles import final, returns
from rankings.imports.template_workbook import cycle_agencies
from rankings.models import AssessmentCycle, CycleState, SubmissionState

# From review onwards the final values are what the council and ICT staff settled.
PREVIEW_STATES = {CycleState.REVIEW, CycleState.APPROVED, CycleState.PUBLISHED}


def _cycle(user, province, year, block) -> AssessmentCycle:
    """The cycle among those `user` may see: another province's answers 404, not 403."""
    cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
    return get_object_or_404(
        permissions.visible_cycles(user, cycles),
        province__slug=province,
        year=year,
        block__slug=block,
    )


def can_see_preview(user, *, cycle) -> bool:
    return permissions.can_publish(user, cycle=cycle) or permissions.can_enter_scores(
        user, cycle=cycle
    )


def preview_context(cycle) -> dict:
    """What every page showing the final preview needs (the partial `_final_preview.html`)."""
    if cycle.state not in PREVIEW_STATES:
        return {"preview": None, "rule": final.RULE_TEXT}
    return {"preview": final.final_preview(cycle=cycle), "rule": final.RULE_TEXT}


@login_required
def final_preview_page(request, province, year, block):
    """The final leaderboard exactly as publishing will freeze it, and what differs from
    the self-assessed draft (criterion, agency, why)."""
    cycle = _cycle(request.user, province, year, block)
    if not can_see_preview(request.user, cycle=cycle):
        raise PermissionDenied(_("Chỉ người phê duyệt và cán bộ Sở TT&TT xem bản xem trước."))
    return render(
        request, "rankings/staff/final_preview.html", {"cycle": cycle, **preview_context(cycle)}
    )


def checklist(request, *, cycle, action: str):
    """What to confirm before moving the cycle on (`action` review or approve)."""
    context = {"cycle": cycle, "action": action}
    if action == "review":
        submitted = set(
            cycle.submissions.filter(
                state__in=[SubmissionState.SUBMITTED, SubmissionState.RETURNED]
            ).values_list("agency_id", flat=True)
        )
        context["not_submitted"] = [a for a in cycle_agencies(cycle=cycle) if a.pk not in submitted]
    if action == "approve":
        context["unreviewed"] = returns.unreviewed(cycle=cycle)
        context["can_review"] = permissions.can_review(request.user, cycle=cycle)
        context["rule"] = final.RULE_TEXT
        context["preview"] = final.final_preview(cycle=cycle)
    return render(request, "rankings/staff/checklist.html", context)


@login_required
@require_http_methods(["POST"])
def accept_remaining(request, province, year, block):
    """The council accepts every submitted criterion it has not settled, in one audited
    action: of one agency (`agency` posted) or of the whole cycle."""
    cycle = _cycle(request.user, province, year, block)
    if not permissions.can_review(request.user, cycle=cycle):
        raise PermissionDenied(_("Chỉ hội đồng thẩm định được thẩm định."))
    slug = request.POST.get("agency", "")
    agency = (
        get_object_or_404(Agency, province=cycle.province, block=cycle.block, slug=slug)
        if slug
        else None
    )
    try:
        count = returns.review_accept_remaining(cycle=cycle, agency=agency, user=request.user)
        messages.success(request, _("Đã chấp nhận %(n)s tiêu chí còn lại.") % {"n": count})
    except returns.Refused as refused:
        messages.error(request, str(refused))
    args = [cycle.province.slug, cycle.year, cycle.block.slug]
    if agency is not None:
        return redirect("review", *args, agency.slug)
    return redirect("cycle-desk", *args)
