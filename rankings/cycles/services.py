"""Writes: each one transaction. Recompute a cycle's results; publish a revision."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

import scoring
from rankings.cycles import notifications
from rankings.frames import criteria_frame, ranking_rules, score_records
from rankings.models import (
    AssessmentCycle,
    Band,
    CriteriaSet,
    Criterion,
    CriterionGroup,
    CycleState,
    Publication,
    Result,
    Score,
    Stage,
)


@dataclass(frozen=True)
class RecomputeSummary:
    agencies: int
    scores_updated: int


def cycle_recompute(*, cycle: AssessmentCycle, stage: str = Stage.FINAL) -> RecomputeSummary:
    """Recompute points and the draft results of `cycle` from its scores at `stage`.

    One read of the scores, the pure engine, one transaction writing the points back and
    replacing the draft results. Published results are never touched.
    """
    criteria_set = cycle.criteria_set
    criteria = criteria_frame(criteria_set=criteria_set)
    rules = ranking_rules(criteria_set=criteria_set)
    records = score_records(cycle=cycle, stage=stage)
    card = scoring.compute(criteria, scoring.inputs_from_records(records), rules)

    points = {
        (agency, criterion): scoring.milli_to_decimal(milli)
        for agency, criterion, milli in card.points[["agency", "criterion", "points"]].itertuples(
            index=False
        )
    }
    changed = []
    for record in records:
        new = points[(record["agency"], record["criterion"])]
        if record["points"] != new:
            changed.append(Score(id=record["id"], points=new))

    results = _result_rows(cycle=cycle, card=card, points=points)
    with transaction.atomic():
        Score.objects.bulk_update(changed, ["points"], batch_size=2000)
        Result.objects.filter(cycle=cycle, publication__isnull=True).delete()
        Result.objects.bulk_create(results, batch_size=2000)
    return RecomputeSummary(agencies=len(results), scores_updated=len(changed))


SCORE_INPUTS = [
    "value",
    "denominator",
    "choice",
    "points",
    "max_points",
    "updated_by",
    "updated_at",
]


def scores_upsert(scores: list[Score], *, also: tuple[str, ...] = ()) -> None:
    """Insert or update scores on (cycle, agency, criterion, stage), in bulk.

    Forms, the spreadsheet import and finalisation all write a whole agency's (or block's)
    criteria at once; one statement per batch, whatever the database.
    """
    Score.objects.bulk_create(
        scores,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["cycle", "agency", "criterion", "stage"],
        update_fields=[*SCORE_INPUTS, *also],
    )


def _result_rows(*, cycle, card, points) -> list[Result]:
    by_agency: dict = {}
    for frame, key in ((card.groups, "group"), (card.subgroups, "subgroup")):
        for agency, code, milli in frame[["agency", key, "points"]].itertuples(index=False):
            by_agency.setdefault(agency, {})[code] = str(scoring.milli_to_decimal(milli))
    criteria_by_agency: dict = {}
    for (agency, code), value in points.items():
        criteria_by_agency.setdefault(agency, {})[code] = str(value)

    rows = []
    for row in card.results_decimal().itertuples(index=False):
        rows.append(
            Result(
                cycle=cycle,
                agency_id=row.agency,
                total=row.total,
                score=row.score,
                percent=row.percent,
                rank=None if row.rank is None or row.rank != row.rank else int(row.rank),
                band=row.band or "",
                not_ranked_reason=row.not_ranked_reason or "",
                groups=by_agency.get(row.agency, {}),
                criteria=criteria_by_agency.get(row.agency, {}),
            )
        )
    return rows


def publish_refusal(*, cycle: AssessmentCycle) -> str:
    """Why `cycle` cannot be published now, or "" when it can.

    The first publication follows the approval; a correction needs a published cycle.
    """
    if cycle.state == CycleState.APPROVED:
        return ""
    if cycle.state == CycleState.PUBLISHED:
        return ""
    return _("Chỉ công bố được kỳ đã phê duyệt (trạng thái hiện tại: %(s)s).") % {
        "s": cycle.get_state_display()
    }


@transaction.atomic
def cycle_publish(
    *,
    cycle: AssessmentCycle,
    decision_number: str,
    decision_date: date,
    signer: str = "",
    reason: str = "",
    is_synthetic: bool = False,
) -> Publication:
    """Publish the cycle's current results as a new, frozen revision.

    Recomputes first so what is published is exactly what the scores give; the first
    revision is the decision, later ones are corrections and need a reason.
    """
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    latest = cycle.publications.aggregate(latest=Max("revision"))["latest"] or 0
    if latest and not reason.strip():
        raise ValueError("A correction needs a reason.")
    cycle_recompute(cycle=cycle)
    publication = Publication.objects.create(
        cycle=cycle,
        revision=latest + 1,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
        published_at=timezone.now(),
        reason=reason,
        is_synthetic=is_synthetic,
    )
    drafts = list(Result.objects.filter(cycle=cycle, publication__isnull=True))
    for result in drafts:
        result.pk = None
        result.publication = publication
    Result.objects.bulk_create(drafts, batch_size=2000)
    cycle.state = CycleState.PUBLISHED
    cycle._change_reason = "publication"
    cycle.save(update_fields=["state"])
    transaction.on_commit(lambda: notifications.published(cycle, publication=publication))
    return publication


@transaction.atomic
def criteria_set_copy(*, source: CriteriaSet, slug: str, name: str) -> CriteriaSet:
    """A new criteria set copied from `source` (groups, criteria, bands), to edit for a new year.

    Provinces reissue last year's set with small edits; the copy remembers where it came
    from, so year-over-year pages can tell whether the two are still comparable.
    """
    copy = CriteriaSet.objects.get(pk=source.pk)
    copy.pk = None
    copy.slug, copy.name, copy.copied_from = slug, name, source
    copy.decision_number, copy.decision_date = "", None
    copy.save()
    groups: dict[int, CriterionGroup] = {}
    for group in source.groups.order_by("parent_id", "order", "code"):
        old_id = group.pk
        group.pk = None
        group.criteria_set = copy
        group.parent = groups.get(group.parent_id) if group.parent_id else None
        group.save()
        groups[old_id] = group
    criteria = list(source.criteria.all())
    for criterion in criteria:
        criterion.pk = None
        criterion.criteria_set = copy
        criterion.group = groups[criterion.group_id]
    Criterion.objects.bulk_create(criteria)
    bands = list(source.bands.all())
    for band in bands:
        band.pk = None
        band.criteria_set = copy
    Band.objects.bulk_create(bands)
    return copy


@transaction.atomic
def cycle_open(
    *,
    province,
    block,
    year: int,
    criteria_set: CriteriaSet,
    submission_deadline: date | None = None,
    data_from: date | None = None,
    data_to: date | None = None,
) -> AssessmentCycle:
    """Open a year's assessment of a block: agencies can self-assess until the deadline."""
    if criteria_set.block_id != block.pk:
        raise ValueError("The criteria set belongs to another block.")
    cycle = AssessmentCycle.objects.create(
        province=province,
        block=block,
        year=year,
        criteria_set=criteria_set,
        state=CycleState.OPEN,
        submission_deadline=submission_deadline,
        data_from=data_from,
        data_to=data_to,
    )
    transaction.on_commit(lambda: notifications.cycle_opened(cycle))
    return cycle


# The actions people take on a cycle's state (the desk's buttons and the API's transitions).
CYCLE_ACTIONS = {
    "review": CycleState.REVIEW,
    "reopen": CycleState.OPEN,
    "approve": CycleState.APPROVED,
}
TRANSITIONS = {
    CycleState.DRAFT: {CycleState.OPEN},
    CycleState.OPEN: {CycleState.REVIEW},
    CycleState.REVIEW: {CycleState.OPEN, CycleState.APPROVED},
    CycleState.APPROVED: {CycleState.REVIEW},
}


@transaction.atomic
def cycle_transition(
    *, cycle: AssessmentCycle, to: str, user=None, path: str = "form"
) -> AssessmentCycle:
    """Move a cycle along open → review → approved (publication has its own service)."""
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    if to not in TRANSITIONS.get(cycle.state, set()):
        raise ValueError(f"A cycle cannot go from {cycle.state} to {to}.")
    cycle.state = to
    cycle._history_user = user
    cycle._change_reason = path
    cycle.save(update_fields=["state"])
    return cycle
