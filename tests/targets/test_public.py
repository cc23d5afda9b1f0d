"""The public side: the profile's targets, the province's table, their exports, the API."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from rankings.public import page_cache
from tests.targets.conftest import target

D = Decimal
PROFILE = reverse("agency", kwargs={"province": "mau", "slug": "an"})
TABLE = reverse("province-targets", kwargs={"province": "mau"})
API = reverse("api-targets")
WIDE = "Tổng điểm chung · chỉ tiêu chung của tỉnh"


@pytest.fixture
def plan(world):
    """An's plan, a province-wide district target and one of Bình's."""
    target(world, world.an, indicator="Tỷ lệ văn bản ký số", value=D(80))  # behind, line 85
    target(
        world,
        world.an,
        indicator="Tổng điểm",
        measure="total",
        criterion_code="",
        value=D("34.5"),
        year=2025,
    )  # 32 → 30: behind
    target(
        world,
        None,
        indicator="Tổng điểm chung",
        measure="total",
        criterion_code="",
        value=D(30),
        year=2021,
        block=world.districts,
    )  # An met, Bình met, Cát missed
    target(world, world.binh, indicator="Ký số Bình", value=D(90))  # 100: met
    return world


def cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_profile_shows_each_target_beside_published_values(plan, django_assert_max_num_queries):
    client = Client()
    page_cache.clear()
    with django_assert_max_num_queries(16):
        html = client.get(PROFILE).content.decode()
    assert "Đúng tiến độ: chưa đạt nhưng bằng hoặc vượt đường thẳng" in html
    rows = cells(html, "targets-table")
    assert rows == [
        [WIDE, "≥ 30 điểm năm 2021", "32", "30", "—", "✓ Đạt"],
        [
            "Tỷ lệ văn bản ký số (tiêu chí 1.2)",
            "≥ 80 % năm 2022",
            "90",
            "70",
            "85 (2021)",
            "↘ Chậm tiến độ",
        ],
        ["Tổng điểm", "≥ 34,5 điểm năm 2025", "32", "30", "32,5 (2021)", "↘ Chậm tiến độ"],
    ]


def test_the_profile_without_targets_has_no_section(world):
    assert "targets-table" not in Client().get(PROFILE).content.decode()


def test_the_profile_query_count_does_not_grow_with_targets(world, django_assert_max_num_queries):
    for number in range(15):
        target(world, world.an, indicator=f"Chỉ tiêu {number}")
    page_cache.clear()
    with django_assert_max_num_queries(16):
        assert Client().get(PROFILE).status_code == 200


def test_the_agency_export_has_the_pages_values(plan):
    url = reverse("agency-targets-export", kwargs={"province": "mau", "slug": "an", "fmt": "json"})
    body = json.loads(Client().get(url).content)
    assert body["agency"] == "an" and "Đạt:" in body["rule"]
    signed = {row["indicator"]: row for row in body["rows"]}
    row = signed["Tỷ lệ văn bản ký số"]
    assert (row["value_2020"], row["value_2021"], row["expected"]) == ("90.000", "70.000", "85.000")
    assert (row["status"], row["status_label"]) == ("behind", "Chậm tiến độ")
    assert signed["Tổng điểm chung"]["agency_name"] == "Toàn tỉnh"


def test_the_province_table_and_its_exports_agree(plan, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(8):
        html = client.get(TABLE).content.decode()
    rows = cells(html, "province-targets")
    assert rows[0][0] == "Toàn tỉnh (Khối huyện)"
    assert rows[0][-1] == "Đạt: 2 Không đạt: 1"
    page = {(r[0], r[1]): r for r in rows[1:]}
    export = client.get(
        reverse("province-targets-export", kwargs={"province": "mau", "fmt": "csv"})
    )
    records = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(records) == len(rows) == 4
    for record in records[1:]:
        shown = page[
            (
                record["agency_name"],
                record["indicator"]
                + (f" (tiêu chí {record['criterion_code']})" if record["criterion_code"] else ""),
            )
        ]
        assert shown[-1].endswith(record["status_label"])
        latest = D(record["latest_value"]).normalize()
        assert shown[4] == f"{format(latest, 'f').replace('.', ',')} ({record['latest_year']})"
    assert (records[0]["count_met"], records[0]["count_missed"]) == ("2", "1")
    xlsx = client.get(reverse("province-targets-export", kwargs={"province": "mau", "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 + 4  # title, header, 4 rows


def test_the_province_table_filters_by_year(plan):
    html = Client().get(TABLE + "?year=2025").content.decode()
    assert len(cells(html, "province-targets")) == 1
    assert Client().get(TABLE + "?year=abc").status_code == 404


def test_the_api_reads_the_same_rows(plan, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(8):
        body = client.get(API, {"province": "mau"}).json()
    export = json.loads(
        client.get(
            reverse("province-targets-export", kwargs={"province": "mau", "fmt": "json"})
        ).content
    )
    assert [r["indicator"] for r in body["rows"]] == [r["indicator"] for r in export["rows"]]
    wide = body["rows"][0]
    assert wide["counts"] == {"met": 2, "on_track": 0, "behind": 0, "missed": 1, "no_data": 0}
    assert [r["status"] for r in body["rows"][1:]] == [r["status"] for r in export["rows"][1:]]


def test_the_api_filters_by_agency_and_year(plan):
    body = Client().get(API, {"province": "mau", "agency": "an", "year": 2022}).json()
    assert [r["indicator"] for r in body["rows"]] == ["Tỷ lệ văn bản ký số"]
    assert body["rows"][0]["values"] == {"2020": "90.000", "2021": "70.000"}
    assert body["rows"][0]["expected"] == "85.000"


def test_the_api_refuses_bad_input_and_writes(plan):
    client = Client()
    assert client.get(API).status_code == 400
    bad = client.get(API, {"province": "mau", "year": "1900"})
    assert bad.status_code == 400
    assert client.get(API, {"province": "nowhere"}).status_code == 404
    assert client.get(API, {"province": "mau", "agency": "nobody"}).status_code == 404
    assert client.post(API, {"province": "mau"}).status_code in {401, 403, 405}


def test_the_api_is_in_the_openapi_schema(db):
    schema = Client().get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/targets/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"province", "agency", "year"}
    assert "TargetRow" in schema["components"]["schemas"]


def comma(value: str) -> str:
    """A CSV decimal as the page writes it: 70.000 → 70, 34.500 → 34,5."""
    return format(D(value).normalize(), "f").replace(".", ",") if value else "—"


def test_the_profile_table_equals_the_agency_csv(plan):
    client = Client()
    page = {
        row[0].split(" (")[0].split(" · ")[0]: row
        for row in cells(client.get(PROFILE).content.decode(), "targets-table")
    }
    url = reverse("agency-targets-export", kwargs={"province": "mau", "slug": "an", "fmt": "csv"})
    records = list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert len(records) == len(page) == 3
    for record in records:
        shown = page[record["indicator"]]
        assert shown[2:4] == [comma(record["value_2020"]), comma(record["value_2021"])]
        assert shown[-1].endswith(record["status_label"])
        if record["expected"]:
            assert shown[4] == f"{comma(record['expected'])} ({record['latest_year']})"
