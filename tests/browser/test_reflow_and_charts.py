"""Issue #23, items 3-5, in Chromium: reflow at 320 CSS px, charts for the eye only, rank
changes in words.

- At 320 px wide no page scrolls sideways (`document.scrollingElement.scrollWidth` ≤ 320)
  and nothing outside a data table's own `.table-wrap` runs past the right edge; a wrap
  that scrolls is a focusable region named by its table's caption. Public pages and the
  staff pages of every role, Vietnamese and English, signed in and out.
- The plotly mode bar is off (nothing in a chart is tabbable), the picture is
  aria-hidden, and the full accessibility tree (CDP `Accessibility.getFullAXTree`) has no
  image or graphics node without a name; the figure is described by its text summary and
  its data table's caption.
- A rank change is read in words ("tăng 1 bậc, năm trước hạng 4", "up 1 place, ranked 4
  last year"), the arrow hidden from assistive technology.
- At 640 px the leaderboard's group columns are out of sight but still table cells.
"""

import datetime

import pytest

from tests.browser.axe_check import axe_clean
from tests.browser.test_yearly_cycle import PASSWORD
from tests.live import serve_demo

pytestmark = pytest.mark.browser

PUBLIC = (
    "/",
    "/phuong-phap/",
    "/phuong-phap/vinh-phuc-districts-2021/",
    "/vinh-phuc/",
    "/vinh-phuc/2021/districts/",
    "/vinh-phuc/2023/departments/",
    "/vinh-phuc/2021/so-sanh/",
    "/vinh-phuc/xu-huong/districts/",
    "/son-la/xu-huong/districts/",
    "/vinh-phuc/don-vi/tam-dao/",
    "/vinh-phuc/don-vi/tam-dao/mo-phong/",
    "/tai-khoan/login/",
)
DESK = "/quan-ly/vinh-phuc/2022/districts/"
SELF = DESK + "don-vi/lap-thach/tu-danh-gia/"
STAFF = {
    "ict": (
        "/quan-ly/",
        "/quan-ly/vinh-phuc/mo-ky/",
        DESK,
        DESK + "nhap-lieu/",
        "/quan-ly/vinh-phuc/2021/districts/dieu-hanh/",
        "/quan-ly/vinh-phuc/muc-tieu/",
        "/quan-ly/vinh-phuc/muc-tieu/them/",
        "/quan-ly/vinh-phuc/muc-tieu/nhap-tep/",
        "/thong-bao/",
    ),
    "lapthach-baocao": ("/quan-ly/", SELF, "/quan-ly/vinh-phuc/muc-tieu/"),
    "lapthach-thutruong": ("/quan-ly/", SELF),
    "hoidong": ("/quan-ly/", DESK, DESK + "don-vi/lap-thach/tham-dinh/"),
    "pheduyet": ("/quan-ly/", "/quan-ly/vinh-phuc/2021/districts/"),
    "quantri": ("/quan-ly/", "/quan-ly/thiet-lap/vinh-phuc/"),
}

# What runs past the right edge of the viewport, outside a data table's own scroller.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".table-wrap")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5)
      wide.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} → ${Math.round(box.right)}`);
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, wide: wide.slice(0, 5)};
}"""
# Each .table-wrap that scrolls: is it a focusable region with a name?
SCROLLERS = """() => [...document.querySelectorAll(".table-wrap")]
  .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
  .map(wrap => ({
    tabindex: wrap.getAttribute("tabindex"),
    role: wrap.getAttribute("role"),
    name: (wrap.getAttribute("aria-labelledby") &&
           document.getElementById(wrap.getAttribute("aria-labelledby"))?.textContent.trim())
          || wrap.getAttribute("aria-label") || "",
  }))"""
GRAPHICS = {"image", "img", "graphics-document", "graphics-object", "graphics-symbol", "SvgRoot"}


@pytest.fixture(scope="module")
def reflow_demo(tmp_path_factory):
    """The demo, in which the first test opens Vĩnh Phúc's 2022 district cycle."""
    yield from serve_demo(tmp_path_factory, "reflow")


def new_page(browser, base, *, width, language="vi", user=None):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    if user:
        page.goto(base + "/tai-khoan/login/")
        page.locator("#id_username").fill(user)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_load_state()
        assert "/tai-khoan/login/" not in page.url, user
    return page


def open_2022_cycle(browser, base):
    page = new_page(browser, base, width=1280, user="ict")
    page.goto(base + "/quan-ly/vinh-phuc/mo-ky/")
    page.get_by_label("Sao chép từ bộ tiêu chí").select_option(
        label="Bộ tiêu chí khối UBND huyện, thành phố tỉnh Vĩnh Phúc năm 2021"
    )
    page.get_by_label("Năm đánh giá").fill("2022")
    deadline = datetime.date.today() + datetime.timedelta(days=14)
    page.get_by_label("Hạn nộp tự đánh giá").fill(deadline.isoformat())
    page.get_by_role("button", name="Mở kỳ đánh giá").click()
    page.wait_for_url("**" + DESK)
    page.context.close()


def reflows(page, base, path) -> list:
    """Problems with `path` at the page's width: [] when it reflows."""
    response = page.goto(base + path)
    assert response.status == 200, (path, response.status)
    page.wait_for_timeout(100)  # table-scroll.js runs deferred
    found = page.evaluate(OVERFLOW)
    problems: list = []
    if found["scrollWidth"] > 320 or found["wide"]:
        problems.append((path, found))
    for scroller in page.evaluate(SCROLLERS):
        if (
            scroller != {"tabindex": "0", "role": "region", "name": scroller["name"]}
            or not (scroller["name"])
        ):
            problems.append((path, "table scroller", scroller))
    return problems


def unnamed_graphics(page) -> list:
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    return [
        (node["role"]["value"], node.get("backendDOMNodeId"))
        for node in nodes
        if not node.get("ignored")
        and node.get("role", {}).get("value") in GRAPHICS
        and not node.get("name", {}).get("value")
    ]


def test_pages_reflow_at_320_px(browser, reflow_demo, screenshots):
    base = reflow_demo
    open_2022_cycle(browser, base)
    problems: list = []
    for language in ("vi", "en"):
        page = new_page(browser, base, width=320, language=language)
        for path in PUBLIC:
            problems += reflows(page, base, path)
        page.context.close()
        for user, paths in STAFF.items():
            page = new_page(browser, base, width=320, language=language, user=user)
            for path in paths:
                problems += reflows(page, base, path)
            if user == "ict":  # the signed-in menu: "Sign out" on screen
                button = page.locator("header form.inline button")
                box = button.bounding_box()
                assert box and box["x"] + box["width"] <= 320, (language, box)
                page.screenshot(path=screenshots / f"reflow-320-ict-menu-{language}.png")
            if user == "lapthach-baocao":
                page.goto(base + SELF)
                page.screenshot(
                    path=screenshots / f"reflow-320-self-assessment-{language}.png", full_page=True
                )
                axe_clean(page, screenshots, f"reflow-320-self-assessment-axe-{language}")
            page.context.close()
    assert problems == [], problems


def test_the_reflow_check_can_fail(browser, reflow_demo):
    """The check above sees a control that runs off the screen."""
    page = new_page(browser, reflow_demo, width=320)
    page.goto(reflow_demo + "/")
    page.evaluate(
        "() => { const d = document.createElement('div'); d.className = 'wide';"
        " d.style.width = '400px'; d.textContent = 'x'; document.querySelector('main').append(d); }"
    )
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] > 320 and found["wide"]
    page.context.close()


@pytest.mark.parametrize(
    "path", ["/vinh-phuc/don-vi/tam-dao/", "/vinh-phuc/xu-huong/districts/"], ids=str
)
def test_charts_are_pictures_described_by_their_summary_and_table(
    browser, reflow_demo, screenshots, path
):
    page = new_page(browser, reflow_demo, width=1280)
    page.goto(reflow_demo + path)
    page.wait_for_selector(".chart-plot svg.main-svg")
    # Drawn, without a mode bar and with nothing inside that takes focus.
    assert page.locator(".chart-plot svg.main-svg").count() >= 1
    assert page.locator(".modebar-btn").count() == 0
    tabbable = page.evaluate(
        """() => [...document.querySelectorAll(".chart-plot *")]
             .filter(el => el.tabIndex >= 0 || el.matches("a[href], button, input")).length"""
    )
    assert tabbable == 0
    # Tab through the page: focus never lands inside a chart.
    for _ in range(60):
        page.keyboard.press("Tab")
        assert not page.evaluate("() => !!document.activeElement.closest('.chart-plot')")
    # The picture is hidden; the tree has no unnamed image or graphics node.
    for plot in page.locator(".chart-plot").all():
        assert plot.get_attribute("aria-hidden") == "true"
    assert page.evaluate(
        "() => document.getElementById('js-plotly-tester')?.getAttribute('aria-hidden')"
    ) in (None, "true")
    assert unnamed_graphics(page) == []
    # Each figure: named by its caption, described by its summary and its table's caption.
    for figure in page.locator("figure.chart").all():
        described = figure.get_attribute("aria-describedby").split()
        summary, table = (page.locator(f"#{ref}") for ref in described)
        assert summary.evaluate("el => el.className") == "summary"
        assert summary.inner_text().strip()
        assert table.evaluate("el => el.tagName") == "CAPTION"
        assert table.inner_text().startswith("Dữ liệu của biểu đồ")
    snapshot = page.locator("main").aria_snapshot()
    assert "figure" in snapshot and "img" not in snapshot
    page.screenshot(path=screenshots / f"chart-1280-{path.strip('/').replace('/', '-')}.png")
    axe_clean(page, screenshots, f"chart-axe-{path.strip('/').replace('/', '-')}")
    # The check can fail: without aria-hidden, plotly's SVG shows as unnamed graphics.
    page.evaluate(
        "() => document.querySelectorAll('.chart-plot')"
        ".forEach(n => n.removeAttribute('aria-hidden'))"
    )
    assert unnamed_graphics(page)
    page.context.close()


@pytest.mark.parametrize(
    "language, up, down, same",
    [
        (
            "vi",
            "tăng 1 bậc, năm trước hạng 4",
            "giảm 1 bậc, năm trước hạng 3",
            "giữ nguyên hạng, năm trước hạng 1",
        ),
        (
            "en",
            "up 1 place, ranked 4 last year",
            "down 1 place, ranked 3 last year",
            "same rank, ranked 1 last year",
        ),
    ],
)
def test_rank_changes_are_read_in_words(
    browser, reflow_demo, screenshots, language, up, down, same
):
    base = reflow_demo
    page = new_page(browser, base, width=1280, language=language)
    # Leaderboard 2021: Tam Đảo 4th → 3rd, Vĩnh Yên 3rd → 4th, Lập Thạch 1st twice.
    page.goto(base + "/vinh-phuc/2021/districts/")
    table = page.locator("#leaderboard").aria_snapshot()
    assert up in table and down in table and same in table
    assert "▲" not in table and "▼" not in table
    assert page.locator("#leaderboard [aria-label]").count() == 0  # no prohibited labels
    # Visible: the arrow and count.
    row = page.locator("#leaderboard tr", has=page.get_by_role("link", name="UBND huyện Tam Đảo"))
    assert "▲1" in row.inner_text()
    page.screenshot(path=screenshots / f"rank-words-leaderboard-1280-{language}.png")
    axe_clean(page, screenshots, f"rank-words-leaderboard-axe-{language}")
    # The profile (latest rank and history) and the trends' movers.
    page.goto(base + "/vinh-phuc/don-vi/tam-dao/")
    main = page.locator("main").aria_snapshot()
    assert up in main and "▲" not in main  # the latest rank and the history table
    page.goto(base + "/vinh-phuc/xu-huong/districts/")
    main = page.locator("main").aria_snapshot()
    assert up in main and down in main and "▲" not in main and "▼" not in main
    # The embed card.
    page.goto(f"{base}/nhung/{language}/vinh-phuc/don-vi/tam-dao/")
    body = page.locator("body").aria_snapshot()
    assert up in body and "▲" not in body
    page.context.close()


def test_leaderboard_group_columns_stay_cells_at_640_px(browser, reflow_demo, screenshots):
    page = new_page(browser, reflow_demo, width=640)
    page.goto(reflow_demo + "/vinh-phuc/2021/districts/")
    header = page.locator("#leaderboard thead th").nth(2)
    assert header.inner_text() == "Điều kiện sẵn sàng"
    assert header.bounding_box()["width"] <= 1  # out of sight
    table = page.locator("#leaderboard").aria_snapshot()
    assert '- columnheader "Điều kiện sẵn sàng"' in table
    assert '- columnheader "% tối đa"' in table and '- cell "75,9%"' in table
    assert "Khá · 75,9%" not in table  # the copy under the name is for the eye only
    page.screenshot(path=screenshots / "leaderboard-640-vi.png", full_page=True)
    page.context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("width", [320, 1280])
def test_screenshots(browser, reflow_demo, screenshots, language, width):
    page = new_page(browser, reflow_demo, width=width, language=language, user="ict")
    for name, path in (
        ("leaderboard", "/vinh-phuc/2021/districts/"),
        ("profile", "/vinh-phuc/don-vi/tam-dao/"),
        ("trends", "/vinh-phuc/xu-huong/districts/"),
    ):
        page.goto(reflow_demo + path)
        page.wait_for_timeout(300)
        page.screenshot(path=screenshots / f"look-{name}-{width}-{language}.png", full_page=True)
    page.context.close()
