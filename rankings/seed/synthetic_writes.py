"""Writing the synthetic national data in bulk (COPY on PostgreSQL), and removing it.

PostgreSQL `COPY` when the database is PostgreSQL; otherwise results through
`bulk_create` and scores through one multi-row `executemany` per chunk.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.db import connection, transaction

from agencies.models import (
    AdministrativeUnit,
    Agency,
    Block,
    Province,
    Succession,
    UnitSuccession,
)
from rankings import copy_text
from rankings.copy_text import escape
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    Evidence,
    Publication,
    Result,
    Score,
    Stage,
)
from rankings.seed.synthetic_catalogue import BLOCK_MAXIMUM, CHUNK, PREFIX, SCORE_FIELDS, milli_text
from rankings.seed.synthetic_draws import CriteriaArrays, Drawn, draw_inputs


def _inputs(chosen, table: CriteriaArrays, seed: int, year: int) -> tuple[pd.DataFrame, Drawn]:
    """The engine's inputs frame for all cycles of a block, sorted by agency id."""
    parts, agencies, blocks = [], [], []
    block_index = list(BLOCK_MAXIMUM).index(chosen[0][0].block)
    for unit, cycle in chosen:
        n = len(unit.agencies)
        parts.append(draw_inputs(table, n, seed=seed, key=unit.key, block=block_index, year=year))
        agencies.append(np.array(unit.agencies, dtype=np.int64))
        blocks.append(np.full(n, cycle, dtype=np.int64))
    agency = np.concatenate(agencies)
    order = np.argsort(agency, kind="stable")
    drawn = Drawn(
        *(
            np.concatenate([getattr(p, f.name) for p in parts])[order]
            for f in dataclasses.fields(Drawn)
        )
    )
    agency, block = agency[order], np.concatenate(blocks)[order]
    n, k = drawn.value.shape
    frame = pd.DataFrame(
        {
            "agency": np.repeat(agency, k),
            "block": np.repeat(block, k),
            "criterion": pd.Categorical.from_codes(
                np.tile(np.arange(k), n), categories=[s.code for s in table.specs]
            ),
            "value": pd.arrays.IntegerArray(drawn.value.ravel(), drawn.value_na.ravel()),
            "denominator": pd.arrays.IntegerArray(
                drawn.denominator.ravel(), drawn.denominator_na.ravel()
            ),
            "choice": drawn.choice.ravel(),
        }
    )
    return frame, drawn


def _scores_write(frame: pd.DataFrame, drawn: Drawn, card, table: CriteriaArrays, now) -> int:
    """Final-stage scores with the engine's points, one row per agency and criterion."""
    points = card.points
    if not (
        np.array_equal(points["agency"].to_numpy(), frame["agency"].to_numpy())
        and np.array_equal(points["criterion"].cat.codes.to_numpy(), frame["criterion"].cat.codes)
    ):
        raise RuntimeError("the engine's points are not in the inputs' order")
    n = drawn.value.shape[0]
    criterion = np.tile(table.ids, n)
    maxima = np.tile(table.maxima, n)
    value = drawn.value.ravel()
    value_na = drawn.value_na.ravel()
    denominator = drawn.denominator.ravel()
    denominator_na = drawn.denominator_na.ravel()
    choice = drawn.choice.ravel()
    milli = points["points"].to_numpy(dtype=np.int64)
    cycle = frame["block"].to_numpy()
    agency = frame["agency"].to_numpy()
    total = len(frame)
    postgres = connection.vendor == "postgresql"
    null = "\\N" if postgres else None
    stamp = now.isoformat() if postgres else connection.ops.adapt_datetimefield_value(now)
    synthetic = "t" if postgres else True
    for start in range(0, total, CHUNK):
        s = slice(start, start + CHUNK)
        chosen = choice[s]
        rows = zip(
            _column(cycle[s], postgres),
            _column(agency[s], postgres),
            _column(criterion[s], postgres),
            itertools.repeat(Stage.FINAL.value),
            _decimals(value[s], value_na[s], null),
            _decimals(denominator[s], denominator_na[s], null),
            np.where(pd.isna(chosen), "", chosen.astype(str)).tolist(),
            _decimals(milli[s]),
            _decimals(maxima[s]),
            itertools.repeat(""),
            itertools.repeat(synthetic),
            itertools.repeat(stamp),
            itertools.repeat(null),
        )
        (_copy if postgres else _insert)(Score, SCORE_FIELDS, rows)
    return total


def _column(ids: np.ndarray, as_text: bool) -> list:
    return ids.astype(str).tolist() if as_text else ids.tolist()


def _decimals(milli: np.ndarray, missing: np.ndarray | None = None, null=None) -> list:
    text = milli_text(milli).astype(object)
    if missing is not None:
        text[missing] = null
    return text.tolist()


def _results_write(card, table: CriteriaArrays, publications: dict[int, int]) -> int:
    """Draft results and their published copies, field for field as `_result_rows` has them."""
    criteria_codes = [s.code for s in table.specs]
    k = len(criteria_codes)
    agencies = np.sort(card.points["agency"].to_numpy()[::k])
    n = len(agencies)
    group_codes, group_milli = _wide(card.groups, "group", n)
    subgroup_codes, subgroup_milli = _wide(card.subgroups, "subgroup", n)
    keys = [*group_codes, *subgroup_codes]
    sums = milli_text(np.hstack([group_milli, subgroup_milli])).tolist()
    points = milli_text(card.points["points"].to_numpy().reshape(n, k)).tolist()
    results = card.results_decimal()
    position = np.searchsorted(agencies, results["agency"].to_numpy())
    postgres = connection.vendor == "postgresql"
    copied: list[dict] = []  # PostgreSQL: the fields, for COPY
    draft: list[Result] = []
    published: list[Result] = []
    for row, at in zip(results.itertuples(index=False), position.tolist(), strict=True):
        groups = dict(zip(keys, sums[at], strict=True))
        criteria = dict(zip(criteria_codes, points[at], strict=True))
        rank = None if row.rank is None or row.rank != row.rank else int(row.rank)
        fields = {
            "cycle_id": int(row.block),
            "agency_id": int(row.agency),
            "total": row.total,
            "score": row.score,
            "percent": row.percent,
            "rank": rank,
            "band": row.band or "",
            "not_ranked_reason": row.not_ranked_reason or "",
            "groups": groups,
            "criteria": criteria,
        }
        if postgres:
            copied.append(fields)
        else:
            draft.append(Result(**fields))
            published.append(Result(publication_id=publications[int(row.block)], **fields))
    if postgres:
        columns = ["cycle", "publication", "agency", "total", "score", "percent", "rank"]
        columns += ["band", "not_ranked_reason", "groups", "criteria"]
        _copy(Result, columns, _result_lines(copied, None))
        _copy(Result, columns, _result_lines(copied, publications))
    else:
        Result.objects.bulk_create(draft, batch_size=2000)
        Result.objects.bulk_create(published, batch_size=2000)
    return 2 * (len(copied) + len(draft))  # one of the two is empty


def _wide(frame: pd.DataFrame, column: str, n: int) -> tuple[list[str], np.ndarray]:
    """A long (agency, code, points) frame as codes and an agencies × codes matrix."""
    if frame.empty:
        return [], np.zeros((n, 0), dtype=np.int64)
    width = len(frame) // n
    codes = [str(code) for code in frame[column].iloc[:width]]
    return codes, frame["points"].to_numpy(dtype=np.int64).reshape(n, width)


def _result_lines(rows: list[dict], publications: dict[int, int] | None):
    for fields in rows:
        publication = "\\N" if publications is None else str(publications[fields["cycle_id"]])
        yield (
            str(fields["cycle_id"]),
            publication,
            str(fields["agency_id"]),
            str(fields["total"]),
            str(fields["score"]),
            str(fields["percent"]),
            "\\N" if fields["rank"] is None else str(fields["rank"]),
            escape(fields["band"]),
            escape(fields["not_ranked_reason"]),
            escape(json.dumps(fields["groups"])),
            escape(json.dumps(fields["criteria"])),
        )


def _defaults(model, fields: list[str]) -> tuple[list[str], tuple]:
    """The model's other columns and their defaults, prepared for the database.

    A column added later (with a default) is filled as the ORM would fill it, so these
    bulk writes keep working when the models grow.
    """
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.name in fields:
            continue
        names.append(model_field.name)
        values.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    return names, tuple(values)


def _insert(model, fields: list[str], rows: Iterable[Sequence]) -> None:
    """Multi-row INSERT through the DB-API's executemany (for databases without COPY).

    `bulk_create` prepares every decimal through the field (about 0.3 ms a score row);
    the values here are already in the database's form: ints, decimal strings, None.
    """
    names, defaults = _defaults(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column) for f in [*fields, *names]
    )
    marks = ", ".join(["%s"] * (len(fields) + len(names)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [(*row, *defaults) for row in rows],
        )


def _copy(model, fields: list[str], rows: Iterable[Sequence[str]]) -> None:
    """COPY rows (tuples of text, "\\N" for NULL) into `model`'s table, in chunks."""
    names, defaults = _defaults(model, fields)
    suffix = "".join("\t" + copy_text.field(value) for value in defaults)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(f).column) for f in [*fields, *names]
    )
    sql = f"COPY {table} ({columns}) FROM STDIN"
    connection.ensure_connection()
    raw = connection.connection
    iterator = iter(rows)
    with raw.cursor() as cursor:
        while True:
            chunk = list(itertools.islice(iterator, CHUNK))
            if not chunk:
                break
            text = "".join("\t".join(row) + suffix + "\n" for row in chunk)
            cursor.copy_expert(sql, io.StringIO(text))


# ---------------------------------------------------------------------------------------
# Removal.


def national_reset() -> dict[str, int]:
    """Delete the national cycles with their scores, results and publications.

    Agencies, units and the national criteria sets stay. Raw deletes: the ORM would load
    every score to cascade to its evidence.
    """
    cycles = AssessmentCycle.objects.filter(criteria_set__slug__startswith=PREFIX)
    counts: dict[str, int] = {}
    with transaction.atomic():
        cycle_ids = list(cycles.values_list("id", flat=True))
        counts["evidence"] = Evidence.objects.filter(score__cycle_id__in=cycle_ids).delete()[0]
        for model in (Result, Publication, Score):
            counts[model._meta.model_name] = _raw_delete(model, cycle_ids)  # type: ignore[index]  # a model's model_name is set
        counts["assessmentcycle"] = cycles.delete()[0]
    return counts


def _raw_delete(model, cycle_ids: list[int]) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field("cycle").column)
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(cycle_ids), 500):
            chunk = cycle_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
            deleted += cursor.rowcount
    return deleted


def table_counts() -> dict[str, int]:
    """Rows per table, for the report at the end of a run."""
    models = (
        AdministrativeUnit,
        UnitSuccession,
        Province,
        Block,
        Agency,
        Succession,
        CriteriaSet,
        Criterion,
        AssessmentCycle,
        Score,
        Result,
        Publication,
    )
    return {model._meta.db_table: model.objects.count() for model in models}
