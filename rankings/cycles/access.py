"""The cycle a staff page or form works on, after the permission its action needs."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from rankings import permissions
from rankings.models import AssessmentCycle


def staff_cycle(request, province, year, block, allowed) -> AssessmentCycle:
    """The cycle at (province, year, block) among those the user may see, or 404;
    PermissionDenied unless `allowed` says yes.

    `allowed` is one of `rankings.permissions`' `can_*(user, cycle=...)` checks.
    """
    cycles = AssessmentCycle.objects.select_related("province", "block", "criteria_set")
    cycle = get_object_or_404(
        permissions.visible_cycles(request.user, cycles),
        province__slug=province,
        year=year,
        block__slug=block,
    )
    if not allowed(request.user, cycle=cycle):
        raise PermissionDenied(_("Bạn không có quyền với kỳ đánh giá này."))
    return cycle
