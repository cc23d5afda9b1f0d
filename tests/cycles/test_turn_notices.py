"""Whose turn it is: the council hears of a submission and of a returned criterion
answered; the approver hears once the council has decided everything. (Deadline moves
and reminders: tests/cycles/test_cycle_management.py.)"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from rankings.cycles import assessments
from rankings.models import CycleState, Membership, Notification, Review, Role
from tests.world import open_2022

pytestmark = pytest.mark.django_db

RAW = assessments.RawInput


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda call, **kw: call())


@pytest.fixture
def people(world):
    made = {}
    for name, role, agency in (
        ("hd-1", Role.REVIEWER, None),
        ("hd-2", Role.REVIEWER, None),
        ("duyet", Role.APPROVER, None),
        ("an-bc", Role.REPORTER, world.an),
        ("ict", Role.EDITOR, None),
    ):
        user = get_user_model().objects.create_user(name, f"{name}@example.vn", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        made[name] = user
    return made


@pytest.fixture
def cycle(world):
    return open_2022(world, deadline_days=5)


def inbox() -> list[tuple[str, str]]:
    found = sorted((m.to[0], m.subject) for m in mail.outbox)
    mail.outbox.clear()
    return found


def review(cycle, agency, code, action):
    assessments.score_review(
        cycle=cycle, agency=agency, code=code, action=action, user=None, comment="Ghi chú"
    )


def test_the_council_then_the_approver_are_told_in_turn(world, cycle, people):
    three = {"1.1": RAW(value=Decimal(8)), "1.2": RAW(value=35, denominator=50), "2.1": RAW(15)}
    assessments.self_assessment_save(cycle=cycle, agency=world.an, inputs=three, user=None)
    mail.outbox.clear()
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    arrived = "UBND huyện An đã nộp bản tự đánh giá"
    assert inbox() == [("hd-1@example.vn", arrived), ("hd-2@example.vn", arrived)]
    notice = Notification.objects.filter(user=people["hd-1"]).get()
    assert notice.url == "/quan-ly/mau/2022/districts/don-vi/an/tham-dinh/"

    cycle.state = CycleState.REVIEW
    cycle.save()
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    review(cycle, world.an, "1.2", Review.RETURNED)  # the agency is told, not the council
    assert inbox() == [("an-bc@example.vn", "Tiêu chí 1.2 cần bổ sung minh chứng")]

    cycle.state = CycleState.OPEN  # the agency answers the returned criterion
    cycle.save()
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, inputs={"1.2": RAW(value=40, denominator=50)}, user=None
    )
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    answered = "UBND huyện An đã bổ sung và nộp lại"  # notifications.returned_answered
    assert inbox() == [("hd-1@example.vn", answered), ("hd-2@example.vn", answered)]

    cycle.state = CycleState.REVIEW
    cycle.save()
    review(cycle, world.an, "1.2", Review.ACCEPTED)
    assert inbox() == []  # 2.1 still waits: not the approver's turn yet
    review(cycle, world.an, "2.1", Review.ADJUSTED)
    assert [to for to, _ in inbox()] == ["duyet@example.vn"]
    notice = Notification.objects.filter(user=people["duyet"]).get()
    assert notice.url == "/quan-ly/mau/2022/districts/" and "chờ phê duyệt" in notice.subject
    review(cycle, world.an, "2.1", Review.ACCEPTED)  # changing a decided one: no repeat
    assert inbox() == []


def test_the_daily_job_is_documented_with_its_schedule():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The daily job: `notify_deadlines`") :]
    assert "0 7 * * *  cd /srv/egov && .venv/bin/python manage.py notify_deadlines --days 3" in (
        section
    )
