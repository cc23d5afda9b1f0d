"""An agency self-assesses by form with evidence; its head submits; nobody else can."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from rankings.models import (
    Evidence,
    Membership,
    Role,
    Score,
    Stage,
    Submission,
    SubmissionState,
)
from tests.world import open_2022

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test evidence\n"


@pytest.fixture
def cycle(world):
    return open_2022(world)


def url(agency: str) -> str:
    return f"/quan-ly/mau/2022/districts/don-vi/{agency}/tu-danh-gia/"


def login(client, world, role, agency):
    user = get_user_model().objects.create_user(f"{role}-{agency.slug}", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)
    return user


GOOD = {"action": "save", "v-1.1": "8", "v-1.2": "35", "d-1.2": "50", "v-2.1": "15,5"}


def test_reporter_fills_the_form_and_points_come_from_the_rules(client, world, cycle):
    login(client, world, Role.REPORTER, world.an)
    page = client.get(url("an")).content.decode()
    assert 'name="v-1.2"' in page and 'name="d-1.2"' in page  # a/b for a ratio criterion
    response = client.post(url("an"), GOOD)
    assert response.status_code == 302
    points = dict(
        Score.objects.filter(cycle=cycle, agency=world.an, stage=Stage.SELF).values_list(
            "criterion__code", "points"
        )
    )
    assert points == {"1.1": Decimal("8.000"), "1.2": Decimal("7.000"), "2.1": Decimal("15.500")}


def test_bad_inputs_are_refused_with_the_criterion_and_reason(client, world, cycle):
    login(client, world, Role.REPORTER, world.an)
    response = client.post(url("an"), {**GOOD, "d-1.2": "0", "v-2.1": "25"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "1.2" in html and "2.1" in html
    assert not Score.objects.filter(cycle=cycle, stage=Stage.SELF).exists()


def test_evidence_with_a_real_pdf_is_kept_and_a_fake_one_refused(
    client, world, cycle, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, world, Role.REPORTER, world.an)
    client.post(url("an"), GOOD)
    fields = {
        "action": "evidence",
        "criterion": "1.2",
        "document_number": "12/KH-UBND",
        "title": "Kế hoạch ký số",
        "issued_on": "2022-03-01",
    }
    ok = client.post(url("an"), {**fields, "file": SimpleUploadedFile("kh.pdf", PDF)})
    assert ok.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.score.criterion.code == "1.2" and evidence.document_number == "12/KH-UBND"
    fake = client.post(url("an"), {**fields, "file": SimpleUploadedFile("x.pdf", b"MZ\x90")})
    assert fake.status_code == 400 and "không đúng định dạng .pdf" in fake.content.decode()
    exe = client.post(url("an"), {**fields, "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert exe.status_code == 400 and "chỉ nhận" in exe.content.decode()
    assert Evidence.objects.count() == 1


def test_only_the_head_submits_and_then_it_is_locked(client, world, cycle):
    login(client, world, Role.REPORTER, world.an)
    client.post(url("an"), GOOD)
    assert client.post(url("an"), {"action": "submit"}).status_code == 403
    login(client, world, Role.HEAD, world.an)
    assert client.post(url("an"), {"action": "submit", "confirmed": "1"}).status_code == 302
    assert Submission.objects.get(agency=world.an).state == SubmissionState.SUBMITTED
    locked = client.post(url("an"), GOOD)
    assert locked.status_code == 400 and "Bản tự đánh giá đã được nộp" in locked.content.decode()


def test_a_passed_deadline_locks_the_form_and_says_so(client, world, cycle):
    cycle.submission_deadline = datetime.date.today() - datetime.timedelta(days=1)
    cycle.save()
    login(client, world, Role.REPORTER, world.an)
    assert "Đã quá hạn nộp" in client.get(url("an")).content.decode()
    assert client.post(url("an"), GOOD).status_code == 400
    assert not Score.objects.filter(cycle=cycle).exists()


@pytest.mark.parametrize("role", [Role.REPORTER, Role.HEAD])
def test_agency_a_can_neither_read_nor_write_agency_b(client, world, cycle, role):
    login(client, world, role, world.an)
    assert client.get(url("binh")).status_code == 403
    assert client.post(url("binh"), GOOD).status_code == 403
    assert client.post(url("binh"), {"action": "submit"}).status_code == 403
    assert not Score.objects.filter(agency=world.binh, cycle=cycle).exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.ADMIN])
def test_provincial_roles_do_not_fill_an_agencys_self_assessment(client, world, cycle, role):
    user = get_user_model().objects.create_user(f"p-{role}", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province)
    client.force_login(user)
    assert client.post(url("an"), GOOD).status_code == 403
    assert client.post(url("an"), {"action": "submit"}).status_code == 403
    # Refused means nothing written: no score, no submission.
    assert not Score.objects.filter(agency=world.an, cycle=cycle).exists()


def test_evidence_files_download_only_through_the_permission_checked_view(
    client, world, cycle, settings, tmp_path
):
    """Evidence is an unpublished draft: no public media URL, a checked download instead."""
    from rankings.cycles import assessments

    settings.MEDIA_ROOT = tmp_path
    reporter = login(client, world, Role.REPORTER, world.an)
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, inputs={"1.1": assessments.RawInput(Decimal(8))}, user=None
    )
    evidence = assessments.evidence_add(
        cycle=cycle,
        agency=world.an,
        criterion_code="1.1",
        user=reporter,
        title="Biên bản",
        file=SimpleUploadedFile("bien-ban.pdf", PDF),
    )
    page = client.get(url("an")).content.decode()
    link = f"/quan-ly/mau/2022/districts/don-vi/an/minh-chung/{evidence.pk}/"
    assert f'href="{link}"' in page
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    client.logout()
    login(client, world, Role.REPORTER, world.binh)
    assert client.get(link).status_code == 403
    other = f"/quan-ly/mau/2022/districts/don-vi/binh/minh-chung/{evidence.pk}/"
    assert client.get(other).status_code == 404  # A's evidence is not B's, whatever the URL
