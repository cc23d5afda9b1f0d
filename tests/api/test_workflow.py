"""API v1 writes: token and session auth, the role matrix, ETag/If-Match, audit, refusals.

The world's province "mau" opens its 2022 district cycle from the 2021 criteria set
(1.1 direct /10, 1.2 ratio a/b × 10, 2.1 direct /20). Each role is a user with a token;
every write operation is tried by every role, and a refused one changes nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.models import (
    AssessmentCycle,
    CycleState,
    Evidence,
    Membership,
    Publication,
    Result,
    Role,
    Score,
    Stage,
    Submission,
    SubmissionState,
)
from tests.imports.test_imports import INPUTS_2021, filled

pytestmark = pytest.mark.django_db

CYCLE = "/api/v1/cycles/mau/2022/districts/"
PDF = b"%PDF-1.4\n%evidence\n"
ROLES = ["anonymous", "reporter_a", "head_a", "reporter_b", "editor", "reviewer", "approver"]


@pytest.fixture
def cycle(world):
    return AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.OPEN,
        submission_deadline=datetime.date.today() + datetime.timedelta(days=10),
    )


@pytest.fixture
def people(world):
    """A user and a token per role: An's reporter and head, Bình's reporter, provincial staff."""
    setup = {
        "reporter_a": (Role.REPORTER, world.an),
        "head_a": (Role.HEAD, world.an),
        "reporter_b": (Role.REPORTER, world.binh),
        "editor": (Role.EDITOR, None),
        "reviewer": (Role.REVIEWER, None),
        "approver": (Role.APPROVER, None),
    }
    found = {}
    for name, (role, agency) in setup.items():
        user = get_user_model().objects.create_user(name, "", "x")
        Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
        found[name] = user
    return found


def as_role(people, name) -> APIClient:
    client = APIClient()
    if name != "anonymous":
        _row, token = AuthToken.objects.create(user=people[name])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def seen(api, cycle_url=CYCLE) -> str:
    """The fingerprint of the final preview the approver reads before publishing."""
    return api.get(cycle_url + "publications/").json().get("fingerprint", "0" * 16)


def self_score(cycle, agency, code="1.2", value="35", denominator="50"):
    from rankings.cycles import assessments

    assessments.self_assessment_save(
        cycle=cycle,
        agency=agency,
        inputs={code: assessments.RawInput(value=Decimal(value), denominator=Decimal(denominator))},
        user=None,
    )


# --- One agency's score through the API ------------------------------------------------


def test_reporter_writes_a_self_assessed_score_with_etag_and_if_match(cycle, world, people):
    api = as_role(people, "reporter_a")
    url = CYCLE + "scores/an/1.2/?stage=self"
    created = api.put(url, {"value": "35", "denominator": "50"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["agency"], body["criterion"], body["stage"]) == ("an", "1.2", "self")
    assert body["points"] == "7.000" and body["value"] == "35.000"  # 35/50 × 10
    etag = created["ETag"]
    assert etag == body["etag"] and etag.startswith('"')
    assert created["Cache-Control"] == "private, no-store"

    read = api.get(url)
    assert read.status_code == 200 and read["ETag"] == etag

    blind = api.put(url, {"value": "40", "denominator": "50"}, format="json")
    assert blind.status_code == 428 and blind.json()["error"]["code"] == "precondition_required"

    changed = api.put(url, {"value": "40", "denominator": "50"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["points"] == "8.000"
    assert changed["ETag"] != etag

    stale = api.put(url, {"value": "45", "denominator": "50"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    score = Score.objects.get(cycle=cycle, agency=world.an, stage=Stage.SELF, criterion__code="1.2")
    assert score.value == Decimal("40")  # the stale write changed nothing

    paths = list(
        score.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert paths == ["api", "api"]
    assert score.history.latest().history_user == people["reporter_a"]


def test_if_none_match_star_creates_only_once(cycle, people):
    api = as_role(people, "reporter_a")
    url = CYCLE + "scores/an/1.1/?stage=self"
    first = api.put(url, {"value": "8"}, format="json", HTTP_IF_NONE_MATCH="*")
    second = api.put(url, {"value": "9"}, format="json", HTTP_IF_NONE_MATCH="*")
    assert (first.status_code, second.status_code) == (201, 412)
    assert second.json()["error"]["code"] == "precondition_failed"
    # The stored value is the first write's; the refused one left no trace.
    score = Score.objects.get(
        cycle=cycle, agency__slug="an", stage=Stage.SELF, criterion__code="1.1"
    )
    assert score.value == Decimal("8")
    assert score.history.count() == 1


def test_inputs_the_criteria_set_refuses_are_400_with_the_reason(cycle, people):
    api = as_role(people, "reporter_a")
    over = api.put(CYCLE + "scores/an/1.2/?stage=self", {"value": "3", "denominator": "0"})
    assert over.status_code == 400
    assert over.json()["error"]["fields"]["denominator"] == ["denominator: mẫu số phải lớn hơn 0."]
    too_much = api.put(CYCLE + "scores/an/2.1/?stage=self", {"value": "25"})
    assert too_much.status_code == 400  # the criteria set's maximum: the engine names it
    assert "2.1" in " ".join(too_much.json()["error"]["fields"]["non_field_errors"])
    empty = api.put(CYCLE + "scores/an/1.1/?stage=self", {}, format="json")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "invalid"
    unknown = api.put(CYCLE + "scores/an/9.9/?stage=self", {"value": "1"}, format="json")
    assert unknown.status_code == 404
    bad_stage = api.put(CYCLE + "scores/an/1.1/?stage=verified", {"value": "1"}, format="json")
    assert bad_stage.status_code == 400 and "stage" in bad_stage.json()["error"]["fields"]
    assert not Score.objects.filter(cycle=cycle).exists()


def test_a_submitted_self_assessment_is_locked_with_the_reason(cycle, world, people):
    self_score(cycle, world.an)
    assert as_role(people, "head_a").post(CYCLE + "agencies/an/submission/").status_code == 200
    api = as_role(people, "reporter_a")
    url = CYCLE + "scores/an/1.2/?stage=self"
    etag = api.get(url)["ETag"]
    locked = api.put(url, {"value": "1", "denominator": "50"}, format="json", HTTP_IF_MATCH=etag)
    assert locked.status_code == 409
    assert locked.json()["error"] == {
        "code": "locked",
        "message": "Bản tự đánh giá đã được nộp.",
        "fields": {},
    }


def test_editor_enters_a_final_score_and_the_draft_ranking_follows(cycle, world, people):
    api = as_role(people, "editor")
    for agency, value in (("an", "8"), ("binh", "6")):
        response = api.put(CYCLE + f"scores/{agency}/1.1/?stage=final", {"value": value})
        assert response.status_code == 201
    draft = dict(Result.objects.filter(cycle=cycle).values_list("agency__slug", "rank"))
    assert draft["an"] == 1 and draft["binh"] == 2
    listed = api.get(CYCLE + "scores/?stage=final").json()
    assert [(s["agency"], s["points"]) for s in listed["results"]] == [
        ("an", "8.000"),
        ("binh", "6.000"),
    ]


def test_reviewer_adjusts_and_returns_and_the_agency_sees_why(cycle, world, people):
    self_score(cycle, world.an)
    self_score(cycle, world.an, code="1.1", value="9", denominator="1")
    from rankings.cycles import assessments

    assessments.self_assessment_submit(cycle=cycle, agency=world.an, user=None)
    reviewer = as_role(people, "reviewer")
    no_comment = reviewer.post(
        CYCLE + "scores/an/1.2/review/", {"action": "adjusted", "value": "30", "denominator": "50"}
    )
    assert no_comment.status_code == 400
    adjusted = reviewer.post(
        CYCLE + "scores/an/1.2/review/",
        {"action": "adjusted", "value": "30", "denominator": "50", "comment": "Số liệu quý IV"},
    )
    assert adjusted.status_code == 200, adjusted.json()
    assert (adjusted.json()["stage"], adjusted.json()["points"]) == ("verified", "6.000")
    returned = reviewer.post(
        CYCLE + "scores/an/1.1/review/",
        {"action": "returned", "comment": "Cần bổ sung minh chứng"},
    )
    assert returned.status_code == 200 and returned.json()["review"] == "returned"
    seen = as_role(people, "reporter_a").get(CYCLE + "scores/an/1.1/?stage=self").json()
    assert (seen["review"], seen["comment"]) == ("returned", "Cần bổ sung minh chứng")
    assert Submission.objects.get(cycle=cycle, agency=world.an).state == SubmissionState.RETURNED


def test_evidence_upload_is_checked_for_type(cycle, world, people):
    self_score(cycle, world.an)
    api = as_role(people, "reporter_a")
    url = CYCLE + "scores/an/1.2/evidence/"
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf")
    refused = api.post(url, {"title": "Biên bản", "file": fake}, format="multipart")
    assert refused.status_code == 400
    assert "không đúng định dạng .pdf" in str(refused.json()["error"]["fields"])
    good = SimpleUploadedFile("bien-ban.pdf", PDF)
    created = api.post(
        url,
        {"title": "Biên bản", "document_number": "12/BB", "file": good},
        format="multipart",
    )
    assert created.status_code == 201 and created.json()["file"].endswith(".pdf")
    huge = SimpleUploadedFile("lon.pdf", PDF + b"0" * (10 * 1024 * 1024))
    too_large = api.post(url, {"title": "Lớn", "file": huge}, format="multipart")
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "too_large"
    listed = api.get(url).json()
    assert [e["document_number"] for e in listed] == ["12/BB"]
    evidence = Evidence.objects.get()
    assert evidence.history.latest().history_change_reason == "api"


def test_evidence_file_is_downloaded_by_token_only_by_those_who_read_the_drafts(
    cycle, world, people
):
    self_score(cycle, world.an)
    clients = {role: as_role(people, role) for role in (*people, "anonymous")}
    url = CYCLE + "scores/an/1.2/evidence/"
    file = SimpleUploadedFile("bien-ban.pdf", PDF)
    clients["reporter_a"].post(url, {"title": "Biên bản", "file": file}, format="multipart")
    link = clients["reporter_a"].post(
        url, {"title": "Trang", "url": "https://example.vn/bb.html"}, format="multipart"
    )
    evidence = Evidence.objects.get(title="Biên bản")
    download = f"{url}{evidence.pk}/"
    for role in ("reporter_a", "head_a", "editor", "reviewer", "approver"):
        response = clients[role].get(download)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
    assert clients["reporter_b"].get(download).status_code == 403
    assert clients["anonymous"].get(download).status_code == 401
    # Under another criterion's path, or a link without a file: nothing to download.
    wrong = CYCLE + f"scores/an/1.1/evidence/{evidence.pk}/"
    assert clients["reporter_a"].get(wrong).status_code == 404
    assert clients["reporter_a"].get(f"{url}{link.json()['id']}/").status_code == 404


def test_import_dry_run_previews_then_applies_all_or_nothing(cycle, people):
    api = as_role(people, "editor")
    data = filled(cycle, INPUTS_2021)
    dry = api.post(
        CYCLE + "imports/",
        {"file": SimpleUploadedFile("diem.xlsx", data), "dry_run": "true"},
        format="multipart",
    )
    assert dry.status_code == 200, dry.json()
    assert dry.json()["dry_run"] is True
    assert [row["agency"] for row in dry.json()["preview"]] == ["binh", "an", "cat"]
    assert not Score.objects.filter(cycle=cycle).exists()

    bad = dict(INPUTS_2021, cat={"1.1": 5, "1.2 a": 1, "1.2 b": 0, "2.1": 25})
    refused = api.post(
        CYCLE + "imports/",
        {"file": SimpleUploadedFile("diem.xlsx", filled(cycle, bad))},
        format="multipart",
    )
    assert refused.status_code == 400
    problems = refused.json()["error"]["problems"]
    assert {(p["column"], p["value"]) for p in problems} >= {("1.2 b", "0"), ("2.1", "25")}
    assert all(p["row"] for p in problems)
    assert not Score.objects.filter(cycle=cycle).exists()

    applied = api.post(
        CYCLE + "imports/", {"file": SimpleUploadedFile("diem.xlsx", data)}, format="multipart"
    )
    assert applied.status_code == 200
    assert (applied.json()["dry_run"], applied.json()["scores_created"]) == (False, 9)
    assert Score.objects.filter(cycle=cycle, stage=Stage.FINAL).count() == 9
    paths = set(Score.history.filter(cycle_id=cycle.pk).values_list("history_change_reason"))
    assert paths == {("api",)}


def test_publishing_needs_the_final_preview_the_approver_saw(cycle, world, people):
    """As on the page: the API publishes only the final preview whose fingerprint the
    approver read (GET publications/); a value changed since gets 409, in Vietnamese."""
    editor, approver = as_role(people, "editor"), as_role(people, "approver")
    upload = SimpleUploadedFile("d.xlsx", filled(cycle, INPUTS_2021))
    editor.post(CYCLE + "imports/", {"file": upload}, format="multipart")
    early = approver.get(CYCLE + "publications/")
    assert early.status_code == 409 and "thẩm định" in early.json()["error"]["message"]
    editor.post(CYCLE + "transitions/", {"action": "review"})
    approver.post(CYCLE + "transitions/", {"action": "approve"})
    preview = approver.get(CYCLE + "publications/")
    assert preview.status_code == 200
    body = preview.json()
    assert (body["revision"], body["refusal"], body["unaccounted"]) == (1, "", [])
    assert [(r["rank"], r["agency"]) for r in body["rows"]] == [(1, "binh"), (2, "an"), (3, "cat")]
    decision = {"decision_number": "512/QĐ-UBND", "decision_date": "2023-05-12"}
    missing = approver.post(CYCLE + "publications/", decision)
    assert missing.status_code == 400 and "preview" in missing.json()["error"]["fields"]
    # After the approver read the preview, ICT staff correct one final value.
    Score.objects.filter(cycle=cycle, agency=world.cat, criterion__code="1.1").update(
        points=Decimal("0.000"), value=Decimal("0")
    )
    stale = approver.post(CYCLE + "publications/", {**decision, "preview": body["fingerprint"]})
    assert stale.status_code == 409
    assert "đã thay đổi" in stale.json()["error"]["message"]
    assert not Publication.objects.filter(cycle=cycle).exists()
    fresh = approver.get(CYCLE + "publications/").json()
    assert fresh["fingerprint"] != body["fingerprint"]
    done = approver.post(CYCLE + "publications/", {**decision, "preview": fresh["fingerprint"]})
    assert done.status_code == 201
    published = Publication.objects.get(cycle=cycle).results.order_by("agency__slug")
    shown = {r["agency"]: r["total"] for r in fresh["rows"]}
    assert {r.agency.slug: f"{r.total:.3f}" for r in published} == shown


def test_transitions_and_publication_follow_the_cycle(cycle, world, people):
    editor, approver = as_role(people, "editor"), as_role(people, "approver")
    editor.post(
        CYCLE + "imports/",
        {"file": SimpleUploadedFile("d.xlsx", filled(cycle, INPUTS_2021))},
        format="multipart",
    )
    early = approver.post(
        CYCLE + "publications/",
        {"decision_number": "1/QĐ", "decision_date": "2023-05-12", "preview": "0" * 16},
    )
    assert early.status_code == 409 and "phê duyệt" in early.json()["error"]["message"]

    state = editor.post(CYCLE + "transitions/", {"action": "review"})
    assert state.status_code == 200 and state.json()["state"] == "review"
    again = editor.post(CYCLE + "transitions/", {"action": "review"})
    assert again.status_code == 409
    assert editor.post(CYCLE + "transitions/", {"action": "approve"}).status_code == 403
    approved = approver.post(CYCLE + "transitions/", {"action": "approve"})
    assert approved.json()["state"] == "approved" and "publish" in approved.json()["actions"]

    published = approver.post(
        CYCLE + "publications/",
        {
            "decision_number": "512/QĐ-UBND",
            "decision_date": "2023-05-12",
            "signer": "Chủ tịch",
            "preview": seen(approver),
        },
    )
    assert published.status_code == 201 and published.json()["revision"] == 1
    public = APIClient().get("/api/v1/rankings/?province=mau&year=2022&block=districts").json()
    assert public["publication"]["decision_number"] == "512/QĐ-UBND"
    assert [row["agency"]["slug"] for row in public["rows"]] == ["binh", "an", "cat"]

    no_reason = approver.post(
        CYCLE + "publications/",
        {"decision_number": "530/QĐ", "decision_date": "2023-06-01", "preview": seen(approver)},
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert Publication.objects.filter(cycle=cycle).count() == 1
    history = cycle.history.order_by("history_date").values_list("state", "history_change_reason")
    assert list(history)[-3:] == [
        ("review", "api"),
        ("approved", "api"),
        ("published", "publication"),
    ]


# --- Authentication ---------------------------------------------------------------------


def test_writes_need_authentication_and_a_bad_token_is_refused(cycle):
    anonymous = APIClient().put(CYCLE + "scores/an/1.1/?stage=self", {"value": "1"})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] in {
        "not_authenticated",
        "authentication_failed",
    }
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.get(CYCLE).status_code == 401
    assert not Score.objects.filter(cycle=cycle).exists()


def test_session_writes_need_the_csrf_token(cycle, people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people["reporter_a"])
    response = client.put(CYCLE + "scores/an/1.1/?stage=self", {"value": "8"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]
    client.get("/tai-khoan/login/")  # the site's pages set the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.put(
        CYCLE + "scores/an/1.1/?stage=self", {"value": "8"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_whoami_lists_the_roles(people):
    body = as_role(people, "head_a").get("/api/v1/me/").json()
    assert body == {
        "username": "head_a",
        "roles": [{"role": "head", "province": "mau", "agency": "an"}],
    }


# --- The role matrix ------------------------------------------------------------------


def _prepare(cycle, world, operation):
    self_score(cycle, world.an)
    if operation == "publish":
        AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.APPROVED)


def _call(api, operation, cycle):
    if operation == "put_self":
        return api.put(CYCLE + "scores/an/1.1/?stage=self", {"value": "8"}, format="json")
    if operation == "put_final":
        return api.put(CYCLE + "scores/an/1.1/?stage=final", {"value": "8"}, format="json")
    if operation == "review":
        return api.post(CYCLE + "scores/an/1.2/review/", {"action": "accepted"})
    if operation == "evidence":
        return api.post(
            CYCLE + "scores/an/1.2/evidence/",
            {"title": "Biên bản", "file": SimpleUploadedFile("b.pdf", PDF)},
            format="multipart",
        )
    if operation == "submit":
        return api.post(CYCLE + "agencies/an/submission/")
    if operation == "import":
        upload = SimpleUploadedFile("d.xlsx", filled(cycle, INPUTS_2021))
        return api.post(CYCLE + "imports/", {"file": upload}, format="multipart")
    if operation == "to_review":
        return api.post(CYCLE + "transitions/", {"action": "review"})
    if operation == "approve":
        AssessmentCycle.objects.filter(pk=cycle.pk).update(state=CycleState.REVIEW)
        return api.post(CYCLE + "transitions/", {"action": "approve"})
    if operation == "publish":
        return api.post(
            CYCLE + "publications/",
            {"decision_number": "9/QĐ", "decision_date": "2023-01-02", "preview": seen(api)},
        )
    raise AssertionError(operation)


ALLOWED = {
    "put_self": {"reporter_a", "head_a"},
    "put_final": {"editor"},
    "review": {"reviewer"},
    "evidence": {"reporter_a", "head_a"},
    "submit": {"head_a"},
    "import": {"editor"},
    "to_review": {"editor"},
    "approve": {"approver"},
    "publish": {"approver"},
}
SUCCESS = {"put_self": 201, "put_final": 201, "evidence": 201, "publish": 201}


def _footprint(cycle):
    from rankings.models import Score as S

    return (
        S.objects.count(),
        S.history.count(),
        Evidence.objects.count(),
        Publication.objects.filter(cycle=cycle).count(),
        AssessmentCycle.objects.get(pk=cycle.pk).state,
        list(Submission.objects.values_list("agency_id", "state")),
    )


@pytest.mark.parametrize("operation", sorted(ALLOWED))
def test_role_matrix(cycle, world, people, operation):
    """Every write by every role: the allowed ones succeed, the others are refused (401 for
    the anonymous, 403 otherwise, including Bình's reporter on An's objects) and change
    nothing. Each role starts from the same state (a savepoint rolled back after it)."""
    _prepare(cycle, world, operation)
    outcomes = {}
    for role in ROLES:
        api = as_role(people, role)
        with transaction.atomic():
            before = _footprint(cycle)
            response = _call(api, operation, cycle)
            if operation == "approve":  # the call itself moved the cycle to review first
                before = (*before[:4], CycleState.REVIEW, before[5])
            changed = _footprint(cycle) != before
            transaction.set_rollback(True)
        outcomes[role] = (response.status_code, changed)
    expected = {
        role: (SUCCESS.get(operation, 200), True)
        if role in ALLOWED[operation]
        else (401 if role == "anonymous" else 403, False)
        for role in ROLES
    }
    assert outcomes == expected


@pytest.mark.parametrize("role", ["reporter_b", "anonymous"])
def test_agency_b_cannot_read_agency_a_drafts(cycle, world, people, role):
    self_score(cycle, world.an)
    self_score(cycle, world.binh)
    api = as_role(people, role)
    denied = 401 if role == "anonymous" else 403
    assert api.get(CYCLE + "scores/an/1.2/?stage=self").status_code == denied
    assert api.get(CYCLE + "scores/an/1.2/evidence/").status_code == denied
    if role == "reporter_b":
        listed = api.get(CYCLE + "scores/?agency=an").json()
        assert listed["count"] == 0  # asking for An by name still shows only Bình's own
        own = api.get(CYCLE + "scores/").json()
        assert {s["agency"] for s in own["results"]} == {"binh"}


def test_score_list_query_count_is_fixed(cycle, world, people, django_assert_num_queries):
    api = as_role(people, "editor")
    for agency in (world.an, world.binh):
        self_score(cycle, agency)
    api.get(CYCLE + "scores/")  # warm the token lookup path
    with django_assert_num_queries(5):  # token and user, cycle, memberships, count, page
        first = api.get(CYCLE + "scores/")
    self_score(cycle, world.cat)
    self_score(cycle, world.an, code="1.1", value="8", denominator="1")
    with django_assert_num_queries(5):
        second = api.get(CYCLE + "scores/")
    assert (first.json()["count"], second.json()["count"]) == (2, 4)
