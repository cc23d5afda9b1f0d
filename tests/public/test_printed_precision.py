"""One printed precision everywhere (issue 18): the page, its CSV, XLSX and JSON twins and the
API print every figure of a row with the same digits, by the criteria set's own rules.

The block (Tỉnh Chính Xác, a 150-point set: totals at 1 decimal half up, percents at 1 half
up, mean and median at 2 half up), 2021:

    agency   1.1      2.1      exact total  printed  rank   2020 rank
    An       70.825   70.825   141.650      141.7    1      2
    Bình     67.500   67.500   135.000      135.0    2 =    1
    Cát      67.500   67.500   135.000      135.0    2 =    4
    Dung     65.000   65.000   130.000      130.0    4      3
    Đông     63.000   63.000   126.000      126.0    5      5
    Hà       62.825   62.825   125.650      125.7    6      6
    Giang    excluded (a long reason, the decision's words)   7

Mean 793.3 / 6 = 132.21666… → 132,22 (it printed 132,2166 on the page and
132.21666666666666666666666666666666666666666666667 in the JSON before); median 132,50;
highest 141,7; lowest 125,7; spread 16,0. Truncating would print 141,6 and 125,6.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from agencies.models import Agency, AgencyKind, Block, Province
from rankings.cycles import services
from rankings.models import AssessmentCycle, CriteriaSet, Criterion, CriterionGroup, Submission
from tests.world import enter

D = Decimal
pytestmark = pytest.mark.django_db

PAGE = "/chinh-xac/2021/huyen-cx/"
API = "/api/v1/rankings/?province=chinh-xac&block=huyen-cx&year=2021"
EXCLUDED = (
    "Không xếp hạng do sáp nhập vào huyện An từ ngày 01/10/2021 theo Nghị quyết số "
    "123/NQ-UBTVQH15 của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính cấp huyện"
)
TOTALS_2021 = {
    "an": "141.650",
    "binh": "135.000",
    "cat": "135.000",
    "dung": "130.000",
    "dong": "126.000",
    "ha": "125.650",
}
TOTALS_2020 = {
    "an": "135",
    "binh": "140",
    "cat": "120",
    "dung": "130",
    "dong": "110",
    "ha": "100",
    "giang": "90",
}
NAMES = {
    "an": "UBND huyện An",
    "binh": "UBND huyện Bình",
    "cat": "UBND huyện Cát",
    "dung": "UBND huyện Dung",
    "dong": "UBND huyện Đông",
    "ha": "UBND huyện Hà",
    "giang": "UBND huyện Giang",
}


def _set(province, block) -> CriteriaSet:
    criteria_set = CriteriaSet.objects.create(
        province=province,
        block=block,
        name="Bộ tiêu chí 150 điểm",
        slug="chinh-xac-150",
        max_points=D("150"),
        precision=1,
        rounding="half_up",
        percent_precision=1,
        percent_rounding="half_up",
        statistics_precision=2,
        statistics_rounding="half_up",
    )
    for order, code in enumerate(("1", "2"), start=1):
        group = CriterionGroup.objects.create(
            criteria_set=criteria_set, code=code, name=f"Nhóm {code}", order=order
        )
        Criterion.objects.create(
            criteria_set=criteria_set,
            group=group,
            code=f"{code}.1",
            name=f"Tiêu chí {code}.1",
            max_points=D("75"),
            order=order,
        )
    return criteria_set


def _cycle(province, block, criteria_set, year, totals, excluded=()) -> AssessmentCycle:
    cycle = AssessmentCycle.objects.create(
        province=province, year=year, block=block, criteria_set=criteria_set
    )
    agencies = {a.slug: a for a in Agency.objects.filter(province=province)}
    for slug, total in totals.items():
        half = D(total) / 2
        enter(cycle, agencies[slug], {"1.1": str(half), "2.1": str(D(total) - half)})
    for slug in excluded:
        Submission.objects.create(cycle=cycle, agency=agencies[slug], excluded_reason=EXCLUDED)
    services.cycle_publish(
        cycle=cycle,
        decision_number=f"{year}/QĐ-UBND",
        decision_date=datetime.date(year + 1, 5, 1),
    )
    return cycle


@pytest.fixture
def block(db):
    province = Province.objects.create(code="98", name="Chính Xác", slug="chinh-xac")
    districts = Block.objects.create(slug="huyen-cx", name="Khối huyện CX", order=9)
    for slug, name in NAMES.items():
        Agency.objects.create(
            province=province,
            block=districts,
            kind=AgencyKind.DISTRICT,
            slug=slug,
            name=name,
            short_name=name.removeprefix("UBND huyện "),
        )
    criteria_set = _set(province, districts)
    _cycle(province, districts, criteria_set, 2020, TOTALS_2020)
    _cycle(province, districts, criteria_set, 2021, TOTALS_2021, excluded=["giang"])
    cache.clear()  # the API's throttle counters


class _Table(HTMLParser):
    """The leaderboard's body rows: each cell's text, and the agency slug of the row."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "leaderboard":
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({"cells": [], "slug": None})
        elif self._in_body and tag in ("td", "th"):
            self._cell = []
        elif self._in_body and tag == "a" and self.rows and self.rows[-1]["slug"] is None:
            self.rows[-1]["slug"] = attrs["href"].rstrip("/").rsplit("/", 1)[-1]
        elif self._cell is not None and tag in ("br", "small"):
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = re.sub(r"\s+", " ", "".join(self._cell)).strip()
            self.rows[-1]["cells"].append(text)
            self._cell = None
        elif tag == "tbody":
            self._in_body = self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_rows(html: str) -> dict[str, dict]:
    """Per agency slug: what the page prints in each column (Vietnamese numbers)."""
    parser = _Table()
    parser.feed(html)
    rows = {}
    for row in parser.rows:
        rank, name, group_1, group_2, total, percent, change = row["cells"]
        rows[row["slug"]] = {
            "rank": rank.rstrip(" =").strip(),
            "tied": rank.endswith("="),
            "name": name,
            "groups": [group_1, group_2],
            "total": total,
            "percent": percent,
            "previous_rank": _previous_rank(change),
        }
    return rows


def _previous_rank(change: str) -> int | None:
    found = re.search(r"năm trước (\d+)", change)
    return int(found[1]) if found else None


def number(text: str) -> str:
    """A Vietnamese page number as the files write it: 141,7 → 141.7; 80,0% → 80.0."""
    return text.rstrip("%").replace(".", "").replace(",", ".").replace("\u2212", "-")


def stat(html: str, label: str) -> str:
    found = re.search(rf"<dt>{label}</dt><dd>([^<]+)", html)
    assert found, label
    return found[1].strip()


@pytest.fixture
def page(client, block):
    html = client.get(PAGE).content.decode()
    return html, page_rows(html)


def test_the_page_prints_by_the_sets_rules(page):
    html, rows = page
    assert stat(html, "Điểm trung bình") == "132,22"  # 132.21666…, half up at 2
    assert stat(html, "Trung vị") == "132,50"
    assert stat(html, "Cao nhất") == "141,7"  # 141.650 half up; cut it would be 141,6
    assert stat(html, "Thấp nhất") == "125,7"
    assert stat(html, "Chênh lệch cao nhất – thấp nhất") == "16,0"
    assert [rows[s]["total"] for s in TOTALS_2021] == [
        "141,7",
        "135,0",
        "135,0",
        "130,0",
        "126,0",
        "125,7",
    ]
    assert rows["an"]["percent"] == "94,4%" and rows["an"]["groups"] == ["70,825", "70,825"]
    assert [s for s in rows if rows[s]["tied"]] == ["binh", "cat"]
    assert "132,2166" not in html and "132,21666" not in html


def test_the_not_ranked_reason_is_in_the_row_not_a_tooltip(page):
    html, rows = page
    assert rows["giang"]["rank"] == "Không xếp hạng"
    assert rows["giang"]["name"].startswith(
        f"UBND huyện Giang | Lý do không xếp hạng: {EXCLUDED} |"  # then the phone's percent
    )
    assert f'title="{EXCLUDED}"' not in html


def test_csv_equals_the_page_cell_by_cell(client, page, django_assert_max_num_queries):
    _, rows = page
    with django_assert_max_num_queries(12):
        body = client.get(PAGE.rstrip("/") + ".csv").content.decode("utf-8-sig")
    records = {r["agency_slug"]: r for r in csv.DictReader(io.StringIO(body))}
    assert set(records) == set(rows)
    for slug, shown in rows.items():
        record = records[slug]
        assert record["agency"] == NAMES[slug]
        assert record["rank"] == (shown["rank"] if shown["rank"].isdigit() else "")
        assert record["tied"] == str(shown["tied"])
        assert record["total"] == number(shown["total"])
        if slug == "giang":
            assert record["not_ranked_reason"] == EXCLUDED
            continue
        assert record["percent"] == number(shown["percent"])
        assert [record["group_1"], record["group_2"]] == [number(g) for g in shown["groups"]]
        assert record["previous_rank"] == str(shown["previous_rank"])
        assert record["comparison_year"] == "2020" and record["max_points"] == "150"
    assert records["an"]["total"] == "141.7" and records["ha"]["total"] == "125.7"


def test_xlsx_values_and_number_formats_equal_the_page(client, page):
    _, rows = page
    sheet = load_workbook(io.BytesIO(client.get(PAGE.rstrip("/") + ".xlsx").content)).active
    lines = list(sheet.iter_rows())
    header_at = next(i for i, line in enumerate(lines) if line[0].value == "Thứ hạng")
    headers = [cell.value for cell in lines[header_at]]
    for label in ("Đồng hạng", "Thứ hạng năm trước", "Năm so sánh", "Lý do không xếp hạng"):
        assert label in headers
    by_slug = {line[headers.index("Mã định danh")].value: line for line in lines[header_at + 1 :]}
    for slug, shown in rows.items():
        line = by_slug[slug]
        cell = {header: line[index] for index, header in enumerate(headers)}
        assert cell["Đồng hạng"].value == ("có" if shown["tied"] else "không")
        if slug == "giang":
            assert cell["Lý do không xếp hạng"].value == EXCLUDED
            continue
        for label, text in (
            ("Tổng điểm", shown["total"]),
            ("Tỷ lệ % điểm tối đa", shown["percent"]),
        ):
            printed = number(text)
            decimals = len(printed.partition(".")[2])
            assert D(str(cell[label].value)) == D(printed), (slug, label)
            assert cell[label].number_format == "0." + "0" * decimals, (slug, label)
        assert cell["Thứ hạng năm trước"].value == shown["previous_rank"]
        assert cell["Năm so sánh"].value == 2020


def test_json_twin_equals_the_page(client, page):
    html, rows = page
    payload = json.loads(client.get(PAGE.rstrip("/") + ".json").content)
    statistics = payload["statistics"]
    assert statistics["mean"] == number(stat(html, "Điểm trung bình")) == "132.22"
    assert statistics["median"] == number(stat(html, "Trung vị"))
    assert statistics["highest"] == number(stat(html, "Cao nhất"))
    assert statistics["spread"] == "16.0" and statistics["previous_year"] == 2020
    for record in payload["rows"]:
        shown = rows[record["agency_slug"]]
        assert record["tied"] is shown["tied"] and record["comparison_year"] == 2020
        if record["agency_slug"] != "giang":
            assert record["total"] == number(shown["total"])
            assert record["percent"] == number(shown["percent"])
            assert record["previous_rank"] == shown["previous_rank"]
    assert "132.2166" not in json.dumps(payload)


def test_api_equals_the_page_and_keeps_the_exact_values(client, page):
    html, rows = page
    body = client.get(API).json()
    statistics = body["statistics"]
    assert statistics["mean"] == number(stat(html, "Điểm trung bình"))
    assert statistics["mean_exact"].startswith("132.2166666666666666")
    assert (statistics["highest"], statistics["highest_exact"]) == ("141.7", "141.650")
    assert body["criteria_set"]["statistics_precision"] == 2
    for record in body["rows"]:
        shown = rows[record["agency"]["slug"]]
        assert record["tied"] is shown["tied"]
        if record["rank"] is None:
            assert record["not_ranked_reason"] == EXCLUDED
            continue
        assert record["total"] == number(shown["total"])
        assert record["total_exact"] == TOTALS_2021[record["agency"]["slug"]]
        assert record["percent"] == number(shown["percent"])
        assert record["groups"] == {
            "1": number(shown["groups"][0]),
            "2": number(shown["groups"][1]),
        }


def test_trends_profile_and_methodology_print_the_same_mean(client, block):
    trends = client.get("/chinh-xac/xu-huong/huyen-cx/").content.decode()
    assert "trung bình 132,22" in trends  # the chart's summary sentence
    row_2021 = trends[trends.index(">2021</a>") :]
    assert '<td class="num">132,22</td>' in row_2021 and "132,216" not in trends
    csv_rows = client.get("/chinh-xac/xu-huong/huyen-cx.csv").content.decode("utf-8-sig")
    last = list(csv.DictReader(io.StringIO(csv_rows)))[-1]
    assert (last["mean"], last["highest"], last["spread"]) == ("132.22", "141.7", "16.0")
    profile = client.get("/chinh-xac/don-vi/an/").content.decode()
    assert "132,22" in profile and "132,2166" not in profile
    history = json.loads(client.get("/chinh-xac/don-vi/an.json").content)["rows"]
    assert (history[-1]["total"], history[-1]["block_mean"]) == ("141.7", "132.22")
    method = client.get("/phuong-phap/chinh-xac-150/").content.decode()
    assert "Trung bình, trung vị của khối" in method


def test_the_compare_download_prints_as_the_compare_page(client, block):
    url = "/chinh-xac/2021/so-sanh"
    html = client.get(url + "/?agency=an&agency=ha").content.decode()
    assert "141,7" in html and "125,7" in html
    payload = json.loads(client.get(url + ".json?agency=an&agency=ha").content)
    assert [(r["total"], r["percent"]) for r in payload["rows"]] == [
        ("141.7", "94.4"),
        ("125.7", "83.8"),
    ]


def test_the_rule_is_rounding_by_the_sets_mode_not_cutting():
    from rankings.printed import Rule

    mean = D(79330) / 600  # 132.21666…
    assert Rule(2, "half_up")(mean) == D("132.22")
    assert Rule(2, "truncate")(mean) == D("132.21")
    assert Rule(4, "truncate")(mean) == D("132.2166")
    assert Rule(1, "half_up")(D("-0.05")) == D("-0.1")  # halves away from zero, both sides
    assert Rule(3)(None) is None


def test_the_admin_edits_the_statistics_rule_of_an_unpublished_set(client, block):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    published = CriteriaSet.objects.get(slug="chinh-xac-150")
    page = client.get(f"/admin/rankings/criteriaset/{published.pk}/change/").content.decode()
    assert 'name="statistics_precision"' not in page  # published: read only
    draft = CriteriaSet.objects.create(
        block=published.block, name="Bản sao", slug="ban-sao-cx", max_points=D(150)
    )
    page = client.get(f"/admin/rankings/criteriaset/{draft.pk}/change/").content.decode()
    assert 'name="statistics_precision"' in page and 'name="statistics_rounding"' in page
