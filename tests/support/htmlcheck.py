"""Reading built pages the way a browser would: links, assets, text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.text: list[str] = []
        self.html_lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append(attrs[name])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def text_of(path: Path) -> str:
    return "".join(parse(path).text)


def broken_local_links(output: Path) -> list[tuple[str, str]]:
    """Every relative href/src in every page that does not resolve to a file in output/ (404.html, served at any
    missing address, links from the site root instead: pages.PageSpec.root_relative)."""
    broken = []
    for page in output.rglob("*.html"):
        for ref in parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("//", "#")) or not parts.path:
                continue
            if ref.startswith("/") and page != output / "404.html":  # 404.html alone links from the root
                broken.append((str(page.relative_to(output)), ref))
                continue
            base = output if ref.startswith("/") else page.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or output.resolve() not in target.parents:
                broken.append((str(page.relative_to(output)), ref))
    return broken
