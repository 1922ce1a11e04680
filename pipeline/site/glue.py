"""Pelican plugin: hands the portal model to the theme's templates. Thin glue only.

`pipeline.build` prepares the model (load → validate → model) and registers it
here; when Pelican is run directly (`pelican -s pelicanconf.py`) the generator
prepares it itself from the settings.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals
from pelican.generators import Generator

from ..core import urls, workers
from ..core.progress import PAGES, QUIET
from . import assets, csp, feeds, incremental, pages, theme_filters

_prepared: dict[str, tuple] = {}


def prepare(content_dir: Path, portal, writes: PageWrites | None = None, specs: list | None = None) -> None:
    """specs: the build's `pages.plan(portal)`, planned once and shared with the post-build steps."""
    _prepared[str(Path(content_dir).resolve())] = (portal, writes or PageWrites(), specs)


class PageWrites:
    """How `hongwang build` wants pages written: all of them, or only those whose inputs changed."""

    def __init__(
        self, store=None, record: str = "", previous: dict | None = None, source_digests: dict[str, str] | None = None
    ):
        self.store = store
        self.record = record
        self.previous = previous or {}
        self.source_digests = source_digests or {}
        self.outcome = incremental.Outcome()
        self.item_tokens: dict[int, str] | None = None  # incremental.item_tokens(), made before Pelican runs
        self.digests: incremental.Digests | None = None  # set when pages were planned incrementally
        self.assets: assets.AssetReport | None = None  # set when linked files were written
        self.progress = QUIET  # told the pages rendered (core/progress.py)

    @property
    def incremental(self) -> bool:
        return bool(self.store and self.store.enabled and self.record)


def _portal_for(settings: dict):
    key = str(Path(settings["PATH"]).resolve())
    if key in _prepared:
        return _prepared.pop(key)
    from ..content import validate
    from . import model

    validation = validate.validate(Path(settings["PATH"]))
    return model.build(validation, settings.get("HONGWANG_PROFILE", "public")), PageWrites(), None


class PortalGenerator(Generator):
    """Writes every portal page from the model through Pelican's writer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.env.filters.update(theme_filters.FILTERS)
        self.portal = None
        self.writes = PageWrites()
        self.specs = None
        self.site_root = ""

    def generate_context(self) -> None:
        self.portal, self.writes, self.specs = _portal_for(self.settings)
        if self.writes.store:
            self.env.bytecode_cache = self.writes.store.template_bytecode(self.settings["JINJA_ENVIRONMENT"])
        self.context["portal"] = self.portal
        self.context["site"] = self.portal.site.values
        # Feeds exist only with an absolute site URL (see pipeline/urls.py); templates announce them then.
        site_url = urls.resolve_site_url(self.settings.get("HONGWANG_SITEURL"), self.portal.site.values)
        self.context["feeds_enabled"] = bool(site_url)
        self.context["site_url"] = site_url or ""  # the county's own address: a light bundle plays videos from it
        self.context["content_security_policy"] = csp.page_policy(site_url or "")
        # The path the site is served under ("" at a host's root): root-relative links start with it.
        self.site_root = urlsplit(site_url).path.rstrip("/") if site_url else ""

    def generate_output(self, writer) -> None:
        specs = self.specs if self.specs is not None else pages.plan(self.portal)
        output = Path(self.output_path)
        writes = self.writes
        shared_feeds: dict = {}
        arguments = [self._page_arguments(page, shared_feeds) for page in specs]
        record: dict[str, str] = {}
        to_write = list(range(len(specs)))
        if writes.incremental:
            writes.digests = incremental.Digests(
                self.portal, incremental.settings_token(self.settings), writes.source_digests, writes.item_tokens
            )
            to_write, record = incremental.plan_writes(specs, arguments, writes.digests, output, writes.previous)

        def write(index: int) -> str:
            page = specs[index]
            writer.write_file(
                page.name,
                self.get_template(page.template),
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                page=page,
                **arguments[index],
            )
            return page.name

        writes.progress.stage(PAGES, len(to_write))
        writes.outcome.written = workers.run(write, to_write, advance=writes.progress.advance)
        self._copy_assets()
        pages.write_data_files(self.portal, output)
        if writes.incremental:
            record.update(dict.fromkeys(self._other_files(), "file"))
            writes.outcome.deleted = incremental.delete_stale(sorted(set(writes.previous) - set(record)), output)
            written = set(writes.outcome.written)
            writes.outcome.kept = [s.name for s in specs if s.name not in written]
            writes.store.write(
                writes.record, incremental.finish_record(record, output, writes.previous, writes.outcome.kept)
            )

    def _page_arguments(self, page, shared_feeds: dict) -> dict:
        """Everything a page's template gets besides the shared context (what its digest is made of)."""
        page_feeds = (
            feeds.for_page(self.portal, page.variables, page.template, shared_feeds)
            if self.context["feeds_enabled"]
            else []
        )
        if page_feeds and page.feed is None:
            page.feed = page_feeds[-1].rss  # the most specific: the org's, else the section's
        return {
            "feeds": page_feeds,
            **({"SITEURL": self.site_root} if page.root_relative else {}),
            **page.variables,
        }

    def _other_files(self) -> list[str]:
        """Files besides pages this generator writes: copied assets and statistics downloads."""
        return (
            [f"files/{rel}" for rel in sorted(self.portal.assets)]
            + [t.csv_url for t in self.portal.stats]
            + [pages.ALERT_STATE_FILE]
        )

    def _copy_assets(self) -> None:
        """Linked files into output/files/: images re-encoded (site/assets.py, cached), the rest copied."""
        self.writes.assets = assets.publish(
            self.portal.content_dir,
            Path(self.output_path),
            sorted(self.portal.assets),
            self.writes.store,
            self.writes.progress,
        )


def get_generators(_pelican):
    return PortalGenerator


def register():
    signals.get_generators.connect(get_generators)
