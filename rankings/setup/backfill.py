"""Backfill a published ranking as it was printed: agency name, total, optionally its rank
and its group subtotals.

A province's past rankings exist only as tables in decisions, reports and newspapers.
Such a table is entered under a totals-only criteria set (one criterion, the total),
or, when it prints group subtotals (columns headed by a group's code or name: "1",
"Nhóm 1", "Điều kiện sẵn sàng"), under a set of those groups (one criterion each, the
group's maximum taken from the block's criteria set that has them); each row's subtotals
must add up to its printed total,
matched to agencies by name (aliases confirmed by staff are learned), ranked by the
set's own rules with the engine, and every printed rank the engine disagrees with is
listed before anything is saved. The publication records its real source: a decision
(number, date, signer) or another source (title, date, link), never an invented number.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

import scoring
from agencies.models import Agency, AgencyAlias, Block, Province
from agencies.names import NameMatcher, name_key
from agencies.slugs import slugify, unique_slug
from rankings import wording
from rankings.cycles import management, services
from rankings.formatting import places_of
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    CriteriaSetKind,
    Criterion,
    CriterionGroup,
    CycleState,
    Publication,
    Score,
    SourceKind,
    Stage,
    TieMethod,
)
from rankings.setup import tables
from rankings.setup.tables import Problem

COLUMNS = {
    "name": ("Tên đơn vị", "Cơ quan, đơn vị", "Tên cơ quan, đơn vị", "Đơn vị", "Tên"),
    "total": ("Tổng điểm", "Điểm", "Tổng"),
    "rank": ("Xếp hạng", "Thứ hạng", "Hạng"),
}
TOTAL_CODE = "T"
# The published reason of an agency of the block the printed table does not name (stored
# as published words, like a decision's, so in Vietnamese).
NOT_IN_TABLE = "Không có tên trong bảng đã công bố"


@dataclass(frozen=True)
class Source:
    """Where the table was published: a decision, or another source with a title."""

    kind: str
    date: datetime.date
    number: str = ""
    signer: str = ""
    title: str = ""
    url: str = ""

    def problems(self) -> list[Problem]:
        if self.kind == SourceKind.DECISION and not self.number:
            return [Problem(None, _("Số quyết định"), _("cần số quyết định"))]
        if self.kind == SourceKind.OTHER and not self.title:
            return [Problem(None, _("Tên nguồn"), _("cần tên báo cáo, bài báo hoặc văn bản"))]
        return []


@dataclass(frozen=True)
class GroupColumn:
    """A printed group-subtotal column and the criteria-set group it stands for."""

    header: str
    code: str
    name: str
    maximum: Decimal


@dataclass
class BackfillRow:
    row: int
    name: str
    agency: Agency
    total: Decimal
    printed_rank: int | None
    rank: int | None = None
    learned: bool = False  # matched by a confirmation: its name becomes an alias
    groups: dict[str, Decimal] = field(default_factory=dict)  # group code → printed subtotal


@dataclass
class BackfillPlan:
    """A checked table: rows with the engine's ranks, problems, rank differences."""

    province: Province
    block: Block
    year: int
    max_points: Decimal
    tie_method: str
    source: Source
    rows: list[BackfillRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmatched: dict[int, tuple[str, list[Agency]]] = field(default_factory=dict)
    precision: int = 0
    groups: list[GroupColumn] = field(default_factory=list)
    # The block's agencies of that year the printed table does not name: published as not
    # ranked, "not in the published table" (never an invented "did not submit").
    missing: list[Agency] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        """Every printed rank the engine's ranking of the printed totals disagrees with."""
        return [
            _("dòng %(r)s, %(n)s: bảng in hạng %(p)s, tính theo quy tắc của bộ tiêu chí là %(e)s")
            % {"r": row.row, "n": row.name, "p": row.printed_rank, "e": row.rank}
            for row in self.rows
            if row.printed_rank is not None and row.printed_rank != row.rank
        ]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unmatched and bool(self.rows)


def backfill_plan(
    *,
    province: Province,
    block: Block,
    year: int,
    max_points: Decimal,
    tie_method: str,
    source: Source,
    data: bytes,
    filename: str,
    confirmed: dict[int, int] | None = None,
) -> BackfillPlan:
    """Read, match and rank a printed table; nothing is written.

    `confirmed` maps a row number to the agency staff picked for a name that did not match.
    """
    plan = BackfillPlan(province, block, year, max_points, tie_method, source)
    plan.problems += source.problems()
    if published := _published_cycle(province, block, year):
        plan.problems.append(
            Problem(
                None,
                "",
                _("%(c)s đã công bố; sửa bằng đính chính, không nhập lại") % {"c": published},
            )
        )
    try:
        sheet = tables.read_sheet(data, filename, columns=COLUMNS, required=("name", "total"))
    except tables.Refused as refused:
        plan.problems.append(Problem(None, "", str(refused)))
        return plan
    plan.groups = _group_columns(plan, sheet)
    _plan_rows(plan, sheet, confirmed or {})
    if not sheet.rows:
        plan.problems.append(Problem(None, "", _("tệp không có dòng dữ liệu nào.")))
    if plan.rows and not plan.problems:
        _rank(plan)
    return plan


def _plan_rows(plan: BackfillPlan, sheet, confirmed: dict[int, int]) -> None:
    """Each row matched to an agency of the block active in the year, once."""
    agencies = list(
        Agency.objects.filter(province=plan.province, block=plan.block).order_by("name")
    )
    agencies = [a for a in agencies if a.is_active_in(plan.year)]
    by_id = {a.pk: a for a in agencies}
    matcher = NameMatcher.of(
        agencies,
        AgencyAlias.objects.filter(province=plan.province).values_list("agency_id", "name"),
    )
    seen: dict[int, int] = {}
    for number, record in sheet.rows:
        row = _row(plan, sheet, number, record, matcher, by_id, confirmed)
        if row is None or row.agency is None:
            continue
        if row.agency.pk in seen:
            plan.problems.append(
                Problem(
                    number,
                    sheet.column("name"),
                    _("“%(n)s” trùng đơn vị với dòng %(r)s")
                    % {"n": row.name, "r": seen[row.agency.pk]},
                )
            )
            continue
        seen[row.agency.pk] = number
        plan.rows.append(row)
    plan.missing = [agency for agency in agencies if agency.pk not in seen]


def _row(plan, sheet, number, record, matcher, by_id, confirmed) -> BackfillRow | None:
    before = len(plan.problems)

    def problem(column: str, message: str) -> None:
        plan.problems.append(Problem(number, sheet.column(column), message))

    name = tables.text(record.get("name"))
    total = tables.decimal(record.get("total"))
    if not name:
        problem("name", _("thiếu tên đơn vị"))
    if total is None:
        problem("total", _("“%(v)s” không phải số điểm") % {"v": tables.text(record.get("total"))})
    elif total < 0 or total > plan.max_points:
        problem("total", _("%(v)s nằm ngoài 0 – %(m)s điểm") % {"v": total, "m": plan.max_points})
    elif places_of(total) > 3:
        problem("total", _("%(v)s có hơn 3 chữ số thập phân") % {"v": total})
    else:
        plan.precision = max(plan.precision, max(places_of(total), 0))
    subtotals = _subtotals(plan, sheet, number, total if len(plan.problems) == before else None)
    rank_text = tables.text(record.get("rank"))
    printed = None
    if rank_text:
        rank = tables.decimal(rank_text)
        if rank is None or rank != rank.to_integral_value() or rank < 1:
            problem("rank", _("“%(v)s” không phải thứ hạng (số nguyên từ 1)") % {"v": rank_text})
        else:
            printed = int(rank)
    if len(plan.problems) > before or total is None:  # a missing total is a problem
        return None
    match = matcher.match(name)
    agency = by_id.get(match.agency_id) if match.ok else by_id.get(confirmed.get(number, 0))
    if agency is None:
        candidates = list(match.ambiguous or match.closest)
        plan.unmatched[number] = (name, candidates)
        problem("name", match.problem())
        return None
    return BackfillRow(number, name, agency, total, printed, learned=not match.ok, groups=subtotals)


def _header_keys(code: str, name: str) -> set[str]:
    """The ways a table heads a group's column: "1", "Nhóm 1", its name, "1. name" …"""
    plain = {code, name, f"{code}. {name}", f"{code} {name}", f"{code}: {name}"}
    return {name_key(k) for k in plain | {f"nhóm {k}" for k in plain} | {f"nhóm {code} - {name}"}}


def _top_groups(criteria_set: CriteriaSet) -> list[GroupColumn]:
    """A set's top groups with their maxima (the sum of their criteria's)."""
    maxima: dict[str, Decimal] = {}
    for criterion in criteria_set.criteria.select_related("group__parent"):
        top = criterion.group.parent or criterion.group
        maxima[top.code] = maxima.get(top.code, Decimal(0)) + criterion.max_points
    groups = criteria_set.groups.filter(parent__isnull=True).order_by("order", "code")
    return [GroupColumn("", g.code, g.name, maxima.get(g.code, Decimal(0))) for g in groups]


def _group_columns(plan: BackfillPlan, sheet: tables.Sheet) -> list[GroupColumn]:
    """The printed subtotal columns, matched to the top groups of the block's criteria
    set of the same maximum (the newest that has them all); a "Nhóm …" column that no
    set has, or a set's group left out, is a problem naming the column."""
    sets = CriteriaSet.objects.filter(
        province=plan.province,
        block=plan.block,
        kind=CriteriaSetKind.FULL,
        max_points=plan.max_points,
    ).order_by("-decision_date", "-pk")
    candidates = [_top_groups(criteria_set) for criteria_set in sets]
    known = set().union(*(_header_keys(g.code, g.name) for gs in candidates for g in gs))
    headers = [
        h for h in sheet.extra if name_key(h) in known or name_key(h).startswith(name_key("nhóm "))
    ]
    best: list[GroupColumn] = []
    best_groups: list[GroupColumn] = []
    for groups in candidates if headers else []:
        found = [
            GroupColumn(h, g.code, g.name, g.maximum)
            for h in headers
            for g in groups
            if name_key(h) in _header_keys(g.code, g.name)
        ]
        if len(found) == len(headers) == len(groups):
            return found
        if len(found) > len(best):
            best, best_groups = found, groups
    if headers:
        plan.problems += _group_problems(plan, headers, best, best_groups)
    return []


def _group_problems(plan, headers, best, best_groups) -> list[Problem]:
    """Why the subtotal columns match no set: columns no group has, or groups left out."""
    matched = {c.header for c in best}
    problems = [
        Problem(
            None,
            header,
            _(
                "không có nhóm này trong bộ tiêu chí nào của khối có điểm tối đa "
                "%(m)s; đặt tên cột theo mã hoặc tên nhóm của bộ tiêu chí"
            )
            % {"m": _plain(plan.max_points)},
        )
        for header in headers
        if header not in matched
    ]
    if not problems:
        missing = [g for g in best_groups if g.code not in {c.code for c in best}]
        problems.append(
            Problem(
                None,
                "",
                _("bảng có điểm nhóm nhưng thiếu cột của nhóm %(g)s")
                % {"g": "; ".join(f"{g.code} {g.name}" for g in missing)},
            )
        )
    return problems


def _subtotals(plan, sheet, number: int, total: Decimal | None) -> dict[str, Decimal]:
    """A row's printed subtotals, each checked, and their sum against the printed total."""
    found: dict[str, Decimal] = {}
    for column in plan.groups:
        raw = sheet.extra_value(number, column.header)
        value = tables.decimal(raw)
        if value is None:
            message = _("“%(v)s” không phải số điểm") % {"v": tables.text(raw)}
        elif value < 0 or value > column.maximum:
            message = _("%(v)s nằm ngoài 0 – %(m)s điểm của nhóm %(c)s") % {
                "v": value,
                "m": _plain(column.maximum),
                "c": column.code,
            }
        elif places_of(value) > 3:
            message = _("%(v)s có hơn 3 chữ số thập phân") % {"v": value}
        else:
            found[column.code] = value
            continue
        plan.problems.append(Problem(number, column.header, message))
    if total is not None and len(found) == len(plan.groups) and found:
        added = sum(found.values(), Decimal(0))
        if added != total:
            plan.problems.append(
                Problem(
                    number,
                    sheet.column("total"),
                    _("các điểm nhóm cộng lại %(s)s, khác tổng điểm in %(t)s")
                    % {"s": _plain(added), "t": _plain(total)},
                )
            )
    return found


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _rank(plan: BackfillPlan) -> None:
    """The engine's ranks of the printed totals, by the totals-only set's rules."""
    criteria = scoring_criteria(plan.max_points)
    inputs = scoring.inputs_from_records(
        {
            "agency": row.agency.pk,
            "block": plan.block.pk,
            "criterion": TOTAL_CODE,
            "value": row.total,
            "denominator": None,
            "choice": None,
        }
        for row in plan.rows
    )
    rules = scoring.RankingRules(
        max_points=plan.max_points,
        precision=plan.precision,
        tie_method=scoring.TieMethod(plan.tie_method),
    )
    card = scoring.compute(criteria, inputs, rules)
    ranks = {
        agency: (None if rank is None or rank != rank else int(rank))
        for agency, rank in card.results_decimal()[["agency", "rank"]].itertuples(index=False)
    }
    for row in plan.rows:
        row.rank = ranks[row.agency.pk]


def scoring_criteria(max_points: Decimal):
    """A totals-only set as the engine reads it: one group, one direct criterion."""
    import pandas as pd

    return pd.DataFrame.from_records(
        [
            {
                "criterion": TOTAL_CODE,
                "group": TOTAL_CODE,
                "subgroup": None,
                "max_points": max_points,
                "rule": "direct",
                "params": {},
                "required": False,
            }
        ]
    )


def _published_cycle(province, block, year) -> AssessmentCycle | None:
    return (
        AssessmentCycle.objects.filter(province=province, block=block, year=year)
        .filter(publications__isnull=False)
        .select_related("province", "block")
        .first()
    )


@transaction.atomic
def backfill_apply(*, plan: BackfillPlan, user=None) -> Publication:
    """Save a checked table as a published cycle of a totals-only set, with its source."""
    if not plan.ok:
        raise ValueError("A refused table cannot be saved.")
    if plan.groups:
        criteria_set = groups_set_ensure(plan=plan)
    else:
        criteria_set = totals_set_ensure(
            province=plan.province,
            block=plan.block,
            max_points=plan.max_points,
            precision=plan.precision,
            tie_method=plan.tie_method,
        )
    cycle = _backfill_cycle(plan, criteria_set)
    criteria = {c.code: c for c in criteria_set.criteria.all()}
    Score.objects.bulk_create(
        Score(
            cycle=cycle,
            agency=row.agency,
            criterion=criteria[code],
            stage=Stage.FINAL,
            value=points,
            points=points,
            max_points=criteria[code].max_points,
            updated_by=user,
        )
        for row in plan.rows
        for code, points in (row.groups or {TOTAL_CODE: row.total}).items()
    )
    for row in plan.rows:
        if row.learned:
            AgencyAlias.objects.get_or_create(
                agency=row.agency, name=row.name[:200], defaults={"created_by": user}
            )
    for agency in plan.missing:
        management.agency_exclude(cycle=cycle, agency=agency, reason=NOT_IN_TABLE, user=user)
    return _backfill_publish(cycle, plan.source)


def _backfill_cycle(plan: BackfillPlan, criteria_set: CriteriaSet) -> AssessmentCycle:
    """The year's cycle, approved with the totals-only set; an unpublished one's scores go."""
    cycle, created = AssessmentCycle.objects.get_or_create(
        province=plan.province,
        block=plan.block,
        year=plan.year,
        defaults={"criteria_set": criteria_set, "state": CycleState.APPROVED},
    )
    if not created:
        if cycle.publications.exists():
            raise ValueError("This cycle is already published.")
        cycle.criteria_set, cycle.state = criteria_set, CycleState.APPROVED
        cycle._change_reason = "backfill"
        cycle.save(update_fields=["criteria_set", "state"])
        cycle.scores.all().delete()
    return cycle


def _backfill_publish(cycle: AssessmentCycle, source: Source) -> Publication:
    """Publish the cycle under the printed table's decision, naming the source."""
    publication = services.cycle_publish(
        cycle=cycle,
        decision_number=source.number,
        decision_date=source.date,
        signer=source.signer,
    )
    publication.source_kind, publication.source_title = source.kind, source.title
    publication.source_url, publication.is_backfill = source.url, True
    publication.save(update_fields=["source_kind", "source_title", "source_url", "is_backfill"])
    return publication


def totals_set_ensure(
    *, province, block, max_points: Decimal, precision: int, tie_method: str
) -> CriteriaSet:
    """The province's totals-only set for a block and maximum, created once and reused,
    so consecutive backfilled years stay comparable."""
    found = CriteriaSet.objects.filter(
        province=province,
        block=block,
        kind=CriteriaSetKind.TOTALS,
        max_points=max_points,
        tie_method=tie_method,
    ).first()
    if found is not None:
        if found.precision < precision:
            found.precision = precision
            found.save(update_fields=["precision"])
        return found
    names = wording.criteria_set_names(
        wording.TOTALS_SET, block=block, province=province.name, max_points=max_points
    )
    taken = set(CriteriaSet.objects.values_list("slug", flat=True))
    base = slugify(
        f"{province.slug} {block.slug} tong diem {max_points.normalize():f}", max_length=90
    )
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        **names,
        slug=unique_slug(base, taken),
        kind=CriteriaSetKind.TOTALS,
        max_points=max_points,
        precision=precision,
        tie_method=tie_method or TieMethod.COMPETITION,
    )
    _total_criterion_create(criteria_set)
    return criteria_set


def _total_criterion_create(criteria_set: CriteriaSet) -> None:
    """The set's one group and one direct criterion, the total."""
    group = CriterionGroup.objects.create(
        criteria_set=criteria_set, code=TOTAL_CODE, name=_("Tổng điểm")
    )
    Criterion.objects.create(
        criteria_set=criteria_set,
        group=group,
        code=TOTAL_CODE,
        name=_("Tổng điểm"),
        max_points=criteria_set.max_points,
        rule="direct",
        evidence_required=False,
    )


def groups_set_ensure(*, plan: BackfillPlan) -> CriteriaSet:
    """The province's set of printed group subtotals for a block: one direct criterion per
    group, created once per list of groups and maximum and reused."""
    if found := _groups_set_found(plan):
        if found.precision < plan.precision:
            found.precision = plan.precision
            found.save(update_fields=["precision"])
        return found
    block, province = plan.block, plan.province
    name = _("Bảng điểm nhóm đã công bố — %(b)s tỉnh %(p)s (tối đa %(m)s điểm)") % {
        "b": block.name[:1].lower() + block.name[1:],
        "p": province.name,
        "m": _plain(plan.max_points),
    }
    taken = set(CriteriaSet.objects.values_list("slug", flat=True))
    base = slugify(
        f"{province.slug} {block.slug} diem nhom {plan.max_points.normalize():f}", max_length=90
    )
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name=name,
        slug=unique_slug(base, taken),
        kind=CriteriaSetKind.FULL,
        max_points=plan.max_points,
        precision=plan.precision,
        tie_method=plan.tie_method or TieMethod.COMPETITION,
    )
    for order, column in enumerate(plan.groups):
        group = CriterionGroup.objects.create(
            criteria_set=criteria_set, code=column.code, name=column.name[:250], order=order
        )
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=column.code,
            name=(_("Điểm nhóm %(n)s (bảng đã công bố)") % {"n": column.name})[:300],
            max_points=column.maximum,
            rule="direct",
            evidence_required=False,
            order=order,
        )
    return criteria_set


def _groups_set_found(plan: BackfillPlan) -> CriteriaSet | None:
    """The subtotals set an earlier backfill made with the same groups, if any."""
    shape = [(g.code, g.name, g.maximum) for g in plan.groups]
    candidates = CriteriaSet.objects.filter(
        province=plan.province,
        block=plan.block,
        kind=CriteriaSetKind.FULL,
        max_points=plan.max_points,
        tie_method=plan.tie_method,
        slug__contains="-diem-nhom-",
    ).prefetch_related("criteria__group")
    for found in candidates:
        criteria = sorted(found.criteria.all(), key=lambda c: c.order)
        if [(c.code, c.group.name, c.max_points) for c in criteria] == shape:
            return found
    return None
