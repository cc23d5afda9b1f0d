"""Selector output → plain dicts for the serializers, numbers at their published precision.

Every number is rounded by the rule the page prints it with (`rankings.printed`): totals,
highest, lowest, spread and changes by the criteria set's totals rule; percents by its
percent rule; mean and median by its statistics rule; maxima, group subtotals and
criterion points at the stored thousandths. The engine's unrounded figures are added
beside them as `*_exact` fields, for those who recompute. Nothing passes through a float.
"""

from collections import Counter
from decimal import ROUND_DOWN, Decimal
from typing import overload

from rankings.printed import printed

STORED_PLACES = 3


@overload
def fixed(value: None, places: int) -> None: ...
@overload
def fixed(value: Decimal | float | str, places: int) -> Decimal: ...
def fixed(value, places: int) -> Decimal | None:
    """`value` truncated to exactly `places` decimals, as the page prints it."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def fixed_text(text: str, places: int) -> str:
    """`fixed(text, places)` written out, without a `Decimal` for a stored number.

    Every writer of stored numbers (PostgreSQL's `numeric(_, 3)`, SQLite's text of a REAL,
    `str()` of a three-place `Decimal`) puts digits before the point and, when there are
    three decimals, nothing after them: cutting digits off is then rounding down, exactly.
    Anything else ("17.5", "26", a missing group's "0") goes through `fixed`.
    """
    if text[-4:-3] == ".":
        return text[: CUT[places]]
    return format(fixed(text, places), "f")


CUT = {3: None, 2: -1, 1: -2, 0: -4}  # decimals kept → slice end of a three-place number


def _int(value) -> int | None:
    return None if value is None else int(value)


def agency_ref(agency_id, slug, name, short_name, admin_unit_code) -> dict:
    return {
        "id": int(agency_id),
        "slug": slug,
        "name": name,
        "short_name": short_name,
        "admin_unit_code": admin_unit_code,
    }


def place(cycle) -> dict:
    return {
        "province": {"slug": cycle.province.slug, "name": cycle.province.name},
        "year": cycle.year,
        "block": {"slug": cycle.block.slug, "name": cycle.block.name},
    }


def ranking(board) -> dict:
    """The whole published ranking of a block: rows, statistics, decision, rules."""
    rules = printed(board.criteria_set)
    return {
        **place(board.cycle),
        "criteria_set": board.criteria_set,
        "publication": board.publication,
        "groups": [
            {"code": group.code, "name": group.name, "name_en": group.name_en}
            for group in board.groups
        ],
        "statistics": _statistics(board),
        "rows": [_ranking_row(row, board.groups, rules) for row in board.records],
    }


def _ranking_row(row: dict, groups, rules) -> dict:
    return {
        "rank": _int(row["rank"]),
        "tied": bool(row["tied"]),
        "agency": agency_ref(
            row["agency_id"],
            row["agency_slug"],
            row["agency_name"],
            row["agency_short_name"],
            row["admin_unit_code"],
        ),
        "groups": {
            group.code: fixed(row[f"group_{group.code}"], STORED_PLACES) for group in groups
        },
        "total": rules.total(row["total"]),
        "percent": rules.percent(row["percent"]),
        "band": row["band"] or None,
        "not_ranked_reason": row["not_ranked_reason"] or None,
        "previous_rank": _int(row["previous_rank"]),
        "rank_change": _int(row["rank_change"]),
        "change": rules.total(row["change"]),
        "percent_change": rules.percent(row["percent_change"]),
        "total_exact": row["exact_total"],
    }


def _statistics(board) -> dict:
    """The block's figures at the set's precision, and how they compare with the year before."""
    stats, previous, rules = board.stats, board.previous, printed(board.criteria_set)
    return {
        "count": stats.count,
        "ranked": stats.ranked,
        "max_points": fixed(stats.max_points, STORED_PLACES),
        "mean": rules.statistic(stats.mean),
        "median": rules.statistic(stats.median),
        "highest": rules.total(stats.highest),
        "lowest": rules.total(stats.lowest),
        "spread": rules.total(stats.spread),
        "mean_percent": rules.percent(board.mean_percent),
        "previous_year": previous.cycle.year if previous else None,
        "comparable_with_previous": board.comparable if previous else None,
        "not_comparable_reason": board.not_comparable_reason or None,
        "mean_change": rules.mean_change(board.mean_change),
        **_baseline_fields(board.comparability),
        "mean_percent_change": rules.percent(board.mean_percent_change),
        **_exact(stats, board.mean_change),
    }


def _baseline_fields(compared) -> dict:
    """The years missing between a year and its baseline, and whether its rank changes
    compare (both years ranked as many agencies); `compared` is None without a baseline."""
    if compared is None:
        return {"missing_years": [], "previous_block_size": None, "rank_change_comparable": None}
    return {
        "missing_years": list(compared.missing_years),
        "previous_block_size": compared.previous_block_size,
        "rank_change_comparable": compared.rank_change_comparable,
    }


def _exact(stats, mean_change) -> dict:
    """The engine's figures before any rounding: exact, or 50 digits when they do not end."""
    return {
        "mean_exact": stats.mean,
        "median_exact": stats.median,
        "highest_exact": stats.highest,
        "lowest_exact": stats.lowest,
        "spread_exact": stats.spread,
        "mean_change_exact": mean_change,
    }


def criterion_points(points) -> dict:
    """Each agency's published points per criterion, with the criteria and their maxima."""
    places = points.cycle.criteria_set.precision
    return {
        **place(points.cycle),
        "criteria_set": points.cycle.criteria_set,
        "publication": points.publication,
        "criteria": [_criterion_ref(criterion) for criterion in points.criteria],
        "rows": [_points_row(result, points.criteria, places) for result in points.results],
    }


def _criterion_ref(criterion) -> dict:
    group = criterion.group
    return {
        "code": criterion.code,
        "name": criterion.name,
        "name_en": criterion.name_en,
        "group": (group.parent or group).code,
        "subgroup": group.code if group.parent_id else None,
        "max_points": fixed(criterion.max_points, STORED_PLACES),
        "rule": criterion.rule,
    }


def _points_row(result, criteria, places: int) -> dict:
    return {
        "agency": agency_ref(
            result.agency_id,
            result.agency.slug,
            result.agency.name,
            result.agency.short_name,
            result.agency.admin_unit_code,
        ),
        "rank": result.rank,
        "total": fixed(result.score, places),
        "points": {
            criterion.code: fixed(result.criteria.get(criterion.code, "0"), STORED_PLACES)
            for criterion in criteria
        },
    }


def history(profile) -> dict:
    """An agency's published results across years, with its block's figures."""
    agency = profile.agency
    years = []
    for point in profile.history:
        criteria_set = point.cycle.criteria_set
        rules = printed(criteria_set)
        years.append(
            {
                "year": point.cycle.year,
                "block": point.cycle.block.slug,
                "criteria_set": criteria_set.slug,
                "rank": point.result.rank,
                "count": point.count,
                "total": rules.total(point.result.score),
                "max_points": fixed(criteria_set.max_points, STORED_PLACES),
                "percent": rules.percent(point.result.percent),
                "band": point.result.band or None,
                "block_mean": rules.statistic(point.stats.mean),
                "comparable_with_previous": point.comparable_with_previous,
                "not_comparable_reason": point.not_comparable_reason or None,
                "change": rules.total(point.change),
                "rank_change": point.rank_change,
                "decision": point.publication,
                "previous_year": point.previous_year,
                **_baseline_fields(point.compared),
                "percent_change": rules.percent(point.percent_change),
                "not_ranked_reason": point.result.not_ranked_reason or None,
                "total_exact": point.result.total,
                "block_mean_exact": point.stats.mean,
            }
        )
    return {
        "agency": agency_ref(
            agency.pk, agency.slug, agency.name, agency.short_name, agency.admin_unit_code
        ),
        "province": agency.province.slug,
        "years": years,
    }


def criteria_tree(tree) -> dict:
    """A criteria set's groups → sub-groups → criteria, each group with its maximum."""
    return {
        "groups": [_group_node(entry) for entry in tree.groups],
        "bands": [
            {
                "label": band.label,
                "label_en": band.label_en,
                "minimum": fixed(band.minimum, STORED_PLACES),
                "basis": band.basis,
            }
            for band in tree.bands
        ],
        "cycles": [
            {"province": cycle.province.slug, "year": cycle.year, "block": cycle.block.slug}
            for cycle in tree.cycles
        ],
    }


def _group_node(entry) -> dict:
    """A group with its maximum, its sub-groups (depth first) and its criteria."""
    group, maximum, subgroups, criteria = entry
    return {
        "code": group.code,
        "name": group.name,
        "name_en": group.name_en,
        "max_points": fixed(maximum, STORED_PLACES),
        "subgroups": [_group_node(child) for child in subgroups],
        "criteria": [
            {
                "code": criterion.code,
                "name": criterion.name,
                "name_en": criterion.name_en,
                "max_points": fixed(criterion.max_points, STORED_PLACES),
                "rule": criterion.rule,
                "params": criterion.params,
                "required": criterion.required,
                "evidence_required": criterion.evidence_required,
                "data_source": criterion.data_source,
            }
            for criterion in criteria
        ],
    }


def year_results(results) -> dict:
    """A year's published rows, ready for `orjson.dumps`: numbers already exact strings.

    Each row is a ranking row (`ranking()` above, same numbers, same precision) with its
    cycle's identifiers and decision, without the year-before fields: changes need each
    block's previous year and its comparability, which a bulk read leaves to `rankings/`.
    Runs once per row of a national year (12,000), so it stays plain loops over tuples.
    """
    rows: list[dict] = []
    append = rows.append
    for cycle_id, cycle in results.cycles.items():
        block_rows = results.rows[cycle_id]
        shared = Counter(row[1] for row in block_rows)
        groups, places, percent_places = cycle.groups, cycle.precision, cycle.percent_precision
        for _, rank, pk, slug, name, short, code, score, percent, band, why, *points in block_rows:
            append(
                {
                    "province": cycle.province,
                    "year": cycle.year,
                    "block": cycle.block,
                    "criteria_set": cycle.criteria_set,
                    "decision_number": cycle.decision_number,
                    "source": cycle.source,
                    "revision": cycle.revision,
                    "rank": rank,
                    "tied": rank is not None and shared[rank] > 1,
                    "agency": {
                        "id": pk,
                        "slug": slug,
                        "name": name,
                        "short_name": short,
                        "admin_unit_code": code,
                    },
                    "groups": {
                        group: fixed_text(points[column] or "0", STORED_PLACES)
                        for group, column in groups
                    },
                    "total": fixed_text(score, places),
                    "percent": fixed_text(percent, percent_places),
                    "band": band or None,
                    "not_ranked_reason": why or None,
                }
            )
    return {"year": results.year, "count": len(rows), "rows": rows}
