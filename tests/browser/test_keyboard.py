"""The self-assessment and the review desk with the keyboard only (issue #23).

Tab reaches every control and leaves the page again (no trap); a submit with an error
lands on the error summary, whose link moves the focus to the field, marked invalid and
described by its message, and the title starts with the count; after a review save the
focus is on the row just saved. The review desk's accessibility tree has no input or
button without a name, and no two "save" buttons with the same one.

The demo gets Vĩnh Phúc's 2022 district cycle open (Lập Thạch fills it in) and a 2023 one
in review, where Lập Thạch has submitted every criterion (KEYBOARD_SETUP).
"""

import re

import pytest

from tests.browser.axe_check import axe_clean
from tests.live import serve_demo

pytestmark = pytest.mark.browser

PASSWORD = "demo-2026"
OWN = "/quan-ly/vinh-phuc/2022/districts/don-vi/lap-thach/tu-danh-gia/"
DESK = "/quan-ly/vinh-phuc/2023/districts/don-vi/lap-thach/tham-dinh/"
KEYBOARD_SETUP = """
import datetime
from decimal import Decimal
from agencies.models import Agency
from rankings.cycles import assessments
from rankings.models import AssessmentCycle, CycleState

source = AssessmentCycle.objects.get(province__slug="vinh-phuc", year=2021, block__slug="districts")
lap_thach = Agency.objects.get(province=source.province, slug="lap-thach")
deadline = datetime.date.today() + datetime.timedelta(days=30)
for year, state in ((2022, CycleState.OPEN), (2023, CycleState.OPEN)):
    cycle = AssessmentCycle.objects.create(
        province=source.province, year=year, block=source.block,
        criteria_set=source.criteria_set, state=state, submission_deadline=deadline,
    )
inputs = {}
for criterion in cycle.criteria_set.criteria.all():
    if criterion.rule == "ratio":
        inputs[criterion.code] = assessments.RawInput(Decimal(3), Decimal(4))
    elif criterion.rule == "choice":
        first = next(iter(criterion.params["choices"]))
        inputs[criterion.code] = assessments.RawInput(choice=first)
    else:
        inputs[criterion.code] = assessments.RawInput(Decimal(1))
assessments.self_assessment_save(cycle=cycle, agency=lap_thach, user=None, inputs=inputs)
assessments.self_assessment_submit(cycle=cycle, agency=lap_thach, user=None)
cycle.state = CycleState.REVIEW
cycle.save()
"""
# Every control a keyboard user can reach, in the order Tab visits them (no positive
# tabindex on the site), each tagged with its place so the walk can be compared.
TAG_CONTROLS = """() => {
  const selector = "a[href], button, input, select, textarea, [tabindex]";
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const controls = [...document.querySelectorAll(selector)].filter(e =>
    !e.disabled && e.type !== "hidden" && e.tabIndex >= 0 && shown(e));
  controls.forEach((e, i) => { e.dataset.kb = String(i); });
  return controls.length;
}"""
FOCUSED = """() => {
  const e = document.activeElement;
  const kb = e && e.dataset ? e.dataset.kb || null : null;
  return {kb: kb, id: e ? e.id : "", tag: e ? e.tagName : ""};
}"""
CONTROL_ROLES = ("textbox", "button", "combobox", "checkbox", "radio", "spinbutton", "listbox")


@pytest.fixture(scope="module")
def keyboard_demo(tmp_path_factory):
    script = tmp_path_factory.mktemp("keyboard-setup") / "setup.py"
    script.write_text(KEYBOARD_SETUP)
    yield from serve_demo(tmp_path_factory, "keyboard", setup=str(script))


def sign_in(browser, base, username, locale="vi-VN"):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.keyboard.press("Enter")  # the form submits from the password field
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def press_enter_and_wait(page) -> None:
    """Enter in a field submits its form; wait for the page that answers."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_through(page) -> int:
    """Tab from the top of the page until the focus leaves it: every control is reached, in
    document order, and nothing holds the focus (a trap would repeat one forever)."""
    count = page.evaluate(TAG_CONTROLS)
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    visited = []
    for _ in range(2 * count + 10):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["kb"] is None:
            break  # out of the page (to the browser's own controls)
        # A date input keeps the focus for its day, month and year: one stop, not a trap.
        if not visited or visited[-1] != int(focused["kb"]):
            visited.append(int(focused["kb"]))
    assert visited == list(range(count)), (count, visited)
    return count


def error_summary_focused(page) -> str:
    """The summary has the focus; returns its text."""
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == "error-summary", focused
    return page.locator("#error-summary").inner_text()


def follow_first_summary_link(page) -> str:
    """Tab to the summary's first link and follow it: the focus is on its field."""
    page.keyboard.press("Tab")
    link = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert link and link.startswith("#"), link
    page.keyboard.press("Enter")
    field_id = link[1:]
    assert page.evaluate("() => document.activeElement.id") == field_id
    return field_id


def assert_marked(page, field_id: str, message: str) -> None:
    field = page.locator(f"[id='{field_id}']")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    texts = [page.locator(f"[id='{d}']").inner_text() for d in described]
    assert any(message in t for t in texts), texts


def unnamed_controls(snapshot: str) -> list[str]:
    """Lines of an aria snapshot for a control with no name (`- textbox` with no quotes)."""
    pattern = re.compile(rf"^\s*- ({'|'.join(CONTROL_ROLES)})(?:\s*\[[^\]]*\])?\s*(?::|$)")
    return [line for line in snapshot.splitlines() if pattern.match(line)]


def test_self_assessment_by_keyboard(browser, keyboard_demo, screenshots):
    base = keyboard_demo
    page = sign_in(browser, base, "lapthach-baocao")
    page.goto(base + OWN)
    assert tab_through(page) > 19  # the header, 19 criteria, the evidence form

    first = page.locator("input[name^='v-']").first
    first_id = first.get_attribute("id")
    first.focus()
    page.keyboard.type("ba")
    press_enter_and_wait(page)  # implicit submission: "Lưu số liệu", the form's first button
    assert page.title().startswith("Lỗi (1): Tự đánh giá"), page.title()
    assert "không phải là số" in error_summary_focused(page)
    axe_clean(page, screenshots, "keyboard-self-assessment-error-vi")
    assert follow_first_summary_link(page) == first_id
    assert_marked(page, first_id, "không phải là số")
    assert page.locator(f"[id='{first_id}']").input_value() == "ba"  # kept as typed

    # The same in English: the count in the title and the summary's heading.
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    page.wait_for_load_state()
    field = page.locator(f"[id='{first_id}']")
    field.fill("")
    field.focus()
    page.keyboard.type("three")
    press_enter_and_wait(page)
    assert page.title().startswith("Error (1): "), page.title()
    assert "There is 1 problem" in error_summary_focused(page)
    axe_clean(page, screenshots, "keyboard-self-assessment-error-en")


def test_review_desk_by_keyboard(browser, keyboard_demo, screenshots):
    base = keyboard_demo
    page = sign_in(browser, base, "hoidong")
    page.goto(base + DESK)
    assert tab_through(page) > 19 * 3  # per criterion: decision, value, comment, save

    # Every input and button has a name, and each save button says which criterion.
    snapshot = page.locator("main").aria_snapshot()
    assert unnamed_controls(snapshot) == [], snapshot
    # The visible "Ghi 1.1.3" starts each name (Chromium puts a space before the hidden part).
    saves = re.findall(r'button "(Ghi ([\d.]+) ?: kết quả thẩm định tiêu chí \2)"', snapshot)
    assert len(saves) == 19 and len(set(saves)) == 19, saves
    assert re.search(r'- textbox "1\.1\.3 .+ — giá trị"', snapshot), snapshot

    # A refused value on the last row: the summary, then its link, then the field.
    # (a criterion with one value: a ratio would also need b, a choice has no number)
    last = page.locator("form.review-form").evaluate_all(
        "forms => forms.filter(f => !f.denominator && !f.choice).map(f => f.criterion.value)"
    )[-1]
    page.locator(f"[id='action-{last}']").select_option("adjusted")
    value = page.locator(f"[id='value-{last}']")
    value.focus()
    page.keyboard.type("ba")
    press_enter_and_wait(page)
    assert page.title().startswith("Lỗi (1): Thẩm định"), page.title()
    error_summary_focused(page)
    page.screenshot(path=screenshots / "keyboard-review-error-vi.png", full_page=False)
    axe_clean(page, screenshots, "keyboard-review-error-vi-full")
    assert follow_first_summary_link(page) == f"value-{last}"
    assert_marked(page, f"value-{last}", "không phải là số")

    # Corrected and saved: the page comes back to the row, which has the focus, and the
    # next Tab is in that row, not at the top of the page.
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Tab")  # to the comment an adjustment needs
    page.keyboard.type("Chỉ một hệ thống đạt yêu cầu")
    press_enter_and_wait(page)
    summary = page.locator("#error-summary")
    assert page.url.endswith(f"#row-{last}"), summary.count() and summary.inner_text()
    assert page.evaluate("() => document.activeElement.id") == f"row-{last}"
    assert "Đã ghi kết quả thẩm định tiêu chí " + last in page.locator("main").inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate(f"() => !!document.activeElement.closest(\"[id='row-{last}']\")")

    # In English, the same refusal and its count.
    english = sign_in(browser, base, "hoidong", locale="en-GB")
    english.goto(base + DESK)
    english.get_by_label("Ngôn ngữ").select_option("en")
    english.get_by_role("button", name="Đổi").click()
    english.wait_for_load_state()
    first = english.locator("form.review-form input[name='criterion']").first.get_attribute("value")
    english.locator(f"[id='action-{first}']").select_option("adjusted")
    english.locator(f"[id='value-{first}']").fill("abc")
    english.locator(f"[id='value-{first}']").focus()
    press_enter_and_wait(english)
    assert english.title().startswith("Error (1): "), english.title()
    error_summary_focused(english)
    english.screenshot(path=screenshots / "keyboard-review-error-en.png", full_page=False)
    axe_clean(english, screenshots, "keyboard-review-error-en-full")
