"""Post-build step: RSS 2.0 and Atom feeds for the site, each category, each organisation, notices and letters.

Every feed exists twice, `feeds/<key>.rss.xml` and `feeds/<key>.atom.xml`, and
holds the newest `FEED_LIMIT` published items (the model has already dropped
drafts, embargoed and, in a public build, internal items).

Ids are stable: `tag:<host>,2026:<kind>/<source path>` (RFC 4151), built from
the submission's file path under content/, so correcting a title — which can
change a slug derived from the title — never makes a feed reader show an item
twice. Moving or renaming the file does change it. The date part is fixed: it
names when the scheme was minted, not when the item was written.

Feed-level dates (`lastBuildDate`, `updated`) come from the newest item, never
the clock, so rebuilding unchanged content gives byte-identical feeds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urljoin

from ..core import dates, urls
from ..core.progress import FEEDS, QUIET, Progress
from .model import Alert, Article, Interview, Item, Letter, Notice, Org, Portal, Video

FEED_LIMIT = 50
SECTION_FEEDS = ("videos", "interviews", "alerts")  # the model's lists that have a feed of their own
SECTION_TEMPLATES = {"videos": "videos", "video": "videos", "interviews": "interviews", "interview": "interviews"}
SECTION_TEMPLATES |= {"alerts": "alerts", "alert": "alerts"}
TAG_DATE = "2026"
FORMATS = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


@dataclass
class Feed:
    key: str  # "all", "category/dongtai", "org/dz-hq", "notices", "letters"
    title: str
    page: str  # the HTML page this feed follows
    group: str
    items: list[Item] = field(default_factory=list, repr=False)

    def path(self, fmt: str) -> str:
        return f"feeds/{self.key}.{fmt}.xml"

    @property
    def rss(self) -> str:
        return self.path("rss")

    @property
    def atom(self) -> str:
        return self.path("atom")


@dataclass
class FeedReport:
    feeds: int = 0
    files: list[str] = field(default_factory=list)
    items: int = 0
    written: int = 0  # files written this time; the others were unchanged since the last build


def site_feed(portal: Portal, with_items: bool = False) -> Feed:
    """Everything dated, newest first; an urgent alert in force when the site was built comes before all."""
    items = []
    if with_items:
        everything = [
            *portal.articles,
            *portal.notices,
            *portal.letters,
            *portal.videos,
            *portal.interviews,
            *portal.alerts,
        ]
        items = _alerts_first(portal, _newest(everything))
    return Feed("all", _site_name(portal), "index.html", "全站", items)


def _alerts_first(portal: Portal, items: list[Item]) -> list[Item]:
    live = [a for a in portal.current_alerts if a.state == "生效中"]
    return (live + [i for i in items if all(i is not a for a in live)])[:FEED_LIMIT]


def section_feed(portal: Portal, key: str, with_items: bool = False) -> Feed:
    """党员电教, 在线访谈 and 紧急发布, each with its own feed."""
    title, page, items = {
        "videos": ("党员电教", "video/index.html", portal.videos),
        "interviews": ("在线访谈", "interview/index.html", portal.interviews),
        "alerts": ("紧急发布", "alert/index.html", portal.alerts),
    }[key]
    chosen = (_alerts_first(portal, items) if key == "alerts" else items[:FEED_LIMIT]) if with_items else []
    return Feed(key, f"{_site_name(portal)} - {title}", page, title, chosen)


def category_feed(portal: Portal, category, with_items: bool = False) -> Feed:
    items = portal.articles_in(category)[:FEED_LIMIT] if with_items else []
    return Feed(
        f"category/{category.slug}",
        f"{_site_name(portal)} - {category.name}",
        f"category/{category.slug}.html",
        "栏目",
        items,
    )


def notices_feed(portal: Portal, with_items: bool = False) -> Feed:
    return Feed(
        "notices",
        f"{_site_name(portal)} - 公示公告",
        "notice/index.html",
        "公示",
        portal.notices[:FEED_LIMIT] if with_items else [],
    )


def letters_feed(portal: Portal, with_items: bool = False) -> Feed:
    return Feed(
        "letters",
        f"{_site_name(portal)} - 回音壁",
        "letters/index.html",
        "回音壁",
        portal.letters[:FEED_LIMIT] if with_items else [],
    )


def org_feed(portal: Portal, org: Org, letters_by_org: dict | None = None) -> Feed:
    # Sort the org's items only when they are wanted: every page asks for its org's feed (2 s at N=20,000).
    items = _newest([*org.items, *org.notices, *letters_by_org.get(org.code, [])]) if letters_by_org is not None else []
    return Feed(f"org/{org.code}", f"{_site_name(portal)} - {org.name}", org.url, "单位", items)


def catalogue(portal: Portal, with_items: bool = False) -> list[Feed]:
    """Every feed the site offers, in the order the 订阅 page lists them."""
    letters_by_org: dict[str, list[Letter]] = {}
    for letter in portal.letters:
        if letter.org:
            letters_by_org.setdefault(letter.org.code, []).append(letter)
    feeds = [site_feed(portal, with_items)]
    feeds += [category_feed(portal, c, with_items) for c in portal.categories]
    feeds += [notices_feed(portal, with_items), letters_feed(portal, with_items)]
    feeds += [section_feed(portal, key, with_items) for key in SECTION_FEEDS if getattr(portal, key)]
    feeds += [org_feed(portal, org, letters_by_org if with_items else None) for org in portal.orgs.values()]
    return feeds


def groups(portal: Portal) -> list[tuple[str, list[Feed]]]:
    """The catalogue grouped for the 订阅 page (全站, 栏目, 公示, 回音壁, 单位)."""
    grouped: dict[str, list[Feed]] = {}
    for feed in catalogue(portal):
        grouped.setdefault(feed.group, []).append(feed)
    return list(grouped.items())


def for_page(portal: Portal, variables: dict, template: str, shared: dict | None = None) -> list[Feed]:
    """The feeds a page announces with <link rel="alternate">: the site, its section and its org.

    shared: a dict kept across the pages of one build, so pages announcing a feed share one Feed."""
    shared = {} if shared is None else shared

    def once(key, make):
        if key not in shared:
            shared[key] = make()
        return shared[key]

    found = [once("all", lambda: site_feed(portal))]
    item = variables.get("article") or variables.get("notice") or variables.get("letter")
    category = variables.get("category") or getattr(item, "category", None)
    if category is not None:
        found.append(once(("category", category.slug), lambda: category_feed(portal, category)))
    if template in ("notices", "notice"):
        found.append(once("notices", lambda: notices_feed(portal)))
    if template in ("letters", "letter"):
        found.append(once("letters", lambda: letters_feed(portal)))
    if template in SECTION_TEMPLATES:
        key = SECTION_TEMPLATES[template]
        found.append(once(key, lambda: section_feed(portal, key)))
    org = variables.get("org") or getattr(item, "org", None)
    if org is not None:
        found.append(once(("org", org.code), lambda: org_feed(portal, org)))
    return found


def write(
    portal: Portal,
    output_dir: Path,
    site_url: str,
    unchanged: Callable[[Feed, str], bool] | None = None,
    progress: Progress = QUIET,
) -> FeedReport:
    """unchanged(feed, path): the file at path already holds this feed (the build's dependency record).
    progress is told each feed done, written or found unchanged."""
    report = FeedReport()
    progress.stage(FEEDS)
    every = catalogue(portal, with_items=True)
    progress.stage(FEEDS, len(every))
    for feed in every:
        stale = [fmt for fmt in FORMATS if unchanged is None or not unchanged(feed, feed.path(fmt))]
        generator = _generator(portal, feed, site_url) if stale else None
        for fmt in stale:
            target = Path(output_dir) / feed.path(fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            _set_links(generator, site_url, feed, fmt)
            if fmt == "rss":
                generator.rss_file(str(target), pretty=True)
            else:
                generator.atom_file(str(target), pretty=True)
            report.written += 1
        report.files += [feed.path(fmt) for fmt in FORMATS]
        report.feeds += 1
        report.items += len(feed.items)
        progress.advance()
    return report


def item_id(site_url: str, item: Item) -> str:
    source = item.source.rsplit(".", 1)[0] if "." in item.source else item.source
    return f"tag:{urls.host(site_url)},{TAG_DATE}:{item.kind}/{quote(source, safe='/-._~')}"


def feed_id(site_url: str, feed: Feed) -> str:
    return f"tag:{urls.host(site_url)},{TAG_DATE}:feed/{feed.key}"


# ---------------------------------------------------------------- feedgen


def _generator(portal: Portal, feed: Feed, site_url: str):
    from feedgen.feed import FeedGenerator

    site = portal.site.values
    generator = FeedGenerator()
    generator.id(feed_id(site_url, feed))
    generator.title(feed.title)
    generator.description(f"{feed.title}：{site.get('tagline') or site.get('host') or '最新信息'}")
    generator.author({"name": str(site.get("host") or _site_name(portal))})
    generator.language("zh-CN")
    generator.generator("hongwang")
    newest = _newest_date(feed.items) or _newest_date(portal.items) or portal.now
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for item in feed.items:
        _add_entry(generator, item, site_url)
    return generator


def _set_links(generator, site_url: str, feed: Feed, fmt: str) -> None:
    # RSS <link> is the last link() call, so the page goes after the feed's own URL.
    generator.link(
        [
            {"href": urls.absolute(site_url, feed.path(fmt)), "rel": "self", "type": FORMATS[fmt]},
            {"href": urls.absolute(site_url, feed.page), "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )


def _add_entry(generator, item: Item, site_url: str) -> None:
    link = urls.absolute(site_url, item.url)
    entry = generator.add_entry(order="append")
    entry.id(item_id(site_url, item))
    entry.guid(item_id(site_url, item), permalink=False)
    entry.title(item.title)
    entry.link(href=link, rel="alternate", type="text/html")
    when = item.date or datetime(2000, 1, 1, tzinfo=dates.SHANGHAI)
    entry.published(when)
    entry.updated(when)
    if item.org:
        entry.author({"name": item.org.name})
    for term in _categories(item):
        entry.category(term=term)
    entry.description(_summary(item))
    entry.content(_content_html(item, link), type="html")
    if isinstance(item, Video):
        entry.enclosure(urls.absolute(site_url, item.video_url), str(item.size), item.mime)


def _categories(item: Item) -> list[str]:
    if isinstance(item, Article) and item.category:
        return [item.category.name]
    if isinstance(item, Notice):
        return ["公示公告", item.type_name]
    if isinstance(item, Letter):
        return ["回音壁"]
    if isinstance(item, Video):
        return ["党员电教", item.series]
    if isinstance(item, Interview):
        return ["在线访谈"]
    if isinstance(item, Alert):
        return ["紧急发布", item.level_name]
    return []


def _summary(item: Item) -> str:
    if isinstance(item, Notice):
        return f"{item.type_name}，{_period(item)}。{item.summary}".rstrip()
    if isinstance(item, Letter):
        return f"{item.letter_status}。{item.summary}".rstrip()
    if isinstance(item, Interview):
        return f"{_interview_line(item)}。{item.summary}".rstrip()
    if isinstance(item, Alert):
        return f"{_alert_line(item)}。{item.summary}".rstrip()
    return item.summary or item.title


def _interview_line(interview: Interview) -> str:
    guests = "、".join(g["name"] + (f"（{g['post']}）" if g["post"] else "") for g in interview.guests)
    return f"访谈时间：{dates.cn_date(interview.start)} {interview.start:%H:%M}，嘉宾：{guests}"


def _alert_line(alert: Alert) -> str:
    return f"紧急发布（{alert.level_name}），有效期至 {dates.cn_date(alert.expires)} {alert.expires:%H:%M}"


def _period(notice: Notice) -> str:
    return f"公示期：{dates.cn_date(notice.period_start)}至{dates.cn_date(notice.period_end)}"


def _content_html(item: Item, link: str) -> str:
    parts = []
    if isinstance(item, Notice):
        parts.append(f"<p>{html.escape(_period(item))}</p>")
        parts.append(_persons_table(item))
    if isinstance(item, Alert):
        parts.append(f"<p><strong>{html.escape(_alert_line(item))}</strong></p>")
    if isinstance(item, Video):
        # relative to the item's page (video/<slug>.html), as bodies are: _absolutise makes them absolute
        poster = f'<img src="../{html.escape(item.poster_url)}" alt="">' if item.poster_url else ""
        meta = "，".join(
            p for p in (item.series, item.speaker, f"时长 {item.duration_label}" if item.duration else "") if p
        )
        parts.append(f'<p><a href="../{html.escape(item.video_url)}">{poster}观看视频</a>（{html.escape(meta)}）</p>')
        parts.append(f"<p>{html.escape(item.summary)}</p>" if item.summary else "")
        parts = [_absolutise(p, link) for p in parts]
    if isinstance(item, Interview):
        parts.append(f"<p>{html.escape(_interview_line(item))}</p>")
    parts.append(_absolutise(item.body_html, link))
    if isinstance(item, Interview) and item.record:
        parts.append("<h2>访谈实录</h2>")
        for entry in item.record:
            parts.append(f"<p><strong>{html.escape(entry['asker'])}：</strong>{html.escape(entry['question'])}</p>")
            parts.append(
                f"<p><strong>{html.escape(entry['guest'] or '嘉宾')}：</strong>{html.escape(entry['answer'])}</p>"
            )
    if isinstance(item, Letter) and item.reply_html:
        replied = f"（{dates.cn_date(item.reply_date)}）" if item.reply_date else ""
        parts.append(f"<h2>答复{html.escape(replied)}</h2>")
        parts.append(_absolutise(item.reply_html, link))
    return "\n".join(p for p in parts if p)


def _persons_table(notice: Notice) -> str:
    if not notice.persons:
        return ""
    columns = notice.person_columns
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(person.get(key, '')))}</td>" for key, _ in columns) + "</tr>"
        for person in notice.persons
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _absolutise(body: str, base: str) -> str:
    """Page bodies link relatively (`../files/x.jpg`); in a feed reader they must be absolute."""

    def rewrite(match: re.Match) -> str:
        value = html.unescape(match.group(2))
        if value.startswith(("#", "mailto:", "tel:")):
            return match.group(0)
        return f'{match.group(1)}="{html.escape(urljoin(base, value))}"'

    return _URL_ATTRIBUTE.sub(rewrite, str(body))


# ---------------------------------------------------------------- helpers


def _site_name(portal: Portal) -> str:
    return str(portal.site.values.get("name") or "红网")


def _newest(items: list[Item]) -> list[Item]:
    floor = datetime.min.replace(tzinfo=dates.SHANGHAI)
    return sorted(items, key=lambda i: (i.date or floor, i.slug), reverse=True)[:FEED_LIMIT]


def _newest_date(items) -> datetime | None:
    return max((i.date for i in items if i.date), default=None)
