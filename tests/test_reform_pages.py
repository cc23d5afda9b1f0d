"""Across the 2025 reform: the new Phú Thọ keeps Vĩnh Phúc's history; a commune formed from
part of Lập Thạch says where it came from and shows no misleading rank change."""

from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Agency, Succession

pytestmark = pytest.mark.django_db
XA_LAP_THACH = "08761"


@pytest.fixture
def reform(db):
    for command in (["seed_demo"], ["create_unit_agencies", "--province", "26"]):
        call_command(*command, stdout=StringIO())
    return Agency.objects.get(province__slug="phu-tho-2025", admin_unit_code=XA_LAP_THACH)


def test_new_phu_tho_shows_vinh_phucs_2019_to_2021_history(client, reform):
    html = client.get("/phu-tho-2025/").content.decode()
    section = html[html.index("Kết quả của tỉnh Vĩnh Phúc (trước sắp xếp)") :]
    for year in (2019, 2020, 2021):
        assert f'href="/vinh-phuc/{year}/districts/"' in section
    assert "3192/QĐ-UBND" in section
    old = client.get("/vinh-phuc/").content.decode()
    assert "Từ ngày 01/07/2025 thuộc:" in old and 'href="/phu-tho-2025/"' in old


def test_a_commune_from_part_of_lap_thach_shows_where_it_came_from(client, reform):
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    assert "UBND huyện Lập Thạch" in lineage and "một phần diện tích" in lineage
    assert "năm 2021 hạng 1/9" in lineage  # the predecessor's own latest standing
    assert "Không có số liệu so sánh được" in lineage
    assert "▲" not in html and "▼" not in html  # no rank change across the reform
    assert "Đơn vị này chưa có kết quả xếp hạng được công bố." in html


def test_lap_thach_points_to_the_communes_that_took_its_area(client, reform):
    html = client.get("/vinh-phuc/don-vi/lap-thach/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    assert "Từ ngày 01/07/2025, địa bàn thuộc:" in lineage
    assert f'href="/phu-tho-2025/don-vi/{reform.slug}/"' in lineage


def test_a_derived_value_appears_only_where_the_criteria_set_allows_it(client, reform):
    from rankings.models import AssessmentCycle, CriteriaSet

    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    assert "Giá trị suy ra" not in html
    # A 2025 communes cycle whose criteria set allows the Ministry's derived value.
    source = CriteriaSet.objects.get(slug="vinh-phuc-districts-2021")
    source.pk, source.slug, source.block = None, "phu-tho-communes-2025", reform.block
    source.province, source.allows_derived_predecessor = reform.province, True
    source.save()
    AssessmentCycle.objects.create(
        province=reform.province, year=2025, block=reform.block, criteria_set=source
    )
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    # Thị trấn Lập Thạch, also a predecessor, has no published result: nothing derived.
    assert "không phải đơn vị cũ nào cũng có kết quả" in lineage
    assert "Giá trị suy ra (derived)" not in lineage
    Succession.objects.filter(successor=reform).exclude(predecessor__slug="lap-thach").delete()
    html = client.get(f"/phu-tho-2025/don-vi/{reform.slug}/").content.decode()
    lineage = html[html.index('id="lineage"') :]
    # The only predecessor left is Lập Thạch: 112.300 / 138 = 81.3 % in 2021.
    assert "Giá trị suy ra (derived)" in lineage and "81,3%" in lineage
