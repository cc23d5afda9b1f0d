"""Reading a grid of rows as scores: the header, agencies, criteria, values, every problem."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

import scoring
from agencies.models import Agency, AgencyAlias, fold
from agencies.names import NameMatcher
from rankings.frames import criteria_frame, ranking_rules
from rankings.imports.sheets import _blank
from rankings.imports.template_workbook import (
    NAME,
    NOTE,
    SLUG,
    choice_keys,
    cycle_agencies,
    cycle_key,
    cycle_labels,
    entry_columns,
    normalise_header,
    plain_number,
)
from rankings.imports.types import (
    _NUMBER,
    RAW_LIMIT,
    ImportCell,
    ImportProblem,
    ImportRow,
    Progress,
    _engine_records,
    _Phase,
)
from rankings.models import AssessmentCycle, Criterion, RuleKind
from rankings.wording import choice_list


class _RowsSeen:
    """What reading the data rows needs and gathers: the cycle's agencies by slug and a
    matcher of their names, where each input column is, the first row of each slug, and
    the slugs no agency has."""

    def __init__(self, agencies: dict[str, Agency], names: NameMatcher, mapping: dict) -> None:
        self.agencies, self.names, self.mapping = agencies, names, mapping
        self.at = [(key, index) for key, (index, _) in mapping["inputs"].items()]
        self.first_row: dict[str, int] = {}
        self.unknown: list[tuple[int, str]] = []


class _Reader:
    """Checks a grid (row number, cells) against the cycle's criteria and agencies."""

    def __init__(
        self, cycle: AssessmentCycle, grid: list[tuple[int, list]], progress: Progress
    ) -> None:
        self.cycle = cycle
        self.grid = grid
        self.progress = progress
        self.criteria = list(
            Criterion.objects.filter(criteria_set=cycle.criteria_set_id).order_by("order", "code")
        )
        self.columns = entry_columns(self.criteria)
        # Per criterion, in order: its code, whether it is a ratio and the keys of its
        # value, denominator and choice columns (None where it has none); and each choice
        # column's keys with their folded form. Worked out once, not once per row.
        keys: dict[tuple[str, str], str] = {(c.code, c.field): c.key for c in self.columns}
        self.plan = [
            (
                criterion.code,
                criterion.rule == RuleKind.RATIO,
                keys.get((criterion.code, "value")),
                keys.get((criterion.code, "denominator")),
                keys.get((criterion.code, "choice")),
            )
            for criterion in self.criteria
        ]
        self.choices = {
            c.key: [(key, fold(key)) for key in choice_keys(c.params)]
            for c in self.columns
            if c.field == "choice"
        }
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.order: dict[str | None, int] = {}  # column header -> position, to sort problems

    def read(self) -> tuple[list[ImportRow], list[ImportProblem], list[ImportProblem]]:
        header = self._header()
        if header is None:
            return [], self.problems, self.warnings
        header_row, mapping = header
        rows = self._rows(header_row, mapping)
        # Cells already refused reach the engine empty, so each problem is reported once.
        self._engine_check(rows, mapping)
        self.problems.sort(key=lambda p: (p.row or 0, self.order.get(p.column, 0)))
        return rows, self.problems, self.warnings

    # The header row ------------------------------------------------------------------

    def _header(self) -> tuple[int, dict] | None:
        found = None
        for number, cells in self.grid:
            keys = [normalise_header(cell) for cell in cells]
            if SLUG in keys:
                found = (number, cells, keys)
                break
            self._check_cycle_key(number, cells)
        if found is None:
            if not any(not _blank(c) for _, cells in self.grid for c in cells):
                self.problems.append(
                    ImportProblem(_("trang tính trống — không có dòng dữ liệu nào."))
                )
            else:
                self.problems.append(
                    ImportProblem(
                        _(
                            "thiếu cột “%(s)s”: không tìm thấy dòng tiêu đề (dòng có ô "
                            "“%(s)s” và các mã tiêu chí); hãy dùng mẫu tải về — không có "
                            "dòng dữ liệu nào được đọc."
                        )
                        % {"s": SLUG}
                    )
                )
            return None
        number, cells, keys = found
        mapping = self._map_columns(number, cells, keys)
        return (number, mapping) if not self.problems else None

    def _check_cycle_key(self, number: int, cells: list) -> None:
        expected = cycle_key(self.cycle)
        for cell in cells:
            label = next(
                (x for x in cycle_labels() if isinstance(cell, str) and cell.strip().startswith(x)),
                None,
            )
            if label is not None:
                written = cell.strip()[len(label) :].strip()
                if written and written != expected:
                    self.problems.append(
                        ImportProblem(
                            _(
                                "tệp là mẫu của kỳ đánh giá “%(w)s”, không phải kỳ “%(e)s” "
                                "đang nhập; hãy tải mẫu của kỳ này."
                            )
                            % {"w": written, "e": expected},
                            row=number,
                        )
                    )

    def _map_columns(self, number: int, cells: list, keys: list[str]) -> dict:
        """Column index of every input; problems for missing, unknown, repeated columns."""
        exact = {normalise_header(c.key): c for c in self.columns}
        loose = {_loose(c.key): c for c in self.columns}
        mapping: dict = {"slug": keys.index(SLUG), "name": None, "inputs": {}, "blank": []}
        seen: dict[str, int] = {}
        for index, (cell, key) in enumerate(zip(cells, keys, strict=True)):
            shown = str(cell).strip() if cell is not None else ""
            if index == mapping["slug"] or key.startswith(NOTE):
                continue
            if key == "":
                mapping["blank"].append(index)
                continue
            if key == NAME:
                mapping["name"] = index
                continue
            column = exact.get(key) or loose.get(_loose(key))
            if column is None:
                self.problems.append(self._unknown_column(key, number, shown))
                continue
            if column.key in seen:
                self.problems.append(
                    ImportProblem(
                        _("cột “%(k)s” xuất hiện hai lần (cột %(a)s và %(b)s)")
                        % {
                            "k": column.key,
                            "a": get_column_letter(seen[column.key] + 1),
                            "b": get_column_letter(index + 1),
                        },
                        row=number,
                        column=shown,
                    )
                )
                continue
            seen[column.key] = index
            mapping["inputs"][column.key] = (index, column)
        self._missing_columns(number, seen)
        self.order = {c.key: i for i, c in enumerate(self.columns, start=2)}
        self.order.update({SLUG: 0, NAME: 1})
        return mapping

    def _unknown_column(self, key: str, number: int, shown: str) -> ImportProblem:
        """A header that names no input: a ratio's code without its a/b, or nothing known."""
        ratio_codes = {normalise_header(c.code): c.code for c in self.columns if c.field != "value"}
        if key in ratio_codes:
            code = ratio_codes[key]
            message = _(
                "cột không xác định — tiêu chí %(c)s chấm theo tỷ lệ nên cần hai cột "
                "“%(c)s a” (tử số) và “%(c)s b” (mẫu số)"
            ) % {"c": code}
        else:
            message = _(
                "cột không xác định — không phải mã tiêu chí nào của bộ tiêu chí "
                "“%(set)s” (các cột hợp lệ: %(s)s, %(n)s, %(keys)s)"
            ) % {
                "set": self.cycle.criteria_set.name,
                "s": SLUG,
                "n": NAME,
                "keys": ", ".join(c.key for c in self.columns),
            }
        return ImportProblem(message, row=number, column=shown)

    def _missing_columns(self, number: int, seen: dict[str, int]) -> None:
        for column in self.columns:
            if column.key not in seen:
                self.problems.append(
                    ImportProblem(
                        _("thiếu cột “%(k)s” (tiêu chí %(c)s, %(r)s)")
                        % {
                            "k": column.key,
                            "c": column.code,
                            "r": RuleKind(column.rule).label.lower(),
                        },
                        row=number,
                    )
                )

    # The data rows -------------------------------------------------------------------

    def _rows(self, header_row: int, mapping: dict) -> list[ImportRow]:
        agencies = {agency.slug: agency for agency in cycle_agencies(cycle=self.cycle)}
        seen = _RowsSeen(agencies, _name_matcher(self.cycle, agencies.values()), mapping)
        rows: list[ImportRow] = []
        data = [(number, cells) for number, cells in self.grid if number > header_row]
        for number, cells in _Phase(self.progress, "check", len(data)).over(data):
            row = self._row(seen, number, cells)
            if row is not None:
                rows.append(row)
        self._unknown_agencies(seen.unknown)
        if not rows and not seen.first_row and not self.problems:
            self.problems.append(
                ImportProblem(
                    _(
                        "không có dòng dữ liệu nào dưới dòng tiêu đề (dòng %(r)s); hãy điền "
                        "số liệu của ít nhất một đơn vị."
                    )
                    % {"r": header_row}
                )
            )
        elif not rows and not self.problems:
            self.problems.append(
                ImportProblem(
                    _("không có dòng dữ liệu nào có số liệu: các dòng đơn vị đều để trống.")
                )
            )
        return rows

    def _row(self, seen: _RowsSeen, number: int, cells: list) -> ImportRow | None:
        """One data row as scores, or None: a note, blank, refused or without numbers."""
        mapping = seen.mapping
        slug = _text(_at(cells, mapping["slug"]))
        if slug.startswith(NOTE):
            return None
        width = len(cells)
        inputs = {key: cells[index] if index < width else None for key, index in seen.at}
        name = _text(_at(cells, mapping["name"])) if mapping["name"] is not None else ""
        self._blank_header_data(number, cells, mapping["blank"])
        slug = self._row_slug(seen, number, slug, name, inputs)
        agency = self._row_agency(seen, number, slug) if slug else None
        if agency is None:
            return None
        if all(_blank(v) for v in inputs.values()):
            self.warnings.append(
                ImportProblem(
                    _("đơn vị “%(a)s” chưa có số liệu — bỏ qua, điểm hiện có (nếu có) giữ nguyên")
                    % {"a": agency.name},
                    row=number,
                )
            )
            return None
        if not self._name_agrees(seen, number, slug, name, agency):
            return None
        return ImportRow(
            row=number,
            agency_id=agency.pk,
            agency_slug=agency.slug,
            agency_name=agency.name,
            name_in_file=name,
            cells=self._cells(number, inputs),
        )

    def _row_slug(self, seen: _RowsSeen, number: int, slug: str, name: str, inputs: dict) -> str:
        """The row's agency slug: as written, else found by the name as printed ("" if none)."""
        if not slug and name:  # a row as printed: its agency is found by name
            found = seen.names.match(name)
            if not found.ok:
                self.problems.append(ImportProblem(found.problem(), row=number, column=NAME))
                return ""
            slug = next(a.slug for a in seen.agencies.values() if a.pk == found.agency_id)
        if not slug and (name or any(not _blank(v) for v in inputs.values())):
            self.problems.append(
                ImportProblem(
                    _("thiếu mã đơn vị: mỗi dòng có số liệu phải ghi %(s)s như trong mẫu")
                    % {"s": SLUG},
                    row=number,
                    column=SLUG,
                )
            )
        return slug

    def _row_agency(self, seen: _RowsSeen, number: int, slug: str) -> Agency | None:
        """The agency of a slug met for the first time; a repeat is a problem, an unknown
        slug is kept for `_unknown_agencies`."""
        key = slug.lower()
        if key in seen.first_row:
            self.problems.append(
                ImportProblem(
                    _("trùng dòng: đơn vị “%(s)s” đã có ở dòng %(r)s")
                    % {"s": slug, "r": seen.first_row[key]},
                    row=number,
                    column=SLUG,
                    value=slug,
                )
            )
            return None
        seen.first_row[key] = number
        agency = seen.agencies.get(key)
        if agency is None:
            seen.unknown.append((number, slug))
        return agency

    def _name_agrees(self, seen: _RowsSeen, number: int, slug: str, name: str, agency) -> bool:
        """False when the row's name is another agency's (the rows have slipped); a name
        that matches no agency is only a warning."""
        named = seen.names.match(name) if name else None
        if named is not None and named.ok and named.agency_id != agency.pk:
            self.problems.append(
                ImportProblem(
                    _(
                        "mã “%(s)s” là “%(a)s” nhưng tên “%(n)s” là đơn vị khác — "
                        "các dòng có bị lệch không?"
                    )
                    % {"s": slug, "a": agency.name, "n": name},
                    row=number,
                    column=NAME,
                )
            )
            return False
        if named is not None and not named.ok:
            self.warnings.append(
                ImportProblem(
                    _(
                        "tên “%(n)s” khác tên trong hệ thống “%(a)s” — kiểm tra các "
                        "dòng có bị lệch không"
                    )
                    % {"n": name, "a": agency.name},
                    row=number,
                    column=NAME,
                )
            )
        return True

    def _blank_header_data(self, number: int, cells: list, blank: list[int]) -> None:
        for index in list(blank):
            value = _at(cells, index)
            if not _blank(value):
                letter = get_column_letter(index + 1)
                self.problems.append(
                    ImportProblem(
                        _(
                            "ô có dữ liệu nhưng cột %(c)s không có tiêu đề (mã tiêu chí); hãy "
                            "xoá hoặc ghi tiêu đề bắt đầu bằng # nếu chỉ là ghi chú"
                        )
                        % {"c": letter},
                        row=number,
                        column=letter,
                        value=_shown(value),
                    )
                )
                blank.remove(index)  # one problem per column is enough

    def _cells(self, number: int, inputs: dict) -> tuple[ImportCell, ...]:
        parsed: dict[str | None, Any] = {}  # by column: a Decimal, a choice, None or _INVALID
        empty = []
        choices = self.choices
        for key, raw in inputs.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):  # _blank, inlined
                empty.append(key)
                parsed[key] = None
                continue
            try:
                if key in choices:
                    parsed[key] = _choice(raw, choices[key])
                else:
                    parsed[key] = _decimal(raw)
            except ValueError as error:
                parsed[key] = _INVALID
                self.problems.append(
                    ImportProblem(str(error), row=number, column=key, value=_shown(raw))
                )
        cells = []
        for code, ratio, value_key, denominator_key, choice_key in self.plan:
            value = parsed.get(value_key)  # parsed has no None key: None for no column
            denominator = parsed.get(denominator_key)
            choice = parsed.get(choice_key)
            if value is _INVALID or denominator is _INVALID or choice is _INVALID:
                cells.append(ImportCell(code))
                continue
            if ratio and not self._ratio_pair(number, code, value, denominator, inputs):
                cells.append(ImportCell(code))
                continue
            cells.append(ImportCell(code, value=value, denominator=denominator, choice=choice))
        if empty:
            self.warnings.append(
                ImportProblem(
                    _("để trống %(n)s ô (%(l)s): tính 0 điểm")
                    % {"n": len(empty), "l": ", ".join(empty)},
                    row=number,
                )
            )
        return tuple(cells)

    def _ratio_pair(self, number: int, code: str, a: object, b: object, inputs: dict) -> bool:
        """Whether a and b are both given or both empty (the engine checks the rest)."""
        if a is None and b is not None:
            self.problems.append(
                ImportProblem(
                    _("thiếu tử số a (mẫu số “%(c)s b” là “%(b)s”)")
                    % {"c": code, "b": _shown(inputs[f"{code} b"])},
                    row=number,
                    column=f"{code} a",
                )
            )
            return False
        elif a is not None and b is None:
            self.problems.append(
                ImportProblem(
                    _("thiếu mẫu số b — mẫu số phải lớn hơn 0"), row=number, column=f"{code} b"
                )
            )
            return False
        return True

    def _unknown_agencies(self, unknown: list[tuple[int, str]]) -> None:
        if not unknown:
            return
        slugs = {slug.lower() for _, slug in unknown}
        elsewhere = {
            agency.slug: agency
            for agency in Agency.objects.filter(
                province=self.cycle.province_id, slug__in=slugs
            ).select_related("block")
        }
        cycle = self.cycle
        scope = _("khối “%(b)s” của %(p)s năm %(y)s") % {
            "b": cycle.block.name,
            "p": cycle.province.name,
            "y": cycle.year,
        }
        for number, slug in unknown:
            other = elsewhere.get(slug.lower())
            if other is None:
                message = _("không có đơn vị nào mã “%(s)s” trong %(w)s") % {"s": slug, "w": scope}
            elif other.block_id != self.cycle.block_id:
                message = _("đơn vị “%(a)s” thuộc “%(b)s”, không thuộc %(w)s") % {
                    "a": other.name,
                    "b": other.block.name,
                    "w": scope,
                }
            else:
                message = _("đơn vị “%(a)s” không hoạt động trong năm %(y)s") % {
                    "a": other.name,
                    "y": self.cycle.year,
                }
            self.problems.append(ImportProblem(message, row=number, column=SLUG, value=slug))

    # The engine's rule checks --------------------------------------------------------

    def _engine_check(self, rows: list[ImportRow], mapping: dict) -> None:
        if not rows:
            return
        records = _engine_records(rows, self.cycle.block_id)
        self.progress("compute", 0, 1)
        try:
            _compute(self.cycle, records)
        except scoring.ScoringInputError as error:
            by_agency = {row.agency_id: row.row for row in rows}
            raw = {}
            for number, cells in self.grid:
                if number in by_agency.values():
                    for key, (index, _) in mapping["inputs"].items():
                        raw[(number, key)] = _at(cells, index)
            for problem in error.problems:
                self.problems.append(self._translated(problem, by_agency, raw))
        self.progress("compute", 1, 1)

    def _translated(self, problem: scoring.Problem, by_agency: dict, raw: dict) -> ImportProblem:
        row = by_agency.get(problem.agency)
        column = next(
            (c for c in self.columns if c.code == problem.criterion and c.field == problem.field),
            None,
        ) or next((c for c in self.columns if c.code == problem.criterion), None)
        if row is None or column is None:
            return ImportProblem(_("bộ tiêu chí hoặc số liệu chưa hợp lệ: %(p)s") % {"p": problem})
        shown = _shown(raw.get((row, column.key)))
        # By the engine's problem code, never by matching its English sentence.
        code = problem.code
        if code == "negative":
            text = _("không được âm")
        elif code == "above_maximum":
            text = _("vượt quá điểm tối đa %(m)s của tiêu chí %(c)s") % {
                "m": plain_number(column.max_points),
                "c": column.code,
            }
        elif code == "denominator_not_positive":
            text = _("mẫu số phải lớn hơn 0")
        elif code == "above_denominator":
            b = _shown(raw.get((row, f"{column.code} b")))
            text = _("tử số a không được lớn hơn mẫu số b (“%(c)s b” là “%(b)s”)") % {
                "c": column.code,
                "b": b,
            }
        elif code == "unknown_choice":
            offered = choice_list(column.params, choice_keys(column.params))
            text = _("phải là một trong các lựa chọn: %(o)s") % {"o": offered}
        else:
            text = _("không hợp lệ theo quy tắc chấm điểm (%(m)s)") % {"m": problem.message}
        return ImportProblem(text, row=row, column=column.key, value=shown)


_INVALID = object()


def _at(cells: list, index: int | None) -> object:
    return cells[index] if index is not None and index < len(cells) else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def _shown(value: object) -> str:
    """A cell as the user typed it (Excel's 15 significant digits for numbers)."""
    if isinstance(value, float):
        return f"{value:.15g}"
    return _text(value)


_THOUSANDTH = Decimal("0.001")


def _decimal(value: object) -> Decimal:
    """A number cell: Excel numbers, or text with a decimal comma or a decimal point."""
    if type(value) is int:  # most cells: whole numbers pass every check below but one
        if abs(value) >= RAW_LIMIT:
            raise ValueError(_("số quá lớn"))
        return Decimal(value).quantize(_THOUSANDTH)
    if isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError(_("phải là số (ô đang là ngày tháng hoặc đúng/sai)"))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("phải là số"))
        number = Decimal(f"{value:.15g}")  # what Excel shows, not the binary float
    elif isinstance(value, Decimal):
        number = value
    else:
        text = _text(value).replace("\u2212", "-")
        if text.endswith("%"):
            raise ValueError(_("nhập số, không kèm dấu % (ví dụ 98 hoặc 98,5)"))
        if "," in text and "." in text:
            raise ValueError(
                _(
                    "chỉ dùng một dấu thập phân (phẩy hoặc chấm), "
                    "không dùng dấu phân cách hàng nghìn"
                )
            )
        if not _NUMBER.match(text):
            raise ValueError(_("phải là số (ví dụ 12,5 hoặc 12.5)"))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("phải là số (ví dụ 12,5 hoặc 12.5)")) from None
    if not number.is_finite():
        raise ValueError(_("phải là số"))
    scaled = number.scaleb(3)
    if scaled != scaled.to_integral_value():
        raise ValueError(_("tối đa 3 chữ số thập phân"))
    if abs(number) >= RAW_LIMIT:
        raise ValueError(_("số quá lớn"))
    return number.quantize(_THOUSANDTH)


def _choice(value: object, keys: list[tuple[str, str]]) -> str:
    """The choice key a cell names, ignoring case and diacritics; `keys`: (key, folded)."""
    text = _text(value)
    folded = fold(text)
    for key, folded_key in keys:
        if folded_key == folded:
            return key
    return text  # the engine reports the unknown key with the keys it expects


def _loose(key: str) -> str:
    """A header without spaces or brackets: "1.2 (a)", "1.2a" and "1.2 a" are one column."""
    return re.sub(r"[\s()\[\]]", "", key.lower())


def _compute(cycle: AssessmentCycle, records: list[dict]) -> scoring.Scorecard:
    criteria_set = cycle.criteria_set
    return scoring.compute(
        criteria_frame(criteria_set=criteria_set),
        scoring.inputs_from_records(records),
        ranking_rules(criteria_set=criteria_set),
    )


def _name_matcher(cycle: AssessmentCycle, agencies) -> NameMatcher:
    """The cycle's agencies by name, short name and the aliases staff have confirmed."""
    aliases = AgencyAlias.objects.filter(province=cycle.province_id).values_list(
        "agency_id", "name"
    )
    return NameMatcher.of(agencies, aliases)
