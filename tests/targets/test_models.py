"""A target's validation: every refusal names its field in Vietnamese."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from rankings.targets.models import Target

D = Decimal


def errors_of(world, **fields) -> dict:
    values = {
        "province": world.province,
        "agency": world.an,
        "indicator": "Tỷ lệ hồ sơ trực tuyến",
        "measure": "ratio",
        "criterion_code": "1.2",
        "year": 2025,
        "value": D(30),
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        Target(**values).full_clean()
    return caught.value.message_dict


def test_a_good_target_gets_its_unit_from_what_it_measures(world):
    found = Target(
        province=world.province,
        agency=world.an,
        indicator="Tỷ lệ hồ sơ trực tuyến",
        measure="ratio",
        criterion_code="1.2",
        year=2025,
        value=D(30),
    )
    found.full_clean()
    assert found.unit == "%"


def test_criterion_code_must_exist_in_the_agencys_block(world):
    found = errors_of(world, criterion_code="9.9")
    assert found["criterion_code"] == [
        "Mã tiêu chí: không có tiêu chí “9.9” trong bộ tiêu chí nào của khối."
    ]
    # 1.2 is a district criterion, not a department one
    assert "criterion_code" in errors_of(world, agency=world.so_mot)


def test_criterion_measure_needs_a_code_and_free_text_has_none(world):
    assert errors_of(world, criterion_code="")["criterion_code"][0].startswith(
        "Mã tiêu chí: bắt buộc"
    )
    assert errors_of(world, measure="text")["criterion_code"] == [
        "Mã tiêu chí: chỉ nhập khi chỉ tiêu đo bằng một tiêu chí."
    ]


def test_values_out_of_range(world):
    assert errors_of(world, value=D(101))["value"] == [
        "Giá trị mục tiêu: tỷ lệ phần trăm không quá 100."
    ]
    assert errors_of(world, value=D(-1))["value"] == ["Giá trị mục tiêu: không được âm."]
    rank = errors_of(world, measure="rank", criterion_code="", value=D("1.5"))
    assert rank["value"] == ["Giá trị mục tiêu: thứ hạng là số nguyên từ 1."]
    assert rank["comparison"][0].startswith("So sánh: thứ hạng mục tiêu là mức tối đa")
    assert errors_of(world, year=1999)["year"] == ["Năm mục tiêu: từ 2000 đến 2100."]


def test_baseline_before_the_target_year_and_a_value_needs_its_year(world):
    assert errors_of(world, baseline_year=2025)["baseline_year"] == [
        "Năm gốc: phải trước năm mục tiêu."
    ]
    assert errors_of(world, baseline_value=D(10))["baseline_value"] == [
        "Giá trị năm gốc: cần nhập cả năm gốc."
    ]


def test_scope_agency_of_the_province_and_block_only_province_wide(world):
    from agencies.models import Agency, Province

    other = Province.objects.create(code="98", name="Tỉnh Khác", slug="khac")
    stranger = Agency.objects.create(
        province=other, block=world.districts, kind="district", slug="x", name="X", short_name="X"
    )
    assert "agency" in errors_of(world, agency=stranger)
    assert errors_of(world, block=world.districts)["block"] == [
        "Khối: chỉ chọn với chỉ tiêu chung của tỉnh."
    ]


def test_the_same_indicator_twice_a_year_is_refused_in_vietnamese(world):
    from tests.targets.conftest import target

    target(world, world.an, year=2025)
    found = errors_of(world, indicator="Tỷ lệ văn bản ký số")
    assert found["__all__"] == [
        "Chỉ tiêu: đã có chỉ tiêu cùng tên cho đơn vị (hoặc toàn tỉnh) và năm này."
    ]
