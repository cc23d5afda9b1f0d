"""Writes: each one transaction. Recompute a cycle's results; publish a revision."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

import scoring
from rankings.cycles import notifications, states
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

    The one recompute path, for a block as for a year (`year_recompute.cycles_recompute`):
    on PostgreSQL the scores are read by COPY, the engine runs once, the drafts are replaced
    by DELETE + COPY and only changed points are written back; elsewhere (SQLite, the demo)
    `cycle_recompute_orm`. One transaction; published results are never touched. The
    engine's refusal is raised as `scoring.ScoringInputError`, nothing written.
    """
    from rankings.cycles.year_recompute import RecomputeRefused, cycles_recompute

    try:
        summary = cycles_recompute(cycles=[cycle], stage=stage)
    except RecomputeRefused as refused:
        raise refused.error from None
    return RecomputeSummary(agencies=summary.results, scores_updated=summary.scores_updated)


def cycle_recompute_orm(*, cycle: AssessmentCycle, stage: str = Stage.FINAL) -> RecomputeSummary:
    """`cycle_recompute` through the ORM: the fallback where COPY is missing (SQLite).

    One read of the scores, the pure engine, one transaction writing the points back and
    replacing the draft results. The PostgreSQL path writes exactly these rows (tests
    compare every field).
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

    results = result_rows(cycle=cycle, card=card)
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


def result_rows(*, cycle, card) -> list[Result]:
    """Unsaved `Result` rows of a scorecard: totals, ranks, group and criterion points."""
    points = {
        (agency, criterion): scoring.milli_to_decimal(milli)
        for agency, criterion, milli in card.points[["agency", "criterion", "points"]].itertuples(
            index=False
        )
    }
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
    Every agency of the block must be accounted for: final values, or a reason not to rank.
    """
    from rankings.cycles.final import final_preview

    if cycle.state not in {CycleState.APPROVED, CycleState.PUBLISHED}:
        return _("Chỉ công bố được kỳ đã phê duyệt (trạng thái hiện tại: %(s)s).") % {
            "s": cycle.get_state_display()
        }
    return unaccounted_refusal(final_preview(cycle=cycle, with_differences=False).unaccounted)


def unaccounted_refusal(names: list[str]) -> str:
    if not names:
        return ""
    return _(
        "Chưa công bố được: các đơn vị sau đã nộp nhưng chưa có giá trị chính thức và cũng "
        "không có lý do không xếp hạng: %(n)s."
    ) % {"n": "; ".join(names)}


def scores_finalize(*, ids: list[int]) -> int:
    """Copy the scores `ids` (chosen by `final.final_records`) to the final stage."""
    chosen = list(Score.objects.filter(pk__in=ids).exclude(stage=Stage.FINAL))
    for score in chosen:
        score.pk = None
        score.stage = Stage.FINAL
    scores_upsert(chosen, also=("comment", "review"))
    return len(chosen)


class PublishRefused(ValueError):
    """Publication refused; the message says why (and names the agencies concerned)."""


@transaction.atomic
def cycle_publish(
    *,
    cycle: AssessmentCycle,
    decision_number: str,
    decision_date: date,
    signer: str = "",
    reason: str = "",
    is_synthetic: bool = False,
    fingerprint: str | None = None,
) -> Publication:
    """Publish the final preview (`final.final_preview`) as a new, frozen revision.

    The rows written are exactly the preview's: the final values by the one rule, every
    agency of the block accounted for. The first revision is the decision and makes the
    verified values final; later ones are corrections and need a reason. `fingerprint`,
    when given, is the preview a person saw: refused when the preview is no longer that.
    """
    from rankings.cycles.final import STALE_PREVIEW, final_preview, final_records

    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    latest = cycle.publications.aggregate(latest=Max("revision"))["latest"] or 0
    if latest and not reason.strip():
        raise PublishRefused(_("Lần công bố mới là đính chính và cần lý do."))
    preview = final_preview(cycle=cycle, with_differences=False)
    if refusal := unaccounted_refusal(preview.unaccounted):
        raise PublishRefused(refusal)
    if fingerprint is not None and fingerprint != preview.fingerprint():
        raise PublishRefused(str(STALE_PREVIEW))
    if not latest:  # store the rule's choice as the final stage (verified over entered)
        scores_finalize(ids=[record["id"] for record in final_records(cycle=cycle)])
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
    for row in preview.rows:
        row.publication = publication
    Result.objects.bulk_create(preview.rows, batch_size=2000)
    cycle.state = CycleState.PUBLISHED
    cycle._change_reason = "publication"
    cycle.save(update_fields=["state"])
    transaction.on_commit(lambda: notifications.published(cycle, publication=publication))
    return publication


@transaction.atomic
def criteria_set_copy(
    *, source: CriteriaSet, slug: str, name: str, name_en: str = ""
) -> CriteriaSet:
    """A new criteria set copied from `source` (groups, criteria, bands), to edit for a new year.

    Provinces reissue last year's set with small edits; the copy remembers where it came
    from, so year-over-year pages can tell whether the two are still comparable.
    """
    copy = CriteriaSet.objects.get(pk=source.pk)
    copy.pk = None
    copy.slug, copy.name, copy.name_en, copy.copied_from = slug, name, name_en, source
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


# The actions people take on a cycle's state (the desk's buttons and the API's transitions);
# the allowed moves are the state machine's (`states.TABLE`).
CYCLE_ACTIONS = {
    action: states.target("cycle", action) for action in ("review", "reopen", "approve")
}
TRANSITIONS: dict[str, set[str]] = {}
for _action, _target in CYCLE_ACTIONS.items():
    for _source in states.TABLE[("cycle", _action)].sources:
        TRANSITIONS.setdefault(_source, set()).add(_target)


class TransitionRefused(ValueError):
    """A cycle state change refused; the message says why."""


def transition_refusal(*, cycle: AssessmentCycle, action: str) -> str:
    """Why `action` cannot move `cycle` now (the table, then approval's own condition)."""
    if reason := states.refusal("cycle", action, cycle.state):
        return reason
    if action == "approve":
        from rankings.cycles.returns import approve_refusal

        return approve_refusal(cycle=cycle)
    return ""


@transaction.atomic
def cycle_transition(
    *, cycle: AssessmentCycle, to: str, user=None, path: str = "form"
) -> AssessmentCycle:
    """Move a cycle along open → review → approved (publication has its own service).

    Approval is refused while a submitted criterion is unreviewed (`returns.unreviewed`).
    """
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    action = next((a for a, target in CYCLE_ACTIONS.items() if target == to), "")
    if reason := transition_refusal(cycle=cycle, action=action):
        raise TransitionRefused(reason)
    cycle.state = to
    cycle._history_user = user
    cycle._change_reason = path
    cycle.save(update_fields=["state"])
    return cycle
