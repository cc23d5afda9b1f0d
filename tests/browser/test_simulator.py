"""The what-if simulator in Chromium against the demo: Yên Lạc (2nd of 9 districts in 2021,
108,450) reaches Lập Thạch's 112,300 with 2.1.1 scored 11,18 instead of 7,33.

With JavaScript the figures change as the input is typed, without a reload (the script
posts to the API); without it the form is submitted and the server recomputes.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_csp import LISTEN

pytestmark = pytest.mark.browser

SIMULATOR = "/vinh-phuc/don-vi/yen-lac/mo-phong/"
INPUT = "#id_v-2\\.1\\.1"  # criterion 2.1.1's value (the portal, direct scoring)


def test_typing_a_value_changes_the_rank_without_a_reload(browser, live_demo, screenshots):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    calls = []
    page.on("request", lambda r: calls.append((r.method, r.resource_type, r.url)))
    page.goto(live_demo + SIMULATOR)
    expect(page.locator("#sim-rank")).to_have_text("2/9")
    page.evaluate("window.__sameDocument = true")
    loaded = len([c for c in calls if c[1] == "document"])
    page.fill(INPUT, "11,18")
    expect(page.locator("#sim-rank")).to_have_text("1/9")
    expect(page.locator("#sim-total")).to_have_text("112,300")
    expect(page.locator('[data-points="2.1.1"]')).to_have_text("11,180")
    assert page.evaluate("window.__sameDocument") is True
    assert len([c for c in calls if c[1] == "document"]) == loaded
    assert any(m == "POST" and u.endswith("/api/v1/simulator/") for m, _t, u in calls)
    assert "v-2.1.1=11%2C18" in page.url  # the address keeps the state, for a reload or a link
    assert "Đơn vị đang đứng đầu khối." in page.locator("#sim-plans").inner_text()
    assert page.evaluate("window.__cspViolations") == []
    page.screenshot(path=screenshots / "simulator-vi.png", full_page=True)
    serious = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []
    context.close()


def test_a_refused_value_is_named_in_place(page, live_demo):
    page.goto(live_demo + SIMULATOR)
    page.fill(INPUT, "13")
    expect(page.locator("#sim-problems")).to_contain_text(
        "Tiêu chí 2.1.1, giá trị: giá trị 13 vượt điểm tối đa 12"
    )
    expect(page.locator("#sim-rank")).to_have_text("2/9")


def test_without_javascript_the_form_recomputes(browser, live_demo, screenshots):
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(live_demo + SIMULATOR)
    page.fill(INPUT, "11,18")
    page.get_by_role("button", name="Tính lại").click()
    page.wait_for_url(re.compile(r"v-2\.1\.1=11%2C18"))
    expect(page.locator("#sim-rank")).to_have_text("1/9")
    expect(page.locator("tr.changed")).to_have_count(1)
    page.screenshot(path=screenshots / "simulator-nojs.png", full_page=True)
    context.close()


def test_english(browser, live_demo, screenshots):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_demo}])
    page = context.new_page()
    page.goto(live_demo + SIMULATOR)
    page.fill(INPUT, "11.18")
    expect(page.locator("#sim-rank")).to_have_text("1/9")
    expect(page.locator("#sim-total")).to_have_text("112.300")
    assert "The agency is first in its block." in page.locator("#sim-plans").inner_text()
    page.screenshot(path=screenshots / "simulator-en.png", full_page=True)
    context.close()


def test_the_agency_page_leads_to_the_simulator(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/don-vi/yen-lac/")
    page.get_by_role("link", name="Mô phỏng: cần thay đổi gì để lên hạng, lên xếp loại?").click()
    expect(page.locator("h1")).to_contain_text("Yên Lạc")
    expect(page.locator("#sim-plans")).to_contain_text("cần thêm ít nhất 3,850 điểm")
