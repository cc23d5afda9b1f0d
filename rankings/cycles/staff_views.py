"""Staff pages of a cycle: the workspace, opening a cycle, its desk, state changes, publication."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from agencies.models import Agency, Province
from rankings import permissions, security_log, wording
from rankings.cycles import preview_views, services, states
from rankings.cycles.access import staff_cycle
from rankings.cycles.forms import CycleOpenForm, PublishForm
from rankings.cycles.publication import PublicationRefused, publication_create
from rankings.imports.template_workbook import cycle_agencies
from rankings.models import AssessmentCycle, CriteriaSet, CycleState
from rankings.setup.access import provinces_for_setup
from rankings.setup.provinces import pick_role


@login_required
def cycle_desk(request, province, year, block):
    cycle = staff_cycle(request, province, year, block, permissions.can_preview_drafts)
    submissions = {s.agency_id: s for s in cycle.submissions.all()}
    agencies = cycle_agencies(cycle=cycle)
    context = {
        "cycle": cycle,
        "can_enter": permissions.can_enter_scores(request.user, cycle=cycle),
        "can_review": permissions.can_review(request.user, cycle=cycle),
        "can_publish": permissions.can_publish(request.user, cycle=cycle),
        "publications": cycle.publications.order_by("-revision"),
        "agencies": [(agency, submissions.get(agency.pk)) for agency in agencies],
    }
    return render(request, "rankings/staff/cycle.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, province, year, block):
    """The approver publishes for the People's Committee: decision number, date, signer."""
    cycle = staff_cycle(request, province, year, block, permissions.can_publish)
    revision = cycle.publications.count() + 1
    form = PublishForm(request.POST or None, correction=revision > 1)
    error = ""
    preview = preview_views.preview_context(cycle)
    if request.method == "POST":
        if refusal := services.publish_refusal(cycle=cycle):
            error = refusal
        elif not form.is_valid():
            error = " ".join(form.problems())
        else:
            try:  # the service refuses, under the cycle's lock, a preview other than the one seen
                publication = publication_create(
                    cycle=cycle, preview=request.POST.get("preview", ""), **form.cleaned_data
                )
            except PublicationRefused as refused:
                error = refused.message
            else:
                security_log.publication(request, cycle=cycle, publication=publication)
                messages.success(
                    request, _("Đã công bố kết quả (lần %(n)s).") % {"n": publication.revision}
                )
                return redirect("leaderboard", cycle.province.slug, cycle.year, cycle.block.slug)
    context = {
        "cycle": cycle,
        "revision": revision,
        "error": error,
        "refusal": "" if error else services.publish_refusal(cycle=cycle),
        **preview,
    }
    return render(request, "rankings/staff/publish.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["POST"])
def cycle_state(request, province, year, block):
    cycle = staff_cycle(request, province, year, block, permissions.can_preview_drafts)
    action = request.POST.get("action", "")
    if not permissions.can_transition(request.user, cycle=cycle, action=action):
        raise PermissionDenied(_("Bạn không có quyền chuyển trạng thái này."))
    target = services.CYCLE_ACTIONS[action]
    refusal = states.refusal("cycle", action, cycle.state)
    if not refusal and request.POST.get("confirmed") != "1":  # confirm with a checklist first
        return preview_views.checklist(request, cycle=cycle, action=action)
    try:
        services.cycle_transition(cycle=cycle, to=target, user=request.user)
    except ValueError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _TRANSITION_DONE[action] % {"c": cycle})
    return redirect("cycle-desk", cycle.province.slug, cycle.year, cycle.block.slug)


# What the desk says once a step is taken (and what comes next).
_TRANSITION_DONE = {
    "review": gettext_lazy("Kỳ %(c)s đã chuyển sang thẩm định: hội đồng thẩm định từng đơn vị."),
    "reopen": gettext_lazy("Đã mở lại kỳ %(c)s: các đơn vị được sửa và nộp lại."),
    "approve": gettext_lazy(
        "Đã phê duyệt kết quả kỳ %(c)s. Bước tiếp theo: công bố theo quyết định của UBND tỉnh."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request, province):
    """Open a year's cycle for a block from a copy of last year's criteria set."""
    place = get_object_or_404(Province, slug=province)
    if not permissions.can_open_cycles(request.user, province=place):
        raise PermissionDenied(_("Chỉ Sở TT&TT mở kỳ đánh giá."))
    sets = (
        CriteriaSet.objects.filter(province=place)
        .select_related("block")
        .order_by("block__order", "-slug")
    )
    form = CycleOpenForm(request.POST or None, province=place, sets=sets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cycle = _open(
            place,
            data["source"],
            data["year"],
            data["submission_deadline"],
            data["data_from"],
            data["data_to"],
        )
        messages.success(request, _("Đã mở kỳ đánh giá %(c)s.") % {"c": cycle})
        return redirect("cycle-desk", place.slug, cycle.year, cycle.block.slug)
    return render(
        request,
        "rankings/staff/cycle_new.html",
        {"province": place, "sets": sets, "form": form},
        status=400 if form.errors else 200,
    )


@transaction.atomic
def _open(place, source, year, deadline, data_from, data_to):
    copy = services.criteria_set_copy(
        source=source,
        slug=slugify(f"{place.slug}-{source.block.slug}-{year}"),
        **wording.criteria_set_names(
            wording.YEAR_SET, block=source.block, province=place.name, year=year
        ),
    )
    return services.cycle_open(
        province=place,
        block=source.block,
        year=year,
        criteria_set=copy,
        submission_deadline=deadline,
        data_from=data_from,
        data_to=data_to,
    )


@login_required
def workspace(request):
    """Everything the user's roles give access to: cycles to run, self-assessments to fill."""
    mine = permissions.memberships(request.user)
    provinces = {m.province_id for m in mine if m.role in permissions.STAFF_ROLES}
    openers = {m.province_id for m in mine if m.role in permissions.CYCLE_OPENERS}
    agencies = {m.agency_id for m in mine if m.agency_id}
    cycles = AssessmentCycle.objects.select_related("province", "block").order_by(
        "province__name", "-year", "block__order"
    )
    if not request.user.is_superuser:
        cycles = cycles.filter(province__in=provinces | {m.province_id for m in mine})
    own = Agency.objects.filter(pk__in=agencies).select_related("province", "block")
    context = {
        "cycles": [c for c in cycles if request.user.is_superuser or c.province_id in provinces],
        "agency_cycles": [
            (a, c)
            for a in own
            for c in cycles
            if c.province_id == a.province_id
            and c.block_id == a.block_id
            and c.state == CycleState.OPEN
        ],
        # "Open a new cycle" only where the user may (ICT staff, administrators).
        "provinces": Province.objects.filter(pk__in=openers)
        if not request.user.is_superuser
        else Province.objects.all(),
        "setup_provinces": provinces_for_setup(request.user),
        "may_pick": pick_role(request.user) is not None,
    }
    return render(request, "rankings/staff/workspace.html", context)
