"""What an agency head is shown before submitting a self-assessment: the criteria left
blank and the criteria whose evidence is required but missing, each linked to its row.

Submitting locks the self-assessment for the council, so the head confirms with this list
in front of them (issue #17: a head submitted with 12 of 19 criteria blank and 5 pieces
of evidence missing, and nobody asked).
"""

from dataclasses import dataclass

from django.db.models import Count

from rankings.models import Criterion, Review, Score, Stage


@dataclass(frozen=True)
class SubmitChecklist:
    blank: list[Criterion]  # no value, no denominator and no choice
    missing_evidence: list[Criterion]  # filled in, evidence required, none attached
    total: int  # criteria in the set (after a return: the criteria returned)

    @property
    def complete(self) -> bool:
        return not (self.blank or self.missing_evidence)


def submit_checklist(*, cycle, agency, returned: bool = False) -> SubmitChecklist:
    """The agency's own (self-assessed) criteria against the set, in the set's order
    (2 queries). After a return (`returned`) only the criteria the council returned can
    change, so only they are checked: a link to a locked row would lead nowhere."""
    criteria = list(cycle.criteria_set.criteria.order_by("order", "code"))
    own = {
        score.criterion_id: score
        for score in Score.objects.filter(cycle=cycle, agency=agency, stage=Stage.SELF).annotate(
            evidence_count=Count("evidence")
        )
    }
    if returned:
        criteria = [c for c in criteria if c.pk in own and own[c.pk].review == Review.RETURNED]
    blank, missing = [], []
    for criterion in criteria:
        score = own.get(criterion.pk)
        if score is None or (
            score.value is None and score.denominator is None and not score.choice
        ):
            blank.append(criterion)
        elif criterion.evidence_required and not score.evidence_count:
            missing.append(criterion)
    return SubmitChecklist(blank=blank, missing_evidence=missing, total=len(criteria))
