"""The appraisal council verifies: accept, adjust with a comment, return for evidence."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from rankings.cycles import assessments, services
from rankings.models import (
    CycleState,
    Membership,
    Result,
    Review,
    Role,
    Score,
    Stage,
    Submission,
    SubmissionState,
)
from tests.world import open_2022

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cycle(world):
    cycle = open_2022(world, deadline_days=None)
    raw = assessments.RawInput
    for agency, values in ((world.an, (8, 35, 50, 15)), (world.binh, (6, 20, 40, 10))):
        a, num, den, b = values
        assessments.self_assessment_save(
            cycle=cycle,
            agency=agency,
            user=None,
            inputs={"1.1": raw(D(a)), "1.2": raw(D(num), D(den)), "2.1": raw(D(b))},
        )
        assessments.self_assessment_submit(cycle=cycle, agency=agency, user=None)
    cycle.state = CycleState.REVIEW
    cycle.save()
    return cycle


def url(agency: str) -> str:
    return f"/quan-ly/mau/2022/districts/don-vi/{agency}/tham-dinh/"


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"{role}-x", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)


def test_side_by_side_accept_and_adjust_with_a_comment(client, world, cycle):
    login(client, world, Role.REVIEWER)
    page = client.get(url("an")).content.decode()
    assert "35/50 → 7,000" in page
    assert client.post(url("an"), {"criterion": "1.1", "action": "accepted"}).status_code == 302
    adjusted = client.post(
        url("an"),
        {
            "criterion": "2.1",
            "action": "adjusted",
            "value": "12",
            "comment": "Chỉ 12 dịch vụ có phát sinh hồ sơ",
        },
    )
    assert adjusted.status_code == 302
    verified = dict(
        Score.objects.filter(cycle=cycle, agency=world.an, stage=Stage.VERIFIED).values_list(
            "criterion__code", "points"
        )
    )
    assert verified == {"1.1": D("8.000"), "2.1": D("12.000")}
    own = Score.objects.get(cycle=cycle, agency=world.an, stage=Stage.SELF, criterion__code="2.1")
    assert own.review == Review.ADJUSTED and own.comment.startswith("Chỉ 12")
    page = client.get(url("an")).content.decode()
    assert "Điều chỉnh" in page and "Chỉ 12 dịch vụ" in page


def test_adjusting_without_a_comment_is_refused(client, world, cycle):
    login(client, world, Role.REVIEWER)
    response = client.post(url("an"), {"criterion": "2.1", "action": "adjusted", "value": "12"})
    assert response.status_code == 400 and "nhận xét" in response.content.decode()


def test_return_for_evidence_reopens_the_agency_which_sees_why(client, world, cycle):
    login(client, world, Role.REVIEWER)
    client.post(
        url("binh"),
        {
            "criterion": "1.2",
            "action": "returned",
            "comment": "cần bổ sung minh chứng: kế hoạch ký số",
        },
    )
    assert Submission.objects.get(agency=world.binh).state == SubmissionState.RETURNED
    login_agency = get_user_model().objects.create_user("bao-cao-binh", "", "x")
    Membership.objects.create(
        user=login_agency, role=Role.REPORTER, province=world.province, agency=world.binh
    )
    client.force_login(login_agency)
    cycle.state = CycleState.OPEN  # the agency answers while the cycle is open again
    cycle.save()
    page = client.get("/quan-ly/mau/2022/districts/don-vi/binh/tu-danh-gia/").content.decode()
    assert "Cần bổ sung minh chứng" in page and "kế hoạch ký số" in page
    assert "Đã khóa" not in page


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.REPORTER, Role.HEAD])
def test_only_reviewers_and_administrators_verify(client, world, cycle, role):
    agency = world.an if role in {Role.REPORTER, Role.HEAD} else None
    login(client, world, role, agency)
    assert client.post(url("an"), {"criterion": "1.1", "action": "accepted"}).status_code == 403
    assert not Score.objects.filter(cycle=cycle, stage=Stage.VERIFIED).exists()


def test_finalize_then_publish_freezes_the_verified_numbers(world, cycle):
    for agency in (world.an, world.binh):
        for code in ("1.1", "1.2", "2.1"):
            assessments.score_review(
                cycle=cycle, agency=agency, code=code, action=Review.ACCEPTED, user=None
            )
    assessments.cycle_finalize(cycle=cycle)
    services.cycle_publish(
        cycle=cycle, decision_number="300/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
    )
    published = {
        slug: (total, reason)
        for slug, total, reason in Result.objects.filter(
            cycle=cycle, publication__isnull=False
        ).values_list("agency__slug", "total", "not_ranked_reason")
    }
    # The district that never submitted is accounted for, not ranked, with its reason.
    assert published == {
        "an": (D("30.000"), ""),
        "binh": (D("21.000"), ""),
        "cat": (D("0.000"), "Không nộp bản tự đánh giá"),
    }
    with pytest.raises(assessments.Locked):
        assessments.score_review(
            cycle=cycle, agency=world.an, code="1.1", action=Review.ACCEPTED, user=None
        )


def test_every_change_is_audited_with_who_path_and_old_to_new(client, world, cycle):
    login(client, world, Role.REVIEWER)
    client.post(
        url("an"),
        {"criterion": "2.1", "action": "adjusted", "value": "12", "comment": "Chỉ 12 dịch vụ"},
    )
    page = client.get("/quan-ly/mau/2022/districts/don-vi/an/lich-su/").content.decode()
    history = page[page.index('id="history"') :]
    assert "reviewer-x" in history and "<td>biểu mẫu trên trang</td>" in history
    assert "Kết quả thẩm định: — → Điều chỉnh" in history
    assert "Nhận xét: — → Chỉ 12 dịch vụ" in history
    assert "Giá trị (a): — → 12" in history  # the verified row's first snapshot
    assert "Lựa chọn: — → <" not in history  # empty fields are not changes
    assert "review:" not in history and "adjusted" not in history  # no internals


def test_history_is_private_to_staff_and_the_agency_itself(client, world, cycle):
    login(client, world, Role.REPORTER, world.binh)
    assert client.get("/quan-ly/mau/2022/districts/don-vi/an/lich-su/").status_code == 403
    own = client.get("/quan-ly/mau/2022/districts/don-vi/binh/lich-su/")
    assert own.status_code == 200
    page = own.content.decode()
    assert "Lịch sử thay đổi điểm: UBND huyện Bình năm 2022" in page
    assert "UBND huyện An" not in page  # nothing of the other agency


def test_a_review_from_a_stale_page_is_refused_and_changes_nothing(client, world, cycle):
    """Two council members open the same page; the second to post is told, not obeyed."""
    login(client, world, Role.REVIEWER)
    page = client.get(url("an")).content.decode()
    start = page.index('name="criterion" value="2.1"')
    version = page[start:].split('name="version" value="')[1].split('"')[0]
    form = {"criterion": "2.1", "action": "accepted", "version": version}
    assert client.post(url("an"), form).status_code == 302  # the first member
    stale = client.post(
        url("an"), {**form, "action": "adjusted", "value": "3", "comment": "Quá cao"}
    )
    assert stale.status_code == 409
    assert "đã thay đổi" in stale.content.decode() and "tải lại trang" in stale.content.decode()
    verified = Score.objects.get(
        cycle=cycle, agency=world.an, stage=Stage.VERIFIED, criterion__code="2.1"
    )
    assert (verified.review, verified.points) == (Review.ACCEPTED, D("15"))


def test_evidence_for_a_criterion_outside_a_return_is_refused_as_locked(client, world, cycle):
    """During a return only the returned criteria take evidence; a criterion left blank and
    not returned is refused as locked, not with "enter its figures first" (a field the
    agency cannot write)."""
    Score.objects.filter(agency=world.binh, stage=Stage.SELF, criterion__code="2.1").delete()
    login(client, world, Role.REVIEWER)
    client.post(url("binh"), {"criterion": "1.2", "action": "returned", "comment": "thiếu"})
    cycle.state = CycleState.OPEN
    cycle.save()
    fields = {"url": "https://example.vn/ke-hoach.pdf", "title": "Kế hoạch ký số"}
    with pytest.raises(assessments.ReturnLocked) as refused:
        assessments.evidence_add(
            cycle=cycle, agency=world.binh, criterion_code="2.1", user=None, **fields
        )
    assert "tiêu chí 2.1 không nằm trong số đó" in str(refused.value)
    assert "trước khi gửi minh chứng" not in str(refused.value)
    returned = assessments.evidence_add(
        cycle=cycle, agency=world.binh, criterion_code="1.2", user=None, **fields
    )
    assert returned.score.criterion.code == "1.2" and returned.url == fields["url"]
