"""Files in the reader's language: the entry template, import errors, .xlsx downloads;
what an import reads back is recognised in either language."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from rankings.models import AssessmentCycle, Membership, Role, Score
from rankings.setup.annex import annex_plan
from rankings.setup.annex_export import annex_xlsx
from tests.imports.test_imports import INPUTS_2021

pytestmark = pytest.mark.django_db
BASE = "/quan-ly/mau/2022/districts/"


@pytest.fixture
def cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


@pytest.fixture
def english_editor(client, world):
    user = get_user_model().objects.create_user("ict-en", "", "x")
    Membership.objects.create(user=user, role=Role.EDITOR, province=world.province)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def _typed(template: bytes, inputs: dict, sheet_name: str) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook[sheet_name]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == "agency_slug")
    columns = {cell.value: cell.column for cell in sheet[header] if cell.value}
    rows = {sheet.cell(row=r, column=1).value: r for r in range(header + 2, sheet.max_row + 1)}
    for slug, values in inputs.items():
        for key, value in values.items():
            sheet.cell(row=rows[slug], column=columns[key], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _texts(sheet) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def test_the_english_template_is_english_and_imports(client, cycle, english_editor):
    template = client.get(BASE + "mau-nhap-lieu.xlsx").content
    workbook = load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == ["Entry", "Criteria"]
    entry = _texts(workbook["Entry"])
    assert entry[0].startswith("Score entry template: ")
    assert "Cycle key: mau/districts/2022" in entry
    assert "# Instructions" in entry and "# Criterion names" in entry
    assert any(t.startswith("# Ratio a/b × maximum points") for t in entry)
    assert any(" pts · ratio a/b × maximum points" in t for t in entry)
    criteria = workbook["Criteria"]
    assert [c.value for c in criteria[1]] == [
        "Code",
        "Name",
        "Maximum points",
        "Scoring method",
        "Parameters",
        "Entry columns",
    ]

    filled = _typed(template, INPUTS_2021, "Entry")
    preview = client.post(BASE + "nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", filled)})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in html, html[:3000]
    digest = html.split('name="digest" value="')[1].split('"')[0]
    done = client.post(BASE + "nhap-lieu/", {"confirm": "1", "digest": digest, "format": "xlsx"})
    assert done.status_code == 302 and Score.objects.filter(cycle=cycle).count() == 9


def test_an_english_template_of_another_cycle_is_refused_by_its_key(client, world, english_editor):
    other = AssessmentCycle.objects.create(
        province=world.province,
        year=2023,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )
    template = client.get(f"/quan-ly/mau/{other.year}/districts/mau-nhap-lieu.xlsx").content
    filled = _typed(template, INPUTS_2021, "Entry")
    refused = client.post(BASE + "nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", filled)})
    assert refused.status_code == 400
    assert "mau/districts/2023" in refused.content.decode()


def test_an_english_users_bad_file_gets_english_errors_by_row_and_column(
    client, cycle, english_editor
):
    template = client.get(BASE + "mau-nhap-lieu.xlsx").content
    bad = dict(INPUTS_2021, cat={"1.1": 5, "1.2 a": 1, "1.2 b": 0, "2.1": 25}, binh={"1.1": "abc"})
    response = client.post(
        BASE + "nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", _typed(template, bad, "Entry"))}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The file has 3 errors; nothing has been saved." in html
    assert "column “1.1”: the value “abc” is not valid — must be a number" in html
    assert (
        "column “1.2 b”: the value “0” is not valid — the denominator must be greater than 0"
        in (html)
    )
    assert "above the maximum of 20 points of criterion 2.1" in html
    assert "Dòng" not in html and "không hợp lệ" not in html
    assert Score.objects.filter(cycle=cycle).count() == 0


def test_a_vietnamese_template_still_reads_as_before(client, cycle, english_editor):
    with translation.override("vi"):
        from rankings.imports.template_workbook import cycle_template_xlsx

        template = cycle_template_xlsx(cycle=cycle)
    assert load_workbook(io.BytesIO(template)).sheetnames == ["Nhap lieu", "Tieu chi"]
    filled = _typed(template, INPUTS_2021, "Nhap lieu")
    preview = client.post(BASE + "nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", filled)})
    assert preview.status_code == 200 and 'id="preview"' in preview.content.decode()


def test_public_downloads_are_in_the_readers_language(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = load_workbook(io.BytesIO(client.get("/mau/2021/districts.xlsx").content))
    sheet = english.active
    assert sheet.title == "Rankings"
    texts = _texts(sheet)
    assert "Rank" in texts and "Total score" in texts and "Identifier" in texts
    assert "Thứ hạng" not in texts and "Tổng điểm" not in texts
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = load_workbook(io.BytesIO(client.get("/mau/2021/districts.xlsx").content)).active
    assert vietnamese.title == "Xep hang" and "Thứ hạng" in _texts(vietnamese)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    history = load_workbook(io.BytesIO(client.get("/mau/don-vi/an.xlsx").content)).active
    texts = _texts(history)
    assert texts[0].startswith("Ranking results over the years: ")
    assert "Year" in texts and "Comparable with the year before" in texts


def test_the_english_annex_reads_back_as_the_same_tree(world):
    criteria_set = world.cycle_2021.criteria_set
    with translation.override("en"):
        english = annex_xlsx(criteria_set)
    sheet = load_workbook(io.BytesIO(english)).active
    assert sheet.title == "Annex"
    assert [c.value for c in sheet[2]] == [
        "No.",
        "Indicator / criterion",
        "Maximum points",
        "How it is measured and scored",
        "Evidence documents",
        "Data source",
    ]
    vietnamese = annex_xlsx(criteria_set)

    def tree(data):
        plan = annex_plan(data=data, filename="p.xlsx", max_points=criteria_set.max_points)
        assert not plan.problems
        return [(n.code, n.maximum, n.rule, n.params, n.evidence) for n, _ in plan.walk()]

    assert tree(english) == tree(vietnamese) and len(tree(english)) > 2
