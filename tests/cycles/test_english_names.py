"""In English mode the staff pages name cycles and the criteria sets the system named in
English; a name someone typed stays as typed. The named world's province is "Tỉnh Mẫu"; its
blocks are "Khối huyện" / "Districts" and "Khối sở" / "Departments"."""

import datetime
import importlib

import pytest
from django.contrib.auth import get_user_model

from rankings.models import AssessmentCycle, CriteriaSet, Membership, Role

pytestmark = pytest.mark.django_db
SET_VI = "Bộ tiêu chí khối huyện tỉnh Tỉnh Mẫu năm 2022"
SET_EN = "Districts criteria set, Tỉnh Mẫu province, 2022"


@pytest.fixture
def editor(client, world):
    user = get_user_model().objects.create_user("ict-en", "", "x")
    Membership.objects.create(user=user, role=Role.EDITOR, province=world.province)
    client.force_login(user)
    deadline = datetime.date.today() + datetime.timedelta(days=14)
    fields = {"source": world.cycle_2021.criteria_set.pk, "year": "2022"}
    opened = client.post("/quan-ly/mau/mo-ky/", {**fields, "submission_deadline": deadline})
    assert opened.status_code == 302
    client.get(opened["Location"])  # its message was worded when it opened, in Vietnamese
    return client


MARKED_SET_EN = SET_EN.replace("Tỉnh Mẫu", '<span lang="vi">Tỉnh Mẫu</span>')


def english(client, url: str) -> str:
    client.cookies["django_language"] = "en"
    try:
        return client.get(url).content.decode()
    finally:
        del client.cookies["django_language"]


def test_an_opened_cycles_set_is_named_in_both_languages(editor, world):
    names = CriteriaSet.objects.filter(cycles__year=2022).values_list("name", "name_en").get()
    assert names == (SET_VI, SET_EN)
    desk = english(editor, "/quan-ly/mau/2022/districts/")
    # The province's own name is marked as Vietnamese inside the English (issue #23).
    assert '<span lang="vi">Tỉnh Mẫu</span> · Districts · 2022' in desk
    assert MARKED_SET_EN in desk
    assert "Khối huyện" not in desk and "Bộ tiêu chí" not in desk
    vietnamese = editor.get("/quan-ly/mau/2022/districts/").content.decode()
    assert "Tỉnh Mẫu · Khối huyện · 2022" in vietnamese and SET_VI in vietnamese


def test_the_workspace_and_self_assessment_pages_too(editor, world):
    assert '<span lang="vi">Tỉnh Mẫu</span> · Districts · 2022' in english(editor, "/quan-ly/")
    user = get_user_model().objects.create_user("an-en", "", "x")
    Membership.objects.create(
        user=user, role=Role.REPORTER, province=world.province, agency=world.an
    )
    editor.force_login(user)
    page = english(editor, "/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/")
    assert MARKED_SET_EN in page and SET_VI not in page


def test_a_typed_name_stays_as_typed_in_english(editor, world):
    cycle = world.cycle_2021  # its set was named by a person: "Bộ tiêu chí huyện 2021"
    desk = english(editor, "/quan-ly/mau/2021/districts/")
    assert cycle.criteria_set.name in desk and "Tỉnh Mẫu · Districts · 2021" in desk
    assert AssessmentCycle.objects.get(pk=cycle.pk).criteria_set.name_en == ""


def test_a_copy_made_on_the_setup_page_is_named_in_both_languages(client, world):
    from rankings.cycles import services

    opened = services.criteria_set_copy(
        source=world.cycle_2021.criteria_set, slug="mau-2022", name=SET_VI, name_en=SET_EN
    )
    user = get_user_model().objects.create_user("admin-en", "", "x")
    Membership.objects.create(user=user, role=Role.ADMIN, province=world.province)
    client.force_login(user)
    client.post(f"/quan-ly/thiet-lap/mau/bo-tieu-chi/{opened.pk}/sao-chep/")
    copy = CriteriaSet.objects.get(copied_from=opened)
    assert (copy.name, copy.name_en) == (f"{SET_VI} (bản sao)", f"{SET_EN} (copy)")


def test_the_migration_names_sets_the_system_named_before(world):
    migration = importlib.import_module("rankings.migrations.0011_criteria_set_english_name")
    block, province = world.districts, world.province
    assert migration.english_name(SET_VI, block, province) == SET_EN
    copied = migration.english_name(f"{SET_VI} (bản sao) (bản sao)", block, province)
    assert copied == f"{SET_EN} (copy) (copy)"
    assert migration.english_name("Bộ tiêu chí huyện 2021", block, province) == ""
    other_block = "Bộ tiêu chí khối sở tỉnh Tỉnh Mẫu năm 2022"  # not this set's block
    assert migration.english_name(other_block, block, province) == ""
