"""What search compares: text normalised the same way here and in the browser (theme/static/js/search.js).

normalise(text) = NFC, then for every code point: dropped if it is invisible (soft hyphen, zero-width and
direction marks, variation selectors…), else its NFKC form lower-cased. Per code point, so that a position in
the text a reader sees maps to positions in the normalised text (the browser marks hits in the original).
Full-width and half-width letters and digits become the same (ＰＤＦ１２３ → pdf123); everything else is
kept as written, punctuation included (党委、书记 is not 党委书记).

Whitespace separates: a query word never contains it, so no term spans it. `SPACES` is the set after
normalisation (every other Unicode space becomes U+0020 under NFKC); the browser uses the same list.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import numpy as np

SPACES = "\x00\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2028\u2029"
# Default-ignorable code points a reader cannot see (a search for 党委 must find 党\u200b委).
IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip
_SPLIT = re.compile("[" + re.escape(SPACES) + "]+")
_table: dict[int, str] = {}
_known: set[str] = set()


def _ignorable(code: int) -> bool:
    return any(low <= code <= high for low, high in IGNORABLE_RANGES)


def _learn(characters: set[str]) -> None:
    for character in characters - _known:
        code = ord(character)
        mapped = "" if _ignorable(code) else unicodedata.normalize("NFKC", character).lower()
        if mapped != character:
            _table[code] = mapped
        _known.add(character)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    _learn(set(text))
    return text.translate(_table)


_DELETE, _COMPLEX = 0xFFFFFFFE, 0xFFFFFFFF  # _bmp_table's marks: both are at least _DELETE


@functools.cache
def _bmp_table() -> np.ndarray:
    """normalise() of every BMP code point as one code point: 0 for whitespace, _DELETE for an invisible one,
    _COMPLEX where it becomes several characters (㎡ → m2) or is a surrogate."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code in range(0x10000):
        character = chr(code)
        if 0xD800 <= code < 0xE000 or unicodedata.is_normalized("NFKC", character) and character.islower():
            continue  # the common case: the character stands for itself
        mapped = unicodedata.normalize("NFKC", character).lower()
        table[code] = ord(mapped) if len(mapped) == 1 else _COMPLEX
    table[0xD800:0xE000] = _COMPLEX
    for low, high in IGNORABLE_RANGES:
        table[low : min(high, 0xFFFF) + 1] = _DELETE
    for space in SPACES:
        table[table == ord(space)] = 0
    return table


def prepare() -> None:
    """Build the lookup table now (once per process; forked workers inherit it)."""
    _bmp_table()


def points(text: str) -> np.ndarray:
    """normalise(text) as code points, whitespace as 0 (what terms are cut from): a table lookup for the BMP,
    normalise() itself for the rare code point that is outside it or becomes several."""
    text = unicodedata.normalize("NFC", text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mapped = _bmp_table()[np.minimum(codes, 0xFFFF)]
    special = np.flatnonzero((mapped >= _DELETE) | (codes > 0xFFFF))
    if not len(special):
        return mapped
    pieces, start = [], 0
    for position in special.tolist():
        pieces += [mapped[start:position], _expansion(int(codes[position]))]
        start = position + 1
    return np.concatenate([*pieces, mapped[start:]])


@functools.cache
def _expansion(code: int) -> np.ndarray:
    return np.array([0 if c in SPACES else ord(c) for c in normalise(chr(code))], dtype=np.uint32)


def words(query: str) -> list[str]:
    """A query as the words that must all occur (normalised, split at whitespace, repeats dropped)."""
    return list(dict.fromkeys(w for w in _SPLIT.split(normalise(query)) if w))


_BLOCK = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|blockquote|pre|br|hr|figcaption|"
                    r"dt|dd|caption|summary|details)\b[^>]*>", re.IGNORECASE)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")


def html_text(markup: str) -> str:
    """The readable text of sanitised body HTML: blocks become lines, tags go, entities are decoded, and every
    run of white space holding a line break is one line break (each line stripped, blank ones dropped: a
    pattern for those runs, tried at every character, took as long as the rest together)."""
    text = html.unescape(_TAG.sub("", _BLOCK.sub("\n", str(markup))))
    return "\n".join(filter(None, (line.strip() for line in text.split("\n"))))
