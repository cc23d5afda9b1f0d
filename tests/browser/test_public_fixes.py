"""In Chromium: the phone layout, the compare picker, the annex download, the error pages
and English mode, each checked with axe and kept as a screenshot to look at."""

import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from config import errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def serious_violations(page) -> list:
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


def test_leaderboard_on_a_phone_shows_the_table_first_with_rank_agency_total_change(
    browser, live_demo, screenshots
):
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(live_demo + "/vinh-phuc/2021/districts/")
    page.screenshot(path=screenshots / "phone-leaderboard.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first = page.locator("#leaderboard tbody tr").first
    assert first.bounding_box()["y"] < PHONE["height"]  # the table starts on the first screen
    for cell in first.locator("td.num, th").all():
        box = cell.bounding_box()
        if cell.is_visible() and box["width"] > 1:  # 1 px: visually hidden (.hide-narrow)
            assert box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    text = first.inner_text()
    assert "112,300" in text and "năm trước 1" in text and "UBND huyện Lập Thạch" in text
    # Out of sight, still a column header for a screen reader (issue 23).
    percent = page.locator("#leaderboard thead th", has_text="% tối đa")
    assert percent.bounding_box()["width"] <= 1
    assert '- columnheader "% tối đa"' in page.locator("#leaderboard").aria_snapshot()
    assert serious_violations(page) == []
    context.close()


def test_pick_agencies_to_compare_from_a_profile(page, live_demo, screenshots):
    page.goto(live_demo + "/vinh-phuc/don-vi/lap-thach/")
    page.get_by_role("link", name="So sánh với đơn vị khác cùng khối").click()
    assert page.get_by_label("UBND huyện Lập Thạch").is_checked()
    page.get_by_label("UBND huyện Yên Lạc").check()
    page.get_by_label("UBND huyện Tam Dương").check()
    page.locator("details[open] form").get_by_role("button", name="So sánh").click()
    page.wait_for_url(lambda url: "agency=lap-thach" in url and "agency=tam-duong" in url)
    header = page.locator("table thead").inner_text()
    assert "Lập Thạch" in header and "Yên Lạc" in header and "Tam Dương" in header
    page.screenshot(path=screenshots / "compare-picked.png", full_page=True)
    assert serious_violations(page) == []


def test_annex_pdf_downloads_from_the_leaderboard(page, live_demo, screenshots):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Phụ lục quyết định (PDF)").click()
    path = download.value.path()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    assert "106,331" in text.stdout.decode() and "3192/QĐ-UBND" in text.stdout.decode()
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-singlefile", str(path), str(screenshots / "annex")],
        check=True,
    )
    with page.expect_download() as word:
        page.get_by_role("link", name="Phụ lục quyết định (Word)").click()
    assert word.value.suggested_filename == "phu-luc-3192-qd-ubnd-vinh-phuc-2020-districts.docx"


@pytest.mark.parametrize(
    ("name", "status", "render"),
    [
        ("404", 404, lambda r: errors.page_not_found(r, None)),
        ("403", 403, lambda r: errors.permission_denied(r, PermissionDenied("Chỉ ICT."))),
        ("500", 500, errors.server_error),
    ],
)
def test_error_pages_are_styled_and_accessible(page, live_demo, screenshots, name, status, render):
    request = RequestFactory().get("/bat-ky/")
    request.request_id = "0123abcd"
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = render(request).content.decode()
    url = f"{live_demo}/loi-{name}/"
    page.route(url, lambda route: route.fulfill(status=status, body=html, content_type="text/html"))
    response = page.goto(url)
    assert response.status == status
    assert page.locator(".error-page h1").is_visible()
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(8, 63, 120)"  # the site's stylesheet applies
    page.screenshot(path=screenshots / f"error-{name}.png", full_page=True)
    assert serious_violations(page) == []


def test_english_mode_names_blocks_and_bands_in_english(page, live_demo, screenshots):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    assert "District People's Committees" in page.title()
    assert "Fair" in page.locator("#leaderboard tbody tr").first.inner_text()
    page.screenshot(path=screenshots / "leaderboard-english.png", full_page=True)
