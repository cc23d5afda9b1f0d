"""Reading and validating a national CSV in vectorised passes."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, Block, Province, fold
from rankings.cycles.year_recompute import _CriteriaSet
from rankings.imports.national_csv_rules import (
    RULE_CODES,
    _kinds_refused,
    _ranges_refused,
    _ratio_halves_refused,
)
from rankings.imports.national_csv_types import (
    _NUMBER,
    ALIASES,
    COLUMNS,
    NA_MILLI,
    RAW_LIMIT,
    READ_LINES,
    REQUIRED,
    _Lines,
    _nullable,
    _Problems,
)
from rankings.imports.types import ImportProblem, ImportRefused
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Publication,
)


class _CsvReader:
    """Reads the file in chunks of lines and turns each into ids and milli-points, with
    vectorised checks: slugs and codes are resolved once per distinct value."""

    def __init__(self, *, year: int, header: list[str], problems: _Problems) -> None:
        self.year = year
        self.problems = problems
        self.lines = 0
        self.empty = 0
        self.shown = {name: name for name in COLUMNS}  # canonical name -> header as typed
        self.names = self._columns(header)
        self.provinces = dict(Province.objects.values_list("slug", "pk").iterator())
        self.blocks = dict(Block.objects.values_list("slug", "pk"))
        self.block_slugs = {pk: slug for slug, pk in self.blocks.items()}
        self.cycles = {
            cycle.pk: cycle
            for cycle in AssessmentCycle.objects.filter(year=year).select_related(
                "province", "block", "criteria_set"
            )
        }
        self.cycle_of = {(c.province_id, c.block_id): c.pk for c in self.cycles.values()}
        self.sets: dict[int, _CriteriaSet] = {}
        self.agencies: dict[tuple[int, str], tuple[int, int, int, int | None]] = {}
        self.agency_slugs: dict[int, str] = {}
        self.loaded: set[int] = set()
        self.by_code: dict[int, dict[str, int]] = {}
        self.numbers: dict[str, tuple[int, int]] = {}  # parsed once for the whole file
        # Every criteria set met so far, concatenated: a row's criterion is one index.
        self.offset: dict[int, int] = {}
        self.ids = np.zeros(0, dtype=np.int64)
        self.maxima = np.zeros(0, dtype=np.int64)
        self.rule = np.zeros(0, dtype=np.int64)
        self.params: list[dict] = []

    def _columns(self, header: list[str]) -> dict[str, int]:
        names: dict[str, int] = {}
        for index, raw in enumerate(header):
            key = raw.strip().lower()
            key = ALIASES.get(key, key)
            if key not in COLUMNS:
                self.problems.add(
                    ImportProblem(
                        _("cột không biết; cần các cột %(columns)s (bắt buộc: %(required)s)")
                        % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED)},
                        row=1,
                        column=raw,
                    )
                )
            elif key in names:
                self.problems.add(
                    ImportProblem(
                        _("cột “%(key)s” xuất hiện hai lần") % {"key": key}, row=1, column=raw
                    )
                )
            else:
                names[key] = index
                self.shown[key] = raw.strip()
        for key in REQUIRED:
            if key not in names:
                self.problems.add(ImportProblem(_("thiếu cột “%(key)s”") % {"key": key}, row=1))
        return names

    def cycles_used(self, frame: pd.DataFrame) -> Iterable[AssessmentCycle]:
        return (self.cycles[pk] for pk in sorted(set(pd.unique(frame["cycle"]).tolist())))

    def criteria(self, cycle_id: int) -> _CriteriaSet:
        cycle = self.cycles[cycle_id]
        if cycle.criteria_set_id not in self.sets:
            self.sets[cycle.criteria_set_id] = _CriteriaSet.load(cycle.criteria_set)
        return self.sets[cycle.criteria_set_id]

    def read(self, path: Path, delimiter: str) -> _Lines:
        out = _Lines()
        if self.problems.count:
            return out
        order = sorted(self.names.items(), key=lambda item: item[1])
        try:
            chunks = _csv_chunks(path, delimiter)
            with warnings.catch_warnings():
                # pandas drops extra fields of the first line with this warning: refuse.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                for chunk in chunks:
                    columns = {name: _Column.of(chunk.iloc[:, index]) for name, index in order}
                    self._chunk(chunk.index.to_numpy(dtype=np.int64) + 2, columns, out)
        except pd.errors.ParserWarning:
            self.problems.add(
                ImportProblem(
                    _(
                        "nhiều trường hơn %(n)s trường của dòng tiêu đề (thừa dấu phân cách "
                        "hoặc dấu nháy?); không đọc dòng nào"
                    )
                    % {"n": len(self.names)},
                    row=2,
                )
            )
        except pd.errors.ParserError as error:
            self.problems.add(_fields_problem(path, error))
        return out

    # One chunk of lines ---------------------------------------------------------------

    def _chunk(self, line: np.ndarray, columns: dict[str, _Column], out: _Lines) -> None:
        """Resolve and check one chunk; keep its valid lines. `line`: the file's numbers
        (the header is line 1)."""
        self.lines += len(line)
        if self._line_breaks(line, columns):
            return
        chunk = _Chunk(line, columns, self.shown, self.problems)
        self._year_checked(chunk)
        province, block, cycle = self._cycles_resolved(chunk)
        agency = self._agencies_resolved(chunk, province, block)
        if not chunk.ok.any():
            return
        where = self._criteria_resolved(chunk, cycle)
        at, value, denominator, given, chosen = self._inputs_checked(chunk, where)
        rows = np.flatnonzero(chunk.ok)
        self.empty += int(
            np.count_nonzero(
                (value[rows] == NA_MILLI) & (denominator[rows] == NA_MILLI) & ~given[rows]
            )
        )
        # Ids fit 32 bits (checked below); a national year is then ~40 MB of arrays.
        out.line.append(line[rows].astype(np.int32))
        out.cycle.append(_int32(cycle[rows]))
        out.agency.append(_int32(agency[rows]))
        out.criterion.append(_int32(self.ids[at[rows]]))
        out.value.append(value[rows])
        out.denominator.append(denominator[rows])
        out.choice.append(chosen[rows])

    def _line_breaks(self, line: np.ndarray, columns: dict[str, _Column]) -> bool:
        """Report a cell with a line break, which refuses the whole chunk."""
        for name, column in columns.items():
            broken = column.where(lambda text: "\n" in text or "\r" in text)
            if broken.any():
                at = np.flatnonzero(broken)
                self.problems.rows(
                    line[at],
                    self.shown[name],
                    column.shown(at),
                    _("không được xuống dòng trong một ô"),
                )
                return True
        return False

    def _year_checked(self, chunk: _Chunk) -> None:
        if "year" in chunk.columns:
            chunk.refuse(
                ~chunk.columns["year"].where(lambda text: text == str(self.year)),
                "year",
                _("cần năm của lần nhập, %(year)s") % {"year": self.year},
            )

    def _cycles_resolved(self, chunk: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each line's province, block and cycle id (-1 when unknown)."""
        province_text = chunk.columns["province"]
        province = province_text.lookup(self.provinces, -1)
        chunk.refuse(
            province < 0,
            "province",
            _("cần mã (slug) của một tỉnh như trong địa chỉ trang (ví dụ vinh-phuc)"),
        )
        block = chunk.columns["block"].lookup(self.blocks, -1)
        chunk.refuse(
            block < 0,
            "block",
            _("cần một trong các khối %(blocks)s") % {"blocks": ", ".join(sorted(self.blocks))},
        )
        cycle = _pairs(province, block, lambda p, b: self.cycle_of.get((p, b), -1))
        chunk.refuse(
            cycle < 0,
            "block",
            lambda row: (
                _(
                    "cần một khối tỉnh đánh giá năm %(year)s: %(province)s không có kỳ đánh "
                    "giá khối %(block)s"
                )
                % {
                    "year": self.year,
                    "province": province_text.text(row),
                    "block": self.block_slugs.get(int(block[row]), "?"),
                }
            ),
        )
        return province, block, cycle

    def _agencies_resolved(
        self, chunk: _Chunk, province: np.ndarray, block: np.ndarray
    ) -> np.ndarray:
        """Each line's agency id, of its province, block and year."""
        self._load_agencies(np.unique(province[chunk.ok]))
        agencies = chunk.columns["agency"]
        found = _pairs(
            np.where(chunk.ok, province, -1),
            agencies.codes,
            lambda p, s: (
                self.agencies.get((p, agencies.texts[s]), _NO_AGENCY) if s >= 0 else _NO_AGENCY
            ),
            width=4,
        )
        agency, home, since, until = found.T
        province_text = chunk.columns["province"]
        chunk.refuse(
            agency < 0,
            "agency",
            lambda row: (
                _("cần mã (slug) của một cơ quan thuộc %(province)s")
                % {"province": province_text.text(row)}
            ),
        )
        self._agency_fits(chunk, block, home, since, until)
        return agency

    def _agency_fits(
        self,
        chunk: _Chunk,
        block: np.ndarray,
        home: np.ndarray,
        since: np.ndarray,
        until: np.ndarray,
    ) -> None:
        """Refuse an agency of another block, or not active in the year."""
        chunk.refuse(
            home != block,
            "agency",
            lambda row: (
                _("cần một cơ quan của khối %(block)s; cơ quan này thuộc khối %(home)s")
                % {
                    "block": self.block_slugs.get(int(block[row]), "?"),
                    "home": self.block_slugs.get(int(home[row]), "?"),
                }
            ),
        )
        chunk.refuse(
            (since > self.year) | ((until >= 0) & (until < self.year)),
            "agency",
            lambda row: (
                _("cần một cơ quan hoạt động năm %(year)s; cơ quan này hoạt động %(span)s")
                % {
                    "year": self.year,
                    "span": f"{since[row]}–{'' if until[row] < 0 else until[row]}",
                }
            ),
        )

    def _criteria_resolved(self, chunk: _Chunk, cycle: np.ndarray) -> np.ndarray:
        """Each line's index into the concatenated criteria of all sets (`self.ids`, …)."""
        offset = self._offsets(cycle, chunk.ok)
        criteria = chunk.columns["criterion"]
        position = _pairs(
            np.where(chunk.ok, cycle, -1),
            criteria.codes,
            lambda c, k: self._position(c, criteria.texts[k]) if c >= 0 and k >= 0 else -1,
        )
        chunk.refuse(
            position < 0,
            "criterion",
            lambda row: (
                _("cần một tiêu chí của bộ %(set)s: %(codes)s")
                % {
                    "set": self.cycles[int(cycle[row])].criteria_set.slug,
                    "codes": _sample(self.criteria(int(cycle[row])).codes),
                }
            ),
        )
        return offset + position

    def _inputs_checked(self, chunk: _Chunk, where: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each line's criterion index (0 for a refused line), value, denominator, whether it
        names a choice and the choice's key, checked against its criterion's rule."""
        columns, n = chunk.columns, len(chunk.line)
        value, bad = self._numbers(columns["value"])
        chunk.refuse(bad >= 0, "value", lambda row: number_error(int(bad[row])))
        if "denominator" in columns:
            denominator, bad_b = self._numbers(columns["denominator"])
            chunk.refuse(bad_b >= 0, "denominator", lambda row: number_error(int(bad_b[row])))
        else:
            denominator = np.full(n, NA_MILLI, dtype=np.int64)
        choices = columns.get("choice") or _Column.empty(n)
        given = choices.where(bool)
        at = np.where(chunk.ok, where, 0)
        self._rule_checks(chunk.refuse, columns["criterion"], at, value, denominator, given)
        chosen = self._choices_checked(chunk, at, given, choices)
        return at, value, denominator, given, chosen

    def _choices_checked(
        self, chunk: _Chunk, at: np.ndarray, given: np.ndarray, choices: _Column
    ) -> np.ndarray:
        """Each line's choice key (see `_choices`), refusing a choice its criterion lacks."""
        chosen = self._choices(chunk.ok & given, at, choices)
        criteria = chunk.columns["criterion"]
        chunk.refuse(
            chosen == _UNKNOWN,
            "choice",
            lambda row: (
                _("cần một trong các lựa chọn của tiêu chí %(code)s: %(choices)s")
                % {
                    "code": criteria.text(row),
                    "choices": ", ".join(sorted(_choice_keys(self.params[at[row]]))),
                }
            ),
        )
        return chosen

    def _offsets(self, cycle: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Each row's offset into the concatenated criteria of all sets (`self.ids`, …)."""
        for cycle_id in np.unique(cycle[ok]).tolist():
            chosen = self.criteria(cycle_id)
            if chosen.criteria_set.pk not in self.offset:
                self.offset[chosen.criteria_set.pk] = len(self.ids)
                self.ids = np.concatenate([self.ids, chosen.ids])
                self.maxima = np.concatenate([self.maxima, chosen.maxima])
                self.rule = np.concatenate(
                    [self.rule, np.array([RULE_CODES[r] for r in chosen.rules_of])]
                )
                self.params.extend(chosen.params)
        known = {
            pk: self.offset[cycle.criteria_set_id]
            for pk, cycle in self.cycles.items()
            if cycle.criteria_set_id in self.offset
        }
        return _pairs(cycle, np.zeros_like(cycle), lambda c, _: known.get(c, 0))

    def _rule_checks(self, refuse, criteria, at, value, denominator, has_choice) -> None:
        """The kind of input each criterion takes, and the engine's range checks."""
        rule, maximum = self.rule[at], self.maxima[at]
        _kinds_refused(refuse, criteria.text, rule, value, denominator, has_choice)
        _ratio_halves_refused(refuse, criteria.text, rule, value, denominator)
        _ranges_refused(refuse, criteria.text, rule, maximum, value, denominator)

    # Helpers --------------------------------------------------------------------------

    def _position(self, cycle_id: int, code: str) -> int:
        chosen = self.criteria(cycle_id)
        if chosen.criteria_set.pk not in self.by_code:
            self.by_code[chosen.criteria_set.pk] = {c: i for i, c in enumerate(chosen.codes)}
        return self.by_code[chosen.criteria_set.pk].get(code, -1)

    def _load_agencies(self, provinces: np.ndarray) -> None:
        wanted = [int(p) for p in provinces.tolist() if int(p) not in self.loaded]
        if not wanted:
            return
        rows = Agency.objects.filter(province_id__in=wanted).values_list(
            "province_id", "slug", "pk", "block_id", "valid_from", "valid_to"
        )
        for province_id, slug, pk, block_id, valid_from, valid_to in rows.iterator():
            until = -1 if valid_to is None else valid_to.year
            self.agencies[(province_id, slug)] = (pk, block_id, valid_from.year, until)
            self.agency_slugs[pk] = slug
        self.loaded.update(wanted)

    def _numbers(self, column: _Column) -> tuple[np.ndarray, np.ndarray]:
        """Milli-points (NA_MILLI when empty) and the error's index (-1 when fine)."""
        cache = self.numbers
        parsed = [
            cache[text] if text in cache else cache.setdefault(text, _parse_number(text))
            for text in column.texts
        ]
        milli = np.array([m for m, _ in parsed] + [NA_MILLI], dtype=np.int64)
        errors = np.array([e for _, e in parsed] + [-1], dtype=np.int64)
        return milli[column.codes], errors[column.codes]

    def _choices(self, given: np.ndarray, at: np.ndarray, choices: _Column) -> np.ndarray:
        """The offered key of each row's choice ("" for none, _UNKNOWN if not offered);
        keys match regardless of case and diacritics, as the per-cycle import does."""
        out = np.full(len(at), "", dtype=object)
        rows = np.flatnonzero(given)
        if not rows.size:
            return out

        def key(offset: int, code: int) -> str:
            text = choices.texts[code]
            keys = _choice_keys(self.params[offset])
            if text in keys:
                return text
            return next((k for k in keys if fold(k) == fold(text)), _UNKNOWN)

        found = _pairs(at[rows], choices.codes[rows], key, kind=object)
        out[rows] = found
        return out


class _Chunk:
    """One chunk's lines under check: `ok` marks those still valid (blank lines are skipped,
    as a spreadsheet leaves them); a refusal reports its lines and drops them from `ok`."""

    def __init__(self, line: np.ndarray, columns: dict[str, _Column], shown, problems) -> None:
        self.line, self.columns, self.shown, self.problems = line, columns, shown, problems
        blank = columns["province"].where(lambda text: not text)
        for column in columns.values():
            if not blank.any():
                break
            blank &= column.where(lambda text: not text)
        self.ok = ~blank

    def refuse(self, mask: np.ndarray, name: str, message) -> None:
        at = np.flatnonzero(mask & self.ok)
        if at.size:
            self.problems.rows(
                self.line[at],
                self.shown[name],
                self.columns[name].shown(at),
                (lambda i: message(at[i])) if callable(message) else message,
            )
            self.ok[at] = False


def _csv_chunks(path: Path, delimiter: str):
    """The file's lines after the header, READ_LINES at a time, every field as text."""
    return pd.read_csv(
        path,
        sep=delimiter,
        encoding="utf-8-sig",
        header=0,
        # Text, never inferred: "1.10" is a criterion code and "007" a slug. Each
        # column is then coded by distinct text, so every check runs once per
        # distinct value (dtype="category" would infer numbers, and slowly).
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        index_col=False,  # never an index taken from a line's extra fields
        chunksize=READ_LINES,
    )


def _fields_problem(path: Path, error: pd.errors.ParserError) -> ImportProblem:
    """A line with more fields than the header; any other parser error refuses the file."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if found is None:
        raise ImportRefused(
            _("%(file)s: không phải tệp CSV đúng dạng (%(error)s).")
            % {"file": path.name, "error": error}
        ) from error
    expected, line, saw = found.groups()
    return ImportProblem(
        _(
            "%(saw)s trường trong khi dòng tiêu đề có %(expected)s (thừa dấu phân "
            "cách hoặc dấu nháy?); không đọc các dòng từ đây trở đi"
        )
        % {"saw": saw, "expected": expected},
        row=int(line),
    )


@dataclass(frozen=True)
class _Column:
    """A chunk's column as codes into its distinct texts (stripped; -1: no field)."""

    codes: np.ndarray
    texts: list[str]
    raw: list[str]

    @classmethod
    def of(cls, column: pd.Series) -> _Column:
        codes, distinct = pd.factorize(column.to_numpy(dtype=object))
        raw = [str(text) for text in distinct.tolist()]
        return cls(codes.astype(np.int64), [text.strip() for text in raw], raw)

    @classmethod
    def empty(cls, n: int) -> _Column:
        return cls(np.full(n, -1, dtype=np.int64), [], [])

    def where(self, test) -> np.ndarray:
        """test(text) per row, evaluated once per distinct text (a missing field is "")."""
        return np.array([bool(test(text)) for text in self.texts] + [bool(test(""))])[self.codes]

    def lookup(self, mapping: dict, missing: int) -> np.ndarray:
        return np.array(
            [mapping.get(text, missing) for text in self.texts] + [missing], dtype=np.int64
        )[self.codes]

    def text(self, row: int) -> str:
        code = int(self.codes[row])
        return self.texts[code] if code >= 0 else ""

    def shown(self, rows: np.ndarray):
        return lambda i: self.raw[self.codes[rows[i]]] if self.codes[rows[i]] >= 0 else ""


def _pairs(first: np.ndarray, second: np.ndarray, resolve, width: int = 0, kind=np.int64):
    """resolve(a, b) for each row's (a, b) pair of small ints (≥ -1), once per distinct pair."""
    span = int(second.max()) + 2 if len(second) else 1
    codes, distinct = pd.factorize((first.astype(np.int64) + 1) * span + (second + 1))
    looked = [resolve(key // span - 1, key % span - 1) for key in distinct.tolist()]
    if kind is object:
        table = np.empty(len(looked), dtype=object)
        table[:] = looked
    else:
        table = np.array(looked, dtype=kind).reshape(len(looked), *([width] if width else []))
    return table[codes]


_NO_AGENCY = (-1, -1, 0, -1)
_UNKNOWN = "\x00unknown"
NUMBER_ERRORS = (
    gettext_lazy("cần một số như 12,5 hoặc 12.5 (một dấu thập phân, không có dấu phân cách nghìn)"),
    gettext_lazy("cần một số không có % (ví dụ 98,5)"),
    gettext_lazy("cần một số có tối đa 3 chữ số thập phân"),
    gettext_lazy("cần một số nhỏ hơn %(limit)s"),
)


def number_error(code: int) -> str:
    """The text of NUMBER_ERRORS[code], in the active language."""
    return str(NUMBER_ERRORS[code]) % {"limit": f"{RAW_LIMIT:,.0f}".replace(",", ".")}


_PLAIN_NUMBER = re.compile(r"(\d{1,12})(?:[.,](\d{1,3}))?")


def _int32(ids: np.ndarray) -> np.ndarray:
    if len(ids) and int(ids.max()) > np.iinfo(np.int32).max:
        return ids
    return ids.astype(np.int32)


def _parse_number(text: str) -> tuple[int, int]:
    """(milli-points or NA_MILLI when empty, error index into NUMBER_ERRORS or -1)."""
    plain = _PLAIN_NUMBER.fullmatch(text)
    if plain is not None:  # the common case, without Decimal: "12", "12.5", "0,125"
        whole, decimals = plain.groups()
        return int(whole) * 1000 + (int(decimals.ljust(3, "0")) if decimals else 0), -1
    text = text.strip().replace("\u2212", "-")
    if not text:
        return NA_MILLI, -1
    if text.endswith("%"):
        return NA_MILLI, 1
    if not _NUMBER.match(text):
        return NA_MILLI, 0
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return NA_MILLI, 0
    scaled = number.scaleb(3)
    if scaled != scaled.to_integral_value():
        return NA_MILLI, 2
    if abs(number) >= RAW_LIMIT:
        return NA_MILLI, 3
    return int(scaled), -1


def _sample(codes: Sequence[str], shown: int = 12) -> str:
    more = len(codes) - shown
    return ", ".join(codes[:shown]) + (
        _(", … (tất cả %(n)s)") % {"n": len(codes)} if more > 0 else ""
    )


def _choice_keys(params: dict) -> list[str]:
    choices = params.get("choices")
    return [str(key) for key in choices] if isinstance(choices, dict) else []


def _duplicates(frame: pd.DataFrame, shown: dict[str, str], problems: _Problems) -> None:
    """A second line for the same cycle, agency and criterion (the first one counts)."""
    if not len(frame):
        return
    keys = pd.Series(
        _score_keys(
            frame["cycle"].to_numpy(), frame["agency"].to_numpy(), frame["criterion"].to_numpy()
        )
    )
    repeated = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    first = frame["line"].groupby(keys.to_numpy(), sort=False).transform("first").to_numpy()
    at = np.flatnonzero(repeated)
    problems.rows(
        frame["line"].to_numpy()[at],
        shown["criterion"],
        None,
        lambda i: (
            _("mỗi cơ quan và tiêu chí một dòng; dòng %(first)s đã có giá trị này")
            % {"first": first[at[i]]}
        ),
    )


def _cycle_states(
    frame: pd.DataFrame, cycles: dict[int, AssessmentCycle], reason: str, problems: _Problems
) -> None:
    """Cycles closed to entry, at the first line of each: approved (locked), or published
    without a correction reason (as the per-cycle import refuses it)."""
    if not len(frame):
        return
    per_cycle = frame.groupby("cycle", sort=True)["line"].agg(["first", "size"])
    published = dict(
        Publication.objects.filter(cycle__in=list(per_cycle.index))
        .order_by("cycle_id", "revision")
        .values_list("cycle_id", "decision_number")
    )
    for cycle_id, first, size in per_cycle.itertuples():
        cycle = cycles[cycle_id]
        lines = _("%(n)s dòng của kỳ này") % {"n": size}
        if cycle.state == CycleState.APPROVED:
            problems.add(
                ImportProblem(
                    _(
                        "kỳ %(cycle)s đã được phê duyệt, điểm đã khóa (%(lines)s); cần trả kỳ "
                        "về thẩm định trước khi nhập"
                    )
                    % {"cycle": cycle, "lines": lines},
                    row=int(first),
                )
            )
        elif cycle_id in published and not reason.strip():
            problems.add(
                ImportProblem(
                    _(
                        "kỳ %(cycle)s đã công bố theo quyết định %(decision)s, số liệu đã công "
                        "bố giữ nguyên (%(lines)s); nhập đính chính cần lý do (--reason)"
                    )
                    % {"cycle": cycle, "decision": published[cycle_id], "lines": lines},
                    row=int(first),
                )
            )


def _overlay(stored: pd.DataFrame, mine: pd.DataFrame):
    """The stored scores with the file's values laid over them.

    Returns the merged frame (SCORE_NAMES; new rows have id and stored points -1), which
    rows the import writes (new, or inputs changed), which of those are new, and each
    row's line in the file (0 for a score the file does not mention).
    """
    n = len(stored)
    keys = _score_keys(
        np.concatenate([stored["cycle"].to_numpy(), mine["cycle"].to_numpy()]),
        np.concatenate([stored["agency"].to_numpy(), mine["agency"].to_numpy()]),
        np.concatenate([stored["criterion"].to_numpy(), mine["criterion"].to_numpy()]),
    )
    pos = pd.Index(keys[:n]).get_indexer(keys[n:])
    matched = pos >= 0
    at = pos[matched]
    value = _milli_column(stored["value"])
    denominator = _milli_column(stored["denominator"])
    choice = stored["choice"].astype(object).to_numpy()
    choice = np.where(pd.isna(choice), "", choice).astype(object)
    file_value = _milli_column(mine["value"])
    file_denominator = _milli_column(mine["denominator"])
    file_choice = mine["choice"].to_numpy(dtype=object)
    same = (
        (value[at] == file_value[matched])
        & (denominator[at] == file_denominator[matched])
        & (choice[at] == file_choice[matched])
    )
    value[at] = file_value[matched]
    denominator[at] = file_denominator[matched]
    choice[at] = file_choice[matched]
    new = ~matched
    n_new = int(np.count_nonzero(new))
    merged = pd.DataFrame(
        {
            "id": np.concatenate([stored["id"].to_numpy(), np.full(n_new, -1)]),
            "cycle": np.concatenate([stored["cycle"].to_numpy(), mine["cycle"].to_numpy()[new]]),
            "agency": np.concatenate([stored["agency"].to_numpy(), mine["agency"].to_numpy()[new]]),
            "criterion": np.concatenate(
                [stored["criterion"].to_numpy(), mine["criterion"].to_numpy()[new]]
            ),
            "value": _nullable(np.concatenate([value, file_value[new]])),
            "denominator": _nullable(np.concatenate([denominator, file_denominator[new]])),
            "choice": _choices_categorical(np.concatenate([choice, file_choice[new]])),
            "stored": np.concatenate([stored["stored"].to_numpy(), np.full(n_new, -1)]),
        }
    )
    written = np.zeros(n + n_new, dtype=bool)
    written[at[~same]] = True
    written[n:] = True
    line = np.zeros(n + n_new, dtype=np.int64)
    line[at] = mine["line"].to_numpy()[matched]
    line[n:] = mine["line"].to_numpy()[new]
    return merged, written, np.arange(n + n_new) >= n, line


def _choices_categorical(texts: np.ndarray) -> pd.Categorical:
    """Choice texts ("" for none) as the engine's categorical (missing for none)."""
    codes, distinct = pd.factorize(texts)
    keep = np.array([bool(text) for text in distinct.tolist()] + [False])
    position = np.cumsum(keep) - 1
    codes = np.where(keep[codes], position[codes], -1)
    return pd.Categorical.from_codes(
        codes, categories=pd.Index([t for t in distinct.tolist() if t], dtype=object)
    )


def _score_keys(cycle: np.ndarray, agency: np.ndarray, criterion: np.ndarray) -> np.ndarray:
    """One int64 per (cycle, agency, criterion) for hashing, without overflow."""
    agency, criterion = agency.astype(np.int64), criterion.astype(np.int64)
    if len(agency) and agency.min() >= 0 and criterion.min() >= 0:
        span = int(criterion.max()) + 1
        # An agency sits in one cycle of a year (its province's): then the cycle is implied.
        if int(agency.max()) < 2**62 // span and _one_cycle_each(agency, cycle):
            return agency * span + criterion
    key = np.zeros(len(cycle), dtype=np.int64)
    for column in (cycle, agency, criterion):
        codes, distinct = pd.factorize(column)
        key = key * len(distinct) + codes
    return key


def _one_cycle_each(agency: np.ndarray, cycle: np.ndarray) -> bool:
    codes, distinct = pd.factorize(agency)
    seen = np.zeros(len(distinct), dtype=np.int64)
    seen[codes] = cycle
    return bool((seen[codes] == cycle).all())


def _milli_column(column: pd.Series) -> np.ndarray:
    """Milli-points as int64 with NA_MILLI for no value (comparable with ==)."""
    values = column.array
    return np.where(pd.isna(values), NA_MILLI, values.to_numpy(dtype=np.int64, na_value=0))
