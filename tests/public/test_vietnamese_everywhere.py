"""Vietnamese in Vietnamese mode, English in English mode: engine problems, choices, blocks,
bands and the audit trail are said in words, never as codes or English internals."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

import scoring
from rankings import wording
from rankings.models import AssessmentCycle, CycleState, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_2022(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
        submission_deadline=datetime.date.today() + datetime.timedelta(days=10),
    )


def reporter(client, world):
    user = get_user_model().objects.create_user("reporter-words", "", "x")
    Membership.objects.create(
        user=user, role=Role.REPORTER, province=world.province, agency=world.an
    )
    client.force_login(user)


def test_unknown_choice_is_explained_with_the_sets_words(world):
    params = {"choices": {"chair": "1", "deputy": "0.5", "none": "0"}}
    problem = scoring.Problem(
        1, "1.3", "choice", "boss", "unknown choice", "unknown_choice",
        {"choice": "boss", "expected": ["chair", "deputy", "none"]},
    )  # fmt: skip
    with translation.override("vi"):
        text = wording.problem_text(problem, choices=params)
    assert text == (
        "lựa chọn “boss” không có trong bộ tiêu chí; chọn một trong: "
        "chair (Bí thư hoặc Chủ tịch), deputy (Phó Chủ tịch), none (Không có)"
    )


def test_choice_labels_come_from_the_criteria_set_then_common_words(world):
    params = {"choices": {"chair": "1", "x": "0"}, "labels": {"x": "Chưa thành lập"}}
    with translation.override("vi"):
        assert wording.choice_label(params, "chair") == "Bí thư hoặc Chủ tịch"
        assert wording.choice_label(params, "x") == "Chưa thành lập"
        assert wording.choice_label(params, "other") == "other"
    with translation.override("en"):
        assert wording.choice_label(params, "chair") == "Party Secretary or Chairman"
        assert wording.choice_label({**params, "labels_en": {"x": "Not set up"}}, "x") == (
            "Not set up"
        )


def test_english_mode_uses_the_english_block_name(client, world):
    world.districts.name_en = "District People's Committees"
    world.districts.save()
    client.cookies["django_language"] = "en"
    page = client.get("/mau/2021/districts/").content.decode()
    assert "district People&#x27;s Committees" in page  # the heading, lower-cased first letter
