"""A province row from vietnam-provinces, before or after the 2025 reform, and who picks it.

Two kinds of people may pick a province to set up (`pick_role`):
- a platform operator: the superuser, or anyone holding `agencies.add_province` through a
  group; they may pick any province (an existing one opens its set-up) and invite its
  first administrator;
- the first administrator invited for a province not chosen yet (`first_admin_invite`,
  `create_province_admin` without `--province`): the invitation grants
  `agencies.add_province` on the account itself, for one pick. Picking a province with no
  administrator makes them its administrator and uses the grant up.
"""

import datetime
import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Province
from agencies.names import name_key
from agencies.slugs import slugify, unique_slug
from agencies.units import LEGACY_END, REFORM_DATE, blocks_ensure, pad, province_name
from rankings.models import Membership, Role

ERAS = ("legacy", "current")
PERMISSION = ("agencies", "add_province")
OPERATOR, FIRST_ADMIN = "operator", "first_admin"


@functools.cache
def official_provinces(era: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every province of an era: 63 before 1 July 2025, 34 after."""
    import vietnam_provinces
    from vietnam_provinces import legacy

    units = legacy.Province if era == "legacy" else vietnam_provinces.Province
    return tuple(
        (pad(unit.code.value, "province"), province_name(unit.name)) for unit in units.iter_all()
    )


@dataclass(frozen=True)
class OfficialProvince:
    era: str
    code: str
    name: str

    @property
    def label(self) -> str:
        """What the searchable list shows and the form reads back: name, code and era."""
        if self.era == "legacy":
            return _("%(n)s — mã %(c)s, trước 01/07/2025") % {"n": self.name, "c": self.code}
        return _("%(n)s — mã %(c)s, từ 01/07/2025") % {"n": self.name, "c": self.code}


def province_options() -> list[OfficialProvince]:
    """Every province of both eras, the current ones first, each era in name order."""
    return [
        OfficialProvince(era, code, name)
        for era in ("current", "legacy")
        for code, name in sorted(official_provinces(era), key=lambda row: name_key(row[1]))
    ]


class PickRefused(ValueError):
    """A province that may not be picked, with the Vietnamese reason."""


def province_find(text: str) -> OfficialProvince:
    """The province a typed or chosen label stands for: the exact label, or a name (or
    "name code") that only one province of both eras has."""
    key = name_key(text)
    options = province_options()
    for option in options:
        if key == name_key(option.label):
            return option
    found = [o for o in options if key in {name_key(o.name), name_key(f"{o.name} {o.code}")}]
    if len(found) == 1:
        return found[0]
    if found:
        raise PickRefused(
            _("“%(t)s” có cả trước và sau ngày 01/07/2025; hãy chọn một dòng trong danh sách")
            % {"t": text.strip()}
        )
    raise PickRefused(
        _("không có tỉnh, thành phố “%(t)s”; hãy chọn một dòng trong danh sách")
        % {"t": text.strip()}
    )


def _grant() -> Permission:
    return Permission.objects.get(content_type__app_label=PERMISSION[0], codename=PERMISSION[1])


def pick_role(user) -> str | None:
    """OPERATOR, FIRST_ADMIN, or None for who may not pick a province."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser or ".".join(PERMISSION) in user.get_group_permissions():
        return OPERATOR
    if user.user_permissions.filter(
        content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
    ).exists():
        return FIRST_ADMIN
    return None


@transaction.atomic
def province_from_units(*, code: str, era: str) -> Province:
    """The province of `era` with official `code`, created (with the standard blocks) once."""
    if era not in ERAS:
        raise ValueError(f"No era {era!r}; one of {', '.join(ERAS)}.")
    code = pad(int(code), "province")
    names = dict(official_provinces(era))
    if code not in names:
        raise ValueError(f"No {era} province has the code {code}.")
    current = era == "current"
    valid_from = REFORM_DATE if current else datetime.date(1900, 1, 1)
    found = Province.objects.filter(code__in={code, str(int(code))}, valid_from=valid_from).first()
    if found is not None:
        return found
    blocks_ensure()
    name = names[code]
    base = slugify(name) + ("-2025" if current else "")
    taken = set(Province.objects.values_list("slug", flat=True))
    return Province.objects.create(
        code=code,
        name=name,
        slug=unique_slug(base, taken, suffix=code),
        valid_from=valid_from,
        valid_to=None if current else LEGACY_END,
    )


@transaction.atomic
def province_pick(
    *,
    user,
    code: str,
    era: str,
    admin_email: str = "",
    admin_name: str = "",
    admin_username: str = "",
) -> Province:
    """The province `user` picked, created from vietnam-provinces if new (all or nothing).

    An operator may also name its first administrator (`admin_email`), who is invited. A
    non-superuser picker becomes an administrator of the province, so the set-up pages
    open for them; a first administrator's one-pick grant is used up, and a province that
    already has an administrator is refused to them. `user` None is the operator's shell
    (`create_province_admin --province`).
    """
    from rankings.setup.users import staff_add, staff_check

    role = OPERATOR if user is None else pick_role(user)
    if role is None:
        raise PickRefused(_("Tài khoản này không được chọn tỉnh để thiết lập."))
    province = province_from_units(code=code, era=era)
    if role == FIRST_ADMIN:
        if admin_email:
            raise PickRefused(_("Quản trị cấp tỉnh đầu tiên không mời quản trị khác ở bước này."))
        others = Membership.objects.filter(province=province, role=Role.ADMIN).exclude(user=user)
        if others.exists():
            raise PickRefused(
                _("Tỉnh %(p)s đã có quản trị cấp tỉnh; hãy nhờ quản trị đó cấp vai trò cho bạn.")
                % {"p": province.name}
            )
        if user.memberships.exclude(province=province).exists():
            raise PickRefused(_("Tài khoản này đã có vai trò ở tỉnh khác."))
        user.user_permissions.remove(_grant())
    if user is not None and not user.is_superuser:
        Membership.objects.get_or_create(user=user, role=Role.ADMIN, province=province)
    if admin_email:
        row, problems = staff_check(
            province=province,
            full_name=admin_name,
            email=admin_email,
            role_text=Role.ADMIN,
            username=admin_username,
        )
        if row is None:
            raise PickRefused("; ".join(p.message for p in problems))
        staff_add(province=province, row=row, invited_by=user)
    return province


@transaction.atomic
def first_admin_invite(*, email: str, full_name: str, username: str = "", invited_by=None):
    """An account invited to pick its province and administer it (one pick).

    Returns the user; raises PickRefused when the address or name belongs to an account
    that already has a role somewhere."""
    from rankings.setup.users import account_new, admin_invitation_send

    email = email.strip().lower()
    user_model = get_user_model()
    existing = user_model.objects.filter(email__iexact=email).first()
    if existing is not None and existing.memberships.exists():
        raise PickRefused(_("“%(e)s” đã có tài khoản có vai trò ở một tỉnh.") % {"e": email})
    user = existing or account_new(email=email, full_name=full_name, username=username)
    user.user_permissions.add(_grant())
    transaction.on_commit(lambda: admin_invitation_send(user=user, invited_by=invited_by))
    return user
