"""Year-over-year comparisons against the baseline: the latest earlier *published* year.

The named world (tests/world.py: districts 2020 and 2021, max 40) gains two years:

    2023 (nothing published for 2022; the same criteria, max 40): a gap
                 total   %      rank   vs 2021: rank, % (2021: Bình 1 82.5 %, An 2 75 %, Cát 3 50 %)
    An          32.000  80.0    1      ▲1, +5.0
    Bình        26.000  65.0    2 =    ▼1, −17.5
    Cát         26.000  65.0    2 =    ▲1, +15.0
    mean        28.000  70.0           +0.8 (2021: 27.667 = 69.17 %)

    2024 (a new set, max 50: 2.1 is worth 30; Cát sends nothing): a criteria change and a
    block of another size (3 ranked in 2023, 2 in 2024)
    An          41.000  82.0    1      =, +2.0
    Bình        36.000  72.0    2      =, +7.0
"""

import datetime
import json
import re
from decimal import Decimal

import pytest

from rankings.cycles import services
from rankings.models import AssessmentCycle
from rankings.public import presenters
from rankings.public.selectors.agency import agency_profile
from rankings.public.selectors.trends import block_trend
from tests.world import district_set, enter, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(world):
    set_2023 = district_set(world.province, world.districts, 2023)
    cycle_2023 = AssessmentCycle.objects.create(
        province=world.province, year=2023, block=world.districts, criteria_set=set_2023
    )
    enter(cycle_2023, world.an, {"1.1": 8, "1.2": (45, 50), "2.1": 15})
    enter(cycle_2023, world.binh, {"1.1": 6, "1.2": (30, 40), "2.1": "12.5"})
    enter(cycle_2023, world.cat, {"1.1": 6, "1.2": (2, 4), "2.1": 15})
    publish(cycle_2023, "300/QĐ-UBND")
    set_2024 = district_set(world.province, world.districts, 2024)
    set_2024.criteria.filter(code="2.1").update(max_points=Decimal("30"))
    set_2024.max_points = Decimal("50")
    set_2024.save()
    cycle_2024 = AssessmentCycle.objects.create(
        province=world.province, year=2024, block=world.districts, criteria_set=set_2024
    )
    enter(cycle_2024, world.an, {"1.1": 8, "1.2": (45, 50), "2.1": 24})
    enter(cycle_2024, world.binh, {"1.1": 6, "1.2": (40, 40), "2.1": 20})
    publish(cycle_2024, "400/QĐ-UBND")
    return world


def text(html: str) -> str:
    """The page's words, tags and repeated spaces out."""

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def notice(html: str, year: int) -> str:
    start = html.index(f'id="comparison-{year}"')
    return text(html[start : html.index("</div>", start)])


# --- Leaderboard -------------------------------------------------------------------------


def test_leaderboard_over_a_gap_names_the_baseline_and_gives_percents_not_points(client, years):
    html = client.get("/mau/2023/districts/").content.decode()
    assert "So sánh với bảng xếp hạng năm 2021" in html
    gap = notice(html, 2023)
    assert "Năm 2023 so với năm 2021" in gap
    assert "Không có bảng xếp hạng công bố năm 2022" in gap
    assert "Bộ tiêu chí đã thay đổi" not in gap and "Số đơn vị được xếp hạng" not in gap
    table = text(html[html.index('<table id="leaderboard">') :])
    assert "So với 2021 (hạng, %)" in table
    # An: 2021 2nd at 75 %, 2023 1st at 80 %; no point change (+2,000) over the gap.
    # The arrow for the eye, the words for a screen reader (rankings/templatetags/rank_moves).
    assert "UBND huyện An" in table
    assert "▲1 tăng 1 bậc, năm trước hạng 2 năm trước 2 +5,0 điểm %" in table
    assert "▼1 giảm 1 bậc, năm trước hạng 1 năm trước 1 −17,5 điểm %" in table  # Bình
    assert "+2,000" not in table
    stats = text(html[html.index('aria-label="Thống kê của khối"') : html.index("</dl>")])
    assert "+0,8 điểm % so với 2021" in stats


def test_leaderboard_after_a_new_set_and_a_smaller_block_says_both(client, years):
    html = client.get("/mau/2024/districts/").content.decode()
    note = notice(html, 2024)
    assert "Năm 2024 so với năm 2023" in note
    assert "Bộ tiêu chí đã thay đổi (điểm tối đa 40 → 50)" in note
    assert "Số đơn vị được xếp hạng khác nhau (3 năm 2023, 2 năm 2024)" in note
    assert "Không có bảng xếp hạng công bố" not in note
    table = text(html[html.index('<table id="leaderboard">') :])
    assert "= giữ nguyên hạng, năm trước hạng 1 năm trước 1 +2,0 điểm %" in table  # An: 80 → 82 %
    assert "= giữ nguyên hạng, năm trước hạng 2 năm trước 2 +7,0 điểm %" in table  # Bình


def test_leaderboard_of_consecutive_comparable_years_keeps_points(client, years):
    html = client.get("/mau/2021/districts/").content.decode()
    assert "So sánh với bảng xếp hạng năm 2020" in html
    assert 'id="comparison-2021"' not in html
    assert "+7,000" in text(html) and 'class="lead percent-change"' not in html


# --- API ----------------------------------------------------------------------------------


def ranking(client, year: int) -> dict:
    url = f"/api/v1/rankings/?province=mau&year={year}&block=districts"
    return client.get(url).json()


def test_api_over_a_gap(client, years):
    body = ranking(client, 2023)
    stats = body["statistics"]
    assert (stats["previous_year"], stats["missing_years"]) == (2021, [2022])
    assert stats["comparable_with_previous"] is False
    assert stats["not_comparable_reason"] == "gap"
    assert (stats["mean_change"], stats["mean_percent_change"]) == (None, "0.8")
    assert (stats["previous_block_size"], stats["rank_change_comparable"]) == (3, True)
    rows = {row["agency"]["slug"]: row for row in body["rows"]}
    assert [
        (rows[s]["previous_rank"], rows[s]["rank_change"], rows[s]["change"])
        for s in ("an", "binh", "cat")
    ] == [(2, 1, None), (1, -1, None), (3, 1, None)]
    assert [rows[s]["percent_change"] for s in ("an", "binh", "cat")] == ["5.0", "-17.5", "15.0"]


def test_api_after_a_new_set_and_a_smaller_block(client, years):
    stats = ranking(client, 2024)["statistics"]
    assert (stats["previous_year"], stats["missing_years"]) == (2023, [])
    assert (stats["comparable_with_previous"], stats["not_comparable_reason"]) == (
        False,
        "criteria",
    )
    assert (stats["previous_block_size"], stats["ranked"]) == (3, 2)
    assert stats["rank_change_comparable"] is False
    assert stats["mean_percent_change"] is not None and stats["mean_change"] is None


def test_api_history_names_each_years_baseline(client, years):
    years_ = client.get(f"/api/v1/agencies/{years.an.pk}/history/").json()["years"]
    assert [
        (
            y["year"],
            y["previous_year"],
            y["missing_years"],
            y["not_comparable_reason"],
            y["change"],
            y["percent_change"],
            y["rank_change_comparable"],
        )
        for y in years_
    ] == [
        (2020, None, [], None, None, None, None),
        (2021, 2020, [], None, "-2.000", "-5.0", True),
        (2023, 2021, [2022], "gap", None, "5.0", True),
        (2024, 2023, [], "criteria", None, "2.0", False),
    ]


def test_schema_lists_gap_among_the_reasons(client, years):
    schemas = json.loads(client.get("/api/v1/schema/?format=json").content)["components"]
    reasons = [
        schema["enum"]
        for name, schema in schemas["schemas"].items()
        if "NotComparableReason" in name and "enum" in schema
    ]
    assert reasons and all("gap" in enum for enum in reasons)
    statistics = schemas["schemas"]["Statistics"]["properties"]
    assert {"missing_years", "previous_block_size", "rank_change_comparable"} <= set(statistics)


# --- Agency profile -----------------------------------------------------------------------


def test_profile_names_baselines_and_explains_each_change(client, years):
    html = client.get("/mau/don-vi/an/").content.decode()
    history = text(html[html.index('id="history"') : html.index('id="groups"')])
    # Year, rank, total, maximum, percent, block mean, baseline, change.
    assert (
        "2023 1/3 32,000 40 80,0% 28,0000 2021 +5,0 điểm % (có năm không công bố) ▲1 "
        "tăng 1 bậc, năm trước hạng 2"
    ) in history
    assert "2024 1/3 41,000 50 82,0%" in history
    assert "2023 +2,0 điểm % (bộ tiêu chí thay đổi)" in history
    assert "Không có bảng xếp hạng công bố năm 2022" in notice(html, 2023)
    later = notice(html, 2024)
    assert "điểm tối đa 40 → 50" in later and "(3 năm 2023, 2 năm 2024)" in later
    stats = text(html[: html.index("</dl>")])
    assert "+2,0 điểm % so với 2023" in stats


def test_profile_history_is_one_set_of_queries(years, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # as with two years: no query per year
        profile = agency_profile(agency=years.an)
    assert [p.previous_year for p in profile.history] == [None, 2020, 2021, 2023]
    assert profile.criteria == [] or profile.criteria[0].change is None  # 2024: new set


# --- Trends and charts ----------------------------------------------------------------------


def test_trends_page_says_gap_and_change_and_draws_percent(client, years):
    html = client.get("/mau/xu-huong/districts/").content.decode()
    assert "Không có bảng xếp hạng công bố năm 2022" in notice(html, 2023)
    assert "điểm tối đa 40 → 50" in notice(html, 2024)
    data = text(html[html.index("Dữ liệu của biểu đồ") : html.index("</table>")])
    # Year, count, max, mean, median, highest, lowest, spread, mean %, baseline, change.
    assert "2023 3 40 28,0000 26,0000 32,000 26,000 6,000 70,0% 2021 +0,8 điểm %" in data
    assert "(bộ tiêu chí thay đổi)" in data and "(có năm không công bố)" in data
    assert "vẽ theo % điểm tối đa" in html
    assert "Tăng hạng nhiều nhất, 2024 so với 2023" in html


def test_trend_reads_four_years_in_as_many_queries_as_two(years, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        trend = block_trend(province="mau", block="districts")
    assert [(y.cycle.year, y.previous_year) for y in trend.years] == [
        (2020, None),
        (2021, 2020),
        (2023, 2021),
        (2024, 2023),
    ]


def test_trend_chart_is_in_percent_when_maxima_differ(years):
    figure = json.loads(
        presenters.trend_charts(block_trend(province="mau", block="districts"))["trend_figure"]
    )
    lines = [trace for trace in figure["data"] if trace["type"] == "scatter"]
    points = {x: y for trace in lines for x, y in zip(trace["x"], trace["y"], strict=True)}
    # Means in percent of maximum: 80 %, 69.17 %, 70 %, 77 % (41 + 36 over 2 × 50).
    assert points["2020"] == pytest.approx(70.0) and points["2024"] == pytest.approx(77.0)
    assert points["2021"] == pytest.approx(69.1667, abs=1e-3)
    assert figure["layout"]["yaxis"]["title"]["text"] == "% điểm tối đa"
    # The 2024 method change breaks the line and is marked; boxes are in percent too.
    assert [trace["x"] for trace in lines] == [["2020", "2021", "2023"], ["2024"]]
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "Có năm không công bố",
        "Đổi bộ tiêu chí",
    ]
    boxes = {trace["name"]: trace["y"] for trace in figure["data"] if trace["type"] == "box"}
    assert sorted(boxes["2024"]) == pytest.approx([72.0, 82.0])


def test_trend_chart_keeps_points_when_maxima_are_the_same(world):
    charts = presenters.trend_charts(block_trend(province="mau", block="districts"))
    figure = json.loads(charts["trend_figure"])
    assert figure["layout"]["yaxis"]["title"]["text"] == "Điểm"
    means = next(trace for trace in figure["data"] if trace["type"] == "scatter")
    # The chart draws the printed means (statistics rule: 4 places, cut): 83 / 3 -> 27,6666.
    assert means["y"] == [28.0, 27.6666]
    assert not charts["trend_in_percent"] and "annotations" not in figure["layout"]


def test_history_chart_marks_the_method_change(years):
    figure = json.loads(presenters.agency_charts(agency_profile(agency=years.an))["history_figure"])
    percent_lines = [t for t in figure["data"] if t.get("yaxis", "y") == "y"]
    assert [t["x"] for t in percent_lines] == [["2020", "2021", "2023"], ["2024"]]
    assert percent_lines[1]["y"] == pytest.approx([82.0])
    assert "Đổi bộ tiêu chí" in [a["text"] for a in figure["layout"]["annotations"]]


def test_publishing_a_year_between_moves_the_baseline_and_the_etag(client, years):
    url = "/api/v1/rankings/?province=mau&year=2023&block=districts"
    first = client.get(url)
    assert first.json()["statistics"]["missing_years"] == [2022]
    # A correction of the baseline (2021, two years back) is news for 2023's ranking.
    services.cycle_publish(
        cycle=years.cycle_2021,
        decision_number="201/QĐ-UBND",
        decision_date=datetime.date(2022, 6, 1),
        reason="Đính chính",
    )
    corrected = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert corrected.status_code == 200 and corrected["ETag"] != first["ETag"]
    cycle_2022 = AssessmentCycle.objects.create(
        province=years.province,
        year=2022,
        block=years.districts,
        criteria_set=district_set(years.province, years.districts, 2022),
    )
    enter(cycle_2022, years.an, {"1.1": 8, "1.2": (45, 50), "2.1": 15})
    publish(cycle_2022, "250/QĐ-UBND")
    again = client.get(url, HTTP_IF_NONE_MATCH=corrected["ETag"])
    assert again.status_code == 200 and again["ETag"] != corrected["ETag"]
    stats = again.json()["statistics"]
    assert (stats["previous_year"], stats["missing_years"]) == (2022, [])
    assert stats["not_comparable_reason"] is None and stats["previous_block_size"] == 1


def test_leaderboard_download_says_the_baseline_and_the_missing_year(client, years):
    from io import BytesIO

    from openpyxl import load_workbook

    body = json.loads(client.get("/mau/2023/districts.json").content)
    assert body["statistics"]["previous_year"] == 2021
    assert "có năm không công bố ở giữa" in body["statistics"]["not_comparable_reason"]
    # As the API: the unpublished year, and the mean's change in percentage points.
    api = client.get("/api/v1/rankings/?province=mau&year=2023&block=districts").json()
    assert body["statistics"]["missing_years"] == api["statistics"]["missing_years"] == [2022]
    assert body["statistics"]["mean_percent_change"] == api["statistics"]["mean_percent_change"]
    assert body["statistics"]["mean_percent_change"] == "0.8"
    sheet = load_workbook(BytesIO(client.get("/mau/2023/districts.xlsx").content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert any("Không có bảng xếp hạng công bố năm 2022" in cell for cell in cells)
