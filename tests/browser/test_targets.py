"""Targets in Chromium: Lập Thạch's reporter records a target of its 2021–2025 plan by the
form (after a typing mistake, which keeps what was typed), imports the rest of the plan's
table (a bad row first: nothing written), then reads them on the public profile beside the
published values, with their status; the province's table agrees. Both languages.

Lập Thạch's published 2.3.1 (outgoing documents digitally signed) is 253/362 = 69,89 %
(2019), 294/397 = 74,055 % (2020), 321/379 = 84,697 % (2021): ≥ 80 % by 2025 is met.
2.1.2 (procedures on the portal) is 66,25 %, 79,076 %, 78,571 %: ≥ 100 % by 2022 runs on
the line 66,25 → 100, at 88,75 in 2021, so it is behind.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.axe_check import axe_clean
from tests.browser.shows import shows
from tests.browser.test_yearly_cycle import sign_in
from tests.live import serve_demo

pytestmark = pytest.mark.browser

STAFF = "/quan-ly/vinh-phuc/muc-tieu/"
PROFILE = "/vinh-phuc/don-vi/lap-thach/"
PLAN = (
    "agency_slug,indicator,measure,criterion_code,year,comparison,value,note\n"
    "lap-thach,Thủ tục công khai trên cổng,ratio,2.1.2,2022,at_least,100,KH 2021-2025\n"
    "lap-thach,Người dân hài lòng,text,,2025,at_least,90,Khảo sát\n"
)


@pytest.fixture(scope="module")
def targets_demo(tmp_path_factory):
    """A demo server of this module's own: the test writes targets."""
    yield from serve_demo(tmp_path_factory, "targets")


def english(page) -> None:
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    page.wait_for_load_state()


def test_agency_staff_add_a_target_and_see_it_on_the_profile(
    browser, targets_demo, screenshots, tmp_path
):
    base = targets_demo
    page = sign_in(browser, base, "lapthach-baocao")
    page.goto(base + STAFF)
    page.get_by_role("link", name="Thêm chỉ tiêu").click()
    page.get_by_label("Chỉ tiêu:", exact=True).fill("Tỷ lệ văn bản đi được ký số")
    page.get_by_label("Đo bằng").select_option("ratio")
    page.get_by_label("Mã tiêu chí").fill("2.3.1")
    page.get_by_label("Năm mục tiêu").fill("2025")
    page.get_by_label("Giá trị mục tiêu").fill("tám mươi")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    summary = page.locator("#error-summary")  # focused on load, linked to the field
    assert "Giá trị mục tiêu: “tám mươi” không phải số" in summary.inner_text()
    expect(summary).to_be_focused()  # by static/js/error-summary.js, once the page loaded
    assert page.get_by_label("Chỉ tiêu:", exact=True).input_value() == "Tỷ lệ văn bản đi được ký số"
    axe_clean(page, screenshots, "targets-form-error")
    page.get_by_label("Giá trị mục tiêu").fill("80")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    assert shows(page, "Đã lưu chỉ tiêu “Tỷ lệ văn bản đi được ký số”.")

    page.get_by_role("link", name="Nhập từ tệp .xlsx/.csv").click()
    bad = tmp_path / "ke-hoach-sai.csv"
    bad.write_text(PLAN.replace("2022,at_least,100", "2022,at_least,120"), encoding="utf-8")
    page.get_by_label("Tệp .xlsx hoặc .csv").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    problems = page.locator("#import-problems").inner_text()
    assert "Dòng 2, cột “value”: Giá trị mục tiêu: tỷ lệ phần trăm không quá 100." in problems
    axe_clean(page, screenshots, "targets-import-error")
    good = tmp_path / "ke-hoach.csv"
    good.write_text(PLAN, encoding="utf-8")
    page.get_by_label("Tệp .xlsx hoặc .csv").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    assert shows(page, "Đã nhập 2 chỉ tiêu.")
    axe_clean(page, screenshots, "targets-staff-list")

    page.goto(base + PROFILE)
    section = page.locator("#targets-section")
    assert "Đúng tiến độ: chưa đạt nhưng bằng hoặc vượt đường thẳng" in section.inner_text()
    rows = section.locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    signed = next(t for t in texts if "ký số" in t)
    assert all(v in signed for v in ("69,89", "74,055", "84,697", "Đạt"))
    portal = next(t for t in texts if "công khai trên cổng" in t)
    assert all(v in portal for v in ("66,25", "79,076", "78,571", "88,75", "Chậm tiến độ"))
    assert "Chưa có số liệu" in next(t for t in texts if "hài lòng" in t)
    section.scroll_into_view_if_needed()
    axe_clean(page, screenshots, "targets-profile-vi")
    section.screenshot(path=screenshots / "targets-profile-section-vi.png")

    page.goto(base + "/vinh-phuc/muc-tieu/")
    table = page.locator("#province-targets").inner_text()
    assert "UBND huyện Lập Thạch" in table and "Chậm tiến độ" in table
    axe_clean(page, screenshots, "targets-province-vi")

    english(page)
    assert "Agencies' targets" in page.locator("h1").inner_text()
    assert "Behind" in page.locator("#province-targets").inner_text()
    axe_clean(page, screenshots, "targets-province-en")
    page.goto(base + PROFILE)
    section = page.locator("#targets-section")
    assert "Plan targets and progress" in section.inner_text()
    assert "84.697" in section.inner_text() and "Met" in section.inner_text()
    section.screenshot(path=screenshots / "targets-profile-section-en.png")
    page.goto(base + STAFF + "them/")
    page.get_by_role("button", name="Save target").click()
    assert "Indicator: enter the indicator's name." in page.locator("#error-summary").inner_text()
    assert page.title().startswith("Error")
    axe_clean(page, screenshots, "targets-form-error-en")
