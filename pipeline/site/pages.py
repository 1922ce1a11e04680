"""The portal's page set: which file is written from which template with what.

URLs are relative to the site root and always name a file (`…/index.html`),
so a village PC or file:// never shows a directory listing. Paginated lists
use a `-pN` suffix so `org/a1` page 4 can never collide with `org/a14`.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ..core import workdays
from . import charts, feeds
from .model import LETTER_STATUS_SLUGS, Portal

PER_PAGE = 20
HOME_PER_CATEGORY = 6
ORG_PER_CATEGORY = 5


@dataclass
class Pager:
    number: int
    count: int
    base: str  # "category/dongtai.html"

    def url(self, number: int) -> str:
        if number == 1:
            return self.base
        stem = self.base[: -len(".html")]
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
        chunk = items[(number - 1) * PER_PAGE : number * PER_PAGE]
        page_title = title if number == 1 else f"{title}（第{number}页）"
        specs.append(PageSpec(pager.url(number), template, page_title, crumbs, {**variables, "items": chunk}, pager))
    return specs


def plan(portal: Portal) -> list[PageSpec]:
    home = [("首页", "index.html")]
    calendar = notice_calendar(portal)
    specs = [
        PageSpec(
            "index.html",
            "index",
            portal.site.values.get("name", "红网"),
            [],
            {**home_variables(portal), "notice_calendar": calendar},
        )
    ]
    for category in portal.categories:
        items = portal.articles_in(category)
        crumbs = home + [(category.name, f"category/{category.slug}.html")]
        if category is portal.disclosure_category:
            specs += paginated(
                f"category/{category.slug}.html",
                "disclosures",
                category.name,
                portal.disclosures,
                crumbs,
                category=category,
                **disclosure_filters(portal),
            )
        else:
            specs += paginated(
                f"category/{category.slug}.html", "category", category.name, items, crumbs, category=category
            )
    specs += disclosure_pages(portal, home)
    for article in portal.articles:
        trail = home + ([(article.category.name, f"category/{article.category.slug}.html")] if article.category else [])
        specs.append(
            PageSpec(
                article.url, "article", article.title, trail + [(article.title, article.url)], {"article": article}
            )
        )
    notices_crumb = home + [("公示公告", "notice/index.html")]
    specs += paginated(
        "notice/index.html", "notices", "公示公告", portal.notices, notices_crumb, notice_calendar=calendar
    )
    for notice in portal.notices:
        specs.append(
            PageSpec(
                notice.url,
                "notice",
                notice.title,
                notices_crumb + [(notice.title, notice.url)],
                {"notice": notice, "notice_calendar": calendar},
            )
        )
    specs += org_pages(portal, home, calendar)
    specs += letter_pages(portal, home)
    stats_crumb = home + [("数据统计", "stats/index.html")]
    specs.append(PageSpec("stats/index.html", "stats_index", "数据统计", stats_crumb))
    for table in portal.stats:
        chart = charts.chart_html(table.slug, table.title, table.unit, table.columns, table.rows)
        specs.append(
            PageSpec(
                table.url,
                "stats",
                table.title,
                stats_crumb + [(table.title, table.url)],
                {"table": table, "chart": Markup(chart) if chart else None},
            )
        )
    specs += video_pages(portal, home)
    specs += item_pages(home, portal.quizzes, "学习测试", "quiz/index.html", "quizzes", "quiz")
    specs += item_pages(home, portal.interviews, "在线访谈", "interview/index.html", "interviews", "interview")
    # The banner every page shows is alert/current.js (write_alert_state), not these pages.
    specs += item_pages(home, portal.alerts, "紧急发布", "alert/index.html", "alerts", "alert")
    for page in portal.pages:
        specs.append(PageSpec(page.url, "page", page.title, home + [(page.title, page.url)], {"doc": page}))
    specs.append(PageSpec("contact.html", "contact", "联系我们", home + [("联系我们", "contact.html")]))
    specs.append(PageSpec("links.html", "links", "友情链接", home + [("友情链接", "links.html")]))
    specs.append(
        PageSpec("feeds.html", "feeds", "订阅", home + [("订阅", "feeds.html")], {"feed_groups": feeds.groups(portal)})
    )
    specs.append(PageSpec("search.html", "search", "站内搜索", home + [("站内搜索", "search.html")]))
    specs.append(PageSpec("404.html", "404", "页面未找到", home))
    return specs


def video_pages(portal: Portal, home) -> list[PageSpec]:
    """党员电教: the newest first, one list per series (专题), and each video's page."""
    if not portal.videos:
        return []
    crumb = home + [("党员电教", "video/index.html")]
    groups = portal.video_series()
    filters = {
        "series_filters": [("全部", "video/index.html", len(portal.videos))]
        + [(g.name, g.url, len(g.items)) for g in groups]
    }
    specs = paginated("video/index.html", "videos", "党员电教", portal.videos, crumb, **filters)
    for group in groups:
        specs += paginated(
            group.url, "videos", f"党员电教·{group.name}", group.items, crumb + [(group.name, group.url)], **filters
        )
    for video in portal.videos:
        trail = crumb + [(video.series, f"video/series/{video.series_slug}.html")] if video.series_slug else crumb
        specs.append(PageSpec(video.url, "video", video.title, trail + [(video.title, video.url)], {"video": video}))
    return specs


def item_pages(home, items: list, label: str, list_url: str, list_template: str, variable: str) -> list[PageSpec]:
    """A section's paginated list and a page per item (学习测试, 在线访谈, 紧急发布); nothing when it is empty."""
    if not items:
        return []
    crumb = home + [(label, list_url)]
    specs = paginated(list_url, list_template, label, items, crumb)
    for item in items:
        specs.append(PageSpec(item.url, variable, item.title, crumb + [(item.title, item.url)], {variable: item}))
    return specs


def disclosure_pages(portal: Portal, home) -> list[PageSpec]:
    """党务公开: one list per 公开类别 and one per year, under the disclosure category."""
    category = portal.disclosure_category
    if category is None:
        return []
    crumbs = home + [(category.name, f"category/{category.slug}.html")]
    filters = disclosure_filters(portal)
    specs = []
    for group in [*portal.disclosure_types(), *portal.disclosure_years()]:
        specs += paginated(
            group.url,
            "disclosures",
            f"{category.name}·{group.name}",
            group.items,
            crumbs + [(group.name, group.url)],
            category=category,
            **filters,
        )
    return specs


def disclosure_filters(portal: Portal) -> dict:
    """(label, url, count) links by 公开类别 and by year, shown above every disclosure list."""
    category = portal.disclosure_category
    everything = [("全部", f"category/{category.slug}.html", len(portal.disclosures))]
    return {
        "type_filters": everything + [(g.name, g.url, len(g.items)) for g in portal.disclosure_types()],
        "year_filters": [(g.name, g.url, len(g.items)) for g in portal.disclosure_years()],
    }


def org_pages(portal: Portal, home, calendar) -> list[PageSpec]:
    """Each org's hub (contact, children, notices, latest per category) plus its full paginated list."""
    crumb = home + [("组织机构", "org/index.html")]
    specs = [PageSpec("org/index.html", "orgs", "组织机构", crumb)]
    for org in portal.orgs.values():
        trail = crumb + [(o.short_name, o.url) for o in org.ancestors] + [(org.short_name, org.url)]
        by_category = [
            (c, items[:ORG_PER_CATEGORY], len(items)) for c, items in org.items_by_category(portal.categories)
        ]
        all_url = f"org/{org.code}/all.html" if org.items else None
        specs.append(
            PageSpec(
                org.url,
                "org",
                org.name,
                trail,
                {
                    "org": org,
                    "by_category": by_category,
                    "all_url": all_url,
                    "org_letters": sum(1 for x in portal.letters if x.org is org),
                    "notice_calendar": calendar if org.notices else None,
                },
            )
        )
        if all_url:
            specs += paginated(
                all_url, "org_items", f"{org.short_name}·全部信息", org.items, trail + [("全部信息", all_url)], org=org
            )
    return specs


def letter_pages(portal: Portal, home) -> list[PageSpec]:
    """回音壁: the whole wall, then static filtered copies per status and per answering org."""
    crumb = home + [("回音壁", "letters/index.html")]
    by_status = [
        (status, f"letters/status/{slug}.html", portal.letters_with_status(status))
        for status, slug in LETTER_STATUS_SLUGS.items()
    ]
    by_org = [
        (org.short_name, f"letters/org/{org.code}.html", [x for x in portal.letters if x.org is org])
        for org in portal.letter_orgs()
    ]
    filters = {
        "status_filters": [("全部", "letters/index.html", len(portal.letters))]
        + [(name, url, len(items)) for name, url, items in by_status],
        "org_filters": [(name, url, len(items)) for name, url, items in by_org],
    }
    specs = paginated("letters/index.html", "letters", "回音壁", portal.letters, crumb, **filters)
    for name, url, letters in [*by_status, *by_org]:
        specs += paginated(url, "letters", f"回音壁·{name}", letters, crumb + [(name, url)], **filters)
    for letter in portal.letters:
        specs.append(
            PageSpec(letter.url, "letter", letter.title, crumb + [(letter.title, letter.url)], {"letter": letter})
        )
    return specs


def notice_calendar(portal: Portal) -> Markup:
    """The official working-day exceptions for the years the notices span, as JSON for the notice script."""
    years = {portal.now.year}
    for notice in portal.notices:
        if notice.period_start and notice.period_end:
            years.update(range(notice.period_start.year, notice.period_end.year + 1))
    data = workdays.exceptions(portal.site.calendar, years)
    return Markup(json.dumps(data, separators=(",", ":")).replace("</", "<\\/"))


def home_variables(portal: Portal) -> dict:
    return {
        "latest": portal.articles[:8],
        "by_category": [(c, portal.articles_in(c)[:HOME_PER_CATEGORY]) for c in portal.categories],
        "current_notices": [n for n in portal.notices if n.state != "已结束"][:8],
        "recent_notices": portal.notices[:8],
        "recent_letters": portal.letters[:5],
        "next_interview": portal.next_interview,
    }


ALERT_STATE_FILE = "alert/current.js"


def alert_state(portal: Portal) -> str:
    """The one small file every page loads with <script src> (it works from file:// too): the alerts not yet
    expired at build time. Pages never hold the alerts themselves, so an alert re-renders no page but its own;
    the page script shows each alert only between its start and expiry by the reader's clock."""
    alerts = [
        {
            "title": a.title,
            "url": a.url,
            "level": a.level,
            "levelName": a.level_name,
            "start": a.start.isoformat() if a.start else None,
            "expires": a.expires.isoformat() if a.expires else None,
        }
        for a in portal.current_alerts
    ]
    data = json.dumps(alerts, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f"/* 紧急发布：生效中和即将生效的提示，由 hongwang build 生成。 */\nwindow.HW_ALERTS = {data};\n"


def write_alert_state(portal: Portal, output: Path) -> bool:
    """Write alert/current.js when its content changed; True when it was written."""
    path = output / ALERT_STATE_FILE
    text = alert_state(portal).encode("utf-8")
    try:
        if path.read_bytes() == text:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(text)
    temporary.replace(path)
    return True


def write_data_files(portal: Portal, output: Path) -> None:
    """CSV downloads for statistics tables; the alert state file."""
    write_alert_state(portal, output)
    for table in portal.stats:
        path = output / table.csv_url
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens it as UTF-8
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
