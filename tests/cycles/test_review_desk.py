"""The council's review desk: self / council / final side by side, filters, running totals,
the resulting rank, accept-remaining in one action; blank and imported values reviewable."""

import datetime
from decimal import Decimal

import pytest

from rankings.cycles import assessments, returns, services
from rankings.models import CycleState, Review, Role, Score, Stage, Submission, SubmissionState
from tests.cycles.test_final_preview import cycle, review, user  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = Decimal
DESK = "/quan-ly/mau/2022/districts/don-vi/{}/tham-dinh/"


def test_the_desk_shows_three_columns_totals_rank_and_filters(client, world, cycle):  # noqa: F811
    client.force_login(user(world, "hd", Role.REVIEWER))
    review(cycle, world.an, "2.1", Review.ADJUSTED, "Chỉ 12 dịch vụ", assessments.RawInput(D(12)))
    review(cycle, world.an, "1.2", Review.RETURNED, "Thiếu biên bản")
    page = client.get(DESK.format("an")).content.decode()
    totals = page[page.index('id="desk-totals"') : page.index("</dl>")]
    assert "30,000" in totals and "12,000" in totals  # self 8 + 7 + 15; council 12
    assert 'id="desk-rank">1/1' in page  # only An has a final value yet: first of one
    assert "Hội đồng: Thiếu biên bản" in page
    returned = client.get(DESK.format("an") + "?loc=returned").content.decode()
    assert 'id="row-1.2"' in returned and 'id="row-2.1"' not in returned
    changed = client.get(DESK.format("an") + "?loc=changed").content.decode()
    assert 'id="row-2.1"' in changed and 'id="row-1.2"' in changed  # 7 → not counted
    assert 'id="row-1.1"' in changed  # 8 self-assessed, nothing final yet
    unreviewed = client.get(DESK.format("an") + "?loc=unreviewed").content.decode()
    assert 'id="row-2.1"' not in unreviewed and 'id="row-1.1"' in unreviewed
    done = client.post(
        "/quan-ly/mau/2022/districts/chap-nhan-con-lai/", {"agency": "an"}, follow=True
    )
    assert "Đã chấp nhận 2 tiêu chí còn lại" in done.content.decode()
    assert Submission.objects.get(cycle=cycle, agency=world.an).state == SubmissionState.SUBMITTED
    verified = Score.objects.filter(cycle=cycle, agency=world.an, stage=Stage.VERIFIED)
    assert verified.count() == 3
    assert not Score.objects.filter(cycle=cycle, agency=world.binh, stage=Stage.VERIFIED).exists()


def test_blank_and_imported_values_are_reviewable(client, world, cycle):  # noqa: F811
    client.force_login(user(world, "hd", Role.REVIEWER))
    Score.objects.filter(cycle=cycle, agency=world.binh, criterion__code="2.1").delete()
    criterion = cycle.criteria_set.criteria.get(code="2.1")
    Score.objects.create(
        cycle=cycle,
        agency=world.cat,
        criterion=criterion,
        stage=Stage.FINAL,
        value=D(14),
        points=D(14),
        max_points=criterion.max_points,
    )
    blank = client.post(
        DESK.format("binh"),
        {"criterion": "2.1", "action": "adjusted", "value": "9", "comment": "Theo báo cáo"},
    )
    assert blank.status_code == 302
    imported = client.post(DESK.format("cat"), {"criterion": "2.1", "action": "accepted"})
    assert imported.status_code == 302
    points = dict(
        Score.objects.filter(cycle=cycle, stage=Stage.VERIFIED, criterion=criterion).values_list(
            "agency__slug", "points"
        )
    )
    assert points == {"binh": D("9.000"), "cat": D("14.000")}
    page = client.get(DESK.format("binh")).content.decode()
    assert "trống" in page and 'id="row-2.1"' in page


def test_an_approved_cycle_offers_no_save_and_says_why(client, world, cycle):  # noqa: F811
    client.force_login(user(world, "hd", Role.REVIEWER))
    review(cycle, world.an, "1.1", Review.ACCEPTED)
    cycle.state = "approved"
    cycle.save()
    page = client.get(DESK.format("an")).content.decode()
    assert 'id="review-lock"' in page and "Kỳ đánh giá đã được phê duyệt." in page
    assert "review-form" not in page and "Ghi 1.1" not in page
    assert 'id="accept-remaining"' not in page
    assert page.count("Đã khoá") == 3  # each of the three criteria says it
    assert "<dt>Thứ hạng sẽ có</dt>" in page  # approved: not published yet
    # The service refuses just the same: nothing offered is refused afterwards.
    refused = client.post(DESK.format("an"), {"criterion": "1.2", "action": "accepted"})
    assert refused.status_code == 400


def test_a_published_cycles_desk_says_published_rank(client, world, cycle):  # noqa: F811
    client.force_login(user(world, "hd", Role.REVIEWER))
    cycle.state = "published"
    cycle.save()
    page = client.get(DESK.format("an")).content.decode()
    assert "<dt>Thứ hạng đã công bố</dt>" in page and "Thứ hạng sẽ có" not in page


def test_a_returned_criterion_and_an_unsubmitted_agency_cannot_be_returned(
    client,
    world,
    cycle,  # noqa: F811
):
    client.force_login(user(world, "hd", Role.REVIEWER))
    review(cycle, world.an, "1.2", Review.RETURNED, "Thiếu biên bản")
    page = client.get(DESK.format("an")).content.decode()
    returned = page[page.index('id="row-1.2"') : page.index("</tr>", page.index('id="row-1.2"'))]
    assert 'value="returned"' not in returned and "đang chờ đơn vị bổ sung" in returned
    assert 'aria-describedby="note-1.2"' in returned
    save = 'Ghi 1.2<span class="visually-hidden">: kết quả thẩm định tiêu chí 1.2</span>'
    assert save in returned
    other = page[page.index('id="row-2.1"') : page.index("</tr>", page.index('id="row-2.1"'))]
    assert 'value="returned"' in other and "note-2.1" not in other
    # Cát never submitted: the council may enter a value but not return it for evidence.
    cat = client.get(DESK.format("cat")).content.decode()
    assert 'value="returned"' not in cat and "Đơn vị chưa nộp bản tự đánh giá" in cat
    assert 'value="adjusted"' in cat


def test_after_a_correction_the_desk_shows_the_corrected_final_values(client, world, cycle):  # noqa: F811
    # The walk of session 26 found the desk still showing the council's value after a
    # correction changed the published one: once published, the final stage is what counts.
    returns.review_accept_remaining(cycle=cycle, user=None)
    services.cycle_transition(cycle=cycle, to=CycleState.APPROVED)
    services.cycle_publish(
        cycle=cycle, decision_number="1/QĐ-UBND", decision_date=datetime.date(2023, 5, 1)
    )
    # What a correction writes: the final stage (the import with a reason), not the council's.
    Score.objects.filter(
        cycle=cycle, agency=world.an, criterion__code="2.1", stage=Stage.FINAL
    ).update(points=D("9.000"), value=D("9.000"))
    client.force_login(user(world, "hd", Role.REVIEWER))
    page = client.get(DESK.format("an")).content.decode()
    row = page[page.index('id="row-2.1"') : page.index("</tr>", page.index('id="row-2.1"'))]
    assert "9,000" in row  # the corrected official value, beside the council's 15,000
    totals = page[page.index('id="desk-totals"') : page.index("</dl>")]
    assert "<dt>Tổng chính thức</dt><dd>24,000</dd>" in totals  # 8 + 7 + 9
