"""English mode is English (issue #23, item 6): switched to English, no page a visitor or a
staff member of any role reaches shows Vietnamese text outside an element marked
`lang="vi"` (agency and province names, decision numbers and other data values are so
marked; interface words, block, group, criterion and criteria-set names are translated)."""

import json

import pytest

from tests.browser.english_check import crawl, vietnamese_text

pytestmark = pytest.mark.browser

PUBLIC_STARTS = ["/", "/vinh-phuc/", "/vinh-phuc/2020/districts/", "/phuong-phap/", "/thong-bao/"]
# One page of each public type must be among those read, so the crawl cannot quietly shrink.
PUBLIC_TYPES = {
    "province": "/vinh-phuc/",
    "leaderboard": "/2020/districts/",
    "agency profile": "/don-vi/",
    "methodology": "/phuong-phap/vinh-phuc-",
    "comparison": "/so-sanh/",
    "trends": "/xu-huong/",
    "simulator": "/mo-phong/",
    "alerts": "/thu-bao/",
}
ROLES = ["quantri", "ict", "hoidong", "pheduyet", "lapthach-baocao", "lapthach-thutruong"]


def english_page(browser, base):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    return context, context.new_page()


def unmarked(report: dict) -> str:
    """The Vietnamese an English reader meets, page by page ("" when there is none)."""
    found = {path: page["found"][:8] for path, page in report.items() if page["found"]}
    return json.dumps(found, ensure_ascii=False, indent=1) if found else ""


def test_the_switch_turns_the_page_english_and_marks_the_other_language(page, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#language option[value=en]").get_attribute("lang") == "en"
    page.select_option("#language", "en")
    with page.expect_navigation():
        page.locator(".lang-switch button").click()
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.locator("h1")
    assert heading.inner_text() == (
        "Rankings of district People's Committees, Vĩnh Phúc province, 2020"
    )
    assert heading.locator('[lang="vi"]').all_inner_texts() == ["Vĩnh Phúc"]
    assert page.locator("th[scope=row] a[href$='/lap-thach/'] [lang=vi]").count() == 1


def test_decision_dates_read_as_words_in_english(page, browser, live_demo):
    page.goto(live_demo + "/vinh-phuc/2020/districts/")
    assert "ngày 22/11/2021" in page.locator("main").inner_text()
    context, english = english_page(browser, live_demo)
    english.goto(live_demo + "/vinh-phuc/2020/districts/")
    assert "dated 22 November 2021" in english.locator("main").inner_text()
    assert "22/11/2021" not in english.locator("main").inner_text()
    context.close()


def test_every_public_page_type_reads_in_english(browser, live_demo, screenshots):
    context, page = english_page(browser, live_demo)
    report = crawl(page, live_demo, PUBLIC_STARTS, limit=60)
    for name, path in {
        "province": "/vinh-phuc/",
        "leaderboard": "/vinh-phuc/2020/districts/",
        "agency": "/vinh-phuc/don-vi/lap-thach/",
        "methodology": "/phuong-phap/vinh-phuc-districts-2020/",
    }.items():
        page.goto(live_demo + path)
        page.screenshot(path=screenshots / f"english-{name}.png", full_page=True)
        report[path] = vietnamese_text(page)
    context.close()
    missing = [kind for kind, part in PUBLIC_TYPES.items() if not any(part in p for p in report)]
    assert missing == [], sorted(report)
    assert unmarked(report) == ""


@pytest.mark.parametrize("username", ROLES)
def test_every_staff_page_of_each_role_reads_in_english(browser, live_demo, username):
    context, page = english_page(browser, live_demo)
    page.goto(live_demo + "/tai-khoan/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-2026")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    report = crawl(
        page,
        live_demo,
        ["/quan-ly/", "/thong-bao/"],
        limit=40,
        keep=lambda path: path.startswith(("/quan-ly/", "/tai-khoan/", "/thong-bao/")),
    )
    context.close()
    assert len(report) >= 3, sorted(report)
    assert unmarked(report) == ""
