"""Opening a year's cycle from a copy of last year's criteria set."""

import datetime

import pytest

from rankings.cycles import services
from rankings.models import CycleState
from rankings.public.selectors.leaderboard import criteria_sets_comparable

pytestmark = pytest.mark.django_db


def test_copy_keeps_the_tree_rules_and_bands_and_stays_comparable(world):
    source = world.cycle_2021.criteria_set
    copy = services.criteria_set_copy(
        source=source, slug="mau-huyen-2022", name="Bộ tiêu chí huyện 2022"
    )
    assert copy.pk != source.pk and copy.copied_from == source
    assert [(g.code, g.parent_id is None) for g in copy.groups.order_by("code")] == [
        ("1", True),
        ("2", True),
    ]
    assert list(copy.criteria.order_by("code").values_list("code", "max_points", "rule")) == list(
        source.criteria.order_by("code").values_list("code", "max_points", "rule")
    )
    assert all(c.group.criteria_set_id == copy.pk for c in copy.criteria.all())
    assert sorted(copy.bands.values_list("label", flat=True)) == ["Khá", "Trung bình", "Tốt"]
    assert criteria_sets_comparable(copy, source)
    # The source is untouched.
    assert source.criteria.count() == 3 and source.groups.count() == 2


def test_edited_copy_is_no_longer_comparable(world):
    source = world.cycle_2021.criteria_set
    copy = services.criteria_set_copy(source=source, slug="x", name="x")
    copy.criteria.filter(code="2.1").update(max_points=25)
    assert not criteria_sets_comparable(copy, source)


def test_open_a_cycle_from_the_copy(world):
    copy = services.criteria_set_copy(source=world.cycle_2021.criteria_set, slug="y", name="y")
    cycle = services.cycle_open(
        province=world.province,
        block=world.districts,
        year=2022,
        criteria_set=copy,
        submission_deadline=datetime.date(2023, 1, 15),
    )
    assert cycle.state == CycleState.OPEN and cycle.criteria_set == copy


def test_a_cycle_cannot_use_another_blocks_criteria_set(world):
    with pytest.raises(ValueError, match="another block"):
        services.cycle_open(
            province=world.province,
            block=world.departments,
            year=2022,
            criteria_set=world.cycle_2021.criteria_set,
        )
