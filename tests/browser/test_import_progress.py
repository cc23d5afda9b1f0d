"""The import's progress bar in Chromium, on the workflow demo's 2021 districts.

The upload goes by XMLHttpRequest: the bar shows the bytes sent, then the server's phases,
then the page the server answered. The confirmation is a plain navigation, held back by
Playwright once the server has answered, so the test sees what a user sees during a long
import: the page polling the server's own progress until it says done.
"""

import base64
import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_yearly_cycle import PASSWORD, filled_template

pytestmark = pytest.mark.browser

IMPORT = "/quan-ly/vinh-phuc/2021/districts/nhap-lieu/"
DONE = "Đã xử lý xong; đang mở kết quả…"


def watch(page, region):
    """Log each change of the region to the console: its text, what the status says, the bar."""
    page.evaluate(
        """region => {
            const box = document.getElementById(region);
            const bar = box.querySelector("progress");
            const text = box.querySelector(".import-progress-text");
            const said = box.querySelector("[aria-live=polite]");
            new MutationObserver(() => console.log(JSON.stringify({
                text: text.textContent, said: said.textContent, shown: !box.hidden,
                value: bar.value, max: bar.max,
            }))).observe(box, {childList: true, characterData: true, subtree: true});
        }""",
        region,
    )


def test_upload_and_confirmation_show_real_progress(browser, cycle_demo, screenshots):
    base = cycle_demo
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label("Tên đăng nhập").fill("ict")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    template = page.request.get(base + IMPORT.replace("nhap-lieu/", "mau-nhap-lieu.xlsx")).body()
    shown = []
    page.on("console", lambda message: shown.append(message.text))

    # 1. Upload by XMLHttpRequest: bytes, the server's work, then the server's answer.
    page.goto(base + IMPORT)
    expect(page.get_by_label("Tiến độ kiểm tra tệp")).to_be_hidden()
    data = filled_template(template, set())
    file = {"name": "diem-2021.xlsx", "mimeType": "application/octet-stream", "buffer": data}
    page.set_input_files("#file", files=[file])
    watch(page, "upload-progress")
    page.get_by_role("button", name="Kiểm tra và xem trước").click()
    expect(page.locator("#preview")).to_be_visible()
    assert page.locator("#preview tbody tr").count() == 9
    assert page.url == base + IMPORT
    states = [json.loads(text) for text in shown if text.startswith("{")]
    kb = -(-len(data) // 1024)
    started = f"Đang tải tệp lên: 0/{kb} KB"
    assert states[0] == {"text": started, "said": started, "shown": True} | {
        "value": 0,
        "max": len(data),
    }, states
    # Every byte sent is shown; a screen reader is told the upload once, not each count.
    sent = [state for state in states if state["text"] == f"Đang tải tệp lên: {kb}/{kb} KB"]
    assert sent and all(state["said"] == started for state in sent), states
    # Counted in the file's bytes from start to end: the request's own bytes (the file plus
    # the form's other fields and boundaries) ended on "13/13 KB" after "0/12 KB".
    uploading = [state for state in states if state["text"].startswith("Đang tải tệp lên")]
    assert {(state["text"].split("/")[1], state["max"]) for state in uploading} == {
        (f"{kb} KB", len(data))
    }, states
    assert states[-1] == {"text": DONE, "said": DONE, "shown": True, "value": 1, "max": 1}

    # 2. The confirmation (a correction: 2021 is published) navigates; the page polls.
    held = []

    def hold(route):
        if route.request.method == "POST":
            held.append((route, route.fetch(max_redirects=0)))
        else:
            route.continue_()

    page.route("**" + IMPORT, hold)
    page.get_by_label("Lý do đính chính").fill("Sửa số liệu theo biên bản kiểm tra")
    watch(page, "confirm-progress")
    # Locators would wait for the held navigation: the page's own log is read instead.
    with page.expect_console_message(lambda message: DONE in message.text) as done:
        page.get_by_role("button", name="Xác nhận nhập").click(no_wait_after=True)
    final = {"text": DONE, "said": DONE, "shown": True, "value": 1, "max": 1}
    assert json.loads(done.value.text) == final
    assert held[0][1].status == 302  # the server has answered; the browser has not yet
    # Playwright's own screenshot waits for the navigation too; Chromium's does not.
    shot = context.new_cdp_session(page).send("Page.captureScreenshot")["data"]
    (screenshots / "import-progress-confirmed.png").write_bytes(base64.b64decode(shot))
    route, response = held.pop()
    route.fulfill(response=response)
    page.wait_for_url("**/ban-nhap/")
    expect(page.locator(".messages")).to_contain_text("Đã nhập 9 đơn vị")
    context.close()
