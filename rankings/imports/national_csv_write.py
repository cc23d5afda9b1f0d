"""Writing a validated national CSV's scores (COPY on PostgreSQL) and their audit rows."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

import scoring
from rankings.copy_text import escape, milli_texts
from rankings.cycles import audit, services
from rankings.cycles.year_recompute import (
    SCORE_NAMES,
    RecomputeRefused,
    _CriteriaSet,
    _row_points,
    _Run,
)
from rankings.imports.national_csv_reader import _CsvReader, _milli_column, _overlay
from rankings.imports.national_csv_types import NA_MILLI, _Problems, refused_text
from rankings.imports.types import ImportProblem, ImportRefused
from rankings.models import (
    Score,
    Stage,
)


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
    file_cycle = frame["cycle"].to_numpy()
    now = timezone.now()
    with connection.cursor() as cursor:
        if bulk:
            run.delete_drafts(cursor)
            _import_table_create(cursor)
        batches = (
            run.stored(cursor)
            if bulk
            else ((c, ids, _orm_scores(ids, Stage.FINAL)) for c, ids in run.batches())
        )
        writer = _BatchWriter(run, cursor, reader, path, bulk=bulk, by=by, now=now)
        for chosen, cycle_ids, stored in batches:
            writer.write(chosen, stored, frame[np.isin(file_cycle, cycle_ids)])
        if bulk:
            _upsert_copied(cursor, by, now)
            run.write_points(cursor)
    results = run.results
    if not bulk:
        results = _cycles_recomputed(run, cycles)
    return {
        **writer.counts,
        "cycles": len(cycles),
        "results": results,
        "points_updated": run.points_updated,
        "bulk": bulk,
    }


def _import_table_create(cursor) -> None:
    """The temporary table the written rows are copied into, dropped at commit."""
    cursor.execute(
        "DROP TABLE IF EXISTS import_scores; "
        "CREATE TEMP TABLE import_scores (cycle_id bigint, agency_id bigint, "
        "criterion_id bigint, value numeric(15, 3), denominator numeric(15, 3), "
        "choice varchar(40), points numeric(9, 3), max_points numeric(9, 3)) "
        "ON COMMIT DROP"
    )


def _cycles_recomputed(run: _Run, cycles) -> int:
    """Recompute each cycle through the ORM (no COPY); the number of results."""
    results = 0
    for cycle in cycles:
        summary = services.cycle_recompute_orm(cycle=cycle)
        results += summary.agencies
        run.points_updated += summary.scores_updated
    return results


class _BatchWriter:
    """Writes each batch of cycles of a criteria set: the file laid over the stored scores,
    points computed, the changed rows written (COPY, or the ORM); counts what it wrote."""

    def __init__(self, run: _Run, cursor, reader: _CsvReader, path: Path, *, bulk, by, now):
        self.run, self.cursor, self.reader, self.path = run, cursor, reader, path
        self.bulk, self.by, self.now = bulk, by, now
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}

    def write(self, chosen, stored: pd.DataFrame, mine: pd.DataFrame) -> None:
        merged, written, new, line = _overlay(stored, mine)
        fresh = self.points(chosen, merged, line)
        self.counts["created"] += int(np.count_nonzero(new))
        self.counts["updated"] += int(np.count_nonzero(written & ~new))
        self.counts["unchanged"] += int(np.count_nonzero((line > 0) & ~written))
        self.run.keep_points(merged[~written], fresh[~written])
        rows = merged[written]
        points = fresh[written]
        maxima = chosen.maxima[chosen.positions(rows["criterion"].to_numpy())]
        if self.bulk:
            _copy_scores(self.cursor, rows, points, maxima)
        else:
            _upsert_scores(rows, points, maxima, self.by, self.now)

    def points(self, chosen, merged: pd.DataFrame, line: np.ndarray) -> np.ndarray:
        """The engine's points of every merged row; its refusal names the file's lines."""
        try:
            if self.bulk:
                return self.run.score(self.cursor, chosen, merged)
            return _row_points(self.run.compute(chosen, merged), merged, chosen)
        except RecomputeRefused as refused:
            raise _engine_refused(
                refused, merged, line, chosen, self.reader, self.path
            ) from refused


def _copy_scores(cursor, rows: pd.DataFrame, points: np.ndarray, maxima: np.ndarray) -> None:
    """The written rows into the temporary table `import_scores`, by COPY."""
    if not len(rows):
        return

    def numbers(column: pd.Series) -> list[str]:
        milli = _milli_column(column)
        texts = np.array(milli_texts(np.where(milli == NA_MILLI, 0, milli)), dtype=object)
        texts[milli == NA_MILLI] = "\\N"
        return texts.tolist()

    choices = [escape(c) if isinstance(c, str) else "" for c in rows["choice"].tolist()]
    text = "".join(
        "\t".join(fields) + "\n"
        for fields in zip(
            rows["cycle"].astype(str).tolist(),
            rows["agency"].astype(str).tolist(),
            rows["criterion"].astype(str).tolist(),
            numbers(rows["value"]),
            numbers(rows["denominator"]),
            choices,
            milli_texts(points),
            milli_texts(maxima),
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
) -> ImportRefused:
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
                ImportProblem(
                    _("bộ tiêu chí không nhận: %(message)s") % {"message": problem.message},
                    row=number,
                    column=reader.shown.get(problem.field, problem.field),
                    value=value,
                )
            )
        else:
            slug = reader.agency_slugs.get(problem.agency, problem.agency)  # type: ignore[call-overload]  # the engine's Hashable ids are the reader's ints
            problems.add(
                ImportProblem(
                    _(
                        "bộ tiêu chí không nhận một điểm đã lưu mà tệp không đổi (%(cycle)s, "
                        "cơ quan %(agency)s, tiêu chí %(criterion)s): %(message)s"
                    )
                    % {
                        "cycle": refused.cycle,
                        "agency": slug,
                        "criterion": problem.criterion,
                        "message": problem.message,
                    }
                )
            )
    problems.count = len(refused.problems)
    return ImportRefused(refused_text(path, problems.count), problems.first(), problems.count)
