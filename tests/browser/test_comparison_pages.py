"""The demo's Vĩnh Phúc departments 2023 (a 1000-point set after a 63-point one, 2022 not
published, 18 ranked instead of 20), as a person sees it: every page names 2021 as the
baseline, says 2022 is missing and the set changed, and draws years in percent."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = {
    "comparison-leaderboard": "/vinh-phuc/2023/departments/",
    "comparison-agency": "/vinh-phuc/don-vi/so-nv/",
    "comparison-trends": "/vinh-phuc/xu-huong/departments/",
}
NOTES = (
    "Năm 2023 so với năm 2021",
    "Không có bảng xếp hạng công bố năm 2022",
    "Bộ tiêu chí đã thay đổi (điểm tối đa 63 → 1000)",
    "Số đơn vị được xếp hạng khác nhau (20 năm 2021, 18 năm 2023)",
)


@pytest.mark.parametrize("name", list(PAGES))
def test_gap_and_method_change_are_said_and_accessible(page, live_demo, screenshots, name):
    page.goto(live_demo + PAGES[name])
    notice = page.locator("#comparison-2023").inner_text()
    for note in NOTES:
        assert note in notice, note
    page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in {"serious", "critical"}]
    assert serious == [], serious


def test_leaderboard_gives_percent_changes_against_2021(page, live_demo):
    page.goto(live_demo + PAGES["comparison-leaderboard"])
    assert "So sánh với bảng xếp hạng năm 2021" in page.locator("#baseline").inner_text()
    first = page.locator("#leaderboard tbody tr").first.inner_text()
    # Sở TT&TT: 97 % of 63 in 2021, 91,24 % of 1000 in 2023.
    assert "Sở Thông tin và Truyền thông" in first and "−5,76 điểm %" in first


def test_charts_mark_the_method_change(page, live_demo):
    page.goto(live_demo + PAGES["comparison-trends"])
    chart = page.locator("#trend-chart")
    chart.locator("text.annotation-text").first.wait_for()
    assert "Đổi bộ tiêu chí" in chart.inner_text()
    assert "% điểm tối đa" in chart.inner_text()
    page.goto(live_demo + PAGES["comparison-agency"])
    history = page.locator("#history-chart")
    history.locator("text.annotation-text").first.wait_for()
    assert "Đổi bộ tiêu chí" in history.inner_text()


def test_english_names_the_baseline(page, live_demo, screenshots):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_demo}])
    page.goto(live_demo + PAGES["comparison-leaderboard"])
    notice = page.locator("#comparison-2023").inner_text()
    assert "No ranking was published for 2022" in notice
    assert "The criteria set changed (maximum 63 → 1000)" in notice
    page.screenshot(path=screenshots / "comparison-leaderboard-en.png", full_page=True)
