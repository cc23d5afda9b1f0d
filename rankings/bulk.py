"""A whole year at once: recompute every cycle of a year, import a national CSV of scores.

`cycle_recompute` reads one cycle, runs the engine and writes its drafts: right for a
province's page, 17.6 times slower than the I/O floor for a national year (190 cycles,
960,000 scores; bench/README.md). Here the same results come from the same engine with the
work grouped: on PostgreSQL the scores of a batch of cycles are read by one `COPY … TO`,
the engine runs once per criteria set and batch (the cycle is the engine's block, so
"relative" criteria and ranks stay per cycle, as `seed_national` already does), the draft
results are replaced by one DELETE and `COPY … FROM`, and points are written back only
where they changed. Batches hold at most `BATCH_SCORES` scores, so memory stays bounded
whatever the year's size. Everything happens in one transaction, with the cycles locked as
an import locks its cycle. Other databases (SQLite, the demo) take the per-cycle path.

The drafts are those `services.cycle_recompute` writes, field for field (a test compares
every field; bench/national_recompute.py compares an md5 over the national year).

`national_import` reads a long CSV (one value a line) of a year for any number of
provinces, validates every line in vectorised passes (the first problems with their line,
column and what was expected, then a count), writes the scores whose inputs changed and
their audit rows, and recomputes the cycles it touched, all or nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

import scoring
from agencies.models import Agency, Block, Province, fold
from rankings import audit, selectors, services
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CycleState,
    Publication,
    RuleKind,
    Score,
    Stage,
)

BATCH_SCORES = 100_000  # scores read and scored at once: bounds memory, not speed
RESULT_COLUMNS = (
    "cycle_id",
    "agency_id",
    "publication_id",
    "total",
    "score",
    "percent",
    "rank",
    "band",
    "not_ranked_reason",
    "groups",
    "criteria",
)


@dataclass(frozen=True)
class YearSummary:
    cycles: int
    results: int
    scores_updated: int
    bulk: bool  # False: the per-cycle path (a database without COPY)


class RecomputeRefused(Exception):
    """The engine refused a cycle's stored inputs; nothing was written."""

    def __init__(self, cycle: AssessmentCycle, error: scoring.ScoringInputError) -> None:
        self.cycle, self.problems = cycle, error.problems
        super().__init__(f"{cycle} (cycle {cycle.pk}): {error}")


def year_cycles(*, year: int, province: str | None = None):
    """The cycles a year's recompute covers: every state, as `cycle_recompute` takes any
    cycle (published revisions are never touched, only the working drafts)."""
    cycles = AssessmentCycle.objects.filter(year=year)
    if province is not None:
        cycles = cycles.filter(province__slug=province)
    return cycles.select_related("province", "block", "criteria_set").order_by("pk")


def year_recompute(
    *, year: int, province: str | None = None, stage: str = Stage.FINAL
) -> YearSummary:
    """Recompute points and draft results of every cycle of `year` (of one province)."""
    return cycles_recompute(cycles=list(year_cycles(year=year, province=province)), stage=stage)


def cycles_recompute(*, cycles: Sequence[AssessmentCycle], stage: str = Stage.FINAL) -> YearSummary:
    """What `cycle_recompute` does to each of `cycles`, in one transaction, in bulk."""
    read_ahead = not connection.in_atomic_block
    with transaction.atomic():
        locked = _lock(cycles)
        if connection.vendor != "postgresql":
            results = updated = 0
            for cycle in locked:
                try:
                    summary = services.cycle_recompute(cycle=cycle, stage=stage)
                except scoring.ScoringInputError as error:
                    raise RecomputeRefused(cycle, error) from error
                results += summary.agencies
                updated += summary.scores_updated
            return YearSummary(len(locked), results, updated, bulk=False)
        run = _Run(locked, stage, read_ahead=read_ahead)
        run.recompute()
        return YearSummary(len(locked), run.results, run.points_updated, bulk=True)


def _lock(cycles: Sequence[AssessmentCycle]) -> list[AssessmentCycle]:
    """The cycles, locked in id order as an import locks its one cycle."""
    return list(
        AssessmentCycle.objects.select_for_update(of=("self",))
        .filter(pk__in=[cycle.pk for cycle in cycles])
        .select_related("province", "block", "criteria_set")
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------------
# The engine over batches of cycles


@dataclass
class _CriteriaSet:
    """A criteria set as the engine and the writers need it, criteria in the frame's order."""

    criteria_set: CriteriaSet
    frame: pd.DataFrame
    rules: scoring.RankingRules
    codes: list[str]
    ids: np.ndarray
    maxima: np.ndarray  # milli
    rules_of: list[str]
    params: list[dict]
    position: dict[int, int]  # criterion id -> position

    @classmethod
    def load(cls, criteria_set: CriteriaSet) -> _CriteriaSet:
        frame = selectors.criteria_frame(criteria_set=criteria_set)
        rows = {
            code: (pk, maximum, rule, params)
            for code, pk, maximum, rule, params in Criterion.objects.filter(
                criteria_set=criteria_set
            ).values_list("code", "pk", "max_points", "rule", "params")
        }
        codes = [str(code) for code in frame["criterion"]]
        ids = np.array([rows[code][0] for code in codes], dtype=np.int64)
        return cls(
            criteria_set=criteria_set,
            frame=frame,
            rules=selectors.ranking_rules(criteria_set=criteria_set),
            codes=codes,
            ids=ids,
            maxima=np.array([scoring.to_milli(rows[c][1]) for c in codes], dtype=np.int64),
            rules_of=[rows[c][2] for c in codes],
            params=[rows[c][3] if isinstance(rows[c][3], dict) else {} for c in codes],
            position={int(pk): i for i, pk in enumerate(ids.tolist())},
        )

    def positions(self, criterion_ids: np.ndarray) -> np.ndarray:
        """Position of each criterion id in the set, -1 for another set's criterion."""
        if not len(criterion_ids):
            return np.zeros(0, dtype=np.int64)
        top = max(int(criterion_ids.max()), int(self.ids.max())) + 1
        lookup = np.full(top, -1, dtype=np.int64)
        lookup[self.ids] = np.arange(len(self.ids))
        return lookup[criterion_ids]


# Values and points are numeric(…, 3): PostgreSQL prints them with exactly three decimals
# ("12.500", "0.000"), so read with "." as a thousands separator they are exact integer
# milli-points, parsed in C with no arithmetic in SQL and no float anywhere.
SCORES_OUT = """
    COPY (SELECT id, cycle_id, agency_id, criterion_id, value, denominator, choice, points
          FROM rankings_score WHERE cycle_id = ANY(%s) AND stage = %s)
    TO STDOUT WITH (FORMAT csv)
"""
SCORE_NAMES = ["id", "cycle", "agency", "criterion", "value", "denominator", "choice", "stored"]


def _scores_frame(cursor, cycle_ids: list[int], stage: str) -> pd.DataFrame:
    """The stored scores of `cycle_ids` at `stage`: values and points in milli-points."""
    buffer = io.BytesIO()
    cursor.copy_expert(cursor.mogrify(SCORES_OUT, [cycle_ids, stage]).decode(), buffer)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        header=None,
        names=SCORE_NAMES,
        dtype={
            "id": "int64",
            "cycle": "int64",
            "agency": "int64",
            "criterion": "int64",
            "value": "Int64",
            "denominator": "Int64",
            "choice": "category",
            "stored": "int64",
        },
        thousands=".",
        decimal=",",  # never present; must differ from `thousands`
        keep_default_na=False,  # a choice key "NA" stays a key
        na_values=[""],
    )


class _Run:
    """One transaction's bulk work over locked cycles: read, score, write, in batches."""

    def __init__(
        self,
        cycles: list[AssessmentCycle],
        stage: str,
        sets: dict[int, _CriteriaSet] | None = None,
        read_ahead: bool = False,
    ) -> None:
        self.cycles = {cycle.pk: cycle for cycle in cycles}
        self.stage = stage
        self.read_ahead = read_ahead
        known = sets or {}
        self.sets = {
            set_id: known.get(set_id) or _CriteriaSet.load(cycle.criteria_set)
            for set_id, cycle in {c.criteria_set_id: c for c in cycles}.items()
        }
        self.results = 0
        self.points_updated = 0
        self._changed_ids: list[np.ndarray] = []
        self._changed_points: list[np.ndarray] = []

    def batches(self) -> Iterable[tuple[_CriteriaSet, list[int]]]:
        """Cycles of one criteria set at a time, at most about BATCH_SCORES scores each
        (estimated from the agencies of each cycle's province and block)."""
        sizes = {
            (row["province_id"], row["block_id"]): row["n"]
            for row in Agency.objects.filter(
                province__in={c.province_id for c in self.cycles.values()},
                block__in={c.block_id for c in self.cycles.values()},
            )
            .values("province_id", "block_id")
            .annotate(n=Count("id"))
            .order_by()
        }
        by_set: dict[int, list[AssessmentCycle]] = defaultdict(list)
        for cycle in self.cycles.values():
            by_set[cycle.criteria_set_id].append(cycle)
        for set_id, members in sorted(by_set.items()):
            chosen = self.sets[set_id]
            batch, rows = [], 0
            for cycle in members:
                size = sizes.get((cycle.province_id, cycle.block_id), 0) * len(chosen.codes)
                if batch and rows + size > BATCH_SCORES:
                    yield chosen, batch
                    batch, rows = [], 0
                batch.append(cycle.pk)
                rows += size
            if batch:
                yield chosen, batch

    def recompute(self) -> None:
        with connection.cursor() as cursor:
            self.delete_drafts(cursor)
            for chosen, _, frame in self.stored(cursor):
                self.keep_points(frame, self.score(cursor, chosen, frame))
            self.write_points(cursor)

    def stored(self, cursor) -> Iterator[tuple[_CriteriaSet, list[int], pd.DataFrame]]:
        """Each batch with its stored scores.

        With `read_ahead` (the run owns its transaction) the next batch is read by a second
        connection while this one scores and writes the current batch: PostgreSQL produces
        the COPY on one core while Python works on the other (about 10 % off a national
        import on two shared cores). It reads what this connection would: the cycles are
        locked against imports and publication, and this transaction writes scores only
        after the last batch. Inside a caller's transaction (tests, a larger unit of work)
        its uncommitted rows would be invisible to another connection, so reads stay here.
        """
        batches = list(self.batches())
        if not self.read_ahead or len(batches) < 2:
            for chosen, cycle_ids in batches:
                yield chosen, cycle_ids, _scores_frame(cursor, cycle_ids, self.stage)
            return

        def read(cycle_ids: list[int]) -> pd.DataFrame:
            with connection.cursor() as own:  # the worker thread's own connection
                return _scores_frame(own, cycle_ids, self.stage)

        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                ahead = pool.submit(read, batches[0][1])
                for i, (chosen, cycle_ids) in enumerate(batches):
                    frame = ahead.result()
                    if i + 1 < len(batches):
                        ahead = pool.submit(read, batches[i + 1][1])
                    yield chosen, cycle_ids, frame
            finally:
                pool.submit(lambda: connection.close()).result()

    def keep_points(self, frame: pd.DataFrame, fresh: np.ndarray) -> None:
        """Remember the stored rows of `frame` whose points differ from `fresh`."""
        changed = (fresh != frame["stored"].to_numpy()) & (frame["id"].to_numpy() > 0)
        if changed.any():
            self._changed_ids.append(frame["id"].to_numpy()[changed])
            self._changed_points.append(fresh[changed])

    def delete_drafts(self, cursor) -> None:
        cursor.execute(
            "DELETE FROM rankings_result WHERE publication_id IS NULL AND cycle_id = ANY(%s)",
            [list(self.cycles)],
        )

    def score(self, cursor, chosen: _CriteriaSet, frame: pd.DataFrame) -> np.ndarray:
        """Score `frame` (columns SCORE_NAMES), COPY its drafts in; every row's points."""
        fresh = np.zeros(len(frame), dtype=np.int64)
        lines: list[str] = []
        for rows in _without_shared_agencies(frame):
            part = frame.iloc[rows] if rows is not None else frame
            card = self.compute(chosen, part)
            points = _row_points(card, part, chosen)
            if rows is None:
                fresh = points
            else:
                fresh[rows] = points
            lines.extend(_result_lines(card))
        if lines:
            columns = ", ".join(RESULT_COLUMNS)
            cursor.copy_expert(
                f"COPY rankings_result ({columns}) FROM STDIN", io.StringIO("".join(lines))
            )
            self.results += len(lines)
        return fresh

    def compute(self, chosen: _CriteriaSet, frame: pd.DataFrame) -> scoring.Scorecard:
        inputs = pd.DataFrame(
            {
                "agency": frame["agency"].to_numpy(),
                "block": frame["cycle"].to_numpy(),
                "criterion": pd.Categorical.from_codes(
                    chosen.positions(frame["criterion"].to_numpy()), categories=chosen.codes
                ),
                "value": frame["value"].array,
                "denominator": frame["denominator"].array,
                "choice": frame["choice"].array,
            }
        )
        try:
            return scoring.compute(chosen.frame, inputs, chosen.rules)
        except scoring.ScoringInputError as error:
            agency = next((p.agency for p in error.problems if p.agency is not None), None)
            cycles = frame["cycle"].to_numpy()
            at = np.flatnonzero(frame["agency"].to_numpy() == agency)
            cycle_id = int(cycles[at[0]]) if at.size else int(cycles[0])
            raise RecomputeRefused(self.cycles[cycle_id], error) from error

    def write_points(self, cursor) -> None:
        """Points that changed, by COPY into a temporary table and one UPDATE … FROM."""
        if not self._changed_ids:
            return
        ids = np.concatenate(self._changed_ids)
        milli = np.concatenate(self._changed_points)
        cursor.execute(
            "DROP TABLE IF EXISTS bulk_points; "
            "CREATE TEMP TABLE bulk_points (id bigint, points numeric(9, 3)) ON COMMIT DROP"
        )
        text = "".join(
            f"{pk}\t{value}\n" for pk, value in zip(ids.tolist(), _milli_texts(milli), strict=True)
        )
        cursor.copy_expert("COPY bulk_points (id, points) FROM STDIN", io.StringIO(text))
        cursor.execute(
            "UPDATE rankings_score s SET points = b.points FROM bulk_points b WHERE s.id = b.id"
        )
        self.points_updated += len(ids)


def _without_shared_agencies(frame: pd.DataFrame) -> list[np.ndarray | None]:
    """Row groups the engine can score at once: an agency must sit in one block (cycle).

    Agencies belong to one province and cycles are per province, so this is `[None]`
    (all rows) in practice; scores of one agency in two cycles of a criteria set are
    scored in separate groups rather than refused.
    """
    agency = frame["agency"].to_numpy()
    cycle = frame["cycle"].to_numpy()
    if not len(agency):
        return [None]
    cycle_codes, cycle_ids = pd.factorize(cycle)
    pairs = pd.unique(agency * len(cycle_ids) + cycle_codes)
    if len(pairs) == len(pd.unique(agency)):
        return [None]
    groups: list[tuple[set, list[int]]] = []
    for code in range(len(cycle_ids)):
        members = set(pd.unique(agency[cycle_codes == code]).tolist())
        group = next((g for g in groups if not g[0] & members), None)
        if group is None:
            groups.append((members, [code]))
        else:
            group[0].update(members)
            group[1].append(code)
    return [np.flatnonzero(np.isin(cycle_codes, codes)) for _, codes in groups]


def _row_points(card: scoring.Scorecard, frame: pd.DataFrame, chosen: _CriteriaSet) -> np.ndarray:
    """The card's points for each row of `frame`, in the frame's order."""
    k = len(chosen.codes)
    if not len(frame):
        return np.zeros(0, dtype=np.int64)
    grid = card.points["points"].to_numpy(dtype=np.int64).reshape(-1, k)
    agencies = card.points["agency"].to_numpy()[::k]
    row = np.searchsorted(agencies, frame["agency"].to_numpy())
    return grid[row, chosen.positions(frame["criterion"].to_numpy())]


# ---------------------------------------------------------------------------------------
# Draft results as COPY text, field for field as `services._result_rows` builds them


def _milli_texts(milli: np.ndarray) -> list[str]:
    """`str(milli_to_decimal(m))` of each value, formatting each distinct value once."""
    codes, distinct = pd.factorize(np.asarray(milli, dtype=np.int64).ravel())
    texts = np.array([_milli_text(m) for m in distinct.tolist()], dtype=object)
    return texts[codes].tolist()


def _milli_text(milli: int) -> str:
    if milli < 0:
        return str(scoring.milli_to_decimal(milli))
    return f"{milli // 1000}.{milli % 1000:03d}"


def _escape(text: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_objects(keys: Sequence[str], milli: np.ndarray) -> list[str]:
    """One JSON object per row of `milli`, {key: "decimal text"}, escaped for COPY.

    The text is built from one template per criteria set instead of a dict and
    `json.dumps` per agency (80 keys × 12,000 agencies). A repeated key keeps its last
    value, as a dict does; PostgreSQL's jsonb orders keys itself.
    """
    n = milli.shape[0]
    last = {key: i for i, key in enumerate(keys)}
    order = list(dict.fromkeys(keys))
    if not order:
        return ["{}"] * n
    columns = [last[key] for key in order]
    template = (
        "{"
        + ", ".join(_escape(json.dumps(key)).replace("%", "%%") + ': "%s"' for key in order)
        + "}"
    )
    texts = _milli_texts(milli[:, columns])
    width = len(columns)
    return [template % tuple(texts[i : i + width]) for i in range(0, n * width, width)]


def _wide(frame: pd.DataFrame, column: str, n: int) -> tuple[list[str], np.ndarray]:
    """A long (agency, code, points) frame, agency-major, as codes and an n × codes grid."""
    if frame.empty:
        return [], np.zeros((n, 0), dtype=np.int64)
    codes = [str(code) for code in frame[column].cat.categories]
    return codes, frame["points"].to_numpy(dtype=np.int64).reshape(n, len(codes))


def _result_lines(card: scoring.Scorecard) -> list[str]:
    """COPY lines (RESULT_COLUMNS) of the card's draft results."""
    results = card.results
    if results.empty:
        return []
    points = card.points
    k = len(points["criterion"].cat.categories)
    agencies = points["agency"].to_numpy()[::k]
    n = len(agencies)
    criteria = _json_objects(
        [str(code) for code in points["criterion"].cat.categories],
        points["points"].to_numpy(dtype=np.int64).reshape(n, k),
    )
    group_codes, group_milli = _wide(card.groups, "group", n)
    subgroup_codes, subgroup_milli = _wide(card.subgroups, "subgroup", n)
    groups = _json_objects(
        [*group_codes, *subgroup_codes], np.hstack([group_milli, subgroup_milli])
    )
    at = np.searchsorted(agencies, results["agency"].to_numpy()).tolist()
    totals = _milli_texts(results["total"].to_numpy())
    scores = _milli_texts(results["score"].to_numpy())
    percents = [str(p) for p in card.percent().tolist()]
    ranks = results["rank"].astype(object).tolist()
    lines = []
    for i, (agency, block, band, reason) in enumerate(
        zip(
            results["agency"].tolist(),
            results["block"].tolist(),
            results["band"].tolist(),
            results["not_ranked_reason"].tolist(),
            strict=True,
        )
    ):
        rank = ranks[i]
        lines.append(
            f"{block}\t{agency}\t\\N\t{totals[i]}\t{scores[i]}\t{percents[i]}\t"
            f"{'\\N' if rank is None or rank is pd.NA else int(rank)}\t"
            f"{_escape(band or '')}\t{_escape(reason or '')}\t"
            f"{groups[at[i]]}\t{criteria[at[i]]}\n"
        )
    return lines


# ---------------------------------------------------------------------------------------
# National CSV import

MAX_CSV_BYTES = 256 * 2**20  # a national year is about 50 MB (960,000 values)
MAX_CSV_LINES = 3_000_000
READ_LINES = 100_000  # lines parsed at once: bounds memory
SHOWN_PROBLEMS = 50
RAW_LIMIT = Decimal(10) ** 12  # Score.value: 15 digits, 3 of them decimals
COLUMNS = ("province", "block", "year", "agency", "criterion", "value", "denominator", "choice")
REQUIRED = ("province", "block", "agency", "criterion", "value")
ALIASES = {"province_slug": "province", "block_slug": "block", "agency_slug": "agency"}
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong with a national CSV: where (line, column), what, what was expected."""

    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"line {self.line}" if self.line is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        body = self.message if self.value is None else f"{self.value!r}: {self.message}"
        return f"{where}: {body}" if where else body


class CsvRefused(Exception):
    """The file was refused; nothing was written. `problems` are the first few, by line."""

    def __init__(self, message: str, problems: Sequence[CsvProblem] = (), total: int = 0):
        self.problems = tuple(problems)
        self.total = max(total, len(self.problems))
        super().__init__(message)


@dataclass(frozen=True)
class ImportSummary:
    lines: int
    values: int
    cycles: int
    created: int
    updated: int
    unchanged: int
    empty: int  # values left empty: stored as no input, 0 points
    results: int
    points_updated: int
    bulk: bool


@dataclass
class _Lines:
    """The file's valid values as arrays, one element per line (ids, milli-points)."""

    line: list[np.ndarray] = field(default_factory=list)
    cycle: list[np.ndarray] = field(default_factory=list)
    agency: list[np.ndarray] = field(default_factory=list)
    criterion: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    denominator: list[np.ndarray] = field(default_factory=list)
    choice: list[np.ndarray] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        if not self.line:
            return pd.DataFrame(
                {name: pd.Series(dtype="int64") for name in ("line", "cycle", "agency")}
            )
        columns = {}
        for name in ("line", "cycle", "agency", "criterion", "value", "denominator", "choice"):
            parts = getattr(self, name)
            whole = np.concatenate(parts)
            parts.clear()  # one copy of the file's values at a time
            columns[name] = _nullable(whole) if name in ("value", "denominator") else whole
        return pd.DataFrame(columns, copy=False)


class _Problems:
    """Every problem counted, the first SHOWN_PROBLEMS of each kind kept (lines ascend)."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[CsvProblem] = []

    def add(self, problem: CsvProblem) -> None:
        self.count += 1
        self.kept.append(problem)

    def rows(self, lines: np.ndarray, column: str | None, value, message) -> None:
        """Problems at `lines` (ascending); `value(i)`, `message(i)` build the i-th's text."""
        self.count += len(lines)
        for i in range(min(len(lines), SHOWN_PROBLEMS)):
            self.kept.append(
                CsvProblem(
                    message(i) if callable(message) else message,
                    int(lines[i]),
                    column,
                    value(i) if callable(value) else value,
                )
            )

    def first(self) -> list[CsvProblem]:
        order = {name: i for i, name in enumerate(COLUMNS)}
        return sorted(
            self.kept,
            key=lambda p: (p.line or 0, order.get(p.column or "", len(order))),
        )[:SHOWN_PROBLEMS]

    def refuse(self, path: Path) -> None:
        if self.count:
            raise CsvRefused(
                f"{path.name}: {self.count:,} problem{'s' if self.count > 1 else ''}; "
                "nothing was written.",
                self.first(),
                self.count,
            )


def national_import(
    *,
    path: Path | str,
    year: int,
    user=None,
    reason: str = "",
    check_only: bool = False,
) -> ImportSummary:
    """Import a long CSV of one year's final scores for any provinces, all or nothing.

    One value a line: `province, block, agency, criterion, value[, denominator][, choice]`
    (slugs and the criterion's code; `year` may be a column too). Every line is checked
    (what, where and what was expected, like the per-cycle import), then the values whose
    inputs changed are written with their audit rows and the cycles they touch are
    recomputed. Scores the file does not mention keep their stored values. A published
    cycle takes a correction only with a `reason`; an approved one is locked.
    """
    path = Path(path)
    delimiter, header = _check_file(path)
    problems = _Problems()
    reader = _CsvReader(year=year, header=header, problems=problems)
    frame = reader.read(path, delimiter).frame()
    _duplicates(frame, reader.shown, problems)
    _cycle_states(frame, reader.cycles, reason, problems)
    problems.refuse(path)
    if not len(frame):
        raise CsvRefused(f"{path.name}: no values below the header; nothing was written.")
    by = user if getattr(user, "is_authenticated", False) else None
    read_ahead = not connection.in_atomic_block
    with transaction.atomic():
        cycles = _lock(list(reader.cycles_used(frame)))
        states = _Problems()
        _cycle_states(frame, {c.pk: c for c in cycles}, reason, states)
        states.refuse(path)
        summary = _write(frame, cycles, by, reader, path, read_ahead)
        if check_only:
            transaction.set_rollback(True)
    return ImportSummary(lines=reader.lines, values=len(frame), empty=reader.empty, **summary)


def _check_file(path: Path) -> tuple[str, list[str]]:
    """Size, encoding (UTF-8, with or without BOM), NUL bytes, line count; the header."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise CsvRefused(
            f"{path.name} is {size / 2**20:,.0f} MB; at most {MAX_CSV_BYTES >> 20} MB "
            "(a national year is about 50 MB): split it by province."
        )
    with path.open("rb") as handle:
        head = handle.read(4)
        for bom, name in (
            (codecs.BOM_UTF32_LE, "UTF-32"),
            (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"),
            (codecs.BOM_UTF16_BE, "UTF-16"),
        ):
            if head.startswith(bom):
                raise CsvRefused(
                    f"{path.name} is {name} text; national imports read UTF-8 only: save it "
                    "as “CSV UTF-8 (comma delimited)”."
                )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        newlines, offset, last = 0, 0, b""
        while chunk := handle.read(1 << 20):
            if b"\x00" in chunk:
                line = newlines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
                raise CsvRefused(
                    f"{path.name}, line {line}: a NUL byte; this is not a text CSV (UTF-16 "
                    "without a byte-order mark, or a binary file): save it as “CSV UTF-8”."
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                before = chunk[: error.start]
                line = newlines + before.count(b"\n") + 1
                column = len(before) - before.rfind(b"\n")
                raise CsvRefused(
                    f"{path.name}, line {line}: byte 0x{chunk[error.start]:02X} at byte "
                    f"{column} of the line is not UTF-8 (Windows-1258 or another code page?); "
                    "national imports read UTF-8 only: save the file as “CSV UTF-8”."
                ) from error
            newlines += chunk.count(b"\n")
            offset += len(chunk)
            last = chunk[-1:]
            if newlines > MAX_CSV_LINES:
                raise CsvRefused(
                    f"{path.name} has more than {MAX_CSV_LINES:,} lines: split it by province."
                )
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise CsvRefused(
                f"{path.name} ends in the middle of a UTF-8 character: the file is truncated "
                "or not UTF-8."
            ) from error
    del last, offset
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise CsvRefused(f"{path.name} is empty: the first line must be the header.")
    counts = {d: len(next(csv.reader([first], delimiter=d))) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return delimiter, next(csv.reader([first], delimiter=delimiter))


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
                    CsvProblem(
                        f"unknown column; expected the columns {', '.join(COLUMNS)} "
                        f"(required: {', '.join(REQUIRED)})",
                        1,
                        raw,
                    )
                )
            elif key in names:
                self.problems.add(CsvProblem(f"column {key!r} appears twice", 1, raw))
            else:
                names[key] = index
                self.shown[key] = raw.strip()
        for key in REQUIRED:
            if key not in names:
                self.problems.add(CsvProblem(f"missing column {key!r}", 1))
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
            chunks = pd.read_csv(
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
            with warnings.catch_warnings():
                # pandas drops extra fields of the first line with this warning: refuse.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                for chunk in chunks:
                    columns = {name: _Column.of(chunk.iloc[:, index]) for name, index in order}
                    self._chunk(chunk.index.to_numpy(dtype=np.int64) + 2, columns, out)
        except pd.errors.ParserWarning:
            self.problems.add(
                CsvProblem(
                    f"more fields than the header's {len(self.names)} (a stray delimiter or "
                    "quote?); nothing was read",
                    2,
                )
            )
        except pd.errors.ParserError as error:
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
            if found is None:
                raise CsvRefused(f"{path.name}: not a well-formed CSV ({error}).") from error
            expected, line, saw = found.groups()
            self.problems.add(
                CsvProblem(
                    f"{saw} fields where the header has {expected} (a stray delimiter or "
                    "quote?); nothing after this line was read",
                    int(line),
                )
            )
        return out

    # One chunk of lines ---------------------------------------------------------------

    def _chunk(self, line: np.ndarray, columns: dict[str, _Column], out: _Lines) -> None:
        """Resolve and check one chunk; keep its valid lines. `line`: the file's numbers
        (the header is line 1)."""
        n = len(line)
        self.lines += n
        for name, column in columns.items():
            broken = column.where(lambda text: "\n" in text or "\r" in text)
            if broken.any():
                at = np.flatnonzero(broken)
                self.problems.rows(
                    line[at], self.shown[name], column.shown(at), "no line break inside a field"
                )
                return
        blank = columns["province"].where(lambda text: not text)
        for column in columns.values():
            if not blank.any():
                break
            blank &= column.where(lambda text: not text)
        ok = ~blank  # blank lines are skipped, as a spreadsheet leaves them

        def refuse(mask: np.ndarray, name: str, message) -> None:
            at = np.flatnonzero(mask & ok)
            if at.size:
                self.problems.rows(
                    line[at],
                    self.shown[name],
                    columns[name].shown(at),
                    (lambda i: message(at[i])) if callable(message) else message,
                )
                ok[at] = False

        if "year" in columns:
            refuse(
                ~columns["year"].where(lambda text: text == str(self.year)),
                "year",
                f"the year of the import, {self.year}",
            )
        province = columns["province"].lookup(self.provinces, -1)
        refuse(province < 0, "province", "a province's slug as in its address (e.g. vinh-phuc)")
        block = columns["block"].lookup(self.blocks, -1)
        refuse(block < 0, "block", f"one of the blocks {', '.join(sorted(self.blocks))}")
        cycle = _pairs(province, block, lambda p, b: self.cycle_of.get((p, b), -1))
        province_text = columns["province"]
        refuse(
            cycle < 0,
            "block",
            lambda row: (
                f"a block the province assesses in {self.year}: there is no cycle of "
                f"{self.block_slugs.get(int(block[row]), '?')} in {province_text.text(row)}"
            ),
        )
        self._load_agencies(np.unique(province[ok]))
        agencies = columns["agency"]
        found = _pairs(
            np.where(ok, province, -1),
            agencies.codes,
            lambda p, s: (
                self.agencies.get((p, agencies.texts[s]), _NO_AGENCY) if s >= 0 else _NO_AGENCY
            ),
            width=4,
        )
        agency, home, since, until = found.T
        refuse(
            agency < 0,
            "agency",
            lambda row: f"the slug of an agency of {province_text.text(row)}",
        )
        refuse(
            home != block,
            "agency",
            lambda row: (
                f"an agency of block {self.block_slugs.get(int(block[row]), '?')}; this one "
                f"is in {self.block_slugs.get(int(home[row]), '?')}"
            ),
        )
        refuse(
            (since > self.year) | ((until >= 0) & (until < self.year)),
            "agency",
            lambda row: (
                f"an agency active in {self.year}; this one is active {since[row]}–"
                f"{'' if until[row] < 0 else until[row]}"
            ),
        )
        if not ok.any():
            return
        offset = self._offsets(cycle, ok)
        criteria = columns["criterion"]
        position = _pairs(
            np.where(ok, cycle, -1),
            criteria.codes,
            lambda c, k: self._position(c, criteria.texts[k]) if c >= 0 and k >= 0 else -1,
        )
        refuse(
            position < 0,
            "criterion",
            lambda row: (
                f"a criterion of {self.cycles[int(cycle[row])].criteria_set.slug}: "
                + _sample(self.criteria(int(cycle[row])).codes)
            ),
        )
        value, bad = self._numbers(columns["value"])
        refuse(bad >= 0, "value", lambda row: NUMBER_ERRORS[bad[row]])
        if "denominator" in columns:
            denominator, bad_b = self._numbers(columns["denominator"])
            refuse(bad_b >= 0, "denominator", lambda row: NUMBER_ERRORS[bad_b[row]])
        else:
            denominator = np.full(n, NA_MILLI, dtype=np.int64)
        choices = columns.get("choice") or _Column.empty(n)
        given = choices.where(bool)
        at = np.where(ok, offset + position, 0)
        self._rule_checks(refuse, criteria, at, value, denominator, given)
        chosen = self._choices(ok & given, at, choices)
        refuse(
            chosen == _UNKNOWN,
            "choice",
            lambda row: (
                f"one of the choices of criterion {criteria.text(row)}: "
                + ", ".join(sorted(_choice_keys(self.params[at[row]])))
            ),
        )
        rows = np.flatnonzero(ok)
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
        has_value = value != NA_MILLI
        has_denominator = denominator != NA_MILLI
        ratio, choice = rule == RULE_CODES[RuleKind.RATIO], rule == RULE_CODES[RuleKind.CHOICE]
        code = criteria.text
        refuse(
            choice & has_value,
            "value",
            lambda row: f"empty: criterion {code(row)} is a choice, given in column choice",
        )
        refuse(
            ~ratio & has_denominator,
            "denominator",
            lambda row: f"empty: criterion {code(row)} is not a ratio a/b",
        )
        refuse(
            ~choice & has_choice,
            "choice",
            lambda row: f"empty: criterion {code(row)} is not a choice",
        )
        refuse(
            ratio & ~has_value & has_denominator,
            "value",
            lambda row: f"the numerator a of ratio {code(row)} (give both a and b, or neither)",
        )
        refuse(
            ratio & has_value & ~has_denominator,
            "denominator",
            lambda row: (
                f"the denominator b of ratio {code(row)}, above 0 (give both a and b, or neither)"
            ),
        )
        refuse(has_value & (value < 0), "value", "a number not below 0")
        refuse(
            (rule == RULE_CODES[RuleKind.DIRECT]) & has_value & (value > maximum),
            "value",
            lambda row: f"at most {_plain(maximum[row])}, the maximum of criterion {code(row)}",
        )
        refuse(ratio & has_denominator & (denominator <= 0), "denominator", "a number above 0")
        refuse(
            ratio & has_value & has_denominator & (value > denominator),
            "value",
            lambda row: f"at most the denominator b ({_plain(denominator[row])})",
        )

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
RULE_CODES = {kind: i for i, kind in enumerate(RuleKind.values)}
NA_MILLI = np.iinfo(np.int64).min
_UNKNOWN = "\x00unknown"
NUMBER_ERRORS = (
    "a number such as 12.5 or 12,5 (one decimal separator, no thousands separator)",
    "a number without % (e.g. 98.5)",
    "a number with at most 3 decimals",
    f"a number below {RAW_LIMIT:,.0f}",
)


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


def _nullable(milli: np.ndarray) -> pd.arrays.IntegerArray:
    missing = milli == NA_MILLI
    return pd.arrays.IntegerArray(np.where(missing, 0, milli), missing)


def _plain(milli: int) -> str:
    text = str(scoring.milli_to_decimal(int(milli)))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sample(codes: Sequence[str], shown: int = 12) -> str:
    more = len(codes) - shown
    return ", ".join(codes[:shown]) + (f", … ({len(codes)} in all)" if more > 0 else "")


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
            f"one line per agency and criterion; line {first[at[i]]} already has this "
            "agency's value"
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
        lines = f"{size:,} line{'s' if size > 1 else ''} of this cycle"
        if cycle.state == CycleState.APPROVED:
            problems.add(
                CsvProblem(
                    f"cycle {cycle} is approved, its scores are locked ({lines}); it must go "
                    "back to review before an import",
                    int(first),
                )
            )
        elif cycle_id in published and not reason.strip():
            problems.add(
                CsvProblem(
                    f"cycle {cycle} was published by decision {published[cycle_id]} and its "
                    f"published figures stay ({lines}); importing a correction needs a reason "
                    "(--reason)",
                    int(first),
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


def _orm_scores(cycle_ids: list[int], stage: str) -> pd.DataFrame:
    """`_scores_frame` through the ORM, for databases without COPY (the demo's SQLite)."""
    rows = list(
        Score.objects.filter(cycle_id__in=cycle_ids, stage=stage)
        .order_by("id")
        .values_list(
            "id",
            "cycle_id",
            "agency_id",
            "criterion_id",
            "value",
            "denominator",
            "choice",
            "points",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(SCORE_NAMES)
    return pd.DataFrame(
        {
            "id": np.array(columns[0], dtype=np.int64),
            "cycle": np.array(columns[1], dtype=np.int64),
            "agency": np.array(columns[2], dtype=np.int64),
            "criterion": np.array(columns[3], dtype=np.int64),
            "value": scoring.decimals_to_milli(columns[4]),
            "denominator": scoring.decimals_to_milli(columns[5]),
            "choice": pd.Categorical([c or None for c in columns[6]]),
            "stored": np.array([scoring.to_milli(p) for p in columns[7]], dtype=np.int64),
        }
    )


def _write(frame, cycles, by, reader: _CsvReader, path: Path, read_ahead: bool) -> dict:
    """Write the file's changed values with their audit rows; recompute their cycles."""
    run = _Run(cycles, Stage.FINAL, reader.sets, read_ahead=read_ahead)
    bulk = connection.vendor == "postgresql"
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    file_cycle = frame["cycle"].to_numpy()
    now = timezone.now()
    with connection.cursor() as cursor:
        if bulk:
            run.delete_drafts(cursor)
            cursor.execute(
                "DROP TABLE IF EXISTS import_scores; "
                "CREATE TEMP TABLE import_scores (cycle_id bigint, agency_id bigint, "
                "criterion_id bigint, value numeric(15, 3), denominator numeric(15, 3), "
                "choice varchar(40), points numeric(9, 3), max_points numeric(9, 3)) "
                "ON COMMIT DROP"
            )
        batches = (
            run.stored(cursor)
            if bulk
            else ((c, ids, _orm_scores(ids, Stage.FINAL)) for c, ids in run.batches())
        )
        for chosen, cycle_ids, stored in batches:
            mine = frame[np.isin(file_cycle, cycle_ids)]
            merged, written, new, line = _overlay(stored, mine)
            try:
                if bulk:
                    fresh = run.score(cursor, chosen, merged)
                else:
                    fresh = _row_points(run.compute(chosen, merged), merged, chosen)
            except RecomputeRefused as refused:
                raise _engine_refused(refused, merged, line, chosen, reader, path) from refused
            counts["created"] += int(np.count_nonzero(new))
            counts["updated"] += int(np.count_nonzero(written & ~new))
            counts["unchanged"] += int(np.count_nonzero((line > 0) & ~written))
            run.keep_points(merged[~written], fresh[~written])
            rows = merged[written]
            points = fresh[written]
            maxima = chosen.maxima[chosen.positions(rows["criterion"].to_numpy())]
            if bulk:
                _copy_scores(cursor, rows, points, maxima)
            else:
                _upsert_scores(rows, points, maxima, by, now)
        if bulk:
            _upsert_copied(cursor, by, now)
            run.write_points(cursor)
    results = run.results
    if not bulk:
        results = 0
        for cycle in cycles:
            summary = services.cycle_recompute(cycle=cycle)
            results += summary.agencies
            run.points_updated += summary.scores_updated
    return {
        **counts,
        "cycles": len(cycles),
        "results": results,
        "points_updated": run.points_updated,
        "bulk": bulk,
    }


def _copy_scores(cursor, rows: pd.DataFrame, points: np.ndarray, maxima: np.ndarray) -> None:
    """The written rows into the temporary table `import_scores`, by COPY."""
    if not len(rows):
        return

    def numbers(column: pd.Series) -> list[str]:
        milli = _milli_column(column)
        texts = np.array(_milli_texts(np.where(milli == NA_MILLI, 0, milli)), dtype=object)
        texts[milli == NA_MILLI] = "\\N"
        return texts.tolist()

    choices = [_escape(c) if isinstance(c, str) else "" for c in rows["choice"].tolist()]
    text = "".join(
        "\t".join(fields) + "\n"
        for fields in zip(
            rows["cycle"].astype(str).tolist(),
            rows["agency"].astype(str).tolist(),
            rows["criterion"].astype(str).tolist(),
            numbers(rows["value"]),
            numbers(rows["denominator"]),
            choices,
            _milli_texts(points),
            _milli_texts(maxima),
            strict=True,
        )
    )
    cursor.copy_expert(
        "COPY import_scores (cycle_id, agency_id, criterion_id, value, denominator, choice, "
        "points, max_points) FROM STDIN",
        io.StringIO(text),
    )


def _upsert_copied(cursor, by, now) -> None:
    """`scores_upsert` of the copied rows, and one audit row each, in one statement.

    The audit rows are what `audit.record_scores` writes for an import (every tracked
    field, the user, the path "import", history type "~"), but only for the scores the file
    created or changed: a value the file repeats unchanged writes nothing.
    """
    tracked = [field.attname for field in Score.history.model.tracked_fields]
    cursor.execute(
        f"""
        WITH written AS (
            INSERT INTO rankings_score AS s (cycle_id, agency_id, criterion_id, stage, value,
                denominator, choice, points, max_points, comment, review, is_synthetic,
                updated_at, updated_by_id)
            SELECT cycle_id, agency_id, criterion_id, %(stage)s, value, denominator, choice,
                   points, max_points, '', '', false, %(now)s, %(user)s
            FROM import_scores
            ON CONFLICT (cycle_id, agency_id, criterion_id, stage) DO UPDATE SET
                value = EXCLUDED.value, denominator = EXCLUDED.denominator,
                choice = EXCLUDED.choice, points = EXCLUDED.points,
                max_points = EXCLUDED.max_points, is_synthetic = false,
                updated_at = EXCLUDED.updated_at, updated_by_id = EXCLUDED.updated_by_id
            RETURNING s.*
        )
        INSERT INTO rankings_historicalscore ({", ".join(tracked)}, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT {", ".join(tracked)}, %(now)s, %(path)s, '~', %(user)s FROM written
        """,
        {
            "stage": Stage.FINAL.value,
            "now": now,
            "user": by.pk if by is not None else None,
            "path": audit.IMPORT,
        },
    )


def _upsert_scores(rows: pd.DataFrame, points: np.ndarray, maxima: np.ndarray, by, now) -> None:
    """The written rows through `services.scores_upsert` and `audit` (other databases)."""
    if not len(rows):
        return
    scores = [
        Score(
            cycle_id=cycle,
            agency_id=agency,
            criterion_id=criterion,
            stage=Stage.FINAL,
            value=None if value is pd.NA else scoring.milli_to_decimal(value),
            denominator=None if denominator is pd.NA else scoring.milli_to_decimal(denominator),
            choice=choice if isinstance(choice, str) else "",
            points=scoring.milli_to_decimal(milli),
            max_points=scoring.milli_to_decimal(maximum),
            is_synthetic=False,
            updated_by=by,
        )
        for cycle, agency, criterion, value, denominator, choice, milli, maximum in zip(
            rows["cycle"].tolist(),
            rows["agency"].tolist(),
            rows["criterion"].tolist(),
            rows["value"].tolist(),
            rows["denominator"].tolist(),
            rows["choice"].tolist(),
            points.tolist(),
            maxima.tolist(),
            strict=True,
        )
    ]
    services.scores_upsert(scores, also=("is_synthetic",))
    keys = {(s.cycle_id, s.agency_id, s.criterion_id) for s in scores}
    written = [
        score
        for score in Score.objects.filter(
            cycle_id__in={k[0] for k in keys},
            agency_id__in={k[1] for k in keys},
            criterion_id__in={k[2] for k in keys},
            stage=Stage.FINAL,
        )
        if (score.cycle_id, score.agency_id, score.criterion_id) in keys
    ]
    Score.history.bulk_history_create(
        written, update=True, default_user=by, default_change_reason=audit.IMPORT, default_date=now
    )


def _engine_refused(
    refused: RecomputeRefused,
    merged: pd.DataFrame,
    line: np.ndarray,
    chosen: _CriteriaSet,
    reader: _CsvReader,
    path: Path,
) -> CsvRefused:
    """The engine's problems at the file's lines (or naming the stored score at fault)."""
    problems = _Problems()
    agency = merged["agency"].to_numpy()
    position = chosen.positions(merged["criterion"].to_numpy())
    for problem in refused.problems[:200]:
        at = np.flatnonzero(
            (agency == problem.agency)
            & (
                position
                == (
                    chosen.codes.index(problem.criterion)
                    if problem.criterion in chosen.codes
                    else -2
                )
            )
        )
        number = int(line[at[0]]) if at.size and line[at[0]] > 0 else None
        value = None if problem.value is None else str(problem.value)
        if number is not None:
            problems.add(
                CsvProblem(
                    f"refused by the criteria set's rules: {problem.message}",
                    number,
                    reader.shown.get(problem.field, problem.field),
                    value,
                )
            )
        else:
            slug = reader.agency_slugs.get(problem.agency, problem.agency)
            problems.add(
                CsvProblem(
                    f"a stored score the file does not change is refused by the criteria "
                    f"set's rules ({refused.cycle}, agency {slug}, criterion "
                    f"{problem.criterion}): {problem.message}"
                )
            )
    problems.count = len(refused.problems)
    return CsvRefused(
        f"{path.name}: {problems.count:,} problems; nothing was written.",
        problems.first(),
        problems.count,
    )
