"""`recompute_year`: a whole year at once must write exactly what `cycle_recompute` writes.

Cycle by cycle: every field of every draft result, every point. It is compared on the demo
(Vĩnh Phúc's and Sơn La's real criteria sets: bands, ties, "not ranked" rules) plus a
national subset (all six rule kinds, "relative" criteria ranked per cycle), with some stored
points made stale so the write-back is exercised. On PostgreSQL that is the COPY path;
elsewhere the per-cycle fallback.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rankings.cycles import services
from rankings.cycles import year_recompute as recompute_module
from rankings.cycles.year_recompute import RESULT_COLUMNS, RecomputeRefused, year_recompute
from rankings.models import (
    AssessmentCycle,
    Result,
    Score,
)

D = Decimal
pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY path needs PostgreSQL (SQLite takes the per-cycle fallback, tested "
    "too); run with DATABASE_URL=postgres://…",
)

DRAFT_FIELDS = (
    "cycle_id",
    "agency_id",
    "total",
    "score",
    "percent",
    "rank",
    "band",
    "not_ranked_reason",
    "groups",
    "criteria",
)
HEADER = "province,block,year,agency,criterion,value,denominator,choice\n"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def drafts(cycle_ids) -> list[tuple]:
    return sorted(
        Result.objects.filter(cycle_id__in=cycle_ids, publication__isnull=True).values_list(
            *DRAFT_FIELDS
        )
    )


def points(cycle_ids) -> dict[int, Decimal]:
    return dict(Score.objects.filter(cycle_id__in=cycle_ids).values_list("id", "points"))


def make_stale(cycle_ids) -> None:
    """Wrong points on a few scores and one cycle without drafts: a recompute repairs both."""
    for score in Score.objects.filter(cycle_id__in=cycle_ids).order_by("id")[::97]:
        Score.objects.filter(pk=score.pk).update(points=D("0"))
    Result.objects.filter(cycle_id=min(cycle_ids), publication__isnull=True).delete()


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_year_recompute_writes_what_cycle_recompute_writes(demo_and_national, year):
    cycles = list(AssessmentCycle.objects.filter(year=year).order_by("pk"))
    ids = [cycle.pk for cycle in cycles]
    assert cycles, year
    make_stale(ids)
    stale = points(ids)
    per_cycle = sum(services.cycle_recompute_orm(cycle=c).scores_updated for c in cycles)
    expected_drafts, expected_points = drafts(ids), points(ids)
    assert per_cycle > 0 and expected_points != stale  # the write-back is exercised

    Score.objects.filter(pk__in=[pk for pk, p in stale.items() if p == 0]).update(points=0)
    Result.objects.filter(cycle_id=min(ids), publication__isnull=True).delete()
    summary = year_recompute(year=year)

    assert summary.bulk is (connection.vendor == "postgresql")
    assert summary.cycles == len(cycles)
    assert summary.scores_updated == per_cycle
    assert summary.results == len(expected_drafts)
    assert drafts(ids) == expected_drafts
    assert points(ids) == expected_points


@postgresql_only
def test_small_batches_and_one_province_give_the_same_drafts(demo_and_national, monkeypatch):
    ids = list(AssessmentCycle.objects.filter(year=2019).values_list("pk", flat=True))
    for cycle in AssessmentCycle.objects.filter(pk__in=ids):
        services.cycle_recompute_orm(cycle=cycle)
    expected = drafts(ids)
    monkeypatch.setattr(recompute_module, "BATCH_SCORES", 1_000)  # a batch per cycle, or nearly
    assert year_recompute(year=2019).bulk
    assert drafts(ids) == expected
    summary = year_recompute(year=2019, province="son-la")
    assert (
        summary.cycles == AssessmentCycle.objects.filter(year=2019, province__slug="son-la").count()
    )
    assert drafts(ids) == expected


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_reading_ahead_on_a_second_connection_gives_the_same_drafts(monkeypatch):
    # Outside any transaction of the caller, batches are read ahead by another connection.
    from tests.world import build_world

    build_world()
    cycles = list(AssessmentCycle.objects.filter(year=2020))
    ids = [cycle.pk for cycle in cycles]
    for cycle in cycles:
        services.cycle_recompute_orm(cycle=cycle)
    expected = drafts(ids)
    Score.objects.filter(cycle_id__in=ids).update(points=D("0"))
    reads = []
    original = recompute_module._scores_frame
    monkeypatch.setattr(
        recompute_module,
        "_scores_frame",
        lambda c, *a: reads.append(c.db.connection) or original(c, *a),
    )

    summary = year_recompute(year=2020)

    assert len(cycles) == 2 and len(reads) == 2  # two criteria sets: two batches
    assert all(conn is not connection.connection for conn in reads)  # the other connection
    assert summary.scores_updated == 12
    assert drafts(ids) == expected


def test_an_agency_scored_in_two_cycles_of_one_set_is_scored_in_each(world):
    # Agencies belong to one province, so this does not happen in real data; if it does,
    # each cycle still ranks the agency on its own scores, as cycle_recompute does.
    other = type(world.province).objects.create(code="98", name="Tỉnh Khác", slug="khac")
    twin = AssessmentCycle.objects.create(
        province=other,
        year=2021,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    for score in Score.objects.filter(cycle=world.cycle_2021, agency=world.an):
        score.pk, score.cycle = None, twin
        score.value = score.value / 2
        score.save()
    ids = [world.cycle_2021.pk, twin.pk]
    for cycle in (world.cycle_2021, twin):
        services.cycle_recompute_orm(cycle=cycle)
    expected = drafts(ids)
    assert len(expected) == 4

    year_recompute(year=2021)

    assert drafts(ids) == expected


def test_refused_inputs_write_nothing(world):
    services.cycle_recompute(cycle=world.cycle_2021)
    before_drafts, before_points = drafts([world.cycle_2021.pk]), points([world.cycle_2021.pk])
    Score.objects.filter(cycle=world.cycle_2021, agency=world.cat, criterion__code="2.1").update(
        value=D("99")
    )

    with pytest.raises(RecomputeRefused) as refused:
        year_recompute(year=2021)

    assert refused.value.cycle == world.cycle_2021
    assert "above the maximum 20" in str(refused.value)
    assert drafts([world.cycle_2021.pk]) == before_drafts
    assert points([world.cycle_2021.pk]) == before_points
    with pytest.raises(CommandError, match="nothing written"):
        run("recompute_year", "--year", "2021")


def test_copy_columns_are_every_result_column():
    # A column added to Result must be added to the COPY too (or get a default there).
    columns = {f.column for f in Result._meta.concrete_fields if not f.primary_key}
    assert set(RESULT_COLUMNS) == columns


def test_recompute_year_command(world):
    out = run("recompute_year", "--year", "2021", "--province", "mau")
    assert "Recomputed 1 cycles of 2021 in mau" in out
    assert "3 draft results" in out
    assert "No cycle in 2030" in run("recompute_year", "--year", "2030")
    with pytest.raises(CommandError, match="no province"):
        run("recompute_year", "--year", "2021", "--province", "nowhere")
