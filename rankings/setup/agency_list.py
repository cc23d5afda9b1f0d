"""Import a province's agency list from its own spreadsheet, all or nothing, idempotently.

Columns: name, short name, kind, block, administrative-unit code (if any), valid from/to
(if any). A row updates the agency with the same unit code, else the one its name (or an
alias) matches, else it creates one: importing the same file twice changes nothing.
"""

import datetime
import difflib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyAlias, AgencyKind, Block, Province
from agencies.names import NameMatcher, loose_key, name_key
from agencies.slugs import slugify, unique_slug
from agencies.units import REFORM_DATE, current_units, legacy_units, pad
from rankings.setup import tables
from rankings.setup.tables import Problem

COLUMNS = {
    "name": ("Tên đơn vị", "Tên cơ quan, đơn vị", "Tên cơ quan", "Tên"),
    "short_name": ("Tên ngắn", "Tên viết tắt", "Tên rút gọn"),
    "kind": ("Loại", "Loại đơn vị", "Loại cơ quan"),
    "block": ("Khối", "Khối xếp hạng"),
    "code": ("Mã ĐVHC", "Mã đơn vị hành chính", "Mã"),
    "valid_from": ("Hiệu lực từ", "Từ ngày"),
    "valid_to": ("Hiệu lực đến", "Đến ngày"),
}
REQUIRED = ("name", "kind", "block")
# A kind as people write it: the label, the code, or a common short word.
KIND_WORDS = {
    **{name_key(str(label)): value for value, label in AgencyKind.choices},
    **{name_key(value): value for value in AgencyKind.values},
    name_key("Sở"): AgencyKind.DEPARTMENT,
    name_key("Sở, ngành"): AgencyKind.DEPARTMENT,
    name_key("Ban, ngành"): AgencyKind.DEPARTMENT,
    name_key("Trung ương"): AgencyKind.CENTRAL,
    name_key("Huyện"): AgencyKind.DISTRICT,
    name_key("Cấp huyện"): AgencyKind.DISTRICT,
    name_key("Xã"): AgencyKind.COMMUNE,
    name_key("Cấp xã"): AgencyKind.COMMUNE,
    name_key("Tỉnh"): AgencyKind.PROVINCE,
}
UNIT_LEVEL = {AgencyKind.DISTRICT: "district", AgencyKind.COMMUNE: "commune"}


@dataclass
class AgencyRow:
    row: int
    name: str
    short_name: str
    kind: str
    block: Block
    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    existing: Agency | None = None
    represents: Province | None = None  # the national scope: the province this row ranks

    def changes(self) -> list[str]:
        """The fields this row would change on its existing agency (empty: nothing to do)."""
        if self.existing is None:
            return []
        a = self.existing
        pairs = {
            "name": (a.name, self.name),
            "short_name": (a.short_name, self.short_name),
            "kind": (a.kind, self.kind),
            "block": (a.block_id, self.block.pk),
            "admin_unit_code": (a.admin_unit_code, self.code),
            "valid_from": (a.valid_from, self.valid_from),
            "valid_to": (a.valid_to, self.valid_to),
            "represents": (a.represents_id, self.represents.pk if self.represents else None),
        }
        return [name for name, (old, new) in pairs.items() if old != new]


@dataclass
class AgencyListPlan:
    """What an agency list would do: rows to create, to update, unchanged; or problems."""

    rows: list[AgencyRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def created(self) -> list[AgencyRow]:
        return [r for r in self.rows if r.existing is None]

    @property
    def updated(self) -> list[AgencyRow]:
        return [r for r in self.rows if r.existing is not None and r.changes()]

    @property
    def unchanged(self) -> list[AgencyRow]:
        return [r for r in self.rows if r.existing is not None and not r.changes()]


def official_units(province: Province) -> dict[str, tuple[str, str]]:
    """The province's districts and communes in vietnam-provinces: code → (level, name)."""
    code = pad(int(province.code), "province")
    current = province.valid_from >= REFORM_DATE
    units = current_units({code}) if current else legacy_units({code})
    return {u.code: (u.level, u.name) for u in units if u.level != "province"}


def agency_list_plan(*, province: Province, data: bytes, filename: str) -> AgencyListPlan:
    """Read and check an agency list; nothing is written."""
    plan = AgencyListPlan()
    try:
        sheet = tables.read_sheet(data, filename, columns=COLUMNS, required=REQUIRED)
    except tables.Refused as refused:
        plan.problems.append(Problem(None, "", str(refused)))
        return plan
    blocks = {}
    for block in Block.objects.all():
        for label in (block.name, block.slug, block.name_en):
            blocks[name_key(label)] = block
    units = {} if province.is_national else official_units(province)
    existing = _ExistingAgencies(province)
    seen = _Seen(sheet, plan.problems)
    for number, record in sheet.rows:
        row = _row(sheet, number, record, blocks, units, plan.problems)
        if row is not None and province.is_national:
            row = _national(sheet, number, row, plan.problems)
        if row is None or seen.repeated(number, row):
            continue
        row.existing = existing.find(row)
        plan.rows.append(row)
    if not sheet.rows:
        plan.problems.append(Problem(None, "", _("tệp không có dòng dữ liệu nào.")))
    return plan


class _ExistingAgencies:
    """The province's agencies, found by unit code (with the start of the row's lifetime:
    the national scope lists Phú Thọ 25 twice, one per era), else by name or alias."""

    def __init__(self, province: Province) -> None:
        existing = list(Agency.objects.filter(province=province).select_related("block"))
        self.by_code = {(a.admin_unit_code, a.valid_from): a for a in existing if a.admin_unit_code}
        self.matcher = NameMatcher.of(
            existing,
            AgencyAlias.objects.filter(province=province).values_list("agency_id", "name"),
        )
        self.by_id = {a.pk: a for a in existing}

    def find(self, row: AgencyRow) -> Agency | None:
        found = self.by_code.get((row.code, row.valid_from)) if row.code else None
        if found is None:
            match = self.matcher.match(row.name)
            found = self.by_id.get(match.agency_id) if match.agency_id is not None else None
        return found


class _Seen:
    """The first row of each name and of each (code, start of lifetime) in the sheet."""

    def __init__(self, sheet, problems: list[Problem]) -> None:
        self.sheet, self.problems = sheet, problems
        self.names: dict[str, int] = {}
        self.codes: dict[tuple, int] = {}

    def repeated(self, number: int, row: AgencyRow) -> bool:
        """Whether the row repeats a name or code of an earlier row (a problem if so)."""
        key = name_key(row.name)
        if key in self.names:
            self.problems.append(
                Problem(
                    number,
                    self.sheet.column("name"),
                    _("tên “%(n)s” đã có ở dòng %(r)s") % {"n": row.name, "r": self.names[key]},
                )
            )
            return True
        self.names[key] = number
        if row.code:
            code = (row.code, row.valid_from)
            if code in self.codes:
                self.problems.append(
                    Problem(
                        number,
                        self.sheet.column("code"),
                        _("mã %(c)s đã có ở dòng %(r)s") % {"c": row.code, "r": self.codes[code]},
                    )
                )
                return True
            self.codes[code] = number
        return False


def _row(sheet, number, record, blocks, units, problems) -> AgencyRow | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, sheet.column(column), message))

    name = tables.text(record.get("name"))
    if not name:
        problem("name", _("thiếu tên đơn vị"))
    short = tables.text(record.get("short_name")) or name
    if len(name) > 200 or len(short) > 80:
        problem("name", _("tên dài quá 200 ký tự (tên ngắn: 80)"))
    kind_text = tables.text(record.get("kind"))
    kind = KIND_WORDS.get(name_key(kind_text))
    if kind is None:
        labels = "; ".join(str(label) for _value, label in AgencyKind.choices)
        problem(
            "kind",
            _("loại “%(k)s” không hợp lệ; dùng một trong: %(l)s") % {"k": kind_text, "l": labels},
        )
    block_text = tables.text(record.get("block"))
    block = blocks.get(name_key(block_text))
    if block is None:
        problem(
            "block",
            _("khối “%(b)s” chưa có; hãy tạo khối trước hoặc dùng: %(l)s")
            % {"b": block_text, "l": "; ".join(sorted({b.name for b in blocks.values()}))},
        )
    code = tables.text(record.get("code"))
    if code and units:
        code = _unit_code(code, kind, name, units, problem)
    valid_from = _date(record.get("valid_from"), "valid_from", problem) or datetime.date(1900, 1, 1)
    valid_to = _date(record.get("valid_to"), "valid_to", problem)
    if valid_to and valid_to < valid_from:
        problem("valid_to", _("ngày hết hiệu lực trước ngày bắt đầu hiệu lực"))
    if len(problems) > before or kind is None:  # an unknown kind is a problem
        return None
    return AgencyRow(number, name, short, kind, block, code, valid_from, valid_to)


def _national(sheet, number, row: AgencyRow, problems) -> AgencyRow | None:
    """In the national scope a row is a province: its code links it to that province's pages.

    Codes repeat across the reform (Phú Thọ is 25 before and after), so the province is the
    one whose lifetime overlaps the row's.
    """
    column = sheet.column("code")
    if row.kind != AgencyKind.PROVINCE or not row.code.isdigit():
        problems.append(
            Problem(
                number,
                column,
                _("phạm vi toàn quốc xếp hạng UBND cấp tỉnh: cần loại “UBND cấp tỉnh” và mã tỉnh"),
            )
        )
        return None
    row.code = pad(int(row.code), "province")
    ends = row.valid_to or datetime.date.max
    found = [
        p
        for p in Province.objects.filter(code__in={row.code, str(int(row.code))}, is_national=False)
        if p.valid_from <= ends and (p.valid_to is None or p.valid_to >= row.valid_from)
    ]
    if len(found) != 1:
        problems.append(
            Problem(
                number,
                column,
                _(
                    "mã tỉnh %(c)s: %(n)s tỉnh trong hệ thống có hiệu lực trùng thời gian của "
                    "dòng; hãy thiết lập tỉnh đó trước hoặc ghi ngày hiệu lực"
                )
                % {"c": row.code, "n": len(found)},
            )
        )
        return None
    row.represents = found[0]
    return row


def _date(value, column, problem) -> datetime.date | None:
    if tables.text(value) == "":
        return None
    found = tables.date(value)
    if found is None:
        problem(column, _("“%(v)s” không phải ngày (dd/mm/yyyy)") % {"v": tables.text(value)})
    return found


def _unit_code(code, kind, name, units, problem) -> str:
    """The official code, zero-padded as the GSO lists it, checked against the province."""
    level = UNIT_LEVEL.get(kind)
    if not code.isdigit() or level is None:
        problem("code", _("mã đơn vị hành chính chỉ dùng cho UBND cấp huyện, cấp xã và là số"))
        return code
    padded = pad(int(code), level)
    unit = units.get(padded)
    if unit is None or unit[0] != level:
        problem(
            "code",
            _("mã %(c)s không có trong danh mục %(l)s của tỉnh; gần nhất: %(s)s")
            % {
                "c": code,
                "l": _("cấp huyện") if level == "district" else _("cấp xã"),
                "s": _closest_units(name, units, level),
            },
        )
        return padded
    unit_words = name_key(unit[1]).split(" ", 1)[-1]  # "huyện lập thạch" → "lập thạch"
    if unit_words not in name_key(name):
        problem(
            "code",
            _("mã %(c)s là “%(u)s”, không khớp tên “%(n)s”") % {"c": code, "u": unit[1], "n": name},
        )
    return padded


def _closest_units(name: str, units, level: str) -> str:
    wanted = loose_key(name)
    scored = sorted(
        (
            (-difflib.SequenceMatcher(None, wanted, loose_key(unit_name)).ratio(), code, unit_name)
            for code, (unit_level, unit_name) in units.items()
            if unit_level == level
        )
    )[:3]
    return "; ".join(f"{unit_name} ({code})" for _, code, unit_name in scored) or "—"


@transaction.atomic
def agency_list_apply(*, province: Province, plan: AgencyListPlan) -> AgencyListPlan:
    """Create and update the plan's agencies in one transaction; returns the plan."""
    if not plan.ok:
        raise ValueError("A refused agency list cannot be applied.")
    taken = set(Agency.objects.filter(province=province).values_list("slug", flat=True))
    for row in plan.rows:
        if row.existing is None:
            slug = unique_slug(slugify(row.short_name, max_length=90), taken, suffix=row.code)
            taken.add(slug)
            Agency.objects.create(
                province=province,
                block=row.block,
                kind=row.kind,
                name=row.name,
                short_name=row.short_name[:80],
                slug=slug,
                admin_unit_code=row.code,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                represents=row.represents,
            )
        elif row.changes():
            agency = row.existing
            agency.name, agency.short_name, agency.kind = row.name, row.short_name, row.kind
            agency.block, agency.admin_unit_code = row.block, row.code
            agency.valid_from, agency.valid_to = row.valid_from, row.valid_to
            agency.represents = row.represents
            agency.save()
    return plan
