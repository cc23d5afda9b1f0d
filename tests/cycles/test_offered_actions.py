"""Staff are offered only what their role lets them do, when the cycle lets them do it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from rankings.models import Membership, Role

pytestmark = pytest.mark.django_db


def member(client, world, role, name):
    user = get_user_model().objects.create_user(name, "", "x")
    Membership.objects.create(user=user, role=role, province=world.province)
    client.force_login(user)
    return user


def test_council_member_is_not_offered_to_open_a_cycle_but_ict_staff_is(client, world):
    member(client, world, Role.REVIEWER, "council-ws")
    assert "Mở kỳ đánh giá mới" not in client.get("/quan-ly/").content.decode()
    other = Client()
    member(other, world, Role.EDITOR, "editor-ws")
    assert "Mở kỳ đánh giá mới" in other.get("/quan-ly/").content.decode()


def test_the_approver_is_offered_publication_only_once_the_cycle_is_approved(client, world):
    from rankings.models import AssessmentCycle, CycleState

    member(client, world, Role.APPROVER, "approver-offer")
    cycle = AssessmentCycle.objects.create(
        province=world.province,
        year=2022,
        block=world.districts,
        criteria_set=world.cycle_2021.criteria_set,
        state=CycleState.REVIEW,
    )
    desk = "/quan-ly/mau/2022/districts/"
    assert "Công bố kết quả" not in client.get(desk).content.decode()
    cycle.state = CycleState.APPROVED
    cycle.save()
    assert "Công bố kết quả" in client.get(desk).content.decode()
