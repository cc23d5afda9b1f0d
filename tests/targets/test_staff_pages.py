"""The staff pages: who records which targets; forms keep what was typed on an error."""

import pytest
from django.test import Client
from django.urls import reverse

from rankings.targets.models import Target
from tests.targets.conftest import signed_in, target

ADD = reverse("target-add", kwargs={"province": "mau"})
LIST = reverse("targets-staff", kwargs={"province": "mau"})


def form(world, agency=None, **fields) -> dict:
    return {
        "agency": agency.pk if agency else "",
        "indicator": "Tỷ lệ hồ sơ trực tuyến",
        "measure": "ratio",
        "criterion_code": "1.2",
        "year": "2025",
        "comparison": "at_least",
        "value": "30,5",
        "unit": "",
        "baseline_year": "2020",
        "baseline_value": "",
        "note": "Kế hoạch 2021–2025",
        **fields,
    }


def test_agency_staff_record_their_own_agencys_target(world, people):
    response = signed_in(people.reporter_an).post(ADD, form(world, world.an))
    assert response.status_code == 302
    saved = Target.objects.get()
    assert (saved.agency, str(saved.value), saved.unit) == (world.an, "30.500", "%")
    assert saved.updated_by == people.reporter_an


def test_agency_staff_cannot_record_another_agency_or_the_province(world, people):
    client = signed_in(people.reporter_an)
    response = client.post(ADD, form(world, world.binh))
    assert response.status_code == 400
    assert "Cơ quan: không thuộc các đơn vị bạn được ghi chỉ tiêu." in response.content.decode()
    response = client.post(ADD, form(world, None))
    assert response.status_code == 400
    assert "Cơ quan: hãy chọn đơn vị." in response.content.decode()
    assert not Target.objects.exists()


def test_agency_staff_cannot_edit_or_delete_another_agencys_target(world, people):
    other = target(world, world.binh)
    client = signed_in(people.reporter_an)
    edit = reverse("target-edit", kwargs={"province": "mau", "pk": other.pk})
    delete = reverse("target-delete", kwargs={"province": "mau", "pk": other.pk})
    assert client.post(edit, form(world, world.an)).status_code == 404
    assert client.post(delete).status_code == 404
    assert Target.objects.get().agency == world.binh


def test_ict_staff_record_province_wide_and_any_agency(world, people):
    client = signed_in(people.editor)
    wide = form(world, None, block=world.districts.pk, indicator="Chung")
    assert client.post(ADD, wide).status_code == 302
    assert client.post(ADD, form(world, world.binh)).status_code == 302
    assert {(t.agency, t.block) for t in Target.objects.all()} == {
        (None, world.districts),
        (world.binh, None),
    }


def test_other_provinces_staff_get_404_and_other_roles_403(world, people):
    for url in (LIST, ADD):
        assert signed_in(people.editor_other).get(url).status_code == 404
        assert signed_in(people.reviewer).get(url).status_code == 403
    assert signed_in(people.editor_other).post(ADD, form(world, world.an)).status_code == 404
    assert not Target.objects.exists()


def test_anonymous_cannot_write(world):
    found = target(world, world.an)
    client = Client()
    response = client.post(ADD, form(world, world.an, indicator="Khác"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    delete = reverse("target-delete", kwargs={"province": "mau", "pk": found.pk})
    assert client.post(delete).status_code == 302
    assert list(Target.objects.all()) == [found]


def test_a_bad_form_keeps_what_was_typed_and_names_the_field(world, people):
    typed = form(world, world.an, indicator="Chỉ tiêu gõ dở", value="ba mươi", criterion_code="")
    response = signed_in(people.reporter_an).post(ADD, typed)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Chỉ tiêu gõ dở" in page and "ba mươi" in page
    assert "Giá trị mục tiêu: “ba mươi” không phải số" in page
    assert not Target.objects.exists()


def test_edit_and_delete(world, people):
    found = target(world, world.an)
    client = signed_in(people.reporter_an)
    edit = reverse("target-edit", kwargs={"province": "mau", "pk": found.pk})
    page = client.get(edit).content.decode()
    assert 'value="80"' in page
    assert client.post(edit, form(world, world.an, value="85")).status_code == 302
    found.refresh_from_db()
    assert str(found.value) == "85.000"
    delete = reverse("target-delete", kwargs={"province": "mau", "pk": found.pk})
    assert client.post(delete).status_code == 302
    assert not Target.objects.exists()


def test_the_list_shows_only_what_the_user_may_edit(world, people, django_assert_max_num_queries):
    target(world, world.an, indicator="Của An")
    target(world, world.binh, indicator="Của Bình")
    client = signed_in(people.reporter_an)
    with django_assert_max_num_queries(8):
        page = client.get(LIST).content.decode()
    assert "Của An" in page and "Của Bình" not in page
    page = signed_in(people.editor).get(LIST).content.decode()
    assert "Của An" in page and "Của Bình" in page


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_costs_the_same_for_one_or_many(
    world, people, count, django_assert_max_num_queries
):
    for number in range(count):
        target(world, world.an, indicator=f"Chỉ tiêu {number}")
    client = signed_in(people.editor)
    with django_assert_max_num_queries(8):
        client.get(LIST)


def test_an_empty_form_is_refused_field_by_field(world, people):
    response = signed_in(people.reporter_an).post(ADD, {})
    page = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Chỉ tiêu: hãy nhập tên chỉ tiêu.",
        "Đo bằng: hãy chọn.",
        "Năm mục tiêu: bắt buộc.",
    ):
        assert message in page
