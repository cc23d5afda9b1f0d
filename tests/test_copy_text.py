"""The COPY text helpers every bulk writer uses (no database)."""

import numpy as np

from rankings import copy_text


def test_escape_covers_every_character_copy_text_format_reserves():
    assert copy_text.escape("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"


def test_field_writes_null_booleans_and_other_values_as_text():
    assert [copy_text.field(v) for v in (None, True, False, 12, "x\ry")] == [
        "\\N",
        "t",
        "f",
        "12",
        "x\\ry",
    ]


def test_milli_texts_match_the_decimal_the_engine_gives():
    assert copy_text.milli_texts(np.array([0, 1500, 2005, -250, 1500])) == [
        "0.000",
        "1.500",
        "2.005",
        "-0.250",
        "1.500",
    ]
