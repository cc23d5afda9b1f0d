"""Across the 2025 reform: the new Phú Thọ keeps Vĩnh Phúc's history; a commune formed from
part of Lập Thạch says where it came from and shows no misleading rank change; and no page,
download or API answer sets a year after 1 July 2025 against one before it (no change of
points, percent, rank or block mean), saying why instead."""

import datetime
import io
import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from openpyxl import load_workbook

from agencies.models import Agency, Succession
from rankings.public import page_cache

pytestmark = pytest.mark.django_db
XA_LAP_THACH = "08761"


@pytest.fixture
def reform(db):
    for command in (["seed_demo"], ["create_unit_agencies", "--province", "26"]):
        call_command(*command, stdout=StringIO())
    return Agency.objects.get(province__slug="phu-tho-2025", admin_unit_code=XA_LAP_THACH)


def test_new_phu_tho_shows_vinh_phucs_2019_to_2021_history(client, reform):
    html = client.get("/phu-tho-2025/").content.decode()
    section = html[html.index("Kết quả của tỉnh Vĩnh Phúc (trước sắp xếp)") :]
    for year in (2019, 2020, 2021):
        assert f'href="/vinh-phuc/{year}/districts/"' in section
    assert "3192/QĐ-UBND" in section
    old = client.get("/vinh-phuc/").content.decode()
    assert "Từ ngày 01/07/2025 thuộc:" in old and 'href="/phu-tho-2025/"' in old


def test_a_commune_from_part_of_lap_thach_shows_where_it_came_from(client, reform):
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    assert "UBND huyện Lập Thạch" in lineage and "một phần diện tích" in lineage
    assert "năm 2021 hạng 1/9" in lineage  # the predecessor's own latest standing
    assert "Không có số liệu so sánh được" in lineage
    assert "▲" not in html and "▼" not in html  # no rank change across the reform
    assert "Đơn vị này chưa có kết quả xếp hạng được công bố." in html


def test_lap_thach_points_to_the_communes_that_took_its_area(client, reform):
    html = client.get("/vinh-phuc/don-vi/lap-thach/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    assert "Từ ngày 01/07/2025, địa bàn thuộc:" in lineage
    assert f'href="/phu-tho-2025/don-vi/{reform.slug}/"' in lineage


def test_a_derived_value_appears_only_where_the_criteria_set_allows_it(client, reform):
    from rankings.models import AssessmentCycle, CriteriaSet

    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    assert "Giá trị suy ra" not in html
    # A 2025 communes cycle whose criteria set allows the Ministry's derived value.
    source = CriteriaSet.objects.get(slug="vinh-phuc-districts-2021")
    source.pk, source.slug, source.block = None, "phu-tho-communes-2025", reform.block
    source.province, source.allows_derived_predecessor = reform.province, True
    source.save()
    AssessmentCycle.objects.create(
        province=reform.province, year=2025, block=reform.block, criteria_set=source
    )
    page_cache.clear()  # edits other than a publication show when the cached page expires
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    # Thị trấn Lập Thạch, also a predecessor, has no published result: nothing derived.
    assert "không phải đơn vị cũ nào cũng có kết quả" in lineage
    assert "Giá trị suy ra (derived)" not in lineage
    Succession.objects.filter(successor=reform).exclude(predecessor__slug="lap-thach").delete()
    page_cache.clear()
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    # The only predecessor left is Lập Thạch: 112.300 / 138 = 81.3 % in 2021.
    assert "Giá trị suy ra (derived)" in lineage and "81,3%" in lineage


def test_a_predecessors_percent_keeps_its_own_criteria_sets_precision(client, reform):
    """Vĩnh Phúc's 2023 department set prints two decimals (912.40 / 1000 = 91.24 %), its
    2021 district set one decimal (112.300 / 138 = 81.3 %): each predecessor is printed by
    its own set's rule, and a derived mean by the new unit's set (here whole percents)."""
    from rankings.models import AssessmentCycle, CriteriaSet

    department = Agency.objects.get(province__slug="vinh-phuc", slug="so-tttt")
    Succession.objects.create(
        predecessor=department, successor=reform, effective=datetime.date(2025, 7, 1)
    )
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[
        html.index('id="lineage"') : html.index("</section>", html.index('id="lineage"'))
    ]
    assert "năm 2023 hạng 1/20, 91,24% điểm tối đa" in lineage and "91,2%" not in lineage
    assert "năm 2021 hạng 1/9, 81,3% điểm tối đa" in lineage
    client.cookies["django_language"] = "en"
    english = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    assert "91.24%" in english and "81.3%" in english and "81.30%" not in english
    del client.cookies["django_language"]
    source = CriteriaSet.objects.get(slug="vinh-phuc-districts-2021")
    source.pk, source.slug, source.block = None, "phu-tho-communes-2025", reform.block
    source.province, source.allows_derived_predecessor = reform.province, True
    source.percent_precision = 0
    source.save()
    AssessmentCycle.objects.create(
        province=reform.province, year=2025, block=reform.block, criteria_set=source
    )
    Succession.objects.filter(successor=reform).exclude(
        predecessor__slug__in=["lap-thach", "so-tttt"]
    ).delete()
    page_cache.clear()
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    # (91.24 + 81.3) / 2 = 86.27, at the new set's whole percents.
    assert "Giá trị suy ra (derived):</strong> 86% điểm tối đa" in lineage


# --- No year-over-year change across the reform ----------------------------------------
#
# A province kept across the reform (Sơn La kept its borders, so the deployment keeps its
# row) ranks its communes every year with one criteria set (one direct criterion, max 10):
#
#     2023   Chiềng Bình 7 (1), Chiềng Cát 6 (2), Chiềng An 5 (3)      mean 6
#     2024   Chiềng Cát 9 (1 ▲1), Chiềng Bình 8 (2 ▼1), Chiềng An 6 (3 =)  mean 7.666…, +1.666
#     2025   Chiềng An 9 (1), Chiềng Mới 7 (2)                          mean 8
#
# Chiềng An lived through the reform unchanged; Bình and Cát ended on 30 June 2025 and
# became Chiềng Mới. Against 2024 An would be "▲2" and the mean "+0,333": both compare a
# set of three old communes with a different set of two, so neither may be shown.

SON_LA_COMMUNES = {
    2023: {"chieng-binh": 7, "chieng-cat": 6, "chieng-an": 5},
    2024: {"chieng-cat": 9, "chieng-binh": 8, "chieng-an": 6},
    2025: {"chieng-an": 9, "chieng-moi": 7},
}
REASON = "không so sánh được: khác cơ cấu đơn vị hành chính trước/sau 01/07/2025"


def son_la_communes(*, data_to_2025=None) -> dict:
    from decimal import Decimal

    from agencies.models import AgencyKind, Block, Province
    from rankings.models import AssessmentCycle, CriteriaSet, Criterion, CriterionGroup
    from tests.world import enter, publish

    province = Province.objects.create(code="14", name="Sơn La", slug="son-la")
    block = Block.objects.create(slug="communes", name="Khối UBND xã", name_en="Communes")
    ended, formed = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    agencies = {}
    for slug, name, valid in (
        ("chieng-an", "UBND xã Chiềng An", {}),
        ("chieng-binh", "UBND xã Chiềng Bình", {"valid_to": ended}),
        ("chieng-cat", "UBND xã Chiềng Cát", {"valid_to": ended}),
        ("chieng-moi", "UBND xã Chiềng Mới", {"valid_from": formed}),
    ):
        agencies[slug] = Agency.objects.create(
            province=province,
            block=block,
            kind=AgencyKind.COMMUNE,
            slug=slug,
            name=name,
            short_name=name.removeprefix("UBND xã "),
            **valid,
        )
    for old in ("chieng-binh", "chieng-cat"):
        Succession.objects.create(
            predecessor=agencies[old], successor=agencies["chieng-moi"], effective=formed
        )
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name="Bộ tiêu chí xã",
        slug="son-la-xa",
        max_points=Decimal("10"),
        precision=3,
        percent_precision=1,
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="1", name="Ứng dụng")
    Criterion.objects.create(
        criteria_set=criteria_set, group=group, code="1.1", name="Ứng dụng", max_points=10
    )
    for year, scores in SON_LA_COMMUNES.items():
        cycle = AssessmentCycle.objects.create(
            province=province,
            year=year,
            block=block,
            criteria_set=criteria_set,
            data_to=data_to_2025 if year == 2025 else None,
        )
        for slug, points in scores.items():
            enter(cycle, agencies[slug], {"1.1": points})
        publish(cycle, f"{year}/QĐ-UBND")
    return agencies


@pytest.fixture
def communes(db):
    return son_la_communes()


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def leaderboard_row(html: str, slug: str) -> str:
    table = html[html.index('<table id="leaderboard">') :]
    start = table.index(f'href="/son-la/don-vi/{slug}/"')
    return table[table.rindex("<tr>", 0, start) : table.index("</tr>", start)]


def test_across_the_reform_the_leaderboard_shows_no_change_and_says_why(client, communes):
    html = get(client, "/son-la/2025/communes/")
    table = html[html.index('<table id="leaderboard">') :]
    assert "▲" not in table and "▼" not in table and "So với 2024" not in table
    assert '<td class="num">1</td>' in leaderboard_row(html, "chieng-an")
    stats = html[html.index('class="stats"') : html.index("</dl>")]
    assert "8,000" in stats  # the 2025 mean itself is shown ...
    assert "so với 2024" not in stats and "+0,333" not in html  # ... but not its change
    notice = html[html.index('id="not-comparable"') :]
    assert notice.startswith('id="not-comparable">Không so sánh được với năm 2024: khác cơ cấu')
    assert "trước/sau ngày 01/07/2025" in notice[: notice.index("</p>")]
    assert "Bộ tiêu chí đã thay đổi" not in html  # the criteria set did not change


def test_before_the_reform_the_leaderboard_still_shows_changes(client, communes):
    html = get(client, "/son-la/2024/communes/")
    assert "So với 2023" in html and 'id="not-comparable"' not in html
    assert "▲1" in leaderboard_row(html, "chieng-cat") and "+3,000" in leaderboard_row(
        html, "chieng-cat"
    )
    assert "▼1" in leaderboard_row(html, "chieng-binh")
    stats = html[html.index('class="stats"') : html.index("</dl>")]
    assert "+1,666 so với 2023" in stats  # 7.666… − 6, truncated


def test_across_the_reform_the_downloads_give_no_previous_rank_or_change(client, communes):
    csv = client.get("/son-la/2025/communes.csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].endswith("previous_rank,rank_change,change,tied,comparison_year,percent_change")
    # The baseline year is named (as statistics.previous_year), but nothing is compared.
    assert csv[1].startswith("1,UBND xã Chiềng An,chieng-an,") and csv[1].endswith(",,,False,2024,")
    payload = json.loads(client.get("/son-la/2025/communes.json").content)
    first = payload["rows"][0]
    assert (first["previous_rank"], first["rank_change"], first["change"]) == (None, None, None)
    statistics = payload["statistics"]
    assert statistics["previous_year"] == 2024
    assert statistics["comparable_with_previous"] is False
    assert statistics["not_comparable_reason"] == REASON
    before = json.loads(client.get("/son-la/2024/communes.json").content)["statistics"]
    assert before["comparable_with_previous"] is True and before["not_comparable_reason"] is None
    sheet = load_workbook(io.BytesIO(client.get("/son-la/2025/communes.xlsx").content)).active
    assert f"So với năm 2024: {REASON}" in sheet["A2"].value


def test_a_commune_that_lived_through_the_reform_has_no_change_in_its_history(client, communes):
    html = get(client, "/son-la/don-vi/chieng-an/")
    assert "▲" not in html and "▼" not in html
    rank = html[html.index("Thứ hạng 2025") : html.index("</div>", html.index("Thứ hạng 2025"))]
    assert "1/2" in rank and "không so sánh được với năm trước" in rank
    history = html[html.index('id="history"') : html.index('id="groups"')]
    rows = {year: history[history.index(f">{year}</a>") :] for year in (2024, 2025)}
    row_2025 = rows[2025][: rows[2025].index("</tr>")]
    assert f'title="{REASON}" aria-hidden="true">khác cơ cấu ĐVHC</abbr>' in row_2025
    assert f'<span class="visually-hidden">{REASON}</span>' in row_2025
    assert "Năm 2025 không so sánh được với năm trước: khác cơ cấu" in html
    assert "+1,000" in rows[2024][: rows[2024].index("</tr>")]  # 5 → 6, within the old units
    criteria = html[html.index('id="criteria"') :]
    assert "+3,000" not in criteria  # 6 → 9 across the reform is no change either
    payload = json.loads(client.get("/son-la/don-vi/chieng-an.json").content)
    last = payload["rows"][-1]
    assert (last["year"], last["rank"], last["rank_change"], last["change"]) == (
        2025,
        1,
        None,
        None,
    )
    assert last["comparable_with_previous"] is False and last["not_comparable_reason"] == REASON
    assert payload["rows"][1]["change"] == "1.000" and payload["rows"][1]["rank_change"] == 0


def test_trends_show_no_mean_change_or_movers_across_the_reform(client, communes):
    html = get(client, "/son-la/xu-huong/communes/")
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    row_2025 = table[table.index(">2025</a>") :]
    assert f'title="{REASON}" aria-hidden="true">khác cơ cấu ĐVHC</abbr>' in row_2025
    assert f'<span class="visually-hidden">{REASON}</span>' in row_2025 and "+0,333" not in row_2025
    assert "+1,666" in table[table.index(">2024</a>") : table.index(">2025</a>")]
    assert "khác cơ cấu đơn vị hành chính trước/sau ngày 01/07/2025" in html
    movers = html[html.index('class="grid-2"') :]
    assert movers.count("Không có.") == 2 and "chieng-an" not in movers
    csv = client.get("/son-la/xu-huong/communes.csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].endswith("mean_change,comparable_with_previous,not_comparable_reason")
    assert csv[3].startswith("2025,2,") and csv[3].endswith(f",,False,{REASON}")
    assert csv[2].startswith("2024,3,") and ",True," in csv[2]


def test_the_api_compares_nothing_across_the_reform(client, communes):
    cache.clear()  # throttle counters
    url = "/api/v1/rankings/?province=son-la&block=communes&year="
    body = json.loads(client.get(url + "2025").content)
    assert body["statistics"]["previous_year"] == 2024
    assert body["statistics"]["comparable_with_previous"] is False
    assert body["statistics"]["mean_change"] is None
    assert body["statistics"]["not_comparable_reason"] == "structure"
    an = body["rows"][0]
    assert an["agency"]["slug"] == "chieng-an" and an["rank"] == 1
    assert (an["previous_rank"], an["rank_change"], an["change"]) == (None, None, None)
    before = json.loads(client.get(url + "2024").content)["statistics"]
    assert before["comparable_with_previous"] is True and before["mean_change"] == "1.666"
    assert before["not_comparable_reason"] is None
    history = json.loads(
        client.get(f"/api/v1/agencies/{communes['chieng-an'].pk}/history/").content
    )
    assert [
        (y["year"], y["rank_change"], y["change"], y["not_comparable_reason"])
        for y in history["years"]
    ] == [
        (2023, None, None, None),
        (2024, 0, "1.000", None),
        (2025, None, None, "structure"),
    ]
    cache.clear()


def test_units_before_and_after_the_reform_are_not_compared_side_by_side(client, communes):
    response = client.get("/son-la/2025/so-sanh/?agency=chieng-binh&agency=chieng-moi")
    assert response.status_code == 400
    assert "khác cơ cấu đơn vị hành chính trước/sau ngày 01/07/2025" in response.content.decode()
    # A unit that lived through the reform compares with one formed by it.
    assert client.get("/son-la/2025/so-sanh/?agency=chieng-an&agency=chieng-moi").status_code == 200


def test_the_rule_is_the_reform_date_not_the_year(client, db):
    """A 2025 cycle whose data end on 30 June 2025 ranks the old structure: it compares."""
    son_la_communes(data_to_2025=datetime.date(2025, 6, 30))
    html = get(client, "/son-la/2025/communes/")
    assert 'id="not-comparable"' not in html and "So với 2024" in html
    assert "▲2" in leaderboard_row(html, "chieng-an")  # 3rd of 3 → 1st of 2
    assert "+0,333 so với 2024" in html


def test_a_province_that_ended_with_the_reform_ranks_the_old_structure(db):
    from agencies.models import Province
    from rankings.models import AssessmentCycle
    from rankings.public.selectors.leaderboard import structure_era

    ended = Province(slug="cu", valid_to=datetime.date(2025, 6, 30))
    kept = Province(slug="giu")
    assert structure_era(AssessmentCycle(province=ended, year=2025)) == "legacy"
    assert structure_era(AssessmentCycle(province=kept, year=2025)) == "current"
    assert structure_era(AssessmentCycle(province=kept, year=2024)) == "legacy"


def test_the_charts_break_their_lines_at_the_reform(communes):
    """A line joining 2024 to 2025 would draw the change the tables refuse to show."""
    from agencies.models import Agency
    from rankings.public import presenters
    from rankings.public.selectors.agency import agency_profile
    from rankings.public.selectors.trends import block_trend

    profile = agency_profile(agency=Agency.objects.get(slug="chieng-an"))
    figure = json.loads(presenters.agency_charts(profile)["history_figure"])
    percent = [t["x"] for t in figure["data"] if t["legendgroup"] == "% điểm tối đa"]
    rank = [t["x"] for t in figure["data"] if t["legendgroup"] == "Thứ hạng"]
    assert percent == rank == [["2023", "2024"], ["2025"]]
    assert [t["showlegend"] for t in figure["data"]] == [True, False, True, False]

    trend = block_trend(province="son-la", block="communes")
    lines = [
        t["x"]
        for t in json.loads(presenters.trend_charts(trend)["trend_figure"])["data"]
        if t["type"] == "scatter"
    ]
    assert lines == [["2023", "2024"], ["2025"]]
