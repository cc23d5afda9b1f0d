"""The account pages in Chromium: the token page and the password reset, by keyboard and
mouse, accessible (axe), on a demo server of their own (they change data)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.live import serve_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def accounts_demo(tmp_path_factory):
    yield from serve_demo(tmp_path_factory, "accounts")


def serious(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_owner_makes_sees_once_and_revokes_a_token(browser, accounts_demo, screenshots):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(accounts_demo + "/tai-khoan/login/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(accounts_demo + "/tai-khoan/ma-truy-cap/")
    page.get_by_role("button", name="Tạo mã mới").click()
    token = page.get_by_label("Mã truy cập", exact=True).input_value()
    assert len(token) == 64
    page.screenshot(path=screenshots / "tokens.png", full_page=True)
    assert serious(page) == []
    page.goto(accounts_demo + "/tai-khoan/ma-truy-cap/")
    assert token not in page.content() and token[:15] in page.content()
    revoke = page.get_by_role("button", name=f"Thu hồi mã {token[:15]}")
    revoke.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Đã thu hồi mã truy cập.").wait_for()
    page.screenshot(path=screenshots / "tokens-revoked.png", full_page=True)
    assert token[:15] not in page.content()
    context.close()


def test_the_reset_pages_are_the_site_s_and_accessible(page, accounts_demo, screenshots):
    page.goto(accounts_demo + "/tai-khoan/login/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    assert page.locator("h1").inner_text() == "Quên mật khẩu"
    assert serious(page) == []
    page.get_by_label("Thư điện tử").fill("khong-co@example.vn")
    page.get_by_role("button", name="Gửi đường dẫn").click()
    assert page.locator("h1").inner_text() == "Kiểm tra hộp thư"
    page.screenshot(path=screenshots / "password-reset-done.png", full_page=True)
    assert serious(page) == []
