"""The language switch remembers a signed-in person's choice (rankings.language): after
signing out and in again in a fresh browser, the site, the import's errors and the entry
template are English. On a demo server of its own (it stores a preference)."""

import io

import pytest
from openpyxl import load_workbook

from tests.browser.shows import shows
from tests.live import serve_demo

pytestmark = pytest.mark.browser

PASSWORD = "demo-2026"
IMPORT = "/quan-ly/vinh-phuc/2021/districts/nhap-lieu/"


@pytest.fixture(scope="module")
def language_demo(tmp_path_factory):
    yield from serve_demo(tmp_path_factory, "language")


def sign_in(browser, base, label_user, label_password, button):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label(label_user).fill("ict")
    page.get_by_label(label_password).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return context, page


def test_the_switch_stores_the_choice_which_follows_the_person(browser, language_demo, screenshots):
    base = language_demo
    context, page = sign_in(browser, base, "Tên đăng nhập", "Mật khẩu", "Đăng nhập")
    assert shows(page, "Đăng xuất")
    page.select_option("#language", "en")
    page.get_by_role("button", name="Đổi").click()
    assert shows(page, "Sign out")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Sign out").click()
    assert shows(page, "Sign in")
    context.close()

    # A fresh browser: no language cookie. The login page is Vietnamese; after signing in,
    # the stored choice applies.
    context, page = sign_in(browser, base, "Tên đăng nhập", "Mật khẩu", "Đăng nhập")
    assert shows(page, "Sign out")
    assert page.locator("html").get_attribute("lang") == "en"
    cookie = {c["name"]: c["value"] for c in context.cookies()}
    assert cookie["django_language"] == "en"

    # The entry template comes in English, and a bad file's errors name row and column in English.
    template = page.request.get(base + IMPORT.replace("nhap-lieu/", "mau-nhap-lieu.xlsx")).body()
    (screenshots / "template-en.xlsx").write_bytes(template)
    workbook = load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == ["Entry", "Criteria"]
    sheet = workbook["Entry"]
    header = next(r[0].row for r in sheet.iter_rows() if r[0].value == "agency_slug")
    sheet.cell(row=header + 2, column=3, value="abc")
    buffer = io.BytesIO()
    workbook.save(buffer)
    page.goto(base + IMPORT)
    file = {"name": "bad.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}
    page.set_input_files("#file", files=[file])
    page.get_by_role("button", name="Check and preview").click()
    assert shows(page, "nothing has been saved")
    errors = page.locator("main").inner_text()
    assert f"Row {header + 2}, column “" in errors and "must be a number" in errors
    assert "Dòng" not in errors
    page.screenshot(path=screenshots / "import-errors-en.png", full_page=True)
    context.close()
