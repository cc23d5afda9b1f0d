"""Before the head submits, a checklist: criteria left blank and criteria whose evidence is
required but missing, each linked to its row; the submission happens only when confirmed.

The named world's districts set has 1.1 (direct), 1.2 (ratio) and 2.1 (direct), each
requiring evidence. An fills 1.1 and 1.2 and attaches evidence to 1.1 only: 2.1 is blank
and 1.2 lacks its evidence.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from rankings.cycles import assessments
from rankings.models import CycleState, Membership, Role, Submission
from tests.world import open_2022

pytestmark = pytest.mark.django_db

URL = "/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/"
SUBMIT = URL + "nop/"  # the submit button's own address; the page's takes a submit too


@pytest.fixture
def cycle(world):
    cycle = open_2022(world)
    RawInput = assessments.RawInput
    inputs = {"1.1": RawInput(Decimal(8)), "1.2": RawInput(Decimal(35), Decimal(50))}
    assessments.self_assessment_save(cycle=cycle, agency=world.an, inputs=inputs, user=None)
    assessments.evidence_add(
        cycle=cycle,
        agency=world.an,
        criterion_code="1.1",
        user=None,
        title="Biên bản",
        url="https://a.vn/bb",
    )
    return cycle


@pytest.fixture
def head(client, world):
    user = get_user_model().objects.create_user("an-thutruong", "", "x")
    Membership.objects.create(user=user, role=Role.HEAD, province=world.province, agency=world.an)
    client.force_login(user)
    return client


def submitted(world) -> bool:
    return Submission.objects.filter(agency=world.an, state="submitted").exists()


def test_submitting_first_lists_blank_criteria_and_missing_evidence(head, world, cycle):
    page = head.get(URL).content.decode()
    assert f'action="{SUBMIT}"' in page
    response = head.post(SUBMIT, {"action": "submit"})
    html = response.content.decode()
    assert response.status_code == 200 and not submitted(world)
    blank = html[html.index('id="blank"') : html.index("</ul>", html.index('id="blank"'))]
    assert "1/3 tiêu chí còn để trống" in html
    assert f'href="{URL}#criterion-2.1"' in blank and "Dịch vụ công trực tuyến" in blank
    assert "1.1" not in blank and "1.2" not in blank
    start = html.index('id="missing-evidence"')
    missing = html[start : html.index("</ul>", start)]
    assert f'href="{URL}#criterion-1.2"' in missing and "1.1" not in missing
    # The links land on the rows of the self-assessment page (another address than this
    # answer's, so following one opens the page).
    assert 'id="criterion-2.1"' in page and 'id="criterion-1.2"' in page
    assert 'name="confirmed" value="1"' in html and "Vẫn nộp như hiện tại" in html
    assert f'action="{SUBMIT}"' in html


def test_the_submission_happens_only_when_confirmed(head, world, cycle):
    response = head.post(SUBMIT, {"action": "submit", "confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == URL and submitted(world)
    # Opened again later (history, a bookmark), the submit address leads to the page and
    # submits nothing a second time.
    again = head.get(SUBMIT)
    assert again.status_code == 302 and again["Location"] == URL


def test_a_complete_self_assessment_is_confirmed_with_nothing_listed(head, world, cycle):
    assessments.self_assessment_save(
        cycle=cycle,
        agency=world.an,
        inputs={"2.1": assessments.RawInput(Decimal(15))},
        user=None,
    )
    for code in ("1.2", "2.1"):
        assessments.evidence_add(
            cycle=cycle,
            agency=world.an,
            criterion_code=code,
            user=None,
            title="BB",
            url="https://a.vn/bb",
        )
    html = head.post(URL, {"action": "submit"}).content.decode()
    assert "Cả 3 tiêu chí đã có số liệu và đủ minh chứng bắt buộc." in html
    assert 'id="blank"' not in html and 'id="missing-evidence"' not in html
    assert "Xác nhận nộp" in html and not submitted(world)


def test_a_refused_submission_says_why_without_a_checklist(head, world, cycle):
    head.post(URL, {"action": "submit", "confirmed": "1"})
    again = head.post(URL, {"action": "submit"})
    html = again.content.decode()
    assert again.status_code == 400 and "Bản tự đánh giá đã được nộp" in html
    assert 'name="confirmed"' not in html


def test_the_reporter_gets_no_checklist_and_cannot_submit(client, world, cycle):
    user = get_user_model().objects.create_user("an-baocao", "", "x")
    Membership.objects.create(
        user=user, role=Role.REPORTER, province=world.province, agency=world.an
    )
    client.force_login(user)
    assert client.post(URL, {"action": "submit"}).status_code == 403
    assert not submitted(world)


def test_after_a_return_the_checklist_and_the_evidence_choice_hold_only_returned_criteria(
    head, world, cycle
):
    """Returned 1.2 lacks its evidence; 2.1 is blank but was not returned, so it is locked:
    neither the resubmit checklist nor the evidence form offers it."""
    head.post(SUBMIT, {"action": "submit", "confirmed": "1"})
    cycle.state = CycleState.REVIEW
    cycle.save()
    assessments.score_review(
        cycle=cycle, agency=world.an, code="1.2", action="returned", user=None, comment="thiếu"
    )
    cycle.state = CycleState.OPEN
    cycle.save()
    html = head.post(SUBMIT, {"action": "submit"}).content.decode()
    assert "Hội đồng trả lại 1 tiêu chí" in html
    assert f'href="{URL}#criterion-1.2"' in html
    assert "#criterion-2.1" not in html and 'id="blank"' not in html
    page = head.get(URL).content.decode()
    select = page[
        page.index('<select id="criterion"') : page.index(
            "</select>", page.index('<select id="criterion"')
        )
    ]
    assert 'value="1.2"' in select
    assert 'value="1.1"' not in select and 'value="2.1"' not in select
