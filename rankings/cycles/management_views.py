"""The cycle-management page for ICT staff: deadline, extension, reopening, cancel or
archive, each a form posting `action`; the services in `management` do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rankings import permissions
from rankings.cycles import management
from rankings.cycles.management_forms import FORMS
from rankings.models import AssessmentCycle


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
    if not permissions.can_manage_cycle(request.user, cycle=cycle):
        raise PermissionDenied(_("Chỉ Sở TT&TT điều hành kỳ đánh giá."))
    forms = {name: form(cycle=cycle, prefix=name) for name, form in FORMS.items()}
    errors, status = [], 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in FORMS:
            errors, status = [_("Thao tác không hợp lệ.")], 400
        else:
            forms[name] = form = FORMS[name](request.POST, cycle=cycle, prefix=name)
            try:
                if not form.is_valid():
                    raise management.Refused(" ".join(e for es in form.errors.values() for e in es))
                done = ACTIONS[name](cycle, request.user, form.cleaned_data)
            except management.Refused as refused:
                errors, status = [str(refused)], 409 if form.is_bound and form.is_valid() else 400
            else:
                messages.success(request, done)
                if name == "end" and form.cleaned_data["how"] == "cancel":
                    return redirect("workspace")
                return redirect(request.path)
    context = {
        "cycle": cycle,
        "forms": forms,
        "errors": errors,
        "data": management.cycle_data(cycle),
        "extensions": cycle.submissions.filter(extended_to__isnull=False).select_related("agency"),
    }
    return render(request, "rankings/staff/cycle_manage.html", context, status=status)


def _deadline(cycle, user, data) -> str:
    management.cycle_deadline_move(
        cycle=cycle,
        deadline=data["deadline"],
        user=user,
        reason=data["reason"],
        confirm_past=data["confirm_past"],
    )
    return _("Đã dời hạn nộp đến %(d)s.") % {"d": data["deadline"].strftime("%d/%m/%Y")}


def _extend(cycle, user, data) -> str:
    management.submission_extend(
        cycle=cycle, agency=data["agency"], until=data["until"], reason=data["reason"], user=user
    )
    return _("Đã gia hạn cho %(a)s đến %(d)s.") % {
        "a": data["agency"],
        "d": data["until"].strftime("%d/%m/%Y"),
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


ACTIONS = {"deadline": _deadline, "extend": _extend, "reopen": _reopen, "end": _end}
