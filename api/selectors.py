"""Reads the API needs beyond `rankings.selectors`: fixed query counts, published rows only."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef

from rankings.models import AssessmentCycle, CriteriaSet, Criterion, Publication, Result


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
    """What a ranking covers: its cycle and the year before (ranks and changes read it)."""
    return Publication.objects.filter(
        cycle__province=cycle.province_id,
        cycle__block=cycle.block_id,
        cycle__year__in=[cycle.year - 1, cycle.year],
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
