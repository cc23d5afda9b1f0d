"""The cycle dashboard: who has submitted, who is late, what is returned and waiting,
missing evidence and the council's progress; one click reminds every late agency.

The 2022 district cycle, deadline two days ago:

    agency  self-assessed  submitted  evidence  council
    An      3 criteria     yes        1.1 only  1.1, 1.2 accepted   -> missing evidence 2
    Bình    1.1            yes        none      1.1 returned        -> returned, waiting
    Cát     nothing        no         -         -                   -> late
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from agencies.models import Agency
from rankings.cycles import assessments
from rankings.cycles.overview import cycle_overview
from rankings.models import (
    CycleState,
    Evidence,
    Membership,
    Notification,
    Review,
    Role,
    Score,
    Stage,
)
from tests.world import open_2022

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PAGE = "/quan-ly/mau/2022/districts/tong-quan/"
RAW = assessments.RawInput
# The dashboard's queries, whatever the number of agencies: session, user, cycle, roles
# (two permission checks), agencies, submissions, criteria counted per agency, evidence,
# criteria needing evidence, the criteria count.
QUERIES = 10


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda call, **kw: call())


def person(world, name, role, agency=None):
    user = get_user_model().objects.create_user(name, f"{name}@example.vn", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    return user


@pytest.fixture
def cycle(world):
    cycle = open_2022(world, deadline_days=3)
    three = {"1.1": RAW(value=Decimal(8)), "1.2": RAW(value=35, denominator=50), "2.1": RAW(15)}
    assessments.self_assessment_save(cycle=cycle, agency=world.an, inputs=three, user=None)
    assessments.self_assessment_save(
        cycle=cycle, agency=world.binh, inputs={"1.1": RAW(value=Decimal(6))}, user=None
    )
    for agency in (world.an, world.binh):
        assessments.self_assessment_submit(cycle=cycle, agency=agency, user=None)
    own = Score.objects.get(cycle=cycle, agency=world.an, stage=Stage.SELF, criterion__code="1.1")
    Evidence.objects.create(score=own, title="Biên bản 1.1")
    cycle.submission_deadline = TODAY - datetime.timedelta(days=2)
    cycle.state = CycleState.REVIEW
    cycle.save()
    for agency, code, action in (
        (world.an, "1.1", Review.ACCEPTED),
        (world.an, "1.2", Review.ACCEPTED),
        (world.binh, "1.1", Review.RETURNED),
    ):
        assessments.score_review(
            cycle=cycle, agency=agency, code=code, action=action, user=None, comment="Thiếu"
        )
    mail.outbox.clear()
    Notification.objects.all().delete()
    return cycle


def test_the_overview_counts_each_kind_of_agency(world, cycle):
    overview = cycle_overview(cycle=cycle)
    assert [a.agency.slug for a in overview.submitted] == ["an"]
    assert overview.total == 3
    assert [a.agency.slug for a in overview.late] == ["cat"]
    assert [a.agency.slug for a in overview.returned] == ["binh"]
    assert {a.agency.slug: a.missing_evidence for a in overview.missing_evidence} == {
        "an": 2,
        "binh": 1,
    }
    assert (overview.reviewed_submitted, overview.to_review) == (2, 3)


def test_ict_staff_and_the_director_see_it_with_links(client, world, cycle):
    for role in (Role.EDITOR, Role.APPROVER):
        client.force_login(person(world, f"dash-{role}", role))
        html = client.get(PAGE).content.decode()
        assert "<dd>1/3</dd>" in html  # submitted 1 of 3
        assert "<dd>2/3</dd>" in html  # council: 2 of the 3 criteria submitted
        late = html[html.index('id="late"') : html.index('id="returned"')]
        assert "UBND huyện Cát" in late and "UBND huyện An" not in late
        assert 'href="/quan-ly/mau/2022/districts/don-vi/cat/lich-su/"' in late
        returned = html[html.index('id="returned"') : html.index('id="evidence"')]
        assert "UBND huyện Bình" in returned and "1 tiêu chí trả lại" in returned
        evidence = html[html.index('id="evidence"') : html.index('id="submitted"')]
        assert "2 tiêu chí chưa có minh chứng" in evidence
    assert 'name="confirm"' not in html  # the director sees, ICT staff remind
    client.force_login(person(world, "dash-reviewer", Role.REVIEWER))
    assert client.get(PAGE).status_code == 403


def test_the_query_count_does_not_grow_with_agencies(
    client, world, cycle, django_assert_num_queries
):
    client.force_login(person(world, "dash-count", Role.EDITOR))
    client.get(PAGE)  # warm the session and the site caches
    with django_assert_num_queries(QUERIES):
        client.get(PAGE)
    for n in range(4):
        agency = Agency.objects.create(
            province=world.province,
            block=world.districts,
            kind=world.an.kind,
            slug=f"moi-{n}",
            name=f"UBND huyện Mới {n}",
            short_name=f"Mới {n}",
            valid_from=world.an.valid_from,
        )
        Score.objects.create(  # written as an import would: the cycle is in review
            cycle=cycle,
            agency=agency,
            criterion=cycle.criteria_set.criteria.get(code="1.1"),
            stage=Stage.SELF,
            value=5,
            points=5,
            max_points=10,
        )
    with django_assert_num_queries(QUERIES):
        html = client.get(PAGE).content.decode()
    assert "<dd>1/7</dd>" in html


def test_one_click_reminds_every_late_agency_with_its_deadline(client, world, cycle):
    cat = person(world, "cat-bc", Role.REPORTER, world.cat)
    person(world, "binh-bc", Role.REPORTER, world.binh)  # returned, not late: not reminded
    editor = person(world, "dash-ict", Role.EDITOR)
    client.force_login(editor)
    response = client.post(PAGE, {"confirm": "on"}, follow=True)
    assert "Đã nhắc 1 đơn vị quá hạn (1 người nhận)." in response.content.decode()
    notice = Notification.objects.get()
    deadline = (TODAY - datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    assert notice.user == cat and deadline in notice.body
    assert notice.url == "/quan-ly/mau/2022/districts/don-vi/cat/tu-danh-gia/"
    assert [m.to for m in mail.outbox] == [["cat-bc@example.vn"]]
    entry = cycle.history.first()  # the audit trail: who reminded whom
    assert entry.history_user == editor and "UBND huyện Cát" in entry.history_change_reason
    client.force_login(person(world, "dash-director", Role.APPROVER))
    assert client.post(PAGE, {"confirm": "on"}).status_code == 403
    assert Notification.objects.count() == 1
