"""How a shard of the index is written: four sections of base64url characters, separated by ".".

    keys    the shard's term keys, ascending, each as a varint of its difference from the one before
    counts  per term: (number of documents × 2) + 1 if its documents are a bitmap, as a varint
    docs    per term: its document ids, the first as is and the rest as gaps (varints), or a bitmap of
            ceil(M / 6) characters (6 ids per character, lowest bit first) when that is shorter
    values  one character per (term, document): the 6-bit value of terms.postings

A varint is 5 bits per character, least significant group first, bit 6 (value 32) set on every character
but the last. All of it is plain ASCII inside a JavaScript string: a browser reads it with charCodeAt.
"""

from __future__ import annotations

import numpy as np

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
CODES = np.frombuffer(ALPHABET, dtype=np.uint8)
_VALUES = np.full(256, 255, dtype=np.uint8)
_VALUES[CODES] = np.arange(64, dtype=np.uint8)
SEPARATOR = "."
KEY_SHIFT, ID_SHIFT = 26, 6  # a packed posting (pack): key, document slot, value
SLOT_BITS = 20


class CorruptShard(ValueError):
    """A shard file that does not decode (the build then writes the index from scratch)."""


def characters(values: np.ndarray) -> bytes:
    return CODES[values].tobytes()


def read_varints(digits: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """The first `count` varints of a digit array, and how many digits they took."""
    if count == 0:
        return np.zeros(0, dtype=np.uint64), 0
    ends = np.flatnonzero(digits < 32)
    if len(ends) < count:
        raise CorruptShard("too few numbers")
    used = int(ends[count - 1]) + 1
    digits = digits[:used].astype(np.uint64)
    group_ends = ends[:count]
    starts = np.concatenate(([0], group_ends[:-1] + 1))
    position = np.arange(used) - np.repeat(starts, group_ends - starts + 1)
    shifted = (digits & np.uint64(31)) << (np.uint64(5) * position.astype(np.uint64))
    return np.add.reduceat(shifted, starts), used


def bitmap_length(slots: int) -> int:
    return -(-slots // 6)


def pack(keys: np.ndarray, docs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Postings as one sortable integer each: key << KEY_SHIFT | doc << ID_SHIFT | value (38 + 20 + 6 bits)."""
    keys, docs, values = (np.asarray(column, dtype=np.uint64) for column in (keys, docs, values))
    return (keys << np.uint64(KEY_SHIFT)) | (docs << np.uint64(ID_SHIFT)) | values


def encode(keys: np.ndarray, docs: np.ndarray, values: np.ndarray, slots: int) -> str:
    """One shard from its postings sorted by (key, doc): keys, doc ids and 6-bit values, one entry per posting."""
    postings = pack(keys, docs, values)
    return encode_shards(np.zeros(len(postings), dtype=np.int64), postings, slots, 1)[0]


def encode_shards(shards: np.ndarray, postings: np.ndarray, slots: int, count: int, first: int = 0) -> list[str]:
    """Shards first … first+count-1 from packed postings sorted by (shard, posting)."""
    from . import kernels

    text, ends = kernels.encode_shards(np.asarray(shards, dtype=np.int64), postings, slots, count, first)
    text = text.tobytes().decode("ascii")
    return [text[a:b] for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True)]


def decode(shard: str, slots: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The postings of an encoded shard: (keys, docs, values), sorted by key then doc."""
    try:
        sections = [_VALUES[np.frombuffer(part.encode("ascii"), dtype=np.uint8)] for part in shard.split(SEPARATOR)]
    except UnicodeEncodeError:
        raise CorruptShard("not ASCII") from None
    if len(sections) != 4 or any((section == 255).any() for section in sections):
        raise CorruptShard("not four sections of base64url")
    key_digits, count_digits, doc_digits, values = sections
    count_codes, _ = read_varints(count_digits, len(_ends(count_digits)))
    terms = len(count_codes)
    key_gaps, _ = read_varints(key_digits, terms)
    counts = (count_codes >> np.uint64(1)).astype(np.int64)
    dense = (count_codes & np.uint64(1)).astype(bool)
    docs = _read_docs(doc_digits, counts, dense, slots)
    if len(values) != counts.sum():
        raise CorruptShard("values do not match the counts")
    return np.repeat(np.cumsum(key_gaps), counts), docs, values.astype(np.uint8)


def _ends(digits: np.ndarray) -> np.ndarray:
    return np.flatnonzero(digits < 32)


def _read_docs(digits: np.ndarray, counts: np.ndarray, dense: np.ndarray, slots: int) -> np.ndarray:
    pieces, cursor, term = [], 0, 0
    width = bitmap_length(slots)
    for dense_term in [*np.flatnonzero(dense), len(counts)]:
        gaps, used = read_varints(digits[cursor:], int(counts[term:dense_term].sum()))
        cursor += used
        pieces.append(_undelta(gaps, counts[term:dense_term]))
        if dense_term < len(counts):
            block = digits[cursor : cursor + width]
            bits = (block[:, None] >> np.arange(6, dtype=np.uint8)) & 1
            pieces.append(np.flatnonzero(bits.reshape(-1)).astype(np.uint64))
            cursor += width
        term = dense_term + 1
    if cursor != len(digits):
        raise CorruptShard("documents section too long")
    return np.concatenate(pieces).astype(np.int64) if pieces else np.zeros(0, dtype=np.int64)


def _undelta(gaps: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Gaps back to ids: a running sum that restarts at the first document of every term."""
    if not len(gaps):
        return gaps
    starts = np.cumsum(counts) - counts
    totals = np.cumsum(gaps)
    restart = np.zeros(len(gaps), dtype=np.uint64)
    before = np.concatenate(([0], totals[:-1]))[starts]
    restart[starts] = before
    return totals - np.maximum.accumulate(restart)
