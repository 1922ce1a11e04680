"""What content checking hands on: the site settings, and each submission as a checked document.

`Validation` is the whole result of `validate()`: configuration, documents, diagnostics
and the bodies rendered while checking (the build reuses them). The site model
(site/model.py) is built from it and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import workdays
from ..core.diagnostics import Diagnostic

if TYPE_CHECKING:
    from .load import Source


@dataclass
class Category:
    name: str
    slug: str
    kind: str


@dataclass
class SiteSettings:
    values: dict
    categories: list[Category]
    disclosure_types: list[str]
    notice_min_workdays: dict[str, int]
    calendar: workdays.Calendar

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if name in (c.name, c.slug)), None)


@dataclass
class Document:
    """A validated submission: canonical keys, normalised values, still tied to its source."""

    source: Source
    kind: str
    fields: dict
    assets: dict[str, int] = field(default_factory=dict)  # files the body links (relative to content/) → line

    @property
    def rel(self) -> str:
        return self.source.rel


@dataclass
class Validation:
    content_dir: Path
    site: SiteSettings
    orgs: list[dict]
    links: list[dict]
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: dict = field(default_factory=dict)  # bodies the markup check rendered, for the build to reuse
    media: dict = field(default_factory=dict)  # a video document's rel → its files as checked (content/media.py)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]
