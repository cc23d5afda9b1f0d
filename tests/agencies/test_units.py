"""Administrative units of both eras and the agencies they imply (the 2025 reform, issue 7).

Vĩnh Phúc (legacy code 26) had 9 districts, Lập Thạch (246) among them; on 1 July 2025 it
became part of Phú Thọ (current code 25) with Hoà Bình and the old Phú Thọ, and Lập
Thạch's area was split between several new communes, one of them Xã Lập Thạch (08761).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Province,
    Succession,
    UnitEra,
    UnitLevel,
    UnitSuccession,
)
from agencies.units import agency_name, short_name, unique_slugs

pytestmark = pytest.mark.django_db

LEGACY, CURRENT = UnitEra.LEGACY, UnitEra.CURRENT
XA_LAP_THACH = "08761"  # current commune formed from Thị trấn Lập Thạch and part of the district


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def unit(era, level, code) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(era=era, level=level, code=code)


def test_import_is_idempotent_and_says_so():
    first = run("import_units")
    counts = {
        (era, level): AdministrativeUnit.objects.filter(era=era, level=level).count()
        for era, level in [
            (LEGACY, "province"),
            (LEGACY, "district"),
            (LEGACY, "commune"),
            (CURRENT, "province"),
            (CURRENT, "commune"),
        ]
    }
    assert list(counts.values()) == [63, 696, 10051, 34, 3321]
    assert AdministrativeUnit.objects.filter(era=CURRENT, level="district").count() == 0
    links = UnitSuccession.objects.count()
    assert "14165 created, 0 updated" in first

    phu_tho = unit(CURRENT, "province", "25")
    assert sorted(phu_tho.predecessors.values_list("name", flat=True)) == [
        "Tỉnh Hoà Bình",
        "Tỉnh Phú Thọ",
        "Tỉnh Vĩnh Phúc",
    ]

    second = run("import_units")

    assert "Nothing to change" in second
    assert AdministrativeUnit.objects.count() == 14165
    assert UnitSuccession.objects.count() == links


def test_a_renamed_unit_is_updated_not_duplicated():
    run("import_units", "--province", "26")
    AdministrativeUnit.objects.filter(era=LEGACY, code="246").update(name="Huyện Cũ")

    out = run("import_units", "--province", "26")

    assert "0 created, 1 updated" in out
    assert unit(LEGACY, "district", "246").name == "Huyện Lập Thạch"


def test_official_codes_and_sources():
    run("import_units", "--province", "26")

    vinh_phuc = unit(LEGACY, "province", "26")
    assert vinh_phuc.name == "Tỉnh Vĩnh Phúc"
    districts = vinh_phuc.children.order_by("code")
    assert districts.count() == 9
    assert districts.get(code="246").name == "Huyện Lập Thạch"
    assert unit(LEGACY, "commune", "08761").parent.code == "246"  # Thị trấn Lập Thạch
    phu_tho = unit(CURRENT, "province", "25")
    assert phu_tho.name == "Tỉnh Phú Thọ"
    assert phu_tho.children.count() == 148
    # Only Vĩnh Phúc of its three sources is loaded here; the full import links all three.
    assert list(phu_tho.predecessors.values_list("name", flat=True)) == ["Tỉnh Vĩnh Phúc"]


def test_province_codes_are_checked():
    with pytest.raises(CommandError, match="no legacy province has the code 99"):
        run("import_units", "--province", "99")


def test_current_commune_formed_from_part_of_lap_thach():
    run("import_units", "--province", "26")

    xa_lap_thach = unit(CURRENT, "commune", XA_LAP_THACH)
    links = {
        (s.predecessor.name, s.whole)
        for s in xa_lap_thach.successions_in.select_related("predecessor")
    }
    assert ("Huyện Lập Thạch", False) in links  # part of the district's area
    assert ("Thị trấn Lập Thạch", True) in links  # the whole old town
    assert unit(LEGACY, "district", "246").successors.count() == 6


def test_agencies_follow_the_units_with_their_successions():
    out = run("create_unit_agencies", "--province", "26")

    assert "Provinces created: vinh-phuc, phu-tho-2025." in out
    vinh_phuc = Province.objects.get(slug="vinh-phuc")
    phu_tho = Province.objects.get(slug="phu-tho-2025")
    assert (vinh_phuc.code, str(vinh_phuc.valid_to)) == ("26", "2025-06-30")
    assert (phu_tho.code, str(phu_tho.valid_from)) == ("25", "2025-07-01")
    assert list(vinh_phuc.successors.all()) == [phu_tho]
    lap_thach = Agency.objects.get(province=vinh_phuc, admin_unit_code="246")
    assert (lap_thach.name, lap_thach.slug, lap_thach.kind) == (
        "UBND huyện Lập Thạch",
        "lap-thach",
        AgencyKind.DISTRICT,
    )
    assert lap_thach.block.slug == "districts"
    assert lap_thach.search_name == "ubnd huyen lap thach lap thach"
    assert Agency.objects.filter(province=vinh_phuc, kind=AgencyKind.DISTRICT).count() == 9
    assert lap_thach.children.count() == 19  # its legacy communes
    new = Agency.objects.get(province=phu_tho, admin_unit_code=XA_LAP_THACH)
    assert (new.name, new.block.slug, str(new.valid_from)) == (
        "UBND xã Lập Thạch",
        "communes",
        "2025-07-01",
    )
    link = Succession.objects.get(predecessor=lap_thach, successor=new)
    assert (str(link.effective), link.whole) == ("2025-07-01", False)
    assert Agency.objects.filter(province=phu_tho).count() == 148

    again = run("create_unit_agencies", "--province", "26")

    assert "Nothing to change" in again
    assert Agency.objects.filter(province__in=[vinh_phuc, phu_tho]).count() == 9 + 121 + 148


def test_demo_agencies_are_reused_not_duplicated():
    run("seed_demo")
    demo_lap_thach = Agency.objects.get(province__slug="vinh-phuc", slug="lap-thach")

    out = run("create_unit_agencies", "--province", "26")

    assert "reused 9 district" in out
    assert Province.objects.filter(code="26").count() == 1
    districts = Agency.objects.filter(province__slug="vinh-phuc", kind=AgencyKind.DISTRICT)
    assert districts.count() == 9
    assert districts.get(admin_unit_code="246") == demo_lap_thach
    assert demo_lap_thach.successors.filter(admin_unit_code=XA_LAP_THACH).exists()
    assert demo_lap_thach.children.count() == 19


def test_names_and_slugs():
    assert short_name("Huyện Lập Thạch") == "Lập Thạch"
    assert short_name("Thành phố Vĩnh Yên") == "TP Vĩnh Yên"
    assert short_name("Thị trấn Tam Đảo") == "TT Tam Đảo"
    assert short_name("Phường 1") == "Phường 1"
    assert agency_name("Đặc khu Côn Đảo") == "UBND đặc khu Côn Đảo"
    # A clash with an existing slug or between new units adds the official code.
    assert unique_slugs([("tan-hoa", "001"), ("tan-hoa", "002"), ("an", "003")], {"an"}) == [
        "tan-hoa-001",
        "tan-hoa-002",
        "an-003",
    ]


def test_island_districts_became_special_zones():
    run("import_units", "--province", "77")  # Bà Rịa - Vũng Tàu, now part of Hồ Chí Minh City

    con_dao = unit(LEGACY, UnitLevel.DISTRICT, "755")
    assert [(u.name, u.era) for u in con_dao.successors.all()] == [("Đặc khu Côn Đảo", CURRENT)]
