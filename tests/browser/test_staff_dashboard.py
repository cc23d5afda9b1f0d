"""ICT staff follow a cycle on its dashboard, in Chromium: a form error keeps what was
typed; moving to review lists who has not submitted; one click reminds the late agencies.
Axe finds no serious or critical violation on any of these staff pages."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser import axe_check
from tests.browser.shows import shows
from tests.browser.test_yearly_cycle import sign_in

pytestmark = pytest.mark.browser

DESK = "/quan-ly/vinh-phuc/2022/districts/"


@pytest.fixture(scope="module")
def staff_demo(tmp_path_factory):
    from tests.live import serve_demo

    yield from serve_demo(tmp_path_factory, "staff")


def axe_clean(page, screenshots, name):
    axe_check.axe_clean(page, screenshots, f"staff-{name}")


def test_form_errors_the_review_checklist_and_the_dashboard(browser, staff_demo, screenshots):
    base = staff_demo
    # 1. Opening the cycle: a bad year is refused next to the field; the set stays chosen.
    ict = sign_in(browser, base, "ict")
    ict.goto(base + "/quan-ly/vinh-phuc/mo-ky/")
    chosen = "Bộ tiêu chí khối UBND huyện, thành phố tỉnh Vĩnh Phúc năm 2021"
    ict.get_by_label("Sao chép từ bộ tiêu chí").select_option(label=chosen)
    ict.get_by_label("Năm đánh giá").fill("1999")
    deadline = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    ict.get_by_label("Hạn nộp tự đánh giá").fill(deadline)
    ict.get_by_role("button", name="Mở kỳ đánh giá").click()
    year = ict.get_by_label("Năm đánh giá")
    assert year.input_value() == "1999" and year.get_attribute("aria-invalid") == "true"
    message = ict.locator("#" + year.get_attribute("aria-describedby")).inner_text()
    assert "Năm đánh giá: từ 2000 đến 2100." in message
    source = ict.get_by_label("Sao chép từ bộ tiêu chí")
    assert source.locator("option:checked").inner_text() == chosen
    assert ict.get_by_label("Hạn nộp tự đánh giá").input_value() == deadline
    axe_clean(ict, screenshots, "cycle-new-error")
    year.fill("2022")
    ict.get_by_role("button", name="Mở kỳ đánh giá").click()
    ict.wait_for_url("**" + DESK)

    # 2. The self-assessment: one bad cell keeps all 19 typed inputs.
    reporter = sign_in(browser, base, "lapthach-baocao")
    reporter.goto(f"{base}{DESK}don-vi/lap-thach/tu-danh-gia/")
    for field in reporter.locator("input[name^='v-']").all():
        field.fill("3")
    for field in reporter.locator("input[name^='d-']").all():
        field.fill("4")
    for field in reporter.locator("select[name^='c-']").all():
        field.select_option("deputy")
    first = reporter.locator("input[name^='v-']").first
    first.fill("ba")
    reporter.get_by_role("button", name="Lưu số liệu").click()
    reporter.locator("[aria-invalid=true]").first.wait_for()
    values = reporter.locator("input[name^='v-']").evaluate_all("n => n.map(i => i.value)")
    assert values[0] == "ba" and set(values[1:]) == {"3"}
    assert set(reporter.locator("input[name^='d-']").evaluate_all("n => n.map(i => i.value)")) == {
        "4"
    }
    assert set(reporter.locator("select[name^='c-']").evaluate_all("n => n.map(s => s.value)")) == {
        "deputy"
    }
    assert first.get_attribute("aria-invalid") == "true"
    error = reporter.locator(f"[id='{first.get_attribute('aria-describedby')}']")
    assert "không phải là số" in error.inner_text()
    axe_clean(reporter, screenshots, "self-assessment-error")
    first.fill("3")
    reporter.get_by_role("button", name="Lưu số liệu").click()
    assert shows(reporter, "Đã lưu 19 tiêu chí")
    head = sign_in(browser, base, "lapthach-thutruong")
    own = f"{base}{DESK}don-vi/lap-thach/tu-danh-gia/"
    head.goto(own)
    submit = head.get_by_role("button", name="Thủ trưởng đơn vị: nộp bản tự đánh giá")
    submit.click()
    # The head is asked first: all 19 filled, none of the required evidence attached.
    assert head.get_by_role("heading", name="Nộp bản tự đánh giá?").is_visible()
    assert head.locator("#blank").count() == 0
    missing = head.locator("#missing-evidence a")
    assert missing.count() > 0
    axe_clean(head, screenshots, "submit-confirm")
    first = missing.first
    anchor = first.get_attribute("href").split("#")[1]
    first.click()  # to the criterion's row on the self-assessment page
    head.wait_for_url(own + "#" + anchor)
    target = head.locator(f"[id='{anchor}']")
    assert target.evaluate("e => e.tagName") == "TH" and target.is_visible()
    assert target.evaluate("e => e.getBoundingClientRect().top") < 720  # scrolled to it
    head.get_by_role("button", name="Thủ trưởng đơn vị: nộp bản tự đánh giá").click()
    head.get_by_role("button", name="Vẫn nộp như hiện tại").click()
    assert shows(head, "Đã nộp bản tự đánh giá")

    # 3. Moving to review first lists the 8 districts that have not submitted.
    ict.goto(base + DESK)
    ict.get_by_role("button", name="Kết thúc tự đánh giá, chuyển thẩm định").click()
    expect(ict.locator("#not-submitted li")).to_have_count(8)
    axe_clean(ict, screenshots, "review-checklist")
    ict.get_by_role("link", name="Huỷ", exact=True).click()
    assert shows(ict, "Đang tự đánh giá")

    # 4. The deadline passes: the dashboard shows 8 late; one click reminds them.
    ict.goto(base + DESK + "dieu-hanh/")
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    ict.locator("#id_deadline-deadline").fill(yesterday)
    ict.locator("#id_deadline-confirm_past").check()
    ict.get_by_role("button", name="Dời hạn nộp").click()
    ict.goto(base + DESK)
    ict.get_by_role("link", name="Tổng quan kỳ: ai đã nộp, ai quá hạn, tiến độ thẩm định").click()
    stats = ict.locator("dl.stats").inner_text()
    assert "1/9" in stats
    assert ict.locator("#late + ul li").count() == 8
    axe_clean(ict, screenshots, "dashboard")
    ict.get_by_role("button", name="Nhắc 8 đơn vị quá hạn").click()  # the box not ticked
    box = ict.get_by_label("Gửi nhắc nhở đến mọi đơn vị quá hạn chưa nộp")
    assert box.get_attribute("aria-invalid") == "true"
    axe_clean(ict, screenshots, "dashboard-error")
    box.check()
    ict.get_by_role("button", name="Nhắc 8 đơn vị quá hạn").click()
    assert shows(ict, "Đã nhắc 8 đơn vị quá hạn")
    axe_clean(ict, screenshots, "dashboard-reminded")


def test_a_closed_review_and_english_names_on_staff_pages(browser, staff_demo, screenshots):
    """The 2021 district cycle is published: the council's desk offers no save and says why.
    In English mode the cycle and the set the demo named read in English."""
    base = staff_demo
    reviewer = sign_in(browser, base, "hoidong")
    reviewer.goto(base + "/quan-ly/vinh-phuc/2021/districts/don-vi/lap-thach/tham-dinh/")
    assert "Kỳ đánh giá đã được công bố." in reviewer.locator("#review-lock").inner_text()
    assert reviewer.locator("form.review-form").count() == 0
    save = "Ghi 1.1.1"  # the start of the save button's name (a substring match)
    assert reviewer.get_by_role("button", name=save).count() == 0
    axe_clean(reviewer, screenshots, "review-locked")
    ict = sign_in(browser, base, "ict")
    ict.goto(base + "/quan-ly/vinh-phuc/2021/districts/")
    ict.get_by_label("Ngôn ngữ").select_option("en")
    ict.get_by_role("button", name="Đổi").click()
    heading = ict.get_by_role("heading", level=1).inner_text()
    assert heading == "Assessment cycle: Vĩnh Phúc · District People's Committees · 2021"
    stats = ict.locator("dl.stats").inner_text()
    assert "District People's Committees criteria set, Vĩnh Phúc province, 2021" in stats
    assert "Bộ tiêu chí" not in ict.locator("main").inner_text()
    axe_clean(ict, screenshots, "cycle-desk-english")
