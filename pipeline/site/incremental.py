"""Which pages must be written again: the dependency record of the page set.

Every PageSpec gets a digest of everything its page is made from: the page's
own fields and variables (an item stands for its source file's sha256, an org
for its items), plus a shared part every page reads (code and theme, settings,
site.yaml values, categories, the org tree, links, the page and stats lists).
Pages whose variables hold no item (home, org index, links, 404, ...) read the
whole portal, so their digest covers every item. A page is rendered again when
its digest differs from the last build's record or its file is gone or changed
size; pages that left the plan (a deleted article, a shorter list) are deleted.

The contract this relies on: templates read a page's variables and the shared
portal parts above, nothing else. Urgent alerts keep it: pages only load
alert/current.js (written beside the pages when the alerts change), never the
alerts. tests/test_incremental.py checks that an incremental build equals a cold build byte for byte after edits, adds,
deletes and an org rename.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path

from ..core import cache
from . import model


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def item_tokens(portal: model.Portal, source_digests: dict[str, str]) -> dict[int, str]:
    """What each item is made from, by id(item): its page digests and its search document start from it."""
    return {id(item): item_token(item, source_digests) for item in portal.items}


def item_token(item, source_digests: dict[str, str]) -> str:
    # An item is a function of its file, the shared config (in `shared`) and what today makes of it:
    # a notice's, interview's or alert's state, the days a letter has waited for its reply.
    digest = source_digests.get(item.source, "")
    media = getattr(item, "media_token", "")  # a video: its video, poster and subtitle files
    today = f"{getattr(item, 'state', '')}:{getattr(item, 'days_open', '')}"
    return f"{type(item).__name__}:{item.source}:{digest}:{today}:{media}"


class Digests:
    def __init__(
        self,
        portal: model.Portal,
        settings_token: str,
        source_digests: dict[str, str],
        tokens: dict[int, str] | None = None,  # item_tokens(portal, source_digests), when already made
    ):
        self.source_digests = source_digests
        self.object_tokens: dict[int, tuple] = {}
        self.item_tokens = tokens if tokens is not None else item_tokens(portal, source_digests)
        self.org_tokens = {id(org): self._org_token(org) for org in portal.orgs.values()}
        self.all_items = self._hash(repr(list(self.item_tokens.values())))
        self.shared = self._hash(
            repr(
                (
                    cache.code_salt(),
                    settings_token,
                    portal.profile,
                    portal.site.values,
                    [repr(c) for c in portal.categories],
                    _org_tree(portal),
                    portal.links,
                    [(p.slug, p.title, p.url) for p in portal.pages],
                    [(s.slug, s.title, s.url) for s in portal.stats],
                    portal.sections,
                )
            )
        )

    @staticmethod
    def _hash(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def _item_token(self, item) -> str:
        return item_token(item, self.source_digests)

    def _org_token(self, org) -> str:
        return f"org:{org.code}:" + self._hash(
            repr([self.item_tokens.get(id(i)) or self._item_token(i) for i in [*org.items, *org.notices]])
        )

    def token(self, value) -> str:
        kind = type(value)  # the common exact types first: a county's pages make about a million calls
        if kind is str or kind is int or kind is bool or value is None:
            return repr(value)
        if kind is list or kind is tuple:
            return "[" + ",".join([self.token(v) for v in value]) + "]"
        if kind is dict and all(type(k) is str for k in value):
            return "{" + ",".join([f"{k!r}:{self.token(v)}" for k, v in sorted(value.items())]) + "}"
        known = self.item_tokens.get(id(value)) or self.org_tokens.get(id(value))  # held by the portal: ids stable
        if known:
            return known
        known = self.object_tokens.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        return self._token_of_other(value)

    def _token_of_other(self, value) -> str:
        if isinstance(value, model.Item):
            return self.item_tokens.get(id(value)) or self._item_token(value)
        if isinstance(value, model.Org):
            return self.org_tokens.get(id(value)) or self._org_token(value)
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(self.token(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ",".join(f"{k!r}:{self.token(v)}" for k, v in _sorted_items(value)) + "}"
        if value is None or isinstance(value, (str, int, float, bool, date, datetime)):
            return repr(value)
        if is_dataclass(value):
            return self._dataclass_token(value)
        return repr(value)  # unknown objects: a repr with an id changes every build, so the page is re-rendered

    def _dataclass_token(self, value) -> str:
        # Pages share feeds, categories and pagers: each is tokenised once per build. The memo holds the
        # object itself, so its id cannot be reused by another object while the memo lives.
        known = self.object_tokens.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        names = _FIELD_NAMES.get(type(value)) or _FIELD_NAMES.setdefault(type(value), [f.name for f in fields(value)])
        token = type(value).__name__ + self.token({name: getattr(value, name) for name in names})
        self.object_tokens[id(value)] = (value, token)
        return token

    def feed(self, feed, site_url: str) -> str:
        """A feed file is made of its own fields, its items, the site URL and the shared portal parts; an empty
        feed's date is the newest item of the portal (site/feeds.py), so it reads them all."""
        return self._hash(
            self.shared
            + repr((site_url, feed.key, feed.title, feed.page, feed.group))
            + (self.token(feed.items) if feed.items else self.all_items)
        )

    def page(self, spec, arguments: dict) -> str:
        pager = (spec.pager.number, spec.pager.count, spec.pager.base) if spec.pager else None
        plain = repr((spec.name, spec.template, spec.title, spec.crumbs, pager, getattr(spec, "feed", None)))
        own = plain + self.token(arguments)
        reads_portal = "" if _holds_item(spec.variables) else self.all_items
        return self._hash(self.shared + reads_portal + own)


_FIELD_NAMES: dict[type, list[str]] = {}


def _sorted_items(mapping: dict) -> list:
    if all(type(k) is str for k in mapping):
        return sorted(mapping.items())
    return sorted(mapping.items(), key=lambda kv: repr(kv[0]))


def _holds_item(value) -> bool:
    if isinstance(value, model.Item):
        return True
    if isinstance(value, dict):
        return any(_holds_item(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_item(v) for v in value)
    return False


def _org_tree(portal) -> list:
    return [
        (o.code, o.name, o.short_name, o.kind, o.parent_code, sorted(o.contact.items()), [c.code for c in o.children])
        for o in portal.orgs.values()
    ]


def record_name(output_dir: Path, profile: str) -> str:
    return "pages-" + hashlib.blake2b(f"{Path(output_dir).resolve()}|{profile}".encode(), digest_size=8).hexdigest()


def plan_writes(
    specs: list, arguments: list[dict], digests: Digests, output_dir: Path, previous: dict
) -> tuple[list[int], dict[str, str]]:
    """(indexes of the specs to render, the new record: page name → digest).

    arguments[i] is everything spec i's template receives besides the shared context."""
    record, to_write = {}, []
    base = str(output_dir)
    for index, spec in enumerate(specs):
        digest = digests.page(spec, arguments[index])
        record[spec.name] = digest
        old = previous.get(spec.name)
        if old is None or old[0] != digest or _size(os.path.join(base, spec.name)) != old[1]:
            to_write.append(index)
    return to_write, record


class FileRecord:
    """The same record for files written after Pelican (feeds, sitemap): name → (digest, size).

    A file is written again only when its digest differs from the last build's or its size changed."""

    def __init__(self, output_dir: Path, previous: dict | None = None):
        self.output_dir = Path(output_dir)
        self.previous = previous or {}
        self.current: dict[str, str] = {}

    def unchanged(self, name: str, inputs: str) -> bool:
        digest = Digests._hash(cache.code_salt() + inputs)
        self.current[name] = digest
        old = self.previous.get(name)
        return old is not None and old[0] == digest and _size(self.output_dir / name) == old[1]

    def finish(self) -> dict[str, tuple[str, int]]:
        """The record to keep; files the last build wrote and this one did not are deleted."""
        delete_stale(sorted(set(self.previous) - set(self.current)), self.output_dir)
        return finish_record(self.current, self.output_dir)


def _size(path: Path | str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def finish_record(
    record: dict[str, str], output_dir: Path, previous: dict | None = None, kept: list[str] = ()
) -> dict[str, tuple[str, int]]:
    """The record to keep: each file of this build with its digest and size.

    Kept pages were checked against the previous record (same digest, same size) before rendering."""
    base = str(output_dir)
    unchanged = {name: previous[name] for name in kept if previous and name in previous}
    return {name: unchanged.get(name) or (digest, _size(os.path.join(base, name))) for name, digest in record.items()}


def settings_token(settings: dict) -> str:
    """The settings a page can depend on, without the ones Pelican fills with live objects."""
    plain = (str, int, float, bool, type(None))

    def simple(value) -> bool:
        if isinstance(value, (list, tuple)):
            return all(simple(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and simple(v) for k, v in value.items())
        return isinstance(value, plain)

    return repr(sorted((k, v) for k, v in settings.items() if k.isupper() and k not in BUILD_MECHANICS and simple(v)))


# Settings about how a build runs, not what a page says (the build itself flips DELETE_OUTPUT_DIRECTORY).
BUILD_MECHANICS = {
    "DELETE_OUTPUT_DIRECTORY",
    "OUTPUT_RETENTION",
    "WRITE_SELECTED",
    "LOAD_CONTENT_CACHE",
    "CACHE_CONTENT",
    "CACHE_PATH",
    "CHECK_MODIFIED_METHOD",
    "CONTENT_CACHING_LAYER",
}


def delete_stale(names, output_dir: Path) -> list[str]:
    """Delete files the last build wrote that this build does not (a deleted article, a shorter list)."""
    deleted = []
    root = Path(output_dir).resolve()
    for name in names:
        path = (root / name).resolve()
        if root in path.parents and path.is_file():
            path.unlink()
            deleted.append(name)
            _remove_empty_parents(path.parent, root)
    return deleted


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent
