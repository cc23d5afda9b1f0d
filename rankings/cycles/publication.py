"""Publishing a cycle: the one path the staff page and the API both take.

The checks and the lock order are the same whoever asks: lock the cycle row first, then
check its state, the decision and (for a correction) the reason against the locked row,
then write the final preview (`final.final_preview`) as the frozen revision. Two approvers
publishing at once therefore make revisions 1 and 2 in turn, never two revision 1s.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from rankings.cycles import services
from rankings.models import AssessmentCycle, Publication


class PublicationRefused(Exception):
    """The cycle cannot be published as asked; `message` says why, in the user's language.

    `field` names the input at fault ("decision_number", "reason") or is "" when the cycle's
    state is the reason; the API answers 409 for the state and 400 for a field.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def publication_create(
    *,
    cycle: AssessmentCycle,
    decision_number: str,
    decision_date: date | None,
    preview: str,
    signer: str = "",
    reason: str = "",
) -> Publication:
    """Publish `cycle` by decision (revision 1) or publish a correction (later revisions).

    `preview` is the fingerprint of the final preview the approver saw (the page's hidden
    field, the API's `GET publications/`): what is published is exactly that preview.

    Raises PublicationRefused and changes nothing when the cycle is neither approved nor
    published, the decision's number or date is missing, a correction has no reason, or the
    final preview is no longer the one seen (state: the API answers 409).
    """
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    if refusal := services.publish_refusal(cycle=cycle):
        raise PublicationRefused(refusal)
    if not decision_number.strip() or decision_date is None:
        raise PublicationRefused(
            _("Cần số quyết định và ngày quyết định hợp lệ."), field="decision_number"
        )
    first = not cycle.publications.exists()
    if not first and not reason.strip():
        raise PublicationRefused(
            _("Kỳ đã công bố: lần công bố mới là đính chính và cần lý do."), field="reason"
        )
    try:  # the final preview, exactly: cycle_publish stores the rule's final values
        publication = services.cycle_publish(
            cycle=cycle,
            decision_number=decision_number,
            decision_date=decision_date,
            signer=signer,
            reason=reason,
            fingerprint=preview,
        )
    except services.PublishRefused as refused:
        raise PublicationRefused(str(refused)) from refused
    # Jobs, queued once the revision is committed (never for a rollback): render its pages
    # into the page cache, then mail the alerts' subscribers (rankings.jobs.kinds).
    from rankings.jobs.kinds import publication_jobs

    publication_jobs(publication)
    return publication
