"""validate → model → Pelican → post-build steps, as one call for the CLI.

The build refuses (returns without writing) when validation finds errors. It
runs Pelican in-process with fatal Pelican errors: Pelican itself logs bad
content and still succeeds, which would hide a broken page.

Post-build steps run after the pages: feeds, sitemap and the search index (site/search/),
each written only where its inputs changed since the last build into the same folder.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..content import lint, load, validate
from ..content.documents import Validation
from ..core import cache, dates, urls, workers
from ..core.diagnostics import Diagnostic
from ..core.paths import PELICANCONF, PUBLISHCONF, ROOT
from ..core.progress import PAGES, QUIET, SEARCH, Progress, StageClock
from . import assets, feeds, incremental, model, pages, sitemap, unchanged
from .errors import BuildError

if TYPE_CHECKING:  # Pelican and the index writer (numpy) are imported when a build runs: `hongwang validate`
    from . import glue  # starts 0.35 s sooner
    from .search import writer as search

DEFAULT_SETTINGS = PELICANCONF
PUBLISH_SETTINGS = PUBLISHCONF
NO_SITE_URL = (
    "未配置网站地址（site.yaml 的 siteurl，或 Pelican 设置 HONGWANG_SITEURL）："
    "未生成 RSS/Atom 订阅和 sitemap.xml，因为它们需要完整网址。页面和站内搜索不受影响"
)


@dataclass(frozen=True)
class Counts:
    """What the portal holds, as the build reports it."""

    articles: int
    notices: int
    letters: int
    orgs: int
    excluded: dict[str, int]  # why → how many items are not published

    @classmethod
    def of(cls, portal: model.Portal) -> Counts:
        excluded = {why: len(items) for why, items in portal.excluded.items()}
        return cls(len(portal.articles), len(portal.notices), len(portal.letters), len(portal.orgs), excluded)


@dataclass
class BuildResult:
    validation: Validation
    output_dir: Path
    portal: model.Portal | None = None  # None when the build was refused, or had nothing to do
    counts: Counts | None = None
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # by stage name (core/progress.py)
    files_written: int = 0
    pages_rendered: int = 0  # pages rendered this time; the others were unchanged since the last build
    pages_deleted: int = 0
    assets: assets.AssetReport | None = None  # linked files and images written into output/files/
    engine_warnings: list[str] = field(default_factory=list)
    post: PostBuild | None = None

    @property
    def warnings(self) -> list[str]:
        """Build-level warnings for the report (content warnings are in diagnostics)."""
        return list(self.post.warnings) if self.post else []

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.validation.diagnostics

    unchanged: bool = False  # nothing had changed since the last build into this folder (site/unchanged.py)

    @property
    def ok(self) -> bool:
        return self.counts is not None

    def outcome(self) -> BuildResult:
        """What a later build with nothing to do reports: this, without the model."""
        return replace(self, validation=_Diagnostics(self.validation.diagnostics), portal=None)


@dataclass
class _Diagnostics:
    diagnostics: list[Diagnostic]


@dataclass
class PostBuild:
    site_url: str | None
    feeds: feeds.FeedReport | None = None
    sitemap: sitemap.SitemapReport | None = None
    search: search.SearchStats | None = None
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def check_output_dir(content_dir: Path, output_dir: Path) -> None:
    content, output = content_dir.resolve(), output_dir.resolve()
    if output in (content, ROOT) or content in output.parents or output in content.parents:
        raise BuildError(f"输出目录 {output_dir} 不能是内容目录、其上级或其子目录，也不能是项目根目录")


def build(
    content_dir: Path,
    output_dir: Path,
    profile: str = "public",
    settings_file: Path | None = None,
    now: datetime | None = None,
    extra_settings: dict | None = None,
    cache_dir: Path | None | bool = None,
    progress: Progress = QUIET,
) -> BuildResult:
    """cache_dir: None = the default `.hongwang-cache/` beside content/; False = no cache, write every page.
    progress: told each stage and its count (core/progress.py); the default tells no one."""
    clock = StageClock(progress)
    with cache.cycle_collector_paused():
        result = _build(content_dir, output_dir, profile, settings_file, now, extra_settings, cache_dir, clock)
    result.stage_seconds = clock.stop()
    return result


def _build(
    content_dir: Path,
    output_dir: Path,
    profile: str,
    settings_file: Path | None,
    now: datetime | None,
    extra_settings: dict | None,
    cache_dir: Path | None | bool,
    progress: Progress = QUIET,
) -> BuildResult:
    started = time.perf_counter()
    content_dir, output_dir = Path(content_dir).resolve(), Path(output_dir).resolve()
    check_output_dir(content_dir, output_dir)
    store = cache.Store(None if cache_dir is False else cache_dir or cache.default_folder(content_dir))
    settings_file = settings_file or DEFAULT_SETTINGS
    now = now or dates.now()
    record = incremental.record_name(output_dir, f"{profile}|{Path(settings_file).resolve()}")
    listing = load.listing(content_dir) if store.enabled else None
    inputs = listing and unchanged.Inputs.of(listing, settings_file, profile, extra_settings)
    last = inputs and unchanged.previous(store, record, inputs, output_dir, now)
    if last:
        return _as_last_time(last, content_dir, output_dir, started)
    validation = validate.validate(content_dir, store=store, now=now, progress=progress, listing=listing)
    result = BuildResult(validation, output_dir)
    if validation.errors:
        return result
    unchanged.forget(store, record)  # from here on the output is being changed
    store.drop_retired()
    progress.stage(PAGES)  # its total once the pages are planned (site/glue.py)
    portal = model.build(validation, profile, now, store=store)
    settings = {
        "PATH": str(content_dir),
        "OUTPUT_PATH": str(output_dir),
        "HONGWANG_PROFILE": profile,
        **(extra_settings or {}),
    }
    writes = page_writes(store, output_dir, record, validation)
    writes.progress = progress
    valid_until = lint.next_change(validation.facts, now) if inputs else None
    validation.release_documents()
    if writes.previous:  # the output holds the last build: keep what did not change
        settings["DELETE_OUTPUT_DIRECTORY"] = False
    site_url = configured_site_url(settings_file, settings, portal)
    if writes.incremental:
        writes.item_tokens = incremental.item_tokens(portal, writes.source_digests)
    with _search_beside_pages(portal, output_dir, writes) as search_update:
        specs = pages.plan(portal)  # once: the glue, the dependency record and the sitemap share it
        result.engine_warnings = run_pelican(settings_file, settings, content_dir, portal, writes, specs)
        result.pages_rendered = len(writes.outcome.written)
        result.assets = writes.assets
        result.pages_deleted = len(writes.outcome.deleted)
        result.post = post_build(portal, output_dir, site_url, specs, writes, progress, search_update)
    result.portal = portal
    result.counts = Counts.of(portal)
    result.files_written = sum(len(files) for _, _, files in os.walk(output_dir))  # no stat per file
    result.seconds = time.perf_counter() - started
    if inputs:
        unchanged.remember(store, record, inputs, output_dir, valid_until, result.outcome())
    return result


def _as_last_time(last: BuildResult, content_dir: Path, output_dir: Path, started: float) -> BuildResult:
    """The last build's result for a build with nothing to do: nothing rendered, written or re-encoded."""
    validation = validate.validate_config(content_dir)  # the site settings, read again (publish names the site)
    validation.diagnostics = last.diagnostics
    post = last.post
    if post:
        post = replace(
            post,
            feeds=post.feeds and replace(post.feeds, written=0),
            search=post.search and replace(post.search, written=0, seconds=0.0, whole=False),
        )
    return replace(
        last,
        validation=validation,
        output_dir=output_dir,
        pages_rendered=0,
        pages_deleted=0,
        assets=last.assets and replace(last.assets, encoded=0, seconds=0.0, bytes_in=0, bytes_out=0, written=[]),
        post=post,
        seconds=time.perf_counter() - started,
        unchanged=True,
    )


def configured_site_url(settings_file: Path, overrides: dict, portal: model.Portal) -> str | None:
    from pelican.settings import read_settings

    setting = read_settings(str(settings_file), override=overrides).get("HONGWANG_SITEURL")
    try:
        return urls.resolve_site_url(setting, portal.site.values)
    except urls.SiteUrlError as problem:
        raise BuildError(str(problem)) from None


def post_build(
    portal: model.Portal,
    output_dir: Path,
    site_url: str | None,
    specs: list | None = None,
    writes: glue.PageWrites | None = None,
    progress: Progress = QUIET,
    search_update: workers.Background | None = None,
) -> PostBuild:
    """search_update: the index, already being updated beside the pages (else it is written here)."""
    report = PostBuild(site_url)
    _write_feeds_and_sitemap(report, portal, output_dir, site_url, specs, writes, progress)
    progress.stage(SEARCH)
    if search_update is not None:
        report.search = search_update.result()
    else:
        report.search = _write_search(portal, output_dir, writes, progress)
    return report


@contextmanager
def _search_beside_pages(portal: model.Portal, output_dir: Path, writes: glue.PageWrites):
    """An update of the index (a few documents changed: one process's work) runs in a forked process while
    the pages are planned and rendered (forked before planning: the update then no longer finishes after the
    pages in a one-article edit); a whole index is written after them, on every core."""
    from .search import writer as search

    if not (writes.incremental and writes.previous and (output_dir / search.FOLDER / "index.js").is_file()):
        yield None
        return
    with workers.Background(lambda: _write_search(portal, output_dir, writes, QUIET)) as update:
        yield update


def _write_search(
    portal: model.Portal, output_dir: Path, writes: glue.PageWrites | None, progress: Progress
) -> search.SearchStats:
    """The index is updated from the last build's record when this folder holds that build, else written whole."""
    from .search import writer as search

    keeps_record = bool(writes and writes.incremental)
    previous = writes.store.read(writes.record + "-search") if keeps_record and writes.previous else None
    tokens = writes.item_tokens if writes else None
    stats, record = search.write(portal, output_dir, previous, tokens, progress)
    if keeps_record:
        writes.store.write(writes.record + "-search", record)
    return stats


def _write_feeds_and_sitemap(
    report: PostBuild,
    portal: model.Portal,
    output_dir: Path,
    site_url: str | None,
    specs: list | None,
    writes: glue.PageWrites | None,
    progress: Progress,
) -> None:
    record = post_record(writes, output_dir)
    if site_url:
        digests = writes.digests if writes else None
        report.feeds = feeds.write(
            portal,
            output_dir,
            site_url,
            unchanged=record and digests and (lambda feed, path: record.unchanged(path, digests.feed(feed, site_url))),
            progress=progress,
        )
    else:
        report.warnings.append(NO_SITE_URL)
    report.sitemap = sitemap.write(portal, output_dir, site_url, specs, unchanged=record and record.unchanged)
    if record:
        writes.store.write(writes.record + "-post", record.finish())


def post_record(writes: glue.PageWrites | None, output_dir: Path) -> incremental.FileRecord | None:
    """The dependency record of the feeds and sitemap files, when the pages have one."""
    if not (writes and writes.incremental and writes.digests):
        return None
    return incremental.FileRecord(output_dir, writes.store.read(writes.record + "-post") if writes.previous else {})


def page_writes(store: cache.Store, output_dir: Path, record: str, validation: Validation) -> glue.PageWrites:
    """The dependency record of the last build into this output folder, if the folder still holds it."""
    from . import glue

    if not store.enabled:
        return glue.PageWrites()
    previous = store.read(record) if (output_dir / "index.html").is_file() else {}
    return glue.PageWrites(store, record, previous, {f.rel: f.digest for f in validation.facts})


def run_pelican(
    settings_file: Path,
    overrides: dict,
    content_dir: Path,
    portal: model.Portal,
    writes: glue.PageWrites | None = None,
    specs: list | None = None,
) -> list[str]:
    from pelican import Pelican
    from pelican.log import console
    from pelican.settings import read_settings

    from . import glue

    pelican_settings = read_settings(str(settings_file), override=overrides)
    theme_static = pelican_settings["THEME_STATIC_PATHS"]
    pelican_settings["THEME_STATIC_PATHS"] = []  # copied below, only the files that changed
    glue.prepare(content_dir, portal, writes, specs)
    collector = _Collect()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(collector)
    previous = console.quiet
    console.quiet = True
    try:
        Pelican(pelican_settings).run()
    except assets.AssetError as problem:  # an image whose header read but whose pixels do not
        raise BuildError(str(problem)) from problem
    except Exception as error:  # the engine or a template failed: report it, not a traceback
        raise BuildError(f"Pelican 生成失败：{type(error).__name__}: {error}") from error
    finally:
        console.quiet = previous
        pelican_logger.removeHandler(collector)
    output = Path(pelican_settings["OUTPUT_PATH"]) / pelican_settings["THEME_STATIC_DIR"]
    assets.copy_theme(Path(pelican_settings["THEME"]), theme_static, output)
    errors = [r for r in collector.records if r.levelno >= logging.ERROR]
    if errors:
        raise BuildError("Pelican 报告错误：" + "; ".join(r.getMessage() for r in errors[:5]))
    return [r.getMessage() for r in collector.records]
