"""The set-up pages as the provincial administrator uses them, and who else may not."""

import pytest
from django.contrib.auth.models import User

from agencies.models import Agency, Province
from rankings.models import Membership, Publication, Role
from tests.setup.files import xlsx
from tests.setup.test_agency_list import HEADER as AGENCY_HEADER
from tests.setup.test_agency_list import ROWS as AGENCY_ROWS
from tests.setup.test_annex import ANNEX
from tests.setup.test_annex import HEADER as ANNEX_HEADER
from tests.setup.test_backfill import HEADER as TABLE_HEADER


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def admin_of(cao_bang):
    user = User.objects.create(username="qtv", email="qtv@caobang.gov.vn")
    Membership.objects.create(user=user, role=Role.ADMIN, province=cao_bang)
    return user


def test_agencies_preview_then_confirm_by_digest(client, cao_bang, admin_of):
    client.force_login(admin_of)
    url = f"/quan-ly/thiet-lap/{cao_bang.slug}/don-vi/"
    data = xlsx([AGENCY_HEADER, *AGENCY_ROWS])
    preview = client.post(url, {"file": upload(data, "don-vi.xlsx"), "preview": "1"})
    assert preview.status_code == 200
    assert "5 đơn vị mới, 0 cập nhật, 0 không đổi" in preview.content.decode()
    assert Agency.objects.count() == 0
    form = preview.context["form"]
    saved = client.post(
        url, {"digest": form.data["digest"], "file_name": "don-vi.xlsx", "confirm": "1"}
    )
    assert saved.status_code == 302 and Agency.objects.filter(province=cao_bang).count() == 5
    bad = client.post(url, {"file": upload(xlsx([AGENCY_HEADER, ["", "", "Sở", "x"]]), "x.xlsx")})
    assert bad.status_code == 400
    assert "thiếu tên đơn vị" in bad.content.decode()
    forged = client.post(url, {"digest": "0" * 64, "file_name": "x.xlsx", "confirm": "1"})
    assert "Tệp xem trước không còn" in forged.content.decode()


def test_criteria_and_backfill_pages(client, cao_bang, departments, admin_of):
    client.force_login(admin_of)
    base = f"/quan-ly/thiet-lap/{cao_bang.slug}/"
    annex = {
        "block": departments.pk,
        "name": "Bộ chỉ số 2024",
        "max_points": "100",
        "decision_number": "15/QĐ-UBND",
        "decision_date": "2024-01-05",
        "tie_method": "competition",
    }
    preview = client.post(
        base + "bo-tieu-chi/",
        {**annex, "file": upload(xlsx([ANNEX_HEADER, *ANNEX]), "phu-luc.xlsx")},
    )
    assert "5 tiêu chí, tổng 100 điểm" in preview.content.decode()
    digest = preview.context["form"].data["digest"]
    assert (
        client.post(
            base + "bo-tieu-chi/",
            {**annex, "digest": digest, "file_name": "p.xlsx", "confirm": "1"},
        ).status_code
        == 302
    )
    client.post(
        base + "don-vi/",
        {"file": upload(xlsx([AGENCY_HEADER, *AGENCY_ROWS[:3]]), "d.xlsx"), "confirm": "1"},
    )
    table = xlsx(
        [
            TABLE_HEADER,
            [1, "Sở TT&TT", "90", 1],
            [2, "Sở Y tế", "80", 2],
            [3, "Sở Lao động - Thương binh và Xã hội", "80", 3],
        ]
    )
    source = {
        "block": departments.pk,
        "year": "2019",
        "max_points": "100",
        "tie_method": "competition",
        "source_kind": "other",
        "source_date": "2020-05-01",
        "source_title": "Báo cáo 12/BC-STTTT",
    }
    checked = client.post(base + "lich-su/", {**source, "file": upload(table, "bang.xlsx")})
    page = checked.content.decode()
    assert "bảng in hạng 3, tính theo quy tắc của bộ tiêu chí là 2" in page
    digest = checked.context["form"].data["digest"]
    refused = client.post(
        base + "lich-su/", {**source, "digest": digest, "file_name": "b.xlsx", "confirm": "1"}
    )
    assert refused.status_code == 200 and Publication.objects.count() == 0  # not accepted yet
    saved = client.post(
        base + "lich-su/",
        {
            **source,
            "digest": digest,
            "file_name": "b.xlsx",
            "confirm": "1",
            "accept_differences": "1",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == f"/{cao_bang.slug}/2019/departments/"
    board = client.get(saved["Location"]).content.decode()
    assert "Nguồn:" in board and "Báo cáo 12/BC-STTTT" in board
    assert "Quyết định số" not in board
    # No group column for a totals-only set: "Tổng điểm" heads the total's column only.
    assert board.count(">Tổng điểm</th>") == 1
    csv = client.get(saved["Location"].rstrip("/") + ".csv").content.decode("utf-8-sig")
    assert csv.startswith("rank,agency,agency_slug,admin_unit_code,total,max_points,")
    assert "group_T" not in csv
    agency = client.get(f"/{cao_bang.slug}/don-vi/so-y-te/").content.decode()
    assert 'id="totals-only"' in agency and 'id="groups-chart"' not in agency
    methodology = client.get(
        "/phuong-phap/" + Publication.objects.get().cycle.criteria_set.slug + "/"
    )
    assert 'id="totals-only"' in methodology.content.decode()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, None])
def test_only_the_provinces_administrators_set_it_up(client, cao_bang, role):
    user = User.objects.create(username="u", email="u@x.vn")
    other = Province.objects.create(code="02", name="Hà Giang")
    Membership.objects.create(
        user=user, role=role or Role.ADMIN, province=cao_bang if role else other
    )
    client.force_login(user)
    for page in ("", "khoi/", "don-vi/", "bo-tieu-chi/", "can-bo/", "lich-su/"):
        assert client.get(f"/quan-ly/thiet-lap/{cao_bang.slug}/{page}").status_code == 403
    client.logout()
    assert client.get(f"/quan-ly/thiet-lap/{cao_bang.slug}/").status_code == 302
