"""Every staff form keeps what was typed after an error, marks each field in error with
its message next to it (aria-invalid, aria-describedby) and writes nothing."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    Evidence,
    Membership,
    Notification,
    Role,
    Score,
    Submission,
)
from tests.world import open_2022

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DESK = "/quan-ly/mau/2022/districts/"


@pytest.fixture
def cycle(world):
    return open_2022(world)


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"{role}-rt", f"{role}@example.vn", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)
    return user


def marked(html: str, field_id: str) -> bool:
    """The input `field_id` is marked invalid and points at its own error message."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    error = f'id="{field_id}_error"'
    return (
        'aria-invalid="true"' in tag[0]
        and f'aria-describedby="{field_id}_error"' in tag[0]
        and error in html
    )


def value_of(html: str, field_id: str) -> str:
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)[0]
    found = re.search(r'value="([^"]*)"', tag)
    return found[1] if found else ""


def selected(html: str, select_id: str) -> str:
    block = re.search(rf'<select[^>]*\bid="{re.escape(select_id)}".*?</select>', html, re.S)[0]
    return re.search(r'<option value="([^"]*)"[^>]*selected', block)[1]


def test_self_assessment_keeps_every_cell_after_one_bad_one(client, world, cycle):
    login(client, world, Role.REPORTER, world.an)
    url = DESK + "don-vi/an/tu-danh-gia/"
    typed = {"action": "save", "v-1.1": "8", "v-1.2": "35", "d-1.2": "0", "v-2.1": "mười lăm"}
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert [value_of(html, f) for f in ("v-1.1", "v-1.2", "d-1.2", "v-2.1")] == [
        "8",
        "35",
        "0",
        "mười lăm",
    ]
    assert marked(html, "d-1.2") and marked(html, "v-2.1") and not marked(html, "v-1.1")
    assert "1.2 (b): mẫu số phải lớn hơn 0." in html and "2.1 (giá trị): không phải là số" in html
    assert not Score.objects.filter(cycle=cycle).exists()


def test_evidence_form_keeps_its_fields_and_criterion(client, world, cycle):
    login(client, world, Role.REPORTER, world.an)
    url = DESK + "don-vi/an/tu-danh-gia/"
    typed = {
        "action": "evidence",
        "criterion": "1.2",
        "document_number": "12/BB-UBND",
        "title": "Biên bản kiểm tra",
        "issued_on": "2022-13-40",
        "url": "ftp://tai-lieu.vn/bb.pdf",
    }
    html = client.post(url, typed).content.decode()
    assert selected(html, "criterion") == "1.2"
    assert value_of(html, "document_number") == "12/BB-UBND"
    assert value_of(html, "title") == "Biên bản kiểm tra"
    assert value_of(html, "url") == "ftp://tai-lieu.vn/bb.pdf"
    assert marked(html, "url") and marked(html, "issued_on") and not marked(html, "title")
    assert "Đường dẫn minh chứng không hợp lệ" in html
    assert not Evidence.objects.exists()


def test_opening_a_cycle_keeps_the_chosen_set_and_dates(client, world):
    login(client, world, Role.EDITOR)
    second = CriteriaSet.objects.filter(province=world.province).order_by("-pk")[0]
    typed = {
        "source": str(second.pk),
        "year": "1999",
        "submission_deadline": "2099-01-15",
        "data_from": "2022-12-31",
        "data_to": "2022-01-01",
    }
    response = client.post("/quan-ly/mau/mo-ky/", typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert selected(html, "id_source") == str(second.pk)
    assert value_of(html, "id_year") == "1999"
    assert value_of(html, "id_submission_deadline") == "2099-01-15"
    assert value_of(html, "id_data_from") == "2022-12-31"
    assert marked(html, "id_year") and marked(html, "id_data_to")
    assert "Năm đánh giá: từ 2000 đến 2100." in html
    assert not AssessmentCycle.objects.filter(year=1999).exists()


def test_extension_form_keeps_the_agency_and_reason(client, world, cycle):
    login(client, world, Role.EDITOR)
    typed = {
        "action": "extend",
        "extend-agency": world.binh.slug,
        "extend-until": "ngày mai",
        "extend-reason": "Đơn vị đang sáp nhập",
    }
    response = client.post(DESK + "dieu-hanh/", typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert selected(html, "id_extend-agency") == world.binh.slug
    assert "Đơn vị đang sáp nhập" in html
    assert marked(html, "id_extend-until")
    assert not Submission.objects.filter(cycle=cycle, extended_to__isnull=False).exists()


def test_the_reminder_needs_its_box_ticked(client, world, cycle):
    cycle.submission_deadline = TODAY - datetime.timedelta(days=1)
    cycle.save()
    login(client, world, Role.EDITOR)
    Membership.objects.create(
        user=get_user_model().objects.create_user("an-bc", "an@example.vn", "x"),
        role=Role.REPORTER,
        province=world.province,
        agency=world.an,
    )
    response = client.post(DESK + "tong-quan/", {})
    html = response.content.decode()
    assert response.status_code == 400 and marked(html, "id_confirm")
    assert "Hãy đánh dấu ô xác nhận" in html
    assert not Notification.objects.exists() and not mail.outbox
