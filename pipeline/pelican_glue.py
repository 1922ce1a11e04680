"""Pelican plugin: hands the portal model to the theme's templates. Thin glue only.

`pipeline.build` prepares the model (load → validate → model) and registers it
here; when Pelican is run directly (`pelican -s pelicanconf.py`) the generator
prepares it itself from the settings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from . import feeds, pages, search, theme_filters, urls

_prepared: dict[str, object] = {}


def prepare(content_dir: Path, portal) -> None:
    _prepared[str(Path(content_dir).resolve())] = portal


def _portal_for(settings: dict):
    key = str(Path(settings["PATH"]).resolve())
    if key in _prepared:
        return _prepared.pop(key)
    from . import model, validate

    validation = validate.validate(Path(settings["PATH"]))
    return model.build(validation, settings.get("HONGWANG_PROFILE", "public"))


class PortalGenerator(Generator):
    """Writes every portal page from the model through Pelican's writer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.env.filters.update(theme_filters.FILTERS)
        self.portal = None

    def generate_context(self) -> None:
        self.portal = _portal_for(self.settings)
        self.context["portal"] = self.portal
        self.context["site"] = self.portal.site.values
        # Feeds exist only with an absolute site URL (see pipeline/urls.py); templates announce them then.
        self.context["feeds_enabled"] = bool(
            urls.resolve_site_url(self.settings.get("HONGWANG_SITEURL"), self.portal.site.values))

    def generate_output(self, writer) -> None:
        for page in pages.plan(self.portal):
            page_feeds = feeds.for_page(self.portal, page.variables, page.template) \
                if self.context["feeds_enabled"] else []
            if page_feeds and page.feed is None:
                page.feed = page_feeds[-1].rss  # the most specific: the org's, else the section's
            writer.write_file(page.name, self.get_template(page.template), self.context,
                              relative_urls=self.settings["RELATIVE_URLS"], page=page, feeds=page_feeds,
                              search=search.facets(page.template, page.variables, page.pager), **page.variables)
        self._copy_assets()
        pages.write_data_files(self.portal, Path(self.output_path))

    def _copy_assets(self) -> None:
        content = self.portal.content_dir
        for rel in sorted(self.portal.assets):
            source = content / rel
            if not source.is_file():
                continue
            target = Path(self.output_path) / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def get_generators(_pelican):
    return PortalGenerator


def register():
    signals.get_generators.connect(get_generators)
