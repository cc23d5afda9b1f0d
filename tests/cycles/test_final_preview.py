"""Final preview = publication; every agency accounted for; returns that work.

The 2022 district cycle of the small world: An (8, 35/50, 15 = 30) and Bình (6, 20/40, 10
= 21) self-assessed and submitted; Cát never did. The cycle is in review.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from rankings.cycles import assessments, final, management, returns, services
from rankings.models import (
    AssessmentCycle,
    CycleState,
    Evidence,
    Membership,
    Notification,
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
raw = assessments.RawInput
DESK = "/quan-ly/mau/2022/districts/"


@pytest.fixture
def cycle(world):
    cycle = open_2022(world, deadline_days=None)
    for agency, (a, num, den, b) in ((world.an, (8, 35, 50, 15)), (world.binh, (6, 20, 40, 10))):
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


def user(world, name, role, agency=None):
    person = get_user_model().objects.create_user(name, "", "x")
    Membership.objects.create(user=person, role=role, province=world.province, agency=agency)
    return person


def review(cycle, agency, code, action, comment="", inputs=None):
    return assessments.score_review(
        cycle=cycle,
        agency=agency,
        code=code,
        action=action,
        user=None,
        comment=comment,
        inputs=inputs,
    )


def rows(results):
    return sorted(
        (r.agency_id, r.total, r.score, r.percent, r.rank, r.band, r.not_ranked_reason, r.groups)
        for r in results
    )


def test_preview_counts_only_final_values_and_lists_why_they_differ(world, cycle):
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    review(cycle, world.an, "2.1", Review.ADJUSTED, "Chỉ 12 dịch vụ", raw(D(12)))
    preview = final.final_preview(cycle=cycle)
    by_slug = {row.agency.slug: row for row in preview.rows}
    # An: only the verified 1.1 (8) and 2.1 (12) count, its unreviewed 1.2 does not.
    assert by_slug["an"].total == D("20.000")
    assert by_slug["cat"].not_ranked_reason == "Không nộp bản tự đánh giá"
    assert preview.unaccounted == ["UBND huyện Bình"]  # submitted, nothing settled yet
    whys = {(d.agency_name, d.code): d.why for d in preview.differences}
    assert whys[("UBND huyện An", "2.1")] == "Hội đồng điều chỉnh: Chỉ 12 dịch vụ"
    assert whys[("UBND huyện An", "1.2")].startswith("Chưa được Hội đồng thẩm định")


def test_approval_waits_for_the_council_then_publishes_exactly_the_preview(world, cycle):
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    with pytest.raises(services.TransitionRefused) as refused:
        services.cycle_transition(cycle=cycle, to=CycleState.APPROVED)
    assert "UBND huyện An – 1.2" in str(refused.value)
    assert "UBND huyện Bình – 2.1" in str(refused.value)
    accepted = returns.review_accept_remaining(cycle=cycle, user=None)
    assert accepted == 5
    services.cycle_transition(cycle=cycle, to=CycleState.APPROVED)
    cycle.refresh_from_db()
    preview = final.final_preview(cycle=cycle)
    services.cycle_publish(
        cycle=cycle, decision_number="1/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
    )
    published = Result.objects.filter(cycle=cycle, publication__isnull=False)
    assert rows(published) == rows(preview.rows)
    by_slug = {r.agency.slug: (r.rank, r.total, r.not_ranked_reason) for r in published}
    assert by_slug == {
        "an": (1, D("30.000"), ""),
        "binh": (2, D("21.000"), ""),
        "cat": (None, D("0.000"), "Không nộp bản tự đánh giá"),
    }


def test_publishing_refuses_an_agency_with_neither_values_nor_reason(world, cycle):
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.APPROVED)
    cycle.refresh_from_db()
    assert "UBND huyện Bình" in services.publish_refusal(cycle=cycle)
    with pytest.raises(services.PublishRefused, match="UBND huyện Bình"):
        services.cycle_publish(
            cycle=cycle, decision_number="1/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
        )
    assert not cycle.publications.exists()


def test_an_excluded_agency_is_not_ranked_in_the_decisions_words(world, cycle):
    management.agency_exclude(
        cycle=cycle, agency=world.binh, reason="Sáp nhập ngày 01/10", user=None
    )
    returns.review_accept_remaining(cycle=cycle, user=None)
    row = {r.agency.slug: r for r in final.final_preview(cycle=cycle).rows}["binh"]
    assert (row.rank, row.not_ranked_reason) == (None, "Sáp nhập ngày 01/10")


def test_a_return_reopens_only_that_criterion_until_resubmitted(
    world, cycle, django_capture_on_commit_callbacks
):
    reviewer = user(world, "hd", Role.REVIEWER)
    reporter = user(world, "an-cb", Role.REPORTER, world.an)
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    review(cycle, world.an, "1.2", Review.RETURNED, "Thiếu biên bản họp")
    assert Submission.objects.get(cycle=cycle, agency=world.an).state == SubmissionState.RETURNED
    with pytest.raises(assessments.Locked, match=r"tiêu chí 2\.1 không nằm trong số"):
        assessments.self_assessment_save(
            cycle=cycle, agency=world.an, user=reporter, inputs={"2.1": raw(D(20))}
        )
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, user=reporter, inputs={"1.2": raw(D(45), D(50))}
    )
    evidence = assessments.evidence_add(
        cycle=cycle,
        agency=world.an,
        criterion_code="1.2",
        user=reporter,
        title="Biên bản họp",
        url="https://vinhphuc.gov.vn/bb",
    )
    with pytest.raises(assessments.Locked):
        assessments.evidence_add(
            cycle=cycle,
            agency=world.an,
            criterion_code="2.1",
            user=reporter,
            title="Khác",
            url="https://vinhphuc.gov.vn/x",
        )
    with pytest.raises(returns.Refused, match="Chỉ người đã gửi"):
        returns.evidence_remove(evidence=evidence, user=reviewer)
    evidence_id = evidence.pk
    returns.evidence_remove(evidence=evidence, user=reporter)
    assert not Evidence.objects.filter(pk=evidence_id).exists()
    removal = Evidence.history.get(id=evidence_id, history_type="-")
    assert (removal.history_user, removal.history_change_reason) == (reporter, "form: removed")
    assessments.evidence_add(
        cycle=cycle,
        agency=world.an,
        criterion_code="1.2",
        user=reporter,
        title="Biên bản họp số 2",
        url="https://vinhphuc.gov.vn/bb2",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assessments.self_assessment_submit(
            cycle=cycle, agency=world.an, user=reporter, answers={"1.2": "Đã bổ sung biên bản"}
        )
    own = Score.objects.get(cycle=cycle, agency=world.an, criterion__code="1.2", stage=Stage.SELF)
    assert (own.review, own.comment, own.answer) == (
        Review.ANSWERED,
        "Thiếu biên bản họp",
        "Đã bổ sung biên bản",
    )
    assert Notification.objects.filter(user=reviewer, subject__contains="nộp lại").exists()
    with pytest.raises(assessments.Locked):  # submitted again: locked as a whole
        assessments.evidence_add(
            cycle=cycle,
            agency=world.an,
            criterion_code="1.2",
            user=reporter,
            title="Muộn",
            url="https://vinhphuc.gov.vn/m",
        )
    review(cycle, world.an, "1.2", Review.ACCEPTED)
    verified = Score.objects.get(
        cycle=cycle, agency=world.an, criterion__code="1.2", stage=Stage.VERIFIED
    )
    assert verified.points == D("9.000")  # 45/50 × 10: the answer counts


def test_returning_a_draft_agency_is_refused_with_why(world, cycle):
    with pytest.raises(assessments.Locked, match="Chỉ trả lại được bản tự đánh giá đã nộp"):
        review(cycle, world.cat, "1.1", Review.RETURNED, "Thiếu")


def test_pages_preview_confirm_and_publish_the_same_rows(client, world, cycle):
    approver = user(world, "pd", Role.APPROVER)
    client.force_login(approver)
    asked = client.post(DESK + "trang-thai/", {"action": "approve"})
    page = asked.content.decode()
    assert asked.status_code == 200 and 'id="unreviewed"' in page
    assert "UBND huyện An – 1.1" in page
    returns.review_accept_remaining(cycle=cycle, user=None)
    page = client.post(DESK + "trang-thai/", {"action": "approve"}).content.decode()
    assert 'id="final-preview-table"' in page and "Không nộp bản tự đánh giá" in page
    client.post(DESK + "trang-thai/", {"action": "approve", "confirmed": "1"})
    cycle.refresh_from_db()
    assert cycle.state == CycleState.APPROVED
    preview_page = client.get(DESK + "xem-truoc/").content.decode()
    assert "chưa được Hội đồng chấp nhận không bao giờ được tính" in preview_page
    fingerprint = final.final_preview(cycle=cycle).fingerprint()
    assert f'value="{fingerprint}"' in client.get(DESK + "cong-bo/").content.decode()
    form = {"decision_number": "9/QĐ-UBND", "decision_date": "2023-05-01"}
    stale = client.post(DESK + "cong-bo/", {**form, "preview": "0" * 16})
    assert stale.status_code == 400 and "đã thay đổi" in stale.content.decode()
    done = client.post(DESK + "cong-bo/", {**form, "preview": fingerprint})
    assert done.status_code == 302
    public = client.get("/mau/2022/districts/").content.decode()
    assert "Không nộp bản tự đánh giá" in public and "30,000" in public


def test_the_self_assessment_page_after_a_return(client, world, cycle):
    page_url = DESK + "don-vi/an/tu-danh-gia/"
    review(cycle, world.an, "1.2", Review.RETURNED, "Thiếu biên bản họp")
    client.force_login(user(world, "an-cb", Role.REPORTER, world.an))
    page = client.get(page_url).content.decode()
    assert 'id="returned-1.2"' in page and 'id="returned-note"' in page
    assert re.search(r'name="v-2\.1"[^>]*disabled', page)  # not returned: read-only
    assert not re.search(r'name="v-1\.2"[^>]*disabled', page)
    other = client.post(page_url, {"action": "save", "v-2.1": "20"})
    assert other.status_code == 409 and "tiêu chí 2.1 không nằm trong số" in other.content.decode()
    fixed = client.post(page_url, {"action": "save", "v-1.2": "45", "d-1.2": "50"})
    assert fixed.status_code == 302
    client.post(
        page_url,
        {"action": "evidence", "criterion": "1.2", "title": "BB", "url": "https://a.vn/bb"},
    )
    evidence = Evidence.objects.get(score__agency=world.an, title="BB")
    assert f'name="evidence" value="{evidence.pk}"' in client.get(page_url).content.decode()
    removed = client.post(page_url, {"action": "evidence_remove", "evidence": evidence.pk})
    assert removed.status_code == 302 and not Evidence.objects.filter(pk=evidence.pk).exists()
    client.force_login(user(world, "an-tt", Role.HEAD, world.an))
    answer = {"action": "submit", "answer-1.2": "Đã nhập lại theo biên bản"}
    confirm = client.post(page_url, answer).content.decode()  # the checklist first
    assert 'name="answer-1.2" value="Đã nhập lại theo biên bản"' in confirm
    client.post(page_url, {**answer, "confirmed": "1"})
    own = Score.objects.get(cycle=cycle, agency=world.an, criterion__code="1.2", stage=Stage.SELF)
    assert (own.review, own.answer) == (Review.ANSWERED, "Đã nhập lại theo biên bản")
    assert Submission.objects.get(cycle=cycle, agency=world.an).state == SubmissionState.SUBMITTED


def test_the_public_caption_counts_every_listed_agency(client, world, cycle):
    # The walk of session 26 read "Bảng xếp hạng (9/1 đơn vị)": listed rows over valued ones.
    returns.review_accept_remaining(cycle=cycle, user=None)
    services.cycle_transition(cycle=cycle, to=CycleState.APPROVED)
    services.cycle_publish(
        cycle=cycle, decision_number="1/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
    )
    page = client.get("/mau/2022/districts/").content.decode()
    assert "Bảng xếp hạng (3/3 đơn vị)" in page  # An, Bình ranked; Cát did not submit


def test_the_agency_page_averages_the_block_as_the_leaderboard_does(world, cycle):
    # The walk of session 26: the agency page averaged over every listed agency, the
    # leaderboard over those with values (An 30 and Bình 21; Cát did not submit).
    from rankings.public.selectors.agency import agency_profile
    from rankings.public.selectors.leaderboard import leaderboard

    returns.review_accept_remaining(cycle=cycle, user=None)
    services.cycle_transition(cycle=cycle, to=CycleState.APPROVED)
    services.cycle_publish(
        cycle=cycle, decision_number="1/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
    )
    board = leaderboard(cycle=cycle)
    profile = agency_profile(agency=world.an)
    assert board.stats.mean == profile.latest.stats.mean == D("25.5")
