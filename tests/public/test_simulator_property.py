"""The simulator agrees with a real recompute on every rule kind (issue #20, "Done when").

Each example changes one or two raw inputs of one agency in tests/simulator_world.py,
asks the simulator, then enters the same inputs for real in a savepoint (the score row
written, `services.cycle_recompute` run, as the cycle does) and compares the draft result
with the simulation: identical total, percent, band and rank. The savepoint is rolled
back, so every example starts from the published world.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rankings.cycles import services
from rankings.models import Criterion, Result, Score, Stage
from rankings.public.simulator import simulation, simulator_base
from scoring.whatif import RawInput
from tests.simulator_world import build_kinds_world

pytestmark = pytest.mark.django_db


def _milli(low: int, high: int):
    return st.integers(low, high).map(lambda m: Decimal(m).scaleb(-3))


def _maybe(strategy):
    return st.one_of(st.none(), strategy)  # an empty input scores 0


@st.composite
def _ratio(draw):
    b = draw(st.integers(1, 10**6))
    return RawInput(value=draw(_maybe(_milli(0, b))), denominator=Decimal(b).scaleb(-3))


RAW = {
    "1": _maybe(_milli(0, 10_000)).map(lambda v: RawInput(value=v)),  # direct, ≤ max
    "2": _ratio(),  # a ≤ b, b > 0
    "3": _maybe(_milli(0, 6_000)).map(lambda v: RawInput(value=v)),  # steps
    "4": _maybe(st.sampled_from(["chair", "deputy", "none"])).map(lambda c: RawInput(choice=c)),
    "5": _maybe(_milli(0, 20_000)).map(lambda v: RawInput(value=v)),  # capped, past the cap
    "6": _maybe(_milli(0, 200_000)).map(lambda v: RawInput(value=v)),  # relative, past the best
}


@st.composite
def changes(draw):
    codes = draw(st.lists(st.sampled_from(sorted(RAW)), min_size=1, max_size=2, unique=True))
    return {code: draw(RAW[code]) for code in codes}


@pytest.fixture
def kinds(db):
    return build_kinds_world()


class _Rollback(Exception):
    pass


def _recomputed(world, agency, changed: dict[str, RawInput]) -> Result:
    """The agency's draft result after entering `changed` for real (then rolled back)."""
    criteria = {c.code: c for c in Criterion.objects.filter(criteria_set=world.cycle.criteria_set)}
    try:
        with transaction.atomic():
            for code, raw in changed.items():
                Score.objects.filter(
                    cycle=world.cycle, agency=agency, criterion=criteria[code], stage=Stage.FINAL
                ).update(value=raw.value, denominator=raw.denominator, choice=raw.choice or "")
            services.cycle_recompute(cycle=world.cycle)
            result = Result.objects.get(cycle=world.cycle, agency=agency, publication=None)
            raise _Rollback(result)
    except _Rollback as done:
        return done.args[0]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(slug=st.sampled_from(["an", "binh", "cat", "dong"]), changed=changes())
def test_simulation_equals_a_real_recompute(kinds, slug, changed):
    agency = kinds.agencies[slug]
    simulated = simulation(simulator_base(agency=agency), changed).after
    real = _recomputed(kinds, agency, changed)
    assert scoring_milli(real.total) == simulated.total
    assert real.percent == simulated.percent
    assert (real.band or None) == simulated.band
    assert real.rank == simulated.rank


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(slug=st.sampled_from(["binh", "cat", "dong"]))
def test_proposals_entered_for_real_reach_their_target(kinds, slug):
    """Each proposal's raw inputs, entered and recomputed, give the rank or band it claims."""
    agency = kinds.agencies[slug]
    plans = simulation(simulator_base(agency=agency), {}).plans
    for goal, plan in plans.items():
        assert plan is not None and plan.reached, goal
        real = _recomputed(kinds, agency, {step.criterion: step.raw for step in plan.steps})
        if goal == "rank":
            assert real.rank <= plan.target_rank
        else:
            assert real.band == plan.target_band
        assert scoring_milli(real.total) == plan.result.total


def scoring_milli(value: Decimal) -> int:
    return int(value.scaleb(3))
