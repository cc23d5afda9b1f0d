"""The Content-Security-Policy as Chromium enforces it: pages work and nothing is blocked.

Every page is loaded with a listener for `securitypolicyviolation` events (installed by
Playwright before the page's own code, which CSP does not govern) and the console read for
CSP errors. Charts are drawn from `<script type="application/json">` blocks, which CSP does
not block because they never execute; the test that injects an inline script shows the
listener does catch a real violation.
"""

import pytest

from tests.browser.test_yearly_cycle import PASSWORD, filled_template

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    [e.effectiveDirective, e.blockedURI || "inline", e.sourceFile || ""].join(" ")
  );
});
"""

PUBLIC = {
    "home": "/",
    "province": "/vinh-phuc/",
    "leaderboard": "/vinh-phuc/2020/districts/",
    "agency-charts": "/vinh-phuc/don-vi/lap-thach/",
    "trends-charts": "/vinh-phuc/xu-huong/districts/",
    "compare": "/vinh-phuc/2020/so-sanh/?agency=lap-thach&agency=yen-lac",
    "methodology": "/phuong-phap/vinh-phuc-districts-2020/",
    "login": "/tai-khoan/login/",
    "api-swagger": "/api/v1/docs/",
    "embed-leaderboard": "/nhung/vi/vinh-phuc/2020/districts/",
    "embed-agency": "/nhung/en/vinh-phuc/don-vi/lap-thach/",
    "alert-subscribe": "/thu-bao/vinh-phuc/don-vi/lap-thach/",
}
CHARTS = {"agency-charts": 2, "trends-charts": 1}


class Watched:
    """A page whose CSP violations and console errors are collected."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text[:300])

    def visit(self, url: str):
        self.console.clear()
        response = self.page.goto(url, wait_until="networkidle")
        return response

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations") + self.console


@pytest.fixture
def watched(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    yield Watched(context.new_page())
    context.close()


def sign_in(watched, base, username, password):
    watched.visit(base + "/tai-khoan/login/")
    watched.page.fill("#id_username", username)
    watched.page.fill("#id_password", password)
    watched.page.click(".login-form button[type=submit]")
    watched.page.wait_for_load_state("networkidle")
    assert "/tai-khoan/login/" not in watched.page.url, "sign-in failed"


@pytest.mark.parametrize("name", list(PUBLIC))
def test_public_pages_work_with_no_csp_violation(watched, live_demo, screenshots, name):
    response = watched.visit(live_demo + PUBLIC[name])
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    if name in CHARTS:
        page = watched.page
        page.wait_for_selector(".chart-plot .main-svg")
        assert page.locator(".chart-plot .main-svg").count() >= CHARTS[name]
        assert page.locator('script[type="application/json"]').count() >= CHARTS[name]
        assert page.locator(".chart-plot .scatterlayer, .chart-plot .barlayer").count() >= 1
        page.screenshot(path=screenshots / f"csp-{name}.png", full_page=True)
    if name == "api-swagger":
        watched.page.wait_for_selector(".swagger-ui .opblock")
    assert watched.violations() == []


def test_the_listener_does_catch_an_inline_script(watched, live_demo):
    watched.visit(live_demo + "/vinh-phuc/don-vi/lap-thach/")
    ran = watched.page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__inlineRan = true"; document.body.append(s);
        return window.__inlineRan === true; }"""
    )
    # The violation event is dispatched asynchronously: wait for it, not for a fixed time.
    watched.page.wait_for_function(
        "window.__cspViolations.some(v => v.startsWith('script-src-elem inline'))",
        timeout=5000,
    )
    assert ran is False
    assert any(v.startswith("script-src-elem inline") for v in watched.violations())


def test_redoc_loads_only_its_own_assets(watched, live_demo):
    watched.visit(live_demo + "/api/v1/redoc/")
    watched.page.wait_for_selector(".api-content")
    # ReDoc's "powered by" logo comes from its CDN, which the policy refuses; nothing else.
    blocked = [v for v in watched.violations() if "cdn.redoc.ly" not in v]
    assert blocked == []


def test_staff_pages_and_the_import_progress_bar(watched, live_demo):
    sign_in(watched, live_demo, "ict", PASSWORD)
    desk = "/quan-ly/vinh-phuc/2021/districts/"
    for url in ("/quan-ly/", desk, desk + "ban-nhap/", "/thong-bao/", desk + "nhap-lieu/"):
        assert watched.visit(live_demo + url).status == 200, url
        assert watched.violations() == [], url
    # An upload by import-progress.js: XMLHttpRequest, polling, then the server's page
    # written into the document; a preview saves nothing.
    page = watched.page
    template = page.request.get(live_demo + desk + "mau-nhap-lieu.xlsx").body()
    file = {"name": "diem.xlsx", "mimeType": "application/octet-stream"}
    page.set_input_files("#file", files=[{**file, "buffer": filled_template(template, set())}])
    page.get_by_role("button", name="Kiểm tra và xem trước").click()
    page.wait_for_selector("#preview")
    assert watched.violations() == []


def test_admin_pages_with_no_csp_violation(watched, live_demo):
    sign_in(watched, live_demo, "admin", "admin")
    for url in (
        "/admin/",
        "/admin/rankings/assessmentcycle/",
        "/admin/rankings/assessmentcycle/1/change/",
        "/admin/auth/user/add/",
    ):
        assert watched.visit(live_demo + url).status == 200, url
        assert watched.violations() == [], url
