"""Outside a cycle's province, an existing cycle answers exactly as a missing one: 404.

Before, staff pages and the workflow API looked the cycle up first and then refused with
403, so a user of another province learnt which drafts existed (403) and which not (404).
"""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from agencies.models import Province
from rankings.models import AssessmentCycle, CycleState, Membership, Role

pytestmark = pytest.mark.django_db

# Every staff page and workflow operation that finds a cycle (and agency) by its path.
PAGES = [
    ("get", "/quan-ly/mau/{year}/districts/"),
    ("get", "/quan-ly/mau/{year}/districts/ban-nhap/"),
    ("get", "/quan-ly/mau/{year}/districts/mau-nhap-lieu.xlsx"),
    ("get", "/quan-ly/mau/{year}/districts/nhap-lieu/"),
    ("get", "/quan-ly/mau/{year}/districts/nhap-lieu/tien-do/a1b2c3d4e5f6a7b8c9d0/"),
    ("get", "/quan-ly/mau/{year}/districts/cong-bo/"),
    ("post", "/quan-ly/mau/{year}/districts/trang-thai/"),
    ("get", "/quan-ly/mau/{year}/districts/dieu-hanh/"),
    ("get", "/quan-ly/mau/{year}/districts/don-vi/an/tu-danh-gia/"),
    ("get", "/quan-ly/mau/{year}/districts/don-vi/an/tham-dinh/"),
    ("get", "/quan-ly/mau/{year}/districts/don-vi/an/lich-su/"),
    ("get", "/quan-ly/mau/{year}/districts/don-vi/an/minh-chung/1/"),
    ("get", "/quan-ly/mau/{year}/districts/don-vi/an/bien-ban.pdf"),
]
API = "/api/v1/cycles/mau/{year}/districts/"
OPERATIONS = [
    ("get", API),
    ("get", API + "scores/"),
    ("get", API + "scores/an/1.2/?stage=self"),
    ("put", API + "scores/an/1.2/?stage=self"),
    ("post", API + "scores/an/1.2/review/"),
    ("get", API + "scores/an/1.2/evidence/"),
    ("post", API + "scores/an/1.2/evidence/"),
    ("get", API + "scores/an/1.2/evidence/1/"),
    ("post", API + "agencies/an/submission/"),
    ("post", API + "imports/"),
    ("post", API + "transitions/"),
    ("post", API + "publications/"),
    ("get", API + "publications/"),
    ("put", API + "agencies/binh/exclusion/"),
    ("delete", API + "agencies/binh/exclusion/"),
]


@pytest.fixture
def open_2022(world):
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
    )
    return cycle


def person(role, province, name):
    user = get_user_model().objects.create_user(name, "", "x")
    Membership.objects.create(user=user, role=role, province=province)
    return user


@pytest.fixture
def outsider(world):
    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    return person(Role.ADMIN, other, "quantri-khac")


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_a_page_of_another_province_s_draft_is_not_found(client, open_2022, outsider, method, path):
    client.force_login(outsider)
    existing = getattr(client, method)(path.format(year=2022))
    missing = getattr(client, method)(path.format(year=2099))
    assert existing.status_code == missing.status_code == 404
    assert existing.content == missing.content


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_operation_on_another_province_s_cycle_is_not_found(open_2022, outsider, method, path):
    api = APIClient()
    api.force_authenticate(outsider)
    existing = getattr(api, method)(path.format(year=2022), {}, format="json")
    missing = getattr(api, method)(path.format(year=2099), {}, format="json")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()
    assert existing.json()["error"]["code"] == "not_found"


def test_within_the_province_a_refusal_still_says_why(client, open_2022, world):
    # A reporter of the province knows the cycle; the page tells them what they may not do.
    reporter = get_user_model().objects.create_user("bao-cao", "", "x")
    Membership.objects.create(
        user=reporter, role=Role.REPORTER, province=world.province, agency=world.an
    )
    client.force_login(reporter)
    response = client.get("/quan-ly/mau/2022/districts/cong-bo/")
    assert response.status_code == 403
    assert client.get("/quan-ly/mau/2099/districts/cong-bo/").status_code == 404


def test_staff_of_the_province_and_superusers_still_find_it(client, open_2022, world):
    client.force_login(person(Role.EDITOR, world.province, "bien-tap"))
    assert client.get("/quan-ly/mau/2022/districts/").status_code == 200
    root = get_user_model().objects.create_superuser("goc", "", "x")
    client.force_login(root)
    assert client.get("/quan-ly/mau/2022/districts/").status_code == 200
