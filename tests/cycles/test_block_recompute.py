"""One recompute path for a block: `cycle_recompute` writes what the ORM path wrote.

`services.cycle_recompute` (imports, publication, corrections) goes through
`year_recompute.cycles_recompute`, the path of a national year: COPY on PostgreSQL, the
ORM (`cycle_recompute_orm`) elsewhere. Compared here field for field against the ORM path's
stored results on every cycle of the demo (real criteria sets: bands, ties, "not ranked")
and of a province seeded at random (seed 7: all six rule kinds, "relative" criteria), with
stale points so the write-back is exercised; the query count is pinned whatever the block's
size, and a failure anywhere leaves the drafts and points as they were.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import scoring
from rankings.cycles import services
from rankings.cycles import year_recompute as recompute_module
from rankings.models import AssessmentCycle, Result, Score, Stage
from tests.cycles.test_year_recompute import DRAFT_FIELDS

D = Decimal
pytestmark = pytest.mark.django_db
on_postgresql = connection.vendor == "postgresql"


@pytest.fixture
def demo_and_random_province(db):
    call_command("seed_demo", stdout=StringIO())
    call_command(
        "seed_national", "--seed", "7", "--provinces", "12", "--years", "2019,2020",
        stdout=StringIO(),
    )  # fmt: skip


def stored(cycle: AssessmentCycle) -> tuple[list[tuple], dict[int, Decimal]]:
    drafts = sorted(
        Result.objects.filter(cycle=cycle, publication__isnull=True).values_list(*DRAFT_FIELDS)
    )
    return drafts, dict(Score.objects.filter(cycle=cycle).values_list("id", "points"))


def spoil(cycle: AssessmentCycle, wrong: list[int]) -> None:
    """Wrong points on a few scores and no drafts: what a recompute must repair."""
    Score.objects.filter(pk__in=wrong).update(points=D("0"))
    Result.objects.filter(cycle=cycle, publication__isnull=True).delete()


def test_a_block_recompute_writes_what_the_orm_path_wrote(demo_and_random_province):
    cycles = list(AssessmentCycle.objects.order_by("pk"))
    provinces = {cycle.province.slug for cycle in cycles}
    assert {"vinh-phuc", "son-la"} <= provinces and len(provinces) >= 3  # demo + seeded
    compared = rows = updated = 0
    for cycle in cycles:
        wrong = list(Score.objects.filter(cycle=cycle).order_by("id").values_list("pk", flat=True))
        wrong = wrong[::37]
        spoil(cycle, wrong)
        old = services.cycle_recompute_orm(cycle=cycle)
        expected = stored(cycle)

        spoil(cycle, wrong)
        new = services.cycle_recompute(cycle=cycle)

        assert stored(cycle) == expected, cycle
        assert new == old, cycle
        compared += 1
        rows += len(expected[0])
        updated += new.scores_updated
    assert compared == len(cycles) and rows > 300 and updated > 50


def test_stages_other_than_final_are_recomputed_alike(world):
    cycle = world.cycle_2021
    for score in Score.objects.filter(cycle=cycle, stage=Stage.FINAL):
        score.pk, score.stage = None, Stage.VERIFIED
        score.value = score.value / 2 if score.value is not None else None
        score.save()
    verified = Score.objects.filter(cycle=cycle, stage=Stage.VERIFIED)
    old = services.cycle_recompute_orm(cycle=cycle, stage=Stage.VERIFIED)
    expected = stored(cycle)
    verified.update(points=D("0"))
    Result.objects.filter(cycle=cycle, publication__isnull=True).delete()

    assert services.cycle_recompute(cycle=cycle, stage=Stage.VERIFIED) == old
    assert stored(cycle) == expected
    totals = {r[1]: r[2] for r in expected[0]}
    assert totals[world.an.pk] == D("15.000")  # halves: 1.1 4, 1.2 17.5/50 → 3.5, 2.1 7.5


def queries(cycle: AssessmentCycle) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        services.cycle_recompute(cycle=cycle)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.skipif(not on_postgresql, reason="the COPY path's count; SQLite is per row")
def test_the_query_count_is_the_same_for_a_small_and_a_large_block(demo_and_random_province):
    by_size = sorted(AssessmentCycle.objects.all(), key=lambda c: c.scores.count())
    small, large = by_size[0], by_size[-1]
    assert large.scores.count() > 20 * max(small.scores.count(), 1)
    Score.objects.filter(cycle__in=[small, large]).update(points=D("0"))  # write-backs too

    seen_small, seen_large = queries(small), queries(large)

    # Savepoint; the cycle locked; the criteria set (criteria with groups, their rules,
    # bands); the drafts deleted; COPY of the scores out, COPY of the drafts in; the changed
    # points: temporary table, COPY in, one UPDATE; release.
    assert len(seen_large) == len(seen_small) == 12, seen_large
    assert "FOR UPDATE" in seen_large[1]
    assert sum("COPY" in q for q in seen_large) == 3
    assert seen_large[-2].startswith("UPDATE rankings_score s SET points")


def test_refused_inputs_raise_the_engine_error_and_write_nothing(world):
    cycle = world.cycle_2021
    before = stored(cycle)
    Score.objects.filter(cycle=cycle, agency=world.cat, criterion__code="2.1").update(value=D("99"))

    with pytest.raises(scoring.ScoringInputError, match="above the maximum 20"):
        services.cycle_recompute(cycle=cycle)

    assert stored(cycle) == before


@pytest.mark.skipif(not on_postgresql, reason="the COPY path's last write")
def test_a_failure_after_the_drafts_are_written_leaves_everything_as_it_was(world, monkeypatch):
    cycle = world.cycle_2021
    Score.objects.filter(cycle=cycle, agency=world.an).update(points=D("1"))
    before = stored(cycle)
    assert before[0]

    def fail(self, cursor):
        raise RuntimeError("disk full")

    monkeypatch.setattr(recompute_module._Run, "write_points", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        services.cycle_recompute(cycle=cycle)

    assert stored(cycle) == before
