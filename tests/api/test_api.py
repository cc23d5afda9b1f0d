"""API v1 on the named world (see tests/world.py): payloads, filters, drafts, caching, errors."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, AgencyKind
from api.pagination import Pagination
from rankings.cycles import services
from rankings.models import AssessmentCycle, CriteriaSet, Score
from tests.world import enter

pytestmark = pytest.mark.django_db

RANKING = "/api/v1/rankings/?province=mau&year=2020&block=districts"
RANKING_2021 = "/api/v1/rankings/?province=mau&year=2021&block=districts"


def get(client, url: str, **headers):
    response = client.get(url, headers=headers)
    return response, json.loads(response.content) if response.content else None


def queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response


def add_districts(world, count: int = 20) -> None:
    """Twenty more districts in 2021, published as a correction (revision 2)."""
    for n in range(count):
        agency = Agency.objects.create(
            province=world.province,
            block=world.districts,
            kind=AgencyKind.DISTRICT,
            slug=f"moi-{n}",
            name=f"UBND huyện Mới {n}",
            short_name=f"Mới {n}",
        )
        enter(world.cycle_2021, agency, {"1.1": 5, "1.2": (n, 20), "2.1": 10})
    services.cycle_publish(
        cycle=world.cycle_2021,
        decision_number="201/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 1),
        reason="Bổ sung 20 đơn vị",
    )


# --- The rankings payload ----------------------------------------------------------------


def test_ranking_of_2020_districts_is_the_published_one(client, world):
    response, body = get(client, RANKING)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["province"] == {"slug": "mau", "name": "Tỉnh Mẫu"}
    assert body["year"] == 2020 and body["block"]["slug"] == "districts"
    assert [(r["rank"], r["tied"], r["agency"]["slug"]) for r in body["rows"]] == [
        (1, False, "an"),
        (2, True, "binh"),
        (2, True, "cat"),
    ]
    an = body["rows"][0]
    assert an["agency"] == {
        "id": world.an.pk,
        "slug": "an",
        "name": "UBND huyện An",
        "short_name": "An",
        "admin_unit_code": "",
    }
    assert an["groups"] == {"1": "17.000", "2": "15.000"}
    assert (an["total"], an["percent"], an["band"]) == ("32.000", "80.0", "Tốt")
    assert an["not_ranked_reason"] is None
    assert an["previous_rank"] is None and an["rank_change"] is None and an["change"] is None
    assert [r["total"] for r in body["rows"]] == ["32.000", "26.000", "26.000"]
    assert [r["percent"] for r in body["rows"]] == ["80.0", "65.0", "65.0"]
    assert body["statistics"] == {
        "count": 3,
        "ranked": 3,
        "max_points": "40.000",
        "mean": "28.0000",  # the statistics rule: 4 decimals, cut (the default)
        "median": "26.0000",
        "highest": "32.000",
        "lowest": "26.000",
        "spread": "6.000",
        "mean_percent": "70.0",
        "previous_year": None,
        "comparable_with_previous": None,
        "not_comparable_reason": None,
        "mean_change": None,
        "missing_years": [],
        "previous_block_size": None,
        "rank_change_comparable": None,
        "mean_percent_change": None,
        "mean_exact": "28",
        "median_exact": "26",
        "highest_exact": "32.000",
        "lowest_exact": "26.000",
        "spread_exact": "6.000",
        "mean_change_exact": None,
    }
    assert [r["total_exact"] for r in body["rows"]] == ["32.000", "26.000", "26.000"]
    publication = body["publication"]
    assert publication["decision_number"] == "100/QĐ-UBND"
    assert publication["decision_date"] == "2021-05-01"
    assert (publication["signer"], publication["revision"], publication["synthetic"]) == (
        "Chủ tịch",
        1,
        False,
    )
    assert body["criteria_set"] == {
        "slug": "mau-huyen-2020",
        "name": "Bộ tiêu chí huyện 2020",
        "max_points": "40.000",
        "precision": 3,
        "rounding": "half_up",
        "percent_precision": 1,
        "percent_rounding": "truncate",
        "synthetic": False,
        "statistics_precision": 4,
        "statistics_rounding": "truncate",
    }
    assert [g["code"] for g in body["groups"]] == ["1", "2"]


def test_ranking_2021_compares_with_2020(client, world):
    _, body = get(client, RANKING_2021)
    binh = body["rows"][0]
    assert binh["agency"]["slug"] == "binh" and binh["total"] == "33.000"
    assert (binh["previous_rank"], binh["rank_change"], binh["change"]) == (2, 1, "7.000")
    an = body["rows"][1]
    assert (an["rank_change"], an["change"]) == (-1, "-2.000")
    stats = body["statistics"]
    # (30 + 33 + 20) / 3 = 27.666…: truncated, never rounded up; −0.333… on 2020's 28.
    assert stats["mean"] == "27.6666" and stats["mean_change"] == "-0.333"
    assert stats["previous_year"] == 2020 and stats["comparable_with_previous"] is True


def test_decimals_are_exact_strings_never_floats(client, world):
    _, body = get(client, RANKING)
    row = body["rows"][0]
    for value in (row["total"], row["percent"], *row["groups"].values()):
        assert isinstance(value, str) and Decimal(value) == Decimal(value).quantize(Decimal(1))
    assert Decimal(body["statistics"]["mean"]) == Decimal("28")


@pytest.mark.parametrize(
    "query",
    ["q=binh", "q=BINH", "q=cát", "band=Khá", "ordering=-name", "ordering=total", "ordering=-rank"],
)
def test_filters_mean_what_they_mean_on_the_page(client, world, query):
    """The same ResultFilter drives both: the page's JSON twin and the API agree row by row."""
    page = json.loads(client.get(f"/mau/2020/districts.json?{query}").content)
    _, api = get(client, f"{RANKING}&{query}")
    assert [r["agency"]["slug"] for r in api["rows"]] == [r["agency_slug"] for r in page["rows"]]
    assert [r["total"] for r in api["rows"]] == [r["total"] for r in page["rows"]]
    assert api["statistics"]["count"] == 3  # statistics always cover the whole block


def test_filtering_by_name_and_band(client, world):
    _, body = get(client, RANKING + "&q=binh")
    assert [r["agency"]["name"] for r in body["rows"]] == ["UBND huyện Bình"]
    _, body = get(client, RANKING + "&band=Khá&ordering=-name")
    assert [r["agency"]["slug"] for r in body["rows"]] == ["cat", "binh"]
    assert body["rows"][0]["tied"] is True  # tied with Bình even when An is filtered out


def test_criterion_points_of_one_agency_with_maxima(client, world):
    response, body = get(
        client, "/api/v1/rankings/criteria/?province=mau&year=2020&block=districts&agency=cat"
    )
    assert response.status_code == 200
    assert [(c["code"], c["group"], c["max_points"], c["rule"]) for c in body["criteria"]] == [
        ("1.1", "1", "10.000", "direct"),
        ("1.2", "1", "10.000", "ratio"),
        ("2.1", "2", "20.000", "direct"),
    ]
    (cat,) = body["rows"]
    assert cat["agency"]["slug"] == "cat" and cat["rank"] == 2 and cat["total"] == "26.000"
    assert cat["points"] == {"1.1": "6.000", "1.2": "5.000", "2.1": "15.000"}
    _, everyone = get(client, "/api/v1/rankings/criteria/?province=mau&year=2020&block=districts")
    assert [r["agency"]["slug"] for r in everyone["rows"]] == ["an", "binh", "cat"]
    response, body = get(
        client, "/api/v1/rankings/criteria/?province=mau&year=2020&block=districts&agency=so-mot"
    )
    assert response.status_code == 404 and body["error"]["code"] == "not_found"


# --- The other endpoints -----------------------------------------------------------------


def test_agencies_filter_by_province_block_kind_year_and_name(client, world):
    world.cat.valid_to = datetime.date(2020, 12, 31)
    world.cat.save()
    _, body = get(client, "/api/v1/agencies/?province=mau&block=districts&ordering=name")
    assert [a["slug"] for a in body["results"]] == ["an", "binh", "cat"]
    assert body["results"][0]["province"] == "mau" and body["results"][0]["kind"] == "district"
    _, body = get(client, "/api/v1/agencies/?kind=department")
    assert {a["slug"] for a in body["results"]} == {"so-mot", "so-hai", "so-ba"}
    _, body = get(client, "/api/v1/agencies/?block=districts&active_in=2021")
    assert {a["slug"] for a in body["results"]} == {"an", "binh"}
    _, body = get(client, "/api/v1/agencies/?search=huyen binh")
    assert [a["slug"] for a in body["results"]] == ["binh"]
    _, body = get(client, "/api/v1/agencies/?search=SỞ MỘT")
    assert [a["slug"] for a in body["results"]] == ["so-mot"]


def test_agency_history_across_years(client, world):
    response, body = get(client, f"/api/v1/agencies/{world.an.pk}/history/")
    assert response.status_code == 200
    assert body["agency"]["slug"] == "an" and body["province"] == "mau"
    years = body["years"]
    assert [(y["year"], y["rank"], y["count"], y["total"]) for y in years] == [
        (2020, 1, 3, "32.000"),
        (2021, 2, 3, "30.000"),
    ]
    assert years[0]["comparable_with_previous"] is None and years[0]["change"] is None
    assert years[1]["comparable_with_previous"] is True
    assert (years[1]["change"], years[1]["rank_change"]) == ("-2.000", -1)
    assert [y["block_mean"] for y in years] == ["28.0000", "27.6666"]
    assert [y["block_mean_exact"] for y in years][1].startswith("27.66666666666666666")
    assert [y["percent"] for y in years] == ["80.0", "75.0"]
    assert years[1]["max_points"] == "40.000"
    assert years[1]["decision"]["decision_number"] == "200/QĐ-UBND"
    response, _ = get(client, "/api/v1/agencies/999999/history/")
    assert response.status_code == 404


def test_criteria_set_tree_with_maxima_and_rules(client, world):
    _, listing = get(client, "/api/v1/criteria-sets/")
    assert [s["slug"] for s in listing["results"]] == [
        "mau-huyen-2020",
        "mau-huyen-2021",
        "mau-so-2020",
    ]
    response, body = get(client, "/api/v1/criteria-sets/mau-huyen-2020/")
    assert response.status_code == 200
    assert body["max_points"] == "40.000" and body["block"] == "districts"
    ready, use = body["groups"]
    assert (ready["code"], ready["max_points"], use["max_points"]) == ("1", "20.000", "20.000")
    assert [(c["code"], c["max_points"], c["rule"]) for c in ready["criteria"]] == [
        ("1.1", "10.000", "direct"),
        ("1.2", "10.000", "ratio"),
    ]
    assert ready["subgroups"] == [] and ready["criteria"][1]["params"] == {}
    assert [(b["label"], b["minimum"]) for b in body["bands"]] == [
        ("Tốt", "80.000"),
        ("Khá", "65.000"),
        ("Trung bình", "0.000"),
    ]
    assert body["cycles"] == [{"province": "mau", "year": 2020, "block": "districts"}]


def test_cycles_are_the_published_ones_with_their_latest_publication(client, world):
    add_districts(world, count=1)
    _, body = get(client, "/api/v1/cycles/?province=mau&block=districts")
    assert [(c["year"], c["publication"]["revision"]) for c in body["results"]] == [
        (2021, 2),
        (2020, 1),
    ]
    assert body["results"][0]["publication"]["decision_number"] == "201/QĐ-UBND"


def test_provinces_and_blocks(client, world):
    _, provinces = get(client, "/api/v1/provinces/")
    assert [p["slug"] for p in provinces["results"]] == ["mau"]
    _, blocks = get(client, "/api/v1/blocks/")
    assert [b["slug"] for b in blocks["results"]] == ["departments", "districts"]


# --- Drafts are invisible ----------------------------------------------------------------


def test_drafts_never_reach_the_api(client, world):
    draft_set = CriteriaSet.objects.create(
        province=world.province,
        block=world.districts,
        name="Bộ tiêu chí huyện 2022 (dự thảo)",
        slug="mau-huyen-2022",
        max_points=Decimal("40"),
    )
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    services.cycle_recompute(cycle=cycle)  # draft results exist, no publication
    AssessmentCycle.objects.create(
        province=world.province, year=2023, block=world.districts, criteria_set=draft_set
    )
    response, body = get(client, "/api/v1/rankings/?province=mau&year=2022&block=districts")
    assert response.status_code == 404 and body["error"]["code"] == "not_found"
    _, cycles = get(client, "/api/v1/cycles/")
    assert 2022 not in {c["year"] for c in cycles["results"]}
    _, sets = get(client, "/api/v1/criteria-sets/")
    assert "mau-huyen-2022" not in {s["slug"] for s in sets["results"]}
    assert client.get("/api/v1/criteria-sets/mau-huyen-2022/").status_code == 404
    # A draft recomputation of a published cycle changes nothing the API shows.
    Score.objects.filter(cycle=world.cycle_2021, agency=world.cat, criterion__code="2.1").update(
        value=Decimal("20")
    )
    services.cycle_recompute(cycle=world.cycle_2021)
    _, body = get(client, RANKING_2021)
    assert [r["total"] for r in body["rows"]] == ["33.000", "30.000", "20.000"]
    _, history = get(client, f"/api/v1/agencies/{world.cat.pk}/history/")
    assert history["years"][-1]["total"] == "20.000"


# --- Caching -----------------------------------------------------------------------------


def test_published_data_answers_304_until_a_new_publication(client, world):
    first, _ = get(client, RANKING_2021)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=300"
    again, _ = get(client, RANKING_2021, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "max-age=300" in again["Cache-Control"]
    since, _ = get(client, RANKING_2021, if_modified_since=first["Last-Modified"])
    assert since.status_code == 304
    other, _ = get(client, RANKING_2021 + "&q=an", if_none_match=etag)
    assert other.status_code == 200  # another query string is another resource
    add_districts(world, count=1)
    changed, body = get(client, RANKING_2021, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert body["publication"]["revision"] == 2


def test_a_correction_of_last_year_changes_this_years_etag(client, world):
    """Ranks and changes read the year before, so its corrections count too."""
    first, before = get(client, RANKING_2021)
    etag = first["ETag"]
    services.cycle_publish(
        cycle=world.cycle_2020,
        decision_number="102/QĐ-UBND",
        decision_date=datetime.date(2021, 6, 1),
        reason="Đính chính",
    )
    again, after = get(client, RANKING_2021, if_none_match=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    # The whole ranking, read against 2020's new revision (its figures were unchanged).
    assert after["statistics"]["previous_year"] == 2020
    assert after["rows"] == before["rows"] and len(after["rows"]) == len(before["rows"]) > 0
    assert any(row["previous_rank"] is not None for row in after["rows"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cycles/",
        "/api/v1/criteria-sets/",
        "/api/v1/criteria-sets/mau-huyen-2020/",
        "/api/v1/rankings/criteria/?province=mau&year=2020&block=districts",
        "/api/v1/provinces/",
        "/api/v1/blocks/",
        "/api/v1/agencies/",
        "history",
    ],
)
def test_every_endpoint_revalidates(client, world, url):
    if url == "history":
        url = f"/api/v1/agencies/{world.an.pk}/history/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "public" in first["Cache-Control"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304


def test_cache_max_age_follows_the_setting(client, world, settings):
    settings.API_CACHE_MAX_AGE = 60
    assert client.get(RANKING)["Cache-Control"] == "public, max-age=60"


# --- CORS ------------------------------------------------------------------------------------


def test_cors_only_for_a_configured_portal_origin(client, world, settings):
    assert "access-control-allow-origin" not in client.get(
        RANKING, headers={"origin": "https://portal.example.vn"}
    )
    settings.CORS_ALLOWED_ORIGINS = ["https://portal.example.vn"]
    allowed = client.get(RANKING, headers={"origin": "https://portal.example.vn"})
    assert allowed["Access-Control-Allow-Origin"] == "https://portal.example.vn"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    other = client.get(RANKING, headers={"origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other
    page = client.get("/mau/2020/districts/", headers={"origin": "https://portal.example.vn"})
    assert "access-control-allow-origin" not in page  # only /api/
    preflight = client.options(
        RANKING,
        headers={"origin": "https://portal.example.vn", "access-control-request-method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://portal.example.vn"


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "code", "fields"),
    [
        ("/api/v1/rankings/", 400, "invalid", {"province", "year", "block"}),
        ("/api/v1/rankings/?province=mau&year=abc&block=districts", 400, "invalid", {"year"}),
        ("/api/v1/rankings/?province=mau&year=1999&block=districts", 400, "invalid", {"year"}),
        (
            "/api/v1/rankings/?province=m%20u&year=2020&block=districts",
            400,
            "invalid",
            {"province"},
        ),
        (RANKING + "&ordering=shoe-size", 400, "invalid", {"ordering"}),
        (RANKING + "&q=a%00b", 400, "invalid", {"q"}),
        ("/api/v1/rankings/?province=mau&year=2019&block=districts", 404, "not_found", set()),
        ("/api/v1/rankings/?province=nowhere&year=2020&block=districts", 404, "not_found", set()),
        ("/api/v1/agencies/?kind=ministry", 400, "invalid", {"kind"}),
        ("/api/v1/agencies/?active_in=99999", 400, "invalid", {"active_in"}),
        ("/api/v1/cycles/?year=", 400, "invalid", {"year"}),
        ("/api/v1/agencies/?page_size=-1", 400, "invalid", {"page_size"}),
        ("/api/v1/agencies/?page=99", 404, "not_found", set()),
        ("/api/v1/agencies/?page=", 400, "invalid", {"page"}),
        ("/api/v1/agencies/?page=1&page=2", 400, "invalid", {"page"}),
        ("/api/v1/agencies/?page_size=ten", 400, "invalid", {"page_size"}),
        ("/api/v1/criteria-sets/khong-co/", 404, "not_found", set()),
        ("/api/v1/no-such-thing/", 404, "not_found", set()),
        ("/api/v1/agencies/%0A/history/", 404, "not_found", set()),
    ],
)
def test_one_error_format(client, world, url, status, code, fields):
    response, body = get(client, url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert set(body["error"]["fields"]) == fields
    assert all(isinstance(m, str) for ms in body["error"]["fields"].values() for m in ms)


def test_writes_are_not_allowed(client, world):
    response = client.post(RANKING, {})
    assert response.status_code == 405
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_anonymous_clients_are_throttled(client, world, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "2/minute"},
    }
    assert client.get("/api/v1/blocks/").status_code == 200
    assert client.get("/api/v1/blocks/").status_code == 200
    response, body = get(client, "/api/v1/blocks/")
    assert response.status_code == 429 and body["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_signed_in_users_have_their_own_rate(client, world, settings, django_user_model):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "anon": "1/minute", "user": "3/minute"},
    }
    client.force_login(django_user_model.objects.create_user("portal", password="x"))
    assert [client.get("/api/v1/blocks/").status_code for _ in range(4)] == [200, 200, 200, 429]


# --- Pagination -----------------------------------------------------------------------------


def test_pagination_has_a_maximum_page_size(client, world, monkeypatch):
    monkeypatch.setattr(Pagination, "max_page_size", 2)
    _, body = get(client, "/api/v1/agencies/?page_size=1000")
    assert body["count"] == 6 and len(body["results"]) == 2
    assert "page=2" in body["next"] and "page_size=1000" in body["next"]
    _, page3 = get(client, "/api/v1/agencies/?page_size=2&page=3&ordering=slug")
    assert [a["slug"] for a in page3["results"]] == ["so-hai", "so-mot"] and page3["next"] is None


def test_default_page_size_and_real_maximum(client, world):
    assert Pagination.page_size == 50 and Pagination.max_page_size == 200
    _, body = get(client, "/api/v1/agencies/?page_size=1000")
    assert len(body["results"]) == 6


# --- Query counts ---------------------------------------------------------------------------


def test_ranking_query_count_does_not_grow_with_agencies(client, world):
    few, _ = queries(client, RANKING_2021)
    # cycle, version, publication, groups, rows, the baseline's publication and rows, the
    # criteria compared (api/ranking_json.py; 13 through the leaderboard selector)
    assert few == 8
    add_districts(world)
    many, response = queries(client, RANKING_2021)
    assert len(json.loads(response.content)["rows"]) == 23
    assert many == few


def test_a_304_costs_two_queries(client, world):
    etag = client.get(RANKING_2021)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(RANKING_2021, headers={"if-none-match": etag}).status_code == 304
    assert len(captured) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/agencies/?page_size=2", 3),
        ("/api/v1/agencies/?page_size=200", 3),
        ("/api/v1/agencies/?search=huyen&page_size=200", 3),
        ("/api/v1/provinces/", 2),
        ("/api/v1/blocks/", 2),
        ("/api/v1/cycles/", 4),
        ("/api/v1/cycles/?page_size=1", 4),
        ("/api/v1/criteria-sets/", 3),
        ("/api/v1/criteria-sets/mau-huyen-2021/", 6),
        ("/api/v1/rankings/criteria/?province=mau&year=2021&block=districts", 5),
        ("history", 9),  # the block read as plain rows, the criteria and groups once
    ],
)
def test_list_query_counts_are_fixed_whatever_the_size(client, world, url, expected):
    if url == "history":
        url = f"/api/v1/agencies/{world.an.pk}/history/"
    few, _ = queries(client, url)
    add_districts(world)
    many, _ = queries(client, url)
    assert (few, many) == (expected, expected)


# --- Schema and docs ------------------------------------------------------------------------


def test_schema_describes_every_endpoint(client, world):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/provinces/",
        "/api/v1/blocks/",
        "/api/v1/agencies/",
        "/api/v1/agencies/{id}/",
        "/api/v1/agencies/{id}/history/",
        "/api/v1/criteria-sets/",
        "/api/v1/criteria-sets/{slug}/",
        "/api/v1/cycles/",
        "/api/v1/rankings/",
        "/api/v1/rankings/criteria/",
        "/api/v1/results/",
        "/api/v1/simulator/",
        "/api/v1/targets/",
        "/api/v1/me/",
        "/api/v1/tokens/",
        "/api/v1/tokens/{key}/",
        "/api/v1/cycles/{province}/{year}/{block}/",
        "/api/v1/cycles/{province}/{year}/{block}/transitions/",
        "/api/v1/cycles/{province}/{year}/{block}/publications/",
        "/api/v1/cycles/{province}/{year}/{block}/imports/",
        "/api/v1/cycles/{province}/{year}/{block}/scores/",
        "/api/v1/cycles/{province}/{year}/{block}/scores/{agency}/{code}/",
        "/api/v1/cycles/{province}/{year}/{block}/scores/{agency}/{code}/review/",
        "/api/v1/cycles/{province}/{year}/{block}/scores/{agency}/{code}/evidence/",
        "/api/v1/cycles/{province}/{year}/{block}/scores/{agency}/{code}/evidence/{id}/",
        "/api/v1/cycles/{province}/{year}/{block}/agencies/{agency}/submission/",
        "/api/v1/cycles/{province}/{year}/{block}/deadline/",
        "/api/v1/cycles/{province}/{year}/{block}/cancellation/",
        "/api/v1/cycles/{province}/{year}/{block}/archive/",
        "/api/v1/cycles/{province}/{year}/{block}/agencies/{agency}/extension/",
        "/api/v1/cycles/{province}/{year}/{block}/agencies/{agency}/reopen/",
        "/api/v1/cycles/{province}/{year}/{block}/agencies/{agency}/exclusion/",
    }
    writes = {
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"put", "post", "patch", "delete"}
        and path != "/api/v1/simulator/"  # a public calculation posted, nothing saved
    }
    # score, review, evidence, submission, import, transition, publish, token revocation;
    # and running the cycle: deadline, extension, reopen, cancellation, archive, exclusion
    # (put) and its undoing (delete)
    assert len(writes) == 15
    for path, method in writes:  # every write names its auth: token or session, never none
        security = schema["paths"][path][method]["security"]
        assert {"tokenAuth": []} in security and {} not in security, (path, security)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey" and schemes["cookieAuth"]["in"] == "cookie"
    total = schema["components"]["schemas"]["RankingRow"]["properties"]["total"]
    assert total["type"] == "string" and total["format"] == "decimal"


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_use_local_assets_only(client, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html and "http://" not in html
