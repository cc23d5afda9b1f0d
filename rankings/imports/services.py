"""Bulk entry of scores from a filled template (.xlsx) or a CSV: parse, preview, apply.

`import_parse` reads the file and reports every problem at once, each located as the user
sees it (row number, column header, the value typed, what was expected, in Vietnamese);
rule checks are the engine's own (`scoring.compute`), translated back to rows and columns.
`import_preview` shows the ranking the file would give, writing nothing. `import_apply`
writes the scores and the draft results in one transaction, or nothing at all.

Hostile files are refused before they are read (`upload_safety`), each with its reason.

A view keeps the uploaded bytes between preview and confirmation and parses them again
on confirmation (cheap, and checked against the database as it is then); `digest` lets it
make sure the confirmed file is the one that was previewed.

A province's file (200 agencies × 80 criteria) takes seconds; each function takes an
optional `progress(phase, done, total)` callback, called every few rows (at most about
`REPORTS_PER_PHASE` times a phase, and once when a phase completes with done == total),
so a page can show how far the work has got. Phases, in order: "read" (the sheet's rows;
total 0 while unknown), "check" (the data rows), "compute" (the engine), then "preview" for
a preview, or "save" (agencies written) and "recompute" (the draft results) for an apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

import scoring
from agencies.models import Agency
from rankings.cycles import audit, services
from rankings.frames import score_records
from rankings.imports.reader import _compute, _Reader
from rankings.imports.sheets import _csv_grid, _formula_problems, _xlsx_grid
from rankings.imports.types import (
    REPORTS_PER_PHASE,
    SAVE_BATCH,
    ImportProblem,
    ImportRefused,
    ImportRow,
    ImportSummary,
    ParsedImport,
    Preview,
    PreviewRow,
    Progress,
    Upload,
    _no_progress,
    _Phase,
    _Refusal,
)
from rankings.imports.upload_safety import _extension, _file_format
from rankings.models import AssessmentCycle, Criterion, Score, Stage

# ---------------------------------------------------------------------------------------
# Parse


def import_parse(
    *, cycle: AssessmentCycle, upload: bytes, filename: str, progress: Progress | None = None
) -> ParsedImport:
    """Read an uploaded .xlsx or .csv for `cycle`; report every problem or the rows to store."""
    progress = progress or _no_progress
    digest = hashlib.sha256(upload).hexdigest()
    base = Upload(cycle_id=cycle.pk, filename=filename, digest=digest)
    file_format, encoding = _extension(filename), None
    try:
        file_format = _file_format(upload, filename)
        if file_format == "xlsx":
            grid = _xlsx_grid(upload, filename, progress)
        else:
            grid, encoding = _csv_grid(upload, filename, progress)
    except _Refusal as refusal:
        return ParsedImport(
            **base, file_format=file_format, encoding=encoding, problems=(refusal.problem,)
        )
    formulas = _formula_problems(grid)
    if formulas:
        return ParsedImport(**base, file_format=file_format, encoding=encoding, problems=formulas)
    rows, problems, warnings = _Reader(cycle, grid, progress).read()
    return ParsedImport(
        **base,
        file_format=file_format,
        encoding=encoding,
        rows=tuple(rows) if not problems else (),
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------------------------------
# Preview and apply


def _require_ready(cycle: AssessmentCycle, parsed: ParsedImport) -> None:
    if parsed.cycle_id != cycle.pk:
        raise ImportRefused(gettext("tệp đã được đọc cho một kỳ đánh giá khác; hãy tải lên lại."))
    if not parsed.ok:
        raise ImportRefused(
            gettext("tệp “%(f)s” có %(n)s lỗi; hãy sửa rồi tải lên lại.")
            % {"f": parsed.filename, "n": len(parsed.problems)},
            parsed.problems,
        )
    if not parsed.rows:
        raise ImportRefused(gettext("tệp không có dòng dữ liệu nào."))


def _merged(cycle: AssessmentCycle, parsed: ParsedImport, stage: str) -> tuple[list, list]:
    """The stored records at `stage`, and the same with the file's agencies replaced."""
    stored = score_records(cycle=cycle, stage=stage)
    in_file = {row.agency_id for row in parsed.rows}
    kept = [record for record in stored if record["agency"] not in in_file]
    return stored, kept + parsed.records(block=cycle.block_id)


def _engine_refusal(error: scoring.ScoringInputError) -> ImportRefused:
    stored = gettext("số liệu đã lưu chưa hợp lệ: %(p)s")
    problems = tuple(ImportProblem(stored % {"p": p}) for p in error.problems)
    return ImportRefused(gettext("không tính được bảng xếp hạng với số liệu hiện có."), problems)


def _computed(cycle: AssessmentCycle, records: list):
    """The engine's scorecard of `records`, its refusal as an ImportRefused."""
    try:
        return _compute(cycle, records)
    except scoring.ScoringInputError as error:
        raise _engine_refusal(error) from error


def import_preview(
    *,
    cycle: AssessmentCycle,
    parsed: ParsedImport,
    stage: str = Stage.FINAL,
    progress: Progress | None = None,
) -> Preview:
    """The ranking the cycle would have at `stage` once the file is applied; writes nothing.

    Agencies the file leaves out keep their stored scores, as `import_apply` leaves them.
    """
    progress = progress or _no_progress
    _require_ready(cycle, parsed)
    progress("preview", 0, 2)
    stored, merged = _merged(cycle, parsed, stage)
    card = _computed(cycle, merged)
    progress("preview", 1, 2)
    rows = _preview_rows(card, parsed, stored, _current_standing(cycle, stored))
    progress("preview", 2, 2)
    return Preview(
        cycle=cycle,
        stage=stage,
        max_points=cycle.criteria_set.max_points,
        rows=rows,
        published=cycle.publications.exists(),
    )


def _current_standing(cycle: AssessmentCycle, stored: list) -> dict:
    """Each agency's (total, rank) from the stored records; none when they do not compute."""
    current: dict = {}
    if stored:
        try:
            for row in _compute(cycle, stored).results_decimal().itertuples(index=False):
                current[row.agency] = (row.total, row.rank)
        except scoring.ScoringInputError:
            current = {}
    return current


def _preview_rows(card, parsed: ParsedImport, stored: list, current: dict) -> list[PreviewRow]:
    """A preview row per result of `card`, beside the agency's current total and rank."""
    in_file = {row.agency_id: row for row in parsed.rows}
    others = {
        pk: (slug, name)
        for pk, slug, name in Agency.objects.filter(
            pk__in={r["agency"] for r in stored} - in_file.keys()
        ).values_list("pk", "slug", "name")
    }
    rows = []
    for result in card.results_decimal().itertuples(index=False):
        mine = in_file.get(result.agency)
        slug, name = (mine.agency_slug, mine.agency_name) if mine else others[result.agency]
        total, rank = current.get(result.agency, (None, None))
        rows.append(
            PreviewRow(
                rank=None if result.rank is None else int(result.rank),
                agency_id=int(result.agency),
                agency_slug=slug,
                agency_name=name,
                total=result.total,
                score=result.score,
                percent=result.percent,
                band=result.band or "",
                not_ranked_reason=result.not_ranked_reason or "",
                in_file=mine is not None,
                current_total=total,
                current_rank=None if rank is None else int(rank),
            )
        )
    return rows


def import_apply(
    *,
    cycle: AssessmentCycle,
    parsed: ParsedImport,
    user=None,
    stage: str = Stage.FINAL,
    reason: str = "",
    progress: Progress | None = None,
    path: str = audit.IMPORT,
) -> ImportSummary:
    """Store the file's scores at `stage` and recompute the draft results, all or nothing.

    `path` is the audit trail's channel: the import page, or the API's import operation.

    Every (agency, criterion) of the file is upserted on (cycle, agency, criterion, stage),
    so applying the same file twice changes nothing. A published cycle is frozen: it is
    refused unless a correction `reason` is given (the correction is published later).
    Scores are written a batch of agencies at a time (`SAVE_BATCH` scores), for `progress`.
    """
    progress = progress or _no_progress
    _require_ready(cycle, parsed)
    if stage not in Stage.values:
        raise ImportRefused(gettext("giai đoạn “%(s)s” không hợp lệ.") % {"s": stage})
    by = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        cycle = _cycle_locked_for_import(cycle, reason)
        progress("compute", 0, 1)
        _, merged = _merged(cycle, parsed, stage)
        card = _computed(cycle, merged)
        progress("compute", 1, 1)
        in_file = {row.agency_id for row in parsed.rows}
        saving = _Saving(cycle=cycle, stage=stage, points=_file_points(card, in_file), by=by)
        before = set(
            Score.objects.filter(cycle=cycle, stage=stage, agency__in=in_file).values_list(
                "agency_id", "criterion_id"
            )
        )
        scores = saving.save(parsed.rows, progress=progress, path=path)
        progress("recompute", 0, 1)
        recomputed = services.cycle_recompute(cycle=cycle, stage=stage)
        progress("recompute", 1, 1)
    created = sum((s.agency_id, s.criterion_id) not in before for s in scores)
    return ImportSummary(
        agencies=len(parsed.rows),
        scores_created=created,
        scores_updated=len(scores) - created,
        results=recomputed.agencies,
        stage=stage,
        digest=parsed.digest,
        reason=reason.strip(),
    )


def _cycle_locked_for_import(cycle: AssessmentCycle, reason: str) -> AssessmentCycle:
    """The cycle again, locked; a published one only with a correction reason."""
    cycle = (
        AssessmentCycle.objects.select_for_update()
        .select_related("criteria_set", "province", "block")
        .get(pk=cycle.pk)
    )
    latest = cycle.publications.order_by("-revision").first()
    if latest is not None and not reason.strip():
        raise ImportRefused(
            gettext(
                "kỳ đánh giá %(c)s đã công bố theo Quyết định %(d)s: số liệu đã công bố được "
                "giữ nguyên; muốn nhập lại phải ghi lý do đính chính."
            )
            % {"c": cycle, "d": latest.decision_number}
        )
    return cycle


def _file_points(card, in_file: set) -> dict:
    """The engine's points of the file's agencies, by (agency, criterion code)."""
    return {
        (agency, code): scoring.milli_to_decimal(milli)
        for agency, code, milli in card.points[["agency", "criterion", "points"]].itertuples(
            index=False
        )
        if agency in in_file
    }


class _Saving:
    """The file's scores written a batch of agencies at a time, each batch audited."""

    def __init__(self, *, cycle: AssessmentCycle, stage: str, points: dict, by) -> None:
        self.cycle, self.stage, self.points, self.by = cycle, stage, points, by
        self.criteria = {
            code: (pk, maximum)
            for code, pk, maximum in Criterion.objects.filter(
                criteria_set=cycle.criteria_set_id
            ).values_list("code", "pk", "max_points")
        }

    def save(self, rows: Sequence[ImportRow], *, progress: Progress, path: str) -> list[Score]:
        batch = max(-(-len(rows) // REPORTS_PER_PHASE), SAVE_BATCH // max(len(self.criteria), 1), 1)
        saving = _Phase(progress, "save", len(rows))
        scores: list[Score] = []
        for start in range(0, len(rows), batch):
            written = self.scores(rows[start : start + batch])
            services.scores_upsert(written, also=("is_synthetic",))
            audit.record_scores(
                cycle=self.cycle,
                agency_ids=[row.agency_id for row in rows[start : start + batch]],
                stage=self.stage,
                user=self.by,
                path=path,
            )
            scores += written
            saving.tick(min(start + batch, len(rows)))
        saving.end(len(rows))
        return scores

    def scores(self, rows: Sequence[ImportRow]) -> list[Score]:
        return [
            Score(
                cycle=self.cycle,
                agency_id=row.agency_id,
                criterion_id=self.criteria[cell.criterion][0],
                stage=self.stage,
                value=cell.value,
                denominator=cell.denominator,
                choice=cell.choice or "",
                points=self.points[(row.agency_id, cell.criterion)],
                max_points=self.criteria[cell.criterion][1],
                is_synthetic=False,
                updated_by=self.by,
            )
            for row in rows
            for cell in row.cells
        ]
