"""Names as spreadsheets print them match the agency list; diacritics stay significant."""

from types import SimpleNamespace

import pytest

from agencies.names import NameMatcher, name_key

AGENCIES = [
    SimpleNamespace(id=1, name="Sở Lao động, Thương binh và Xã hội", short_name="Sở LĐTBXH"),
    SimpleNamespace(id=2, name="Bảo hiểm xã hội tỉnh", short_name="BHXH tỉnh"),
    SimpleNamespace(id=3, name="Sở Y tế", short_name="Sở Y tế"),
    SimpleNamespace(id=4, name="UBND huyện Tân An", short_name="Tân An"),
    SimpleNamespace(id=5, name="UBND huyện Tấn An", short_name="Tấn An"),
    SimpleNamespace(id=6, name="UBND thành phố Hoà Bình", short_name="TP Hoà Bình"),
    SimpleNamespace(id=7, name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT"),
]


@pytest.fixture
def matcher():
    return NameMatcher.of(AGENCIES, aliases=[(7, "Sở Thông tin - Truyền thông")])


@pytest.mark.parametrize(
    ("printed", "agency"),
    [
        ("Sở Lao động - Thương binh và Xã hội", 1),
        ("SỞ LAO ĐỘNG, THƯƠNG BINH VÀ XÃ HỘI", 1),
        ("  Sở  Lao động – Thương binh và Xã hội. ", 1),
        ("Bảo hiểm Xã hội tỉnh", 2),
        ("Sở Y tế", 3),
        ("Tân An", 4),
        ("Tấn An", 5),
        ("Ủy ban nhân dân thành phố Hòa Bình", 6),
        ("UBND TP Hòa Bình", 6),
        ("Sở Thông tin – Truyền thông", 7),  # the alias, with another dash
    ],
)
def test_printed_names_match(matcher, printed, agency):
    assert matcher.match(printed).agency_id == agency


def test_a_name_without_diacritics_is_not_taken_but_suggested(matcher):
    found = matcher.match("So Y te")
    assert not found.ok
    assert found.problem() == "không tìm thấy đơn vị “So Y te”; gần nhất: Sở Y tế"


def test_an_ambiguous_name_names_every_candidate():
    matcher = NameMatcher.of(
        AGENCIES[:3], aliases=[(1, "Sở Y tế và Lao động"), (3, "Sở Y tế và Lao động")]
    )
    found = matcher.match("Sở Y tế và Lao động")
    assert found.problem() == (
        "tên “Sở Y tế và Lao động” trùng với nhiều đơn vị: "
        "Sở Lao động, Thương binh và Xã hội; Sở Y tế"
    )


def test_an_unknown_name_with_nothing_close(matcher):
    assert matcher.match("Công an tỉnh").problem() == (
        "không tìm thấy đơn vị “Công an tỉnh” trong danh sách đơn vị của tỉnh"
    )


def test_keys_unify_tone_placement_and_abbreviations():
    assert name_key("Thuỷ") == name_key("Thủy")
    assert name_key("Khoẻ") == name_key("khỏe")
    assert name_key("UBND TX Phúc Yên") == name_key("Uỷ ban nhân dân thị xã Phúc Yên")
    assert name_key("Tân An") != name_key("Tấn An")
