"""The per-user language: stored by the switch, applied on sign-in, and used for everything
written to a person (notifications, e-mails), whatever the sender's language."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from rankings.cycles import assessments
from rankings.language.models import UserLanguage
from rankings.language.preference import language_of
from rankings.models import CycleState, Membership, Notification, Role
from tests.world import open_2022

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def member(world, name, role, agency=None, language=None):
    user = get_user_model().objects.create_user(name, f"{name}@example.vn", "pw-" + name)
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    if language:
        UserLanguage.objects.create(user=user, language=language)
    return user


def switch(client, language, next_url="/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def test_the_switch_stores_a_signed_in_persons_choice_and_nobody_elses(client, world):
    user = member(world, "ict-a", Role.EDITOR)
    assert language_of(user) == "vi"  # nothing stored: Vietnamese
    assert switch(client, "en").cookies[COOKIE].value == "en"  # signed out: cookie only
    assert not UserLanguage.objects.exists()

    client.force_login(user)
    response = switch(client, "en")
    assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
    assert language_of(user) == "en"
    switch(client, "xx")  # not a language of the site: nothing changes
    assert language_of(user) == "en"
    switch(client, "vi")
    assert language_of(user) == "vi" and UserLanguage.objects.count() == 1


def test_the_preference_survives_signing_out_and_in_on_another_browser(client, world):
    member(world, "ict-b", Role.EDITOR)
    assert client.post("/tai-khoan/login/", {"username": "ict-b", "password": "pw-ict-b"})
    switch(client, "en")
    client.post("/tai-khoan/logout/")
    client.cookies.clear()  # another computer, or the cookie cleared
    assert 'lang="vi"' in client.get("/").content.decode()

    signed_in = client.post("/tai-khoan/login/", {"username": "ict-b", "password": "pw-ict-b"})
    assert signed_in.status_code == 302
    assert signed_in.cookies[COOKIE].value == "en"
    page = client.get(signed_in["Location"], follow=True).content.decode()
    assert 'lang="en"' in page and "Sign out" in page


def test_signing_in_without_a_preference_leaves_the_language_alone(client, world):
    member(world, "ict-c", Role.EDITOR)
    switch(client, "en")
    signed_in = client.post("/tai-khoan/login/", {"username": "ict-c", "password": "pw-ict-c"})
    assert COOKIE not in signed_in.cookies and client.cookies[COOKIE].value == "en"


@pytest.fixture
def submitted(world):
    cycle = open_2022(world, deadline_days=None)
    raw = assessments.RawInput
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, user=None, inputs={"1.1": raw(8)}
    )
    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    cycle.state = CycleState.REVIEW
    cycle.save()
    return cycle


REVIEW = "/quan-ly/mau/2022/districts/don-vi/an/tham-dinh/"


def _return(client, reviewer, language, comment, capture):
    client.force_login(reviewer)
    client.cookies[COOKIE] = language
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(
            REVIEW, {"criterion": "1.1", "action": "returned", "comment": comment}
        )
    assert response.status_code == 302


def test_an_english_reviewer_returns_a_criterion_to_vietnamese_and_english_staff(
    client, world, submitted, django_capture_on_commit_callbacks
):
    vietnamese = member(world, "an-tt", Role.HEAD, world.an)  # no preference: Vietnamese
    english = member(world, "an-bc", Role.REPORTER, world.an, language="en")
    reviewer = member(world, "hd", Role.REVIEWER, language="en")
    _return(client, reviewer, "en", "Thiếu biên bản", django_capture_on_commit_callbacks)

    to_vi = Notification.objects.get(user=vietnamese)
    assert to_vi.subject == "Tiêu chí 1.1 cần bổ sung minh chứng"
    to_en = Notification.objects.get(user=english)
    assert to_en.subject == "Criterion 1.1 needs more evidence"
    assert to_vi.body == to_en.body == "Thiếu biên bản"  # the reviewer's words, as written
    mails = {m.to[0]: m for m in mail.outbox}
    assert mails["an-tt@example.vn"].subject == "Tiêu chí 1.1 cần bổ sung minh chứng"
    assert mails["an-bc@example.vn"].subject == "Criterion 1.1 needs more evidence"
    assert "/don-vi/an/tu-danh-gia/" in mails["an-tt@example.vn"].body

    # The Vietnamese head reads it in Vietnamese on the notifications page, in English mode too.
    client.force_login(vietnamese)
    assert "Tiêu chí 1.1 cần bổ sung minh chứng" in client.get("/thong-bao/").content.decode()


def test_a_vietnamese_reviewer_returns_a_criterion_to_english_staff(
    client, world, submitted, django_capture_on_commit_callbacks
):
    english = member(world, "an-bc", Role.REPORTER, world.an, language="en")
    reviewer = member(world, "hd", Role.REVIEWER)  # works in Vietnamese
    _return(client, reviewer, "vi", "Missing minutes", django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=english).subject == "Criterion 1.1 needs more evidence"
    assert [m.subject for m in mail.outbox] == ["Criterion 1.1 needs more evidence"]


def test_a_submission_tells_each_reviewer_in_their_own_language(
    world, django_capture_on_commit_callbacks
):
    member(world, "hd-vi", Role.REVIEWER)
    member(world, "hd-en", Role.REVIEWER, language="en")
    cycle = open_2022(world, deadline_days=None)
    assessments.self_assessment_save(
        cycle=cycle, agency=world.an, user=None, inputs={"1.1": assessments.RawInput(8)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    subjects = dict(Notification.objects.values_list("user__username", "subject"))
    assert subjects["hd-vi"].endswith("đã nộp bản tự đánh giá")
    assert subjects["hd-en"].endswith("has submitted its self-assessment"), subjects


def test_a_password_reset_asked_in_vietnamese_reaches_an_english_account_in_english(client, world):
    from django.core.cache import cache

    cache.clear()  # the reset's per-address counters
    member(world, "ict-en", Role.EDITOR, language="en")
    member(world, "ict-vi", Role.EDITOR)
    for address in ("ict-en@example.vn", "ict-vi@example.vn"):
        client.post("/tai-khoan/password_reset/", {"email": address})  # a Vietnamese page
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["ict-vi@example.vn"] == "Đặt lại mật khẩu — Xếp hạng chính quyền điện tử"
    assert "Đặt lại" not in subjects["ict-en@example.vn"]
    assert "password" in subjects["ict-en@example.vn"].lower()
    cache.clear()
