"""No input gives a 500: each case of issue 15 answers 400 (409, 413 where that is the
meaning) with a Vietnamese message naming the field and what is allowed, and writes
nothing. Run on PostgreSQL too (DATABASE_URL): there a value past a column's limit is an
error of the database, not a silent truncation.

The world's 2022 district cycle is open (criteria set 2021: 1.1 direct /10, 1.2 ratio
a/b × 10, 2.1 direct /20); An has self-assessed 1.1 so the council can review it.
"""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.cycles import assessments
from rankings.models import (
    AssessmentCycle,
    Evidence,
    Membership,
    Role,
    Score,
)
from tests.world import open_2022

pytestmark = pytest.mark.django_db

SITE = "/quan-ly/mau/2022/districts/"
API = "/api/v1/cycles/mau/2022/districts/"
LONG_URL = "https://example.vn/" + "a" * 231  # 250 characters
assert len(LONG_URL) == 250
HUGE = "9999999999999"
NINES_40 = "9" * 40


@pytest.fixture
def cycle(world):
    cycle = open_2022(world)
    assessments.self_assessment_save(
        cycle=cycle,
        agency=world.an,
        inputs={"1.1": assessments.RawInput(value=Decimal(8))},
        user=None,
    )
    return cycle


@pytest.fixture
def people(world):
    made = {}
    for name, role, agency in (
        ("reporter", Role.REPORTER, world.an),
        ("editor", Role.EDITOR, None),
        ("reviewer", Role.REVIEWER, None),
    ):
        user = get_user_model().objects.create_user(name, "", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        made[name] = user
    return made


def site(client, user):
    client.force_login(user)
    return client


def token(user) -> APIClient:
    client = APIClient()
    key = AuthToken.objects.create(user=user)[1]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def footprint():
    return (
        list(Score.objects.order_by("pk").values_list("pk", "value", "denominator", "review")),
        Evidence.objects.count(),
        AssessmentCycle.objects.count(),
    )


def refused(response, *words, status=400):
    """The answer refuses with `status`, and its text names every word (field, limit)."""
    assert response.status_code == status, response.content[:500]
    text = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    missing = [word for word in words if word not in text]
    assert not missing, (missing, text[:2000])


# --- The self-assessment form -----------------------------------------------------------


def test_evidence_url_of_250_characters(client, cycle, people):
    before = footprint()
    response = site(client, people["reporter"]).post(
        SITE + "don-vi/an/tu-danh-gia/",
        {"action": "evidence", "criterion": "1.1", "title": "Biên bản", "url": LONG_URL},
    )
    refused(response, "Đường dẫn", "200 ký tự")
    api = token(people["reporter"]).post(
        API + "scores/an/1.1/evidence/", {"title": "Biên bản", "url": LONG_URL}, format="json"
    )
    refused(api, "url", "200 ký tự")
    assert footprint() == before


@pytest.mark.parametrize("number", [HUGE, "1e309", NINES_40, "-1", "NaN", "Infinity", "1e-400"])
def test_self_assessment_numbers_past_the_columns_limits(client, cycle, people, number):
    before = footprint()
    response = site(client, people["reporter"]).post(
        SITE + "don-vi/an/tu-danh-gia/",
        {"action": "save", "v-1.2": number, "d-1.2": number, "v-2.1": number},
    )
    refused(response, "1.2", "2.1")
    assert "500" not in str(response.status_code)
    assert footprint() == before


def test_ratio_of_thirteen_nines_names_the_columns_limit(client, cycle, people):
    """9999999999999 has 13 digits before the point: the column (15 digits, 3 of them
    decimals) holds 12. Refused, with the limit, by the form and by the API."""
    before = footprint()
    response = site(client, people["reporter"]).post(
        SITE + "don-vi/an/tu-danh-gia/", {"action": "save", "v-1.2": HUGE, "d-1.2": HUGE}
    )
    refused(response, "1.2 (a)", "1.2 (b)", "15 chữ số", "phần nguyên 12 chữ số")
    api = token(people["editor"]).put(
        API + "scores/an/1.2/?stage=final", {"value": HUGE, "denominator": HUGE}, format="json"
    )
    refused(api, "value", "denominator", "12")
    fine = token(people["editor"]).put(
        API + "scores/an/1.2/?stage=final",
        {"value": "999999999999.999", "denominator": "999999999999.999"},
        format="json",
    )
    assert fine.status_code == 201, fine.content  # the largest the column holds: full marks
    assert fine.json()["points"] == "10.000"
    assert footprint() != before


# --- The review form --------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1e309", NINES_40, HUGE + "0000"])
def test_review_numbers_past_the_columns_limits(client, cycle, people, number):
    before = footprint()
    response = site(client, people["reviewer"]).post(
        SITE + "don-vi/an/tham-dinh/",
        {"criterion": "1.1", "action": "adjusted", "value": number, "comment": "Sửa"},
    )
    refused(response, "Giá trị", "15 chữ số")
    assert footprint() == before


def test_review_action_outside_the_choices(client, cycle, people):
    before = footprint()
    response = site(client, people["reviewer"]).post(
        SITE + "don-vi/an/tham-dinh/", {"criterion": "1.1", "action": "approve-all"}
    )
    refused(response, "Kết quả thẩm định", "accepted", "adjusted", "returned")
    assert footprint() == before


# --- The API ----------------------------------------------------------------------------


def test_score_put_with_json_nested_100000_deep(cycle, people):
    before = footprint()
    body = "[" * 100_000 + "]" * 100_000
    response = token(people["reporter"]).put(
        API + "scores/an/1.1/?stage=self",
        body,
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    refused(response, "JSON", "lồng")
    assert footprint() == before


@pytest.mark.parametrize("number", ["1e309", NINES_40, HUGE + "0000"])
def test_api_numbers_past_the_columns_limits(cycle, people, number):
    before = footprint()
    response = token(people["editor"]).put(
        API + "scores/an/1.2/?stage=final", {"value": number, "denominator": "1"}, format="json"
    )
    refused(response, "value", "15")
    assert footprint() == before


# --- Opening a cycle --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"year": "99999"}, ["Năm đánh giá", "2100"]),
        ({"year": "1999"}, ["Năm đánh giá", "2000"]),
        ({"year": "2023", "data_from": "2023-12-31", "data_to": "2023-01-01"}, ["Số liệu"]),
        ({"year": "2023", "submission_deadline": "31/02/2023"}, ["Hạn nộp"]),
    ],
)
def test_opening_a_cycle_with_a_year_or_window_out_of_range(client, world, people, fields, words):
    before = footprint()
    response = site(client, people["editor"]).post(
        "/quan-ly/mau/mo-ky/", {"source": world.cycle_2021.criteria_set_id, **fields}
    )
    refused(response, *words)
    assert footprint() == before
