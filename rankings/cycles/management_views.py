"""The cycle-management page: deadline, extension, reopening, cancel or archive for ICT
staff, and the agencies the decision leaves unranked (in its words) for ICT staff and the
approver; each a form posting `action`; the services in `management` do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rankings import formatting, permissions
from rankings.cycles import management
from rankings.cycles.management_forms import FORMS
from rankings.models import AssessmentCycle, CycleState

# Who may use each form: ICT staff run the cycle; an exclusion is also the approver's.
PERMISSIONS = {
    "exclude": permissions.can_exclude_agency,
    "include": permissions.can_exclude_agency,
}


def permitted(user, cycle) -> list[str]:
    """The forms of the page `user` may use on `cycle`."""
    return [
        name
        for name in FORMS
        if PERMISSIONS.get(name, permissions.can_manage_cycle)(user, cycle=cycle)
    ]


def in_season(name: str, cycle) -> bool:
    """Whether the form `name` can still do anything in the cycle's state: one that could
    only be refused is not offered (a post of it still gets the service's refusal)."""
    if name in {"deadline", "extend", "reopen"}:
        return cycle.state in management.RUNNING
    if name == "end":
        return cycle.state in management.BEFORE_PUBLICATION
    return cycle.state in management.BEFORE_PUBLICATION | {CycleState.PUBLISHED}


@login_required
@require_http_methods(["GET", "POST"])
def cycle_manage(request, province, year, block):
    cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
    cycle = get_object_or_404(
        permissions.visible_cycles(request.user, cycles),  # elsewhere: the 404 of no cycle
        province__slug=province,
        year=year,
        block__slug=block,
    )
    names = permitted(request.user, cycle)
    if not names:
        raise PermissionDenied(_("Chỉ Sở TT&TT điều hành kỳ đánh giá."))
    forms = {name: FORMS[name](cycle=cycle, prefix=name) for name in names}
    errors, status = [], 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in FORMS:
            errors, status = [_("Thao tác không hợp lệ.")], 400
        elif name not in forms:
            raise PermissionDenied(_("Chỉ Sở TT&TT điều hành kỳ đánh giá."))
        else:
            forms[name] = form = FORMS[name](request.POST, cycle=cycle, prefix=name)
            errors, status = _apply(request, cycle, name, form)
            if not errors:
                if name == "end" and form.cleaned_data["how"] == "cancel":
                    return redirect("workspace")
                return redirect(request.path)
    context = {
        "cycle": cycle,
        "forms": {name: form for name, form in forms.items() if in_season(name, cycle)},
        "errors": errors,
        "data": management.cycle_data(cycle),
        "extensions": cycle.submissions.filter(extended_to__isnull=False).select_related("agency"),
        "excluded": cycle.submissions.filter(excluded_reason__gt="").select_related("agency"),
    }
    return render(request, "rankings/staff/cycle_manage.html", context, status=status)


def _apply(request, cycle, name, form) -> tuple[list[str], int]:
    """Run the form's action: no errors (and a success message), or the errors and the
    status (400 for the form's input, 409 for the service's refusal)."""
    if not form.is_valid():
        return [" ".join(e for es in form.errors.values() for e in es)], 400
    try:
        done = ACTIONS[name](cycle, request.user, form.cleaned_data)
    except management.Refused as refused:
        return [str(refused)], 409
    messages.success(request, done)
    return [], 200


def _deadline(cycle, user, data) -> str:
    management.cycle_deadline_move(
        cycle=cycle,
        deadline=data["deadline"],
        user=user,
        reason=data["reason"],
        confirm_past=data["confirm_past"],
    )
    return _("Đã dời hạn nộp đến %(d)s.") % {"d": formatting.day(data["deadline"])}


def _extend(cycle, user, data) -> str:
    management.submission_extend(
        cycle=cycle, agency=data["agency"], until=data["until"], reason=data["reason"], user=user
    )
    return _("Đã gia hạn cho %(a)s đến %(d)s.") % {
        "a": data["agency"],
        "d": formatting.day(data["until"]),
    }


def _reopen(cycle, user, data) -> str:
    management.submission_reopen(
        cycle=cycle, agency=data["agency"], reason=data["reason"], until=data["until"], user=user
    )
    return _("Đã mở lại bản tự đánh giá của %(a)s.") % {"a": data["agency"]}


def _end(cycle, user, data) -> str:
    if data["how"] == "cancel":
        management.cycle_cancel(cycle=cycle, user=user, reason=data["reason"])
        return _("Đã huỷ kỳ đánh giá %(c)s.") % {"c": cycle}
    management.cycle_archive(cycle=cycle, user=user, reason=data["reason"])
    return _("Đã lưu trữ kỳ đánh giá %(c)s.") % {"c": cycle}


def _exclude(cycle, user, data) -> str:
    management.agency_exclude(
        cycle=cycle,
        agency=data["agency"],
        reason=data["reason"],
        correction=data["correction"],
        user=user,
    )
    return _("%(a)s: không xếp hạng: %(r)s") % {"a": data["agency"], "r": data["reason"].strip()}


def _include(cycle, user, data) -> str:
    management.agency_include(
        cycle=cycle, agency=data["agency"], correction=data["correction"], user=user
    )
    return _("%(a)s được xếp hạng trở lại theo điểm.") % {"a": data["agency"]}


ACTIONS = {
    "deadline": _deadline,
    "extend": _extend,
    "reopen": _reopen,
    "end": _end,
    "exclude": _exclude,
    "include": _include,
}
