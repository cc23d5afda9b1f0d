"""ICT staff run their cycle without the superuser: move the deadline, extend it for one
agency with a reason, reopen one agency's submission, cancel a cycle opened by mistake
(while it holds no data) or archive it; each leaves an audit entry and tells the agencies
the deadline that now applies. Pages and API alike; other roles are refused.

The world's 2022 district cycle is opened from a copy of the 2021 set with a deadline
10 days ahead; An's reporter and head, Bình's reporter, an editor and a reviewer exist.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.cycles import assessments, services
from rankings.models import (
    AssessmentCycle,
    CriteriaSet,
    CycleState,
    Membership,
    Notification,
    Role,
    Submission,
    SubmissionState,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PAGE = "/quan-ly/mau/2022/districts/dieu-hanh/"
API = "/api/v1/cycles/mau/2022/districts/"


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    """The test runs in one transaction that never commits: notifications (sent on
    commit) are sent at once instead, so each step's can be read after it."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda call, **kw: call())


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cycle(world):
    copy = services.criteria_set_copy(
        source=world.cycle_2021.criteria_set, slug="mau-huyen-2022", name="Bộ 2022"
    )
    return services.cycle_open(
        province=world.province,
        block=world.districts,
        year=2022,
        criteria_set=copy,
        submission_deadline=days(10),
    )


@pytest.fixture
def people(world):
    made = {}
    for name, role, agency in (
        ("reporter_an", Role.REPORTER, world.an),
        ("head_an", Role.HEAD, world.an),
        ("reporter_binh", Role.REPORTER, world.binh),
        ("editor", Role.EDITOR, None),
        ("reviewer", Role.REVIEWER, None),
    ):
        user = get_user_model().objects.create_user(name, f"{name}@example.vn", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        made[name] = user
    return made


def save(cycle, agency, value="8"):
    return assessments.self_assessment_save(
        cycle=cycle,
        agency=agency,
        inputs={"1.1": assessments.RawInput(value=Decimal(value))},
        user=None,
    )


def post(client, user, action, **fields):
    client.force_login(user)
    return client.post(PAGE, {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}})


def test_only_ict_staff_reach_the_page(client, cycle, people):
    for name, expected in (("reviewer", 403), ("reporter_an", 403), ("editor", 200)):
        client.force_login(people[name])
        assert client.get(PAGE).status_code == expected, name
    page = client.get(PAGE).content.decode()
    assert "Dời hạn nộp của cả kỳ" in page and "Gia hạn cho một đơn vị" in page
    desk = client.get("/quan-ly/mau/2022/districts/").content.decode()
    assert PAGE in desk  # the desk links to it


def test_moving_the_deadline_tells_every_agency_the_new_date_and_is_audited(
    client, cycle, world, people
):
    mail.outbox.clear()
    past = post(client, people["editor"], "deadline", deadline=days(-1).isoformat())
    assert past.status_code == 409 and "đã qua" in past.content.decode()
    cycle.refresh_from_db()
    assert cycle.submission_deadline == days(10)
    response = post(
        client, people["editor"], "deadline", deadline=days(20).isoformat(), reason="Tết"
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.submission_deadline == days(20)
    record = cycle.history.latest()
    assert record.history_user == people["editor"]
    assert (
        record.history_change_reason.endswith(": Tết")
        and "deadline" in record.history_change_reason
    )
    told = Notification.objects.filter(subject__contains=days(20).strftime("%d/%m/%Y"))
    assert sorted(told.values_list("user__username", flat=True)) == [
        "head_an",
        "reporter_an",
        "reporter_binh",
    ]
    assert any(days(20).strftime("%d/%m/%Y") in m.body for m in mail.outbox)
    confirmed = post(
        client, people["editor"], "deadline", deadline=days(-1).isoformat(), confirm_past="on"
    )
    assert confirmed.status_code == 302  # deliberate: every agency is locked at once
    with pytest.raises(assessments.Locked, match="quá hạn"):
        save(cycle, world.an)


def test_an_extension_lets_one_agency_go_on_after_the_others_are_locked(
    client, cycle, world, people
):
    AssessmentCycle.objects.filter(pk=cycle.pk).update(submission_deadline=days(-2))
    cycle.refresh_from_db()
    no_reason = post(client, people["editor"], "extend", agency="an", until=days(5).isoformat())
    assert no_reason.status_code == 400 and "Lý do: bắt buộc" in no_reason.content.decode()
    before_general = post(
        client, people["editor"], "extend", agency="an", until=days(-3).isoformat(), reason="x"
    )
    assert before_general.status_code == 409
    assert "sau hạn chung" in before_general.content.decode()
    response = post(
        client,
        people["editor"],
        "extend",
        agency="an",
        until=days(5).isoformat(),
        reason="Mất điện tuần cuối",
    )
    assert response.status_code == 302
    assert save(cycle, world.an) == 1  # An may still write
    with pytest.raises(assessments.Locked, match="quá hạn"):
        save(cycle, world.binh)  # Bình may not
    submission = Submission.objects.get(cycle=cycle, agency=world.an)
    assert (submission.extended_to, submission.extension_reason) == (days(5), "Mất điện tuần cuối")
    audit = submission.history.filter(history_change_reason__startswith="extension").get()
    assert audit.history_user == people["editor"]
    notice = Notification.objects.get(user=people["reporter_an"], subject__contains="gia hạn")
    assert days(5).strftime("%d/%m/%Y") in notice.subject and "Mất điện" in notice.body
    assert not Notification.objects.filter(
        user=people["reporter_binh"], subject__contains="gia hạn"
    )
    page = client.get(PAGE).content.decode()
    assert "Mất điện tuần cuối" in page


def test_reopening_one_submission_needs_an_extension_once_the_deadline_passed(
    client, cycle, world, people
):
    save(cycle, world.an)
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=people["head_an"])
    not_submitted = post(client, people["editor"], "reopen", agency="binh", reason="x")
    assert not_submitted.status_code == 409
    AssessmentCycle.objects.filter(pk=cycle.pk).update(submission_deadline=days(-1))
    locked = post(client, people["editor"], "reopen", agency="an", reason="Sai số liệu 1.1")
    assert locked.status_code == 409 and "gia hạn" in locked.content.decode()
    assert Submission.objects.get(cycle=cycle, agency=world.an).state == SubmissionState.SUBMITTED
    response = post(
        client,
        people["editor"],
        "reopen",
        agency="an",
        reason="Sai số liệu 1.1",
        until=days(3).isoformat(),
    )
    assert response.status_code == 302
    submission = Submission.objects.get(cycle=cycle, agency=world.an)
    assert (submission.state, submission.extended_to) == (SubmissionState.DRAFT, days(3))
    assert save(cycle, world.an, "9") == 1
    reasons = list(submission.history.values_list("history_change_reason", flat=True))
    assert "reopened: Sai số liệu 1.1" in reasons
    notice = Notification.objects.get(user=people["head_an"], subject__contains="mở lại")
    assert days(3).strftime("%d/%m/%Y") in notice.body


def test_a_cycle_opened_by_mistake_is_cancelled_while_empty_else_archived(
    client, cycle, world, people
):
    copy_pk = cycle.criteria_set_id
    save(cycle, world.an)
    refused = post(client, people["editor"], "end", how="cancel", reason="Mở nhầm")
    assert refused.status_code == 409
    assert "lưu trữ" in refused.content.decode() and "scores: 1" in refused.content.decode()
    assert AssessmentCycle.objects.filter(pk=cycle.pk).exists()
    archived = post(client, people["editor"], "end", how="archive", reason="Mở nhầm bộ tiêu chí")
    assert archived.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.state, cycle.archived_reason) == (CycleState.ARCHIVED, "Mở nhầm bộ tiêu chí")
    with pytest.raises(assessments.Locked, match="lưu trữ"):
        save(cycle, world.an)
    assert cycle.history.latest().history_change_reason == "archived: Mở nhầm bộ tiêu chí"
    # An empty one goes, with the criteria set copied for it.
    AssessmentCycle.objects.filter(pk=cycle.pk).delete()
    empty = services.cycle_open(
        province=world.province,
        block=world.districts,
        year=2022,
        criteria_set=CriteriaSet.objects.get(pk=copy_pk),
        submission_deadline=days(10),
    )
    response = post(client, people["editor"], "end", how="cancel", reason="Mở nhầm năm")
    assert response.status_code == 302
    assert not AssessmentCycle.objects.filter(pk=empty.pk).exists()
    assert not CriteriaSet.objects.filter(pk=copy_pk).exists()
    gone = AssessmentCycle.history.filter(id=empty.pk, history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (
        people["editor"],
        "cancelled: Mở nhầm năm",
    )


def test_deadline_reminders_follow_each_agencys_current_deadline(cycle, world, people):
    AssessmentCycle.objects.filter(pk=cycle.pk).update(submission_deadline=days(3))
    Submission.objects.create(
        cycle=cycle, agency=world.an, extended_to=days(8), extension_reason="x"
    )
    call_command("notify_deadlines", days=3, stdout=io.StringIO())
    told = set(
        Notification.objects.filter(subject__startswith="Còn 3 ngày").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"reporter_binh"}  # An's deadline is days(8), not days(3)
    Notification.objects.all().delete()
    call_command("notify_deadlines", days=8, stdout=io.StringIO())
    reminder = Notification.objects.filter(subject__startswith="Còn 8 ngày")
    assert set(reminder.values_list("user__username", flat=True)) == {"reporter_an", "head_an"}
    assert all(days(8).strftime("%d/%m/%Y") in n.body for n in reminder)


# --- The API ----------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def test_api_runs_the_cycle_with_the_same_rules(cycle, world, people):
    editor, reviewer = api(people["editor"]), api(people["reviewer"])
    assert reviewer.post(API + "deadline/", {"deadline": days(9).isoformat()}).status_code == 403
    past = editor.post(API + "deadline/", {"deadline": days(-9).isoformat()}, format="json")
    assert past.status_code == 409 and "đã qua" in past.json()["error"]["message"]
    moved = editor.post(API + "deadline/", {"deadline": days(12).isoformat()}, format="json")
    assert moved.status_code == 200 and moved.json()["submission_deadline"] == days(12).isoformat()
    bad = editor.post(API + "agencies/an/extension/", {"until": "31/12"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"until", "reason"}
    assert "năm-tháng-ngày" in bad.json()["error"]["fields"]["until"][0]
    extended = editor.post(
        API + "agencies/an/extension/",
        {"until": days(15).isoformat(), "reason": "Đổi cán bộ"},
        format="json",
    )
    assert extended.status_code == 200
    assert extended.json()["extended_to"] == days(15).isoformat()
    save(cycle, world.an)
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=people["head_an"])
    reopened = editor.post(API + "agencies/an/reopen/", {"reason": "Sửa 1.1"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["state"] == "draft"
    cancel = editor.post(API + "cancellation/", {"reason": "Nhầm"}, format="json")
    assert cancel.status_code == 409 and "lưu trữ" in cancel.json()["error"]["message"]
    archived = editor.post(API + "archive/", {"reason": "Nhầm"}, format="json")
    assert archived.status_code == 200 and archived.json()["state"] == "archived"
    again = editor.post(API + "deadline/", {"deadline": days(30).isoformat()}, format="json")
    assert again.status_code == 409


def test_api_cancels_an_empty_cycle(cycle, people):
    response = api(people["editor"]).post(API + "cancellation/", {"reason": "Nhầm năm"})
    assert response.status_code == 204
    assert not AssessmentCycle.objects.filter(pk=cycle.pk).exists()


def test_an_archived_cycle_takes_no_import_nor_entry(client, cycle, world, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.imports.test_imports import INPUTS_2021, filled

    upload = filled(cycle, INPUTS_2021)
    services_archive = api(people["editor"]).post(API + "archive/", {"reason": "Nhầm"})
    assert services_archive.status_code == 200
    refused = api(people["editor"]).post(
        API + "imports/", {"file": SimpleUploadedFile("d.xlsx", upload)}, format="multipart"
    )
    assert refused.status_code == 409 and "lưu trữ" in refused.json()["error"]["message"]
    client.force_login(people["editor"])
    page = client.post(
        "/quan-ly/mau/2022/districts/nhap-lieu/", {"file": SimpleUploadedFile("d.xlsx", upload)}
    )
    assert page.status_code == 409 and "lưu trữ" in page.content.decode()
    entry = api(people["editor"]).put(API + "scores/an/1.1/?stage=final", {"value": "5"})
    assert entry.status_code == 409
    assert not cycle.scores.exists()


def test_the_agency_sees_its_own_deadline(client, cycle, world, people):
    Submission.objects.create(
        cycle=cycle, agency=world.an, extended_to=days(30), extension_reason="Đổi cán bộ"
    )
    client.force_login(people["reporter_an"])
    page = client.get("/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/").content.decode()
    assert f"hạn nộp {days(30):%d/%m/%Y} (gia hạn riêng: Đổi cán bộ)" in page
    client.force_login(people["reporter_binh"])
    other = client.get("/quan-ly/mau/2022/districts/don-vi/binh/tu-danh-gia/").content.decode()
    assert f"hạn nộp {days(10):%d/%m/%Y}" in other and "gia hạn riêng" not in other


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        (CycleState.OPEN, {"deadline", "extend", "reopen", "end", "exclude"}),
        (CycleState.REVIEW, {"end", "exclude"}),
        (CycleState.PUBLISHED, {"exclude"}),
        (CycleState.ARCHIVED, set()),
    ],
)
def test_the_page_offers_only_the_forms_the_cycle_state_leaves_any_use_for(
    client, cycle, people, state, offered
):
    """A published cycle shows no deadline, extension, reopening or cancel form (each could
    only be refused); its unranked list changes only as a correction."""
    cycle.state = state
    cycle.save()
    client.force_login(people["editor"])
    page = client.get(PAGE).content.decode()
    shown = {
        name
        for name in ("deadline", "extend", "reopen", "end", "exclude")
        if f'name="action" value="{name}"' in page
    }
    assert shown == offered
    assert ('id="published-note"' in page) == (state == CycleState.PUBLISHED)
    # A post of a form not offered still gets the service's refusal, not a 403 nor a 500.
    if "deadline" not in offered:
        refused = post(client, people["editor"], "deadline", deadline=days(20).isoformat())
        assert refused.status_code == 409
        cycle.refresh_from_db()
        assert cycle.submission_deadline == days(10)
