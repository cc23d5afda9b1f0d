"""The provincial administrator's staff page: accounts, roles, invitations, deactivation."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rankings.models import Membership
from rankings.setup import users
from rankings.setup.access import province_for_setup
from rankings.setup.forms import RoleForm, StaffForm, UploadForm
from rankings.setup.pending import pending_drop, pending_file

User = get_user_model()


def _members(place):
    memberships = Membership.objects.filter(province=place).select_related("agency")
    return (
        User.objects.filter(memberships__province=place)
        .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="here"))
        .distinct()
        .order_by("-is_active", "last_name", "username")
    )


def _page(request, place, *, form=None, upload=None, plan=None, status=200):
    context = {
        "province": place,
        "form": form or StaffForm(province=place),
        "upload": upload or UploadForm(),
        "plan": plan,
        "members": _members(place),
        "role_form": RoleForm(province=place),
    }
    return render(request, "rankings/setup/staff.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def setup_staff(request, province):
    """One account from the form: checked like a spreadsheet row, then invited."""
    place = province_for_setup(request, province)
    if request.method == "GET":
        return _page(request, place)
    form = StaffForm(request.POST, province=place)
    if not form.is_valid():
        return _page(request, place, form=form, status=400)
    data = form.cleaned_data
    row, problems = users.staff_check(
        province=place,
        full_name=data["full_name"],
        email=data["email"],
        role_text=data["role"],
        agency_text=data["agency"].name if data["agency"] else "",
    )
    if problems:
        for problem in problems:
            form.add_error(None, str(problem))
        return _page(request, place, form=form, status=400)
    with transaction.atomic():
        user = users.staff_add(province=place, row=row, invited_by=request.user)
    messages.success(
        request,
        _("Đã tạo tài khoản %(u)s và gửi thư mời tới %(e)s.")
        % {"u": user.username, "e": user.email},
    )
    return redirect("setup-staff", place.slug)


@login_required
@require_POST
def setup_staff_import(request, province):
    """Accounts from a spreadsheet: preview, then create all and send the invitations."""
    place = province_for_setup(request, province)
    upload = UploadForm(request.POST, request.FILES)
    plan = None
    if upload.is_valid() and (found := pending_file(upload)):
        plan = users.staff_plan(province=place, data=found[0], filename=found[1])
        if plan.ok and "confirm" in request.POST:
            users.staff_apply(province=place, plan=plan, invited_by=request.user)
            pending_drop(upload)
            messages.success(
                request, _("Đã tạo %(n)s tài khoản và gửi thư mời.") % {"n": len(plan.rows)}
            )
            return redirect("setup-staff", place.slug)
    status = 400 if (plan and plan.problems) or upload.errors else 200
    return _page(request, place, upload=upload, plan=plan, status=status)


@login_required
@require_POST
def setup_staff_user(request, province, pk):
    """Change a member's role, deactivate the account, or send the invitation again."""
    place = province_for_setup(request, province)
    user = get_object_or_404(User, pk=pk, memberships__province=place)
    action = request.POST.get("action")
    if action == "deactivate" and user != request.user:
        ended = users.user_deactivate(user=user)
        messages.success(
            request,
            _("Đã khóa tài khoản %(u)s; %(n)s phiên đăng nhập đã kết thúc.")
            % {"u": user.username, "n": ended},
        )
    elif action == "invite" and user.is_active:
        users.invitation_send(user=user, province=place, invited_by=request.user)
        messages.success(request, _("Đã gửi lại thư mời tới %(e)s.") % {"e": user.email})
    elif action == "role":
        form = RoleForm(request.POST, province=place)
        try:
            if not form.is_valid():
                raise ValueError
            users.role_change(
                user=user,
                province=place,
                role=form.cleaned_data["role"],
                agency=form.cleaned_data["agency"],
            )
            messages.success(request, _("Đã đổi vai trò của %(u)s.") % {"u": user.username})
        except ValueError:
            messages.error(
                request,
                _("Vai trò của đơn vị cần chọn cơ quan; vai trò cấp tỉnh thì không chọn cơ quan."),
            )
    else:
        messages.error(request, _("Không thực hiện được thao tác này."))
    return redirect("setup-staff", place.slug)
