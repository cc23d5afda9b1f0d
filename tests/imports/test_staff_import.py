"""ICT staff import a filled template in the browser's HTTP path: upload, preview, confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from rankings.models import AssessmentCycle, Membership, Result, Role, Score
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

BASE = "/quan-ly/mau/2022/districts/"


@pytest.fixture
def cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
    )


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"u-{role}", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)


def upload(client, data: bytes, name="diem-2022.xlsx"):
    return client.post(BASE + "nhap-lieu/", {"file": SimpleUploadedFile(name, data)})


def test_editor_downloads_the_template_uploads_previews_and_confirms(client, world, cycle):
    login(client, world, Role.EDITOR)
    template = client.get(BASE + "mau-nhap-lieu.xlsx")
    assert template.status_code == 200
    assert template["Content-Disposition"].endswith('mau-nhap-lieu-mau-2022-districts.xlsx"')

    preview = upload(client, filled(cycle, INPUTS_2021))
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in html
    assert Score.objects.filter(cycle=cycle).count() == 0  # nothing saved by a preview
    table = html[html.index('id="preview"') :]
    assert (
        table.index("UBND huyện Bình")
        < table.index("UBND huyện An")
        < table.index("UBND huyện Cát")
    )
    digest = html.split('name="digest" value="')[1].split('"')[0]

    done = client.post(BASE + "nhap-lieu/", {"confirm": "1", "digest": digest, "format": "xlsx"})
    assert done.status_code == 302 and done["Location"] == BASE + "ban-nhap/"
    assert Score.objects.filter(cycle=cycle).count() == 9
    draft = dict(Result.objects.filter(cycle=cycle).values_list("agency__slug", "rank"))
    assert draft == {"binh": 1, "an": 2, "cat": 3}
    page = client.get(done["Location"]).content.decode()
    assert "Đã nhập 3 đơn vị" in page and "BẢN NHÁP — CHƯA CÔNG BỐ" in page


def test_a_bad_file_shows_each_problem_and_saves_nothing(client, world, cycle):
    login(client, world, Role.EDITOR)
    bad = dict(INPUTS_2021, cat={"1.1": 5, "1.2 a": 1, "1.2 b": 0, "2.1": 25})
    response = upload(client, filled(cycle, bad))
    html = response.content.decode()
    assert response.status_code == 400
    assert "chưa có gì được lưu" in html
    assert "cột “1.2 b”" in html and "mẫu số phải lớn hơn 0" in html
    assert "cột “2.1”" in html
    assert Score.objects.filter(cycle=cycle).count() == 0


def test_a_confirmation_for_a_file_never_previewed_is_refused(client, world, cycle):
    login(client, world, Role.EDITOR)
    response = client.post(BASE + "nhap-lieu/", {"confirm": "1", "digest": "abc", "format": "xlsx"})
    assert response.status_code == 400 and "tải lên lại" in response.content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPROVER, Role.REPORTER, Role.HEAD])
def test_only_ict_staff_and_administrators_import(client, world, cycle, role):
    agency = world.an if role in {Role.REPORTER, Role.HEAD} else None
    login(client, world, role, agency)
    assert client.get(BASE + "mau-nhap-lieu.xlsx").status_code == 403
    assert upload(client, filled(cycle, INPUTS_2021)).status_code == 403
    assert Score.objects.filter(cycle=cycle).count() == 0


def test_anonymous_users_are_sent_to_log_in(client, world, cycle):
    response = upload(client, b"PK")
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
