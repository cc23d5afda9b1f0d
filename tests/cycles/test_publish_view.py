"""The approver publishes by decision; a later publication is a correction with a reason."""

import pytest
from django.contrib.auth import get_user_model

from rankings.cycles.final import final_preview
from rankings.models import Membership, Publication, Role

pytestmark = pytest.mark.django_db

URL = "/quan-ly/mau/2021/districts/cong-bo/"


def login(client, world, role, agency=None):
    user = get_user_model().objects.create_user(f"{role}-pub", "", "x")
    Membership.objects.create(user=user, role=role, province=world.province, agency=agency)
    client.force_login(user)


def test_a_correction_needs_a_reason_and_then_appears_publicly(client, world):
    login(client, world, Role.APPROVER)
    page = client.get(URL).content.decode()
    assert "Đính chính kết quả (lần công bố 2)" in page and 'name="reason"' in page
    fields = {
        "decision_number": "260/QĐ-UBND",
        "decision_date": "2022-09-01",
        "signer": "Chủ tịch UBND tỉnh",
    }
    fields["preview"] = final_preview(cycle=world.cycle_2021).fingerprint()
    refused = client.post(URL, fields)
    assert refused.status_code == 400 and "cần lý do" in refused.content.decode()
    done = client.post(URL, {**fields, "reason": "Rà soát lại số liệu"})
    assert done.status_code == 302 and done["Location"] == "/mau/2021/districts/"
    latest = Publication.objects.filter(cycle=world.cycle_2021).latest()
    assert (latest.revision, latest.decision_number, latest.reason) == (
        2,
        "260/QĐ-UBND",
        "Rà soát lại số liệu",
    )
    public = client.get("/mau/2021/districts/").content.decode()
    assert "260/QĐ-UBND" in public and "Rà soát lại số liệu" in public


def test_bad_dates_are_refused(client, world):
    login(client, world, Role.APPROVER)
    response = client.post(
        URL, {"decision_number": "1", "decision_date": "22/11/2021", "reason": "x"}
    )
    assert response.status_code == 400
    assert Publication.objects.filter(cycle=world.cycle_2021).count() == 1


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.ADMIN, Role.REPORTER])
def test_only_the_approver_publishes(client, world, role):
    login(client, world, role, world.an if role == Role.REPORTER else None)
    response = client.post(
        URL, {"decision_number": "9/QĐ", "decision_date": "2022-09-01", "reason": "x"}
    )
    assert response.status_code == 403
    assert Publication.objects.filter(cycle=world.cycle_2021).count() == 1
