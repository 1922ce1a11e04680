"""The quick scan that spares most strings the personal-data patterns never hides a number they would find."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hongwang.pipeline.core import personal_data

ID_NUMBER = "110101199003074514"  # a valid checksum, born 1990-03-07
PIECES = ["1", "3", "8", "0", "5", "9", "X", "x", " ", "  ", "-", "－", "　", "１", "３", "８", "+86", "年", "a", ":",
          ID_NUMBER, "13812345678", "6222021234567890128", "2026-11-27 09:30"]  # fmt: skip


def found_without_the_quick_scan(text: str) -> list:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(personal_data, "_CANDIDATE", re.compile(""))
        return list(personal_data.find(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_quick_scan_passes_every_text_holding_personal_data(text):
    assert list(personal_data.find(text)) == found_without_the_quick_scan(text)


def test_spaced_full_width_and_prefixed_numbers_are_still_found():
    texts = ["身份证 110101  19900307 4514", "电话 +86 138-1234-5678", "卡号 6222 0212 3456 7890 128",
             "１３８１２３４５６７８", "１１０１０１－19900307－4514"]  # fmt: skip
    assert [[code for code, _, _ in personal_data.find(text)] for text in texts] == [
        ["personal-id"],
        ["personal-mobile"],
        ["personal-bank-card"],
        ["personal-mobile"],
        ["personal-id"],
    ]
