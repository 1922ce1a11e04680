"""Answering a query from the files under output/search/, exactly as theme/static/js/search.js does.

The browser is the reader's search; this is its specification in Python, used by the tests (the ground
truth and the browser are both compared with it) and by the benchmark (bytes a query downloads).

A word of up to three characters is one term: its documents are exactly those containing it. A longer word
is looked up by its 3-grams; the documents holding all of them are candidates, and a card is checked
(its normalised text contains the word) before its result is shown. Results are ranked by how many words
the title holds, then the summary, then how often the words occur, then newer first.

A card holds the first writer.TEXT_IN_CARD characters of a long text, the rest is a file apart: it is
loaded only when the card can neither check a result nor show its excerpt (needs_rest).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import codec, shards, terms, writer
from . import text as texts

PAGE = 20


@dataclass
class Hit:
    slot: int
    in_title: int
    in_summary: int
    count: int
    day: int


@dataclass
class Answer:
    words: list[str]
    candidates: list[Hit]  # ranked, before the cards are checked
    exact: bool  # every word is one term: candidates are the results
    loaded: list[str] = field(default_factory=list)  # index files read, in order


class Index:
    def __init__(self, output_dir: Path):
        self.root = Path(output_dir) / writer.FOLDER
        self.meta = self._load("index")
        self.slots, self.shards = self.meta["slots"], self.meta["shards"]
        self.loaded: list[str] = ["index"]
        self._shards: dict[int, tuple] = {}

    def _load(self, name: str):
        return writer._payload((self.root / f"{name}.js").read_text(encoding="utf-8"))

    def postings(self, term: str) -> dict[int, int]:
        """slot -> 6-bit value, for one term."""
        shard, key = terms.filing(np.array([terms.term_of(term)], dtype=np.uint64), self.shards)
        number = int(shard[0])
        if number not in self._shards:
            self.loaded.append(shards.shard_name(number))
            self._shards[number] = codec.decode(self._load(shards.shard_name(number)), self.slots)
        keys, docs, values = self._shards[number]
        chosen = keys == key[0]
        return dict(zip(docs[chosen].tolist(), values[chosen].tolist(), strict=True))

    def card(self, slot: int, words: list[str] | None = None) -> list[str]:
        """The card of a slot, with the rest of a long text when the words need it (without words, always)."""
        self.loaded.append(writer.card_name(slot))
        card = self._load(writer.card_name(slot))
        if len(card) > 8:
            if words is not None and not needs_rest(card, words):
                return card[:8]
            self.loaded.append(writer.text_name(slot))
            card = [*card[:7], card[7] + self._load(writer.text_name(slot))]
        return card

    def day(self, slot: int) -> int:
        columns, slots = self.meta["columns"], self.slots
        digits = columns[4 * slots + 3 * slot : 4 * slots + 3 * slot + 3]
        return sum(codec.ALPHABET.index(c.encode()) << (6 * (2 - i)) for i, c in enumerate(digits))

    def search(self, query: str) -> Answer:
        words = texts.words(query)
        found: dict[int, list[tuple[int, int, int]]] | None = None
        for word in words:
            per_word = self._word(word)
            found = per_word if found is None else {s: [*found[s], per_word[s][0]] for s in found if s in per_word}
        hits = [Hit(slot, sum(v[0] for v in vs), sum(v[1] for v in vs), sum(v[2] for v in vs), self.day(slot))
                for slot, vs in (found or {}).items()]  # fmt: skip
        hits.sort(key=lambda h: (-h.in_title, -h.in_summary, -h.count, -h.day, h.slot))
        return Answer(words, hits, all(len(w) <= 3 for w in words), self.loaded)

    def _word(self, word: str) -> dict[int, list[tuple[int, int, int]]]:
        """slot -> [(in title, in summary, count)] for the documents that may hold the word."""
        merged: dict[int, tuple[int, int, int]] | None = None
        for gram in terms.grams_of(word):
            values = self.postings(gram)
            if merged is None:
                merged = {s: _unpack(v) for s, v in values.items()}
            else:
                merged = {s: _weakest(merged[s], _unpack(values[s])) for s in merged if s in values}
        return {slot: [value] for slot, value in (merged or {}).items()}

    def verified(self, answer: Answer):
        """(slot, card) of every result in rank order: candidates whose text holds every word."""
        for hit in answer.candidates:
            card = self.card(hit.slot, answer.words)
            text = searched_text(card)
            if all(word in text for word in answer.words):
                yield hit.slot, card

    def results(self, answer: Answer, page: int = 1) -> list[tuple[int, list[str]]]:
        """The results page `page` shows (PAGE a page)."""
        return list(itertools.islice(self.verified(answer), (page - 1) * PAGE, page * PAGE))


def _unpack(value: int) -> tuple[int, int, int]:
    return (value >> 4) & 1, (value >> 5) & 1, (value & 15) + 1


def _weakest(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    """What every 3-gram of a long word agrees on: in the title only if all are, the smallest count."""
    return min(a[0], b[0]), min(a[1], b[1]), min(a[2], b[2])


def searched_text(card: list[str]) -> str:
    """The card's searchable text, normalised, fields apart (title, summary, org, text: of a long text, the
    start the card holds unless the rest was loaded)."""
    return "\n".join(texts.normalise(card[i]) for i in (1, 6, 3, 7))


EXCERPT_AFTER = 100  # characters an excerpt shows from its first hit (search.js excerpt())


def needs_rest(card: list, words: list[str]) -> bool:
    """Whether a card holding the start of a long text needs the rest: a word is not in what it holds, or
    the excerpt (search.js excerpt()) runs past its end. The excerpt is the summary around its first hit;
    else, when the title and org hold every word, the start of the summary; else the text around its first
    hit, up to EXCERPT_AFTER characters from it."""
    if not all(word in searched_text(card) for word in words):
        return True
    title_and_org = texts.normalise(card[1]) + "\n" + texts.normalise(card[3])
    if first_hit(card[6], words) is not None or all(word in title_and_org for word in words):
        return False
    return first_hit(card[7], words) + EXCERPT_AFTER >= len(card[7])


def first_hit(text: str, words: list[str]) -> int | None:
    """The position (in characters of text) where the first occurrence of any word starts."""
    normalised, source = [], []
    for position, character in enumerate(text):
        piece = texts.normalise(character)
        normalised.append(piece)
        source.extend([position] * len(piece))
    joined = "".join(normalised)
    starts = [joined.find(word) for word in words if word in joined]
    return source[min(starts)] if starts else None
