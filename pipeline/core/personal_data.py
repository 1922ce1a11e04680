"""Personal data that must never reach a public page (个人信息保护法): finding it and masking it.

Resident ID numbers (18-digit with checksum, 15-digit legacy), bank card numbers
(Luhn) and personal mobile numbers. `redact` masks every one in a message, so a
diagnostic quoting what a collector wrote never repeats the number itself.
Pure text functions: content/privacy.py turns what they find into diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

# Bounded by non-digits only: "ID110101…" or "A110101…" is still a number a reader can copy.
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[\d -]{12,24}[\dXx]|\d{13,17}[\dXx])(?![\dXx])")
# Full-width digits (typed with a Chinese IME) are the same number: read them as ASCII, one char for one.
# An ID number glued to other digits is still the ID number: look inside long runs too.
_LONG_RUN = re.compile(r"\d{18,}[Xx]?")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ－　", "0123456789Xx- ")
# Every pattern above needs a digit and ten more digits, spaces or dashes (full-width ones too) in a row:
# most strings have none, and this one scan spares them the three.
_CANDIDATE = re.compile(r"\d[\d \-－　]{10,}")
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def mask(number: str) -> str:
    digits = re.sub(r"[\s-]", "", number)
    if len(digits) <= 8:
        return digits[:3] + "*" * (len(digits) - 3)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _valid_birth(year: int, month: int, day: int) -> bool:
    try:
        return date(year, month, day) <= date.today() and year >= 1900
    except ValueError:
        return False


def is_resident_id(digits: str) -> bool:
    if len(digits) == 18 and digits[:17].isdigit():
        check = _ID_CHECK[sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True)) % 11]
        return digits[17].upper() == check and _valid_birth(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    if len(digits) == 15 and digits.isdigit():
        return _valid_birth(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def _id_inside(run: str) -> str | None:
    """The first 18-digit resident ID number hidden in a longer run of digits."""
    for start in range(len(run) - 17):
        if is_resident_id(run[start : start + 18]):
            return run[start : start + 18]
    return None


def is_bank_card(digits: str) -> bool:
    if not (16 <= len(digits) <= 19 and digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find(text: str, allow_mobile: bool = False) -> Iterator[tuple[str, str, int]]:
    """(code, masked value, offset) for each piece of personal data in text."""
    if not _CANDIDATE.search(text):
        return
    taken: list[tuple[int, int]] = []
    text = text.translate(_FULLWIDTH_DIGITS)
    for match in _DIGIT_RUN.finditer(text):
        digits = match.group().replace(" ", "").replace("-", "")
        if is_resident_id(digits):
            code = "personal-id"
        elif "-" not in match.group() and is_bank_card(digits):  # dashes: dates and phone ranges, not cards
            code = "personal-bank-card"
        else:
            continue
        taken.append(match.span())
        yield code, mask(digits), match.start()
    for match in _LONG_RUN.finditer(text):
        hidden = _id_inside(match.group())
        if hidden and not any(start <= match.start() < end for start, end in taken):
            taken.append(match.span())
            yield "personal-id", mask(hidden), match.start()
    if allow_mobile:
        return
    for match in _MOBILE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        yield "personal-mobile", mask(match.group()[-11:] if len(match.group()) >= 11 else match.group()), match.start()


def redact(text: str) -> str:
    """text with every ID, bank card and mobile number masked: for messages that quote what was written."""
    text = text.translate(_FULLWIDTH_DIGITS)

    def masked(match: re.Match) -> str:
        digits = match.group().replace(" ", "").replace("-", "")
        if is_resident_id(digits) or ("-" not in match.group() and is_bank_card(digits)):
            return mask(digits)
        return match.group()

    text = _DIGIT_RUN.sub(masked, text)
    text = _LONG_RUN.sub(lambda match: mask(match.group()) if _id_inside(match.group()) else match.group(), text)
    return _MOBILE.sub(lambda match: mask(match.group()[-11:]), text)
