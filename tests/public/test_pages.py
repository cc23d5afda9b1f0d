"""Public pages and their downloads, on the named world (see tests/world.py)."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from agencies.models import Agency, AgencyKind
from rankings.cycles import services
from rankings.models import AssessmentCycle, Score
from tests.world import enter

pytestmark = pytest.mark.django_db

LEADERBOARD = "/mau/2020/districts/"

EXPECTED_CSV = (
    "\ufeffrank,agency,agency_slug,admin_unit_code,group_1,group_2,total,max_points,percent,"
    "band,not_ranked_reason,previous_rank,rank_change,change,tied,comparison_year,"
    "percent_change\r\n"
    "1,UBND huyện An,an,,17.000,15.000,32.000,40,80.0,Tốt,,,,,False,,\r\n"
    "2,UBND huyện Bình,binh,,13.500,12.500,26.000,40,65.0,Khá,,,,,True,,\r\n"
    "2,UBND huyện Cát,cat,,11.000,15.000,26.000,40,65.0,Khá,,,,,True,,\r\n"
)


def table(html: str) -> str:
    """Just the leaderboard table, without the block figures above it."""
    return html[html.index('<table id="leaderboard">') :]


def queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), response


def test_leaderboard_shows_ranks_ties_groups_and_decision(client, world):
    response = client.get(LEADERBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "100/QĐ-UBND" in html and "01/05/2021" in html
    assert html.count('<abbr title="đồng hạng">=</abbr>') == 2  # Bình and Cát share rank 2
    assert "32,000" in html and "80,0%" in html  # decimal comma, percent at one decimal
    assert "Sẵn sàng" in html and "Ứng dụng" in html
    assert 'href="/mau/don-vi/an/"' in html
    # Block figures: mean (32 + 26 + 26) / 3 = 28, spread 6.
    assert "28" in html and "6,000" in html


def test_leaderboard_csv_is_exact(client, world):
    response = client.get("/mau/2020/districts.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == EXPECTED_CSV


def test_downloads_keep_the_query_string(client, world):
    response = client.get("/mau/2020/districts.csv?q=cat")
    lines = response.content.decode("utf-8").splitlines()
    assert len(lines) == 2 and "UBND huyện Cát" in lines[1]
    html = client.get(LEADERBOARD + "?q=cat").content.decode()
    assert 'href="/mau/2020/districts.xlsx?q=cat"' in html


def test_leaderboard_xlsx_has_the_same_numbers(client, world):
    response = client.get("/mau/2020/districts.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Thứ hạng"))
    body = rows[header + 1 :]
    assert [r[1] for r in body] == ["UBND huyện An", "UBND huyện Bình", "UBND huyện Cát"]
    totals = [Decimal(str(r[rows[header].index("Tổng điểm")])) for r in body]
    assert totals == [Decimal("32"), Decimal("26"), Decimal("26")]


def test_leaderboard_json_is_a_stable_contract(client, world):
    payload = json.loads(client.get("/mau/2021/districts.json").content)
    assert payload["publication"]["decision_number"] == "200/QĐ-UBND"
    assert payload["statistics"]["mean"].startswith("27.666")
    first = payload["rows"][0]
    assert first["agency_slug"] == "binh" and first["total"] == "33.000"
    assert first["previous_rank"] == 2 and first["rank_change"] == 1 and first["change"] == "7.000"


def test_filter_by_name_without_diacritics_and_by_band(client, world):
    html = table(client.get(LEADERBOARD + "?q=binh").content.decode())
    assert "UBND huyện Bình" in html and "UBND huyện An" not in html
    html = table(client.get(LEADERBOARD + "?band=Khá").content.decode())
    assert "UBND huyện Bình" in html and "UBND huyện Cát" in html
    assert "UBND huyện An" not in html


def test_sorting_by_name_reverses_with_a_minus(client, world):
    html = table(client.get(LEADERBOARD + "?ordering=-name").content.decode())
    assert (
        html.index("UBND huyện Cát") < html.index("UBND huyện Bình") < html.index("UBND huyện An")
    )


def test_leaderboard_query_count_does_not_grow_with_agencies(client, world):
    few, response = queries(client, "/mau/2021/districts/")
    assert response.status_code == 200
    assert few == 12  # one of them reads the publication generation (rankings.public.page_cache)
    counts = []
    for revision, batch in enumerate((range(20), range(20, 60)), start=2):
        for n in batch:
            agency = Agency.objects.create(
                province=world.province,
                block=world.districts,
                kind=AgencyKind.DISTRICT,
                slug=f"moi-{n}",
                name=f"UBND huyện Mới {n}",
                short_name=f"Mới {n}",
            )
            enter(world.cycle_2021, agency, {"1.1": 5, "1.2": (n % 20, 20), "2.1": 10})
        services.cycle_publish(
            cycle=world.cycle_2021,
            decision_number=f"20{revision}/QĐ-UBND",
            decision_date=datetime.date(2022, 6, revision),
            reason="Bổ sung đơn vị",
        )
        count, response = queries(client, "/mau/2021/districts/")
        assert "UBND huyện Mới 19" in response.content.decode()
        counts.append(count)
    # Once corrected, the change log adds two queries, however many agencies there are.
    assert counts == [few + 2, few + 2]


def test_a_correction_is_a_new_revision_and_the_change_log_shows_it(client, world):
    Score.objects.filter(cycle=world.cycle_2021, agency=world.cat, criterion__code="2.1").update(
        value=Decimal("20")
    )
    services.cycle_publish(
        cycle=world.cycle_2021,
        decision_number="250/QĐ-UBND",
        decision_date=datetime.date(2022, 8, 1),
        reason="Cát bổ sung minh chứng tiêu chí 2.1",
    )
    html = client.get("/mau/2021/districts/").content.decode()
    log = html[html.index('id="corrections"') :]
    assert "250/QĐ-UBND" in log and "Cát bổ sung minh chứng tiêu chí 2.1" in log
    # 2.1: 12.5 → 20; total 20 → 27.5; rank unchanged (3).
    assert "12,500" in log and "20,000" in log and "27,500" in log
    assert "Tiêu chí 2.1" in log and "Tổng điểm" in log
    # The first revision stays frozen.
    first = world.cycle_2021.publications.get(revision=1)
    assert first.results.get(agency=world.cat).total == Decimal("20.000")


def test_a_correction_needs_a_reason(world):
    with pytest.raises(ValueError, match="cần lý do"):
        services.cycle_publish(
            cycle=world.cycle_2021,
            decision_number="251/QĐ-UBND",
            decision_date=datetime.date(2022, 8, 1),
        )


def test_drafts_never_reach_public_pages(client, world):
    # A new cycle recomputed but never published is invisible.
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    services.cycle_recompute(cycle=cycle)
    assert client.get("/mau/2022/districts/").status_code == 404
    # A draft change to a published cycle does not change what the public sees.
    Score.objects.filter(cycle=world.cycle_2021, agency=world.cat, criterion__code="2.1").update(
        value=Decimal("20")
    )
    services.cycle_recompute(cycle=world.cycle_2021)
    html = client.get("/mau/2021/districts/").content.decode()
    assert "20,000" in html and "27,500" not in html


def test_agency_profile_history_groups_and_what_to_improve(client, world):
    response = client.get("/mau/don-vi/an/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2020" in html and "2021" in html
    assert "−2,000" in html  # 32 → 30
    # 2021: Bình 33 ranks above An 30: the gap to the next rank and to the top is 3.
    assert "Cách hạng trên" in html and "UBND huyện Bình" in html
    # Most attainable: 1.2 (7 of 10 → 3 left) and 2.1 (15 of 20 → 5 left).
    improve = html[html.index('id="improve"') :]
    assert improve.index("2.1") < improve.index("1.2")
    assert 'id="history-chart"' in html and "history-chart-data" in html


def test_agency_history_downloads(client, world):
    payload = json.loads(client.get("/mau/don-vi/an.json").content)
    assert [row["year"] for row in payload["rows"]] == [2020, 2021]
    assert [row["rank"] for row in payload["rows"]] == [1, 2]
    assert payload["rows"][1]["change"] == "-2.000"


def test_trends_page_has_averages_and_movers(client, world):
    html = client.get("/mau/xu-huong/districts/").content.decode()
    assert "Tăng hạng nhiều nhất" in html and "UBND huyện Bình" in html
    assert 'id="trend-chart"' in html


def test_compare_same_block_side_by_side(client, world):
    response = client.get("/mau/2020/so-sanh/?agency=an&agency=cat")
    html = response.content.decode()
    assert response.status_code == 200
    assert "32,000" in html and "26,000" in html


def test_compare_and_methodology_tables_download_too(client, world):
    payload = json.loads(client.get("/mau/2020/so-sanh.json?agency=an&agency=cat").content)
    assert [(r["agency_slug"], r["total"]) for r in payload["rows"]] == [
        ("an", "32.000"),
        ("cat", "26.000"),
    ]
    lines = client.get("/phuong-phap/mau-huyen-2020.csv").content.decode("utf-8-sig").splitlines()
    assert lines[0] == "code,kind,name,parent,max_points,rule,params"
    assert lines[1:3] == ["1,group,Sẵn sàng,,20,,", "1.1,criterion,Hạ tầng,1,10,direct,{}"]


def test_compare_across_blocks_explains_the_refusal(client, world):
    response = client.get("/mau/2020/so-sanh/?agency=an&agency=so-mot")
    assert response.status_code == 400
    assert "khối khác nhau" in response.content.decode()


def test_methodology_shows_the_tree_with_maxima(client, world):
    html = client.get("/phuong-phap/mau-huyen-2020/").content.decode()
    assert "Tỷ lệ văn bản ký số" in html and "Tỷ lệ a/b" in html
    assert "Vì sao thứ hạng của tôi thay đổi?" in html


def test_home_lists_latest_rankings_and_searches_without_diacritics(client, world):
    html = client.get("/?q=cat").content.decode()
    assert "UBND huyện Cát" in html
    assert "/mau/2021/districts/" in html and "/mau/2020/departments/" in html


def test_vietnamese_first_whatever_the_browser_asks(client, world):
    html = client.get(LEADERBOARD, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html and "32,000" in html


def test_english_by_language_switch(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": LEADERBOARD})
    html = client.get(LEADERBOARD).content.decode()
    assert '<html lang="en">' in html
    assert "32.000" in html and "80.0%" in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/mau/",
        LEADERBOARD,
        "/mau/don-vi/an/",
        "/mau/xu-huong/districts/",
        "/mau/2020/so-sanh/?agency=an&agency=cat",
        "/phuong-phap/",
        "/phuong-phap/mau-huyen-2020/",
    ],
)
def test_every_public_page_has_a_fixed_query_count(client, world, url):
    count, response = queries(client, url)
    assert response.status_code == 200
    assert count <= 14, (url, count)


def test_unknown_pages_are_404(client, world):
    assert client.get("/mau/1999/districts/").status_code == 404
    assert client.get("/khong-co/").status_code == 404
    assert client.get("/mau/don-vi/khong-co/").status_code == 404
