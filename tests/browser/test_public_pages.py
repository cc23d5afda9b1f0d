"""The public pages as a person uses them, in Chromium, against the demo server."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "province": "/vinh-phuc/",
    "leaderboard": "/vinh-phuc/2020/districts/",
    "leaderboard-departments": "/vinh-phuc/2020/departments/",
    "agency": "/vinh-phuc/don-vi/lap-thach/",
    "trends": "/vinh-phuc/xu-huong/districts/",
    "compare": "/vinh-phuc/2020/so-sanh/?agency=lap-thach&agency=yen-lac",
    "compare-refused": "/vinh-phuc/2020/so-sanh/?agency=lap-thach&agency=so-tttt",
    "methodology-index": "/phuong-phap/",
    "methodology": "/phuong-phap/vinh-phuc-districts-2020/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(page, live_demo, screenshots, name):
    page.goto(live_demo + PAGES[name])
    assert page.locator("html").get_attribute("lang") == "vi"
    page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], serious


def test_leaderboard_shows_the_published_2020_figures(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    stats = page.locator("dl.stats").inner_text()
    for figure in ("90,479", "65,5%", "106,331", "74,337", "53,8%", "31,994", "+18,995"):
        assert figure in stats, figure
    assert "3192/QĐ-UBND" in page.locator(".decision").inner_text()
    first = page.locator("#leaderboard tbody tr").first.inner_text()
    assert "UBND huyện Lập Thạch" in first and "106,331" in first


def test_filter_sort_and_follow_an_agency(page, live_demo, screenshots):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    page.get_by_label("Tìm theo tên (không cần dấu)").fill("lap thach")
    page.get_by_role("button", name="Áp dụng").click()
    page.wait_for_url(lambda url: "q=lap+thach" in url)
    rows = page.locator("#leaderboard tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="Bỏ lọc").click()
    page.wait_for_url(lambda url: "q=" not in url)
    page.get_by_label("Sắp xếp", exact=True).select_option("-name")
    page.get_by_role("button", name="Áp dụng").click()
    names = page.locator("#leaderboard tbody th").all_inner_texts()
    assert names == sorted(names, reverse=True, key=_fold)
    page.get_by_role("link", name="UBND huyện Lập Thạch").click()
    page.wait_for_url("**/don-vi/lap-thach/")
    history = page.locator("table").first.inner_text()
    for year in ("2019", "2020", "2021"):
        assert year in history
    page.wait_for_selector("#history-chart .main-svg")
    page.screenshot(path=screenshots / "agency-after-click.png", full_page=True)


def test_keyboard_reaches_the_skip_link_and_the_table(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Bỏ qua" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_switch_to_english(page, live_demo, screenshots):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "90.479" in page.locator("dl.stats").inner_text()
    assert page.get_by_text("Average score").count() >= 1
    page.screenshot(path=screenshots / "leaderboard-en.png", full_page=True)


def test_download_xlsx_with_the_same_numbers(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    download = info.value
    assert download.suggested_filename == "vinh-phuc-2020-districts.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Thứ hạng")
    total = rows[header].index("Tổng điểm")
    totals = {r[1]: Decimal(str(r[total])) for r in rows[header + 1 :]}
    assert totals["UBND huyện Lập Thạch"] == Decimal("106.331")
    assert totals["UBND huyện Tam Dương"] == Decimal("74.337")


def test_download_csv(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("1,UBND huyện Lập Thạch,lap-thach,246,")


def test_tables_work_without_javascript(browser, live_demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_demo + "/vinh-phuc/don-vi/lap-thach/")
    assert "106,331" in page.locator("main").inner_text()
    context.close()


def _fold(text: str) -> str:
    from agencies.models import fold

    return fold(text)
