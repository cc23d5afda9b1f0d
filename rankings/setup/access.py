"""Who may set a province up: its provincial administrators (and the superuser)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agencies.models import Province
from rankings.models import Membership, Role


def can_set_up(user, *, province: Province) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, province=province, role=Role.ADMIN).exists()


def province_for_setup(request, slug: str) -> Province:
    """The province of the URL, if the user administers it. Others get 403 if they have a
    role in it, else 404, as another province's staff get for its cycles."""
    province = get_object_or_404(Province, slug=slug)
    user = request.user
    if (
        not user.is_superuser
        and not Membership.objects.filter(user=user, province=province).exists()
    ):
        raise Http404(_("Không có tỉnh này trong phạm vi của bạn."))
    if not can_set_up(user, province=province):
        raise PermissionDenied(
            _("Chỉ quản trị cấp tỉnh của %(p)s thiết lập tỉnh này.") % {"p": province.name}
        )
    return province


def provinces_for_setup(user):
    """The provinces the user administers (every province for the superuser)."""
    if user.is_superuser:
        return Province.objects.filter(is_national=False)
    return Province.objects.filter(memberships__user=user, memberships__role=Role.ADMIN).distinct()
