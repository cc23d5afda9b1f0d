"""After a failed submit every form answers the same way (rankings.error_summary): the page
title starts with the number of errors, an error summary (focused by error-summary.js)
links each message to its field, and each field in error is marked and described. The
review desk's inputs and buttons say which criterion they belong to, and a saved row is
where the page comes back to."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from rankings.cycles import assessments
from rankings.error_summary import ErrorItem, page_errors
from rankings.models import CycleState, Membership, Role
from tests.world import open_2022

pytestmark = pytest.mark.django_db
DESK = "/quan-ly/mau/2022/districts/don-vi/an/"


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"{role}-es", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S)[1]


def summary(html: str) -> str:
    return re.search(r'<div class="error-summary" id="error-summary".*?</div>', html, re.S)[0]


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary(html))


def tag(html: str, field_id: str) -> str:
    return re.search(rf'<(?:input|select)[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)[0]


def test_a_message_given_twice_is_listed_once_and_file_problems_count_each():
    class Problem:
        message = "dòng 4: thiếu mã"

    found = page_errors(
        {"errors": ["Sai", ErrorItem("Sai", "x")], "error": "Khác", "problems": [Problem()] * 3}
    )
    assert [i.message for i in found.items] == ["Sai", "Khác"] and found.count == 5
    assert not page_errors({"errors": [], "error": "", "problems": []})


def test_self_assessment_errors_are_counted_summed_up_and_linked(client, world):
    cycle = open_2022(world)
    login(client, world, Role.REPORTER, world.an)
    typed = {"action": "save", "v-1.1": "tám", "v-1.2": "35", "d-1.2": "0"}
    html = client.post(DESK + "tu-danh-gia/", typed).content.decode()
    assert title(html).startswith("Lỗi (2): Tự đánh giá")
    assert 'tabindex="-1"' in summary(html) and "Có 2 lỗi cần sửa" in summary(html)
    assert [target for target, _ in links(html)] == ["v-1.1", "d-1.2"]
    assert "1.1 (giá trị): không phải là số" in links(html)[0][1]
    for field in ("v-1.1", "d-1.2"):
        assert 'aria-invalid="true"' in tag(html, field)
        assert f'aria-describedby="{field}_error"' in tag(html, field)
    # The summary is at the top of the main content, before the grid.
    assert html.index('id="error-summary"') < html.index("<table")
    # Each input names its criterion, not only "a" or the code.
    name = re.escape(cycle.criteria_set.criteria.get(code="1.2").name)
    assert re.search(rf'<label for="v-1\.2"><span class="visually-hidden">1\.2 {name}', html)
    assert "static/js/error-summary.js" in html or "js/error-summary" in html


def test_an_evidence_error_is_summed_up_next_to_the_evidence_form(client, world):
    open_2022(world)
    login(client, world, Role.REPORTER, world.an)
    typed = {"action": "evidence", "criterion": "1.2", "url": "ftp://tai-lieu.vn/bb.pdf"}
    html = client.post(DESK + "tu-danh-gia/", typed).content.decode()
    assert title(html).startswith("Lỗi (1): ")
    assert html.count('id="error-summary"') == 1
    heading = html.index('id="add-evidence"')
    assert heading < html.index('id="error-summary"') < html.index('id="url"')
    assert links(html) == [
        ("url", "Đường dẫn minh chứng không hợp lệ; cần một địa chỉ http(s)://.")
    ]


def test_no_summary_and_a_plain_title_without_errors(client, world):
    open_2022(world)
    login(client, world, Role.REPORTER, world.an)
    html = client.get(DESK + "tu-danh-gia/").content.decode()
    assert "error-summary" not in html.replace("js/error-summary.js", "")
    assert title(html).startswith("Tự đánh giá")


@pytest.fixture
def in_review(world):
    cycle = open_2022(world, deadline_days=None)
    raw = assessments.RawInput
    inputs = {"1.1": raw(Decimal(8)), "1.2": raw(Decimal(35), Decimal(50)), "2.1": raw(Decimal(15))}
    assessments.self_assessment_save(cycle=cycle, agency=world.an, user=None, inputs=inputs)
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    cycle.state = CycleState.REVIEW
    cycle.save()
    return cycle


def test_review_desk_names_each_control_by_its_criterion(client, world, in_review):
    login(client, world, Role.REVIEWER)
    html = client.get(DESK + "tham-dinh/").content.decode()
    buttons = re.findall(r'<button type="submit">(.*?)</button>', html, re.S)
    saves = [b for b in buttons if b.startswith("Ghi")]
    assert len(saves) == 3
    # The visible "Ghi 1.2" starts the name (WCAG 2.5.3), then what it saves.
    assert saves[1] == (
        'Ghi 1.2<span class="visually-hidden">: kết quả thẩm định tiêu chí 1.2</span>'
    )
    assert re.search(
        r'<label for="denominator-1\.2"><span class="visually-hidden">'
        r"1\.2 .+ — giá trị </span>b</label>",
        html,
    )
    assert 'id="row-1.2" tabindex="-1"' in html


def test_a_refused_review_keeps_the_row_and_links_its_field(client, world, in_review):
    login(client, world, Role.REVIEWER)
    typed = {"criterion": "1.2", "action": "adjusted", "value": "ba", "comment": "Sai số"}
    response = client.post(DESK + "tham-dinh/", typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert title(html).startswith("Lỗi (1): Thẩm định")
    assert [target for target, _ in links(html)] == ["value-1.2"]
    value = tag(html, "value-1.2")
    assert 'value="ba"' in value and 'aria-invalid="true"' in value
    assert 'aria-describedby="value-1.2_error"' in value and 'id="value-1.2_error"' in html
    assert 'value="Sai số"' in tag(html, "comment-1.2")
    assert 'value=""' in tag(html, "value-1.1")  # other rows as they were
    assert "aria-invalid" not in tag(html, "value-1.1")


def test_a_saved_review_comes_back_to_its_row(client, world, in_review):
    login(client, world, Role.REVIEWER)
    response = client.post(
        DESK + "tham-dinh/?loc=unreviewed", {"criterion": "2.1", "action": "accepted"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("tham-dinh/?loc=unreviewed#row-2.1")


def test_english_title_counts_errors_in_english(client, world):
    open_2022(world)
    login(client, world, Role.REPORTER, world.an)
    client.cookies["django_language"] = "en"
    typed = {"action": "save", "v-1.1": "tám", "v-2.1": "x"}
    html = client.post(DESK + "tu-danh-gia/", typed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert title(html).startswith("Errors (2): ")
    assert "There are 2 problems" in summary(html)


def test_a_failed_sign_in_is_counted_and_marks_both_fields(client, world):
    get_user_model().objects.create_user("an-bc", "", "dung-mat-khau")
    html = client.post(
        "/tai-khoan/login/", {"username": "an-bc", "password": "sai-mat-khau"}
    ).content.decode()
    assert title(html).startswith("Lỗi (1): Đăng nhập")
    assert len(re.findall(r"<li>", summary(html))) == 1
    for field in ("id_username", "id_password"):
        assert 'aria-invalid="true" aria-describedby="login-error"' in tag(html, field)


def test_a_form_among_several_on_a_page_is_found(client, world):
    """The cycle desk passes its forms in a dict: the refused one is summed up, linked."""
    open_2022(world)
    login(client, world, Role.EDITOR)
    typed = {"action": "extend", "extend-agency": world.binh.slug, "extend-until": "mai"}
    html = client.post("/quan-ly/mau/2022/districts/dieu-hanh/", typed).content.decode()
    assert title(html).startswith("Lỗi (")
    assert "id_extend-until" in [target for target, _ in links(html)]


def test_lazy_context_values_are_not_worked_out():
    """The CSRF token in every context is lazy: working it out sets a CSRF cookie, and a
    public page with a cookie is never stored in the page cache."""
    from django.utils.functional import SimpleLazyObject

    from rankings.error_summary import page_errors

    def boom():
        raise AssertionError("the lazy value was evaluated")

    found = page_errors({"csrf_token": SimpleLazyObject(boom), "errors": ["Sai năm."]})
    assert [item.message for item in found.items] == ["Sai năm."]
