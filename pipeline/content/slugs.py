"""Slugs: the file names of pages. Collectors may write one; otherwise it comes from the file or the title."""

from __future__ import annotations

import re

from .schema import SLUG_MAX_CHARS, SLUG_PATTERN


def is_valid(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= SLUG_MAX_CHARS


def default_slug(stem: str, title: str) -> str:
    """The file name when it is already a good slug, else the pinyin of the title."""
    stem = stem.lower()
    if is_valid(stem):
        return stem
    from pypinyin import lazy_pinyin  # loading its phrase table takes ~1 s: only when a slug is made

    words = lazy_pinyin(title or stem, errors=lambda chars: [c for c in chars if c.isascii() and c.isalnum()])
    slug = "-".join(w.lower() for w in words if re.match(r"^[A-Za-z0-9]+$", w))
    return slug[:60].strip("-") or "item"
