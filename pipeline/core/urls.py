"""The absolute site URL that feeds, the sitemap and robots.txt need.

Pages link relatively (`RELATIVE_URLS`), so the same output works on the county
host, under a sub-path and on a village PC. Feeds and sitemaps are read by
other machines and need absolute links: those come from the Pelican setting
`HONGWANG_SITEURL` (publishconf.py may set it) or else `siteurl` in
content/site.yaml. Without either, the build says so and writes no feeds or
sitemap rather than feeds with links that lead nowhere.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

SITE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s?#]*)?$")


class SiteUrlError(ValueError):
    """The configured site URL is not an http(s) address."""


def resolve_site_url(setting: object, site_values: dict) -> str | None:
    """The site URL without a trailing slash, or None when none is configured."""
    raw = setting or site_values.get("siteurl")
    if not raw:
        return None
    url = str(raw).strip().rstrip("/")
    if not SITE_URL.match(url):
        raise SiteUrlError(f"网站地址“{raw}”不是 http(s) 地址，应写成 https://www.example.gov.cn")
    return url


def absolute(site_url: str, path: str) -> str:
    """The absolute URL of an output-relative path such as `article/x.html`."""
    return f"{site_url}/{quote(path.lstrip('/'), safe='/-._~')}"


def host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"
