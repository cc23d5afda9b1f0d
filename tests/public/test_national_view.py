"""The national ranking of provinces (/toan-quoc/), like the Ministry's DTI, on a small world.

The national scope is a Province (`is_national`) whose agencies are the provinces' People's
Committees, each `represents` its province. A DTI-like set of three pillars, one direct
criterion each (maximum 10 each, 30 in all), percent truncated to one decimal:

    2023 (legacy)   1 Chính quyền số  2 Kinh tế số  3 Xã hội số  total   rank
    Phú Thọ         8                 8             8            24.000  1
    Vĩnh Phúc       7                 7             6            20.000  2
    Hoà Bình        5                 5             5            15.000  3
    Sơn La          4                 4             4            12.000  4

    2024 (legacy)                                                        since 2023
    Vĩnh Phúc       9                 8.5           7            24.500  1 (81.6 %)  ▲1
    Hoà Bình        6                 7             8            21.000  2 =         ▲1
    Phú Thọ         7                 6             8            21.000  2 =         ▼1
    Sơn La          5                 4             3.25         12.250  4           =

    2025 (current, 34 provinces from 1 July 2025)
    Sơn La          8                 9             9            26.000  1   from Sơn La
    Phú Thọ         7                 6             5            18.000  2   from Hoà Bình,
                                                                             Phú Thọ, Vĩnh Phúc

The set allows the derived value of a 2025 province: Phú Thọ's is the mean of its former
provinces' 2024 percents, (81.666 + 70 + 70) / 3 = 73.888… %, shown truncated as 73,8%.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from agencies.models import Agency, Province, Succession
from rankings.models import AssessmentCycle, CriteriaSet, Criterion, CriterionGroup
from rankings.public import page_cache
from rankings.seed.synthetic_agencies import national_scope_ensure, province_agencies_ensure
from tests.world import enter, publish

pytestmark = pytest.mark.django_db

D = Decimal
LEGACY_END = datetime.date(2025, 6, 30)
REFORM = datetime.date(2025, 7, 1)
SCORES = {
    2023: {
        "phu-tho": (8, 8, 8),
        "vinh-phuc": (7, 7, 6),
        "hoa-binh": (5, 5, 5),
        "son-la": (4, 4, 4),
    },
    2024: {
        "vinh-phuc": (9, "8.5", 7),
        "hoa-binh": (6, 7, 8),
        "phu-tho": (7, 6, 8),
        "son-la": (5, 4, "3.25"),
    },
    2025: {"son-la-2025": (8, 9, 9), "phu-tho-2025": (7, 6, 5)},
}
# Current province: the legacy provinces it was formed from.
FORMED_FROM = {"phu-tho-2025": ("vinh-phuc", "phu-tho", "hoa-binh"), "son-la-2025": ("son-la",)}


def dti_set(scope, block) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.create(
        province=scope,
        block=block,
        name="Bộ chỉ số chuyển đổi số cấp tỉnh (thử)",
        slug="dti-thu",
        max_points=D("30"),
        precision=3,
        percent_precision=1,
        allows_derived_predecessor=True,
    )
    for order, (code, name) in enumerate(
        (("1", "Chính quyền số"), ("2", "Kinh tế số"), ("3", "Xã hội số")), start=1
    ):
        group = CriterionGroup.objects.create(
            criteria_set=criteria_set, code=code, name=name, order=order
        )
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=f"{code}.1",
            name=f"Chỉ số {name.lower()}",
            max_points=D("10"),
            order=order,
        )
    return criteria_set


def build(*, years=(2023, 2024, 2025), extra: int = 0, publish_years=True) -> dict:
    """The world above; `extra` more legacy provinces, each becoming a current one in 2025.

    The extras score 1 point on each pillar, below everyone else.
    """
    legacy = {
        slug: Province.objects.create(code=code, name=name, slug=slug, valid_to=LEGACY_END)
        for code, name, slug in (
            ("26", "Vĩnh Phúc", "vinh-phuc"),
            ("25", "Phú Thọ", "phu-tho"),
            ("17", "Hoà Bình", "hoa-binh"),
            ("14", "Sơn La", "son-la"),
        )
    }
    current = {
        slug: Province.objects.create(code=code, name=name, slug=slug, valid_from=REFORM)
        for code, name, slug in (("25", "Phú Thọ", "phu-tho-2025"), ("14", "Sơn La", "son-la-2025"))
    }
    scores = {year: dict(SCORES[year]) for year in years}
    formed_from = dict(FORMED_FROM)
    for n in range(1, extra + 1):
        old = Province.objects.create(
            code=f"{60 + n}", name=f"Thêm {n}", slug=f"them-{n}", valid_to=LEGACY_END
        )
        new = Province.objects.create(
            code=f"{60 + n}", name=f"Thêm {n}", slug=f"them-{n}-2025", valid_from=REFORM
        )
        legacy[old.slug], current[new.slug] = old, new
        formed_from[new.slug] = (old.slug,)
        for year in years:
            scores[year][new.slug if year >= 2025 else old.slug] = (1, 1, 1)
    for new_slug, province in current.items():
        for old_slug in formed_from[new_slug]:
            legacy[old_slug].successors.add(province)
    scope, block = national_scope_ensure()
    agencies = province_agencies_ensure(
        scope=scope, block=block, provinces=[*legacy.values(), *current.values()]
    )
    by_slug = {
        p.slug: Agency.objects.get(pk=agencies[p.pk]) for p in (*legacy.values(), *current.values())
    }
    criteria_set = dti_set(scope, block)
    cycles = {}
    for year in years:
        cycle = AssessmentCycle.objects.create(
            province=scope, year=year, block=block, criteria_set=criteria_set
        )
        for slug, (one, two, three) in scores[year].items():
            enter(cycle, by_slug[slug], {"1.1": one, "2.1": two, "3.1": three})
        if publish_years:
            publish(cycle, f"{year - 2000}/QĐ-BTTTT")
        cycles[year] = cycle
    return {"scope": scope, "block": block, "agencies": by_slug, "cycles": cycles}


@pytest.fixture
def national(db):
    return build()


def page(client, url: str = "/toan-quoc/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def ranking_table(html: str) -> str:
    start = html.index('<table id="national-ranking">')
    return html[start : html.index("</table>", start)]


def row_of(html: str, slug: str) -> str:
    table = ranking_table(html)
    start = table.index(f'href="/toan-quoc/don-vi/{slug}/"')
    return table[table.rindex("<tr>", 0, start) : table.index("</tr>", start)]


# --- The national page -----------------------------------------------------------------


def test_national_page_ranks_the_latest_years_provinces(client, national):
    html = page(client)
    assert "Xếp hạng toàn quốc năm 2025" in html
    table = ranking_table(html)
    assert table.index("/toan-quoc/don-vi/son-la-2025/") < table.index(
        "/toan-quoc/don-vi/phu-tho-2025/"
    )
    son_la = row_of(html, "son-la-2025")
    assert '<td class="num">1</td>' in son_la
    assert "26,000" in son_la and "86,6%" in son_la  # decimal comma; 86.66… truncated
    assert ">8,000<" in son_la and ">9,000<" in son_la  # the pillars
    phu_tho = row_of(html, "phu-tho-2025")
    assert '<td class="num">2</td>' in phu_tho and "18,000" in phu_tho and "60,0%" in phu_tho
    for pillar in ("Chính quyền số", "Kinh tế số", "Xã hội số"):
        assert pillar in table
    assert "25/QĐ-BTTTT" in html  # the 2025 decision


def test_each_province_links_to_its_own_pages(client, national):
    html = page(client)
    assert 'href="/son-la-2025/">Sơn La</a>' in row_of(html, "son-la-2025")
    assert 'href="/phu-tho-2025/">Phú Thọ</a>' in row_of(html, "phu-tho-2025")
    assert national["agencies"]["phu-tho-2025"].represents.slug == "phu-tho-2025"


def test_a_province_not_held_in_the_deployment_has_no_link(client, national):
    Agency.objects.filter(slug="son-la-2025").update(represents=None, kind="province")
    assert 'href="/son-la-2025/"' not in row_of(page(client), "son-la-2025")


def test_2025_rows_show_the_provinces_they_were_formed_from(client, national):
    html = page(client)
    assert "cả nước có 34 tỉnh, thành phố" in html
    phu_tho = row_of(html, "phu-tho-2025")
    formed = phu_tho[phu_tho.index("Hình thành từ:") :]
    assert formed.index("Hoà Bình") < formed.index("Phú Thọ") < formed.index("Vĩnh Phúc")
    assert 'href="/toan-quoc/don-vi/vinh-phuc/">Vĩnh Phúc</a> (hạng 1/4 năm 2024)' in formed
    assert 'href="/toan-quoc/don-vi/hoa-binh/">Hoà Bình</a> (hạng 2/4 năm 2024)' in formed
    assert "(hạng 4/4 năm 2024)" in row_of(html, "son-la-2025")
    # Across the reform there is no rank change to show.
    assert "▲" not in ranking_table(html) and "▼" not in ranking_table(html)


def test_before_the_reform_the_page_shows_rank_changes(client, db):
    build(years=(2023, 2024))
    html = page(client)
    assert "Xếp hạng toàn quốc năm 2024" in html and "So với 2023" in html
    assert "▲1" in row_of(html, "vinh-phuc") and "▼1" in row_of(html, "phu-tho")
    # Hoà Bình and Phú Thọ tie on 21: both rank 2, then 4.
    assert row_of(html, "hoa-binh").count('<abbr title="đồng hạng">=</abbr>') == 1
    assert '<td class="num">4</td>' in row_of(html, "son-la")
    assert "24,500" in row_of(html, "vinh-phuc") and "81,6%" in row_of(html, "vinh-phuc")
    assert "Hình thành từ" not in html


def test_the_page_links_every_published_year_and_the_downloads(client, national):
    html = page(client)
    years = html[html.index('id="years"') :]
    for year in (2025, 2024, 2023):
        assert f'href="/toan-quoc/{year}/provinces/"' in years
    assert years.index(">2025<") < years.index(">2024<") < years.index(">2023<")
    assert 'href="/toan-quoc/2025/provinces.csv"' in html
    assert 'href="/toan-quoc/xu-huong/provinces/"' in html
    assert 'href="/phuong-phap/dti-thu/"' in html


@pytest.mark.parametrize("extra", [0, 6])
def test_the_national_page_has_a_fixed_query_count(client, db, django_assert_num_queries, extra):
    build(extra=extra)
    with django_assert_num_queries(16):  # one reads the publication generation (page cache)
        response = client.get("/toan-quoc/")
    assert ranking_table(response.content.decode()).count("<tr>") == 3 + extra  # header + rows


# --- The pages every province has work unchanged for the national scope ----------------


def test_leaderboard_profile_trends_and_exports_work_for_the_national_scope(client, national):
    html = page(client, "/toan-quoc/2024/provinces/")
    assert "UBND tỉnh Vĩnh Phúc" in html and "24,500" in html
    csv = client.get("/toan-quoc/2024/provinces.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("1,UBND tỉnh Vĩnh Phúc,vinh-phuc,26,")
    assert page(client, "/toan-quoc/xu-huong/provinces/")
    assert client.get("/toan-quoc/2024/provinces.xlsx").status_code == 200


def test_a_2025_profile_shows_its_predecessors_and_the_derived_value(client, national):
    html = page(client, "/toan-quoc/don-vi/phu-tho-2025/")
    lineage = html[html.index('id="lineage"') :]
    assert "UBND tỉnh Vĩnh Phúc" in lineage and "UBND tỉnh Hoà Bình" in lineage
    assert "năm 2024 hạng 1/4" in lineage  # Vĩnh Phúc's own standing
    assert "Giá trị suy ra (derived)" in lineage and "73,8%" in lineage
    old = page(client, "/toan-quoc/don-vi/vinh-phuc/")
    assert 'href="/toan-quoc/don-vi/phu-tho-2025/"' in old[old.index('id="lineage"') :]


def test_no_derived_value_where_the_set_does_not_allow_it(client, national):
    # As if the set had been issued so: a published set refuses `update()`, the plain
    # QuerySet's is the fixture's way around it.
    sets = CriteriaSet.objects.filter(slug="dti-thu")
    models.QuerySet.update(sets, allows_derived_predecessor=False)
    html = page(client, "/toan-quoc/don-vi/phu-tho-2025/")
    assert "Giá trị suy ra" not in html and "Không có số liệu so sánh được" in html


def test_province_agencies_follow_their_provinces(national):
    vinh_phuc, phu_tho = national["agencies"]["vinh-phuc"], national["agencies"]["phu-tho-2025"]
    assert (vinh_phuc.kind, vinh_phuc.valid_to, vinh_phuc.admin_unit_code) == (
        "province",
        LEGACY_END,
        "26",
    )
    assert phu_tho.valid_from == REFORM and phu_tho.name == "UBND tỉnh Phú Thọ"
    links = Succession.objects.filter(successor=phu_tho)
    assert sorted(links.values_list("predecessor__slug", "whole")) == [
        ("hoa-binh", True),
        ("phu-tho", True),
        ("vinh-phuc", True),
    ]
    # Running it again creates nothing.
    scope, block = national_scope_ensure()
    provinces = list(Province.objects.filter(is_national=False))
    before = (Agency.objects.count(), Succession.objects.count())
    province_agencies_ensure(scope=scope, block=block, provinces=provinces)
    assert (Agency.objects.count(), Succession.objects.count()) == before


# --- Home page, with and without a national ranking ------------------------------------


def home_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_without_a_national_ranking_nothing_national_is_shown(client, world):
    count, html = home_queries(client)
    assert "Xếp hạng toàn quốc" not in html and "/toan-quoc/" not in html
    response = client.get("/toan-quoc/")
    assert response.status_code == 404
    assert "Chưa có bảng xếp hạng toàn quốc nào được công bố" in response.content.decode()
    assert count == 5  # the same five queries as with one (below), the page cache's included


def test_an_unpublished_national_cycle_shows_nothing_either(client, world):
    build(publish_years=False)
    _, html = home_queries(client)
    assert "Xếp hạng toàn quốc" not in html
    assert client.get("/toan-quoc/").status_code == 404
    assert client.get("/toan-quoc/2025/provinces/").status_code == 404


def test_home_shows_the_national_ranking_apart_from_the_provinces(client, world):
    build()
    count, html = home_queries(client)
    national = html[html.index('id="national"') : html.index("</section>")]
    assert 'href="/toan-quoc/"' in national
    assert "năm 2025: 2 tỉnh, thành phố" in national
    assert "<strong>Sơn La</strong> (26,000 / 30 điểm)" in national
    cards = html[html.index('<div class="cards">') :]
    assert "Toàn quốc" not in cards and "/mau/2021/districts/" in cards
    assert count == 5


# --- The API: the national scope is a province like the others -------------------------


@pytest.fixture
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_api_ranks_provinces_for_the_national_scope(client, national, fresh_throttles):
    response = client.get("/api/v1/rankings/?province=toan-quoc&year=2024&block=provinces")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["province"] == {"slug": "toan-quoc", "name": "Toàn quốc"}
    assert body["block"]["slug"] == "provinces"
    assert [(r["rank"], r["tied"], r["agency"]["slug"]) for r in body["rows"]] == [
        (1, False, "vinh-phuc"),
        (2, True, "hoa-binh"),
        (2, True, "phu-tho"),
        (4, False, "son-la"),
    ]
    assert [r["total"] for r in body["rows"]] == ["24.500", "21.000", "21.000", "12.250"]
    assert body["rows"][0]["groups"] == {"1": "9.000", "2": "8.500", "3": "7.000"}
    assert body["statistics"]["count"] == 4
    current = client.get("/api/v1/rankings/?province=toan-quoc&year=2025&block=provinces")
    assert [r["agency"]["slug"] for r in json.loads(current.content)["rows"]] == [
        "son-la-2025",
        "phu-tho-2025",
    ]


# --- Across the reform: 34 provinces are not compared with 63 ---------------------------
# Block means: 2023 (24 + 20 + 15 + 12) / 4 = 17.75; 2024 (24.5 + 21 + 21 + 12.25) / 4 =
# 19.6875, +1.9375 on 2023; 2025 (26 + 18) / 2 = 22, which must not read "+2,312".

NOT_COMPARABLE = "không so sánh được: khác cơ cấu đơn vị hành chính trước/sau 01/07/2025"


def stats_of(html: str) -> str:
    return html[html.index('class="stats"') : html.index("</dl>")]


def test_the_2025_national_leaderboard_shows_no_change_on_2024_and_says_why(client, national):
    html = page(client, "/toan-quoc/2025/provinces/")
    assert "22,000" in stats_of(html) and "so với 2024" not in stats_of(html)
    assert "+2,312" not in html
    table = html[html.index('<table id="leaderboard">') :]
    assert "So với 2024" not in table and "▲" not in table and "▼" not in table
    notice = html[html.index('id="not-comparable"') :]
    assert notice.startswith('id="not-comparable">Không so sánh được với năm 2024: khác cơ cấu')
    national_page = page(client)
    reform = national_page[national_page.index('id="reform"') :]
    assert reform.startswith('id="reform">Không so sánh được với năm 2024: khác cơ cấu')
    assert "So với 2024" not in national_page


def test_the_2024_national_leaderboard_still_compares_with_2023(client, national):
    html = page(client, "/toan-quoc/2024/provinces/")
    assert "+1,937 so với 2023" in stats_of(html)  # 19.6875 − 17.75, truncated
    assert 'id="not-comparable"' not in html and "So với 2023" in html
    table = html[html.index('<table id="leaderboard">') :]
    vinh_phuc = table[table.index("/toan-quoc/don-vi/vinh-phuc/") :]
    assert "▲1" in vinh_phuc[: vinh_phuc.index("</tr>")]
    assert "+4,500" in vinh_phuc[: vinh_phuc.index("</tr>")]  # 20 → 24.5


def test_national_trends_give_no_2025_mean_change_and_say_why(client, national):
    html = page(client, "/toan-quoc/xu-huong/provinces/")
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    row_2025 = table[table.index(">2025</a>") :]
    assert f'title="{NOT_COMPARABLE}" aria-hidden="true">khác cơ cấu ĐVHC</abbr>' in row_2025
    assert f'<span class="visually-hidden">{NOT_COMPARABLE}</span>' in row_2025
    assert "+2,312" not in table
    assert "Năm 2025 không so sánh được với năm trước: khác cơ cấu" in html
    assert "+1,937" in table[table.index(">2024</a>") : table.index(">2025</a>")]
    movers = html[html.index('class="grid-2"') :]
    assert movers.count("Không có.") == 2  # no province moved: none is in both years


def test_the_api_says_2025_does_not_compare_with_2024(client, national, fresh_throttles):
    url = "/api/v1/rankings/?province=toan-quoc&block=provinces&year="
    current = json.loads(client.get(url + "2025").content)["statistics"]
    assert current["previous_year"] == 2024
    assert current["comparable_with_previous"] is False and current["mean_change"] is None
    before = json.loads(client.get(url + "2024").content)["statistics"]
    assert before["comparable_with_previous"] is True and before["mean_change"] == "1.937"


# --- Wording: the national scope is not "tỉnh Toàn quốc" -------------------------------


def title_of(html: str) -> str:
    return html[html.index("<title>") + 7 : html.index("</title>")]


def footer_of(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def test_national_leaderboard_and_trends_are_worded_for_the_whole_country(client, national):
    html = page(client, "/toan-quoc/2024/provinces/")
    assert "<h1>Xếp hạng các tỉnh, thành phố toàn quốc năm 2024</h1>" in html
    assert title_of(html).startswith("Xếp hạng các tỉnh, thành phố toàn quốc năm 2024 — ")
    trends = page(client, "/toan-quoc/xu-huong/provinces/")
    assert "<h1>Xếp hạng các tỉnh, thành phố toàn quốc qua các năm</h1>" in trends
    assert title_of(trends).startswith("Các tỉnh, thành phố toàn quốc — ")
    for url in (
        "/toan-quoc/",
        "/toan-quoc/2024/provinces/",
        "/toan-quoc/xu-huong/provinces/",
        "/toan-quoc/don-vi/vinh-phuc/",
    ):
        html = page(client, url)
        assert "tỉnh Toàn quốc" not in html, url
        assert "Bộ Thông tin và Truyền thông" in footer_of(html), url
        assert "UBND tỉnh" not in footer_of(html), url
    sheet = load_workbook(io.BytesIO(client.get("/toan-quoc/2024/provinces.xlsx").content)).active
    assert sheet["A1"].value == "Xếp hạng các tỉnh, thành phố toàn quốc năm 2024"


def test_a_provinces_own_pages_keep_the_provincial_wording(client, world):
    html = page(client, "/mau/2020/districts/")
    assert "<h1>Xếp hạng khối huyện tỉnh Tỉnh Mẫu năm 2020</h1>" in html
    assert "quyết định của UBND tỉnh" in footer_of(html)
    assert "Bộ Thông tin" not in footer_of(html)
    assert "<h1>Khối huyện tỉnh Tỉnh Mẫu qua các năm</h1>" in page(
        client, "/mau/xu-huong/districts/"
    )


# --- Links between the national ranking and the provinces' own pages -------------------


def test_a_province_agency_links_to_the_provinces_own_page(client, national):
    html = page(client, "/toan-quoc/don-vi/vinh-phuc/")
    assert '<a href="/vinh-phuc/">Trang của tỉnh Vĩnh Phúc</a>' in html
    assert '<a href="/phu-tho-2025/">Trang của tỉnh Phú Thọ</a>' in page(
        client, "/toan-quoc/don-vi/phu-tho-2025/"
    )
    Agency.objects.filter(slug="vinh-phuc").update(name="UBND thành phố Vĩnh Phúc")
    page_cache.clear()  # a renamed agency shows when its cached page expires
    html = page(client, "/toan-quoc/don-vi/vinh-phuc/")
    assert '<a href="/vinh-phuc/">Trang của thành phố Vĩnh Phúc</a>' in html


def test_an_agency_that_represents_no_province_has_no_such_link(client, world):
    assert "Trang của tỉnh" not in page(client, "/mau/don-vi/an/")


def test_a_province_page_shows_its_latest_national_rank(client, national):
    html = page(client, "/vinh-phuc/")
    assert (
        '<a href="/toan-quoc/">Xếp hạng toàn quốc năm 2024: hạng 1/4</a>'
        ' · <a href="/toan-quoc/don-vi/vinh-phuc/">kết quả qua các năm</a>'
    ) in html
    assert "Xếp hạng toàn quốc năm 2024: hạng 4/4" in page(client, "/son-la/")
    assert '<a href="/toan-quoc/">Xếp hạng toàn quốc năm 2025: hạng 2/2</a>' in page(
        client, "/phu-tho-2025/"
    )


def test_a_province_page_shows_no_national_rank_until_one_is_published(client, db):
    build(years=(2024,), publish_years=False)
    assert "Xếp hạng toàn quốc" not in page(client, "/vinh-phuc/")
    publish(AssessmentCycle.objects.get(year=2024), "24/QĐ-BTTTT")
    assert "Xếp hạng toàn quốc năm 2024: hạng 1/4" in page(client, "/vinh-phuc/")


@pytest.mark.parametrize("extra", [0, 6])
def test_the_province_page_has_a_fixed_query_count(client, db, extra):
    build(extra=extra)
    with CaptureQueriesContext(connection) as captured:
        html = page(client, "/vinh-phuc/")
    assert "hạng 1/" in html
    # The national rank is one of them, however many provinces; one is the page cache's.
    assert len(captured) == 6


def test_compare_and_methodology_pages_name_the_ministry_for_the_national_ranking(client, national):
    """Their decisions are the Ministry's, not a provincial People's Committee's."""
    from rankings.models import AssessmentCycle

    cycle = AssessmentCycle.objects.filter(province__is_national=True).order_by("-year").first()
    pages = [
        f"/phuong-phap/{cycle.criteria_set.slug}/",
        f"/toan-quoc/{cycle.year}/so-sanh/?agency="
        + "&agency=".join(cycle.results.values_list("agency__slug", flat=True)[:2]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "Bộ Thông tin và Truyền thông" in html, url
        assert "quyết định của UBND tỉnh" not in html, url
