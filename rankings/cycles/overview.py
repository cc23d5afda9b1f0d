"""Where a cycle stands, for the ICT staff's dashboard and the move-to-review checklist.

Reads only: one query each for the agencies, their submissions, their self-assessed and
reviewed criteria and their evidence, whatever the number of agencies.
"""

import dataclasses
import datetime

from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import Agency
from rankings.imports.template_workbook import cycle_agencies
from rankings.models import Evidence, Review, Score, Stage, SubmissionState


@dataclasses.dataclass(frozen=True)
class AgencyState:
    """One agency's place in the cycle: its submission, deadline and review progress."""

    agency: Agency
    state: str  # a SubmissionState value, or "" when it has not started
    state_label: str  # translated lazily: rendered in the page's language
    deadline: datetime.date | None
    filled: int  # criteria self-assessed
    reviewed: int  # of those, accepted or adjusted by the council
    returned: int  # of those, returned for evidence
    missing_evidence: int  # self-assessed criteria that need evidence and have none
    late: bool

    @property
    def submitted(self) -> bool:
        return self.state == SubmissionState.SUBMITTED


@dataclasses.dataclass(frozen=True)
class CycleOverview:
    agencies: list[AgencyState]
    criteria: int

    @property
    def total(self) -> int:
        return len(self.agencies)

    @property
    def submitted(self) -> list[AgencyState]:
        return [a for a in self.agencies if a.submitted]

    @property
    def not_submitted(self) -> list[AgencyState]:
        return [a for a in self.agencies if not a.submitted]

    @property
    def late(self) -> list[AgencyState]:
        return [a for a in self.agencies if a.late]

    @property
    def returned(self) -> list[AgencyState]:
        """Returned for evidence and not yet submitted again: the council waits on them."""
        return [a for a in self.agencies if a.state == SubmissionState.RETURNED]

    @property
    def missing_evidence(self) -> list[AgencyState]:
        return [a for a in self.agencies if a.missing_evidence]

    @property
    def reviewed(self) -> int:
        return sum(a.reviewed for a in self.agencies)

    @property
    def to_review(self) -> int:
        """Criteria the council has to decide: every self-assessed one of a submitted agency."""
        return sum(a.filled for a in self.submitted)

    @property
    def reviewed_submitted(self) -> int:
        return sum(a.reviewed for a in self.submitted)


def cycle_overview(*, cycle, today: datetime.date | None = None) -> CycleOverview:
    """Every agency of the cycle with its submission state, own deadline and progress."""
    today = today or timezone.localdate()
    agencies = list(cycle_agencies(cycle=cycle))
    submissions = {s.agency_id: s for s in cycle.submissions.all()}
    own = Score.objects.filter(cycle=cycle, stage=Stage.SELF)
    counts = _review_counts(own)
    missing = _missing_evidence(cycle, own)
    labels = dict(SubmissionState.choices)
    rows = []
    for agency in agencies:
        submission = submissions.get(agency.pk)
        state = submission.state if submission else ""
        deadline = submission.deadline(cycle) if submission else cycle.submission_deadline
        count = counts.get(agency.pk)
        rows.append(
            AgencyState(
                agency=agency,
                state=state,
                state_label=str(labels.get(state, "")) if state else "",
                deadline=deadline,
                filled=count["filled"] if count else 0,
                reviewed=count["reviewed"] if count else 0,
                returned=count["returned"] if count else 0,
                missing_evidence=missing.get(agency.pk, 0),
                # Late: never submitted by its deadline. A returned one did submit in time;
                # the dashboard lists it as returned and waiting instead.
                late=(submission is None or submission.submitted_at is None)
                and deadline is not None
                and deadline < today,
            )
        )
    return CycleOverview(agencies=rows, criteria=cycle.criteria_set.criteria.count())


def _review_counts(own) -> dict[int, dict]:
    """Per agency: its self-assessed criteria, those reviewed and those returned."""
    return {
        row["agency_id"]: row
        for row in own.values("agency_id").annotate(
            filled=Count("id"),
            reviewed=Count("id", filter=Q(review__in=[Review.ACCEPTED, Review.ADJUSTED])),
            returned=Count("id", filter=Q(review=Review.RETURNED)),
        )
    }


def _missing_evidence(cycle, own) -> dict[int, int]:
    """Per agency: the self-assessed criteria that require evidence and have none."""
    with_evidence = set(
        Evidence.objects.filter(score__cycle=cycle, score__stage=Stage.SELF).values_list(
            "score_id", flat=True
        )
    )
    missing: dict[int, int] = {}
    for score_id, agency_id in own.filter(criterion__evidence_required=True).values_list(
        "id", "agency_id"
    ):
        if score_id not in with_evidence:
            missing[agency_id] = missing.get(agency_id, 0) + 1
    return missing
