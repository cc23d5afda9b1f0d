"""A national, clearly synthetic data set: every province, every year, at full scale.

All 63 legacy provinces with their departments, districts and communes ranked every year
2019–2024, then the 34 current provinces in 2025 (departments and communes only: the
district level ended on 1 July 2025). One national criteria set per block, about 80
criteria mixing every rule kind; inputs drawn from `--seed` so the same seed always gives
the same numbers. Every row is marked synthetic (criteria sets, scores, publications) and
the criteria sets say "(mô phỏng)" in their names.

Points and results come from the real engine, not from this module: one
`scoring.compute` per year and criteria set over every cycle at once (the engine's
`block` column is the cycle id, so "relative" criteria and ranks stay per cycle). The
rows are written field for field as `rankings.cycles.services` writes them (`_result_rows`),
but in bulk (`synthetic_writes`). A year is one transaction, so an interrupted run leaves
whole years.

The same run ranks the provinces themselves, as the Ministry's Digital Transformation Index
(DTI) does: a national scope (`Province.is_national`, `/toan-quoc/`) whose agencies are the
provinces' People's Committees (each `represents` its province), one cycle a year in the
block "provinces" under a DTI-like set of three pillars (digital government, economy,
society; 18 criteria, 1,000 points), scored by the same engine and published likewise. The
2025 agencies (34 provinces) succeed the 2019–2024 ones (63) as the provinces did.
"""

from __future__ import annotations

import datetime
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

import scoring
from agencies.models import (
    Agency,
    Block,
    Province,
    UnitLevel,
)
from agencies.units import (
    REFORM_DATE,
    legacy_province_codes,
    pad,
)
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Publication,
    Result,
    Score,
)
from rankings.seed.synthetic_agencies import (
    National,
    Scope,
    criteria_sets_ensure,
    national_criteria_set_ensure,
    national_scope_ensure,
    province_agencies_ensure,
    scope_ensure,
)
from rankings.seed.synthetic_catalogue import (
    CURRENT_BLOCKS,
    DEFAULT_YEARS,
    LEGACY_BLOCKS,
    NATIONAL_BLOCK,
    PREFIX,
)
from rankings.seed.synthetic_draws import CriteriaArrays
from rankings.seed.synthetic_writes import _inputs, _results_write, _scores_write


@dataclass
class Summary:
    cycles: int = 0
    skipped: list[str] = field(default_factory=list)
    scores: int = 0
    results: int = 0
    publications: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    years: dict[int, float] = field(default_factory=dict)
    national: dict[int, SeededNationalYear] = field(default_factory=dict)


@dataclass(frozen=True)
class SeededNationalYear:
    """One year of the national ranking as seeded: provinces ranked, rows, seconds."""

    provinces: int
    scores: int
    results: int
    seconds: float


@dataclass(frozen=True, eq=False)
class Unit:
    """One cycle to seed: its province, block, agencies in draw order."""

    province: Province
    block: str
    key: int
    agencies: list[int]


def seed_national(
    *,
    seed: int = 42,
    years: Iterable[int] = DEFAULT_YEARS,
    provinces: Iterable[int | str] | None = None,
    fast_keys: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> Summary:
    """Seed the national synthetic rankings; cycles that already exist are left alone.

    `fast_keys` (PostgreSQL only) checks the scores' and results' foreign keys once per
    year instead of once per row; see `_foreign_keys_checked_once`.
    """
    started = time.perf_counter()
    scope = scope_ensure(provinces=_legacy_codes(provinces), log=log)
    sets = criteria_sets_ensure()
    run = _Run(
        scope=scope,
        tables={block: CriteriaArrays.load(sets[block], block, seed) for block in sets},
        blocks={b.slug: b for b in Block.objects.filter(slug__in=sets)},
        national=_national_ensure(scope, seed),
        seed=seed,
        fast_keys=fast_keys,
        log=log,
    )
    for year in sorted(set(years)):
        _year_seeded(run, year)
    summary = run.summary
    if connection.vendor == "postgresql" and summary.scores:
        with connection.cursor() as cursor:
            for model in (Score, Result, AssessmentCycle, Publication, Agency):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    summary.seconds = time.perf_counter() - started
    summary.peak_mb = peak_mb()
    return summary


def _legacy_codes(provinces: Iterable[int | str] | None) -> list[str]:
    """The legacy province codes asked for (all by default); refused when one is not one."""
    codes = (
        [pad(int(c), UnitLevel.PROVINCE) for c in provinces]
        if provinces is not None
        else legacy_province_codes()
    )
    unknown = set(codes) - set(legacy_province_codes())
    if unknown:
        raise ValueError(f"not legacy province codes: {', '.join(sorted(unknown))}")
    return codes


@dataclass
class _Run:
    """What every year of one seeding shares, and its running summary."""

    scope: Scope
    tables: dict[str, CriteriaArrays]
    blocks: dict[str, Block]
    national: National
    seed: int
    fast_keys: bool
    log: Callable[[str], None]
    summary: Summary = field(default_factory=Summary)


def _year_seeded(run: _Run, year: int) -> None:
    """Seed one year's province cycles and its national ranking; count and log them."""
    year_started = time.perf_counter()
    summary = run.summary
    legacy = year < REFORM_DATE.year
    provinces_of_year = run.scope.legacy if legacy else run.scope.current
    names = LEGACY_BLOCKS if legacy else CURRENT_BLOCKS
    units = _units(provinces_of_year, [run.blocks[n] for n in names], year, legacy, summary)
    ranked = _national_units(run.national, provinces_of_year, year, legacy, summary)
    if not units and not ranked:
        run.log(f"{year}: nothing to seed.")
        return
    written = _year_written(run, year, units, ranked)
    summary.cycles += written["cycles"]
    summary.scores += written["scores"]
    summary.results += written["results"]
    summary.publications += written["publications"]
    summary.years[year] = time.perf_counter() - year_started
    run.log(
        f"{year}: {written['cycles']} cycles, {written['scores']} scores, "
        f"{written['results']} results in {summary.years[year]:.1f}s "
        f"(peak memory {peak_mb():.0f} MB)"
        + (f"; national ranking of {len(ranked)} provinces." if ranked else ".")
    )


def _year_written(run: _Run, year: int, units: list[Unit], ranked: list[Unit]) -> dict[str, int]:
    """Write a year in one transaction; the rows written, by kind."""
    written = {"cycles": 0, "scores": 0, "results": 0, "publications": 0}
    # The national cycle alone (a few thousand rows) is not worth re-validating keys.
    with transaction.atomic(), _foreign_keys_checked_once(run.fast_keys and bool(units)):
        if units:
            written = _seed_year(year, units, run.tables, run.blocks, run.seed)
        if ranked:
            national_started = time.perf_counter()
            done = _seed_national_year(year, ranked, run.national, run.seed)
            seconds = time.perf_counter() - national_started
            for key, count in done.items():
                written[key] += count
    if ranked:
        run.summary.national[year] = SeededNationalYear(
            len(ranked), done["scores"], done["results"], seconds
        )
    return written


@contextmanager
def _foreign_keys_checked_once(enabled: bool):
    """On PostgreSQL, drop the score and result foreign keys for a load, then re-create them.

    PostgreSQL checks a deferred foreign key row by row at commit: three lookups per score,
    about 45 s of a 60 s year. Re-creating the constraint validates every row in one join
    (about 3 s), which is the bulk-loading advice of PostgreSQL's manual. Both steps run
    inside the year's transaction, so no other session ever sees the keys missing (it waits
    on the tables' lock instead) and a failure rolls back with the keys in place.
    """
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    dropped = []
    with connection.cursor() as cursor:
        # A table with pending (deferred) trigger events cannot be altered: fire them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in (Score, Result):
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            keys = cursor.fetchall()
            if keys:
                drops = ", ".join(f"DROP CONSTRAINT {quote(name)}" for name, _ in keys)
                cursor.execute(f"ALTER TABLE {quote(table)} {drops}")
                dropped.append((table, keys))
    yield
    with connection.cursor() as cursor:
        # Likewise for the checks queued by this year's cycles and publications.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, keys in dropped:
            adds = ", ".join(f"ADD CONSTRAINT {quote(name)} {text}" for name, text in keys)
            cursor.execute(f"ALTER TABLE {quote(table)} {adds}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _units(provinces, blocks, year, legacy, summary) -> list[Unit]:
    """The cycles of a year still to seed, each with its agencies in a stable order."""
    existing = {
        (p, b): slug
        for p, b, slug in AssessmentCycle.objects.filter(
            province__in=provinces, year=year
        ).values_list("province_id", "block_id", "criteria_set__slug")
    }
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    active = Agency.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        province__in=provinces,
        block__in=blocks,
        valid_from__lte=end,
    ).values_list("province_id", "block_id", "admin_unit_code", "slug", "id")
    members: dict[tuple[int, int], list[tuple[str, str, int]]] = defaultdict(list)
    for province, block, code, slug, pk in active:
        members[(province, block)].append((code, slug, pk))
    units = []
    for province in sorted(provinces, key=lambda p: p.code):
        for block in blocks:
            found = existing.get((province.pk, block.pk))
            if found is not None:
                if not found.startswith(PREFIX):
                    summary.skipped.append(f"{province.slug} {block.slug} {year}")
                continue
            agencies = [pk for _, _, pk in sorted(members.get((province.pk, block.pk), []))]
            if agencies:
                key = int(province.code) + (0 if legacy else 100)
                units.append(Unit(province, block.slug, key, agencies))
    return units


def _seed_year(year, units: list[Unit], tables, blocks, seed) -> dict[str, int]:
    cycles = _cycles_create(year, units, tables, blocks)
    written = {"cycles": len(cycles), "scores": 0, "results": 0, "publications": 0}
    publications = _publications_create(year, cycles, seed)
    written["publications"] = len(publications)
    now = timezone.now()
    for block, table in tables.items():
        chosen = [(unit, cycles[unit]) for unit in units if unit.block == block]
        if not chosen:
            continue
        frame, drawn = _inputs(chosen, table, seed, year)
        card = scoring.compute(table.frame, frame, table.rules)
        written["scores"] += _scores_write(frame, drawn, card, table, now)
        written["results"] += _results_write(card, table, publications)
        del frame, drawn, card
    return written


def _cycles_create(year, units, tables, blocks) -> dict[Unit, int]:
    AssessmentCycle.objects.bulk_create(
        AssessmentCycle(
            province=unit.province,
            year=year,
            block=blocks[unit.block],
            criteria_set=tables[unit.block].criteria_set,
            state=CycleState.PUBLISHED,
            submission_deadline=datetime.date(year + 1, 1, 31),
            data_from=datetime.date(year, 1, 1),
            data_to=datetime.date(year, 12, 31),
        )
        for unit in units
    )
    ids = {
        (p, b): pk
        for p, b, pk in AssessmentCycle.objects.filter(
            year=year, province__in=[u.province for u in units]
        ).values_list("province_id", "block_id", "id")
    }
    return {unit: ids[(unit.province.pk, blocks[unit.block].pk)] for unit in units}


def _publications_create(year, cycles: dict[Unit, int], seed) -> dict[int, int]:
    """One synthetic decision per cycle: revision 1, signed in the spring after the year."""
    rng = np.random.default_rng([seed, year, 99])
    numbers = rng.integers(100, 3600, len(cycles))
    days = rng.integers(0, 120, len(cycles))
    rows = []
    for cycle, number, day in zip(cycles.values(), numbers, days, strict=True):
        decided = datetime.date(year + 1, 3, 1) + datetime.timedelta(days=int(day))
        rows.append(
            Publication(
                cycle_id=cycle,
                revision=1,
                decision_number=f"{number}/QĐ-UBND",
                decision_date=decided,
                signer="Chủ tịch UBND tỉnh (mô phỏng)",
                published_at=timezone.make_aware(
                    datetime.datetime.combine(decided, datetime.time(9, 0))
                ),
                is_synthetic=True,
            )
        )
    Publication.objects.bulk_create(rows, batch_size=2000)
    return dict(
        Publication.objects.filter(cycle_id__in=cycles.values(), revision=1).values_list(
            "cycle_id", "id"
        )
    )


def _national_ensure(scope: Scope, seed: int) -> National:
    """The national scope, its DTI-like set and the agencies of the provinces in `scope`."""
    with transaction.atomic():
        national, block = national_scope_ensure()
        criteria_set = national_criteria_set_ensure(scope=national, block=block)
        agencies = province_agencies_ensure(
            scope=national, block=block, provinces=[*scope.legacy, *scope.current]
        )
    table = CriteriaArrays.load(criteria_set, NATIONAL_BLOCK, seed)
    return National(scope=national, block=block, table=table, agencies=agencies)


def _national_units(national: National, provinces, year, legacy, summary) -> list[Unit]:
    """The provinces to rank in a year's national cycle; none when the cycle exists.

    Each province is its own draw (seed, province code, block, year), so a province's
    inputs do not depend on which other provinces a run covers; ranks and "relative"
    criteria of course do.
    """
    found = (
        AssessmentCycle.objects.filter(province=national.scope, year=year, block=national.block)
        .values_list("criteria_set__slug", flat=True)
        .first()
    )
    if found is not None:
        if not found.startswith(PREFIX):
            summary.skipped.append(f"{national.scope.slug} {national.block.slug} {year}")
        return []
    return [
        Unit(
            province,
            NATIONAL_BLOCK,
            int(province.code) + (0 if legacy else 100),
            [national.agencies[province.pk]],
        )
        for province in sorted(provinces, key=lambda p: p.code)
    ]


def _seed_national_year(year, units: list[Unit], national: National, seed) -> dict[str, int]:
    """One published national cycle ranking `units`' provinces, by the real engine."""
    cycle = AssessmentCycle(
        province=national.scope,
        year=year,
        block=national.block,
        criteria_set=national.table.criteria_set,
        state=CycleState.PUBLISHED,
        submission_deadline=datetime.date(year + 1, 2, 28),
        data_from=datetime.date(year, 1, 1),
        data_to=datetime.date(year, 12, 31),
    )
    AssessmentCycle.objects.bulk_create([cycle])
    cycle_id = AssessmentCycle.objects.get(
        province=national.scope, year=year, block=national.block
    ).pk
    publication = _national_publication_create(year, cycle_id, seed)
    frame, drawn = _inputs([(unit, cycle_id) for unit in units], national.table, seed, year)
    card = scoring.compute(national.table.frame, frame, national.table.rules)
    return {
        "cycles": 1,
        "publications": 1,
        "scores": _scores_write(frame, drawn, card, national.table, timezone.now()),
        "results": _results_write(card, national.table, {cycle_id: publication}),
    }


def _national_publication_create(year: int, cycle_id: int, seed: int) -> int:
    """The Ministry's synthetic decision, in the summer after the year.

    The Ministry of Information and Communications merged into the Ministry of Science
    and Technology on 1 March 2025; decisions after that carry the new ministry's name.
    """
    rng = np.random.default_rng([seed, year, 98])
    number, day = int(rng.integers(100, 3600)), int(rng.integers(0, 90))
    decided = datetime.date(year + 1, 6, 1) + datetime.timedelta(days=day)
    ministry, short = (
        ("Bộ Thông tin và Truyền thông", "BTTTT")
        if decided < datetime.date(2025, 3, 1)
        else ("Bộ Khoa học và Công nghệ", "BKHCN")
    )
    publication = Publication.objects.create(
        cycle_id=cycle_id,
        revision=1,
        decision_number=f"{number}/QĐ-{short}",
        decision_date=decided,
        signer=f"Bộ trưởng {ministry} (mô phỏng)",
        published_at=timezone.make_aware(datetime.datetime.combine(decided, datetime.time(9, 0))),
        is_synthetic=True,
    )
    return publication.pk
