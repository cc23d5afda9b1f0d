"""Vietnamese in Vietnamese mode, English in English mode: engine problems, choices, blocks,
bands and the audit trail are said in words, never as codes or English internals."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import translation

import scoring
from rankings import wording
from rankings.models import AssessmentCycle, Criterion, CycleState, Membership, Role

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


def test_engine_problems_in_vietnamese_on_the_form(client, world, open_2022):
    reporter(client, world)
    form = {"action": "save", "v-1.1": "8", "v-1.2": "35", "d-1.2": "0", "v-2.1": "25"}
    page = client.post("/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/", form)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Tiêu chí 1.2: mẫu số (b) phải lớn hơn 0" in html
    assert "Tiêu chí 2.1: giá trị 25 vượt điểm tối đa 20" in html
    assert "denominator must be" not in html and "above the maximum" not in html


def test_engine_problems_in_english_mode(client, world, open_2022):
    client.cookies["django_language"] = "en"
    reporter(client, world)
    form = {"action": "save", "v-1.1": "8", "v-1.2": "35", "d-1.2": "0", "v-2.1": "15"}
    html = client.post("/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/", form).content
    assert "Criterion 1.2: the denominator (b) must be greater than 0" in html.decode()


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


def test_methodology_says_choices_in_words(client, world):
    # The set is published, so read-only: the plain QuerySet's update sets the fixture up.
    criterion = Criterion.objects.filter(criteria_set__slug="mau-huyen-2021", code="1.1")
    choices = {"choices": {"chair": "1", "deputy": "0.5"}}
    models.QuerySet.update(criterion, rule="choice", params=choices)
    page = client.get("/phuong-phap/mau-huyen-2021/").content.decode()
    assert "Bí thư hoặc Chủ tịch × 1" in page and "Phó Chủ tịch × 0,5" in page
    assert "chair ×" not in page


def test_english_mode_uses_the_english_block_and_band_names(client, world):
    world.districts.name_en = "District People's Committees"
    world.districts.save()
    good = world.cycle_2021.criteria_set.bands.filter(label="Tốt")
    models.QuerySet.update(good, label_en="Good")  # a published set: the fixture's way in
    client.cookies["django_language"] = "en"
    page = client.get("/mau/2021/districts/").content.decode()
    assert "district People&#x27;s Committees" in page  # the heading, lower-cased first letter
    assert '<td class="hide-narrow">Good</td>' in page and ">Tốt</td>" not in page
    assert '<option value="Tốt">Good</option>' in page  # the filter keeps the stored label
    vietnamese = client.get("/mau/2021/districts/", HTTP_COOKIE="django_language=vi")
    assert '<td class="hide-narrow">Tốt</td>' in vietnamese.content.decode()
