"""Markdown → safe HTML. One reused Markdown instance; nh3 decides what HTML survives.

Relative links and images in a submission are resolved against the file's own
folder, must stay inside content/, and are rewritten to the copied asset's URL.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markupsafe import Markup

from ..core import workers
from ..core.hashing import sha256
from . import paragraphs

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "video",
    "audio",
    "source",
    "track",
}
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "class", "id"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "video": {"src", "controls", "width", "height", "poster", "preload"},
    "audio": {"src", "controls", "preload"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_ATTRIBUTES = {"href", "src", "poster"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
ASSET_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".mp4",
    ".webm",
    ".mp3",
    ".m4a",
    ".ogg",
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".wps",
    ".et",
    ".zip",
    ".csv",
    ".txt",
    ".vtt",
}
ASSET_PREFIX = "files/"
BODY_DEPTH = 1  # item pages live one folder deep (article/x.html): relative asset URLs start with ../


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=["extra", "sane_lists", "admonition"], output_format="html")


_markdown = _new_markdown()


@dataclass
class Rendered:
    html: Markup  # sanitised: the theme's autoescaping must not escape it again
    assets: set[str] = field(default_factory=set)  # paths relative to content/
    written: dict[str, str] = field(default_factory=dict)  # each asset path → the link as the author wrote it
    escaped_paths: list[str] = field(default_factory=list)
    removed: bool = False  # the sanitiser removed something the author wrote
    removed_parts: list[str] = field(default_factory=list)  # what it removed, e.g. "<script>", "onclick"


def markdown_to_html(text: str) -> str:
    global _markdown
    _markdown.reset()
    try:
        return _markdown.convert(text)
    except BaseException:
        # A conversion stopped half-way (a RecursionError on deep nesting, the CPU budget) leaves state behind
        # that reset() does not clear: every later file would lose its links and paragraphs. Start afresh.
        _markdown = _new_markdown()
        raise


def render(text: str, source_rel: str, depth: int) -> Rendered:
    """Render Markdown from the file at source_rel (relative to content/) for a page `depth` folders deep.

    The blocks content/paragraphs.py can write are written there, exactly as Markdown would."""
    result = Rendered("")
    base_dir = posixpath.dirname(source_rel)
    up = "../" * depth

    def rewrite(tag: str, attribute: str, value: str):
        if attribute not in URL_ATTRIBUTES:
            return value
        return _rewrite_url(tag, value, base_dir, up, result)

    html, removed = [], []
    for run in paragraphs.split(text) or [paragraphs.Run(None, text=text)]:
        if run.html is not None and not run.raw:  # final: nothing in it for the sanitiser to change or remove
            html.append(run.html)
            continue
        raw_html = run.html if run.raw else markdown_to_html(run.text)
        if raw_html:  # what Markdown made joins the rest even when the sanitiser leaves nothing of it
            html.append(sanitise(raw_html, rewrite))
            removed += removed_parts(raw_html)
    result.html = Markup(paragraphs.join(html))
    result.removed_parts = list(dict.fromkeys(removed))
    result.removed = bool(result.removed_parts)
    return result


def sanitise(html: str, attribute_filter=None) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=attribute_filter,
        strip_comments=True,
    )


def _rewrite_url(tag: str, value: str, base_dir: str, up: str, result: Rendered) -> str | None:
    parts = urlsplit(value)
    if parts.scheme or value.startswith(("#", "//")):
        return value
    if value.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(base_dir, unquote(parts.path)))
    if path.startswith("../") or path == "..":
        result.escaped_paths.append(value)
        return None
    if posixpath.splitext(path)[1].lower() not in ASSET_SUFFIXES:
        return value  # a link to another page is left as written
    result.assets.add(path)
    result.written.setdefault(path, value)
    return up + ASSET_PREFIX + path


# Markdown itself writes style="text-align" on table cells; dropping it is not worth a warning.
_QUIET_ATTRIBUTES = {"style"}


class _Inventory(HTMLParser):
    """Lists the tags, attributes and URL schemes in HTML that the allow-list will remove."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.removed: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.removed.append(f"<{tag}>")
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in attrs:
            if name not in allowed:
                if name not in _QUIET_ATTRIBUTES:
                    self.removed.append(f"{name}=")
            elif name in URL_ATTRIBUTES and value and _unsafe_scheme(value):
                self.removed.append(f'{name}="{value.strip()[:30]}"')

    handle_startendtag = handle_starttag


def _unsafe_scheme(url: str) -> bool:
    # As browsers read a URL: tabs and newlines inside vanish, control characters at the ends too.
    scheme = urlsplit(re.sub(r"[\t\n\r]", "", url).strip("\x00- ")).scheme.lower()
    return bool(scheme) and scheme not in SAFE_SCHEMES


_PLAIN_TAG = re.compile(r'</?([a-z][a-z0-9]*)((?:\s+[a-z-]+="(?:[^"<>&]|&amp;)*")*)\s*/?>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def _plainly_allowed(raw_html: str) -> bool:
    """True when every tag is a plain lower-case tag the allow-list keeps whole (Markdown's own output).

    A quick pass for the common case; anything unusual (comments, entities other than &amp; in
    attributes, odd quoting, upper case) answers False and goes to the exact inventory."""
    position = raw_html.find("<")
    while position >= 0:
        tag = _PLAIN_TAG.match(raw_html, position)
        if tag is None or tag.group(1) not in ALLOWED_TAGS:
            return False
        allowed = ALLOWED_ATTRIBUTES.get(tag.group(1), set()) | ALLOWED_ATTRIBUTES["*"] | _QUIET_ATTRIBUTES
        for name, value in _PLAIN_ATTRIBUTE.findall(tag.group(2)):
            if name not in allowed or (name in URL_ATTRIBUTES and _unsafe_scheme(value)):
                return False
        position = raw_html.find("<", tag.end())
    return True


def removed_parts(raw_html: str) -> list[str]:
    """What sanitising raw_html removes (tags, attributes, unsafe links), in order, without repeats."""
    if _plainly_allowed(raw_html):
        return []
    inventory = _Inventory()
    inventory.feed(raw_html)
    inventory.close()
    return list(dict.fromkeys(inventory.removed))


class CachedRenderer:
    """`render` memoised by (text hash, file, depth) for one build; `prepare` renders many on every core.

    Across builds, bodies are not kept here: the model keeps whole items (site/model.py ItemCache), and
    validation hands on the bodies it rendered for the files it checked."""

    def __init__(self):
        self.checked: dict[tuple, Rendered] = {}  # rendered by validation's markup check, handed to prepare
        self.used: dict[tuple, Rendered] = {}

    @staticmethod
    def key(text: str, source_rel: str, depth: int) -> tuple:
        return sha256(text.encode("utf-8", "surrogatepass")), source_rel, depth

    def prepare(self, jobs: list[tuple[str, str, int]], rendered_already: dict | None = None) -> None:
        self.checked.update(rendered_already or {})
        keyed = [(self.key(*job), job) for job in jobs]
        missing = []
        for key, job in keyed:
            if key in self.checked:
                self.used[key] = self.checked[key]
            elif key not in self.used:
                missing.append((key, job))
                self.used[key] = None
        for (key, _job), rendered in zip(missing, workers.run(lambda item: render(*item[1]), missing), strict=True):
            self.used[key] = rendered

    def __call__(self, text: str, source_rel: str, depth: int) -> Rendered:
        key = self.key(text, source_rel, depth)
        rendered = self.used.get(key) or self.checked.get(key)
        if rendered is None:
            rendered = render(text, source_rel, depth)
        self.used[key] = rendered
        return rendered
