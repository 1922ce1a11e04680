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


def varints(values: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """Each value (< 2**53) as 6-bit digits, least significant group first, continuation bit 32.
    lengths: the values' digit counts, when the caller has them (_digit_lengths)."""
    values = np.asarray(values, dtype=np.uint64)
    if lengths is None:
        lengths = _digit_lengths(values)
    ends = np.cumsum(lengths)
    digits = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    positions, remaining = ends - lengths, lengths
    while len(values):  # a column of digits at a time, each over the values that still have one
        more = remaining > 1
        digits[positions] = (values & np.uint64(31)).astype(np.uint8) | (more.astype(np.uint8) << np.uint8(5))
        values, positions, remaining = values[more] >> np.uint64(5), positions[more] + 1, remaining[more] - 1
    return digits


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


def unpack(postings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, docs, values) of packed postings."""
    postings = np.asarray(postings, dtype=np.uint64)
    docs = (postings >> np.uint64(ID_SHIFT)) & np.uint64((1 << SLOT_BITS) - 1)
    return postings >> np.uint64(KEY_SHIFT), docs.astype(np.int64), (postings & np.uint64(63)).astype(np.uint8)


def encode(keys: np.ndarray, docs: np.ndarray, values: np.ndarray, slots: int) -> str:
    """One shard from its postings sorted by (key, doc): keys, doc ids and 6-bit values, one entry per posting."""
    return encode_shards(np.zeros(len(keys), dtype=np.int64), pack(keys, docs, values), slots, 1)[0]


def encode_shards(shards: np.ndarray, postings: np.ndarray, slots: int, count: int, first: int = 0) -> list[str]:
    """Shards first … first+count-1 from packed postings (pack) sorted by (shard, posting), in whole-array NumPy
    steps: for the few shards an update patches. A whole index is encoded by kernels.encode_shards, which gives
    the same text (tests/site/test_search.py), compiled."""
    keys, docs, values = unpack(postings)
    n = len(keys)
    new_shard = np.ones(n, dtype=bool)
    new_shard[1:] = shards[1:] != shards[:-1]
    new_term = new_shard.copy()
    new_term[1:] |= keys[1:] != keys[:-1]
    term_starts = np.flatnonzero(new_term)
    counts = np.diff(np.append(term_starts, n))
    term_shards = shards[term_starts]
    term_keys = keys[term_starts]
    key_gaps = term_keys.copy()
    first_term_of_shard = np.ones(len(term_starts), dtype=bool)
    first_term_of_shard[1:] = term_shards[1:] != term_shards[:-1]
    key_gaps[~first_term_of_shard] -= term_keys[:-1][~first_term_of_shard[1:]]
    gaps = docs.astype(np.uint64).copy()
    gaps[1:] -= docs[:-1].astype(np.uint64)
    gaps[term_starts] = docs[term_starts]
    lengths = _digit_lengths(gaps)
    per_term = np.add.reduceat(lengths, term_starts) if n else lengths
    dense = per_term > bitmap_length(slots)
    doc_digits, term_doc_lengths = _docs_digits(varints(gaps, lengths=lengths), lengths, term_starts, counts,
                                                per_term, docs, dense, slots)  # fmt: skip
    key_lengths = _digit_lengths(key_gaps)
    count_codes = counts.astype(np.uint64) * 2 + dense
    count_lengths = _digit_lengths(count_codes)
    sections = [
        (varints(key_gaps, lengths=key_lengths), key_lengths),
        (varints(count_codes, lengths=count_lengths), count_lengths),
        (doc_digits, term_doc_lengths),
        (values.astype(np.uint8), counts),
    ]
    return _split_by_shard(sections, term_shards, count, first)


def _split_by_shard(sections, term_shards: np.ndarray, count: int, first: int) -> list[str]:
    """Each section's characters cut into per-shard pieces (per-term lengths summed by shard)."""
    bounds = np.searchsorted(term_shards, np.arange(first, first + count + 1))
    texts = []
    for digits, per_term in sections:
        ends = np.concatenate(([0], np.cumsum(per_term)))[bounds]
        text = characters(digits).decode("ascii")
        texts.append([text[a:b] for a, b in zip(ends[:-1], ends[1:], strict=True)])
    return [SEPARATOR.join(parts) for parts in zip(*texts, strict=True)]


def _docs_digits(digits, lengths, starts, counts, per_term, docs, dense, slots) -> tuple[np.ndarray, np.ndarray]:
    """Varint gaps for most terms; a bitmap spliced in for each term whose documents are too many.
    Returns the digits and each term's number of them."""
    if not dense.any():
        return digits, per_term
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    pieces, cursor = [], 0
    for term in np.flatnonzero(dense):
        begin, end = starts[term], starts[term] + counts[term]
        pieces.append(digits[offsets[cursor] : offsets[begin]])
        bits = np.zeros(bitmap_length(slots) * 6, dtype=np.uint8)
        bits[docs[begin:end]] = 1
        pieces.append((bits.reshape(-1, 6) << np.arange(6, dtype=np.uint8)).sum(axis=1).astype(np.uint8))
        cursor = end
    pieces.append(digits[offsets[cursor] :])
    return np.concatenate(pieces), np.where(dense, bitmap_length(slots), per_term)


def _digit_lengths(values: np.ndarray) -> np.ndarray:
    """How many 5-bit groups each value takes (at least one; values below 2**53, where float64 is exact)."""
    _, bits = np.frexp(np.asarray(values, dtype=np.float64))
    return np.maximum((bits.astype(np.int64) + 4) // 5, 1)


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
