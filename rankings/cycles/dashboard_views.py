"""The cycle dashboard for ICT staff and the director: who has submitted, who is late,
what is returned and waiting, missing evidence, the council's progress; one action
reminds every late agency."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rankings import permissions, security_log
from rankings.cycles.access import staff_cycle
from rankings.cycles.overview import cycle_overview
from rankings.cycles.reminders import late_agencies_remind
from rankings.cycles.staff_forms import LateReminderForm


@login_required
@require_http_methods(["GET", "POST"])
def cycle_dashboard(request, province, year, block):
    cycle = staff_cycle(request, province, year, block, permissions.can_see_cycle_dashboard)
    form = LateReminderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not permissions.can_manage_cycle(request.user, cycle=cycle):
            raise PermissionDenied(_("Chỉ Sở TT&TT gửi nhắc nhở đến các đơn vị."))
        if form.is_valid():
            agencies, sent = late_agencies_remind(cycle=cycle, user=request.user)
            security_log.event(
                "late_reminder", request, cycle=cycle.pk, agencies=[a.slug for a in agencies]
            )
            messages.success(
                request,
                _("Đã nhắc %(n)s đơn vị quá hạn (%(p)s người nhận).")
                % {"n": len(agencies), "p": sent},
            )
            return redirect(request.path)
    context = {
        "cycle": cycle,
        "overview": cycle_overview(cycle=cycle),
        "form": form,
        "can_remind": permissions.can_manage_cycle(request.user, cycle=cycle),
        "can_review": permissions.can_review(request.user, cycle=cycle),
    }
    return render(
        request, "rankings/staff/cycle_dashboard.html", context, status=400 if form.errors else 200
    )
