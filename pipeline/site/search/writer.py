"""The search index under output/search/: written whole, or updated where documents changed.

    search/index.js        loaded with the first query: slots, shards, facet names, and per document slot
                           its kind, org, section and day (the filters, their counts and "newer")
    search/s/<n/256>/<n>.js  shard n: the postings of the terms filed there (codec.py)
    search/d/<id/256>/<id>.js  the card of document id: what its result line shows and its text

Every file is a script that calls `hongwangSearch(name, data)`: browsers load scripts from file://
(a village PC opening the site from disk), where they refuse fetch().

A cold write tokenises every document on every core, spills postings into bucket files by shard and
encodes each shard from its bucket. An update re-tokenises only changed documents (the previous text
comes from their cards), decodes the shards their old or new terms are filed in, patches and re-encodes
them; everything else is left as it is. Both give the same bytes (tests/site/test_incremental.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...core import workers
from . import codec, ids, terms
from .documents import KIND_NAMES, ORG_KIND, SearchDocument, collect

FOLDER = "search"
NEXT, OLD = ".search-next", ".search-old"  # a whole write is made beside the index, then swapped in
FORMAT = 1
EMPTY = 63  # kind column of a slot no document holds
BUCKETS = 64
KEY_SHIFT, ID_SHIFT = 26, 6  # one posting = key << 26 | id << 6 | value (38 + 20 + 6 bits)
MAX_SLOTS = 1 << 20
# An update that would touch more documents than this share of all is written whole (it is faster).
UPDATE_SHARE = 0.125


@dataclass
class SearchStats:
    documents: int
    seconds: float
    index_bytes: int
    files: int
    written: int  # files written this time
    shards: int
    slots: int
    whole: bool  # written from scratch (else updated)
    postings: int = 0

    def as_dict(self) -> dict:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


@dataclass
class _Plan:
    documents: list[SearchDocument]
    slots: int
    shards: int
    ids: dict[str, int]
    names: dict[str, list[str]] = field(default_factory=dict)


def shard_count(documents: int) -> int:
    """About one document's worth of terms per shard (at most 16,384 files): small enough for one query's
    budget, and an edit, which rewrites every shard its changed terms are filed in, moves little."""
    count = 16
    while count < documents and count < 16384:
        count *= 2
    return count


def plan(portal, item_tokens: dict[int, str] | None = None) -> _Plan:
    documents = collect(portal, item_tokens)
    slots = ids.slot_count(len(documents))
    if slots > MAX_SLOTS:
        raise ValueError("too many documents for the search index")  # a million pages: not a county portal
    return _Plan(documents, slots, shard_count(len(documents)), ids.assign([d.key for d in documents], slots))


def write(portal, output_dir: Path, previous: dict | None = None, item_tokens: dict[int, str] | None = None
          ) -> tuple[SearchStats, dict]:  # fmt: skip
    """Write or update output/search/; returns the statistics and the record the next update starts from."""
    started = time.perf_counter()
    root = Path(output_dir) / FOLDER
    planned = plan(portal, item_tokens)
    changed = _changed(planned, previous, root)
    if changed is not None:
        try:
            written, cards = _update(planned, previous, root, changed)
            kept = {key: entry[2] for key, entry in previous["documents"].items() if key not in changed}
            cards = {**kept, **cards}
        except (codec.CorruptShard, OSError, ValueError, KeyError):
            changed = None  # the index on disk is not the one the record describes: write it whole
    if changed is None:
        written, cards = _write_whole(planned, root)
    record = _record(planned, cards)
    written += _write_index(planned, root, record)
    files, size = _measure(root)
    stats = SearchStats(len(planned.documents), time.perf_counter() - started, size, files, written,
                        planned.shards, planned.slots, changed is None)  # fmt: skip
    return stats, record


def _record(planned: _Plan, cards: dict[str, str]) -> dict:
    """What the next update compares with: per document its token, id and the digest of its card."""
    documents = {d.key: (d.token, planned.ids[d.key], cards[d.key]) for d in planned.documents}
    return {"format": FORMAT, "slots": planned.slots, "shards": planned.shards, "documents": documents}


def _changed(planned: _Plan, previous: dict | None, root: Path) -> set[str] | None:
    """Keys of documents to write again, or None when the index must be written whole."""
    if not previous or not (root / "index.js").is_file():
        return None
    if (previous.get("format"), previous.get("slots"), previous.get("shards")) != (
        FORMAT, planned.slots, planned.shards):  # fmt: skip
        return None
    old = {key: entry[:2] for key, entry in previous["documents"].items()}
    new = {d.key: (d.token, planned.ids[d.key]) for d in planned.documents}
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    return None if len(changed) > UPDATE_SHARE * max(len(new), 1) else changed


# ---------------------------------------------------------------- files


def _script(name: str, data) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # U+2028/2029 are line ends to an ES2017 parser inside a string literal.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'hongwangSearch("{name}",{text});\n'.encode()


def shard_name(shard: int) -> str:
    return f"s/{shard >> 8}/{shard}"


def card_name(slot: int) -> str:
    return f"d/{slot >> 8}/{slot}"


def _put(root: Path, name: str, data) -> bool:
    """Write root/<name>.js unless it already holds exactly this; True when written."""
    path = root / f"{name}.js"
    content = _script(name, data)
    try:
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return False
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _measure(root: Path) -> tuple[int, int]:
    files = size = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            files += 1
            size += os.stat(os.path.join(folder, name)).st_size
    return files, size


def _write_index(planned: _Plan, root: Path, record: dict) -> int:
    """index.js: the global part. Columns per slot (base64url): kind 1, org 2, section 1, day 3 characters."""
    kinds = sorted({d.kind for d in planned.documents}, key=_kind_order)
    orgs = sorted({d.org for d in planned.documents if d.org})
    sections = sorted({d.section for d in planned.documents if d.section})
    kind_column = np.full(planned.slots, EMPTY, dtype=np.int64)
    org_column = np.zeros(planned.slots, dtype=np.int64)
    section_column = np.zeros(planned.slots, dtype=np.int64)
    day_column = np.zeros(planned.slots, dtype=np.int64)
    kind_index = {k: i for i, k in enumerate(kinds)}
    org_index = {o: i + 1 for i, o in enumerate(orgs)}
    section_index = {s: i + 1 for i, s in enumerate(sections)}
    for document in planned.documents:
        slot = planned.ids[document.key]
        kind_column[slot] = kind_index[document.kind]
        org_column[slot] = org_index.get(document.org, 0)
        section_column[slot] = section_index.get(document.section, 0)
        day_column[slot] = document.day
    # Changes whenever any card does (shards are made from cards): browsers then fetch the new files.
    cards = sorted((entry[1], entry[2]) for entry in record["documents"].values())
    columns = [kind_column, org_column, section_column, day_column]
    version = hashlib.blake2b(json.dumps([cards, kinds, orgs, sections, [c.tolist() for c in columns]]).encode(),
                              digest_size=8).hexdigest()  # fmt: skip
    data = {
        "format": FORMAT, "version": version, "slots": planned.slots, "shards": planned.shards,
        "documents": len(planned.documents), "kinds": kinds, "orgs": orgs, "sections": sections,
        "columns": "".join(_fixed(c, w) for c, w in ((kind_column, 1), (org_column, 2), (section_column, 1),
                                                       (day_column, 3))),
    }  # fmt: skip
    return int(_put(root, "index", data))


def _fixed(values: np.ndarray, width: int) -> str:
    """Each value as `width` base64url digits, most significant first."""
    digits = [(values >> (6 * (width - 1 - i))) & 63 for i in range(width)]
    return codec.characters(np.stack(digits, axis=1).reshape(-1).astype(np.uint8)).decode("ascii")


def _kind_order(kind: str) -> int:
    order = [name for _, name in KIND_NAMES] + [ORG_KIND]
    return order.index(kind) if kind in order else len(order)


# ---------------------------------------------------------------- whole


def _write_whole(planned: _Plan, root: Path) -> int:
    """Into a fresh folder beside the old index, swapped in when complete (a stopped build leaves the old one)."""
    fresh = root.parent / NEXT
    shutil.rmtree(fresh, ignore_errors=True)
    for folder in {card_name(slot).rsplit("/", 1)[0] for slot in range(0, planned.slots, 256)} | {
        shard_name(shard).rsplit("/", 1)[0] for shard in range(0, planned.shards, 256)}:  # fmt: skip
        (fresh / folder).mkdir(parents=True, exist_ok=True)
    documents = sorted(planned.documents, key=lambda d: planned.ids[d.key])
    count = workers.workers() if len(documents) >= 200 else 1
    slices = [documents[i::count] for i in range(count)]
    with tempfile.TemporaryDirectory(prefix="hongwang-search-") as spill:
        made = workers.run(lambda i: _tokenise_slice(i, slices[i], planned, fresh, Path(spill)), range(count),
                           min_parallel=2)  # fmt: skip
        cards = {key: digest for part in made for key, digest in part}
        buckets = range(_buckets(planned))
        written = len(cards) + sum(workers.run(lambda b: _encode_bucket(b, count, planned, fresh, Path(spill)),
                                               buckets, min_parallel=2))  # fmt: skip
    old = root.parent / OLD
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    fresh.rename(root)
    shutil.rmtree(old, ignore_errors=True)
    return written, cards


def _bucket_of(shard: np.ndarray, planned: _Plan) -> np.ndarray:
    return (shard.astype(np.int64) * _buckets(planned) // planned.shards).astype(np.uint16)


_RECORD = np.dtype([("shard", "<u2"), ("posting", "<u8")])
_SPILL_EVERY = 1000  # documents


def _tokenise_slice(index: int, documents: list[SearchDocument], planned: _Plan, root: Path, spill: Path
                    ) -> list[tuple[str, str]]:  # fmt: skip
    """Cards of these documents, and their postings spilled into bucket files (shard, posting).

    Returns (key, digest of the card) for each document."""
    shards: list[np.ndarray] = []
    postings: list[np.ndarray] = []
    digests = []
    for number, document in enumerate(documents, start=1):
        slot = planned.ids[document.key]
        card = document.card()
        content = _script(card_name(slot), card)
        _create(root / f"{card_name(slot)}.js", content)
        digests.append((document.key, _digest(content)))
        shard, posting = _postings(card, slot, planned.shards)
        shards.append(shard.astype(np.uint16))
        postings.append(posting)
        if number % _SPILL_EVERY == 0 or number == len(documents):
            _spill(np.concatenate(shards), np.concatenate(postings), planned, spill / f"{index}")
            shards.clear()
            postings.clear()
    return digests


def _digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def _spill(shard: np.ndarray, posting: np.ndarray, planned: _Plan, prefix: Path) -> None:
    bucket = _bucket_of(shard, planned)
    order = np.argsort(bucket, kind="stable")
    records = np.empty(len(order), dtype=_RECORD)
    records["shard"], records["posting"] = shard[order], posting[order]
    bounds = np.searchsorted(bucket[order], np.arange(_buckets(planned) + 1))
    for b in np.flatnonzero(np.diff(bounds)):
        with open(f"{prefix}-{b}.bin", "ab") as handle:
            records[bounds[b] : bounds[b + 1]].tofile(handle)


def _create(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(descriptor, content)
    finally:
        os.close(descriptor)


def _buckets(planned: _Plan) -> int:
    return min(BUCKETS, planned.shards)


def _postings(card: list[str], slot: int, shards: int) -> tuple[np.ndarray, np.ndarray]:
    found, values = terms.postings(card[1], card[6], [card[3], card[7]])
    shard, key = terms.filing(found, shards)
    return shard, (key << np.uint64(KEY_SHIFT)) | np.uint64(slot << ID_SHIFT) | values.astype(np.uint64)


def _encode_bucket(bucket: int, slices: int, planned: _Plan, root: Path, spill: Path) -> int:
    pieces = [np.fromfile(path, dtype=_RECORD) for path in (spill / f"{i}-{bucket}.bin" for i in range(slices))
              if path.exists()]  # fmt: skip
    records = np.concatenate(pieces) if pieces else np.zeros(0, dtype=_RECORD)
    order = np.argsort(records["shard"], kind="stable")
    shard_ids, postings = records["shard"][order], records["posting"][order]
    per_bucket = planned.shards // _buckets(planned)
    first = bucket * per_bucket
    bounds = np.searchsorted(shard_ids, np.arange(first, first + per_bucket + 1))
    for offset in range(per_bucket):
        chosen = np.sort(postings[bounds[offset] : bounds[offset + 1]])
        name = shard_name(first + offset)
        _create(root / f"{name}.js", _script(name, _encode(chosen, planned.slots)))
    return per_bucket


def _encode(postings: np.ndarray, slots: int) -> str:
    keys = postings >> np.uint64(KEY_SHIFT)
    docs = ((postings >> np.uint64(ID_SHIFT)) & np.uint64((1 << 20) - 1)).astype(np.int64)
    return codec.encode(keys, docs, (postings & np.uint64(63)).astype(np.uint8), slots)


# ---------------------------------------------------------------- update


def _update(planned: _Plan, previous: dict, root: Path, changed: set[str]) -> int:
    old = previous["documents"]
    by_key = {d.key: d for d in planned.documents}
    removed, added = {}, {}  # shard -> postings to take out / put in
    written, cards = 0, {}
    for key in sorted(changed):
        if key in old:
            slot = old[key][1]
            _collect(removed, *_postings(_read_card(root, slot), slot, planned.shards))
            if key not in by_key or planned.ids[key] != slot:
                (root / f"{card_name(slot)}.js").unlink(missing_ok=True)
        if key in by_key:
            slot = planned.ids[key]
            card = by_key[key].card()
            written += _put(root, card_name(slot), card)
            cards[key] = _digest(_script(card_name(slot), card))
            _collect(added, *_postings(card, slot, planned.shards))
    for shard in sorted(removed.keys() | added.keys()):
        written += _patch(root, shard, removed.get(shard), added.get(shard), planned.slots)
    return written, cards


def _collect(into: dict, shard: np.ndarray, posting: np.ndarray) -> None:
    order = np.argsort(shard, kind="stable")
    shard, posting = shard[order], posting[order]
    starts = np.flatnonzero(np.concatenate(([True], shard[1:] != shard[:-1])))
    for start, end in zip(starts, [*starts[1:], len(shard)], strict=True):
        into.setdefault(int(shard[start]), []).append(posting[start:end])


def _read_card(root: Path, slot: int) -> list[str]:
    return _payload((root / f"{card_name(slot)}.js").read_text(encoding="utf-8"))


def _payload(script: str):
    """The data a script file passes to hongwangSearch (ValueError when it is not one of ours)."""
    return json.loads(script[script.index(",") + 1 : script.rindex(")")])


def _patch(root: Path, shard: int, removed: list | None, added: list | None, slots: int) -> int:
    path = root / f"{shard_name(shard)}.js"
    keys, docs, values = codec.decode(_payload(path.read_text(encoding="ascii")), slots)
    current = (keys << np.uint64(KEY_SHIFT)) | (docs.astype(np.uint64) << np.uint64(ID_SHIFT)) | values
    if removed:
        current = current[~np.isin(current, np.concatenate(removed))]
    if added:
        current = np.concatenate([current, *added])
    return int(_put(root, shard_name(shard), _encode(np.sort(current), slots)))
