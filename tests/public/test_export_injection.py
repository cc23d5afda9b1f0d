"""Downloads never carry a formula: text that a spreadsheet would run is neutralised.

The world's 2021 district ranking (Bình 1, An 2 −2.000 ▼1, Cát 3 −6.000 ▼1) with An
renamed '=HYPERLINK("http://x")' and Cát renamed "+1": the names come back prefixed with
an apostrophe from the real CSV and XLSX downloads, while the negative changes stay plain
numbers (CSV "-6.000", an XLSX numeric cell −6).
"""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from rankings.imports.services import import_parse
from rankings.imports.template_workbook import ENTRY_SHEET, cycle_template_xlsx
from rankings.models import AssessmentCycle
from rankings.public.exports import neutralised
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x")'


@pytest.fixture
def hostile_names(world):
    for agency, name in ((world.an, LINK), (world.cat, "+1"), (world.binh, "@SUM(1)")):
        agency.name = name
        agency.save()
    return world


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> tuple[list, list[tuple]]:
    """The header row and the cells (openpyxl Cell objects) of the rows below it."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "Thứ hạng")
    return [c.value for c in rows[header]], rows[header + 1 :]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (LINK, "'" + LINK),
        ("+1", "'+1"),
        ("-2", "'-2"),  # text that looks like a number is still text
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("UBND huyện An", "UBND huyện An"),
        ("", ""),
    ],
)
def test_neutralised_prefixes_formula_triggers_only(text, written):
    assert neutralised(text) == written


def test_leaderboard_csv_neutralises_names_and_keeps_negative_numbers(client, hostile_names):
    rows = {row["agency_slug"]: row for row in csv_rows(client.get("/mau/2021/districts.csv"))}
    assert rows["an"]["agency"] == "'" + LINK
    assert rows["cat"]["agency"] == "'+1"
    assert rows["binh"]["agency"] == "'@SUM(1)"
    assert (rows["an"]["change"], rows["an"]["rank_change"]) == ("-2.000", "-1")
    assert (rows["cat"]["change"], rows["cat"]["rank_change"]) == ("-6.000", "-1")
    assert rows["binh"]["change"] == "7.000"
    raw = client.get("/mau/2021/districts.csv").content.decode("utf-8-sig")
    assert raw.endswith(",-1,-6.000,False,2020,-15.0\r\n") and "'-" not in raw  # numbers unquoted


def test_leaderboard_xlsx_neutralises_names_and_keeps_numeric_cells(client, hostile_names):
    header, body = xlsx_rows(client.get("/mau/2021/districts.xlsx"))
    by_name = {row[header.index("Cơ quan, đơn vị")].value: row for row in body}
    assert set(by_name) == {"'" + LINK, "'+1", "'@SUM(1)"}
    for row in body:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)  # no formula at all
    cat = by_name["'+1"]
    change = cat[header.index("Thay đổi điểm")]
    rank_change = cat[header.index("Thay đổi thứ hạng")]
    assert change.data_type == "n" and Decimal(str(change.value)) == Decimal("-6")
    assert rank_change.data_type == "n" and rank_change.value == -1
    an_change = by_name["'" + LINK][header.index("Thay đổi điểm")]
    assert an_change.data_type == "n" and Decimal(str(an_change.value)) == Decimal("-2")


def test_agency_history_downloads_neutralise_the_name_too(client, hostile_names):
    rows = csv_rows(client.get("/mau/don-vi/cat.csv"))
    assert [(row["year"], row["change"], row["rank_change"]) for row in rows] == [
        ("2020", "", ""),
        ("2021", "-6.000", "-1"),
    ]
    sheet = load_workbook(io.BytesIO(client.get("/mau/don-vi/an.xlsx").content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "@"))], texts


def test_the_entry_template_keeps_names_as_text_and_they_come_back_unchanged(hostile_names):
    """The template is filled and uploaded again: names stay as they are, typed as text."""
    world = hostile_names
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    sheet = load_workbook(io.BytesIO(cycle_template_xlsx(cycle=cycle)))[ENTRY_SHEET]
    names = {row[0].value: row[1] for row in sheet.iter_rows() if row[0].value in INPUTS_2021}
    assert {slug: cell.value for slug, cell in names.items()} == {
        "an": LINK,
        "binh": "@SUM(1)",
        "cat": "+1",
    }
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in names.values())
    parsed = import_parse(cycle=cycle, upload=filled(cycle, INPUTS_2021), filename="d.xlsx")
    assert parsed.ok and parsed.warnings == (), [str(p) for p in parsed.problems]
    assert {row.agency_slug: row.name_in_file for row in parsed.rows} == {
        "an": LINK,
        "binh": "@SUM(1)",
        "cat": "+1",
    }
