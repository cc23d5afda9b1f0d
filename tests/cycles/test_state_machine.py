"""The cycle's state machine under random sequences of actions by random roles.

Hypothesis drives the services (the same ones the pages and the API call) through the
small world's 2022 district cycle and checks after every step:
- a published row never changes;
- every refused action says why (a non-empty message);
- while the cycle is open, no agency is left without an allowed action;
- the published ranking equals the last final preview.
Size: MAX_EXAMPLES sequences × STEPS steps (see the settings below).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from rankings import permissions
from rankings.cycles import assessments, final, returns, services, states
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Membership,
    Result,
    Review,
    Role,
    Submission,
    SubmissionState,
)
from tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=False)
MAX_EXAMPLES, STEPS = 25, 20
AGENCIES = ("an", "binh", "cat")
CODES = ("1.1", "1.2", "2.1")
ROLES = (Role.REPORTER, Role.HEAD, Role.EDITOR, Role.REVIEWER, Role.APPROVER)
REFUSALS = (
    assessments.Locked,
    assessments.InvalidInput,
    assessments.Conflict,
    returns.Refused,
    ValueError,
)


class CycleMachine(RuleBasedStateMachine):
    seen = {"publications": 0, "refusals": 0, "steps": 0}  # across all sequences

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.world = build_world()
        self.cycle = AssessmentCycle.objects.create(
            province=self.world.province,
            year=2022,
            block=self.world.districts,
            criteria_set=self.world.cycle_2021.criteria_set,
            state=CycleState.OPEN,
        )
        self.users = {}
        for role in ROLES:
            for slug in AGENCIES if role in {Role.REPORTER, Role.HEAD} else ("",):
                person = get_user_model().objects.create_user(f"{role}-{slug}", "", "x")
                agency = getattr(self.world, slug) if slug else None
                Membership.objects.create(
                    user=person, role=role, province=self.world.province, agency=agency
                )
                self.users[(role, slug)] = person
        self.published: list | None = None
        self.last_preview: list | None = None

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def agency(self, slug):
        return getattr(self.world, slug)

    def refused(self, error) -> None:
        assert str(error).strip(), f"refused without a reason: {error!r}"
        CycleMachine.seen["refusals"] += 1

    def attempt(self, allowed: bool, action) -> None:
        if not allowed:
            CycleMachine.seen["refusals"] += 1  # the page answers 403 with its message
            return
        try:
            with transaction.atomic():
                action()
        except REFUSALS as error:
            self.refused(error)

    @rule(slug=st.sampled_from(AGENCIES), code=st.sampled_from(CODES), value=st.integers(0, 12))
    def save(self, slug, code, value):
        user = self.users[(Role.REPORTER, slug)]
        raw = assessments.RawInput(
            value=Decimal(value), denominator=Decimal(12) if code == "1.2" else None
        )
        self.attempt(
            permissions.can_self_assess(user, cycle=self.cycle, agency=self.agency(slug)),
            lambda: assessments.self_assessment_save(
                cycle=self.cycle, agency=self.agency(slug), inputs={code: raw}, user=user
            ),
        )

    @rule(slug=st.sampled_from(AGENCIES), role=st.sampled_from(ROLES))
    def submit(self, slug, role):
        user = self.users.get((role, slug)) or self.users[(role, "")]
        self.attempt(
            permissions.can_submit_self_assessment(
                user, cycle=self.cycle, agency=self.agency(slug)
            ),
            lambda: assessments.self_assessment_submit(
                cycle=self.cycle, agency=self.agency(slug), user=user, answers={"1.1": "ok"}
            ),
        )

    @rule(
        slug=st.sampled_from(AGENCIES),
        code=st.sampled_from(CODES),
        action=st.sampled_from([Review.ACCEPTED, Review.ADJUSTED, Review.RETURNED]),
        role=st.sampled_from(ROLES),
    )
    def review(self, slug, code, action, role):
        user = self.users.get((role, "")) or self.users[(role, slug)]
        self.attempt(
            permissions.can_review(user, cycle=self.cycle),
            lambda: assessments.score_review(
                cycle=self.cycle,
                agency=self.agency(slug),
                code=code,
                action=action,
                user=user,
                comment="Nhận xét",
                inputs=assessments.RawInput(value=Decimal(3)),
            ),
        )

    @rule()
    def accept_remaining(self):
        user = self.users[(Role.REVIEWER, "")]
        self.attempt(True, lambda: returns.review_accept_remaining(cycle=self.cycle, user=user))

    @rule(action=st.sampled_from(["review", "reopen", "approve"]), role=st.sampled_from(ROLES))
    def transition(self, action, role):
        user = self.users.get((role, "")) or self.users[(role, "an")]
        self.attempt(
            permissions.can_transition(user, cycle=self.cycle, action=action),
            lambda: services.cycle_transition(
                cycle=self.cycle, to=services.CYCLE_ACTIONS[action], user=user
            ),
        )
        self.cycle.refresh_from_db()

    @rule()
    def advance(self):
        """The right person takes the cycle's next step (random sequences rarely line up)."""
        self.cycle.refresh_from_db()
        action = {CycleState.OPEN: "review", CycleState.REVIEW: "approve"}.get(self.cycle.state)
        if action == "approve":
            self.accept_remaining()
        if action:
            self.transition(action, Role.EDITOR if action == "review" else Role.APPROVER)
        elif self.cycle.state == CycleState.APPROVED:
            self.publish()

    @rule()
    def publish(self):
        self.cycle.refresh_from_db()
        if services.publish_refusal(cycle=self.cycle):
            self.refused(services.publish_refusal(cycle=self.cycle))
            return
        preview = final.final_preview(cycle=self.cycle, with_differences=False)
        revision = self.cycle.publications.count() + 1
        self.attempt(
            True,
            lambda: services.cycle_publish(
                cycle=self.cycle,
                decision_number=f"{revision}/QĐ",
                decision_date=datetime.date(2023, 5, 1),
                reason="Đính chính" if revision > 1 else "",
            ),
        )
        self.cycle.refresh_from_db()
        latest = self.cycle.publications.order_by("-revision").first()
        if latest is not None and latest.revision == revision:
            CycleMachine.seen["publications"] += 1
            rows = self.rows(latest)
            assert rows == sorted(self.row(r) for r in preview.rows)  # preview = publication
            if self.published is None:
                self.published = (latest.pk, rows)

    @staticmethod
    def row(r):
        return (r.agency_id, r.total, r.score, r.percent, r.rank, r.band, r.not_ranked_reason)

    def rows(self, publication):
        return sorted(self.row(r) for r in Result.objects.filter(publication=publication))

    @invariant()
    def published_rows_never_change(self):
        CycleMachine.seen["steps"] += 1
        if self.published is not None:
            pk, rows = self.published
            assert self.rows(self.cycle.publications.get(pk=pk)) == rows

    @invariant()
    def no_agency_is_stranded_while_open(self):
        self.cycle.refresh_from_db()
        if self.cycle.state != CycleState.OPEN:
            return
        for submission in Submission.objects.filter(cycle=self.cycle):
            agency_can = states.allowed("submission", submission.state, cycle_state=OPEN)
            ict_can = submission.state == SubmissionState.SUBMITTED  # reopen one submission
            council_can = submission.state == SubmissionState.RETURNED  # accept the rest
            assert agency_can or ict_can or council_can, submission.state


OPEN = CycleState.OPEN


def test_random_sequences_keep_the_invariants(db):
    run_state_machine_as_test(
        CycleMachine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            derandomize=True,
        ),
    )
    # The sequences reached publication and refusals, or the checks above proved nothing.
    seen = CycleMachine.seen
    print(f"state machine: {MAX_EXAMPLES} sequences x {STEPS} steps, {seen}")
    assert seen["publications"] > 0 and seen["refusals"] > 0
