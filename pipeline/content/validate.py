"""Sources → diagnostics and checked documents. Never prints, never raises on content.

The same checks serve `hongwang validate` and `hongwang build`: the build uses
the documents this module returns, so what validates is what builds. The
configuration is checked first (content/config.py), then every submission
(content/checker.py, on every core, remembered in the cache by file digest),
then what spans files: unique slugs and the editorial lint.
"""

from __future__ import annotations

import functools
import html
import pickle
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from ..core import budget, cache, dates, images, workers
from ..core.diagnostics import Diagnostic, diag, internal_error, sort_key
from ..core.hashing import sha256
from ..core.progress import CHECK, QUIET, Progress
from . import invisible, lint, load, media, privacy, schema
from .checker import FIELD_PLACEHOLDERS, Checker
from .config import validate_config
from .documents import Document, Facts, SiteSettings, Validation

__all__ = ["validate", "validate_config", "check_source", "report"]


def validate(
    content_dir: Path,
    only: list[Path] | None = None,
    store: cache.Store | None = None,
    now: datetime | None = None,
    progress: Progress = QUIET,
    documents: bool = True,
    listing: load.Listing | None = None,
) -> Validation:
    """Validate the whole content tree (or only the given paths, with the full config).

    With a cache store, a file whose bytes and the configuration it is checked
    against are unchanged is not parsed or checked again; misses are checked on
    every core. Files with errors are never cached: they are the ones being fixed.
    `now` is the build time (embargoes are judged against it); default the clock. `progress` is told
    the files checked (core/progress.py). `documents=False` leaves Validation.documents empty: the
    checks across files read only each document's Facts, so `hongwang validate` never loads a
    document it does not check, nor makes one for the cache: a file it checks is kept with its verdict
    alone, and the next build checks it again for its document (pickling, sending back and keeping 20,000
    documents was a sixth of a validate with an empty cache). `listing`, content/ as the build just walked it
    (load.listing), spares a second walk and a second stat of every file.
    """
    try:
        with cache.cycle_collector_paused():
            return _validate(content_dir, only, store, now, progress, documents, listing)
    finally:
        budget.rest()  # its files are checked: no timer left ticking behind them


# The last whole validate without errors, for `hongwang validate` to answer with while nothing it read changed
RECORD = "validate-record"


def report(
    content_dir: Path, store: cache.Store, now: datetime | None = None, progress: Progress = QUIET
) -> list[Diagnostic]:
    """What `hongwang validate` says of the whole tree: the last run's diagnostics when no file or folder under
    content/ changed (their stat, as the build's unchanged check), nor our code, nor anything the clock could
    change (lint.next_change); else a validation, which leaves that record when it found no error (the files
    with errors are the ones being fixed: they are always checked)."""
    now = now or dates.now()
    listing = load.listing(Path(content_dir).resolve())
    inputs = sha256(f"{cache.code_salt()}\0{listing.digest}".encode())
    last = store.read(RECORD) if store.enabled else {}
    if last.get("inputs") == inputs and now < last["valid_until"]:
        progress.stage(CHECK, len(listing.submissions))
        progress.advance(len(listing.submissions))
        return last["diagnostics"]
    result = validate(content_dir, store=store, now=now, progress=progress, documents=False, listing=listing)
    if store.enabled:
        valid_until = lint.next_change(result.facts, now)
        kept = {"inputs": inputs, "valid_until": valid_until, "diagnostics": result.diagnostics}
        store.write(RECORD, {} if result.errors else kept)
    return result.diagnostics


def _validate(
    content_dir: Path,
    only: list[Path] | None,
    store: cache.Store | None,
    now: datetime | None,
    progress: Progress,
    documents: bool,
    listing: load.Listing | None,
) -> Validation:
    result = validate_config(content_dir)
    diagnostics = result.diagnostics
    org_index = {o["code"]: o for o in result.orgs}
    listing = None if only else listing
    names = listing.submissions if listing else load.submission_names(result.content_dir, only)
    store = store or cache.Store(None)
    progress.stage(CHECK, len(names))
    result.fingerprint = _config_fingerprint(result, org_index)
    for verdict in _check_files(names, result, org_index, store, bool(only), progress, documents, listing):
        diagnostics += verdict.diagnostics
        if verdict.facts:
            result.facts.append(verdict.facts)
            if documents:
                result.pickled.append(verdict.pickled)
                result.rendered.update(verdict.rendered)
    diagnostics += check_images(result.facts, result.content_dir, store)
    diagnostics += _check_unique_slugs(result.facts)
    diagnostics += _check_provisional_names(result.facts)
    diagnostics += media.check(result, [f.video for f in result.facts if f.video], store)
    diagnostics += lint.check(result, now)
    result.diagnostics = sorted(diagnostics, key=sort_key)
    return result


def check_source(
    source: load.Source,
    site: SiteSettings,
    org_index: dict[str, dict],
    rendered: dict | None = None,
    seconds: float | None = None,
) -> tuple[Document | None, list[Diagnostic]]:
    """One loaded submission → its document (None if unusable) and every diagnostic about it.

    `rendered`, when given, collects the bodies rendered for the markup check so the build reuses them.
    `seconds`: the CPU budget, budget.seconds_per_file() when not given."""
    found = list(source.diagnostics)
    if not source.readable:
        return None, found
    checker = Checker(source, site, org_index)
    content: list[Diagnostic] = []
    try:
        with budget.cpu_budget(seconds):
            document = checker.run()
            content += invisible.scan(source)
            if document:
                content += privacy.scan(document)
                content += check_field_markup(document)
                checker.where = source.body_line  # what fails from here on fails in the body
                content += check_markup(document, rendered)
                content += lint.check_document(document)
    except (Exception, budget.BudgetExceeded) as error:  # noqa: BLE001 - one file's failure is that file's only
        return None, [*found, *checker.found, *content, internal_error(source.rel, checker.where_line(), error)]
    return document, [*found, *checker.found, *content]


def check_markup(document: Document, rendered_sink: dict | None = None) -> list[Diagnostic]:
    """Warn where the HTML sanitiser will change what the author wrote; refuse paths leaving content/.

    The body is rendered here as the build will render it: a text Markdown cannot convert (nested too
    deep, too slow) is this file's error, not the build's crash."""
    from . import markup  # here, not above: a validate whose every file is cached never imports Markdown

    source = document.source
    found = []
    texts = [(source.body, source.body_line)]
    if document.fields.get("reply"):
        texts.append((document.fields["reply"], source.line("reply") + 1))
    for text, first_line in texts:
        if not text.strip():
            continue
        rendered = markup.render(text, source.rel, markup.BODY_DEPTH)  # the depth the build renders at
        if rendered_sink is not None:
            rendered_sink[markup.CachedRenderer.key(text, source.rel, markup.BODY_DEPTH)] = rendered
        if rendered.removed_parts:
            parts = "、".join(rendered.removed_parts[:5])
            line = _line_of(text, first_line, rendered.removed_parts[0])
            found.append(
                diag(source.rel, line, "html-sanitised", f"第 {line} 行起的 HTML 中 {parts} 不安全，发布时会被删除")
            )
        for path in dict.fromkeys(rendered.escaped_paths):
            line = _line_of(text, first_line, path)
            found.append(diag(source.rel, line, "path-outside", f"第 {line} 行引用的“{path}”在内容目录之外，不会发布"))
        lines = {path: _line_of_link(text, first_line, written) for path, written in rendered.written.items()}
        for path, line in lines.items():
            document.assets.setdefault(path, line)
            if path.lower().endswith(".svg"):
                found.append(diag(source.rel, line, "image-svg", f"第 {line} 行引用的 SVG 图片“{path}”不能发布"))
        found += _images_without_alt(source.rel, text, first_line, rendered, lines)
    return found


_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')
_SRC = re.compile(r'\bsrc="([^"]*)"')


def _images_without_alt(rel: str, text: str, first_line: int, rendered, lines: dict[str, int]) -> list[Diagnostic]:
    """An image readers of a screen reader (or of a page whose image did not load) learn nothing about."""
    from .markup import ASSET_PREFIX

    found = []
    for tag in _IMG_TAG.findall(rendered.html):
        alt = _ALT.search(tag)
        if alt and alt.group(1).strip():
            continue
        src = _SRC.search(tag)
        src = html.unescape(src.group(1)) if src else ""
        path = src.split(ASSET_PREFIX, 1)[1] if ASSET_PREFIX in src else ""
        line = lines.get(path) or _line_of_link(text, first_line, src)
        name = posixpath.basename(path or src) or "图片"
        found.append(diag(rel, line, "image-alt-missing", f"第 {line} 行的图片“{name}”没有替代文字"))
    return found


def _line_of_link(text: str, first_line: int, written: str) -> int:
    """The line of a link as written, or as Markdown escaped it (%20 for a space)."""
    for needle in (written, unquote(written)):
        if needle and needle in text:
            return first_line + text.count("\n", 0, text.index(needle))
    return _line_of(text, first_line, posixpath.basename(unquote(written)) or written)


def check_images(facts: list[Facts], content_dir: Path, store: cache.Store) -> list[Diagnostic]:
    """Each image a page shows must be one Pillow can re-encode for the site (site/assets.py): the header
    is read here, every build (the image may change while its page's file does not), unless the image's
    stat is the one it had when its header was last read."""
    found = []
    checked: dict[str, str] = {}
    verdicts = cache.FileDigests(store, images.MAX_BYTES, IMAGE_VERDICTS)
    for document in facts:
        for path, line in document.assets:
            if posixpath.splitext(path)[1].lower() not in images.SUFFIXES:
                continue
            if path not in checked:
                checked[path] = _image_verdict(content_dir / path, verdicts)
            if checked[path]:
                found.append(diag(document.rel, line, "image-unreadable", f"第 {line} 行的图片“{path}”{checked[path]}"))
    verdicts.save()
    return found


# Image path → (its stat, why it cannot be published or ""): FileDigests' memo by stat, holding a verdict.
IMAGE_VERDICTS = "image-verdicts"


def _image_verdict(source: Path, verdicts: cache.FileDigests) -> str:
    name = str(source)
    stamp = verdicts.stamp(name)  # None: missing, or too large (images.check says so from its size)
    if stamp is not None:
        known = verdicts.known_digest(name, stamp)
        if known is not None:
            return known
    verdict = (images.check(source) or "") if source.is_file() else ""  # a missing image: a broken link
    if stamp is not None:
        verdicts.remember(name, stamp, verdict)
    return verdict


_MARKUP_IN_TEXT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|javascript:", re.IGNORECASE)


def check_field_markup(document: Document) -> list[Diagnostic]:
    """Front-matter text is shown as typed (escaped), so HTML there would appear as literal code."""
    source = document.source
    found = []
    if not _MARKUP_IN_TEXT.search("\n".join(text for _, text in source.strings)):
        return found  # one scan for nearly every file (joined, a tag may seem to span two texts: then each alone)
    for key_path, text in source.strings:
        match = _MARKUP_IN_TEXT.search(text)
        if match:
            name = ".".join(map(str, key_path))
            found.append(
                diag(
                    source.rel,
                    source.line(*key_path),
                    "html-sanitised",
                    f"{name} 中的“{match.group()[:30]}”不会生效，页面上会原样显示这些符号",
                    f"删除 {name} 中的 HTML 标记，只写文字",
                )
            )
    return found


def _line_of(text: str, first_line: int, needle: str) -> int:
    """The line where needle (or its first word) first appears in text; first_line if it does not."""
    if '="' in needle:
        probe = needle.split('="', 1)[1].rstrip('"')
    else:
        probe = needle.strip("<>=") or needle
    offset = text.lower().find(probe.lower())
    return first_line + (text.count("\n", 0, offset) if offset >= 0 else 0)


@dataclass
class Verdict:
    """One file's outcome: its diagnostics, its document's facts and the document itself, pickled.

    The document travels (from a worker, to and from the cache) as bytes, unpickled only by a
    caller that needs it (Validation.document): a validate on its own reads the facts alone."""

    diagnostics: list[Diagnostic]
    facts: Facts | None = None
    pickled: bytes | Callable[[], bytes] | None = None  # a callable: kept in the cache, fetched when called
    rendered: dict = field(default_factory=dict)  # its bodies as rendered while checking (never cached here)

    @property
    def keepable(self) -> bool:
        return self.facts is not None and not any(d.is_error for d in self.diagnostics)


def _check_file(
    path: Path,
    content_dir: Path,
    site: SiteSettings,
    org_index: dict,
    data: bytes | None,
    digest: str = "",
    keep_document: bool = True,
    rel: str | None = None,
    seconds: float | None = None,
) -> Verdict:
    try:
        with budget.cpu_budget(seconds):
            source = load.load_source(path, content_dir, data, rel)
    except (Exception, budget.BudgetExceeded) as error:  # noqa: BLE001 - reading one file never stops the others
        return Verdict([internal_error(load.relative_name(path, content_dir), 1, error)])
    source.digest = digest
    rendered: dict | None = {} if keep_document else None
    document, found = check_source(source, site, org_index, rendered, seconds)
    if document is None:
        return Verdict(found)
    if not keep_document:
        return Verdict(found, Facts.of(document))
    return Verdict(found, Facts.of(document), pickle.dumps(document.for_build(), pickle.HIGHEST_PROTOCOL), rendered)


def _config_fingerprint(result: Validation, org_index: dict) -> str:
    """What a document's checks read besides the file: site settings, calendar, org codes."""
    parts = [str(result.content_dir)]
    for name in ("site.yaml", "calendar.yaml"):
        path = result.content_dir / name
        parts.append(sha256(path.read_bytes()) if path.is_file() else "-")
    parts.append(repr(sorted((code, o.get("kind"), o.get("parent")) for code, o in org_index.items())))
    return sha256("\0".join(parts).encode())


# Cache tables, both file → ((digest, config fingerprint), …): the verdict as (diagnostics, facts, whether the
# other table holds its document), and the pickled document. A validate on its own reads only the first: 20,000
# Verdict objects in it took a third longer to unpickle than the tuples.
VERDICTS = "verdicts"
DOCUMENTS = "documents"


def _check_files(
    names: list[str],
    result: Validation,
    org_index: dict,
    store: cache.Store,
    partial: bool,
    progress: Progress,
    documents: bool,
    listing: load.Listing | None = None,
) -> list[Verdict]:
    """Each file's verdict, from the cache when its bytes and the configuration are unchanged.

    Files whose stat changed are read and hashed by the workers, and checked unless their bytes are the
    ones last checked (a copied folder, a `git checkout` or a file written just before the last run changes
    the stat, not the content): the main process reads no submission (one read of each file, where it is
    checked)."""
    fingerprint = result.fingerprint
    previous = store.read(VERDICTS, cache.SHARDS)
    file_digest = cache.FileDigests(store, load.MAX_FILE_BYTES, stamps=listing.stamps if listing else None)
    relative = listing.relative if listing else {}
    seconds = budget.seconds_per_file()  # read from the environment once, not twice a file
    verdicts: list = [None] * len(names)
    hits: dict[str, tuple] = {}
    unread: list[tuple[int, tuple | None]] = []

    def kept(name: str, digest: str | None) -> bool:
        """Whether a verdict is kept for these bytes of this file under this configuration."""
        entry = previous.get(name)
        return bool(digest and entry and entry[0] == (digest, fingerprint) and (entry[3] or not documents))

    def kept_verdict(name: str) -> Verdict:
        """The kept verdict; its document stays in the cache until somebody asks for it (a build needs the few
        whose items it does not keep). Made here, never in a worker: the fetcher holds the store."""
        key, diagnostics, facts, _ = previous[name]
        if not (documents and facts):
            return Verdict(diagnostics, facts)
        return Verdict(diagnostics, facts, functools.partial(_stored_document, store, name, key, result, org_index))

    for index, name in enumerate(names):
        stamp = file_digest.stamp(name)
        if kept(name, stamp and file_digest.known_digest(name, stamp)):
            verdicts[index] = kept_verdict(name)
            hits[name] = previous[name]
        else:
            unread.append((index, stamp))
    progress.advance(len(names) - len(unread))  # unchanged since they were checked

    def check(job: tuple[int, tuple | None]) -> tuple[str, Verdict | None]:
        """(digest, the verdict of checking the file, or None when the one kept for these bytes stands)."""
        name = names[job[0]]
        data = _read(name) if job[1] else None  # None: missing or too large, load_source says which
        digest = sha256(data) if data is not None else ""
        if kept(name, digest):
            return digest, None
        rel = relative.get(name)
        return digest, _check_file(
            Path(name), result.content_dir, result.site, org_index, data, digest, documents, rel, seconds
        )

    checked: dict[str, tuple] = {}
    done = workers.run(check, unread, advance=progress.advance)
    for (index, stamp), (digest, verdict) in zip(unread, done, strict=True):
        name = names[index]
        verdicts[index] = verdict or kept_verdict(name)
        if digest:
            file_digest.remember(name, stamp, digest)
            if verdict is None:
                hits[name] = previous[name]
            elif verdict.keepable:
                checked[name] = ((digest, fingerprint), verdict)
    if checked or len(hits) != len(previous):
        _keep(store, previous, hits, checked, partial)
    file_digest.save(partial)
    return verdicts


def _read(name: str) -> bytes | None:
    """A file's bytes, None if it cannot be read. Unbuffered: Path.read_bytes' buffered reader took a tenth of a
    worker's time for a county's small files."""
    try:
        with open(name, "rb", buffering=0) as handle:
            return handle.readall()
    except OSError:
        return None


def _keep(store: cache.Store, previous: dict, hits: dict, checked: dict, partial: bool) -> None:
    """Write both tables: the files still there (or, for a partial run, all before) and those just checked.

    Only the shards of the documents table that change are read and written: it is the biggest table
    (~90 MB at N = 20,000) and a one-article edit changes one entry."""
    verdicts = {
        name: (key, verdict.diagnostics, verdict.facts, verdict.pickled is not None)
        for name, (key, verdict) in checked.items()
    }
    store.write(VERDICTS, {**(previous if partial else hits), **verdicts}, cache.SHARDS)
    blobs = {name: (key, verdict.pickled) for name, (key, verdict) in checked.items() if verdict.pickled is not None}
    gone = [] if partial else [name for name in previous if name not in hits and name not in checked]
    store.patch(DOCUMENTS, blobs, gone, cache.SHARDS)


def _stored_document(store: cache.Store, name: str, key: tuple, result: Validation, org_index: dict) -> bytes:
    """The pickled document kept for a file whose verdict was kept; checked again if the cache lost it."""
    entry = store.part(DOCUMENTS, name, cache.SHARDS).get(name)
    if entry and entry[0] == key:
        return entry[1]
    path = Path(name)
    data = path.read_bytes()
    verdict = _check_file(path, result.content_dir, result.site, org_index, data, sha256(data))
    if not isinstance(verdict.pickled, bytes):
        raise RuntimeError(f"{load.relative_name(Path(name), result.content_dir)} 在生成期间被改坏了，请重新生成")
    return verdict.pickled


def _check_provisional_names(facts: list[Facts]) -> list[Diagnostic]:
    """A file `hongwang new` named provisionally, whose title is now written: say what to rename it to.

    Only a message: validate never renames (the collector may have the file open, and Notepad would save it
    back under the old name). The page is already named from the title (the provisional name is no slug)."""
    found = []
    for document in facts:
        if schema.PROVISIONAL_PREFIX not in document.path:
            continue  # nearly every file: 20,000 Paths cost more than this whole check
        path = Path(document.path)
        title = document.title
        if not path.stem.startswith(schema.PROVISIONAL_PREFIX) or any(p in title for p in FIELD_PLACEHOLDERS):
            continue
        slug = document.slug
        name, counter = f"{slug}.md", 1
        while (path.parent / name).exists():
            counter += 1
            name = f"{slug}-{counter}.md"
        found.append(
            diag(
                document.rel,
                1,
                "file-name-provisional",
                f"文件名“{path.name}”是 hongwang new 起的临时名称，标题已经写好",
                f"关闭编辑器后把文件改名为 {name}（按标题“{title[:20]}”生成，与网页地址一致）",
            )
        )
    return found


def _check_unique_slugs(facts: list[Facts]) -> list[Diagnostic]:
    seen: dict[tuple[str, str], Facts] = {}
    found = []
    for document in facts:
        key = (document.kind, document.slug)  # each kind has its own URL folder
        if key in seen:
            found.append(
                diag(
                    document.rel,
                    document.slug_line,
                    "slug-duplicate",
                    f"网址名“{key[1]}”与 {seen[key].rel} 重复",
                    f"在信息块中加一行 slug: {key[1]}-2（或其他不重复的网址名）",
                )
            )
        else:
            seen[key] = document
    return found
