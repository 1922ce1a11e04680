"""Broken links: every internal link and asset in the built site, and optionally every outbound link.

Internal links are checked offline against the files in output/. External
links (partner sites in links.yaml, links in published content) are fetched
concurrently with a bounded pool, a timeout, retries for transient failures,
and redirects followed one hop at a time so each hop is reported. Results that
were fine are cached with their date, so a daily run only re-fetches links
whose last good check is older than `max_age_hours`. The results file
(`check-links.json`) is what `hongwang report` reads.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..core import dates
from . import LINK_RESULTS_FILE

CACHE_FILE = "external-cache.json"
MAX_REDIRECTS = 5
USER_AGENT = "hongwang-check-links/0.1 (+county party portal link check)"
LINK_ATTRIBUTES = ("href", "src", "poster", "data")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
_SKIPPED_SCHEMES = ("mailto", "tel", "data", "javascript", "about", "blob")


# ---------------------------------------------------------------- internal


class _References(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in LINK_ATTRIBUTES:
                self.refs.append(value.strip())
            elif name == "srcset":
                self.refs += [part.strip().split()[0] for part in value.split(",") if part.strip()]


def references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".css":
        return [m.group(1).strip() for m in _CSS_URL.finditer(text)]
    parser = _References()
    parser.feed(text)
    return parser.refs


def is_internal(ref: str) -> bool:
    parts = urlsplit(ref)
    return not (parts.scheme or ref.startswith("//") or not parts.path)


@dataclass
class InternalResult:
    pages: int
    references: int
    broken: list[dict]


def check_internal(output: Path) -> InternalResult:
    """Every relative or root-relative href/src/srcset in HTML, and url() in CSS, must name a file in output/."""
    root = output.resolve()
    files = {Path(folder, name) for folder, _, names in os.walk(root) for name in names}
    pages = sorted(p for p in files if p.suffix in (".html", ".htm", ".css"))
    checked, broken = 0, []
    for page in pages:
        for ref in references(page):
            if not is_internal(ref) or urlsplit(ref).scheme in _SKIPPED_SCHEMES:
                continue
            checked += 1
            if not _resolves(ref, page, root, files):
                broken.append({"page": page.relative_to(root).as_posix(), "ref": ref})
    return InternalResult(len(pages), checked, broken)


def _resolves(ref: str, page: Path, root: Path, files: set[Path]) -> bool:
    path = unquote(urlsplit(ref).path)
    target = Path(os.path.normpath(root / path.lstrip("/") if path.startswith("/") else page.parent / path))
    if target != root and root not in target.parents:
        return False
    return target in files or (target / "index.html") in files


# ---------------------------------------------------------------- external


@dataclass
class LinkResult:
    url: str
    ok: bool
    status: int | None
    final_url: str
    redirects: list[dict] = field(default_factory=list)
    error: str | None = None
    attempts: int = 1
    checked_at: str = ""
    sources: list[str] = field(default_factory=list)
    cached: bool = False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # we follow redirects ourselves, to report each hop


_opener = urllib.request.build_opener(_NoRedirects)


def _fetch_once(url: str, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        status = error.code
        location = error.headers.get("Location") if error.headers else None
        error.close()
        if 300 <= status < 400 and location:
            raise _Redirect(status, location) from None
        return status


class _Redirect(Exception):
    def __init__(self, status: int, location: str):
        super().__init__(status, location)
        self.status = status
        self.location = location


def _transient(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


def check_url(url: str, timeout: float = 10.0, retries: int = 2, pause: float = 0.3) -> LinkResult:
    """Fetch one URL, following redirects hop by hop; retry timeouts, connection errors and 5xx."""
    attempts = 0
    while True:
        attempts += 1
        result = _follow(url, timeout)
        result.attempts = attempts
        if result.ok or not _transient(result.status) or attempts > retries:
            return result
        time.sleep(pause * attempts)


def _follow(url: str, timeout: float) -> LinkResult:
    current, hops = url, []
    for _ in range(MAX_REDIRECTS + 1):
        try:
            status = _fetch_once(current, timeout)
        except _Redirect as redirect:
            target = urljoin(current, redirect.location)
            hops.append({"status": redirect.status, "from": current, "to": target})
            current = target
            continue
        except TimeoutError:
            return LinkResult(url, False, None, current, hops, f"超时（{timeout:g} 秒无响应）")
        except urllib.error.URLError as error:
            reason = error.reason
            text = (
                f"超时（{timeout:g} 秒无响应）"
                if isinstance(reason, (socket.timeout, TimeoutError))
                else f"无法连接（{reason}）"
            )
            return LinkResult(url, False, None, current, hops, text)
        except (OSError, ValueError) as error:
            return LinkResult(url, False, None, current, hops, f"无法访问（{error}）")
        return LinkResult(
            url, 200 <= status < 300, status, current, hops, None if 200 <= status < 300 else f"HTTP {status}"
        )
    return LinkResult(url, False, None, current, hops, f"跳转超过 {MAX_REDIRECTS} 次")


def load_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fresh(entry: dict, now: datetime, max_age: timedelta) -> bool:
    try:
        checked = datetime.fromisoformat(entry["checked_at"])
    except (KeyError, TypeError, ValueError):
        return False
    return entry.get("ok") is True and now - checked < max_age


def check_external(
    targets: dict[str, list[str]],
    cache_path: Path,
    *,
    now: datetime | None = None,
    max_age_hours: float = 72,
    workers: int = 8,
    timeout: float = 10.0,
    retries: int = 2,
) -> list[LinkResult]:
    """Check each URL (with the pages that link to it), reusing good results younger than max_age_hours."""
    now = now or dates.now()
    cache = load_cache(cache_path)
    max_age = timedelta(hours=max_age_hours)
    results: dict[str, LinkResult] = {}
    to_fetch = []
    for url in sorted(targets):
        entry = cache.get(url)
        if entry and _fresh(entry, now, max_age):
            known = {k: v for k, v in entry.items() if k in LinkResult.__dataclass_fields__}
            results[url] = LinkResult(**{**known, "sources": targets[url], "cached": True})
        else:
            to_fetch.append(url)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(lambda u: check_url(u, timeout, retries), to_fetch):
            result.checked_at = now.isoformat(timespec="seconds")
            result.sources = targets[result.url]
            results[result.url] = result
    for url, result in results.items():
        cache[url] = {k: v for k, v in asdict(result).items() if k not in ("sources", "cached")}
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps(cache, ensure_ascii=False, indent=1), encoding="utf-8")
    return [results[url] for url in sorted(results)]


def external_targets(portal) -> dict[str, list[str]]:
    """Partner sites from links.yaml and every http(s) link or image in published content, with where they are."""
    targets: dict[str, list[str]] = {}
    for link in portal.links:
        targets.setdefault(link["url"], []).append("links.yaml")
    for item in portal.items:
        for html in (item.body_html, getattr(item, "reply_html", "")):
            if not html:
                continue
            parser = _References()
            parser.feed(html)
            for ref in parser.refs:
                if urlsplit(ref).scheme in ("http", "https"):
                    sources = targets.setdefault(ref, [])
                    if item.source not in sources:
                        sources.append(item.source)
    return targets


# ---------------------------------------------------------------- one run


@dataclass
class LinkReport:
    checked_at: str
    output: str
    internal: InternalResult
    external: dict | None

    @property
    def broken_external(self) -> list[dict]:
        return [r for r in (self.external or {}).get("results", []) if not r["ok"]]

    @property
    def redirected(self) -> list[dict]:
        return [r for r in (self.external or {}).get("results", []) if r["redirects"]]

    @property
    def ok(self) -> bool:
        return not self.internal.broken and not self.broken_external

    def as_dict(self) -> dict:
        return asdict(self)


def run(output: Path, state_dir: Path, portal=None, *, now: datetime | None = None, **external_options) -> LinkReport:
    """Check the built site (and, given the published model, its external links); write the results file."""
    now = now or dates.now()
    internal = check_internal(output)
    external = None
    if portal is not None:
        results = check_external(external_targets(portal), state_dir / CACHE_FILE, now=now, **external_options)
        external = {
            "checked": len(results),
            "from_cache": sum(r.cached for r in results),
            "results": [asdict(r) for r in results],
        }
    report = LinkReport(now.isoformat(timespec="seconds"), str(output), internal, external)
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / LINK_RESULTS_FILE).write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return report
