"""The criteria-set editor in the set-up pages: create, copy, edit until published.

Every save goes through the annex's own checker, so each refusal names the editor's row
and column, in Vietnamese, and writes nothing.
"""

import pytest
from django.contrib.auth.models import User

from rankings.models import CriteriaSet, Criterion, CriterionGroup, Membership, Role
from rankings.setup.editor import set_rows
from tests.setup.test_annex import ANNEX
from tests.setup.test_annex import plan_of as annex_of

HEAD = {
    "name": "Bộ chỉ số 2025",
    "max_points": "100",
    "decision_number": "",
    "decision_date": "",
    "tie_method": "competition",
}
ROWS = [
    ("1", "Nhận thức số", "40", "", False, ""),
    ("1.1", "Số cuộc họp của Ban Chỉ đạo", "20", "4:20; 3:15; 2:10; 1:5", True, "Sở TT&TT"),
    ("1.2", "Trưởng Ban Chỉ đạo", "20", "Giám đốc:1; Phó Giám đốc:0,5; Không:0", True, ""),
    ("2", "Mức độ ứng dụng", "60", "", False, ""),
    ("2.1", "Tỷ lệ văn bản ký số", "60", "a/b", False, "iOffice"),
]


def posted(rows, block, **head) -> dict:
    data = {**HEAD, "block": block.pk, **head, "rows": len(rows) + 2}
    for n, (code, name, maximum, rule, evidence, source) in enumerate(rows, start=1):
        data |= {
            f"row-{n}-code": code,
            f"row-{n}-name": name,
            f"row-{n}-max": maximum,
            f"row-{n}-rule": rule,
            f"row-{n}-source": source,
        }
        if evidence:
            data[f"row-{n}-evidence"] = "1"
    return data


def tree(criteria_set) -> list:
    """Everything the editor may change, to prove a refused save changed nothing."""
    criteria_set.refresh_from_db()
    return [
        (criteria_set.name, criteria_set.max_points),
        sorted(
            CriterionGroup.objects.filter(criteria_set=criteria_set).values_list("code", "name")
        ),
        sorted(
            Criterion.objects.filter(criteria_set=criteria_set).values_list(
                "pk", "code", "name", "max_points", "rule", "params", "group__code"
            )
        ),
    ]


@pytest.fixture
def admin_client(client, cao_bang):
    user = User.objects.create(username="qtv")
    Membership.objects.create(user=user, role=Role.ADMIN, province=cao_bang)
    client.force_login(user)
    return client


@pytest.fixture
def annex_set(cao_bang, departments):
    from decimal import Decimal

    from rankings.setup.annex import SetHeader, annex_apply

    header = SetHeader(block=departments, name="Bộ chỉ số 2024", max_points=Decimal(100))
    return annex_apply(province=cao_bang, header=header, plan=annex_of(ANNEX))


def test_a_new_set_is_created_in_the_page(admin_client, cao_bang, departments):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/moi/"
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="row-5-code"' in page.content.decode()
    response = admin_client.post(url, posted(ROWS, departments))
    created = CriteriaSet.objects.get(name="Bộ chỉ số 2025")
    assert response.status_code == 302
    assert (
        response["Location"] == f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{created.pk}/sua/"
    )
    assert [
        (c.code, c.group.code, c.rule, c.params, c.evidence_required)
        for c in created.criteria.order_by("code")
    ] == [
        ("1.1", "1", "steps", {"steps": [["4", "20"], ["3", "15"], ["2", "10"], ["1", "5"]]}, True),
        (
            "1.2",
            "1",
            "choice",
            {"choices": {"Giám đốc": "1", "Phó Giám đốc": "0.5", "Không": "0"}},
            True,
        ),
        ("2.1", "2", "ratio", {}, False),
    ]
    # The page shows the set back in the same readable form.
    assert [(r.code, r.max, r.rule) for r in set_rows(created)][:2] == [
        ("1", "40", ""),
        ("1.1", "20", "4:20; 3:15; 2:10; 1:5"),
    ]


def test_an_edit_keeps_criteria_by_code(admin_client, cao_bang, departments, annex_set):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{annex_set.pk}/sua/"
    page = admin_client.get(url)
    rows = page.context["rows"]
    assert [r.code for r in rows if not r.blank] == [
        "1",
        "1.1",
        "1.2",
        "1.3",
        "1.3.1",
        "1.3.2",
        "2",
        "2.1",
    ]
    before = dict(annex_set.criteria.values_list("code", "pk"))
    edited = [
        (r.code, r.name, r.max, r.rule, r.evidence, r.source)
        for r in rows
        if not r.blank and r.code not in {"1.3", "1.3.1", "1.3.2"}
    ]
    edited[0] = ("1", "Nhận thức số", "30", "", False, "")  # group 1 loses sub-group 1.3
    edited.append(("2.2", "Ứng dụng mới", "20", "5/ứng dụng; tối đa 20", False, ""))
    edited[-2] = ("2.1", "Văn bản ký số", "50", "trực tiếp", False, "")
    edited[-3] = ("2", "Mức độ ứng dụng", "70", "", False, "")
    response = admin_client.post(url, posted(edited, departments, name="Bộ chỉ số 2024 (sửa)"))
    assert response.status_code == 302, [str(p) for p in response.context["problems"]]
    after = dict(annex_set.criteria.values_list("code", "pk"))
    assert after["1.1"] == before["1.1"] and after["2.1"] == before["2.1"]
    assert sorted(after) == ["1.1", "1.2", "2.1", "2.2"]
    assert annex_set.criteria.get(code="2.2").params == {"per_unit": "5", "cap": "20"}
    assert not annex_set.groups.filter(code="1.3").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {2: ("1.2", "Trưởng Ban Chỉ đạo", "10", "trực tiếp", False, "")},
            "dòng 1, cột “Điểm tối đa”: nhóm 1 tối đa 40 điểm nhưng các mục con cộng lại 30",
        ),
        (
            {1: ("1.1", "Số cuộc họp", "20", "bốn cuộc là đủ", False, "")},
            "dòng 2, cột “Cách chấm”: không hiểu cách chấm “bốn cuộc là đủ”; viết theo mẫu: "
            "4:20; 3:15 · Chủ tịch:1; Phó:0,5; Không:0 · a/b · 1/ứng dụng; tối đa 5 · trực tiếp",
        ),
        (
            {2: ("1.1", "Trưởng Ban", "20", "", False, "")},
            "dòng 3, cột “Mã”: mã 1.1 đã có ở dòng 2",
        ),
        (
            {4: ("2.1", "", "60", "a/b", False, "")},
            "dòng 5, cột “Chỉ số / tiêu chí”: thiếu tên chỉ số, tiêu chí",
        ),
        (
            {4: ("2.1", "Ký số", "sáu mươi", "a/b", False, "")},
            "dòng 5, cột “Điểm tối đa”: “sáu mươi” không phải điểm tối đa dương",
        ),
        (
            {1: ("1.1", "Số cuộc họp", "20", "4:25; 3:15", False, "")},
            "dòng 2, cột “Cách chấm”: bậc 25 điểm lớn hơn điểm tối đa 20",
        ),
    ],
)
def test_every_refusal_names_row_and_column_and_writes_nothing(
    admin_client, cao_bang, departments, annex_set, change, message
):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{annex_set.pk}/sua/"
    before = tree(annex_set)
    rows = [change.get(i, row) for i, row in enumerate(ROWS)]
    response = admin_client.post(url, posted(rows, departments, name="Không được lưu"))
    assert response.status_code == 400
    assert [str(p) for p in response.context["problems"]] == [message]
    assert message.split(": ", 1)[1].split("“")[0] in response.content.decode()
    assert tree(annex_set) == before
    assert response.context["rows"][0].code == rows[0][0]  # what was typed is kept
    assert len(response.context["rows"]) == len(rows) + 5  # and five blank rows, not more


def test_a_header_field_error_is_named_and_nothing_written(admin_client, cao_bang, departments):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/moi/"
    response = admin_client.post(url, posted(ROWS, departments, name="", max_points="-1"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "max_points"}
    assert not CriteriaSet.objects.exists()


def test_a_criterion_with_scores_is_not_removed(world, client):
    from django.contrib.auth.models import User as U

    client.force_login(U.objects.create_superuser("su", "", "x"))
    source = world.cycle_2021.criteria_set
    copy_url = f"/quan-ly/thiet-lap/{world.province.slug}/bo-tieu-chi/{source.pk}/sao-chep/"
    copied = client.post(copy_url)
    copy = CriteriaSet.objects.get(copied_from=source)
    assert (
        copied["Location"] == f"/quan-ly/thiet-lap/{world.province.slug}/bo-tieu-chi/{copy.pk}/sua/"
    )
    from rankings.models import AssessmentCycle, Score

    cycle = AssessmentCycle.objects.create(
        province=world.province, year=2023, block=source.block, criteria_set=copy
    )
    first = copy.criteria.order_by("code").first()
    Score.objects.create(
        cycle=cycle, agency=world.an, criterion=first, stage="final", points=1, max_points=1
    )
    page = client.get(f"/quan-ly/thiet-lap/{world.province.slug}/bo-tieu-chi/{copy.pk}/sua/")
    rows = [r for r in page.context["rows"] if not r.blank]
    before = tree(copy)
    renamed = [
        ("1.9" if r.code == first.code else r.code, r.name, r.max, r.rule, r.evidence, r.source)
        for r in rows
    ]
    data = posted(renamed, source.block)
    data |= {"name": copy.name, "max_points": str(copy.max_points)}
    response = client.post(
        f"/quan-ly/thiet-lap/{world.province.slug}/bo-tieu-chi/{copy.pk}/sua/", data
    )
    assert response.status_code == 400
    assert response.context["problems"][0].message.startswith(f"tiêu chí {first.code} đã có điểm")
    assert tree(copy) == before


def test_a_published_set_is_read_only_with_its_reason(world, client):
    client.force_login(User.objects.create_superuser("su", "", "x"))
    published = world.cycle_2021.criteria_set
    url = f"/quan-ly/thiet-lap/{world.province.slug}/bo-tieu-chi/{published.pk}/sua/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "đã dùng để công bố kết quả" in html and "200/QĐ-UBND" in html
    assert "Kiểm tra và lưu bộ tiêu chí" not in html and 'name="row-1-code"' in html
    before = tree(published)
    refused = client.post(url, posted(ROWS, published.block))
    assert refused.status_code == 409 and "đã dùng để công bố kết quả" in refused.content.decode()
    assert tree(published) == before


def test_the_statistics_rule_is_edited_with_the_set(admin_client, cao_bang, departments, annex_set):
    """Issue 18: how the block mean prints (Vĩnh Phúc: 49.8631) is set where the set is."""
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{annex_set.pk}/sua/"
    page = admin_client.get(url).content.decode()
    assert 'name="statistics_precision"' in page and 'name="statistics_rounding"' in page
    rows = [
        (r.code, r.name, r.max, r.rule, r.evidence, r.source)
        for r in admin_client.get(url).context["rows"]
        if not r.blank
    ]
    head = {"name": annex_set.name, "statistics_precision": "2", "statistics_rounding": "half_up"}
    response = admin_client.post(url, posted(rows, departments, **head))
    assert response.status_code == 302
    annex_set.refresh_from_db()
    assert (annex_set.statistics_precision, annex_set.statistics_rounding) == (2, "half_up")
    refused = admin_client.post(url, posted(rows, departments, statistics_precision="5"))
    assert refused.status_code == 400
    assert "statistics_precision" in refused.context["form"].errors
    assert "4" in refused.content.decode().split('name="statistics_precision"')[0][-600:]
    annex_set.refresh_from_db()
    assert annex_set.statistics_precision == 2  # nothing written


def test_a_new_set_without_the_statistics_rule_keeps_the_default(
    admin_client, cao_bang, departments
):
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/moi/"
    assert admin_client.post(url, posted(ROWS, departments)).status_code == 302
    created = CriteriaSet.objects.get(name="Bộ chỉ số 2025")
    assert (created.statistics_precision, created.statistics_rounding) == (4, "truncate")


def test_staff_give_the_set_groups_and_criteria_english_names(admin_client, cao_bang, departments):
    """Issue #23: the English names the English pages show are typed in the editor."""
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/moi/"
    data = posted(ROWS, departments, name_en="Digital transformation index 2025")
    data |= {"row-1-name_en": "Digital awareness", "row-2-name_en": "Steering committee meetings"}
    assert admin_client.post(url, data).status_code == 302
    created = CriteriaSet.objects.get(name="Bộ chỉ số 2025")
    assert created.name_en == "Digital transformation index 2025"
    assert created.groups.get(code="1").name_en == "Digital awareness"
    assert created.criteria.get(code="1.1").name_en == "Steering committee meetings"
    assert created.criteria.get(code="1.2").name_en == ""
    page = admin_client.get(f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{created.pk}/sua/")
    assert 'name="row-2-name_en" value="Steering committee meetings"' in page.content.decode()
    assert page.context["form"].initial["name_en"] == "Digital transformation index 2025"
    # An edit that clears an English name clears it.
    data["row-1-name_en"] = ""
    edit = f"/quan-ly/thiet-lap/{cao_bang.slug}/bo-tieu-chi/{created.pk}/sua/"
    assert admin_client.post(edit, data).status_code == 302
    assert created.groups.get(code="1").name_en == ""
