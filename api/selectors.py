"""Reads the API needs beyond `rankings.public.selectors`: fixed query counts, published rows."""

import json
from dataclasses import dataclass

from django.db.models import Exists, F, Func, OuterRef, TextField
from django.db.models.functions import Cast

from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    Publication,
    Result,
    source_line,
)


def published_cycles():
    """Cycles with at least one publication; drafts-only cycles are invisible."""
    published = Publication.objects.filter(cycle=OuterRef("pk"))
    return AssessmentCycle.objects.filter(Exists(published)).select_related(
        "province", "block", "criteria_set"
    )


def published_criteria_sets():
    """Criteria sets used by at least one published cycle."""
    published = Publication.objects.filter(cycle__criteria_set=OuterRef("pk"))
    return CriteriaSet.objects.filter(Exists(published)).select_related(
        "province", "block", "copied_from"
    )


def ranking_publications(*, cycle: AssessmentCycle):
    """What a ranking covers: its cycle and every earlier year of its block, since ranks
    and changes read the baseline (the latest earlier published year), which a correction
    of that year or a newly published year between changes."""
    return Publication.objects.filter(
        cycle__province=cycle.province_id,
        cycle__block=cycle.block_id,
        cycle__year__lte=cycle.year,
    )


def block_publications(*, province_id: int, block_id: int):
    return Publication.objects.filter(cycle__province=province_id, cycle__block=block_id)


@dataclass(frozen=True)
class PublishedPoints:
    cycle: AssessmentCycle
    publication: Publication
    criteria: list[Criterion]
    results: list[Result]


def published_points(*, cycle: AssessmentCycle, agency: str = "") -> PublishedPoints | None:
    """Criterion-level points of the latest revision, for one agency (slug) or all (4 queries)."""
    publication = cycle.publications.order_by("-revision").first()
    if publication is None:
        return None
    criteria = list(
        Criterion.objects.filter(criteria_set=cycle.criteria_set_id)
        .select_related("group__parent")
        .order_by("order", "code")
    )
    results = Result.objects.filter(publication=publication).select_related("agency")
    if agency:
        results = results.filter(agency__slug=agency)
    ordered = results.order_by(F("rank").asc(nulls_last=True), "agency__search_name")
    return PublishedPoints(cycle, publication, criteria, list(ordered))


def all_publications():
    return Publication.objects.all()


# --- A year's published results, every cycle at once ----------------------------------


@dataclass(frozen=True)
class PublishedCycle:
    """A cycle's identifiers and rules, and its latest publication's decision."""

    province: str
    year: int
    block: str
    criteria_set: str
    precision: int
    percent_precision: int
    decision_number: str
    source: str  # Publication.source_line
    revision: int
    groups: tuple[tuple[str, int], ...]  # top-level group code → its column in `points`


@dataclass(frozen=True)
class YearResults:
    """The latest published revision of every cycle of a year, as plain values.

    `cycles` are in province name and block order; `rows[cycle_id]` are that cycle's
    results in rank order (unranked last, then by name), each a tuple of `RESULT_COLUMNS`
    then one point text per top-level group code of the year (`None` where a result has
    none). Numbers are text as the database writes them: exact, never a float.
    """

    year: int
    cycles: dict[int, PublishedCycle]
    rows: dict[int, list[tuple]]


RESULT_COLUMNS = (
    "cycle_id",
    "rank",
    "agency_id",
    "agency__slug",
    "agency__name",
    "agency__short_name",
    "agency__admin_unit_code",
    "score_text",
    "percent_text",
    "band",
    "not_ranked_reason",
)


class JSONKeyText(Func):
    """The text at `key` of a JSON object column. Django's own key transforms read a key
    like "1" as an array index, and group codes are such keys."""

    output_field = TextField()

    def __init__(self, column: str, key: str):
        super().__init__(F(column))
        self.key = key

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({column}, %s)", (*params, "$." + json.dumps(self.key))

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} ->> %s)", (*params, self.key)


def year_publications(*, year: int, province=None, block=None):
    """Every publication (all revisions) a year's results cover, for their cache validators."""
    publications = Publication.objects.filter(cycle__year=year)
    if province is not None:
        publications = publications.filter(cycle__province=province)
    if block is not None:
        publications = publications.filter(cycle__block=block)
    return publications


def year_results(*, year: int, province=None, block=None) -> YearResults:
    """A year's published results across provinces (or one), in 3 queries whatever the size.

    Only what a ranking row shows is read: no `Result.criteria` (80 points a row), no
    sub-group points, no model instances.
    """
    latest = _latest_revisions(year=year, province=province, block=block)
    codes = _top_group_codes({row[6] for row in latest.values()})
    columns = {code: n for n, code in enumerate(sorted({c for cs in codes.values() for c in cs}))}
    cycles = {row[1]: _published_cycle(row, year, codes, columns) for row in latest.values()}
    points = {f"point_{n}": JSONKeyText("groups", code) for code, n in columns.items()}
    results = (
        Result.objects.filter(publication__in=[row[0] for row in latest.values()])
        .annotate(
            score_text=Cast("score", TextField()),
            percent_text=Cast("percent", TextField()),
            **points,
        )
        .order_by("cycle_id", F("rank").asc(nulls_last=True), "agency__search_name", "agency_id")
        .values_list(*RESULT_COLUMNS, *points)
    )
    rows: dict[int, list[tuple]] = {cycle_id: [] for cycle_id in cycles}
    for row in results:
        rows[row[0]].append(row)
    return YearResults(year=year, cycles=cycles, rows=rows)


def _latest_revisions(*, year: int, province, block) -> dict[int, tuple]:
    """Each cycle's latest publication as a row (id, cycle, revision, decision, province,
    block, criteria set id, slug, precision, percent precision, source kind, source title,
    decision date), in the page's order."""
    latest: dict[int, tuple] = {}
    publications = (
        year_publications(year=year, province=province, block=block)
        .order_by("cycle__province__name", "cycle__block__order", "cycle__block__slug", "cycle_id")
        .values_list(
            "id",
            "cycle_id",
            "revision",
            "decision_number",
            "cycle__province__slug",
            "cycle__block__slug",
            "cycle__criteria_set_id",
            "cycle__criteria_set__slug",
            "cycle__criteria_set__precision",
            "cycle__criteria_set__percent_precision",
            "source_kind",
            "source_title",
            "decision_date",
        )
    )
    for row in publications:
        if row[1] not in latest or row[2] > latest[row[1]][2]:
            latest[row[1]] = row
    return latest


def _top_group_codes(set_ids: set[int]) -> dict[int, list[str]]:
    """The codes of each criteria set's top-level groups, in order."""
    codes: dict[int, list[str]] = {}
    groups = CriterionGroup.objects.filter(criteria_set__in=set_ids, parent__isnull=True).order_by(
        "criteria_set", "order", "code"
    )
    for set_id, code in groups.values_list("criteria_set_id", "code"):
        codes.setdefault(set_id, []).append(code)
    return codes


def _published_cycle(row: tuple, year: int, codes: dict, columns: dict) -> PublishedCycle:
    (
        _pk,
        _cycle_id,
        revision,
        number,
        province_slug,
        block_slug,
        set_id,
        set_slug,
        precision,
        percent_precision,
        kind,
        title,
        date,
    ) = row
    return PublishedCycle(
        province=province_slug,
        year=year,
        block=block_slug,
        criteria_set=set_slug,
        precision=precision,
        percent_precision=percent_precision,
        decision_number=number,
        source=source_line(kind, number, title, date),
        revision=revision,
        groups=tuple((code, columns[code]) for code in codes.get(set_id, ())),
    )
