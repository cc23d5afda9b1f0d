"""`/api/v1/results/` (a year's published rows across provinces) on the demo, and the
agency list's pages.

The demo (`seed_demo`) has 8 published cycles: Vĩnh Phúc departments and districts 2019 to
2021, Sơn La districts 2019 and 2020; every cycle also has a newer draft recomputation.
Every row of `results/` must be the `rankings/` row of its block, value for value.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from agencies.models import Agency, AgencyKind, Block, Province
from api.presenters import fixed, fixed_text
from rankings.cycles import services
from rankings.models import AssessmentCycle, Publication, Result, Score

pytestmark = pytest.mark.django_db

RESULTS = "/api/v1/results/"
# The year before, and the engine's unrounded totals: rankings/ only.
CHANGES = {"previous_rank", "rank_change", "change", "percent_change", "total_exact"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from rankings.seed.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        from tests.cleanup import delete_everything

        delete_everything()


def get(client, url: str, **headers):
    response = client.get(url, headers=headers)
    return response, json.loads(response.content) if response.content else None


def queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), json.loads(response.content)


def published_cycles(year: int) -> list[AssessmentCycle]:
    return list(
        AssessmentCycle.objects.filter(year=year, publications__isnull=False)
        .select_related("province", "block")
        .distinct()
        .order_by("province__name", "block__order", "block__slug")
    )


def correct(cycle: AssessmentCycle, number: str = "999/QĐ-UBND") -> Publication:
    """Change one score of `cycle` and publish the change as a correction."""
    score = Score.objects.filter(cycle=cycle).order_by("pk").first()
    Score.objects.filter(pk=score.pk).update(value=Decimal("0"))
    return services.cycle_publish(
        cycle=cycle,
        decision_number=number,
        decision_date=datetime.date(cycle.year + 1, 12, 1),
        reason="Đính chính",
    )


# --- The rows are the rankings' rows -------------------------------------------------------


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_every_row_is_its_rankings_row(client, demo, year):
    response, body = get(client, f"{RESULTS}?year={year}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    cycles = published_cycles(year)
    assert body["year"] == year and body["count"] == len(body["rows"])
    seen = list(dict.fromkeys((row["province"], row["block"]) for row in body["rows"]))
    assert seen == [(c.province.slug, c.block.slug) for c in cycles]  # province name, block
    for cycle in cycles:
        place = f"province={cycle.province.slug}&year={year}&block={cycle.block.slug}"
        _, ranking = get(client, f"/api/v1/rankings/?{place}")
        rows = [
            r
            for r in body["rows"]
            if (r["province"], r["block"]) == (cycle.province.slug, cycle.block.slug)
        ]
        expected = [{k: v for k, v in r.items() if k not in CHANGES} for r in ranking["rows"]]
        assert [{k: r[k] for k in expected[0]} for r in rows] == expected
        publication = ranking["publication"]
        assert {(r["decision_number"], r["revision"]) for r in rows} == {
            (publication["decision_number"], publication["revision"])
        }
        assert {(r["year"], r["criteria_set"]) for r in rows} == {
            (year, ranking["criteria_set"]["slug"])
        }
    assert not CHANGES & set(body["rows"][0])


def test_numbers_are_exact_strings_at_the_published_precision(client, demo):
    _, body = get(client, f"{RESULTS}?year=2020&province=vinh-phuc&block=departments")
    places = {"total": 3, "percent": 0}  # Vĩnh Phúc's 2020 departments: 59.984, 95 %
    for row in body["rows"]:
        for key, decimals in places.items():
            assert isinstance(row[key], str)
            assert -Decimal(row[key]).as_tuple().exponent == decimals, row[key]
        assert all(len(value.split(".")[1]) == 3 for value in row["groups"].values())
    top = body["rows"][0]
    assert (top["agency"]["slug"], top["rank"], top["total"], top["percent"]) == (
        "so-tttt",
        1,
        "59.984",
        "95",
    )


# --- Published, latest revision only ------------------------------------------------------


def test_only_the_latest_revision_and_never_a_draft(client, demo):
    cycle = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2021, block__slug="districts"
    )
    url = f"{RESULTS}?year=2021&province=vinh-phuc&block=districts"
    _, before = get(client, url)
    # A draft recomputation after a score changed: nothing the API shows changes.
    score = Score.objects.filter(cycle=cycle).order_by("pk").first()
    Score.objects.filter(pk=score.pk).update(value=Decimal("0"))
    services.cycle_recompute(cycle=cycle)
    assert Result.objects.filter(cycle=cycle, publication__isnull=True).exists()
    assert get(client, url)[1] == before
    # Published as a correction: revision 2 replaces revision 1, row for row.
    services.cycle_publish(
        cycle=cycle,
        decision_number="999/QĐ-UBND",
        decision_date=datetime.date(2022, 12, 1),
        reason="Đính chính",
    )
    _, after = get(client, url)
    assert after["count"] == before["count"] == 9
    assert {(r["decision_number"], r["revision"]) for r in after["rows"]} == {("999/QĐ-UBND", 2)}
    assert after["rows"] != before["rows"]
    _, ranking = get(client, "/api/v1/rankings/?province=vinh-phuc&year=2021&block=districts")
    assert [r["total"] for r in after["rows"]] == [r["total"] for r in ranking["rows"]]


def test_a_cycle_with_drafts_only_does_not_exist(client, demo):
    last = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2021, block__slug="districts"
    )
    cycle = AssessmentCycle.objects.create(
        province=last.province, year=2022, block=last.block, criteria_set=last.criteria_set
    )
    for score in Score.objects.filter(cycle=last):
        score.pk, score.cycle = None, cycle
        score.save()
    services.cycle_recompute(cycle=cycle)
    assert Result.objects.filter(cycle=cycle).exists()
    response, body = get(client, f"{RESULTS}?year=2022")
    assert response.status_code == 200 and body == {"year": 2022, "count": 0, "rows": []}


# --- Filters and errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "blocks"),
    [
        ("", {("son-la", "districts"), ("vinh-phuc", "departments"), ("vinh-phuc", "districts")}),
        (
            "&province=",
            {("son-la", "districts"), ("vinh-phuc", "departments"), ("vinh-phuc", "districts")},
        ),
        ("&province=vinh-phuc", {("vinh-phuc", "departments"), ("vinh-phuc", "districts")}),
        ("&block=districts", {("son-la", "districts"), ("vinh-phuc", "districts")}),
        ("&province=son-la&block=", {("son-la", "districts")}),
        ("&province=son-la&block=departments", set()),
    ],
)
def test_filters_choose_whole_blocks(client, demo, query, blocks):
    _, body = get(client, f"{RESULTS}?year=2020{query}")
    assert {(r["province"], r["block"]) for r in body["rows"]} == blocks


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        ("", 400, {"year"}),
        ("?year=", 400, {"year"}),
        ("?year=abc", 400, {"year"}),
        ("?year=1999", 400, {"year"}),
        ("?year=2101", 400, {"year"}),
        ("?year=2020&province=vinh%20phuc", 400, {"province"}),
        ("?year=2020&province=a%00b", 400, {"province"}),
        ("?year=2020&block=" + "x" * 41, 400, {"block"}),
        ("?year=2020&province=nowhere", 404, set()),
        ("?year=2020&province=vinh-phuc&block=nowhere", 404, set()),
    ],
)
def test_errors_have_the_one_error_format(client, demo, query, status, fields):
    response, body = get(client, RESULTS + query)
    assert response.status_code == status
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == ("invalid" if status == 400 else "not_found")
    assert set(body["error"]["fields"]) == fields and body["error"]["message"]


def test_read_only(client, demo):
    response = client.post(f"{RESULTS}?year=2020")
    assert response.status_code == 405
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_throttled_like_every_anonymous_read(client, demo, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "2/minute"},
    }
    assert [client.get(f"{RESULTS}?year=2020").status_code for _ in range(2)] == [200, 200]
    response, body = get(client, f"{RESULTS}?year=2020")
    assert response.status_code == 429 and body["error"]["code"] == "throttled"


# --- Caching and query counts -------------------------------------------------------------


def test_304_until_a_publication_of_that_year(client, demo):
    url = f"{RESULTS}?year=2021"
    first = client.get(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=300" and first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(f"{url}&block=districts", headers={"if-none-match": etag}).status_code == 200
    correct(AssessmentCycle.objects.get(province__slug="son-la", year=2020))
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304  # another year
    correct(
        AssessmentCycle.objects.get(
            province__slug="vinh-phuc", year=2021, block__slug="departments"
        )
    )
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_304_costs_one_query_and_one_per_filter(client, demo):
    for query, expected in (
        ("?year=2020", 1),
        ("?year=2020&province=vinh-phuc&block=districts", 3),
    ):
        etag = client.get(RESULTS + query)["ETag"]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(RESULTS + query, headers={"if-none-match": etag})
        assert response.status_code == 304 and len(captured) == expected


def test_query_count_does_not_grow_with_rows(client, demo):
    """Version, publications, groups, rows (+ one lookup per filter), however many rows."""
    few, small = queries(client, f"{RESULTS}?year=2021")
    filtered, _ = queries(client, f"{RESULTS}?year=2021&province=vinh-phuc&block=districts")
    assert (few, filtered) == (4, 6)
    cycle = AssessmentCycle.objects.get(
        province__slug="vinh-phuc", year=2021, block__slug="districts"
    )
    model = Score.objects.filter(cycle=cycle).select_related("agency")
    template = list(model.filter(agency=model.first().agency))
    for n in range(30):
        agency = Agency.objects.create(
            province=cycle.province,
            block=cycle.block,
            kind=AgencyKind.DISTRICT,
            slug=f"moi-{n}",
            name=f"UBND huyện Mới {n}",
            short_name=f"Mới {n}",
        )
        for score in template:
            score.pk, score.agency = None, agency
        Score.objects.bulk_create(template)
    correct(cycle)
    many, large = queries(client, f"{RESULTS}?year=2021")
    assert large["count"] == small["count"] + 30 and many == few


# --- Pure helpers and the schema ----------------------------------------------------------


@given(
    st.decimals(min_value=0, max_value=999999, places=3, allow_nan=False),
    st.integers(min_value=0, max_value=3),
)
def test_fixed_text_is_fixed_for_every_stored_number(value, places):
    expected = format(fixed(value, places), "f")
    assert fixed_text(format(value, "f"), places) == expected  # PostgreSQL's text
    assert fixed_text(str(value.normalize()), places) == expected  # SQLite's, any form


@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("99.999", 1, "99.9"),  # never rounded up
        ("32.450", 2, "32.45"),
        ("32.450", 0, "32"),
        ("17.5", 3, "17.500"),
        ("26", 1, "26.0"),
        ("0", 3, "0.000"),
        ("1.0e-05", 3, "0.000"),
    ],
)
def test_fixed_text_examples(text, places, expected):
    assert fixed_text(text, places) == expected


def test_schema_documents_the_rows(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    operation = schema["paths"]["/api/v1/results/"]["get"]
    assert {p["name"]: p.get("required", False) for p in operation["parameters"]} == {
        "year": True,
        "province": False,
        "block": False,
    }
    assert set(operation["responses"]) >= {"200", "304", "400", "404", "429"}
    row = schema["components"]["schemas"]["ResultRow"]["properties"]
    assert row["total"]["format"] == "decimal" and not CHANGES & set(row)
    assert {"province", "year", "block", "criteria_set", "decision_number", "revision"} <= set(row)


# --- The agency list's pages --------------------------------------------------------------


def test_agency_pages_are_complete_stable_and_equally_cheap(client, demo):
    expected = list(
        Agency.objects.order_by("province_id", "block_id", "name", "id").values_list(
            "id", flat=True
        )
    )
    url, seen, counts = "/api/v1/agencies/?page_size=7", [], set()
    while url:
        n, body = queries(client, url)
        counts.add(n)
        assert body["count"] == len(expected)
        seen += [agency["id"] for agency in body["results"]]
        url = body["next"]
    assert seen == expected  # every agency once, in the index's order
    assert counts == {3}  # count, page, successors: the last page like the first
    _, again = get(client, "/api/v1/agencies/?page_size=7&page=3")
    assert [a["id"] for a in again["results"]] == expected[14:21]


def test_agency_pages_with_filters_and_orderings(client, demo):
    vinh_phuc = Province.objects.get(slug="vinh-phuc")
    districts = Block.objects.get(slug="districts")
    _, body = get(client, "/api/v1/agencies/?province=vinh-phuc&block=districts&page_size=5&page=2")
    expected = Agency.objects.filter(province=vinh_phuc, block=districts).order_by("name", "id")
    assert body["count"] == 9
    assert [a["slug"] for a in body["results"]] == [a.slug for a in expected[5:]]
    _, body = get(client, "/api/v1/agencies/?ordering=-name&page_size=3&page=2")
    names = list(Agency.objects.order_by("-name", "id").values_list("slug", flat=True))
    assert [a["slug"] for a in body["results"]] == names[3:6]
