"""Post-build step: sitemap.xml and robots.txt.

The sitemap lists every page of the plan — the plan is built from the profile's
portal, so drafts, embargoed and (in a public build) internal items are never in
it. Only a public build with a site URL gets a sitemap; an internal build gets a
robots.txt that asks crawlers to stay out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ..core import dates, urls
from . import pages
from .model import Portal

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # per sitemap file, by the sitemaps.org protocol
NOT_LISTED = {"404.html", "search.html"}


@dataclass
class SitemapReport:
    urls: int = 0
    files: list[str] | None = None


def write(
    portal: Portal,
    output_dir: Path,
    site_url: str | None,
    specs: list | None = None,
    unchanged: Callable[[str, str], bool] | None = None,
) -> SitemapReport:
    """specs: the build's page plan (planned again when not given);
    unchanged(name, inputs): the file already holds what these inputs give (the build's dependency record)."""
    output_dir = Path(output_dir)
    fresh = unchanged or (lambda name, inputs: False)
    if portal.profile != "public":
        (output_dir / "robots.txt").write_text(
            "# 内部版本，不供搜索引擎收录\nUser-agent: *\nDisallow: /\n", encoding="utf-8"
        )
        return SitemapReport(0, ["robots.txt"])
    if not site_url:
        (output_dir / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
        return SitemapReport(0, ["robots.txt"])
    entries = list(_entries(pages.plan(portal) if specs is None else specs, site_url))
    chunks = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)] or [[]]
    files = []
    if len(chunks) == 1:
        if not fresh("sitemap.xml", repr(chunks[0])):
            _write_urlset(output_dir / "sitemap.xml", chunks[0])
        files.append("sitemap.xml")
    else:
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        for name, chunk in zip(names, chunks, strict=True):
            if not fresh(name, repr(chunk)):
                _write_urlset(output_dir / name, chunk)
        locations = [urls.absolute(site_url, n) for n in names]
        if not fresh("sitemap.xml", repr(locations)):
            _write_index(output_dir / "sitemap.xml", locations)
        files += [*names, "sitemap.xml"]
    robots = f"User-agent: *\nDisallow:\n\nSitemap: {urls.absolute(site_url, 'sitemap.xml')}\n"
    (output_dir / "robots.txt").write_text(robots, encoding="utf-8")
    return SitemapReport(len(entries), [*files, "robots.txt"])


def _entries(specs: list, site_url: str):
    for spec in specs:
        if spec.name in NOT_LISTED:
            continue
        item = next(
            (spec.variables[k] for k in ("article", "notice", "letter", "doc", "table") if k in spec.variables), None
        )
        modified = getattr(item, "date", None)
        yield urls.absolute(site_url, spec.name), dates.iso_day(modified) if modified else None


def _write_urlset(path: Path, entries) -> None:
    root = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for loc, lastmod in entries:
        node = ElementTree.SubElement(root, "url")
        ElementTree.SubElement(node, "loc").text = loc
        if lastmod:
            ElementTree.SubElement(node, "lastmod").text = lastmod
    _write(path, root)


def _write_index(path: Path, locations: list[str]) -> None:
    root = ElementTree.Element("sitemapindex", xmlns=SITEMAP_NS)
    for loc in locations:
        ElementTree.SubElement(ElementTree.SubElement(root, "sitemap"), "loc").text = loc
    _write(path, root)


def _write(path: Path, root) -> None:
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
