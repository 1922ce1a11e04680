"""The Content Security Policy of the portal: what the theme needs, and nothing inline.

Every page carries it in a `<meta http-equiv>` (static hosts and `file://` cannot send headers);
`hongwang serve` and the nginx example (docs/deploy.md) send it as a header too, where a browser
enforces both. The theme loads only its own files: scripts and stylesheets by `src`/`href` (no inline
script, style element or style attribute, so no 'unsafe-inline'), data for scripts in
`<script type="application/json">` blocks (data, not script) or by `<script src>`, media and images
from the site. A village bundle made without its videos plays them from the county's site: the meta
policy names that origin; the header, shared by every site a server serves, allows media from any web
origin and leaves it to the page's policy to narrow.
"""

from __future__ import annotations

from urllib.parse import urlsplit

BASE = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "media-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _join(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def origin(site_url: str) -> str:
    """scheme://host[:port] of an absolute site URL ('' without one)."""
    parts = urlsplit(site_url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def page_policy(site_url: str = "") -> str:
    """For the `<meta>` of every page (frame-ancestors is header-only: browsers ignore it in a meta)."""
    county = origin(site_url)
    return _join({**BASE, "media-src": f"'self' {county}" if county else "'self'"})


HEADER_POLICY = _join({**BASE, "media-src": "'self' http: https:", "frame-ancestors": "'self'"})
