"""The compare page's picker: the agencies of each published block of a year, to tick.

One form per block, so a visitor can only combine agencies that share a criteria set and
a maximum (the comparison refuses any other mix). Three queries whatever the year holds.
"""

from dataclasses import dataclass

from django.db.models import F

from rankings.models import AssessmentCycle, Publication, Result

MAX_CHOSEN = 6  # the compare view reads at most six agencies


@dataclass(frozen=True)
class Choice:
    slug: str
    name: str
    rank: int | None
    chosen: bool


@dataclass(frozen=True)
class BlockChoices:
    cycle: AssessmentCycle
    choices: list[Choice]

    @property
    def open(self) -> bool:
        """Unfolded when one of its agencies is chosen (or it is the year's only block)."""
        return any(choice.chosen for choice in self.choices)


def compare_choices(*, province: str, year: int, chosen: list[str]) -> list[BlockChoices]:
    cycles = list(
        AssessmentCycle.objects.filter(
            province__slug=province, year=year, publications__isnull=False
        )
        .select_related("block", "province")
        .distinct()
        .order_by("block__order", "block__name")
    )
    latest: dict[int, int] = {}
    for publication in Publication.objects.filter(cycle__in=cycles).order_by("-revision"):
        latest.setdefault(publication.cycle_id, publication.pk)
    results = (
        Result.objects.filter(publication_id__in=latest.values())
        .select_related("agency")
        .order_by(F("rank").asc(nulls_last=True), "agency__name")
    )
    by_cycle: dict[int, list[Choice]] = {cycle.pk: [] for cycle in cycles}
    wanted = set(chosen)
    for result in results:
        agency = result.agency
        choice = Choice(agency.slug, agency.name, result.rank, agency.slug in wanted)
        by_cycle[result.cycle_id].append(choice)
    return [BlockChoices(cycle, by_cycle[cycle.pk]) for cycle in cycles]
