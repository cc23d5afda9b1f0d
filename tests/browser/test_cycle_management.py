"""ICT staff run a cycle in Chromium without the superuser.

They try to open Vĩnh Phúc's 2022 department cycle with a year out of range, a deadline
already gone and the data window backwards (refused, each field named), then open it;
move its deadline (a past date refused), extend it for Sở Tài chính with a reason, try to
reopen a submission that was never made (refused with why), and cancel the cycle, which
holds no data. The department block is used so the whole-cycle test's districts are left
as the demo has them; the cycle is gone at the end.
"""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.axe_check import axe_clean
from tests.browser.shows import shows
from tests.browser.test_yearly_cycle import sign_in

pytestmark = pytest.mark.browser

MANAGE = "/quan-ly/vinh-phuc/2022/departments/dieu-hanh/"


def day(n: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def alert(page) -> str:
    """The error summary (templates/_error_summary.html), which has the focus after a refusal."""
    expect(page.locator("#error-summary")).to_be_focused()  # by static/js/error-summary.js
    return page.locator("#error-summary").inner_text()


def test_ict_staff_open_move_extend_and_cancel_a_cycle(browser, cycle_demo, screenshots):
    base = cycle_demo
    ict = sign_in(browser, base, "ict")
    ict.goto(base + "/quan-ly/vinh-phuc/mo-ky/")
    source = ict.locator("#id_source option", has_text="sở, ban, ngành").filter(has_text="2021")
    ict.get_by_label("Sao chép từ bộ tiêu chí").select_option(label=source.first.inner_text())
    ict.get_by_label("Năm đánh giá").fill("1999")
    ict.get_by_label("Hạn nộp tự đánh giá").fill(day(-3))
    ict.get_by_label("Số liệu từ ngày").fill("2022-12-31")
    ict.get_by_label("Số liệu đến ngày").fill("2022-01-01")
    ict.get_by_role("button", name="Mở kỳ đánh giá").click()
    ict.wait_for_load_state()
    refused = alert(ict)
    assert "Năm đánh giá: từ 2000 đến 2100." in refused
    assert "đã qua: mọi đơn vị sẽ bị khoá ngay khi mở kỳ" in refused
    assert "Số liệu đến ngày (01/01/2022) phải từ ngày 31/12/2022 trở đi." in refused
    axe_clean(ict, screenshots, "manage-1-open-refused")
    ict.get_by_label("Năm đánh giá").fill("2022")
    ict.get_by_label("Hạn nộp tự đánh giá").fill(day(10))
    ict.get_by_label("Số liệu từ ngày").fill("2022-01-01")
    ict.get_by_label("Số liệu đến ngày").fill("2022-12-31")
    ict.get_by_role("button", name="Mở kỳ đánh giá").click()
    ict.wait_for_url("**/quan-ly/vinh-phuc/2022/departments/")

    ict.get_by_role("link", name="Điều hành kỳ").click()
    ict.wait_for_url("**" + MANAGE)
    deadline = ict.locator("form:has(input[value=deadline])")
    deadline.get_by_label("Hạn nộp mới").fill(day(-1))
    deadline.get_by_role("button", name="Dời hạn nộp").click()
    ict.wait_for_load_state()
    assert "đã qua: mọi đơn vị sẽ bị khoá ngay" in alert(ict)
    deadline = ict.locator("form:has(input[value=deadline])")
    deadline.get_by_label("Hạn nộp mới").fill(day(20))
    deadline.get_by_label("Lý do").fill("Trùng kỳ nghỉ lễ")
    deadline.get_by_role("button", name="Dời hạn nộp").click()
    ict.wait_for_load_state()
    shown = datetime.date.fromisoformat(day(20)).strftime("%d/%m/%Y")
    assert shows(ict, f"Đã dời hạn nộp đến {shown}.")

    extend = ict.locator("form:has(input[value=extend])")
    extend.get_by_label("Đơn vị").select_option(label="Sở Tài chính")
    extend.get_by_label("Gia hạn đến ngày").fill(day(27))
    extend.get_by_label("Lý do").fill("Đổi cán bộ đầu mối")
    extend.get_by_role("button", name="Gia hạn").click()
    ict.wait_for_load_state()
    assert shows(ict, "Sở Tài chính: ") and shows(ict, "Đổi cán bộ đầu mối")
    axe_clean(ict, screenshots, "manage-2-extended")

    reopen = ict.locator("form:has(input[value=reopen])")
    reopen.get_by_label("Đơn vị").select_option(label="Sở Tài chính")
    reopen.get_by_label("Lý do").fill("Sửa số liệu")
    reopen.get_by_role("button", name="Mở lại").click()
    ict.wait_for_load_state()
    assert "chưa nộp bản tự đánh giá; không có gì để mở lại" in alert(ict)

    end = ict.locator("form:has(input[value=end])")
    end.get_by_label("Cách kết thúc").select_option("cancel")
    end.get_by_label("Lý do").fill("Mở nhầm khối")
    end.get_by_role("button", name="Thực hiện").click()
    ict.wait_for_url("**/quan-ly/")
    assert shows(ict, "Đã huỷ kỳ đánh giá")
    assert ict.locator("a[href='/quan-ly/vinh-phuc/2022/departments/']").count() == 0
    axe_clean(ict, screenshots, "manage-3-cancelled")
