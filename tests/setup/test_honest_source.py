"""A ranking published otherwise than by decision says so everywhere (issue 16, #6).

Cao Bằng's departments in 2019 come from a ministry's report, not a decision. Every
public page, export, document and API response about them prints "Nguồn: <report>",
never "Quyết định số" and never that the results were published by decision.
"""

import html
import io
import json
import re

import pytest
from django.core.cache import cache
from docx import Document
from openpyxl import load_workbook

from rankings.setup.backfill import backfill_apply
from tests.setup import test_backfill
from tests.setup.test_backfill import REPORT, Y2019

agencies = test_backfill.agencies  # the four departments, a fixture
SOURCE = "Nguồn: Báo cáo số 55/BC-STTTT của Sở TT&TT, ngày 05/04/2021"
DECISION_WORDS = (
    "Quyết định số",
    "công bố bằng quyết định",
    "QĐ-UBND",
    "CHỦ TỊCH",
    "Phụ lục quyết định",
)


@pytest.fixture
def reported(cao_bang, departments, agencies):
    cache.clear()
    plan = test_backfill.plan(cao_bang, departments, Y2019, source=REPORT)
    return backfill_apply(plan=plan)


def texts(client, cao_bang, reported) -> dict[str, str]:
    agency = reported.cycle.results.first().agency
    base = f"/{cao_bang.slug}"
    pages = {
        "home": "/",
        "province": f"{base}/",
        "leaderboard": f"{base}/2019/departments/",
        "leaderboard.csv": f"{base}/2019/departments.csv",
        "leaderboard.json": f"{base}/2019/departments.json",
        "agency": f"{base}/don-vi/{agency.slug}/",
        "agency.csv": f"{base}/don-vi/{agency.slug}.csv",
        "agency.json": f"{base}/don-vi/{agency.slug}.json",
        "trends": f"{base}/xu-huong/departments/",
        "compare": f"{base}/2019/so-sanh/",
        "methodology": f"/phuong-phap/{reported.cycle.criteria_set.slug}/",
        "api rankings": f"/api/v1/rankings/?province={cao_bang.slug}&year=2019&block=departments",
        "api cycles": f"/api/v1/cycles/?province={cao_bang.slug}",
        "api results": f"/api/v1/results/?year=2019&province={cao_bang.slug}",
        "api history": f"/api/v1/agencies/{agency.pk}/history/",
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url, HTTP_ACCEPT="application/json" if "api" in name else "*/*")
        assert response.status_code == 200, (name, url, response.status_code)
        text = response.content.decode("utf-8-sig")
        found[name] = " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())
    xlsx = load_workbook(io.BytesIO(client.get(f"{base}/2019/departments.xlsx").content))
    found["leaderboard.xlsx"] = "\n".join(
        str(cell) for sheet in xlsx for row in sheet.iter_rows(values_only=True) for cell in row
    )
    word = Document(io.BytesIO(client.get(f"{base}/2019/departments/phu-luc.docx").content))
    found["annex.docx"] = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    )
    return found


def test_every_public_output_names_the_report_and_no_decision(client, cao_bang, reported):
    found = texts(client, cao_bang, reported)
    claims = {name: [w for w in DECISION_WORDS if w in text] for name, text in found.items()}
    assert {name: words for name, words in claims.items() if words} == {}
    names_source = {name for name, text in found.items() if SOURCE in text}
    # These show no publication's source at all (the CSV is the bare table; the others
    # are about a set, a trend or a comparison); everything else names the report.
    silent = {"leaderboard.csv", "methodology", "trends", "compare"}
    assert set(found) - names_source == silent
    assert json.loads(found["leaderboard.json"])["publication"]["source"] == SOURCE
    body = json.loads(found["api results"])
    rows = body if isinstance(body, list) else next(v for v in body.values() if isinstance(v, list))
    assert {row["source"] for row in rows} == {SOURCE}
