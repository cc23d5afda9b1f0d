"""The synthetic national data's agencies, national scope and criteria sets."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from agencies.models import (
    NATIONAL_SLUG,
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Block,
    Province,
    Succession,
    UnitEra,
    UnitLevel,
    fold,
)
from agencies.units import (
    LEGACY_END,
    REFORM_DATE,
    agency_name,
    blocks_ensure,
    legacy_province_codes,
    pad,
    province_find,
    unit_agencies_create,
    units_import,
    units_present,
)
from rankings.models import (
    CriteriaSet,
)
from rankings.seed.criteria_tree import CriterionRow, criteria_tree_create
from rankings.seed.synthetic_catalogue import (
    BANDS,
    CURRENT_DEPARTMENTS,
    DTI_GROUPS,
    GROUPS,
    LEGACY_DEPARTMENTS,
    NATIONAL_BLOCK,
    NATIONAL_BLOCK_FIELDS,
    NATIONAL_SCOPE_FIELDS,
    NATIONAL_SET,
    PREFIX,
    CriterionSpec,
    catalogue,
    dti_catalogue,
)
from rankings.seed.synthetic_draws import CriteriaArrays


@dataclass
class Scope:
    legacy: list[Province]
    current: list[Province]


def scope_ensure(*, provinces: Sequence[str], log: Callable[[str], None]) -> Scope:
    """Units, provinces and agencies of the legacy `provinces` and their current successors."""
    if not units_present(provinces=provinces):
        log("Importing administrative units …")
        if set(provinces) == set(legacy_province_codes()):
            units_import(era="all")
        else:
            for code in provinces:
                units_import(era="all", province=code)
    blocks = blocks_ensure()
    legacy_rows, current_rows = [], {}
    created: defaultdict[str, int] = defaultdict(int)
    for code in provinces:
        summary, current = unit_agencies_create(province=code, import_units=False)
        for kind, count in summary.created.items():
            created[kind] += count
        legacy = province_find(code, current=False)
        if legacy is None:  # unit_agencies_create has just made it
            raise ValueError(f"No legacy province {code} after creating its agencies.")
        legacy_rows.append(legacy)
        for row in current:
            current_rows[row.pk] = row
    current_list = sorted(current_rows.values(), key=lambda p: p.code)
    with transaction.atomic():
        created["department"] += _departments_ensure(legacy_rows, current_list, blocks)
    log(
        "Agencies created: "
        + (", ".join(f"{n} {kind}" for kind, n in sorted(created.items()) if n) or "none")
        + f" ({len(legacy_rows)} legacy, {len(current_list)} current provinces)."
    )
    return Scope(legacy=legacy_rows, current=current_list)


def _departments_ensure(legacy_rows, current_rows, blocks) -> int:
    block = blocks["departments"]
    wanted: list[tuple[Province, str, str, str, datetime.date | None]] = []
    for province in legacy_rows:
        wanted += [(province, s, short, name, LEGACY_END) for s, short, name in LEGACY_DEPARTMENTS]
    for province in current_rows:
        wanted += [(province, s, short, name, None) for s, short, name, _ in CURRENT_DEPARTMENTS]
    agencies = Agency.objects.filter(province__in=[*legacy_rows, *current_rows])
    existing = set(agencies.filter(kind=AgencyKind.DEPARTMENT).values_list("province_id", "slug"))
    taken = set(agencies.values_list("province_id", "slug"))
    new = []
    for province, slug, short, name, valid_to in wanted:
        if (province.pk, slug) in existing:
            continue
        if (province.pk, slug) in taken:  # a commune of the same name holds the slug
            slug = f"{slug}-sbn"
        new.append(
            Agency(
                province=province,
                block=block,
                kind=AgencyKind.DEPARTMENT,
                name=name,
                short_name=short,
                slug=slug,
                search_name=fold(f"{name} {short}"),
                valid_from=REFORM_DATE if valid_to is None else datetime.date(1900, 1, 1),
                valid_to=valid_to,
            )
        )
    Agency.objects.bulk_create(new, batch_size=2000)
    _department_successions(current_rows)
    return len(new)


def _department_successions(current_rows) -> None:
    """Legacy departments → the 2025 departments that took them over (merged provinces)."""
    ids = {
        (province, slug): pk
        for province, slug, pk in Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list(
            "province_id", "slug", "id"
        )
    }
    existing = set(Succession.objects.values_list("predecessor_id", "successor_id"))
    new = []
    for current in current_rows:
        sources = list(current.predecessors.all())
        for slug, _, _, takes in CURRENT_DEPARTMENTS:
            successor = ids.get((current.pk, slug))
            for source in sources:
                for old_slug, whole in takes:
                    predecessor = ids.get((source.pk, old_slug))
                    if predecessor and successor and (predecessor, successor) not in existing:
                        existing.add((predecessor, successor))
                        new.append(
                            Succession(
                                predecessor_id=predecessor,
                                successor_id=successor,
                                effective=REFORM_DATE,
                                whole=whole,
                                note="Sắp xếp cơ quan chuyên môn 2025 (mô phỏng)",
                            )
                        )
    Succession.objects.bulk_create(new, batch_size=2000)


# ---------------------------------------------------------------------------------------
# The national scope and the provinces' People's Committees in it.


@dataclass(frozen=True)
class National:
    """What the national ranking is seeded into: the scope, its block, set and agencies."""

    scope: Province
    block: Block
    table: CriteriaArrays
    agencies: dict[int, int]  # represented province id → national agency id


def national_scope_ensure() -> tuple[Province, Block]:
    """The national scope (toàn quốc, `/toan-quoc/`) and its block of provinces."""
    scope = Province.objects.filter(is_national=True).first()
    if scope is None:
        scope = Province.objects.create(
            slug=NATIONAL_SLUG, is_national=True, **NATIONAL_SCOPE_FIELDS
        )
    block, _ = Block.objects.get_or_create(slug=NATIONAL_BLOCK, defaults=NATIONAL_BLOCK_FIELDS)
    return scope, block


def province_agencies_ensure(
    *, scope: Province, block: Block, provinces: Sequence[Province]
) -> dict[int, int]:
    """Each province's People's Committee in the national scope, created when missing.

    Returns {province id: agency id}. An agency lives as long as its province, takes its
    slug (`/toan-quoc/don-vi/vinh-phuc/`) and `represents` it; a 2025 province's agency
    succeeds the agencies of the provinces it was formed from (see `_province_successions`).
    """
    ranked = Agency.objects.filter(province=scope, represents__isnull=False)
    existing = set(ranked.values_list("represents_id", flat=True))
    unit_names = _province_unit_names([p for p in provinces if p.pk not in existing])
    new = []
    for province in provinces:
        if province.pk in existing:
            continue
        name = agency_name(unit_names.get(province.pk, f"Tỉnh {province.name}"))
        new.append(
            Agency(
                province=scope,
                block=block,
                kind=AgencyKind.PROVINCE,
                name=name,
                short_name=province.name,
                slug=province.slug,
                search_name=fold(f"{name} {province.name}"),
                admin_unit_code=province.code,
                represents=province,
                valid_from=province.valid_from,
                valid_to=province.valid_to,
            )
        )
    Agency.objects.bulk_create(new, batch_size=2000)
    ids = dict(ranked.values_list("represents_id", "id"))
    if new:
        _province_successions(ids)
    return {province.pk: ids[province.pk] for province in provinces}


def _province_unit_names(provinces: Sequence[Province]) -> dict[int, str]:
    """The official names ("Tỉnh Vĩnh Phúc", "Thành phố Hà Nội") of provinces, by row id."""
    wanted: dict[tuple[str, str], int] = {}
    for province in provinces:
        if province.code.isdigit():
            era = UnitEra.CURRENT if province.valid_from >= REFORM_DATE else UnitEra.LEGACY
            wanted[(era, pad(int(province.code), UnitLevel.PROVINCE))] = province.pk
    if not wanted:
        return {}
    units = AdministrativeUnit.objects.filter(
        level=UnitLevel.PROVINCE, code__in={code for _, code in wanted}
    ).values_list("era", "code", "name")
    return {wanted[(era, code)]: name for era, code, name in units if (era, code) in wanted}


def _province_successions(agencies: dict[int, int]) -> None:
    """Old → new province agency links, as the provinces' own `successors` link them.

    Whole when the old province went entirely to one new province (all but the few split
    between two).
    """
    through = Province.successors.through
    links = list(
        through.objects.filter(from_province__in=agencies).values_list(
            "from_province_id", "to_province_id"
        )
    )
    targets: dict[int, int] = defaultdict(int)
    for old, _ in links:
        targets[old] += 1
    existing = set(
        Succession.objects.filter(successor__in=agencies.values()).values_list(
            "predecessor_id", "successor_id"
        )
    )
    new = []
    for old, current in links:
        before, after = agencies.get(old), agencies.get(current)
        if before is None or after is None or (before, after) in existing:
            continue
        new.append(
            Succession(
                predecessor_id=before,
                successor_id=after,
                effective=REFORM_DATE,
                whole=targets[old] == 1,
                note="Sắp xếp đơn vị hành chính cấp tỉnh 2025",
            )
        )
    Succession.objects.bulk_create(new, batch_size=2000)


# ---------------------------------------------------------------------------------------
# Criteria sets.


def criteria_sets_ensure() -> dict[str, CriteriaSet]:
    """One national, synthetic criteria set per block, created once and then reused."""
    blocks = blocks_ensure()
    sets = {}
    for slug, block in blocks.items():
        specs = catalogue(slug)
        found = CriteriaSet.objects.filter(slug=f"{PREFIX}{slug}").first()
        if found is not None:
            codes = list(found.criteria.order_by("order").values_list("code", flat=True))
            if codes != [s.code for s in specs]:
                raise RuntimeError(f"{found.slug} differs from the catalogue; reset it first")
            sets[slug] = found
            continue
        with transaction.atomic():
            sets[slug] = _criteria_set_create(block, specs)
    return sets


def national_criteria_set_ensure(*, scope: Province, block: Block) -> CriteriaSet:
    """The national DTI-like set, created once and then reused.

    It allows the derived value of a 2025 province (the mean of its former provinces'
    percents of maximum), as the Ministry ranked the merged provinces for DTI 2024.
    """
    specs = dti_catalogue()
    found = CriteriaSet.objects.filter(slug=NATIONAL_SET).first()
    if found is not None:
        codes = list(found.criteria.order_by("order").values_list("code", flat=True))
        if codes != [s.code for s in specs]:
            raise RuntimeError(f"{found.slug} differs from the catalogue; reset it first")
        return found
    with transaction.atomic():
        return _criteria_set_create(
            block,
            specs,
            groups_spec=DTI_GROUPS,
            bands=(),
            province=scope,
            name="Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh (DTI) (mô phỏng)",
            slug=NATIONAL_SET,
            issuer="Bộ Thông tin và Truyền thông (mô phỏng)",
            not_ranked_below=None,
            allows_derived_predecessor=True,
        )


def _criteria_set_create(
    block: Block, specs: list[CriterionSpec], *, groups_spec=GROUPS, bands=BANDS, **fields
) -> CriteriaSet:
    values = {
        "province": None,
        "name": f"Bộ tiêu chí {block.name.lower()} toàn quốc (mô phỏng)",
        "name_en": f"{block.name_en or block.name} criteria set, national (simulated)",
        "slug": f"{PREFIX}{block.slug}",
        "decision_number": "",
        "issuer": "Dữ liệu mô phỏng",
        "precision": 2,
        "percent_precision": 1,
        "not_ranked_below": Decimal("30") if block.slug == "communes" else None,
        **fields,
    }
    criteria_set = CriteriaSet.objects.create(
        block=block,
        max_points=Decimal(sum(s.max_milli for s in specs)) / 1000,
        is_synthetic=True,
        **values,
    )
    criteria_tree_create(
        criteria_set=criteria_set,
        groups=groups_spec,
        criteria=[
            CriterionRow(s.code, s.group, s.name, Decimal(s.max_milli) / 1000, s.rule, s.params)
            for s in specs
        ],
        bands=bands,
    )
    return criteria_set
