"""Build the demo world from `fixtures/demo.toml`, deterministically.

Published totals (and the few published subtotals and indicators) are targets; every
criterion-level input is synthetic, drawn from a seeded generator so that the real engine
gives exactly those targets. The results are then produced by the real path:
`cycle_recompute` and `cycle_publish`.
"""

import datetime
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils.text import slugify
from vietnam_provinces import legacy

import scoring
from agencies.models import Agency, AgencyKind, Block, Province
from rankings import wording
from rankings.cycles import services
from rankings.frames import criteria_frame, ranking_rules
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    CycleState,
    Score,
    Stage,
)
from rankings.seed.criteria_tree import CriterionRow, criteria_tree_create

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo.toml"
RULE_MAX_ATTEMPTS = 60


class DemoDataError(RuntimeError):
    """The demo targets cannot be met; the fixture file needs fixing."""


@dataclass(frozen=True)
class Target:
    agency: str
    total: int  # milli-points
    groups: tuple[int, ...] | None  # milli-points per top-level group, when pinned


def load_spec(path: Path = DEMO_FILE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def demo_exists() -> bool:
    return Province.objects.filter(slug="vinh-phuc", cycles__publications__isnull=False).exists()


@transaction.atomic
def seed_demo(path: Path = DEMO_FILE) -> dict[str, int]:
    """Load the whole demo world; returns counts of what was created."""
    spec = load_spec(path)
    rng = np.random.default_rng(spec["seed"])
    blocks = {b["slug"]: Block.objects.create(**b) for b in spec["block"]}
    provinces = {p["slug"]: Province.objects.create(**p) for p in spec["province"]}
    agencies = _create_agencies(spec, provinces, blocks)
    previous_sets: dict[tuple[str, str], CriteriaSet] = {}
    counts: defaultdict[str, int] = defaultdict(int)
    for entry in spec["cycle"]:
        key = (entry["province"], entry["block"])
        criteria_set = _demo_criteria_set(spec, entry, provinces, blocks, previous_sets.get(key))
        previous_sets[key] = criteria_set
        cycle = AssessmentCycle.objects.create(
            province=provinces[entry["province"]],
            year=entry["year"],
            block=blocks[entry["block"]],
            criteria_set=criteria_set,
            state=CycleState.REVIEW,
            submission_deadline=datetime.date(entry["year"] + 1, 1, 31),
            data_from=datetime.date(entry["year"], 1, 1),
            data_to=datetime.date(entry["year"], 12, 31),
        )
        counts["scores"] += _create_scores(cycle, entry, agencies[entry["province"]], rng)
        _publish(cycle, entry)
        _check_targets(cycle, entry, agencies[entry["province"]])
        counts["cycles"] += 1
    counts["agencies"] = sum(len(a) for a in agencies.values())
    return dict(counts)


def _demo_criteria_set(spec, entry, provinces, blocks, previous) -> CriteriaSet:
    """The cycle's criteria set with its tree and bands (see `_create_criteria_set`)."""
    tree = spec["tree"][entry["tree"]]
    criteria_set = _create_criteria_set(entry, tree, provinces, blocks, previous)
    criteria_tree_create(
        criteria_set=criteria_set,
        groups=tree["groups"],
        criteria=[
            CriterionRow(
                code,
                code.rsplit(".", 1)[0],
                name,
                Decimal(maximum),
                rule,
                params,
                name_en=spec["criterion_names_en"][name],
            )
            for code, name, maximum, rule, params in tree["criteria"]
        ],
        bands=spec["bands"],
    )
    return criteria_set


def _publish(cycle: AssessmentCycle, entry) -> None:
    """Publish under the entry's decision; one the province did not publish is synthetic."""
    number, decided, published = entry["decision"]
    services.cycle_publish(
        cycle=cycle,
        decision_number=number,
        decision_date=decided,
        signer="Chủ tịch UBND tỉnh",
        is_synthetic=not published,
    )


def _create_agencies(spec, provinces, blocks) -> dict[str, dict[str, Agency]]:
    created: dict[str, dict[str, Agency]] = defaultdict(dict)
    for group in spec["agencies"]:
        province = provinces[group["province"]]
        for item in group["list"]:
            if group.get("admin_units"):
                slug, code = item
                unit = legacy.District.from_code(legacy.DistrictCode(int(code)))
                name = f"UBND {unit.name[0].lower()}{unit.name[1:]}"
                short = unit.name.removeprefix("Huyện ").removeprefix("Thành phố ")
                if unit.name.startswith("Thành phố"):
                    short = f"TP {short}"
            else:
                slug, short, name = item
                code = ""
            created[group["province"]][slug] = Agency.objects.create(
                province=province,
                block=blocks[group["block"]],
                kind=AgencyKind(group["kind"]),
                name=name,
                short_name=short,
                slug=slug,
                admin_unit_code=code,
                valid_from=datetime.date(2008, 8, 1),
                valid_to=province.valid_to,
            )
    return created


def _create_criteria_set(entry, tree, provinces, blocks, previous) -> CriteriaSet:
    province = provinces[entry["province"]]
    year = entry["year"]
    maximum = sum(Decimal(c[2]) for c in tree["criteria"])
    block = blocks[entry["block"]]
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=blocks[entry["block"]],
        **wording.criteria_set_names(
            wording.YEAR_SET, block=block, province=province.name, year=year
        ),
        slug=slugify(f"{entry['province']}-{entry['block']}-{year}"),
        decision_number=f"{100 + year % 100}/QĐ-STTTT",
        decision_date=datetime.date(year, 3, 15),
        issuer=f"Sở Thông tin và Truyền thông {province.name}",
        max_points=maximum,
        precision=entry["precision"],
        percent_precision=entry["percent_precision"],
        percent_rounding=entry["percent_rounding"],
        statistics_precision=entry.get("statistics_precision", 4),
        copied_from=previous,
        is_synthetic=True,
    )
    return criteria_set


def _create_scores(cycle, entry, agencies: dict[str, Agency], rng) -> int:
    """Draw inputs that hit every target total, store them as final-stage scores."""
    criteria = criteria_frame(criteria_set=cycle.criteria_set)
    rules = ranking_rules(criteria_set=cycle.criteria_set)
    pinned = {(a, c): (v, d) for a, c, v, d in entry.get("inputs", [])}
    group_targets = {
        row[0]: tuple(scoring.to_milli(v) for v in row[1:]) for row in entry.get("groups", [])
    }
    targets = [
        Target(slug, scoring.to_milli(total), group_targets.get(slug))
        for slug, total in entry["totals"]
    ]
    inputs = _draw_inputs(criteria, rules, targets, pinned, rng)
    maxima = dict(zip(criteria["criterion"], criteria["max_points"], strict=True))
    ids = dict(cycle.criteria_set.criteria.values_list("code", "id"))
    scores = [
        Score(
            cycle=cycle,
            agency=agencies[slug],
            criterion_id=ids[code],
            stage=Stage.FINAL,
            value=value,
            denominator=denominator,
            choice=choice or "",
            points=Decimal("0.000"),
            max_points=maxima[code],
            is_synthetic=(slug, code) not in pinned,
        )
        for (slug, code), (value, denominator, choice) in inputs.items()
    ]
    Score.objects.bulk_create(scores)
    return len(scores)


def _draw_inputs(criteria, rules, targets: list[Target], pinned, rng) -> dict:
    """Raw inputs per (agency, criterion): rule-based ones drawn, direct ones solved for."""
    rule_rows = criteria[criteria["rule"] != "direct"]
    direct_rows = criteria[criteria["rule"] == "direct"]
    maximum = scoring.to_milli(rules.max_points)
    quality = {t.agency: t.total / maximum for t in targets}
    inputs: dict[tuple[str, str], tuple] = {}
    relative_best = {}
    for target in targets:
        for row in rule_rows.itertuples(index=False):
            inputs[(target.agency, row.criterion)] = _draw_rule_input(
                row, quality[target.agency], rng, pinned.get((target.agency, row.criterion))
            )
    for code in rule_rows[rule_rows["rule"] == "relative"]["criterion"]:
        relative_best[code] = max(inputs[(t.agency, code)][0] for t in targets)

    for _attempt in range(RULE_MAX_ATTEMPTS):
        rule_points = _rule_points(criteria, rules, inputs, targets)
        unmet = []
        for target in targets:
            plan = _direct_plan(target, rule_points[target.agency], criteria, direct_rows, rng)
            if plan is None:
                unmet.append(target)
                continue
            inputs.update(
                {(target.agency, code): (value, None, None) for code, value in plan.items()}
            )
        if not unmet:
            return inputs
        for target in unmet:
            # Too many or too few points from the drawn indicators: nudge them and redraw.
            too_high = sum(rule_points[target.agency].values()) > target.total
            quality[target.agency] *= 0.93 if too_high else 1.06
            for row in rule_rows.itertuples(index=False):
                if row.rule == "relative":
                    continue  # keep the block's best value, which every peer depends on
                inputs[(target.agency, row.criterion)] = _draw_rule_input(
                    row, quality[target.agency], rng, pinned.get((target.agency, row.criterion))
                )
    raise DemoDataError(f"could not meet the targets of {[t.agency for t in unmet]}")


def _draw_rule_input(row, quality: float, rng, pinned) -> tuple:
    if pinned is not None:
        value, denominator = pinned
        return Decimal(value), Decimal(denominator) if denominator else None, None
    level = float(np.clip(quality + rng.normal(0, 0.06), 0.02, 1.0))
    params = row.params
    if row.rule == "ratio":
        denominator = int(rng.integers(20, 400))
        return Decimal(round(denominator * level)), Decimal(denominator), None
    if row.rule == "steps":
        top = max(int(Decimal(t)) for t, _ in params["steps"])
        return Decimal(round(level * top)), None, None
    if row.rule == "choice":
        keys = sorted(params["choices"], key=lambda k: Decimal(params["choices"][k]))
        return None, None, keys[min(int(level * len(keys)), len(keys) - 1)]
    if row.rule == "capped":
        cap = Decimal(params.get("cap", row.max_points))
        return Decimal(round(level * float(cap))), None, None
    if row.rule == "relative":
        return Decimal(max(1, round(level * 100))), None, None
    raise DemoDataError(f"no generator for rule {row.rule!r}")


def _rule_points(criteria, rules, inputs, targets) -> dict[str, dict[str, int]]:
    """Points per agency and top-level group from the rule-based inputs (direct = 0)."""
    direct = set(criteria.loc[criteria["rule"] == "direct", "criterion"])
    records = [
        {
            "agency": slug,
            "block": 0,
            "criterion": code,
            "value": value,
            "denominator": denominator,
            "choice": choice,
        }
        for (slug, code), (value, denominator, choice) in inputs.items()
        if code not in direct
    ]
    card = scoring.compute(criteria, scoring.inputs_from_records(records), rules)
    points: dict[str, dict[str, int]] = {t.agency: {} for t in targets}
    for agency, group, milli in card.groups[["agency", "group", "points"]].itertuples(index=False):
        points[agency][group] = int(milli)
    return points


def _direct_plan(target: Target, rule_points: dict[str, int], criteria, direct_rows, rng):
    """Direct points per criterion making the target total (and group subtotals) exact."""
    groups: list[str] = list(dict.fromkeys(criteria["group"]))
    capacity = {
        g: sum(
            scoring.to_milli(m) for m in direct_rows.loc[direct_rows["group"] == g, "max_points"]
        )
        for g in groups
    }
    group_max = {
        g: sum(scoring.to_milli(m) for m in criteria.loc[criteria["group"] == g, "max_points"])
        for g in groups
    }
    if target.groups is not None:
        wanted = dict(zip(groups, target.groups, strict=True))
    else:
        wanted = _split(target.total, group_max, rng)
    shares = {g: wanted[g] - rule_points.get(g, 0) for g in groups}
    # Move points between groups when one group alone cannot absorb its share.
    need = shares if target.groups is not None else _rebalance(shares, capacity)
    if need is None or any(n < 0 or n > capacity[g] for g, n in need.items()):
        return None
    plan: dict[str, Decimal] = {}
    for g in groups:
        rows = direct_rows[direct_rows["group"] == g]
        plan.update(_fill(need[g], rows, rng))
    return plan


def _split(total: int, group_max: dict[str, int], rng) -> dict[str, int]:
    full = sum(group_max.values())
    shares = {g: int(total * m / full * (1 + rng.normal(0, 0.02))) for g, m in group_max.items()}
    last = list(shares)[-1]
    shares[last] = total - sum(v for g, v in shares.items() if g != last)
    return shares


def _rebalance(need: dict[str, int], capacity: dict[str, int]) -> dict[str, int] | None:
    total = sum(need.values())
    if total < 0 or total > sum(capacity.values()):
        return None
    need = {g: min(max(n, 0), capacity[g]) for g, n in need.items()}
    surplus = total - sum(need.values())
    for g in need:
        room = capacity[g] - need[g] if surplus > 0 else -need[g]
        move = min(surplus, room) if surplus > 0 else max(surplus, room)
        need[g] += move
        surplus -= move
    return need


def _fill(amount: int, rows, rng) -> dict[str, Decimal]:
    """Split `amount` milli-points over direct criteria, each within its maximum."""
    maxima = [scoring.to_milli(m) for m in rows["max_points"]]
    weights = rng.uniform(0.6, 1.0, len(maxima)) * np.array(maxima, dtype=float)
    alloc = [min(int(amount * w / weights.sum()), m) for w, m in zip(weights, maxima, strict=True)]
    rest = amount - sum(alloc)
    for i, m in enumerate(maxima):
        move = min(rest, m - alloc[i])
        alloc[i] += move
        rest -= move
    return {
        code: scoring.milli_to_decimal(a) for code, a in zip(rows["criterion"], alloc, strict=True)
    }


def _check_targets(cycle, entry, agencies) -> None:
    totals = dict(cycle.results.filter(publication__isnull=True).values_list("agency_id", "total"))
    for slug, total in entry["totals"]:
        if totals[agencies[slug].id] != Decimal(total):
            raise DemoDataError(f"{cycle}: {slug} total {totals[agencies[slug].id]} != {total}")
