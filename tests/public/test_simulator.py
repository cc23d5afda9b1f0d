"""The what-if simulator's page and API: figures, proposals, limits, drafts, no writes.

The world is tests/simulator_world.py (four districts, one criterion of each rule kind;
Bình is 2nd with 38.50 of 60, An 1st with 53.00).
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rankings.models import (
    AssessmentCycle,
    Membership,
    Result,
    Role,
    Score,
    Stage,
)
from tests.simulator_world import build_kinds_world

pytestmark = pytest.mark.django_db
API = "/api/v1/simulator/"
DRAFT_MARK = "9,876"  # An's draft value of criterion 1, seen by An's staff only


@pytest.fixture
def kinds(db):
    return build_kinds_world()


def page_url(slug: str, query: str = "") -> str:
    url = reverse("agency-simulator", args=["mo", slug])
    return f"{url}?{query}" if query else url


def post(client, body):
    return client.post(API, json.dumps(body), content_type="application/json")


def footprint():
    return (
        list(
            Score.objects.order_by("pk").values_list(
                "pk", "value", "denominator", "choice", "points"
            )
        ),
        list(Result.objects.order_by("pk").values_list("pk", "total", "rank")),
    )


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_page_shows_the_published_standing_and_the_proposals(client, kinds):
    response = client.get(page_url("binh"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="sim-rank">2/4<' in text and 'id="sim-total">38,50<' in text
    # To An's 53,00: 14,495 points at least (53,00 − 38,50, less half a hundredth).
    assert "Lên hạng 1 (bằng 53,00 điểm của đơn vị xếp trên): cần thêm ít nhất 14,495 điểm." in text
    assert "Tiêu chí 3 (Tiêu chí 3 (steps)): giá trị 4, từ 5,000 lên 10,000 điểm." in text
    assert "Tiêu chí 4 (Tiêu chí 4 (choice)): chọn" in text


def test_page_form_recomputes_without_javascript(client, kinds):
    """Bình with the top step (4 meetings) and the chair: 48,50, still 2nd; and An's best
    relative value reached (80): 53,50, 1st."""
    response = client.get(page_url("binh", "v-3=4&c-4=chair&v-6=80"))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="sim-total">53,50<' in text and 'id="sim-rank">1/4<' in text
    assert 'id="sim-band">Tốt<' in text  # 53.5 / 60 = 89.2%, Tốt from 85%
    assert 'class="changed"' in text


def test_a_bad_input_is_a_400_naming_the_criterion_and_field(client, kinds):
    response = client.get(page_url("binh", "v-2=60&d-2=50&v-1=abc"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "1 (giá trị): không phải là số" in text
    assert "công bố: 38,50 / 60" in text and 'id="sim-rank">—<' in text  # nothing simulated


def test_api_answers_the_same_figures(client, kinds):
    body = {"agency": kinds.agencies["binh"].pk, "changes": [{"criterion": "3", "value": "4"}]}
    response = post(client, body)
    assert response.status_code == 200
    data = response.json()
    assert data["before"]["score"] == "38.500" and data["before"]["rank"] == 2
    assert data["after"]["score"] == "43.500" and data["after"]["display"]["total"] == "43,50"
    changed = [c for c in data["criteria"] if c["changed"]]
    assert changed == [
        {
            "criterion": "3",
            "points_before": "5.000",
            "points_after": "10.000",
            "max_points": "10.000",
            "changed": True,
        }
    ]
    rank = next(p for p in data["plans"] if p["goal"] == "rank")
    assert rank["available"] and rank["target_rank"] == 1 and rank["needed"] == "9.495"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"criterion": "1", "value": "11"}, "Tiêu chí 1, giá trị: giá trị 11 vượt điểm tối đa 10"),
        (
            {"criterion": "2", "value": "60", "denominator": "50"},
            "Tiêu chí 2, tử số (a): tử số (a) 60 lớn hơn mẫu số (b) 50",
        ),
        (
            {"criterion": "2", "value": "", "denominator": "0"},
            "Tiêu chí 2: mẫu số (b) phải lớn hơn 0",
        ),
        ({"criterion": "4", "choice": "boss"}, "Tiêu chí 4, lựa chọn: lựa chọn “boss”"),
        ({"criterion": "5", "value": "-1"}, "5 (giá trị): không được âm."),
        ({"criterion": "6", "value": "1e999"}, "6 (giá trị): "),
        ({"criterion": "6", "value": "12345678901234567"}, "6 (giá trị): quá lớn"),
        ({"criterion": "9"}, "Tiêu chí không có trong bộ tiêu chí: 9"),
    ],
)
def test_api_refuses_out_of_bounds_inputs_in_vietnamese(client, kinds, change, words):
    response = post(client, {"agency": kinds.agencies["binh"].pk, "changes": [change]})
    assert response.status_code == 400, response.content
    messages = response.json()["error"]["fields"]["changes"]
    assert any(words in message for message in messages), messages


def test_api_limits_the_number_of_changes(client, kinds):
    agency = kinds.agencies["binh"].pk
    twice = [{"criterion": "1", "value": "1"}, {"criterion": "1", "value": "2"}]
    response = post(client, {"agency": agency, "changes": twice})
    assert response.status_code == 400
    assert "Tiêu chí 1 được thay đổi nhiều lần." in response.json()["error"]["fields"]["changes"]
    many = [{"criterion": str(n % 6 + 1), "value": "1"} for n in range(7)]
    response = post(client, {"agency": agency, "changes": many})
    assert "Nhiều thay đổi hơn số tiêu chí (6)." in response.json()["error"]["fields"]["changes"]
    flood = [{"criterion": "1", "value": "1"}] * 501
    assert post(client, {"agency": agency, "changes": flood}).status_code == 400
    assert post(client, {"agency": 10**9}).status_code == 404
    assert post(client, {"agency": "x"}).status_code == 400


def test_nothing_is_saved_by_the_page_or_the_api(client, kinds):
    before = footprint()
    agency = kinds.agencies["cat"].pk
    change = {"agency": agency, "changes": [{"criterion": "6", "value": "500"}]}
    with CaptureQueriesContext(connection) as queries:
        assert post(client, change).status_code == 200
        assert client.get(page_url("cat", "v-6=500&c-4=chair")).status_code == 200
    assert writes(queries.captured_queries) == []
    assert footprint() == before


def test_query_counts_are_pinned(client, kinds, django_assert_max_num_queries):
    agency = kinds.agencies["dong"].pk
    # agency, publication, criteria, bands, exclusions, scores, published results
    with django_assert_max_num_queries(7):
        post(client, {"agency": agency, "changes": [{"criterion": "2", "value": "5"}]})
    with django_assert_max_num_queries(7):
        client.get(page_url("dong", "v-2=5"))


def _draft_world(kinds):
    """An open 2022 cycle with An's draft self-assessment (criterion 1 = 9.876)."""
    cycle = AssessmentCycle.objects.create(
        province=kinds.province,
        year=2022,
        block=kinds.block,
        criteria_set=kinds.cycle.criteria_set,
    )
    criterion = kinds.cycle.criteria_set.criteria.get(code="1")
    Score.objects.create(
        cycle=cycle,
        agency=kinds.agencies["an"],
        criterion=criterion,
        stage=Stage.SELF,
        value=Decimal("9.876"),
        points=Decimal("0"),
        max_points=criterion.max_points,
    )
    users = {}
    for name, agency in (("bao-cao-an", "an"), ("bao-cao-binh", "binh")):
        users[name] = get_user_model().objects.create_user(name, password="mat-khau-dai-123")
        Membership.objects.create(
            user=users[name],
            role=Role.REPORTER,
            province=kinds.province,
            agency=kinds.agencies[agency],
        )
    return users


def test_drafts_are_for_the_agencys_own_staff(client, kinds):
    users = _draft_world(kinds)
    an = kinds.agencies["an"]
    draft = page_url("an", "nguon=nhap")
    body = {"agency": an.pk, "source": "draft"}
    assert client.get(draft).status_code == 403
    assert post(client, body).status_code == 403
    public = client.get(page_url("an")).content.decode()
    assert DRAFT_MARK not in public and "nguon=nhap" not in public
    client.force_login(users["bao-cao-binh"])  # another agency's staff
    assert client.get(draft).status_code == 403
    assert DRAFT_MARK not in post(client, body).content.decode()
    client.force_login(users["bao-cao-an"])
    response = client.get(draft)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="draft-note"' in text and DRAFT_MARK in text
    data = post(client, body).json()
    assert data["source"] == "draft" and data["before"]["total"] == "54.876"  # 53 − 8 + 9.876
    assert "nguon=nhap" in client.get(page_url("an")).content.decode()


def test_draft_without_an_open_cycle_is_a_404(client, kinds):
    users = _draft_world(kinds)
    AssessmentCycle.objects.filter(year=2022).update(state="archived")
    client.force_login(users["bao-cao-an"])
    assert client.get(page_url("an", "nguon=nhap")).status_code == 404


def test_a_correction_under_way_is_not_simulated(client, kinds):
    """Final scores changed after the publication: they are no longer what was published."""
    Score.objects.filter(agency=kinds.agencies["cat"], criterion__code="1").update(
        value=Decimal("1")
    )
    response = client.get(page_url("binh"))
    assert response.status_code == 404
    assert "không còn khớp kết quả đã công bố" in response.content.decode()
    body = {"agency": kinds.agencies["binh"].pk}
    assert post(client, body).status_code == 404


def test_the_agency_page_links_to_the_simulator(client, kinds):
    text = client.get(reverse("agency", args=["mo", "binh"])).content.decode()
    assert page_url("binh") in text


def test_the_endpoint_is_in_the_api_schema(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/simulator/"]["post"]
    assert "SimulationRequest" in json.dumps(operation["requestBody"])
    assert "Simulation" in json.dumps(operation["responses"]["200"])
    assert {"400", "403", "404", "429"} <= set(operation["responses"])


def test_english_page(client, kinds):
    client.cookies["django_language"] = "en"
    text = client.get(page_url("binh")).content.decode()
    assert "Next rank" in text and "38.50" in text


def test_the_simulation_is_dated_by_its_publication(kinds):
    assert kinds.cycle.publications.get().decision_date == datetime.date(2022, 5, 1)


def test_the_endpoint_is_throttled_like_the_public_api(client, kinds, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "2/minute"},
    }
    body = {"agency": kinds.agencies["binh"].pk}
    assert [post(client, body).status_code for _ in range(3)] == [200, 200, 429]


def test_a_form_body_is_refused(client, kinds):
    response = client.post(API, {"agency": kinds.agencies["binh"].pk})
    assert response.status_code == 415


def test_an_agency_the_decision_excluded_stays_out(client, kinds):
    """A correction excludes Đông: the peers are the three ranked, as published."""
    from rankings.cycles import services
    from rankings.models import Submission

    Submission.objects.create(
        cycle=kinds.cycle, agency=kinds.agencies["dong"], excluded_reason="Không đủ điều kiện"
    )
    services.cycle_publish(
        cycle=kinds.cycle,
        decision_number="10/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 1),
        reason="Loại Đông khỏi xếp hạng",
    )
    text = client.get(page_url("cat")).content.decode()
    assert 'id="sim-rank">3/3<' in text
    response = client.get(page_url("dong"))
    assert response.status_code == 404
    assert "không được xếp hạng" in response.content.decode()
