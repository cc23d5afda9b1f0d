"""ICT staff open a year's cycle from last year's set and move it along; others cannot."""

import pytest
from django.contrib.auth import get_user_model

from rankings.models import AssessmentCycle, CycleState, Membership, Role
from tests.world import open_2022

pytestmark = pytest.mark.django_db


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"{role}-desk", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)


def test_editor_opens_2022_from_the_2021_set_and_sends_it_to_review(client, world):
    login(client, world, Role.EDITOR)
    source = world.cycle_2021.criteria_set
    fields = {
        "source": source.pk,
        "year": "2022",
        "submission_deadline": "2023-01-15",
        "data_from": "2022-01-01",
        "data_to": "2022-12-31",
    }
    past = client.post("/quan-ly/mau/mo-ky/", fields)  # the deadline is long gone: refused
    assert past.status_code == 400 and "Hạn nộp 15/01/2023 đã qua" in past.content.decode()
    assert not AssessmentCycle.objects.filter(year=2022).exists()
    response = client.post("/quan-ly/mau/mo-ky/", {**fields, "confirm_past_deadline": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/quan-ly/mau/2022/districts/"
    cycle = AssessmentCycle.objects.get(year=2022, block=world.districts)
    assert cycle.state == CycleState.OPEN and cycle.criteria_set.copied_from == source
    assert cycle.criteria_set.criteria.count() == 3
    desk = client.get(response["Location"]).content.decode()
    assert "UBND huyện An" in desk and "Kết thúc tự đánh giá" in desk
    checklist = client.post("/quan-ly/mau/2022/districts/trang-thai/", {"action": "review"})
    assert 'id="not-submitted"' in checklist.content.decode()  # who has not submitted
    cycle.refresh_from_db()
    assert cycle.state == CycleState.OPEN  # nothing moved before the confirmation
    client.post("/quan-ly/mau/2022/districts/trang-thai/", {"action": "review", "confirmed": "1"})
    cycle.refresh_from_db()
    assert cycle.state == CycleState.REVIEW
    again = client.post("/quan-ly/mau/mo-ky/", {"source": source.pk, "year": "2022"})
    assert again.status_code == 400 and "Đã có kỳ đánh giá năm 2022" in again.content.decode()


def test_only_the_approver_approves(client, world):
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.REVIEW,
    )
    login(client, world, Role.EDITOR)
    assert (
        client.post("/quan-ly/mau/2022/districts/trang-thai/", {"action": "approve"}).status_code
        == 403
    )
    client.logout()
    login(client, world, Role.APPROVER)
    approved = client.post(
        "/quan-ly/mau/2022/districts/trang-thai/",
        {"action": "approve", "confirmed": "1"},
        follow=True,
    )
    cycle.refresh_from_db()
    assert cycle.state == CycleState.APPROVED
    # The desk says it happened and what comes next.
    assert "Đã phê duyệt kết quả kỳ" in approved.content.decode()
    assert "Bước tiếp theo: công bố" in approved.content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPROVER, Role.REPORTER, Role.HEAD])
def test_only_ict_staff_open_cycles(client, world, role):
    login(client, world, role, world.an if role in {Role.REPORTER, Role.HEAD} else None)
    response = client.post(
        "/quan-ly/mau/mo-ky/", {"source": world.cycle_2021.criteria_set.pk, "year": "2022"}
    )
    assert response.status_code == 403
    assert not AssessmentCycle.objects.filter(year=2022, block=world.districts).exists()


def test_workspace_lists_what_each_role_can_reach(client, world):
    login(client, world, Role.REPORTER, world.an)
    open_2022(world, deadline_days=None)
    page = client.get("/quan-ly/").content.decode()
    assert "/quan-ly/mau/2022/districts/don-vi/an/tu-danh-gia/" in page
    assert '/quan-ly/mau/2022/districts/"' not in page  # no staff desk for a reporter
