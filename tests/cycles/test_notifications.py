"""Notifications reach the right people in the app and by e-mail."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from rankings.cycles import assessments, services
from rankings.models import CycleState, Membership, Notification, Review, Role

pytestmark = pytest.mark.django_db


def member(world, name, role, agency=None, email=True):
    user = get_user_model().objects.create_user(name, f"{name}@example.vn" if email else "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    return user


def test_opening_a_cycle_tells_the_block_agencies(world, django_capture_on_commit_callbacks):
    reporter = member(world, "an-bc", Role.REPORTER, world.an)
    member(world, "so-mot-bc", Role.REPORTER, world.so_mot)  # another block: not told
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_open(
            province=world.province,
            block=world.districts,
            year=2022,
            criteria_set=world.cycle_2021.criteria_set,
            submission_deadline=datetime.date(2023, 1, 15),
        )
    assert [n.user for n in Notification.objects.all()] == [reporter]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an-bc@example.vn"]
    assert "15/01/2023" in mail.outbox[0].body


def test_returned_for_evidence_tells_only_that_agency(world, django_capture_on_commit_callbacks):
    head = member(world, "an-tt", Role.HEAD, world.an)
    member(world, "binh-tt", Role.HEAD, world.binh)
    cycle = services.cycle_open(
        province=world.province,
        block=world.districts,
        year=2022,
        criteria_set=world.cycle_2021.criteria_set,
    )
    raw = assessments.RawInput
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, user=None, inputs={"1.1": raw(value=8)}
    )
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    cycle.state = CycleState.REVIEW
    cycle.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessments.score_review(
            cycle=cycle,
            agency=world.an,
            code="1.1",
            action=Review.RETURNED,
            user=None,
            comment="Thiếu biên bản",
        )
    notice = Notification.objects.get(subject__contains="1.1")
    assert notice.user == head and notice.body == "Thiếu biên bản"
    assert notice.url == "/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/"
    assert [m.to for m in mail.outbox] == [["an-tt@example.vn"]]


def test_publication_tells_everyone_in_the_province(
    world, django_capture_on_commit_callbacks, client
):
    staff = member(world, "ict", Role.EDITOR, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_publish(
            cycle=world.cycle_2021,
            decision_number="9/QĐ-UBND",
            decision_date=datetime.date(2022, 9, 9),
            reason="Đính chính",
        )
    client.force_login(staff)
    page = client.get("/thong-bao/").content.decode()
    assert "Đã công bố kết quả" in page and "9/QĐ-UBND" in page and "mới" in page
    assert Notification.objects.get(user=staff).read_at is not None
    assert mail.outbox == []  # no address, no e-mail


def test_deadline_reminder_command(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    member(world, "an-bc", Role.REPORTER, world.an)
    services.cycle_open(
        province=world.province,
        block=world.districts,
        year=2022,
        criteria_set=world.cycle_2021.criteria_set,
        submission_deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    call_command("notify_deadlines", "--days", "3")
    assert Notification.objects.filter(subject__startswith="Còn 3 ngày").count() == 1
