"""The portal's page set: which file is written from which template with what.

URLs are relative to the site root and always name a file (`…/index.html`),
so a village PC or file:// never shows a directory listing. Paginated lists
use a `-pN` suffix so `org/a1` page 4 can never collide with `org/a14`.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ..core import workdays
from . import charts, feeds
from .model import CONTACT_URL, LETTER_STATUS_SLUGS, Portal, newest_first

PER_PAGE = 20
HOME_PER_CATEGORY = 5
HOME_LATEST = 7
HOME_NOTICES = 6
ORG_PER_CATEGORY = 5
ORG_NOTICES = 10
ORG_VILLAGE_ITEMS = 10
HOME = [("首页", "index.html")]
NOTICES_URL = "notice/index.html"


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
    # Links from the site's root path instead of relative ones: the page is served at any missing address
    # (404.html, by `hongwang serve` and nginx's error_page), so ../ counted from its own file would miss.
    root_relative: bool = False


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
    """Every page of the site, in a stable order: home, categories, articles, notices, orgs, letters, stats,
    videos, quizzes, interviews, alerts, then the fixed pages."""
    home = HOME
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
    specs += category_pages(portal)
    specs += disclosure_pages(portal, home)
    for article in portal.articles:
        trail = category_trail(article.category) if article.category else home
        specs.append(
            PageSpec(
                article.url, "article", article.title, trail + [(article.title, article.url)], {"article": article}
            )
        )
    specs += notice_pages(portal, home, calendar)
    specs += org_pages(portal, home, calendar)
    specs += letter_pages(portal, home)
    specs += stats_pages(portal, home)
    specs += video_pages(portal, home)
    specs += item_pages(home, portal.quizzes, "学习测试", "quiz/index.html", "quizzes", "quiz")
    specs += item_pages(home, portal.interviews, "在线访谈", "interview/index.html", "interviews", "interview")
    # The banner every page shows is alert/current.js (write_alert_state), not these pages.
    specs += item_pages(home, portal.alerts, "紧急发布", "alert/index.html", "alerts", "alert")
    specs += fixed_pages(portal, home)
    return specs


def category_pages(portal: Portal) -> list[PageSpec]:
    """Each category's paginated list; the 党务公开 category lists disclosures, with their filters."""
    specs: list[PageSpec] = []
    for category in portal.categories:
        crumbs = category_trail(category)
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
            items = portal.articles_in(category)
            specs += paginated(
                f"category/{category.slug}.html", "category", category.name, items, crumbs, category=category
            )
    return specs


def notice_pages(portal: Portal, home, calendar) -> list[PageSpec]:
    """The 公示公告 board (公示 and 通知公告 together) and each 公示's page."""
    notices_crumb = home + [("公示公告", NOTICES_URL)]
    specs = paginated(
        NOTICES_URL,
        "notices",
        "公示公告",
        notice_board(portal),
        notices_crumb,
        notice_calendar=calendar,
        notice_categories=notice_categories(portal),
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
    return specs


def stats_pages(portal: Portal, home) -> list[PageSpec]:
    """数据统计: the index and one page per table, with its chart."""
    stats_crumb = home + [("数据统计", "stats/index.html")]
    specs = [PageSpec("stats/index.html", "stats_index", "数据统计", stats_crumb)]
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
    return specs


def fixed_pages(portal: Portal, home) -> list[PageSpec]:
    """The site's own pages (content/pages/), contact, links, feeds, search and the 404 page."""
    specs = []
    for page in portal.pages:
        if not page.is_mailbox_text:
            specs.append(PageSpec(page.url, "page", page.title, home + [(page.title, page.url)], {"doc": page}))
    mailbox_text = next((p for p in portal.pages if p.is_mailbox_text), None)
    specs.append(
        PageSpec(CONTACT_URL, "contact", "联系我们", home + [("联系我们", CONTACT_URL)], {"doc": mailbox_text})
    )
    specs.append(PageSpec("links.html", "links", "友情链接", home + [("友情链接", "links.html")]))
    specs.append(
        PageSpec("feeds.html", "feeds", "订阅", home + [("订阅", "feeds.html")], {"feed_groups": feeds.groups(portal)})
    )
    specs.append(PageSpec("search.html", "search", "站内搜索", home + [("站内搜索", "search.html")]))
    specs.append(PageSpec("404.html", "404", "页面未找到", home, root_relative=True))
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


def category_trail(category) -> list[tuple[str, str]]:
    """首页 › the category; 通知公告 and other notice columns sit under 公示公告, the one place for notices."""
    own = [(category.name, f"category/{category.slug}.html")]
    return HOME + ([("公示公告", NOTICES_URL)] if category.kind == "notices" else []) + own


def notice_categories(portal: Portal) -> list:
    return [c for c in portal.categories if c.kind == "notices"]


def notice_board(portal: Portal) -> list:
    """公示 and the articles of notice columns (通知公告) together, newest first: the 公示公告 section."""
    articles = [a for c in notice_categories(portal) for a in portal.articles_in(c)]
    return sorted([*portal.notices, *articles], key=newest_first, reverse=True)


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
    news_columns = [c for c in portal.categories if c.kind != "notices"]
    for org in portal.orgs.values():
        trail = crumb + [(o.short_name, o.url) for o in org.ancestors] + [(org.short_name, org.url)]
        by_category = [(c, items[:ORG_PER_CATEGORY], len(items)) for c, items in org.items_by_category(news_columns)]
        all_url = f"org/{org.code}/all.html" if org.items else None
        # A township gathers what its villages (and their branches) publish; a village lists its own notices.
        below = org.descendant_items if org.kind == "township" else []
        below_url = f"org/{org.code}/villages.html" if below else None
        own_notices = [
            *org.notices,
            *(i for c, items in org.items_by_category(notice_categories(portal)) for i in items),
        ]
        own_notices.sort(key=newest_first, reverse=True)
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
                    "org_notices": own_notices[:ORG_NOTICES],
                    "org_notices_total": len(own_notices),
                    "village_items": below[:ORG_VILLAGE_ITEMS],
                    "villages_url": below_url,
                    "villages_total": len(below),
                    "org_letters": sum(1 for x in portal.letters if x.org is org),
                    "notice_calendar": calendar if org.notices else None,
                },
            )
        )
        if all_url:
            specs += paginated(
                all_url, "org_items", f"{org.short_name}·全部信息", org.items, trail + [("全部信息", all_url)], org=org
            )
        if below_url:
            title = f"{org.short_name}·各村（社区）动态"
            crumbs = trail + [("各村（社区）动态", below_url)]
            specs += paginated(below_url, "org_items", title, below, crumbs, org=org, show_org=True)
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
    news = [a for a in portal.articles if a.category and a.category.kind == "news"]
    lead = news[0] if news else (portal.articles[0] if portal.articles else None)
    current = [n for n in portal.notices if n.state != "已结束"]
    shown = {id(n) for n in current}
    mailboxes = portal.site.values.get("mailboxes") or []
    return {
        "lead": lead,  # 头条: the newest news article, with its first photo when it has one
        "latest": [a for a in portal.articles if a is not lead][:HOME_LATEST],
        # 公示公告 in one panel: notices still running first, then the newest 公示 and 通知公告 items
        "notice_board": [*current, *(i for i in notice_board(portal) if id(i) not in shown)][:HOME_NOTICES],
        "by_category": [
            (c, portal.articles_in(c)[:HOME_PER_CATEGORY])
            for c in portal.categories
            if c.kind != "notices" and portal.articles_in(c)
        ],
        "recent_letters": portal.letters[:5],
        "next_interview": portal.next_interview,
        "report_phone": report_phone(portal.site.values),
        "report_mailbox": next((i for i, m in enumerate(mailboxes, 1) if "举报" in str(m.get("name", ""))), None),
    }


def report_phone(values: dict) -> str:
    """The 12380 line with the area code: site.yaml's report_phone, else the area code of its phone."""
    if values.get("report_phone"):
        return str(values["report_phone"])
    area = re.match(r"\s*(0\d{2,3})\s*-", str(values.get("phone") or ""))
    return f"{area.group(1)}-12380" if area else "12380"


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
