"""Document ids: stable across edits, and the same whether the index is written from scratch or updated.

Each document has a home slot, a hash of its key (the source file, or the org code) modulo the number of
slots M. Documents take their home slot oldest first (by date, then key), the later of two colliding ones
the next free slot. That is a function of the set of documents alone, so an update and a cold build agree
byte for byte; and a new document, nearly always the newest, comes last and moves no other id. (In key
order a new key would push every later key of its collision run along, and a document whose id moves
rewrites every shard holding one of its terms: two moved ids rewrote 80 % of the index.)

M grows in steps of about a fifth (64 × 2**(k/4), at least 1.25 × the documents): crossing a step moves
every id, which makes the next build write the whole index again, a few times over a county's life.
"""

from __future__ import annotations

import hashlib


def slot_count(documents: int) -> int:
    step = 0
    while int(64 * 2 ** (step / 4)) // 64 * 64 < documents * 1.25:
        step += 1
    return int(64 * 2 ** (step / 4)) // 64 * 64


def home(key: str, slots: int) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % slots


def assign(documents: list[tuple[int, str]], slots: int) -> dict[str, int]:
    """(day, key) of each document → its slot."""
    taken: set[int] = set()
    ids = {}
    for _day, key in sorted(documents):
        slot = home(key, slots)
        while slot in taken:
            slot = (slot + 1) % slots
        taken.add(slot)
        ids[key] = slot
    return ids
