"""The what-if simulator's reads: an agency's published (or draft) raw inputs among its peers.

The peers' inputs are the final-stage scores of the agency's latest published cycle, used
only where they still reproduce that publication exactly (a correction under way or a
ranking entered as totals only cannot be simulated). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

import scoring
from agencies.models import Agency
from rankings import permissions, wording
from rankings.frames import _criteria_frame, _criteria_with_groups, ranking_rules, score_records
from rankings.models import (
    AGENCY_ROLES,
    AssessmentCycle,
    Criterion,
    CycleState,
    Publication,
    Result,
    Score,
    Stage,
    Submission,
)
from scoring.whatif import RawInput, Standing, scorecard, simulate, standing, with_changes
from scoring.whatif_plan import Plan, cheapest_plans

PUBLISHED, DRAFT = "published", "draft"


class Unavailable(Exception):
    """No simulation for this agency; the message says why, in the page's language."""


class InvalidChanges(Exception):
    """Changes the engine refuses; `problems` name the criterion and the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class SimulatorBase:
    """Everything a simulation reads, once: the set, its rules and the block's inputs."""

    agency: Agency
    publication: Publication
    criteria: list[Criterion]
    frame: pd.DataFrame
    rules: scoring.RankingRules
    records: list[dict]
    start: dict[str, RawInput]  # the agency's inputs the form starts from
    source: str
    draft_cycle: AssessmentCycle | None = None
    card: scoring.Scorecard | None = None  # the published inputs' scorecard

    @property
    def cycle(self) -> AssessmentCycle:
        return self.publication.cycle


@dataclass(frozen=True)
class Line:
    """One criterion of the simulation: its raw input and points from the start and now."""

    criterion: Criterion
    start: RawInput
    now: RawInput
    points_before: Decimal
    points_after: Decimal

    @property
    def changed(self) -> bool:
        return self.start != self.now


@dataclass(frozen=True)
class Simulation:
    base: SimulatorBase
    before: Standing
    after: Standing
    lines: list[Line]
    plans: dict[str, Plan | None]
    changes: dict[str, RawInput]


def simulator_base(*, agency, user=None, source: str = PUBLISHED) -> SimulatorBase:
    """The agency's latest published cycle read for simulation (6 queries; 9 from a draft).

    Raises Unavailable with the reason, and PermissionDenied for a draft asked by anyone
    but the agency's own staff.
    """
    if source == DRAFT and not is_agency_staff(user, agency):
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị được mô phỏng từ bản tự đánh giá nháp."))
    publication = _latest_publication(agency)
    criteria_set = publication.cycle.criteria_set
    if criteria_set.totals_only:
        raise Unavailable(_("Kỳ này chỉ có tổng điểm đã công bố, không có điểm từng tiêu chí."))
    criteria = _criteria_with_groups(criteria_set)
    frame = _criteria_frame(criteria)
    rules = ranking_rules(criteria_set=criteria_set)
    records = _ranked_records(publication.cycle)
    card = _check_published(publication, frame, records, rules)
    start = _own_inputs(records, agency.pk)
    if not start:
        raise Unavailable(
            _("Đơn vị không có số liệu chi tiết trong kết quả năm %(y)s (không được xếp hạng).")
            % {"y": publication.cycle.year}
        )
    base = SimulatorBase(
        agency, publication, criteria, frame, rules, records, start, PUBLISHED, card=card
    )
    return _with_draft(base, criteria) if source == DRAFT else base


def _ranked_records(cycle) -> list[dict]:
    """The final inputs the publication ranked: an agency the decision excluded is left
    out, as `final.final_preview` leaves it out (two queries)."""
    excluded = set(
        Submission.objects.filter(cycle=cycle)
        .exclude(excluded_reason="")
        .values_list("agency_id", flat=True)
    )
    return [r for r in score_records(cycle=cycle) if r["agency"] not in excluded]


def is_agency_staff(user, agency) -> bool:
    roles = permissions.roles_in(user, province_id=agency.province_id, agency_id=agency.pk)
    return bool(roles & AGENCY_ROLES)


def _latest_publication(agency) -> Publication:
    """The newest revision of the latest published year in which the agency has a result."""
    publication = (
        Publication.objects.filter(cycle__province=agency.province_id, cycle__block=agency.block_id)
        .filter(results__agency=agency)
        .select_related("cycle__criteria_set", "cycle__province", "cycle__block")
        .order_by("-cycle__year", "-revision")
        .first()
    )
    if publication is None:
        raise Unavailable(_("Đơn vị này chưa có kết quả xếp hạng được công bố."))
    return publication


def _check_published(publication, frame, records, rules) -> scoring.Scorecard:
    """The published inputs' scorecard; Unavailable if they no longer give the published
    scores and ranks (one query)."""
    published = {
        agency: (scoring.to_milli(score), rank)
        for agency, score, rank in Result.objects.filter(publication=publication)
        .exclude(groups={})
        .values_list("agency_id", "score", "rank")
    }
    try:
        card = scorecard(frame, records, rules)
    except scoring.ScoringInputError:
        card = None
    computed = (
        {}
        if card is None
        else {
            row.agency: (int(row.score), None if pd.isna(row.rank) else int(row.rank))
            for row in card.results.itertuples(index=False)
        }
    )
    if not published or computed != published:
        raise Unavailable(
            _(
                "Số liệu chi tiết của kỳ %(y)s không còn khớp kết quả đã công bố (đang đính "
                "chính, hoặc kết quả được nhập lại từ bảng đã in), nên chưa mô phỏng được."
            )
            % {"y": publication.cycle.year}
        )
    assert card is not None  # computed equals a non-empty published: there is a card
    return card


def _own_inputs(records, agency_id) -> dict[str, RawInput]:
    return {
        str(r["criterion"]): RawInput(r["value"], r["denominator"], r["choice"] or None)
        for r in records
        if r["agency"] == agency_id
    }


def _with_draft(base: SimulatorBase, criteria) -> SimulatorBase:
    """The base starting from the agency's draft self-assessment of its open cycle.

    Criteria are matched by code with the published set; the peers stay as published.
    """
    agency = base.agency
    cycle = (
        AssessmentCycle.objects.filter(province=agency.province_id, block=agency.block_id)
        .exclude(state__in=[CycleState.PUBLISHED, CycleState.ARCHIVED])
        .order_by("-year")
        .first()
    )
    if cycle is None:
        raise Unavailable(_("Đơn vị không có kỳ đánh giá đang mở để lấy bản tự đánh giá nháp."))
    codes = {c.code for c in criteria}
    rows = Score.objects.filter(cycle=cycle, agency=agency, stage=Stage.SELF).values_list(
        "criterion__code", "value", "denominator", "choice"
    )
    start = {
        code: RawInput(value, denominator, choice or None)
        for code, value, denominator, choice in rows
        if code in codes
    }
    if not start:
        raise Unavailable(
            _("Đơn vị chưa nhập số liệu tự đánh giá cho kỳ %(y)s.") % {"y": cycle.year}
        )
    return SimulatorBase(
        agency,
        base.publication,
        base.criteria,
        base.frame,
        base.rules,
        base.records,
        {**base.start, **start},
        DRAFT,
        cycle,
        base.card,
    )


def simulation(base: SimulatorBase, changes: dict[str, RawInput]) -> Simulation:
    """The agency's standing from its start inputs, and with `changes`, plus the proposals.

    No query: everything was read by `simulator_base`.
    """
    agency, block = base.agency.pk, base.cycle.block_id
    unknown = sorted(set(changes) - {c.code for c in base.criteria})
    if unknown:
        raise InvalidChanges(
            [_("Tiêu chí không có trong bộ tiêu chí: %(c)s") % {"c": c} for c in unknown]
        )
    start = base.start if base.source == DRAFT else {}
    try:
        before = _run(base, start) if start or base.card is None else standing(base.card, agency)
        now = {**start, **changes}
        records = with_changes(base.records, agency=agency, block=block, changes=now)
        card = scorecard(base.frame, records, base.rules)
    except scoring.ScoringInputError as error:
        raise InvalidChanges(_problems(base, error)) from None
    after = standing(card, agency)
    plans = cheapest_plans(base.frame, records, base.rules, card=card, agency=agency, block=block)
    return Simulation(base, before, after, _lines(base, changes, before, after), plans, changes)


def _run(base: SimulatorBase, changes: dict[str, RawInput]) -> Standing:
    return simulate(
        base.frame,
        base.records,
        base.rules,
        agency=base.agency.pk,
        block=base.cycle.block_id,
        changes=changes,
    )


def _problems(base: SimulatorBase, error: scoring.ScoringInputError) -> list[str]:
    params = {c.code: c.params for c in base.criteria}
    rules = {c.code: c.rule for c in base.criteria}
    mine = [p for p in error.problems if p.agency in (base.agency.pk, None)] or error.problems
    return [
        _("Tiêu chí %(c)s, %(f)s: %(m)s")
        % {
            "c": p.criterion,
            "f": field_name(p.field, rules.get(p.criterion or "")),
            "m": wording.problem_text(p, choices=params.get(p.criterion or "")),
        }
        for p in mine
    ]


def field_name(field: str, rule: str | None = None) -> str:
    """The raw input's name as the form labels it: a and b for a ratio."""
    value = _("tử số (a)") if rule == "ratio" else _("giá trị")
    names = {"value": value, "denominator": _("mẫu số (b)"), "choice": _("lựa chọn")}
    return str(names.get(field, field))


def _lines(base, changes, before: Standing, after: Standing) -> list[Line]:
    start = base.start
    return [
        Line(
            criterion=c,
            start=start.get(c.code, RawInput()),
            now=changes.get(c.code, start.get(c.code, RawInput())),
            points_before=scoring.milli_to_decimal(before.points.get(c.code, 0)),
            points_after=scoring.milli_to_decimal(after.points.get(c.code, 0)),
        )
        for c in base.criteria
    ]
