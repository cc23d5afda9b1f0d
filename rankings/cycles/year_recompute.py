"""The one recompute path: a cycle (a block) or every cycle of a year, COPY on PostgreSQL.

`services.cycle_recompute` (a block: an import, a publication, a correction) and
`year_recompute` (a national year) both come here. The ORM way of reading a cycle, running
the engine and writing its drafts (`services.cycle_recompute_orm`) was 31–74 times one SQL
query for a block and 17.6 times the I/O floor for a national year (bench/README.md). Here
the same results come from the same engine with the work grouped: on PostgreSQL the scores
of a batch of cycles are read by one `COPY … TO`, the engine runs once per criteria set and
batch (the cycle is the engine's block, so "relative" criteria and ranks stay per cycle, as
`seed_national` already does), the draft results are replaced by one DELETE and
`COPY … FROM`, and points are written back only where they changed. Batches hold at most
`BATCH_SCORES` scores, so memory stays bounded whatever the year's size. Everything happens
in one transaction, with the cycles locked as an import locks its cycle. Other databases
(SQLite, the demo) take the per-cycle ORM path.

The drafts are those `services.cycle_recompute_orm` writes, field for field (tests compare
every field; bench/national_recompute.py compares an md5 over the national year).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count

import scoring
from agencies.models import Agency
from rankings.copy_text import escape, milli_texts
from rankings.cycles import services
from rankings.frames import criteria_frame, ranking_rules
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
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
        self.cycle, self.problems, self.error = cycle, error.problems, error
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
                    summary = services.cycle_recompute_orm(cycle=cycle, stage=stage)
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
        frame = criteria_frame(criteria_set=criteria_set)
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
            rules=ranking_rules(criteria_set=criteria_set),
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
        if len(self.cycles) == 1:  # a block: one batch, no estimate to read
            (cycle,) = self.cycles.values()
            yield self.sets[cycle.criteria_set_id], [cycle.pk]
            return
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
            batch: list[int] = []
            rows = 0
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
            f"{pk}\t{value}\n" for pk, value in zip(ids.tolist(), milli_texts(milli), strict=True)
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
        + ", ".join(escape(json.dumps(key)).replace("%", "%%") + ': "%s"' for key in order)
        + "}"
    )
    texts = milli_texts(milli[:, columns])
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
    totals = milli_texts(results["total"].to_numpy())
    scores = milli_texts(results["score"].to_numpy())
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
            f"{escape(band or '')}\t{escape(reason or '')}\t"
            f"{groups[at[i]]}\t{criteria[at[i]]}\n"
        )
    return lines
