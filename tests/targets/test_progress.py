"""The status rule, pure: met, on track, behind, missed, no data; at least and at most."""

from decimal import Decimal

from rankings.targets.progress import Status, path_value, target_progress

D = Decimal


def status(goal, year, series, **kwargs):
    values = {y: D(str(v)) for y, v in series.items()}
    return target_progress(goal=D(str(goal)), year=year, series=values, **kwargs)


def test_met_when_latest_value_reaches_the_target():
    found = status(60, 2025, {2020: 90, 2021: 70}, at_most=False)
    assert (found.status, found.latest_year, found.latest_value) == (Status.MET, 2021, D(70))


def test_exactly_the_target_is_met():
    assert status(80, 2025, {2021: 80}, at_most=False).status == Status.MET


def test_on_track_at_or_above_the_straight_line_from_the_first_year():
    # 50 in 2020 → 80 in 2025: the line is at 56 in 2021; 60 is above it
    found = status(80, 2025, {2020: 50, 2021: 60}, at_most=False)
    assert found.status == Status.ON_TRACK
    assert (found.expected, found.baseline_year, found.baseline_value) == (D("56.000"), 2020, 50)


def test_on_the_line_exactly_is_on_track():
    assert status(80, 2025, {2020: 50, 2021: 56}, at_most=False).status == Status.ON_TRACK


def test_behind_below_the_line():
    found = status(80, 2025, {2020: 50, 2021: "55.999"}, at_most=False)
    assert (found.status, found.expected) == (Status.BEHIND, D("56.000"))


def test_missed_when_the_target_year_is_published_and_short():
    assert status(80, 2021, {2020: 50, 2021: 79}, at_most=False).status == Status.MISSED


def test_target_year_past_without_its_own_value_is_missed():
    # the 2022 ranking of the block is out (the agency has no value in it): 2022 is past
    found = status(80, 2022, {2020: 50, 2021: 79}, at_most=False, last_published_year=2023)
    assert (found.status, found.latest_year) == (Status.MISSED, 2021)


def test_target_year_not_yet_published_is_judged_on_the_path():
    found = status(80, 2022, {2020: 50, 2021: 79}, at_most=False, last_published_year=2021)
    assert found.status == Status.ON_TRACK  # line at 65 in 2021


def test_no_published_value_has_no_status():
    assert status(80, 2025, {}, at_most=False).status == Status.NO_DATA


def test_values_after_the_target_year_do_not_count():
    assert status(80, 2021, {2022: 95}, at_most=False).status == Status.NO_DATA
    assert status(80, 2021, {2020: 70, 2022: 95}, at_most=False).status == Status.ON_TRACK


def test_at_most_a_rank():
    # rank 3 in 2020 → at most 1 in 2023: the line is at 2.333 in 2021; rank 2 is on it
    assert status(1, 2023, {2020: 3, 2021: 2}, at_most=True).status == Status.ON_TRACK
    assert status(1, 2023, {2020: 3, 2021: 3}, at_most=True).status == Status.BEHIND
    assert status(1, 2023, {2020: 3, 2021: 1}, at_most=True).status == Status.MET
    assert status(1, 2023, {2020: 3, 2021: 2}, at_most=False).status == Status.MET


def test_given_baseline_value_starts_the_line():
    # 40 in 2019 → 80 in 2025: 46.667 in 2020
    found = status(80, 2025, {2020: 50}, at_most=False, baseline_year=2019, baseline_value=D(40))
    assert (found.status, found.expected) == (Status.ON_TRACK, D("46.667"))
    found = status(80, 2025, {2020: 46}, at_most=False, baseline_year=2019, baseline_value=D(40))
    assert found.status == Status.BEHIND


def test_baseline_year_takes_its_published_value_or_falls_back_to_the_first():
    series = {2020: 40, 2021: 60, 2022: 62}
    # from 2021 (60) → 80 in 2025: 65 in 2022, so 62 is behind; from 2020 (40): 56, on track
    assert status(80, 2025, series, at_most=False, baseline_year=2021).status == Status.BEHIND
    assert status(80, 2025, series, at_most=False, baseline_year=2018).status == Status.ON_TRACK


def test_path_value_is_flat_before_the_baseline():
    line = {"baseline_year": 2021, "baseline_value": D(10), "year": 2025, "goal": D(30)}
    assert path_value(**line, at=2020) == D(10)
    assert path_value(**line, at=2024) == D(25)
