"""What content checking hands on: the site settings, and each submission as a checked document.

`Validation` is the whole result of `validate()`: configuration, documents, their
facts, diagnostics and the bodies rendered while checking (the build reuses them).
The site model (site/model.py) is built from it and nothing else.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..core import dates, workdays
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
    _categories_by_name: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def category(self, name: str) -> Category | None:
        if name not in self._categories_by_name:  # asked for every submission checked
            self._categories_by_name[name] = next((c for c in self.categories if name in (c.name, c.slug)), None)
        return self._categories_by_name[name]


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

    def for_build(self) -> Document:
        """The copy validation hands on: every diagnostic about it is made, so its lines are not needed."""
        return replace(self, source=self.source.without_lines())


class Facts(NamedTuple):
    """What the checks across files read of one document: small, so a warm validate loads no documents.

    A named tuple, not a frozen dataclass: a warm validate unpickles 20,000 of them (at N = 20,000), in half
    the time as tuples."""

    rel: str
    digest: str  # sha256 of the file's bytes
    kind: str
    slug: str
    slug_line: int
    title: str
    path: str  # the file, for the provisional-name check
    date: datetime | None
    date_line: int
    draft: bool
    assets: tuple[tuple[str, int], ...]  # files the body links → line
    video: Document | None  # a video's files are checked on every validate: they change on their own
    moments: tuple[datetime, ...]  # every other date and time in its fields: when its pages change with the clock

    @classmethod
    def of(cls, document: Document) -> Facts:
        source, fields = document.source, document.fields
        parsed = fields.get("date")
        return cls(
            rel=document.rel,
            digest=source.digest,
            kind=document.kind,
            slug=fields["slug"],
            slug_line=source.line("slug") if "slug" in source.meta else 1,
            title=fields.get("title") or "",
            path=str(source.path),
            date=parsed.value if parsed else None,
            date_line=source.line("date") if "date" in source.meta else 1,
            draft=fields.get("status") == "draft",
            assets=tuple(document.assets.items()),
            video=document if document.kind == "video" else None,
            moments=tuple({m for m in moments(fields) if m != (parsed.value if parsed else None)}),
        )


def moments(value) -> list[datetime]:
    """Every date and time in a document's fields, however deep (periods, schedules, lists of people)."""
    found: list[datetime] = []
    _add_moments(value, found)
    return found


def _add_moments(value, found: list[datetime]) -> None:
    if value is None or isinstance(value, str | int | float):  # most fields: nothing to look into
        return
    if isinstance(value, dates.ParsedDate):
        found.append(value.value)
    elif isinstance(value, datetime):
        found.append(value if value.tzinfo else value.replace(tzinfo=dates.SHANGHAI))
    elif isinstance(value, date):
        found.append(datetime.combine(value, datetime.min.time(), tzinfo=dates.SHANGHAI))
    elif isinstance(value, dict):
        for item in value.values():
            _add_moments(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _add_moments(item, found)


@dataclass
class Validation:
    content_dir: Path
    site: SiteSettings
    orgs: list[dict]
    links: list[dict]
    # Each document, pickled, in the order of facts, or a callable that fetches it from the cache; empty when
    # validate was asked for facts only. A build unpickles only those it has no item for (site/model.py).
    pickled: list[bytes | Callable[[], bytes]] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)  # one per document
    fingerprint: str = ""  # the configuration the documents were checked against (content/validate.py)
    rendered: dict = field(default_factory=dict)  # bodies the markup check rendered, for the build to reuse
    diagnostics: list[Diagnostic] = field(default_factory=list)
    media: dict = field(default_factory=dict)  # a video document's rel → its files as checked (content/media.py)

    @functools.cached_property
    def documents(self) -> list[Document]:
        return [self.document(index) for index in range(len(self.pickled))]

    def document(self, index: int) -> Document:
        """The document of facts[index]."""
        blob = self.pickled[index]
        return pickle.loads(blob if isinstance(blob, bytes) else blob())

    def release_documents(self) -> None:
        """Let the documents go: the model holds what pages need (~40 MiB at N = 20,000)."""
        self.pickled, self.rendered = [], {}
        self.__dict__.pop("documents", None)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]
