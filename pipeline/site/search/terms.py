"""Terms: every 1-, 2- and 3-character piece of normalised text, and where each is filed.

A document's terms are the n-grams (n = 1, 2, 3) of each whitespace-free run of its normalised text;
no term crosses whitespace or a field boundary. A query word of one, two or three characters is
looked up as one term (exact); a longer word as all of its 3-grams, whose documents are a superset
of those containing the word (the browser checks the text of every result it shows).

A term is filed by two 32-bit hashes of its code points (FNV-1a over the code points, then murmur3's
finaliser; two seeds): `shard` = the top bits of the first (which file), `key` = 38 bits from both (which
entry in that file). theme/static/js/search.js computes the same; tests run both on the same strings.

Per document and term the index keeps one 6-bit value: the term's count in the document, capped at
15 (low four bits, stored minus one), whether it occurs in the title (bit 4) and in the summary (bit 5).
"""

from __future__ import annotations

import numpy as np

from . import text as texts

FNV_PRIME = np.uint32(0x01000193)
SHARD_SEED = np.uint32(0x811C9DC5)  # FNV-1a's own offset basis
KEY_SEED = np.uint32(0x050C5D1F)
KEY_BITS = 38
MAX_COUNT = 15
IN_TITLE, IN_SUMMARY = 16, 32
_ZERO = np.zeros(1, dtype=np.uint32)


def code_points(parts: list[str]) -> np.ndarray:
    """The normalised code points of the parts, whitespace and part boundaries as 0."""
    pieces = []
    for part in parts:
        pieces += [texts.points(part), _ZERO]
    return np.concatenate(pieces).astype(np.uint64) if pieces else np.zeros(0, dtype=np.uint64)


def term_ids(points: np.ndarray) -> np.ndarray:
    """Every n-gram occurrence as one integer: c1, c1<<21|c2, or c1<<42|c2<<21|c3 (code points < 2**21)."""
    valid = points != 0
    pairs = valid[:-1] & valid[1:]
    triples = pairs[:-1] & valid[2:]
    grams = [points[valid], ((points[:-1] << 21) | points[1:])[pairs]]
    grams.append(((points[:-2] << 42) | (points[1:-1] << 21) | points[2:])[triples])
    return np.concatenate(grams)


def unique_counts(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(ids):
        return ids, np.zeros(0, dtype=np.int64)
    ids = np.sort(ids)
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return ids[starts], np.diff(np.append(starts, len(ids)))


def postings(title: str, summary: str, rest: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique term ids, one 6-bit value each) for a document's title, summary and other text."""
    terms, counts = unique_counts(term_ids(code_points([title, summary, *rest])))
    values = (np.minimum(counts, MAX_COUNT) - 1).astype(np.uint8)
    for part, bit in ((title, IN_TITLE), (summary, IN_SUMMARY)):
        if part and len(terms):
            values[np.searchsorted(terms, term_ids(code_points([part])))] |= bit
    return terms, values


def _mix(units: list[np.ndarray], seed: int) -> np.ndarray:
    """FNV-1a over 32-bit units (the code points), then murmur3's finaliser (every output bit depends on every
    input bit)."""
    hashed = np.full(len(units[0]), seed, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for unit in units:
            hashed = (hashed ^ unit) * FNV_PRIME
        hashed ^= np.uint32(len(units))
        hashed ^= hashed >> np.uint32(16)
        hashed *= np.uint32(0x85EBCA6B)
        hashed ^= hashed >> np.uint32(13)
        hashed *= np.uint32(0xC2B2AE35)
        hashed ^= hashed >> np.uint32(16)
    return hashed


def filing(ids: np.ndarray, shards: int) -> tuple[np.ndarray, np.ndarray]:
    """(shard, key) of each term, for sorted unique ids (1-grams, then 2-grams, then 3-grams); shards: a power of two.

    shard = the top bits of the first hash; key = the second hash and the first's six low bits (38 bits)."""
    bounds = np.searchsorted(ids, [1 << 21, 1 << 42])
    shard = np.empty(len(ids), dtype=np.int64)
    key = np.empty(len(ids), dtype=np.uint64)
    mask = np.uint64(0x1FFFFF)
    for length, (low, high) in enumerate(zip([0, *bounds], [*bounds, len(ids)], strict=True), start=1):
        block = ids[low:high]
        units = [((block >> np.uint64(21 * (length - 1 - i))) & mask).astype(np.uint32) for i in range(length)]
        first, second = _mix(units, SHARD_SEED), _mix(units, KEY_SEED)
        shard[low:high] = first >> np.uint32(32 - shards.bit_length() + 1)
        key[low:high] = (second.astype(np.uint64) << np.uint64(6)) | (first & np.uint32(63)).astype(np.uint64)
    return shard, key


def term_of(word: str) -> int:
    """The id of a one-, two- or three-character normalised word."""
    value = 0
    for character in word:
        value = (value << 21) | ord(character)
    return value


def grams_of(word: str) -> list[str]:
    """The terms a normalised query word is looked up by."""
    characters = list(word)
    if len(characters) <= 3:
        return [word]
    return list(dict.fromkeys("".join(characters[i : i + 3]) for i in range(len(characters) - 2)))
