"""Slugs are filled on the server, from the one slugify, wherever a row is saved."""

import pytest

from agencies.models import Agency, AgencyAlias, AgencyKind, Block, Province


@pytest.fixture
def dak_nong(db):
    return Province.objects.create(code="67", name="Đắk Nông")


def test_a_province_and_an_agency_get_vietnamese_slugs(dak_nong):
    block = Block.objects.create(slug="so-nganh", name="Sở, ngành", name_en="Departments")
    agency = Agency.objects.create(
        province=dak_nong,
        block=block,
        kind=AgencyKind.DEPARTMENT,
        name="Sở Lao động, Thương binh và Xã hội",
        short_name="Sở Lao động, Thương binh và Xã hội",
    )
    assert dak_nong.slug == "dak-nong"
    assert agency.slug == "so-lao-dong-thuong-binh-va-xa-hoi"
    alias = AgencyAlias.objects.create(agency=agency, name="Sở LĐ-TB&XH")
    assert (alias.province_id, alias.key) == (dak_nong.pk, "sở lđ tb và xh")


def test_the_admin_leaves_the_slug_to_the_server(admin_client, dak_nong):
    page = admin_client.get("/admin/agencies/province/add/")
    assert page.status_code == 200
    assert b'data-prepopulated-fields="[]"' in page.content  # no URLify of the name
    response = admin_client.post(
        "/admin/agencies/province/add/",
        {"code": "66", "name": "Đắk Lắk", "slug": "", "valid_from": "1900-01-01"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Province.objects.get(code="66").slug == "dak-lak"
