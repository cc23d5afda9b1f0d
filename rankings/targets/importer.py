"""Reading a plan's table of targets (.xlsx or .csv) through the import's safety checks.

The file goes through the same checks as a score import (`rankings.imports`): its real
format, size, zip and XML bombs, formulas refused, rows and columns limited. Then every
row becomes a `Target`, validated as the form validates it; any problem, named by row and
column, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agencies.models import Agency, Block
from rankings.imports.sheets import _csv_grid, _formula_problems, _xlsx_grid
from rankings.imports.template_workbook import SLUG, normalise_header
from rankings.imports.types import ImportProblem, _no_progress, _Refusal
from rankings.imports.upload_safety import _file_format
from rankings.models import Criterion
from rankings.setup.tables import decimal, text
from rankings.targets import access
from rankings.targets.models import ENTERED_FIELDS, Comparison, Measure, Target

REQUIRED = (SLUG, "indicator", "measure", "year", "value")
FIELD_COLUMNS = {"agency": SLUG}  # a model field's column, where the names differ
COLUMNS = tuple(FIELD_COLUMNS.get(name, name) for name in ENTERED_FIELDS)
COMPARISONS = {
    "at_least": Comparison.AT_LEAST,
    ">=": Comparison.AT_LEAST,
    "≥": Comparison.AT_LEAST,
    "tối thiểu": Comparison.AT_LEAST,
    "ít nhất": Comparison.AT_LEAST,
    "at_most": Comparison.AT_MOST,
    "<=": Comparison.AT_MOST,
    "≤": Comparison.AT_MOST,
    "tối đa": Comparison.AT_MOST,
    "không quá": Comparison.AT_MOST,
}


@dataclass
class TargetFile:
    """What a file holds: the targets to store, or the problems that stop it."""

    targets: list[Target] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def targets_read(*, upload: bytes, filename: str, province, user) -> TargetFile:
    try:
        if _file_format(upload, filename) == "xlsx":
            grid = _xlsx_grid(upload, filename, _no_progress)
        else:
            grid, _encoding = _csv_grid(upload, filename, _no_progress)
    except _Refusal as refusal:
        return TargetFile(problems=[refusal.problem])
    if formulas := _formula_problems(grid):
        return TargetFile(problems=list(formulas))
    return _Reader(province, user).read(grid)


class _Reader:
    def __init__(self, province, user) -> None:
        self.province, self.user = province, user
        self.agencies = {a.slug: a for a in Agency.objects.filter(province=province)}
        self.blocks = {b.slug: b for b in Block.objects.all()}
        self.codes = set(
            Criterion.objects.filter(criteria_set__province=province)
            .values_list("criteria_set__block_id", "code")
            .distinct()
        )
        self.stored = {_key(t): t.pk for t in Target.objects.filter(province=province)}
        self.whole_province = access.edits_province(user, province=province)
        self.problems: list[ImportProblem] = []

    def read(self, grid: list[tuple[int, list]]) -> TargetFile:
        header = next((i for i, (_n, cells) in enumerate(grid) if _has_slug(cells)), None)
        if header is None:
            return TargetFile(
                problems=[ImportProblem(_("không có dòng tiêu đề (ô “%(s)s”).") % {"s": SLUG})]
            )
        number, cells = grid[header]
        columns = self._columns(number, cells)
        if self.problems:
            return TargetFile(problems=self.problems)
        targets: list[Target] = []
        seen: dict[tuple, int] = {}
        for number, cells in grid[header + 1 :]:
            target = self._row(number, {name: _at(cells, i) for name, i in columns.items()})
            if target is None:
                continue
            key = _key(target)
            if key in seen:
                self.problems.append(
                    ImportProblem(
                        _("trùng chỉ tiêu, đơn vị và năm với dòng %(n)s.") % {"n": seen[key]},
                        number,
                        "indicator",
                        target.indicator,
                    )
                )
                continue
            seen[key] = number
            target.pk = self.stored.get(key)
            targets.append(target)
        if not targets and not self.problems:
            self.problems.append(
                ImportProblem(_("tệp không có dòng chỉ tiêu nào dưới dòng tiêu đề."))
            )
        return TargetFile([] if self.problems else targets, self.problems)

    def _columns(self, number: int, cells: list) -> dict[str, int]:
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = normalise_header(cell)
            if not name or name.startswith("#"):
                continue
            if name not in COLUMNS:
                self.problems.append(
                    ImportProblem(
                        _("cột không có trong mẫu; các cột: %(c)s.") % {"c": ", ".join(COLUMNS)},
                        number,
                        text(cell),
                    )
                )
            elif name in columns:
                self.problems.append(ImportProblem(_("cột lặp lại."), number, name))
            columns[name] = index
        for name in REQUIRED:
            if name not in columns:
                self.problems.append(
                    ImportProblem(_("thiếu cột bắt buộc “%(c)s”.") % {"c": name}, number)
                )
        return columns

    def _row(self, number: int, cells: dict[str, object]) -> Target | None:
        if all(text(v) == "" for v in cells.values()):
            return None
        before = len(self.problems)
        target = Target(
            province=self.province,
            agency=self._agency(number, text(cells.get(SLUG))),
            block=self._block(number, text(cells.get("block"))),
            indicator=text(cells.get("indicator"))[:300],
            measure=self._measure(number, text(cells.get("measure"))),
            criterion_code=text(cells.get("criterion_code"))[:20],
            year=self._year(number, "year", cells.get("year")),
            comparison=self._comparison(number, text(cells.get("comparison"))),
            value=self._number(number, "value", cells.get("value")),
            unit=text(cells.get("unit"))[:20],
            baseline_year=self._year(number, "baseline_year", cells.get("baseline_year")),
            baseline_value=self._number(number, "baseline_value", cells.get("baseline_value")),
            note=text(cells.get("note"))[:500],
        )
        if len(self.problems) > before:
            return None
        target.known_codes = self.codes  # type: ignore[attr-defined]
        try:
            target.full_clean(  # the related rows are this reader's own: no query per row
                exclude=["province", "agency", "block"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._explain(number, error)
            return None
        return target

    def _explain(self, number: int, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            column = FIELD_COLUMNS.get(name, name) if name in {*COLUMNS, "agency"} else None
            for message in messages:
                self.problems.append(ImportProblem(message, number, column))

    def _agency(self, number: int, slug: str) -> Agency | None:
        if not slug:
            if not self.whole_province:
                self._problem(
                    number,
                    SLUG,
                    _(
                        "chỉ cán bộ Sở TT&TT ghi chỉ tiêu chung của tỉnh; hãy ghi slug đơn "
                        "vị của bạn."
                    ),
                )
            return None
        agency = self.agencies.get(slug)
        if agency is None:
            self._problem(
                number, SLUG, _("không có đơn vị nào của tỉnh có slug “%(s)s”.") % {"s": slug[:100]}
            )
        elif not access.can_edit_target(self.user, province=self.province, agency=agency):
            self._problem(
                number, SLUG, _("bạn không có quyền ghi chỉ tiêu của đơn vị “%(s)s”.") % {"s": slug}
            )
        return agency

    def _block(self, number: int, slug: str) -> Block | None:
        if not slug:
            return None
        block = self.blocks.get(slug)
        if block is None:
            self._problem(
                number, "block", _("không có khối “%(s)s” (ví dụ: districts).") % {"s": slug[:40]}
            )
        return block

    def _measure(self, number: int, value: str) -> str:
        wanted = normalise_header(value)
        for choice, label in Measure.choices:
            if wanted in (choice, normalise_header(label)):
                return choice
        self._problem(
            number, "measure", _("hãy ghi một trong: %(c)s.") % {"c": ", ".join(Measure.values)}
        )
        return ""

    def _comparison(self, number: int, value: str) -> str:
        if not value:
            return Comparison.AT_LEAST
        found = COMPARISONS.get(normalise_header(value))
        if found is None:
            self._problem(
                number, "comparison", _("hãy ghi at_least (≥, tối thiểu) hoặc at_most (≤, tối đa).")
            )
        return found or ""

    def _year(self, number: int, column: str, value: object):
        if text(value) == "":
            if column == "year":
                self._problem(number, column, _("bắt buộc."))
            return None
        found = decimal(value)
        if found is None or found != found.to_integral_value() or not 1900 <= found <= 2100:
            self._problem(number, column, _("năm phải là số nguyên, ví dụ 2025."), value)
            return None
        return int(found)

    def _number(self, number: int, column: str, value: object):
        if text(value) == "":
            if column == "value":
                self._problem(number, column, _("bắt buộc."))
            return None
        found = decimal(value)
        if found is None or abs(found) >= 10**12:
            self._problem(number, column, _("không phải số (ví dụ 80 hoặc 80,5)."), value)
            return None
        return found.quantize(found.__class__("0.001"))

    def _problem(self, number: int, column: str, message: str, value: object = None) -> None:
        shown = text(value)[:80] if value is not None else None
        self.problems.append(ImportProblem(message, number, column, shown))


def _key(target: Target) -> tuple:
    return (target.agency_id, target.block_id, target.indicator, target.year)


def _has_slug(cells: list) -> bool:
    return any(normalise_header(cell) == SLUG for cell in cells)


def _at(cells: list, index: int) -> object:
    value = cells[index] if index < len(cells) else None
    return value.strip() if isinstance(value, str) else value
