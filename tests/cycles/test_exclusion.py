"""An agency the decision leaves unranked, in the decision's words: ICT staff or the approver
record it (page and API), it is audited, the final preview and the published ranking show
"Không xếp hạng" with exactly those words, and once published only a correction changes it.

The 2022 district cycle of the small world (`test_final_preview.cycle`): An (30) and Bình
(21) self-assessed and submitted, Cát never did; the cycle is in review.
"""

import datetime

import pandas as pd
import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from rankings.cycles import final, management, returns
from rankings.cycles.overview import cycle_overview
from rankings.models import CycleState, Result, Role, Submission
from rankings.public.selectors.leaderboard import leaderboard
from tests.cycles.test_final_preview import cycle, user  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

DESK = "/quan-ly/mau/2022/districts/"
PAGE = DESK + "dieu-hanh/"
API = "/api/v1/cycles/mau/2022/districts/agencies/binh/exclusion/"
WORDS = "Không xếp hạng do sáp nhập vào huyện An từ ngày 01/10/2022 (Nghị quyết 123/NQ-UBTVQH15)"


def exclude(client, reason=WORDS, **extra):
    body = {"action": "exclude", "exclude-agency": "binh", "exclude-reason": reason, **extra}
    return client.post(PAGE, body)


def published_rows(cycle):  # noqa: F811
    return sorted(
        Result.objects.filter(cycle=cycle, publication__isnull=False).values_list(
            "publication__revision", "agency__slug", "total", "rank", "not_ranked_reason"
        )
    )


def publish(client, cycle, **fields):  # noqa: F811
    preview = final.final_preview(cycle=cycle).fingerprint()  # what the page shows
    form = {"decision_number": "9/QĐ-UBND", "decision_date": "2023-05-02", **fields}
    return client.post(DESK + "cong-bo/", {**form, "preview": preview})


def test_ict_staff_exclude_and_the_preview_and_the_public_ranking_show_the_words(
    client,
    world,
    cycle,  # noqa: F811
):
    editor = user(world, "ict", Role.EDITOR)
    client.force_login(editor)
    assert 'name="exclude-reason"' in client.get(PAGE).content.decode()
    assert exclude(client).status_code == 302
    listed = client.get(PAGE).content.decode()
    assert f"UBND huyện Bình</strong>: không xếp hạng: {WORDS}" in listed
    history = Submission.objects.get(cycle=cycle, agency=world.binh).history.first()
    assert (history.history_user, history.excluded_reason) == (editor, WORDS)
    assert history.history_change_reason.startswith("form: excluded: Không xếp hạng do sáp")

    preview = client.get(DESK + "xem-truoc/").content.decode()
    row = preview[preview.index('data-agency="binh"') :]
    row = row[: row.index("</tr>")]
    assert "Không xếp hạng" in row and WORDS in row and "21,000" not in row
    returns.review_accept_remaining(cycle=cycle, user=None)
    cycle.state = CycleState.APPROVED
    cycle.save()
    client.force_login(user(world, "gd", Role.APPROVER))
    assert publish(client, cycle).status_code == 302
    assert published_rows(cycle) == [
        (1, "an", 30, 1, ""),
        (1, "binh", 0, None, WORDS),
        (1, "cat", 0, None, "Không nộp bản tự đánh giá"),
    ]
    public = client.get("/mau/2022/districts/").content.decode()
    row = public[public.rindex("<tr>", 0, public.index("UBND huyện Bình</a>")) :]
    row = row[: row.index("</tr>")]
    assert "Không xếp hạng" in row
    assert f'<small class="not-ranked-reason">Lý do không xếp hạng: {WORDS}</small>' in row
    # Neither Bình (excluded) nor Cát (did not submit) "dropped" by last year's total.
    changes = leaderboard(cycle=cycle).rows.set_index("agency_slug")["change"].to_dict()
    assert changes["an"] == 0 and pd.isna(changes["binh"]) and pd.isna(changes["cat"])
    assert "−33,000" not in public and "−20,000" not in public  # 2021: Bình 33, Cát 20


def test_the_approver_may_exclude_but_not_run_the_cycle_and_others_are_refused(
    client,
    world,
    cycle,  # noqa: F811
):
    client.force_login(user(world, "gd", Role.APPROVER))
    page = client.get(PAGE).content.decode()
    assert 'name="exclude-reason"' in page and 'name="deadline-deadline"' not in page
    deadline = {"action": "deadline", "deadline-deadline": "2030-01-01"}
    assert client.post(PAGE, deadline).status_code == 403
    assert exclude(client).status_code == 302
    for role, agency in ((Role.REVIEWER, None), (Role.REPORTER, world.binh)):
        client.force_login(user(world, f"u-{role}", role, agency))
        assert client.get(PAGE).status_code == 403
        assert exclude(client, reason="khác").status_code == 403
    assert Submission.objects.get(cycle=cycle, agency=world.binh).excluded_reason == WORDS


def test_blank_or_overlong_words_are_refused_on_the_field(client, world, cycle):  # noqa: F811
    client.force_login(user(world, "ict", Role.EDITOR))
    blank = exclude(client, reason="  ")
    assert blank.status_code == 400 and "Lý do không xếp hạng: bắt buộc" in blank.content.decode()
    long = exclude(client, reason="x" * 181)
    assert long.status_code == 400 and "tối đa 180 ký tự (đang có 181)" in long.content.decode()
    assert not Submission.objects.filter(cycle=cycle, agency=world.binh, excluded_reason__gt="")


def test_once_published_only_a_correction_changes_who_is_ranked(
    client,
    world,
    cycle,  # noqa: F811
):
    returns.review_accept_remaining(cycle=cycle, user=None)
    cycle.state = CycleState.APPROVED
    cycle.save()
    approver = user(world, "gd", Role.APPROVER)
    client.force_login(approver)
    assert publish(client, cycle).status_code == 302
    before = published_rows(cycle)
    assert [(slug, rank) for _r, slug, _t, rank, _n in before] == [
        ("an", 1),
        ("binh", 2),
        ("cat", None),
    ]
    refused = exclude(client)
    assert refused.status_code == 409
    assert "chỉ thay đổi bằng đính chính" in refused.content.decode()
    assert not Submission.objects.filter(cycle=cycle, excluded_reason__gt="").exists()
    assert exclude(client, **{"exclude-correction": "on"}).status_code == 302
    assert published_rows(cycle) == before  # the published revision never changes
    corrected = publish(client, cycle, reason="Bình sáp nhập, không xếp hạng")
    assert corrected.status_code == 302
    assert published_rows(cycle)[3:] == [
        (2, "an", 30, 1, ""),
        (2, "binh", 0, None, WORDS),
        (2, "cat", 0, None, "Không nộp bản tự đánh giá"),
    ]


def api_as(world, name, role):
    client = APIClient()
    _row, token = AuthToken.objects.create(user=user(world, name, role))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_api_excludes_and_includes_with_the_same_rules(world, cycle):  # noqa: F811
    reviewer = api_as(world, "hd", Role.REVIEWER)
    assert reviewer.put(API, {"reason": WORDS}, format="json").status_code == 403
    editor = api_as(world, "ict", Role.EDITOR)
    blank = editor.put(API, {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    approver = api_as(world, "gd", Role.APPROVER)
    done = approver.put(API, {"reason": WORDS}, format="json")
    assert done.status_code == 200 and done.json()["excluded_reason"] == WORDS
    history = Submission.objects.get(cycle=cycle, agency=world.binh).history.first()
    assert history.history_change_reason.startswith("api: excluded: ")
    rows = {r.agency.slug: r for r in final.final_preview(cycle=cycle).rows}
    assert (rows["binh"].rank, rows["binh"].not_ranked_reason) == (None, WORDS)
    back = editor.delete(API)
    assert back.status_code == 200 and back.json()["excluded_reason"] == ""
    again = editor.delete(API)
    assert (
        again.status_code == 409 and "không nằm trong danh sách" in again.json()["error"]["message"]
    )
    cycle.state = CycleState.PUBLISHED
    cycle.save()
    late = approver.put(API, {"reason": WORDS}, format="json")
    assert late.status_code == 409 and "đính chính" in late.json()["error"]["message"]
    for_correction = approver.put(API, {"reason": WORDS, "correction": True}, format="json")
    assert for_correction.status_code == 200
    assert editor.delete(API).status_code == 409  # published: only for a correction
    bad = editor.delete(API + "?correction=perhaps")
    assert bad.status_code == 400 and "correction" in bad.json()["error"]["fields"]
    undone = editor.delete(API + "?correction=true")
    assert undone.status_code == 200 and undone.json()["excluded_reason"] == ""


def test_an_excluded_agency_is_neither_late_nor_reminded(world, cycle):  # noqa: F811
    cycle.submission_deadline = datetime.date.today() - datetime.timedelta(days=3)
    cycle.save()
    assert [row.agency.slug for row in cycle_overview(cycle=cycle).late] == ["cat"]
    management.agency_exclude(
        cycle=cycle, agency=world.cat, reason="Không đánh giá theo Quyết định 9", user=None
    )
    assert cycle_overview(cycle=cycle).late == []
