"""The provincial administrator's staff: accounts, roles, invitations, deactivation.

Accounts are created without a usable password; the invitation e-mail carries a
set-password link (Django's password-reset token, which dies once the password is set).
Deactivating an account or changing its password ends its sessions, whichever way the
password changed (`EndSessionsOnPasswordChange`); `accounts.signals` revokes its API tokens.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyAlias, Province
from agencies.names import NameMatcher, name_key
from agencies.slugs import slugify
from rankings.language.preference import language_of
from rankings.models import AGENCY_ROLES, Membership, Role
from rankings.setup import tables
from rankings.setup.tables import Problem

User = get_user_model()
COLUMNS = {
    "full_name": ("Họ và tên", "Họ tên"),
    "email": ("Email", "Thư điện tử", "E-mail"),
    "username": ("Tên đăng nhập",),
    "role": ("Vai trò",),
    "agency": ("Cơ quan, đơn vị", "Đơn vị", "Cơ quan"),
}
ROLE_WORDS = {
    **{name_key(str(label)): value for value, label in Role.choices},
    **{name_key(value): value for value in Role.values},
    name_key("Quản trị"): Role.ADMIN,
    name_key("Nhập liệu"): Role.EDITOR,
    name_key("Thẩm định"): Role.REVIEWER,
    name_key("Phê duyệt"): Role.APPROVER,
    name_key("Báo cáo"): Role.REPORTER,
    name_key("Thủ trưởng"): Role.HEAD,
}


@dataclass
class StaffRow:
    row: int
    full_name: str
    email: str
    username: str
    role: str
    agency: Agency | None


@dataclass
class StaffPlan:
    rows: list[StaffRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def staff_check(
    *,
    province: Province,
    full_name: str,
    email: str,
    role_text: str,
    agency_text: str = "",
    username: str = "",
    row: int | None = None,
    columns=None,
    matcher=None,
    taken: set[str] | None = None,
) -> tuple[StaffRow | None, list[Problem]]:
    """One account as typed in a form or a spreadsheet row, checked; nothing is written."""
    columns = columns or {}
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(row, columns.get(column, COLUMNS[column][0]), message))

    email = _email_checked(email, problem)
    role = _role_of(role_text, problem)
    agency = _agency_of(province, role, agency_text, matcher, problem)
    username = (username or email.split("@")[0]).strip()
    username = slugify(username).replace("-", ".") or username
    _account_checked(province, username, email, taken, problem)
    if problems or role is None:  # an unknown role is a problem
        return None, problems
    return StaffRow(row or 0, full_name.strip(), email, username, role, agency), []


def _email_checked(email: str, problem) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problem("email", _("“%(e)s” không phải địa chỉ thư điện tử") % {"e": email})
    return email


def _role_of(role_text: str, problem):
    role = ROLE_WORDS.get(name_key(role_text))
    if role is None:
        problem(
            "role",
            _("vai trò “%(r)s” không có; dùng một trong: %(l)s")
            % {"r": role_text, "l": "; ".join(str(label) for _v, label in Role.choices)},
        )
    return role


def _agency_of(province, role, agency_text: str, matcher, problem) -> Agency | None:
    """The agency an agency role names (by name or alias); None for a province role."""
    if role not in AGENCY_ROLES:
        return None
    matcher = matcher or _matcher(province)
    match = matcher.match(agency_text) if agency_text else None
    if match is None:
        problem("agency", _("vai trò của đơn vị cần tên cơ quan, đơn vị"))
    elif not match.ok:
        problem("agency", match.problem())
    else:
        return Agency.objects.get(pk=match.agency_id)
    return None


def _account_checked(province, username: str, email: str, taken: set[str] | None, problem) -> None:
    """An existing account of another province, or an address met earlier in the file."""
    existing = User.objects.filter(username=username).first() or (
        User.objects.filter(email__iexact=email).first() if email else None
    )
    if existing is not None and existing.memberships.exclude(province=province).exists():
        problem("email", _("tài khoản “%(u)s” thuộc tỉnh khác") % {"u": existing.username})
    if taken is not None:
        if email in taken:
            problem("email", _("“%(e)s” lặp lại trong tệp") % {"e": email})
        taken.add(email)


def _matcher(province):
    agencies = Agency.objects.filter(province=province)
    aliases = AgencyAlias.objects.filter(province=province).values_list("agency_id", "name")
    return NameMatcher.of(agencies, aliases)


def staff_plan(*, province: Province, data: bytes, filename: str) -> StaffPlan:
    """A spreadsheet of accounts (name, e-mail, role, agency), checked; nothing is written."""
    plan = StaffPlan()
    try:
        sheet = tables.read_sheet(data, filename, columns=COLUMNS, required=("email", "role"))
    except tables.Refused as refused:
        plan.problems.append(Problem(None, "", str(refused)))
        return plan
    matcher, taken = _matcher(province), set[str]()
    for number, record in sheet.rows:
        found, problems = staff_check(
            province=province,
            full_name=tables.text(record.get("full_name")),
            email=tables.text(record.get("email")),
            role_text=tables.text(record.get("role")),
            agency_text=tables.text(record.get("agency")),
            username=tables.text(record.get("username")),
            row=number,
            columns=sheet.headers,
            matcher=matcher,
            taken=taken,
        )
        plan.problems += problems
        if found:
            plan.rows.append(found)
    if not sheet.rows:
        plan.problems.append(Problem(None, "", _("tệp không có dòng dữ liệu nào.")))
    return plan


@transaction.atomic
def staff_apply(*, province: Province, plan: StaffPlan, invited_by) -> list:
    """Create (or give the role to) every account of the plan and send the invitations."""
    if not plan.ok:
        raise ValueError("A refused staff list cannot be applied.")
    users = [staff_add(province=province, row=row, invited_by=invited_by) for row in plan.rows]
    return users


def staff_add(*, province: Province, row: StaffRow, invited_by):
    """One account with its role in `province`; a new account gets an invitation."""
    user = User.objects.filter(email__iexact=row.email).first()
    created = user is None
    if created:
        user = account_new(email=row.email, full_name=row.full_name, username=row.username)
    Membership.objects.get_or_create(user=user, role=row.role, province=province, agency=row.agency)
    if created:
        transaction.on_commit(
            lambda: invitation_send(user=user, province=province, invited_by=invited_by)
        )
    return user


def account_new(*, email: str, full_name: str, username: str = ""):
    """An account with no usable password yet: its invitation carries the link to set one."""
    username = (username or email.split("@")[0]).strip()
    username = slugify(username).replace("-", ".") or username
    taken = set(
        User.objects.filter(username__startswith=username).values_list("username", flat=True)
    )
    base, n = username, 1
    while username in taken:
        n += 1
        username = f"{base}{n}"
    first, _space, last = full_name.strip().rpartition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    return user


def admin_invitation_send(*, user, invited_by) -> None:
    """The first administrator's invitation: set a password, sign in, pick the province."""
    with translation.override(language_of(user)):  # the recipient's, not the sender's
        who = (invited_by.get_full_name() or invited_by.username) if invited_by else _("Quản trị")
        body = _(
            "Xin chào %(name)s,\n\n%(who)s mời bạn làm quản trị cấp tỉnh trên hệ thống xếp hạng "
            "ứng dụng CNTT, chính quyền điện tử; tên đăng nhập “%(u)s”.\n\nĐặt mật khẩu tại "
            "đường dẫn sau (dùng được một lần, trong %(days)s ngày), đăng nhập rồi chọn tỉnh của "
            "bạn tại %(pick)s:\n%(link)s\n"
        ) % {
            "name": user.get_full_name() or user.username,
            "who": who,
            "u": user.username,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "pick": settings.SITE_URL + reverse("setup-pick"),
            "link": set_password_link(user),
        }
        send_mail(
            _("Mời làm quản trị cấp tỉnh trên hệ thống xếp hạng CNTT"),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


def set_password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


def invitation_send(*, user, province: Province, invited_by) -> None:
    with translation.override(language_of(user)):  # the recipient's, not the sender's
        who = (invited_by.get_full_name() or invited_by.username) if invited_by else _("Quản trị")
        body = _(
            "Xin chào %(name)s,\n\n%(who)s đã tạo tài khoản “%(u)s” cho bạn trên hệ thống xếp hạng "
            "ứng dụng CNTT, chính quyền điện tử tỉnh %(p)s.\n\nĐặt mật khẩu tại đường dẫn sau "
            "(dùng được một lần, trong %(days)s ngày):\n%(link)s\n"
        ) % {
            "name": user.get_full_name() or user.username,
            "who": who,
            "u": user.username,
            "p": province.name,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "link": set_password_link(user),
        }
        send_mail(
            _("Mời tham gia hệ thống xếp hạng CNTT tỉnh %(p)s") % {"p": province.name},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


@transaction.atomic
def role_change(*, user, province: Province, role: str, agency: Agency | None = None) -> None:
    """The user's one role in `province` becomes `role` (agency roles name the agency)."""
    if (role in AGENCY_ROLES) != (agency is not None):
        raise ValueError("Agency roles need an agency; provincial roles must not have one.")
    Membership.objects.filter(user=user, province=province).delete()
    Membership.objects.create(user=user, role=role, province=province, agency=agency)
    user.__dict__.pop("_memberships", None)


def sessions_end(user) -> int:
    """Delete every live session of `user`; how many ended. (Its API tokens are revoked by
    `accounts.signals` on the same save that changes the password or deactivates.)"""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user) -> int:
    user.is_active = False
    user.save(update_fields=["is_active"])
    return sessions_end(user)


class EndSessionsOnPasswordChange:
    """A password "validator" whose `password_changed` hook ends the user's sessions:
    Django calls it on every password change (set-password link, admin, `changepassword`),
    so no path can forget to."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            sessions_end(user)

    def get_help_text(self) -> str:
        return ""
