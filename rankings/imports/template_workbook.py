"""The bulk-entry template (mẫu nhập liệu): an .xlsx generated from a cycle's criteria set.

The layout is a contract shared with `rankings.imports`: a header row of stable machine
keys (`agency_slug`, `agency_name`, then one column per criterion, or `<code> a` and
`<code> b` for a ratio), found wherever it is; rows and columns whose first cell starts
with `#` are notes the import skips; rows above the header are free text, except the
cycle key that lets the import refuse a template of another cycle.

The template is written in the language of whoever downloads it (headings, sheet names,
help); the machine keys are the same in every language, and the two texts the import reads
back (the entry sheet's name, the cycle key's label) are recognised in every language
(`entry_sheets`, `cycle_labels`), so an English template filled in imports as well.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from agencies.models import Agency
from rankings.language.every import in_every_language
from rankings.models import AssessmentCycle, Criterion, RuleKind
from rankings.public.exports import FORMULA_TRIGGERS
from rankings.public.selectors.methodology import criteria_tree

# Sheet names in ASCII (some tools still mangle others); translated when written.
ENTRY_SHEET = gettext_noop("Nhap lieu")
CRITERIA_SHEET = gettext_noop("Tieu chi")
SLUG = "agency_slug"
NAME = "agency_name"
NOTE = "#"
CYCLE_LABEL = gettext_noop("Mã kỳ đánh giá:")
MAXIMA_LABEL = gettext_noop("# Điểm tối đa, cách chấm")
NAMES_LABEL = gettext_noop("# Tên tiêu chí")


def entry_sheets() -> tuple[str, ...]:
    """The entry sheet's name in every language: the sheet an import reads."""
    return in_every_language(ENTRY_SHEET)


def cycle_labels() -> tuple[str, ...]:
    """The cycle key's label in every language: the cell an import checks the cycle by."""
    return in_every_language(CYCLE_LABEL)


RULE_HELP = {
    RuleKind.DIRECT: gettext_lazy("Chấm điểm trực tiếp: nhập số điểm, từ 0 đến điểm tối đa."),
    RuleKind.RATIO: gettext_lazy(
        "Tỷ lệ a/b × điểm tối đa: nhập hai cột “<mã> a” (tử số) và “<mã> b” (mẫu số, lớn "
        "hơn 0), a không lớn hơn b; ví dụ 102 hồ sơ trực tuyến trên 336: “2.3.2 a” = 102, "
        "“2.3.2 b” = 336."
    ),
    RuleKind.STEPS: gettext_lazy(
        "Bảng bậc: nhập giá trị đếm được (ví dụ số cuộc họp trong năm); điểm là của bậc cao "
        "nhất đạt được."
    ),
    RuleKind.CHOICE: gettext_lazy(
        "Lựa chọn: nhập (hoặc chọn trong danh sách) một trong các mã được liệt kê."
    ),
    RuleKind.CAPPED: gettext_lazy(
        "Cộng dồn có giới hạn: nhập số lượng; điểm = số lượng × điểm mỗi đơn vị, không vượt "
        "mức trần."
    ),
    RuleKind.RELATIVE: gettext_lazy(
        "So với đơn vị cao nhất: nhập giá trị gốc; điểm = giá trị ÷ giá trị cao nhất của khối "
        "× điểm tối đa."
    ),
}

GENERAL_HELP = (
    gettext_lazy(
        "Mỗi dòng là một đơn vị. Không sửa cột agency_slug và dòng tiêu đề (dòng có ô "
        "“agency_slug”); cột agency_name chỉ để đối chiếu."
    ),
    gettext_lazy(
        "Số thập phân dùng dấu phẩy (12,5) hoặc dấu chấm (12.5), tối đa 3 chữ số thập phân; "
        "không dùng dấu phân cách hàng nghìn, không ghi đơn vị hay dấu %."
    ),
    gettext_lazy("Ô để trống được tính 0 điểm. Dòng hoặc cột bắt đầu bằng # được bỏ qua."),
    gettext_lazy(
        "Có thể lưu thành CSV (UTF-8, UTF-16 hoặc Windows-1258, phân cách bằng dấu phẩy, chấm "
        "phẩy hoặc tab)."
    ),
)

_TITLE = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_MUTED = Font(italic=True, color="555555")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class EntryColumn:
    """One criterion column of the entry sheet: its header key and which input it holds."""

    key: str
    code: str
    field: str  # "value", "denominator" or "choice"
    rule: str
    max_points: Decimal
    params: dict


def entry_columns(criteria) -> list[EntryColumn]:
    """The criterion columns, in criteria order, for criterion-like rows (code, rule, ...)."""
    columns = []
    for criterion in criteria:
        common = {
            "code": criterion.code,
            "rule": criterion.rule,
            "max_points": criterion.max_points,
            "params": criterion.params if isinstance(criterion.params, dict) else {},
        }
        if criterion.rule == RuleKind.RATIO:
            columns.append(EntryColumn(key=f"{criterion.code} a", field="value", **common))
            columns.append(EntryColumn(key=f"{criterion.code} b", field="denominator", **common))
        elif criterion.rule == RuleKind.CHOICE:
            columns.append(EntryColumn(key=criterion.code, field="choice", **common))
        else:
            columns.append(EntryColumn(key=criterion.code, field="value", **common))
    return columns


def cycle_key(cycle: AssessmentCycle) -> str:
    """A cycle's identity as written in its template: province/block/year."""
    return f"{cycle.province.slug}/{cycle.block.slug}/{cycle.year}"


def cycle_agencies(*, cycle: AssessmentCycle):
    """Agencies of the cycle's province and block that existed at some point in its year."""
    return (
        Agency.objects.filter(
            province=cycle.province_id, block=cycle.block_id, valid_from__year__lte=cycle.year
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__year__gte=cycle.year))
        .order_by("search_name", "slug")
    )


def plain_number(value: Decimal | int | str) -> str:
    """A decimal without trailing zeros, Vietnamese style: 12.500 -> "12,5"."""
    number = Decimal(value)
    text = f"{number.normalize():f}" if number != number.to_integral() else f"{number:.0f}"
    return text.replace(".", ",")


def choice_keys(params: dict) -> list[str]:
    choices = params.get("choices")
    return [str(key) for key in choices] if isinstance(choices, dict) else []


def rule_summary(rule: str, params: dict, max_points: Decimal) -> str:
    """A one-line description of how a criterion is scored, in the active language."""
    if rule == RuleKind.RATIO:
        return _("tỷ lệ a/b × điểm tối đa")
    if rule == RuleKind.STEPS:
        steps = params.get("steps") or []
        shown = "; ".join(
            f"≥{plain_number(t)} → {plain_number(p)}"
            for t, p in sorted(steps, key=lambda pair: Decimal(str(pair[0])))
        )
        return _("bảng bậc: %(s)s") % {"s": shown}
    if rule == RuleKind.CHOICE:
        choices = params.get("choices") or {}
        shown = "; ".join(
            _("%(k)s = %(p)s đ")
            % {"k": key, "p": plain_number(Decimal(str(fraction)) * max_points)}
            for key, fraction in choices.items()
        )
        return _("lựa chọn: %(s)s") % {"s": shown}
    if rule == RuleKind.CAPPED:
        cap = params.get("cap", max_points)
        per_unit = params.get("per_unit", "?")
        return _("%(u)s đ mỗi đơn vị, tối đa %(c)s đ") % {
            "u": plain_number(str(per_unit)),
            "c": plain_number(str(cap)),
        }
    if rule == RuleKind.RELATIVE:
        return _("so với đơn vị cao nhất")
    return _("chấm điểm trực tiếp")


def cycle_template_xlsx(*, cycle: AssessmentCycle) -> bytes:
    """The .xlsx entry template of `cycle`: sheet "Nhap lieu" to fill, sheet "Tieu chi"
    ("Entry" and "Criteria" in English: the language active when it is written)."""
    criteria_set = cycle.criteria_set
    criteria = list(Criterion.objects.filter(criteria_set=criteria_set).order_by("order", "code"))
    columns = entry_columns(criteria)
    agencies = list(cycle_agencies(cycle=cycle))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _(ENTRY_SHEET)
    _entry_help(sheet, cycle, criteria)
    rows = _entry_table(sheet, columns, criteria, agencies)
    _entry_styles(sheet, columns, rows)
    _criteria_sheet(workbook.create_sheet(_(CRITERIA_SHEET)), criteria_set)
    _keep_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _EntryRows:
    """Where the entry sheet's header rows and its agencies' rows are."""

    names: int
    header: int
    maxima: int
    first_data: int
    last_data: int


def _entry_help(sheet, cycle: AssessmentCycle, criteria: list[Criterion]) -> None:
    """The sheet's title, the cycle it belongs to, and how each rule is entered."""
    criteria_set = cycle.criteria_set
    sheet.append(
        [
            _("Mẫu nhập điểm: %(s)s · %(p)s · năm %(y)s")
            % {"s": criteria_set.name, "p": cycle.province.name, "y": cycle.year}
        ]
    )
    sheet["A1"].font = _TITLE
    decision = (
        _(" (QĐ %(n)s)") % {"n": criteria_set.decision_number}
        if criteria_set.decision_number
        else ""
    )
    sheet.append(
        [
            f"{_(CYCLE_LABEL)} {cycle_key(cycle)}",
            _("%(b)s · bộ tiêu chí %(s)s%(d)s · điểm tối đa %(m)s")
            % {
                "b": cycle.block.name,
                "s": criteria_set.slug,
                "d": decision,
                "m": plain_number(criteria_set.max_points),
            },
        ]
    )
    sheet["A2"].font = _MUTED
    sheet.append([_("# Hướng dẫn")])
    sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    for line in GENERAL_HELP:
        sheet.append([f"# {line}"])
    for kind in RuleKind:
        codes = [c.code for c in criteria if c.rule == kind]
        used = (
            _(" Tiêu chí: %(c)s.") % {"c": ", ".join(codes)}
            if codes
            else _(" (Bộ tiêu chí này không có.)")
        )
        sheet.append([f"# {RULE_HELP[kind]}{used}"])
    sheet.append([])


def _entry_table(sheet, columns: list[EntryColumn], criteria, agencies) -> _EntryRows:
    """The column names, keys and maxima, then a row per agency to fill."""
    sheet.append([_(NAMES_LABEL), ""] + [_column_name(column, criteria) for column in columns])
    names_row = sheet.max_row
    sheet.append([SLUG, NAME] + [column.key for column in columns])
    header_row = sheet.max_row
    sheet.append(
        [_(MAXIMA_LABEL), ""]
        + [
            _("%(m)s đ · %(r)s")
            % {
                "m": plain_number(column.max_points),
                "r": rule_summary(column.rule, column.params, column.max_points),
            }
            for column in columns
        ]
    )
    maxima_row = sheet.max_row
    for agency in agencies:
        sheet.append([agency.slug, agency.name])
    first_data = maxima_row + 1
    return _EntryRows(names_row, header_row, maxima_row, first_data, max(sheet.max_row, first_data))


def _entry_styles(sheet, columns: list[EntryColumn], rows: _EntryRows) -> None:
    """Header fonts and fills, slugs kept as text, frozen panes, widths, Excel's checks."""
    for col in range(1, 2 + len(columns) + 1):
        sheet.cell(row=rows.header, column=col).font = _BOLD
        sheet.cell(row=rows.header, column=col).fill = _HEADER_FILL
        for row in (rows.names, rows.maxima):
            cell = sheet.cell(row=row, column=col)
            cell.font = _MUTED
            cell.fill = _NOTE_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in range(rows.first_data, rows.last_data + 1):
        sheet.cell(row=row, column=1).number_format = "@"
    sheet.freeze_panes = sheet.cell(row=rows.first_data, column=3)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 40
    for index, column in enumerate(columns, start=3):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 24 if column.field == "choice" else 14
        validation = _validation(column)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}{rows.first_data}:{letter}{rows.last_data + 200}")
    sheet.row_dimensions[rows.maxima].height = 45


def _keep_text(workbook: Workbook) -> None:
    """Text a spreadsheet would take for a formula (an agency named "=..." or "+1") stays text.

    openpyxl writes a string starting with "=" as a formula; such a cell is written as a
    string with Excel's own quote prefix instead (what typing '=... in Excel stores). The
    value is left as it is, not prefixed as the CSV export does, because the template comes
    back: the import compares the names in it with the agencies' names.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _column_name(column: EntryColumn, criteria) -> str:
    name = next(c.name for c in criteria if c.code == column.code)
    if column.rule == RuleKind.RATIO:
        part = _("tử số a") if column.field == "value" else _("mẫu số b")
        return f"{name} ({part})"
    return name


def _validation(column: EntryColumn) -> DataValidation | None:
    """Excel's own check of the cell, so most mistakes are caught while typing."""
    if column.field == "choice":
        keys = choice_keys(column.params)
        listed = ",".join(keys)
        # An inline list is limited to 255 characters and cannot hold commas or quotes.
        if not keys or len(listed) > 250 or re.search(r'[,"]', "".join(keys)):
            return None
        validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        validation.error = _("Chọn một trong: %(k)s") % {"k": ", ".join(keys)}
    elif column.rule == RuleKind.DIRECT:
        maximum = f"{column.max_points.normalize():f}"
        validation = DataValidation(
            type="decimal", operator="between", formula1="0", formula2=maximum, allow_blank=True
        )
        validation.error = _("Nhập số điểm từ 0 đến %(m)s.") % {
            "m": plain_number(column.max_points)
        }
    else:
        validation = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        validation.error = _("Nhập một số không âm.")
    validation.errorTitle = _("Cột %(k)s") % {"k": column.key}
    validation.showErrorMessage = True
    return validation


def _criteria_sheet(sheet, criteria_set) -> None:
    tree = criteria_tree(criteria_set=criteria_set)
    sheet.append([_("Mã"), _("Tên"), _("Điểm tối đa"), _("Cách chấm"), _("Tham số"), _("Cột nhập")])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL

    def walk(node, depth: int) -> None:
        group, maximum, subgroups, criteria = node
        sheet.append([group.code, "  " * depth + group.name, maximum])
        for cell in sheet[sheet.max_row]:
            cell.font = _BOLD
        for sub in subgroups:
            walk(sub, depth + 1)
        for criterion in criteria:
            keys = ", ".join(column.key for column in entry_columns([criterion]))
            sheet.append(
                [
                    criterion.code,
                    "  " * (depth + 1) + criterion.name,
                    criterion.max_points,
                    f"{RuleKind(criterion.rule).label}: "
                    f"{rule_summary(criterion.rule, criterion.params, criterion.max_points)}",
                    _params_text(criterion.params),
                    keys,
                ]
            )

    for node in tree.groups:
        walk(node, 0)
    sheet.append(["", _("Tổng"), criteria_set.max_points])
    sheet.cell(row=sheet.max_row, column=2).font = _BOLD
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "0.###"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (10, 60, 12, 50, 40, 18), strict=True):
        sheet.column_dimensions[letter].width = width


def _params_text(params) -> str:
    return json.dumps(params, ensure_ascii=False) if params else ""


def normalise_header(text: object) -> str:
    """A header cell as compared: NFC, single spaces, lower case."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    shown = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ")
    return " ".join(shown.split()).lower()
