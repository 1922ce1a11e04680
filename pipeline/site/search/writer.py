"""The search index under output/search/: written whole, or updated where documents changed.

    search/index.js        loaded with the first query: slots, shards, facet names, and per document slot
                           its kind, org, section and day (the filters, their counts and "newer")
    search/s/<n/256>/<n>.js  shard n: the postings of the terms filed there (codec.py)
    search/d/<id/256>/<id>.js  the card of document id: what its result line shows and its text, or the
                             first TEXT_IN_CARD characters of a longer text
    search/t/<id/256>/<id>.js  the rest of a longer text: loaded only when the card cannot show or check a
                             result (query.needs_rest)

Every file is a script that calls `hongwangSearch(name, data)`: browsers load scripts from file://
(a village PC opening the site from disk), where they refuse fetch().

A cold write makes every card on every core, saving the code points of a batch of documents at a time;
shards.py then cuts them into postings (spilled a batch at a time, in shard order) and encodes each shard
(compiled, and for a big index in a fresh process). An update re-tokenises only changed documents (the
previous text comes from their cards), decodes the shards their old or new terms are filed in, patches and
re-encodes them; everything else is left as it is. Both give the same bytes (tests/site/test_incremental.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...core import workers
from ...core.progress import QUIET, SEARCH, Progress
from . import codec, ids, shards, terms
from . import text as texts
from .documents import KIND_NAMES, ORG_KIND, SearchDocument, collect
from .shards import shard_name

FOLDER = "search"
NEXT, OLD = ".search-next", ".search-old"  # a whole write is made beside the index, then swapped in
FORMAT = 2
TEXT_IN_CARD = 240  # characters of text in a card: an excerpt around a hit in the first 140 needs no more
EMPTY = 63  # kind column of a slot no document holds
MAX_SLOTS = 1 << 20
MAX_SHARDS = 8192
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

    def as_dict(self) -> dict:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


@dataclass
class Tally:
    """The index's files and bytes, kept up to date as files are written (a walk of 36,000 files costs more
    than an edit's whole update)."""

    files: int = 0
    bytes: int = 0
    written: int = 0

    def wrote(self, old_size: int | None, new_size: int) -> None:
        self.written += 1
        self.files += old_size is None
        self.bytes += new_size - (old_size or 0)

    def deleted(self, size: int) -> None:
        self.files -= 1
        self.bytes -= size

    def add(self, other: Tally) -> None:
        self.files, self.bytes, self.written = self.files + other.files, self.bytes + other.bytes, \
            self.written + other.written  # fmt: skip


@dataclass
class _Plan:
    documents: list[SearchDocument]
    slots: int
    shards: int
    ids: dict[str, int]
    names: dict[str, list[str]] = field(default_factory=dict)


def shard_count(documents: int) -> int:
    """About one document's worth of terms per shard (at most 8,192 files, and cards and texts are files too):
    small enough for one query's budget, and an edit, which rewrites every shard its changed terms are filed
    in, moves little."""
    count = 16
    while count < documents and count < MAX_SHARDS:
        count *= 2
    return count


def plan(portal, item_tokens: dict[int, str] | None = None) -> _Plan:
    documents = collect(portal, item_tokens)
    slots = ids.slot_count(len(documents))
    if slots > MAX_SLOTS:
        raise ValueError("too many documents for the search index")  # a million pages: not a county portal
    return _Plan(documents, slots, shard_count(len(documents)), ids.assign([(d.day, d.key) for d in documents], slots))


def write(portal, output_dir: Path, previous: dict | None = None, item_tokens: dict[int, str] | None = None,
          progress: Progress = QUIET) -> tuple[SearchStats, dict]:  # fmt: skip
    """Write or update output/search/; returns the statistics and the record the next update starts from.
    progress is told the documents indexed (all of them, or those an update tokenises again)."""
    started = time.perf_counter()
    root = Path(output_dir) / FOLDER
    progress.stage(SEARCH)
    planned = plan(portal, item_tokens)
    changed = _changed(planned, previous, root)
    if changed is not None:
        progress.stage(SEARCH, len(changed))
        tally = Tally(previous["files"], previous["bytes"])
        try:
            cards = _update(planned, previous, root, changed, tally)
            progress.advance(len(changed))
            kept = {key: entry[2] for key, entry in previous["documents"].items() if key not in changed}
            cards = {**kept, **cards}
        except (codec.CorruptShard, OSError, ValueError, KeyError):
            changed = None  # the index on disk is not the one the record describes: write it whole
    if changed is None:
        progress.stage(SEARCH, len(planned.documents))
        tally = Tally()
        cards = _write_whole(planned, root, tally, progress)
    record = _record(planned, cards)
    _write_index(planned, root, record, tally)
    record.update(files=tally.files, bytes=tally.bytes)
    stats = SearchStats(len(planned.documents), time.perf_counter() - started, tally.bytes, tally.files,
                        tally.written, planned.shards, planned.slots, changed is None)  # fmt: skip
    return stats, record


def _record(planned: _Plan, cards: dict[str, str]) -> dict:
    """What the next update compares with: per document its token, id and the digest of its card."""
    documents = {d.key: (d.token, planned.ids[d.key], cards[d.key]) for d in planned.documents}
    return {"format": FORMAT, "slots": planned.slots, "shards": planned.shards, "documents": documents}


def _changed(planned: _Plan, previous: dict | None, root: Path) -> set[str] | None:
    """Keys of documents to write again, or None when the index must be written whole."""
    if not previous or not (root / "index.js").is_file():
        return None
    if "files" not in previous or (previous.get("format"), previous.get("slots"), previous.get("shards")) != (
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


def card_name(slot: int) -> str:
    return f"d/{slot >> 8}/{slot}"


def text_name(slot: int) -> str:
    return f"t/{slot >> 8}/{slot}"


def split_card(card: list) -> tuple[list, str | None]:
    """(the card as written, the rest of its text or None). A long text is cut after TEXT_IN_CARD characters
    and the card says so with a ninth field (1); the rest is the file text_name(slot)."""
    text = card[7]
    if len(text) <= TEXT_IN_CARD:
        return card, None
    return [*card[:7], text[:TEXT_IN_CARD], 1], text[TEXT_IN_CARD:]


def _card_files(slot: int, card: list) -> list[tuple[str, bytes]]:
    """The files that hold this card, as (name, content)."""
    head, text = split_card(card)
    files = [(card_name(slot), _script(card_name(slot), head))]
    return files if text is None else [*files, (text_name(slot), _script(text_name(slot), text))]


def _card_digest(files: list[tuple[str, bytes]]) -> str:
    return _digest(b"".join(content for _, content in files))


def _put(root: Path, name: str, content: bytes, tally: Tally) -> None:
    """Write root/<name>.js unless it already holds exactly this."""
    path = root / f"{name}.js"
    try:
        old_size = path.stat().st_size
        if old_size == len(content) and path.read_bytes() == content:
            return
    except OSError:
        old_size = None
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    tally.wrote(old_size, len(content))


def _remove(path: Path, tally: Tally) -> None:
    try:
        size = path.stat().st_size
        path.unlink()
    except OSError:
        return
    tally.deleted(size)


def _write_index(planned: _Plan, root: Path, record: dict, tally: Tally) -> None:
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
    _put(root, "index", _script("index", data), tally)


def _fixed(values: np.ndarray, width: int) -> str:
    """Each value as `width` base64url digits, most significant first."""
    digits = [(values >> (6 * (width - 1 - i))) & 63 for i in range(width)]
    return codec.characters(np.stack(digits, axis=1).reshape(-1).astype(np.uint8)).decode("ascii")


def _kind_order(kind: str) -> int:
    order = [name for _, name in KIND_NAMES] + [ORG_KIND]
    return order.index(kind) if kind in order else len(order)


# ---------------------------------------------------------------- whole


def _write_whole(planned: _Plan, root: Path, tally: Tally, progress: Progress = QUIET) -> dict[str, str]:
    """Into a fresh folder beside the old index, swapped in when complete (a stopped build leaves the old one)."""
    fresh = root.parent / NEXT
    shutil.rmtree(fresh, ignore_errors=True)
    for folder in {name(slot).rsplit("/", 1)[0] for slot in range(0, planned.slots, 256) for name in (card_name,
        text_name)} | {shard_name(shard).rsplit("/", 1)[0] for shard in range(0, planned.shards, 256)}:  # fmt: skip
        (fresh / folder).mkdir(parents=True, exist_ok=True)
    documents = sorted(planned.documents, key=lambda d: planned.ids[d.key])
    count = workers.workers() if len(documents) >= 200 else 1
    texts.prepare()  # before forking: each worker would build the same tables
    slices = [documents[i::count] for i in range(count)]
    with tempfile.TemporaryDirectory(prefix="hongwang-search-") as spill, shards.Compiled(len(documents)) as compiled:
        made = workers.run(lambda i: _card_slice(i, slices[i], planned, fresh, Path(spill)), range(count),
                           min_parallel=2)  # fmt: skip
        progress.advance(len(documents))  # cards written and code points saved; the shards are encoded next
        cards = {key: digest for part, _ in made for key, digest in part}
        for _, part in made:
            tally.add(part)
        files, size = compiled.write(Path(spill), fresh, planned.shards, planned.slots)
        tally.add(Tally(files, size, files))
    old = root.parent / OLD
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    fresh.rename(root)
    shutil.rmtree(old, ignore_errors=True)
    return cards


_BATCH = 500  # documents normalised in one pass and cut in one call: ~20 MB of temporaries


def _card_slice(index: int, documents: list[SearchDocument], planned: _Plan, root: Path, spill: Path
                ) -> tuple[list[tuple[str, str]], Tally]:  # fmt: skip
    """The card files of these documents, and their code points saved a batch at a time for shards.write.
    Returns (key, digest of the card) for each document."""
    digests, tally = [], Tally()
    batch: list[tuple[list[str], int]] = []
    for number, document in enumerate(documents):
        slot = planned.ids[document.key]
        card = document.card()
        files = _card_files(slot, card)
        for name, content in files:
            shards.create(root / f"{name}.js", content)
            tally.wrote(None, len(content))
        digests.append((document.key, _card_digest(files)))
        batch.append((card, slot))
        if len(batch) == _BATCH or number == len(documents) - 1:
            shards.save_batch(spill / f"points-{index}-{number}.npz", _batch_of([c for c, _ in batch]),
                              [s for _, s in batch])  # fmt: skip
            batch = []
    return digests, tally


def _digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def _searched(card: list[str]) -> list[str]:
    """A card's terms come from its title, summary, org and text (query.searched_text checks the same four)."""
    return [card[1], card[6], card[3], card[7]]


def _batch_of(cards: list[list[str]]) -> terms.Batch:
    return terms.Batch.of([_searched(card) for card in cards])


def _card_postings(card: list[str], slot: int, shard_count: int) -> tuple[np.ndarray, np.ndarray]:
    """(shard, packed posting) of every term of one card (an update's), in NumPy."""
    title, summary, *rest = _searched(card)
    term_ids, values = terms.postings(title, summary, rest)
    shard, key = terms.filing(term_ids, shard_count)
    return shard, codec.pack(key, np.full(len(key), slot), values)


# ---------------------------------------------------------------- update


def _update(planned: _Plan, previous: dict, root: Path, changed: set[str], tally: Tally) -> dict[str, str]:
    old = previous["documents"]
    by_key = {d.key: d for d in planned.documents}
    before, after = [], []  # (shard, posting) arrays of the changed documents, as they were and as they are
    cards = {}
    gone = []  # read every old card before any is written: a moved document may take another's old slot
    for key in sorted(changed & old.keys()):
        slot = old[key][1]
        before.append(_card_postings(read_card(root, slot), slot, planned.shards))
        if key not in by_key or planned.ids[key] != slot:
            gone.append(slot)
    for slot in sorted(set(gone) - {planned.ids[key] for key in changed if key in by_key}):
        _remove(root / f"{card_name(slot)}.js", tally)
        _remove(root / f"{text_name(slot)}.js", tally)
    for key in sorted(changed):
        if key in by_key:
            slot = planned.ids[key]
            card = by_key[key].card()
            files = _card_files(slot, card)
            for name, content in files:
                _put(root, name, content, tally)
            if len(files) == 1:  # the whole text fits in the card now: no rest may stay behind
                _remove(root / f"{text_name(slot)}.js", tally)
            cards[key] = _card_digest(files)
            after.append(_card_postings(card, slot, planned.shards))
    removed, added = _difference(before, after)
    for shard in sorted(removed.keys() | added.keys()):
        _patch(root, shard, removed.get(shard), added.get(shard), planned.slots, tally)
    return cards


def _difference(before: list, after: list) -> tuple[dict, dict]:
    """Per shard, the postings that went and the postings that came: a shard whose postings are the same
    (most terms of an edited document) is not touched."""
    old, new = (np.concatenate([p for _, p in pairs]) if pairs else np.zeros(0, np.uint64) for pairs in (before, after))
    shard_of = {}
    for pairs in (before, after):
        for shard, posting in pairs:
            shard_of.update(zip(posting.tolist(), shard.tolist(), strict=True))
    removed, added = {}, {}
    for postings, into in ((np.setdiff1d(old, new), removed), (np.setdiff1d(new, old), added)):
        for posting in postings.tolist():
            into.setdefault(shard_of[posting], []).append(posting)
    return ({s: [np.array(p, dtype=np.uint64)] for s, p in removed.items()},
            {s: [np.array(p, dtype=np.uint64)] for s, p in added.items()})  # fmt: skip


def read_card(root: Path, slot: int) -> list[str]:
    """The whole card of a slot, the rest of a long text read from its own file."""
    card = _payload((root / f"{card_name(slot)}.js").read_text(encoding="utf-8"))
    if len(card) > 8:
        card = [*card[:7], card[7] + _payload((root / f"{text_name(slot)}.js").read_text(encoding="utf-8"))]
    return card


def _payload(script: str):
    """The data a script file passes to hongwangSearch (ValueError when it is not one of ours)."""
    return json.loads(script[script.index(",") + 1 : script.rindex(")")])


def _patch(root: Path, shard: int, removed: list | None, added: list | None, slots: int, tally: Tally) -> None:
    path = root / f"{shard_name(shard)}.js"
    keys, docs, values = codec.decode(_payload(path.read_text(encoding="ascii")), slots)
    current = codec.pack(keys, docs, values)
    if removed:
        current = current[~np.isin(current, np.concatenate(removed))]
    if added:
        current = np.concatenate([current, *added])
    [encoded] = codec.encode_shards(np.full(len(current), shard, dtype=np.int64), np.sort(current), slots, 1, shard)
    _put(root, shard_name(shard), shards.shard_script(shard_name(shard), encoded), tally)
