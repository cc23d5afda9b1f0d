"""`publication_create`: the one publication path the staff page and the API share."""

import datetime

import pytest

from rankings.cycles.final import final_preview
from rankings.cycles.publication import PublicationRefused, publication_create
from rankings.models import AssessmentCycle, CycleState, Publication

pytestmark = pytest.mark.django_db

DECIDED = datetime.date(2022, 9, 1)


def test_a_correction_without_a_reason_is_refused_on_the_reason_and_changes_nothing(world):
    with pytest.raises(PublicationRefused) as refused:
        publication_create(
            cycle=world.cycle_2021, decision_number="260/QĐ", decision_date=DECIDED, preview=""
        )
    assert refused.value.field == "reason" and "cần lý do" in refused.value.message
    assert Publication.objects.filter(cycle=world.cycle_2021).count() == 1


def test_a_missing_decision_date_is_refused_on_the_decision(world):
    with pytest.raises(PublicationRefused) as refused:
        publication_create(
            cycle=world.cycle_2021,
            decision_number="260/QĐ",
            decision_date=None,
            reason="x",
            preview="",
        )
    assert refused.value.field == "decision_number"
    assert Publication.objects.filter(cycle=world.cycle_2021).count() == 1


def test_a_cycle_not_yet_approved_is_refused_by_its_state_before_any_input(world):
    AssessmentCycle.objects.filter(pk=world.cycle_2021.pk).update(state=CycleState.REVIEW)
    with pytest.raises(PublicationRefused) as refused:
        publication_create(
            cycle=world.cycle_2021, decision_number="", decision_date=None, preview=""
        )
    assert refused.value.field == "" and "đã phê duyệt" in refused.value.message


def test_a_correction_with_a_reason_is_the_next_revision(world):
    publication = publication_create(
        cycle=world.cycle_2021,
        decision_number="260/QĐ",
        decision_date=DECIDED,
        signer="Chủ tịch",
        reason="Rà soát lại số liệu",
        preview=final_preview(cycle=world.cycle_2021).fingerprint(),
    )
    assert (publication.revision, publication.reason) == (2, "Rà soát lại số liệu")
    assert publication.results.count() == 3


def test_a_preview_other_than_the_one_seen_is_refused_by_state_and_changes_nothing(world):
    """The approver saw a preview; a value changed since (a late import, a review): what
    would be published is no longer what was seen, so nothing is published."""
    seen = final_preview(cycle=world.cycle_2021).fingerprint()
    with pytest.raises(PublicationRefused) as refused:
        publication_create(
            cycle=world.cycle_2021,
            decision_number="260/QĐ",
            decision_date=DECIDED,
            reason="Rà soát",
            preview=seen[::-1],
        )
    assert refused.value.field == "" and "đã thay đổi" in refused.value.message
    assert Publication.objects.filter(cycle=world.cycle_2021).count() == 1
