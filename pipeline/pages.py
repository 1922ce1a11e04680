"""The portal's page set: which file is written from which template with what.

URLs are relative to the site root and always name a file (`…/index.html`),
so a village PC or file:// never shows a directory listing. Paginated lists
use a `-pN` suffix so `org/a1` page 4 can never collide with `org/a14`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from .model import Portal

PER_PAGE = 20
HOME_PER_CATEGORY = 6


@dataclass
class Pager:
    number: int
    count: int
    base: str  # "category/dongtai.html"

    def url(self, number: int) -> str:
        if number == 1:
            return self.base
        stem = self.base[:-len(".html")]
        return f"{stem}-p{number}.html"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None


@dataclass
class PageSpec:
    name: str
    template: str
    title: str
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    variables: dict = field(default_factory=dict)
    pager: Pager | None = None
    feed: str | None = None


def paginated(base: str, template: str, title: str, items: list, crumbs, **variables) -> list[PageSpec]:
    count = max(1, math.ceil(len(items) / PER_PAGE))
    specs = []
    for number in range(1, count + 1):
        pager = Pager(number, count, base)
        chunk = items[(number - 1) * PER_PAGE: number * PER_PAGE]
        page_title = title if number == 1 else f"{title}（第{number}页）"
        specs.append(PageSpec(pager.url(number), template, page_title, crumbs,
                              {**variables, "items": chunk}, pager))
    return specs


def plan(portal: Portal) -> list[PageSpec]:
    home = [("首页", "index.html")]
    specs = [PageSpec("index.html", "index", portal.site.values.get("name", "红网"), [],
                      home_variables(portal))]
    for category in portal.categories:
        items = portal.articles_in(category)
        specs += paginated(f"category/{category.slug}.html", "category", category.name, items,
                           home + [(category.name, f"category/{category.slug}.html")], category=category)
    for article in portal.articles:
        trail = home + ([(article.category.name, f"category/{article.category.slug}.html")]
                        if article.category else [])
        specs.append(PageSpec(article.url, "article", article.title, trail + [(article.title, article.url)],
                              {"article": article}))
    notices_crumb = home + [("公示公告", "notice/index.html")]
    specs += paginated("notice/index.html", "notices", "公示公告", portal.notices, notices_crumb)
    for notice in portal.notices:
        specs.append(PageSpec(notice.url, "notice", notice.title, notices_crumb + [(notice.title, notice.url)],
                              {"notice": notice}))
    orgs_crumb = home + [("组织机构", "org/index.html")]
    specs.append(PageSpec("org/index.html", "orgs", "组织机构", orgs_crumb))
    for org in portal.orgs.values():
        trail = orgs_crumb + [(o.short_name, o.url) for o in org.ancestors] + [(org.short_name, org.url)]
        specs += paginated(org.url, "org", org.name, org.items, trail, org=org)
    letters_crumb = home + [("回音壁", "letters/index.html")]
    specs += paginated("letters/index.html", "letters", "回音壁", portal.letters, letters_crumb)
    for letter in portal.letters:
        specs.append(PageSpec(letter.url, "letter", letter.title, letters_crumb + [(letter.title, letter.url)],
                              {"letter": letter}))
    stats_crumb = home + [("数据统计", "stats/index.html")]
    specs.append(PageSpec("stats/index.html", "stats_index", "数据统计", stats_crumb))
    for table in portal.stats:
        specs.append(PageSpec(table.url, "stats", table.title, stats_crumb + [(table.title, table.url)],
                              {"table": table}))
    for page in portal.pages:
        specs.append(PageSpec(page.url, "page", page.title, home + [(page.title, page.url)], {"doc": page}))
    specs.append(PageSpec("links.html", "links", "友情链接", home + [("友情链接", "links.html")]))
    specs.append(PageSpec("404.html", "404", "页面未找到", home))
    return specs


def home_variables(portal: Portal) -> dict:
    return {
        "latest": portal.articles[:8],
        "by_category": [(c, portal.articles_in(c)[:HOME_PER_CATEGORY]) for c in portal.categories],
        "current_notices": [n for n in portal.notices if n.state != "已结束"][:8],
        "recent_notices": portal.notices[:8],
        "recent_letters": portal.letters[:5],
    }


def write_data_files(portal: Portal, output: Path) -> None:
    """CSV downloads for statistics tables."""
    for table in portal.stats:
        path = output / table.csv_url
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens it as UTF-8
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
