"""The one slugify: Vietnamese letters folded to ASCII, none lost, over every official name.

The reference below is a hand-written table of the Vietnamese alphabet (not Unicode
decomposition, which the code uses), so the two can disagree.
"""

import unicodedata

import pytest

from agencies.slugs import slugify, unique_slug
from agencies.units import current_units, legacy_units

VOWELS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
    "d": "dđ",
}
REFERENCE = {ch: base for base, chars in VOWELS.items() for ch in chars}


def expected_letters(name: str) -> str:
    """Every letter and digit of `name`, lower-cased and folded by the table above."""
    out = []
    for ch in unicodedata.normalize("NFC", name).lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in REFERENCE:
            out.append(REFERENCE[ch])
        else:
            assert not ch.isalnum(), f"{name!r}: a letter the table does not know: {ch!r}"
    return "".join(out)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Sở Y tế", "so-y-te"),
        ("Phú Thọ", "phu-tho"),
        ("Đắk Nông", "dak-nong"),
        ("Sở Lao động, Thương binh và Xã hội", "so-lao-dong-thuong-binh-va-xa-hoi"),
        ("Sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-va-xa-hoi"),
        ("ĐẮK LẮK", "dak-lak"),
        ("Hoà Bình", "hoa-binh"),
        ("Hòa Bình", "hoa-binh"),
        ("Sở TT&TT", "so-tt-tt"),
        ("Quận 1", "quan-1"),
        ("Xã Ea H'Leo", "xa-ea-h-leo"),
        ("  ", ""),
    ],
)
def test_known_names(text, slug):
    assert slugify(text) == slug


def test_decomposed_input_gives_the_same_slug():
    name = "Sở Thông tin và Truyền thông"
    assert (
        slugify(unicodedata.normalize("NFD", name))
        == slugify(name)
        == ("so-thong-tin-va-truyen-thong")
    )


def test_a_cut_happens_between_words():
    assert slugify("Ban Quản lý các Khu công nghiệp", max_length=20) == "ban-quan-ly-cac-khu"
    assert len(slugify("Ủy ban nhân dân " * 20, max_length=100)) <= 100


def test_unique_slug_prefers_the_code_then_numbers():
    assert unique_slug("so-y-te", set()) == "so-y-te"
    assert unique_slug("tan-an", {"tan-an"}, suffix="123") == "tan-an-123"
    assert unique_slug("tan-an", {"tan-an", "tan-an-2"}) == "tan-an-3"


def test_every_official_name_keeps_every_letter():
    """All provinces, districts and communes of vietnam-provinces, before and after 2025."""
    rows = legacy_units() + current_units()
    assert len(rows) == 63 + 696 + 10_051 + 34 + 3_321  # 14,165 units
    names = {row.name for row in rows}
    assert len(names) > 9_000  # distinct names ("Xã Tân An" is in many provinces)
    lost = []
    for name in names:
        slug = slugify(name)
        if slug.replace("-", "") != expected_letters(name) or not set(slug) <= set(
            "abcdefghijklmnopqrstuvwxyz0123456789-"
        ):
            lost.append((name, slug))
    assert lost == []
    # The same with the People's Committee's name, as agencies are named.
    assert slugify("UBND huyện Đắk Glong") == "ubnd-huyen-dak-glong"
