"""Administrative units from `vietnam-provinces`, and the ranked agencies they imply.

Two writes, each one transaction made of bulk upserts, each safe to run again:

- `units_import` loads the official units of both eras (63 provinces, 696 districts and
  10,051 communes before 1 July 2025; 34 provinces and 3,321 communes after) and the
  reform's old → new links, with whether the whole old unit went to the new one.
- `unit_agencies_create` turns one legacy province's districts and communes, and the
  communes of the current province(s) it became part of, into agencies linked by
  `Succession`, reusing any agency that already carries the unit's code.

The package is read once per process; nothing here touches the network.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.db import transaction
from django.db.models import Q

from agencies.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Block,
    Province,
    Succession,
    UnitEra,
    UnitLevel,
    UnitSuccession,
    fold,
)
from agencies.slugs import slugify

REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_END = datetime.date(2025, 6, 30)
CODE_WIDTH: dict[str, int] = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}
LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)

# The ranking blocks the units fall into, as the demo names them (fixtures/demo.toml).
BLOCKS = {
    "departments": ("Khối sở, ban, ngành", "Provincial departments, boards and sectors", 1),
    "districts": ("Khối UBND huyện, thành phố", "District People's Committees", 2),
    "communes": ("Khối UBND xã, phường, thị trấn", "Commune People's Committees", 3),
}

# Display prefixes: "Huyện Lập Thạch" is "Lập Thạch" in a table, a city keeps "TP".
SHORT_PREFIXES = (
    ("Huyện ", ""),
    ("Xã ", ""),
    ("Thành phố ", "TP "),
    ("Thị xã ", "TX "),
    ("Thị trấn ", "TT "),
)
PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")


class UnitError(ValueError):
    """A code or option that names no administrative unit."""


# ---------------------------------------------------------------------------------------
# The package's data as plain rows (no database).


@dataclass(frozen=True)
class UnitRow:
    era: str
    level: str
    code: str
    name: str
    division_type: str
    province_code: str
    parent_code: str | None  # the parent's code, one level up in the same era


@dataclass(frozen=True)
class LinkRow:
    predecessor: tuple[str, str]  # (level, code) in the legacy era
    successor: tuple[str, str]  # (level, code) in the current era
    whole: bool
    predecessor_province: str
    successor_province: str


def pad(code: int, level: str) -> str:
    """The official zero-padded form of a code: pad(1, "province") == "01"."""
    return f"{int(code):0{CODE_WIDTH[level]}d}"


def legacy_units(provinces: set[str] | None = None) -> list[UnitRow]:
    """Pre-reform provinces, districts and communes, optionally of some provinces only."""
    from vietnam_provinces import legacy

    rows = []
    for unit in legacy.Province.iter_all():
        code = pad(unit.code.value, UnitLevel.PROVINCE)
        if provinces is None or code in provinces:
            rows.append(_row(UnitEra.LEGACY, UnitLevel.PROVINCE, unit, code, code, None))
    district_province = {}
    for district in legacy.District.iter_all():
        province = pad(district.province_code.value, UnitLevel.PROVINCE)
        district_province[district.code.value] = province
        if provinces is None or province in provinces:
            code = pad(district.code.value, UnitLevel.DISTRICT)
            rows.append(
                _row(UnitEra.LEGACY, UnitLevel.DISTRICT, district, code, province, province)
            )
    for ward in legacy.Ward.iter_all():
        province = district_province[ward.district_code.value]
        if provinces is None or province in provinces:
            code = pad(ward.code.value, UnitLevel.COMMUNE)
            parent = pad(ward.district_code.value, UnitLevel.DISTRICT)
            rows.append(_row(UnitEra.LEGACY, UnitLevel.COMMUNE, ward, code, province, parent))
    return rows


def current_units(provinces: set[str] | None = None) -> list[UnitRow]:
    """Post-reform provinces and communes (no district level), optionally of some provinces."""
    import vietnam_provinces as current

    rows = []
    for unit in current.Province.iter_all():
        code = pad(unit.code.value, UnitLevel.PROVINCE)
        if provinces is None or code in provinces:
            rows.append(_row(UnitEra.CURRENT, UnitLevel.PROVINCE, unit, code, code, None))
    for ward in current.Ward.iter_all():
        province = pad(ward.province_code.value, UnitLevel.PROVINCE)
        if provinces is None or province in provinces:
            code = pad(ward.code.value, UnitLevel.COMMUNE)
            rows.append(_row(UnitEra.CURRENT, UnitLevel.COMMUNE, ward, code, province, province))
    return rows


def _row(era, level, unit, code, province, parent) -> UnitRow:
    return UnitRow(era, level, code, unit.name, unit.division_type.value, province, parent)


@cache
def reform_links() -> tuple[LinkRow, ...]:
    """Every old → new link of the reform: provinces, communes, and districts (derived).

    A district's link to a current commune is derived from its communes' links: it is
    whole only when all its communes went, whole, to that one commune. The five island
    districts with no communes became special zones (đặc khu) of the same name.
    """
    # The per-commune table with its "partly merged" flag is only exposed as module data;
    # the public lookups answer one code at a time and drop the flag.
    from vietnam_provinces import Ward, legacy
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCES
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARDS

    P = UnitLevel.PROVINCE
    district_province = {
        d.code.value: pad(d.province_code.value, P) for d in legacy.District.iter_all()
    }
    links = _province_links(PROVINCES)
    mapped = _WardsMapped()
    links += _commune_links(WARDS, legacy, mapped)
    links += _district_links(mapped, legacy, district_province)
    links += _island_links(PROVINCES, Ward, legacy, mapped, district_province)
    return tuple(links)


@dataclass
class _WardsMapped:
    """Per legacy district: how many of its communes the reform maps, whether one is only
    partly merged, and the current communes (with their province) they went to."""

    count: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    partial: dict[int, bool] = field(default_factory=lambda: defaultdict(bool))
    targets: dict[int, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))


def _province_links(provinces) -> list[LinkRow]:
    P = UnitLevel.PROVINCE
    return [
        LinkRow(
            (P, pad(old, P)),
            (P, pad(new.code, P)),
            len(entry.new_provinces) == 1,
            pad(old, P),
            pad(new.code, P),
        )
        for old, entry in sorted(provinces.items())
        for new in entry.new_provinces
    ]


def _commune_links(wards, legacy, mapped: _WardsMapped) -> list[LinkRow]:
    """Each legacy commune's links to current communes; `mapped` gathers its district's."""
    P, C = UnitLevel.PROVINCE, UnitLevel.COMMUNE
    legacy_wards = {w.code.value for w in legacy.Ward.iter_all()}
    links = []
    for old, entry in sorted(wards.items()):
        ref = entry.old_ward
        old_province = pad(ref.province_code, P)
        mapped.count[ref.district_code] += 1
        mapped.partial[ref.district_code] |= ref.is_partly_merged
        for new in entry.new_wards:
            new_province = pad(new.province_code, P)
            mapped.targets[ref.district_code][new.code] = new_province
            if old in legacy_wards:
                links.append(
                    LinkRow(
                        (C, pad(old, C)),
                        (C, pad(new.code, C)),
                        not ref.is_partly_merged,
                        old_province,
                        new_province,
                    )
                )
    return links


def _district_links(mapped: _WardsMapped, legacy, district_province: dict) -> list[LinkRow]:
    """A district's links to the current communes its communes went to; whole when all of
    them went, whole, to one commune."""
    D, C = UnitLevel.DISTRICT, UnitLevel.COMMUNE
    ward_count: dict[int, int] = defaultdict(int)
    for ward in legacy.Ward.iter_all():
        ward_count[ward.district_code.value] += 1
    links = []
    for district, targets in sorted(mapped.targets.items()):
        whole = (
            len(targets) == 1
            and not mapped.partial[district]
            and mapped.count[district] >= ward_count[district]
        )
        for new, new_province in sorted(targets.items()):
            links.append(
                LinkRow(
                    (D, pad(district, D)),
                    (C, pad(new, C)),
                    whole,
                    district_province[district],
                    new_province,
                )
            )
    return links


def _island_links(provinces, ward, legacy, mapped, district_province) -> list[LinkRow]:
    """Island districts without communes → the special zone (đặc khu) that replaced them."""
    P, D, C = UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE
    zones = {
        (w.name.removeprefix("Đặc khu "), pad(w.province_code.value, P)): w.code.value
        for w in ward.iter_all()
        if w.division_type.value == "đặc khu"
    }
    successors_of = {
        pad(old, P): {pad(n.code, P) for n in entry.new_provinces}
        for old, entry in provinces.items()
    }
    links = []
    for district in legacy.District.iter_all():
        if district.code.value in mapped.targets:
            continue
        province = district_province[district.code.value]
        base = district.name.split(" ", 1)[1]
        for new_province in sorted(successors_of.get(province, ())):
            zone = zones.get((base, new_province))
            if zone is not None:
                links.append(
                    LinkRow(
                        (D, pad(district.code.value, D)),
                        (C, pad(zone, C)),
                        True,
                        province,
                        new_province,
                    )
                )
    return links


def current_provinces_of(legacy_code: str) -> list[str]:
    """Codes of the current provinces a legacy province became (part of)."""
    return sorted(
        link.successor[1]
        for link in reform_links()
        if link.predecessor == (UnitLevel.PROVINCE, legacy_code)
    )


# ---------------------------------------------------------------------------------------
# Import of the units.


@dataclass
class UnitsImportSummary:
    units: int = 0
    created: int = 0
    updated: int = 0
    links: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_skipped: int = 0
    by_level: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_created or self.links_updated)


def units_import(*, era: str = "all", province: int | str | None = None) -> UnitsImportSummary:
    """Upsert the units of `era` ("legacy", "current" or "all"), optionally of one province.

    `province` is a legacy code with era legacy or all (all then also loads the current
    province(s) it became part of) and a current code with era current. Rows that already
    match are not written at all, so a second run changes nothing.
    """
    if era not in ("legacy", "current", "all"):
        raise UnitError(f"era must be legacy, current or all, not {era!r}")
    legacy_scope = current_scope = None
    if province is not None:
        code = pad(int(province), UnitLevel.PROVINCE)
        if era == "current":
            current_scope = {code}
        else:
            legacy_scope = {code}
            current_scope = set(current_provinces_of(code))
    rows: list[UnitRow] = []
    if era in ("legacy", "all"):
        rows += legacy_units(legacy_scope)
    if era in ("current", "all"):
        rows += current_units(current_scope)
    if province is not None and not rows:
        era_name = "current" if era == "current" else "legacy"
        raise UnitError(f"no {era_name} province has the code {province}")

    summary = UnitsImportSummary(units=len(rows))
    with transaction.atomic():
        for level in LEVELS:
            for unit_era in (UnitEra.LEGACY, UnitEra.CURRENT):
                batch = [r for r in rows if r.level == level and r.era == unit_era]
                if batch:
                    summary.by_level[(unit_era, level)] = len(batch)
                    _upsert_units(unit_era, level, batch, summary)
        _upsert_links(
            legacy_scope if era != "current" else set(),
            current_scope if era != "legacy" else set(),
            summary,
        )
    return summary


def _parent_level(era: str, level: str) -> str | None:
    if level == UnitLevel.PROVINCE:
        return None
    if level == UnitLevel.COMMUNE and era == UnitEra.LEGACY:
        return UnitLevel.DISTRICT
    return UnitLevel.PROVINCE


def _upsert_units(era: str, level: str, batch: list[UnitRow], summary: UnitsImportSummary) -> None:
    provinces = {r.province_code for r in batch}
    parent_level = _parent_level(era, level)
    parents = {}
    if parent_level is not None:
        parents = dict(
            AdministrativeUnit.objects.filter(
                era=era, level=parent_level, province_code__in=provinces
            ).values_list("code", "id")
        )
    existing = {
        code: rest
        for code, *rest in AdministrativeUnit.objects.filter(
            era=era, level=level, province_code__in=provinces
        ).values_list("code", "name", "division_type", "parent_id", "province_code")
    }
    existing_codes = set(
        AdministrativeUnit.objects.filter(era=era, level=level).values_list("code", flat=True)
    )
    changed = []
    for row in batch:
        parent_id = parents.get(row.parent_code) if row.parent_code else None
        wanted = [row.name, row.division_type, parent_id, row.province_code]
        if existing.get(row.code) == wanted:
            continue
        if row.code in existing_codes:
            summary.updated += 1
        else:
            summary.created += 1
        changed.append(
            AdministrativeUnit(
                era=era,
                level=level,
                code=row.code,
                name=row.name,
                division_type=row.division_type,
                parent_id=parent_id,
                province_code=row.province_code,
            )
        )
    AdministrativeUnit.objects.bulk_create(
        changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["era", "level", "code"],
        update_fields=["name", "division_type", "parent", "province_code"],
    )


def _upsert_links(legacy_scope, current_scope, summary: UnitsImportSummary) -> None:
    """Links touching the imported units, wherever both ends are in the database."""

    def in_scope(link: LinkRow) -> bool:
        if legacy_scope is None or current_scope is None:
            return True
        return link.predecessor_province in legacy_scope or (
            link.successor_province in current_scope
        )

    candidates = [link for link in reform_links() if in_scope(link)]
    if not candidates:
        return
    old_provinces = {link.predecessor_province for link in candidates}
    new_provinces = {link.successor_province for link in candidates}
    ids = _unit_ids(UnitEra.LEGACY, old_provinces) | _unit_ids(UnitEra.CURRENT, new_provinces)
    existing = {
        (pred, succ): (pk, whole)
        for pk, pred, succ, whole in UnitSuccession.objects.filter(
            predecessor__era=UnitEra.LEGACY, predecessor__province_code__in=old_provinces
        ).values_list("id", "predecessor_id", "successor_id", "whole")
    }
    new_links, changed = [], []
    for link in candidates:
        pred = ids.get((UnitEra.LEGACY, *link.predecessor))
        succ = ids.get((UnitEra.CURRENT, *link.successor))
        if pred is None or succ is None:
            summary.links_skipped += 1
            continue
        summary.links += 1
        found = existing.get((pred, succ))
        if found is None:
            new_links.append(
                UnitSuccession(
                    predecessor_id=pred, successor_id=succ, whole=link.whole, effective=REFORM_DATE
                )
            )
        elif found[1] != link.whole:
            changed.append(UnitSuccession(id=found[0], whole=link.whole))
    UnitSuccession.objects.bulk_create(new_links, batch_size=2000)
    UnitSuccession.objects.bulk_update(changed, ["whole"], batch_size=2000)
    summary.links_created += len(new_links)
    summary.links_updated += len(changed)


def _unit_ids(era: str, provinces: set[str]) -> dict[tuple[str, str, str], int]:
    rows = AdministrativeUnit.objects.filter(era=era, province_code__in=provinces).values_list(
        "level", "code", "id"
    )
    return {(era, level, code): pk for level, code, pk in rows}


# ---------------------------------------------------------------------------------------
# Agencies from units.


@dataclass
class AgencySummary:
    provinces_created: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    successions_created: int = 0
    successions_updated: int = 0

    def merge(self, other: AgencySummary) -> None:
        self.provinces_created += other.provinces_created
        for kind, count in other.created.items():
            self.created[kind] += count
        for kind, count in other.reused.items():
            self.reused[kind] += count
        self.successions_created += other.successions_created
        self.successions_updated += other.successions_updated


def blocks_ensure() -> dict[str, Block]:
    """The departments, districts and communes blocks, created if missing."""
    blocks = {}
    for slug, (name, name_en, order) in BLOCKS.items():
        blocks[slug], _ = Block.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "order": order}
        )
    return blocks


def province_name(unit_name: str) -> str:
    """ "Tỉnh Vĩnh Phúc" → "Vĩnh Phúc", "Thành phố Hà Nội" → "Hà Nội"."""
    for prefix in PROVINCE_PREFIXES:
        if unit_name.startswith(prefix):
            return unit_name.removeprefix(prefix)
    return unit_name


def short_name(unit_name: str) -> str:
    """How a unit is named in a table: "Huyện Lập Thạch" → "Lập Thạch", "TP Vĩnh Yên"."""
    for prefix, replacement in SHORT_PREFIXES:
        if unit_name.startswith(prefix):
            return replacement + unit_name.removeprefix(prefix)
    return unit_name  # Quận 1, Phường 1, Đặc khu Côn Đảo keep their kind


def agency_name(unit_name: str) -> str:
    """The People's Committee of a unit: "Huyện Lập Thạch" → "UBND huyện Lập Thạch"."""
    return f"UBND {unit_name[0].lower()}{unit_name[1:]}"


def slug_of(text: str) -> str:
    """An ASCII slug of Vietnamese text (đ → d, which Django's slugify would drop)."""
    return slugify(text)


def unique_slugs(wanted: list[tuple[str, str]], taken: set[str]) -> list[str]:
    """Slugs for (slug, code) pairs: a slug that is taken or wanted twice gets "-code"."""
    counts: dict[str, int] = defaultdict(int)
    for slug, _ in wanted:
        counts[slug] += 1
    result = []
    for slug, code in wanted:
        final = slug if slug not in taken and counts[slug] == 1 else f"{slug}-{code}"
        result.append(final)
        taken.add(final)
    return result


def province_find(code: str, *, current: bool) -> Province | None:
    """The province row of an era by official code ("26" also matches a stored "26")."""
    codes = {code, str(int(code))}
    rows = Province.objects.filter(code__in=codes)
    if current:
        rows = rows.filter(valid_from__gte=REFORM_DATE)
    else:
        rows = rows.filter(valid_from__lt=REFORM_DATE)
    return rows.order_by("id").first()


def province_ensure(unit: AdministrativeUnit, summary: AgencySummary) -> Province:
    """The Province row of a legacy or current province unit, created when missing."""
    current = unit.era == UnitEra.CURRENT
    found = province_find(unit.code, current=current)
    if found is not None:
        return found
    name = province_name(unit.name)
    base = slug_of(name) + ("-2025" if current else "")
    taken = set(Province.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug = base if base not in taken else f"{base}-{unit.code}"
    province = Province.objects.create(
        code=unit.code,
        name=name,
        slug=slug,
        valid_from=REFORM_DATE if current else datetime.date(1900, 1, 1),
        valid_to=None if current else LEGACY_END,
    )
    summary.provinces_created.append(slug)
    return province


def agencies_ensure(
    *,
    province: Province,
    block: Block,
    kind: str,
    units: Iterable[AdministrativeUnit],
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    parent_of: dict[str, int] | None = None,
    summary: AgencySummary,
) -> dict[str, int]:
    """Agency ids by unit code for `units`, creating only the ones no agency carries yet.

    An agency is the unit's when it has the same province, kind and code (the demo's
    `lap-thach` carries "246"), whatever its slug or name.
    """
    units = list(units)
    by_code = _agency_ids(province, kind)
    missing = [u for u in units if int(u.code) not in by_code]
    summary.reused[kind] += len(units) - len(missing)
    if missing:
        taken = set(Agency.objects.filter(province=province).values_list("slug", flat=True))
        shorts = [short_name(u.name) for u in missing]
        slugs = unique_slugs(
            [(slug_of(s), u.code) for s, u in zip(shorts, missing, strict=True)], taken
        )
        agencies = []
        for unit, short, slug in zip(missing, shorts, slugs, strict=True):
            name = agency_name(unit.name)
            agencies.append(
                Agency(
                    province=province,
                    block=block,
                    kind=kind,
                    name=name,
                    short_name=short,
                    slug=slug,
                    # bulk_create skips save(), which is where the search name is folded.
                    search_name=fold(f"{name} {short}"),
                    admin_unit_code=unit.code,
                    parent_id=parent_of.get(unit.parent.code)
                    if parent_of and unit.parent is not None
                    else None,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )
        Agency.objects.bulk_create(agencies, batch_size=2000)
        summary.created[kind] += len(agencies)
        by_code = _agency_ids(province, kind)
    return {u.code: by_code[int(u.code)] for u in units}


def _agency_ids(province: Province, kind: str) -> dict[int, int]:
    rows = Agency.objects.filter(province=province, kind=kind).values_list("admin_unit_code", "id")
    ids: dict[int, int] = {}
    for code, pk in rows.order_by("id"):
        if code.isdigit():
            ids.setdefault(int(code), pk)
    return ids


def unit_agencies_create(
    *, province: int | str, import_units: bool = True
) -> tuple[AgencySummary, list[Province]]:
    """Agencies of a legacy province's districts and communes and of its current successors.

    Creates what is missing: the legacy Province row, district and commune agencies
    (valid to 30 June 2025), the current province(s) it became part of (from 1 July
    2025, linked as `successors`) with all their communes' agencies, and the `Succession`
    links from every legacy district and commune agency already present (of this or any
    other merged province) to the current communes. Returns the summary and the current
    Province rows.
    """
    code = pad(int(province), UnitLevel.PROVINCE)
    if import_units:
        units_import(era="all", province=code)
    summary = AgencySummary()
    with transaction.atomic():
        blocks = blocks_ensure()
        legacy_unit = AdministrativeUnit.objects.filter(
            era=UnitEra.LEGACY, level=UnitLevel.PROVINCE, code=code
        ).first()
        if legacy_unit is None:
            raise UnitError(f"no legacy province has the code {province}; run import_units")
        legacy_row = province_ensure(legacy_unit, summary)
        _legacy_agencies_ensure(legacy_row, code, blocks, summary)
        current_rows = [
            _successor_ensure(legacy_row, current_unit, blocks, summary)
            for current_unit in legacy_unit.successors.order_by("code")
        ]
    return summary, current_rows


def _legacy_agencies_ensure(legacy_row: Province, code: str, blocks, summary) -> None:
    """The legacy province's district and commune agencies (valid to 30 June 2025)."""
    units = AdministrativeUnit.objects.filter(era=UnitEra.LEGACY, province_code=code)
    districts = agencies_ensure(
        province=legacy_row,
        block=blocks["districts"],
        kind=AgencyKind.DISTRICT,
        units=units.filter(level=UnitLevel.DISTRICT).order_by("code"),
        valid_from=datetime.date(1900, 1, 1),
        valid_to=LEGACY_END,
        summary=summary,
    )
    agencies_ensure(
        province=legacy_row,
        block=blocks["communes"],
        kind=AgencyKind.COMMUNE,
        units=units.filter(level=UnitLevel.COMMUNE).select_related("parent").order_by("code"),
        valid_from=datetime.date(1900, 1, 1),
        valid_to=LEGACY_END,
        parent_of=districts,
        summary=summary,
    )


def _successor_ensure(legacy_row: Province, current_unit, blocks, summary) -> Province:
    """A current province the legacy one became part of, its communes' agencies (from 1 July
    2025) and the successions into them."""
    current_row = province_ensure(current_unit, summary)
    legacy_row.successors.add(current_row)
    communes = agencies_ensure(
        province=current_row,
        block=blocks["communes"],
        kind=AgencyKind.COMMUNE,
        units=AdministrativeUnit.objects.filter(
            era=UnitEra.CURRENT, level=UnitLevel.COMMUNE, province_code=current_unit.code
        ).order_by("code"),
        valid_from=REFORM_DATE,
        valid_to=None,
        summary=summary,
    )
    _successions_ensure(current_unit, communes, summary)
    return current_row


def _successions_ensure(current_unit, communes: dict[str, int], summary: AgencySummary) -> None:
    """Succession links into a current province's communes from every legacy agency present."""
    links = UnitSuccession.objects.filter(
        successor__era=UnitEra.CURRENT,
        successor__level=UnitLevel.COMMUNE,
        successor__province_code=current_unit.code,
        predecessor__level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE],
    ).values_list("predecessor__level", "predecessor__code", "successor__code", "whole")
    rows = list(links)
    old = _legacy_agency_ids(current_unit)
    existing: dict[tuple[int, int], tuple[int | None, bool]] = {
        (pred, succ): (pk, whole)
        for pk, pred, succ, whole in Succession.objects.filter(
            successor_id__in=communes.values()
        ).values_list("id", "predecessor_id", "successor_id", "whole")
    }
    new_links, changed = [], []
    for level, old_code, new_code, whole in rows:
        kind = AgencyKind.DISTRICT if level == UnitLevel.DISTRICT else AgencyKind.COMMUNE
        pred = old.get((kind, int(old_code)))
        succ = communes.get(new_code)
        if pred is None or succ is None:
            continue  # that legacy province's agencies are not created (yet)
        found = existing.get((pred, succ))
        if found is None:
            new_links.append(
                Succession(
                    predecessor_id=pred,
                    successor_id=succ,
                    effective=REFORM_DATE,
                    whole=whole,
                    note="Sắp xếp đơn vị hành chính 2025",
                )
            )
            existing[(pred, succ)] = (None, whole)
        elif found[1] != whole and found[0] is not None:
            changed.append(Succession(id=found[0], whole=whole))
    Succession.objects.bulk_create(new_links, batch_size=2000)
    Succession.objects.bulk_update(changed, ["whole"], batch_size=2000)
    summary.successions_created += len(new_links)
    summary.successions_updated += len(changed)


def _legacy_agency_ids(current_unit) -> dict[tuple[str, int], int]:
    """The district and commune agencies of the legacy provinces a current one was made
    from, by (kind, unit code)."""
    source_codes = set(current_unit.predecessors.values_list("code", flat=True))
    sources = [row for code in sorted(source_codes) if (row := province_find(code, current=False))]
    old: dict[tuple[str, int], int] = {}
    for kind, code, pk in (
        Agency.objects.filter(
            province__in=sources, kind__in=[AgencyKind.DISTRICT, AgencyKind.COMMUNE]
        )
        .order_by("id")
        .values_list("kind", "admin_unit_code", "id")
    ):
        if code.isdigit():
            old.setdefault((kind, int(code)), pk)
    return old


def legacy_province_codes() -> list[str]:
    """All 63 legacy province codes, zero-padded, in order."""
    from vietnam_provinces import legacy

    return sorted(pad(p.code.value, UnitLevel.PROVINCE) for p in legacy.Province.iter_all())


def units_present(*, provinces: Iterable[str] | None = None) -> bool:
    """Whether the legacy units of `provinces` (all when None) and their successors are in."""
    codes = set(provinces) if provinces is not None else set(legacy_province_codes())
    query = Q(era=UnitEra.LEGACY, level=UnitLevel.PROVINCE, code__in=codes)
    found = AdministrativeUnit.objects.filter(query).count()
    if found < len(codes):
        return False
    communes = AdministrativeUnit.objects.filter(
        era=UnitEra.LEGACY, level=UnitLevel.COMMUNE, province_code__in=codes
    ).exists()
    linked = UnitSuccession.objects.filter(
        predecessor__era=UnitEra.LEGACY,
        predecessor__level=UnitLevel.PROVINCE,
        predecessor__code__in=codes,
    ).count()
    return communes and linked >= len(codes)
