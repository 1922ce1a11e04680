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

from dataclasses import dataclass

import numpy as np

from . import text as texts

MAX_COUNT = 15
IN_TITLE, IN_SUMMARY = 16, 32
_PART = "\x01"  # joins the parts of documents for one pass of normalising; survives it (NFKC keeps it, not a space)


@dataclass
class Batch:
    """Documents' normalised code points in one array, parts apart (0), as kernels.document_terms reads them:
    document d is points[starts[d]:ends[d]], its title ends at title_ends[d], its summary at summary_ends[d]."""

    points: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    title_ends: np.ndarray
    summary_ends: np.ndarray

    @classmethod
    def of(cls, documents: list[list[str]]) -> Batch:
        """documents: each [title, summary, *the rest of its text]. One normalising pass for all of them."""
        joined = _PART.join(part.replace(_PART, " ") for parts in documents for part in parts)
        points = texts.points(joined).astype(np.uint64)
        boundaries = np.flatnonzero(points == 1)
        points[boundaries] = 0
        around = np.concatenate(([-1], boundaries, [len(points)]))  # part j lies between around[j] and around[j + 1]
        counts = np.array([len(parts) for parts in documents], dtype=np.int64)
        first = np.cumsum(counts) - counts
        return cls(points, around[first] + 1, around[first + counts], around[first + 1], around[first + 2])


def postings(title: str, summary: str, rest: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique term ids, one 6-bit value each) for a document's title, summary and other text, in
    whole-array NumPy steps: for the few documents an update tokenises. kernels.document_terms cuts a whole
    index's documents the same way, compiled."""
    batch = Batch.of([[title, summary, *rest]])
    grams, starts = term_ids(batch.points, with_starts=True)
    terms, counts = unique_counts(grams)
    values = (np.minimum(counts, MAX_COUNT) - 1).astype(np.uint8)
    title_end, summary_end = batch.title_ends[0], batch.summary_ends[0]
    for chosen, bit in ((starts < title_end, IN_TITLE), ((starts > title_end) & (starts < summary_end), IN_SUMMARY)):
        if chosen.any():
            values[np.searchsorted(terms, grams[chosen])] |= bit
    return terms, values


def term_ids(points: np.ndarray, with_starts: bool = False):
    """Every n-gram occurrence as one integer: c1, c1<<21|c2, or c1<<42|c2<<21|c3 (code points < 2**21);
    with_starts: and where each starts."""
    valid = points != 0
    pairs = valid[:-1] & valid[1:]
    triples = pairs[:-1] & valid[2:]
    grams = np.concatenate([points[valid], ((points[:-1] << 21) | points[1:])[pairs],
                            ((points[:-2] << 42) | (points[1:-1] << 21) | points[2:])[triples]])  # fmt: skip
    if not with_starts:
        return grams
    return grams, np.concatenate([np.flatnonzero(valid), np.flatnonzero(pairs), np.flatnonzero(triples)])


def unique_counts(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(ids):
        return ids, np.zeros(0, dtype=np.int64)
    ids = np.sort(ids)
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return ids[starts], np.diff(np.append(starts, len(ids)))


def shard_shift(shards: int) -> int:
    """A term's shard is the top log2(shards) bits of its first 32-bit hash."""
    return 33 - shards.bit_length()


FNV_PRIME = np.uint32(0x01000193)
SHARD_SEED = np.uint32(0x811C9DC5)  # FNV-1a's own offset basis
KEY_SEED = np.uint32(0x050C5D1F)
CODE_POINT = 0x1FFFFF  # a term id holds up to three 21-bit code points (term_ids)


def filing(ids: np.ndarray, shards: int) -> tuple[np.ndarray, np.ndarray]:
    """(shard, key) of each term id, in any order; shards is a power of two.

    Two hashes of the term's code points: FNV-1a over 32-bit units (a term of three has first, middle and last;
    of two, middle and last; of one, last), then murmur3's finaliser (every output bit depends on every input
    bit). shard = the top bits of the first hash; key = the second hash and the first's six low bits (38 bits).
    In whole-array NumPy steps, for a few documents' terms (an update, a query); kernels.py files a whole index's
    the same way, compiled."""
    ids = np.asarray(ids, dtype=np.uint64)
    last = (ids & np.uint64(CODE_POINT)).astype(np.uint32)
    middle = ((ids >> np.uint64(21)) & np.uint64(CODE_POINT)).astype(np.uint32)
    first = (ids >> np.uint64(42)).astype(np.uint32)
    three, two = ids >= np.uint64(1 << 42), ids >= np.uint64(1 << 21)
    lengths = two.astype(np.uint32) + three + np.uint32(1)

    def mix(seed: np.uint32) -> np.ndarray:
        with np.errstate(over="ignore"):
            hashed = np.where(three, (seed ^ first) * FNV_PRIME, seed)
            hashed = np.where(two, (hashed ^ middle) * FNV_PRIME, hashed)
            hashed = (hashed ^ last) * FNV_PRIME
            hashed ^= lengths
            hashed ^= hashed >> np.uint32(16)
            hashed *= np.uint32(0x85EBCA6B)
            hashed ^= hashed >> np.uint32(13)
            hashed *= np.uint32(0xC2B2AE35)
            hashed ^= hashed >> np.uint32(16)
        return hashed

    first_hash, second_hash = mix(SHARD_SEED), mix(KEY_SEED)
    shard = (first_hash >> np.uint32(shard_shift(shards))).astype(np.int64)
    key = (second_hash.astype(np.uint64) << np.uint64(6)) | (first_hash & np.uint32(63)).astype(np.uint64)
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
