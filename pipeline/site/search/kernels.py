"""The index's two loops over every posting, compiled by Numba: cutting documents into filed terms, and
writing shards. terms.py and codec.py compute the same in whole-array NumPy steps, for the few documents and
shards an update touches (and a query reads); tests hold the two to the same output.

At N = 20,000 a cold index has about 42 million (document, term) postings. In whole-array NumPy steps each
cost ~400 ns of CPU (a sort per document, a dozen temporaries per hash, a pass per varint digit), 17 s on two
cores; a loop compiled once does it in a few nanoseconds per step (README, "Decisions"). Numba caches the
machine code beside this file (__pycache__), so it is compiled once per installation, as bytecode is.

Postings are packed as codec.pack packs them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .codec import CODES, ID_SHIFT, KEY_SHIFT, SEPARATOR, SLOT_BITS
from .terms import CODE_POINT, FNV_PRIME, IN_SUMMARY, IN_TITLE, KEY_SEED, MAX_COUNT, SHARD_SEED

_MASK32 = 0xFFFFFFFF
_SPREAD = 0x9E3779B97F4A7C15  # Fibonacci hashing: where a term sits in a document's table
_DOT = ord(SEPARATOR)


@njit(cache=True, inline="always")
def _mix(seed, first, middle, last, length):
    """FNV-1a over the term's code points (of three: first, middle, last; of two: middle, last; of one: last),
    its length, then murmur3's finaliser. All in 32 bits."""
    hashed = np.uint64(seed)
    if length == 3:
        hashed = ((hashed ^ first) * np.uint64(FNV_PRIME)) & np.uint64(_MASK32)
    if length >= 2:
        hashed = ((hashed ^ middle) * np.uint64(FNV_PRIME)) & np.uint64(_MASK32)
    hashed = ((hashed ^ last) * np.uint64(FNV_PRIME)) & np.uint64(_MASK32)
    hashed ^= np.uint64(length)
    hashed ^= hashed >> np.uint64(16)
    hashed = (hashed * np.uint64(0x85EBCA6B)) & np.uint64(_MASK32)
    hashed ^= hashed >> np.uint64(13)
    hashed = (hashed * np.uint64(0xC2B2AE35)) & np.uint64(_MASK32)
    hashed ^= hashed >> np.uint64(16)
    return hashed


@njit(cache=True, inline="always")
def _filed(term, shard_shift):
    """(shard, key) of a term id, as terms.filing files it."""
    last = term & np.uint64(CODE_POINT)
    middle = (term >> np.uint64(21)) & np.uint64(CODE_POINT)
    first = term >> np.uint64(42)
    length = 3 if term >= np.uint64(1 << 42) else (2 if term >= np.uint64(1 << 21) else 1)
    shard_hash = _mix(SHARD_SEED, first, middle, last, length)
    key_hash = _mix(KEY_SEED, first, middle, last, length)
    return shard_hash >> np.uint64(shard_shift), (key_hash << np.uint64(6)) | (shard_hash & np.uint64(63))


@njit(cache=True)
def _table_size(length):
    size = 64
    while size < 6 * length:  # at most three terms per code point, the table at most half full
        size *= 2
    return size


@njit(cache=True)
def document_terms(points, starts, ends, title_ends, summary_ends):
    """Every document's distinct terms (1-, 2- and 3-grams of runs of non-zero code points in
    points[starts[d]:ends[d]]), in order of first occurrence, with their 6-bit values: the count (capped,
    minus one), IN_TITLE when one starts before title_ends[d], IN_SUMMARY when one starts between
    title_ends[d] and summary_ends[d]. Returns (document index, term id, value) per posting."""
    total = 0
    longest = 0
    for d in range(len(starts)):
        total += 3 * (ends[d] - starts[d])
        longest = max(longest, ends[d] - starts[d])
    documents = np.empty(total, np.int32)
    term_ids = np.empty(total, np.uint64)
    values = np.empty(total, np.uint8)
    size = _table_size(longest)
    table_terms = np.zeros(size, np.uint64)
    table_counts = np.zeros(size, np.int32)
    table_flags = np.zeros(size, np.uint8)
    table_owner = np.full(size, -1, np.int32)  # which document filled the entry: no clearing between them
    order = np.empty(size, np.int64)
    found = 0
    for d in range(len(starts)):
        mask = _table_size(ends[d] - starts[d]) - 1
        distinct = 0
        for i in range(starts[d], ends[d]):
            if points[i] == 0:
                continue
            flag = IN_TITLE if i < title_ends[d] else (IN_SUMMARY if title_ends[d] < i < summary_ends[d] else 0)
            term = points[i]
            for length in range(1, 4):
                if length > 1:
                    if i + length > ends[d] or points[i + length - 1] == 0:
                        break
                    term = (term << np.uint64(21)) | points[i + length - 1]
                entry = np.int64((term * np.uint64(_SPREAD)) >> np.uint64(40)) & mask
                while table_owner[entry] == d and table_terms[entry] != term:
                    entry = (entry + 1) & mask
                if table_owner[entry] != d:
                    table_owner[entry] = d
                    table_terms[entry] = term
                    table_counts[entry] = 0
                    table_flags[entry] = 0
                    order[distinct] = entry
                    distinct += 1
                table_counts[entry] += 1
                table_flags[entry] |= flag
        for k in range(distinct):
            entry = order[k]
            documents[found] = d
            term_ids[found] = table_terms[entry]
            values[found] = min(table_counts[entry], MAX_COUNT) - 1 | table_flags[entry]
            found += 1
    return documents[:found], term_ids[:found], values[:found]


@njit(cache=True)
def document_postings(points, starts, ends, title_ends, summary_ends, slots, shard_shift):
    """The postings of a batch of documents (document_terms, filed and packed with slots[d]), ordered by shard:
    (shard, posting)."""
    documents, term_ids, values = document_terms(points, starts, ends, title_ends, summary_ends)
    count = len(term_ids)
    shards = np.empty(count, np.uint16)
    postings = np.empty(count, np.uint64)
    for i in range(count):
        shard, key = _filed(term_ids[i], shard_shift)
        shards[i] = np.uint16(shard)
        postings[i] = ((key << np.uint64(KEY_SHIFT)) | (np.uint64(slots[documents[i]]) << np.uint64(ID_SHIFT))
                       | np.uint64(values[i]))  # fmt: skip
    return by_shard(shards, postings, 1 << (32 - shard_shift))


@njit(cache=True)
def by_shard(shards, postings, shard_count):
    """The records in shard order (a counting sort: stable, one pass)."""
    starts = np.zeros(shard_count + 1, np.int64)
    for shard in shards:
        starts[shard + 1] += 1
    for shard in range(shard_count):
        starts[shard + 1] += starts[shard]
    sorted_shards = np.empty_like(shards)
    sorted_postings = np.empty_like(postings)
    for i in range(len(shards)):
        target = starts[shards[i]]
        starts[shards[i]] += 1
        sorted_shards[target] = shards[i]
        sorted_postings[target] = postings[i]
    return sorted_shards, sorted_postings


# ---------------------------------------------------------------- shards (codec.py)


@njit(cache=True, inline="always")
def _digits(value):
    """How many 5-bit groups a varint of value takes (at least one)."""
    count = 1
    value >>= np.uint64(5)
    while value:
        count += 1
        value >>= np.uint64(5)
    return count


@njit(cache=True, inline="always")
def _put_varint(out, at, value):
    while value >= np.uint64(32):
        out[at] = CODES[np.int64(value & np.uint64(31)) | 32]
        at += 1
        value >>= np.uint64(5)
    out[at] = CODES[np.int64(value)]
    return at + 1


@njit(cache=True)
def encode_shards(shards, postings, slots, count, first):
    """The text of shards first … first+count-1 (codec.py's format) from packed postings sorted by (shard,
    posting): (ASCII bytes, ends), shard first+i being bytes[ends[i]:ends[i+1]]."""
    width = -(-slots // 6)  # codec.bitmap_length
    n = len(postings)
    out = np.empty(20 * n + 3 * count + 16, np.uint8)  # at most 8 + 5 characters a term, 4 + 1 a posting
    ends = np.zeros(count + 1, np.int64)
    term_starts = np.empty(n + 1, np.int64)
    dense = np.empty(n, np.bool_)
    at = 0
    cursor = 0
    for s in range(count):
        begin = cursor
        while cursor < n and shards[cursor] == first + s:
            cursor += 1
        terms = 0
        for i in range(begin, cursor):  # keys
            key = postings[i] >> np.uint64(KEY_SHIFT)
            if i == begin or key != postings[i - 1] >> np.uint64(KEY_SHIFT):
                previous = postings[term_starts[terms - 1]] >> np.uint64(KEY_SHIFT) if terms else np.uint64(0)
                at = _put_varint(out, at, key - previous)
                term_starts[terms] = i
                terms += 1
        term_starts[terms] = cursor
        out[at] = _DOT
        at += 1
        for t in range(terms):  # counts, and whether a bitmap is shorter than the gaps
            digits = 0
            previous = np.uint64(0)
            for i in range(term_starts[t], term_starts[t + 1]):
                doc = (postings[i] >> np.uint64(ID_SHIFT)) & np.uint64((1 << SLOT_BITS) - 1)
                digits += _digits(doc - previous)
                previous = doc
            dense[t] = digits > width
            at = _put_varint(out, at, np.uint64(2 * (term_starts[t + 1] - term_starts[t]) + dense[t]))
        out[at] = _DOT
        at += 1
        for t in range(terms):  # documents: gaps, or a bitmap of 6 slots a character
            if dense[t]:
                bits = np.zeros(width, np.int64)
                for i in range(term_starts[t], term_starts[t + 1]):
                    doc = np.int64((postings[i] >> np.uint64(ID_SHIFT)) & np.uint64((1 << SLOT_BITS) - 1))
                    bits[doc // 6] |= 1 << (doc % 6)
                for c in range(width):
                    out[at + c] = CODES[bits[c]]
                at += width
                continue
            previous = np.uint64(0)
            for i in range(term_starts[t], term_starts[t + 1]):
                doc = (postings[i] >> np.uint64(ID_SHIFT)) & np.uint64((1 << SLOT_BITS) - 1)
                at = _put_varint(out, at, doc - previous)
                previous = doc
        out[at] = _DOT
        at += 1
        for i in range(begin, cursor):  # values
            out[at] = CODES[np.int64(postings[i] & np.uint64(63))]
            at += 1
        ends[s + 1] = at
    return out[:at], ends


def prepare() -> None:
    """Compile (or load from the cache) every kernel now: before forking, so that workers inherit them."""
    points = np.array([1, 0, 2, 3], dtype=np.uint64)
    bounds = np.array([0], dtype=np.int64), np.array([4], dtype=np.int64)
    shards, postings = document_postings(points, *bounds, *bounds, np.array([0], dtype=np.int64), 28)
    encode_shards(shards.astype(np.int64), postings, 6, 16, 0)
