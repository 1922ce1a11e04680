"""Validated documents → the typed portal model the theme renders.

The profile decides what is published: drafts never, future-dated items not
before their date, `internal` items only in an internal build.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from markupsafe import Markup

from ..content import markup, schema
from ..content.documents import Category, Document, Facts, SiteSettings, Validation
from ..content.slugs import default_slug
from ..core import cache, dates

PROFILES = ("public", "internal")
# The labels pages show, as the schema declares them.
NOTICE_TYPE_NAMES = {t.value: t.label for t in schema.NOTICE_TYPES}
ORG_KIND_NAMES = {c.value: c.label for c in schema.ORG_KINDS}
AUDIENCE_NAMES = {c.value: c.label for c in schema.AUDIENCES}
PERSON_COLUMNS = {f.key: f.label for f in schema.PERSON_FIELDS}
CONTACT_NAMES = {**{f.key: f.label for f in schema.CONTACT_FIELDS}, "text": schema.CONTACT_TEXT_LABEL}
ALERT_LEVEL_NAMES = {c.value: c.label for c in schema.ALERT_LEVELS}
QUESTION_TYPE_NAMES = {c.value: c.label for c in schema.QUESTION_TYPES}
ASKER_ANONYMOUS = "网友"


@dataclass
class Org:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    contact: dict
    parent: Org | None = None
    children: list[Org] = field(default_factory=list)
    items: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"org/{self.code}.html"

    @property
    def kind_name(self) -> str:
        return ORG_KIND_NAMES[self.kind]

    @property
    def ancestors(self) -> list[Org]:
        chain, org = [], self.parent
        while org is not None:
            chain.insert(0, org)
            org = org.parent
        return chain

    def items_by_category(self, categories: list[Category]) -> list[tuple[Category, list]]:
        """This org's articles grouped by the site's categories, in the site's order, newest first."""
        groups = [(c, [i for i in self.items if i.category is c]) for c in categories]
        return [(c, items) for c, items in groups if items]

    @property
    def descendant_items(self) -> list:
        """Articles of every org below this one (a township's villages and their branches), newest first."""
        found = [item for org in self.descendants() for item in org.items]
        return sorted(found, key=newest_first, reverse=True)

    def descendants(self) -> list[Org]:
        found = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


MAILBOX_PAGE_SLUG = "mailboxes"
CONTACT_URL = "contact.html"


@dataclass
class Item:
    """What every published submission has."""

    kind: str
    slug: str
    title: str
    date: datetime | None
    org: Org | None
    summary: str
    collector: str
    tags: list[str]
    audience: str
    source: str
    body_html: str = ""
    image: str | None = None  # the body's first local image, from the site root ("files/dz/2026/a.jpg"): 头条 photo
    image_alt: str = ""

    folder = "item"

    @property
    def url(self) -> str:
        return f"{self.folder}/{self.slug}.html"

    @property
    def audience_name(self) -> str:
        return AUDIENCE_NAMES[self.audience]

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def search_parts(self) -> list[str]:
        """What search finds this item by besides its title and summary, one string a part
        (Markup is read as HTML, anything else as plain text). Kinds with more to find extend it."""
        return [self.body_html, self.org.name if self.org else ""]

    def at(self, now: datetime) -> None:
        """Set what the clock decides (a notice's state, the days a letter has waited): an item is built, and
        kept between builds, for no moment in particular."""


@dataclass
class Article(Item):
    category: Category | None = None
    disclosure_type: str | None = None
    reviewed_by: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    folder = "article"


@dataclass
class Notice(Item):
    notice_type: str = "other"
    period_start: date | None = None
    period_end: date | None = None
    contact: dict = field(default_factory=dict)
    persons: list[dict] = field(default_factory=list)
    exceptional: bool = False
    exceptional_reason: str | None = None
    state: str = "已结束"
    folder = "notice"

    def at(self, now: datetime) -> None:
        self.state = notice_state(self.period_start, self.period_end, now.date())

    @property
    def type_name(self) -> str:
        return NOTICE_TYPE_NAMES[self.notice_type]

    @property
    def person_columns(self) -> list[tuple[str, str]]:
        keys: list[str] = []
        for person in self.persons:
            keys.extend(k for k in person if k not in keys)
        order = list(PERSON_COLUMNS)
        keys.sort(key=lambda k: order.index(k) if k in order else len(order))
        return [(k, PERSON_COLUMNS.get(k, k)) for k in keys]

    @property
    def contact_rows(self) -> list[tuple[str, str, str]]:
        return [(k, CONTACT_NAMES.get(k, k), v) for k, v in self.contact.items()]

    def search_parts(self) -> list[str]:
        """The persons named (names, posts, branches…) are what readers look a notice up by."""
        persons = [
            "　".join(str(v) for k, v in person.items() if k not in ("gender", "birth")) for person in self.persons
        ]
        return [*super().search_parts(), *persons]


LETTER_STATUS_SLUGS = {"已答复": "replied", "办理中": "pending"}


@dataclass
class Letter(Item):
    received: date | None = None
    reply_date: date | None = None
    reply_html: str = ""
    asker: str = ""
    letter_status: str = "办理中"
    days_open: int | None = None  # for a letter still 办理中: days since received, as of the build
    folder = "letters"

    def at(self, now: datetime) -> None:
        waiting = self.letter_status == "办理中" and self.received
        self.days_open = (now.date() - self.received).days if waiting else None

    @property
    def days_to_reply(self) -> int | None:
        if self.received and self.reply_date:
            return (self.reply_date - self.received).days
        return None

    @property
    def status_slug(self) -> str:
        return LETTER_STATUS_SLUGS[self.letter_status]

    def search_parts(self) -> list[str]:
        return [*super().search_parts(), self.reply_html]


@dataclass
class Page(Item):
    folder = "page"

    @property
    def is_mailbox_text(self) -> bool:
        """The content page with this slug is the text of the one mailbox page, contact.html."""
        return self.slug == MAILBOX_PAGE_SLUG

    @property
    def url(self) -> str:
        return CONTACT_URL if self.is_mailbox_text else super().url


@dataclass
class Stats(Item):
    unit: str = ""
    data_source: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    folder = "stats"

    @property
    def csv_url(self) -> str:
        return f"stats/{self.slug}.csv"


def _clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _json_markup(value) -> Markup:
    """JSON for a <script type="application/json"> block: `</` escaped so no text can close the element."""
    return Markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/"))


@dataclass
class Video(Item):
    """党员电教: a local video file (never another site's player), its poster, subtitles and transcript."""

    video: str = ""  # path under content/; the page links files/<video>
    mime: str = "video/mp4"
    size: int = 0
    poster: str | None = None
    subtitles: str | None = None
    cues: list = field(default_factory=list)
    series: str = ""
    series_slug: str = ""
    speaker: str = ""
    duration: int | None = None
    chapters: list[dict] = field(default_factory=list)
    media_token: str = ""  # changes when the video, poster or subtitle file does (the page dependency record)
    folder = "video"

    @property
    def video_url(self) -> str:
        return f"files/{self.video}"

    @property
    def poster_url(self) -> str | None:
        return f"files/{self.poster}" if self.poster else None

    @property
    def subtitles_url(self) -> str | None:
        return f"files/{self.subtitles}" if self.subtitles else None

    @property
    def duration_label(self) -> str:
        return _clock(self.duration)

    @property
    def chapter_rows(self) -> list[tuple[int, str, str]]:
        return [(c["time"], _clock(c["time"]), c["title"]) for c in self.chapters if c.get("time") is not None]

    @property
    def transcript_from_subtitles(self) -> list[str]:
        """The subtitle text as paragraphs, when the submission has no transcript of its own."""
        return [] if self.body_html.strip() else [cue.text for cue in self.cues if cue.text]

    def search_parts(self) -> list[str]:
        """A video is found by what is said in it: its transcript, or else its subtitles."""
        return [*super().search_parts(), self.series, self.speaker, *self.transcript_from_subtitles]

    @property
    def cues_json(self) -> Markup:
        """The cues for the page script: browsers refuse <track> files from file://, so it adds them itself."""
        return _json_markup([[round(c.start, 3), round(c.end, 3), c.text] for c in self.cues])


@dataclass
class Quiz(Item):
    """学习测试: a question bank drawn from, answered and scored in the reader's browser."""

    participants: str = ""
    draw: int = 0
    pass_mark: int = 0
    time_limit: int | None = None
    questions: list[dict] = field(default_factory=list)
    folder = "quiz"

    def question_type_name(self, value: str) -> str:
        return QUESTION_TYPE_NAMES[value]

    def search_parts(self) -> list[str]:
        """A self-test is found by its questions and the sources they cite (not by its answers)."""
        asked = [" ".join([q["question"], *map(str, q["options"]), q["source"] or ""]) for q in self.questions]
        return [*super().search_parts(), *asked]

    @property
    def data_json(self) -> Markup:
        return _json_markup(
            {
                "title": self.title,
                "draw": self.draw,
                "passMark": self.pass_mark,
                "timeLimit": self.time_limit,
                "questions": [
                    {
                        "type": q["type"],
                        "question": q["question"],
                        "options": q["options"],
                        "answer": q["answer"],
                        "explanation": q["explanation"],
                        "source": q["source"],
                    }
                    for q in self.questions
                ],
            }
        )


INTERVIEW_STATES = {"预告": "upcoming", "进行中": "live", "已结束": "ended"}


@dataclass
class Interview(Item):
    """在线访谈: guests, time, how to send questions, and afterwards the record."""

    start: datetime | None = None
    end: datetime | None = None
    guests: list[dict] = field(default_factory=list)
    mailbox: dict | None = None
    record: list[dict] = field(default_factory=list)
    state: str = "预告"
    folder = "interview"

    def at(self, now: datetime) -> None:
        self.state = interview_state(self.start, self.end, now)

    @property
    def state_slug(self) -> str:
        return INTERVIEW_STATES[self.state]

    def search_parts(self) -> list[str]:
        """An interview is found by its guests and, once held, by what was asked and answered."""
        guests = [" ".join(str(v) for v in guest.values() if v) for guest in self.guests]
        record = [f"{entry['question']}\n{entry['answer']}" for entry in self.record]
        return [*super().search_parts(), *guests, *record]


ALERT_STATES = {"生效中": "active", "未生效": "pending", "已失效": "expired"}


@dataclass
class Alert(Item):
    """紧急发布: shown on top of every page between start and expiry (by the reader's clock)."""

    level: str = "yellow"
    start: datetime | None = None
    expires: datetime | None = None
    state: str = "已失效"
    folder = "alert"

    def at(self, now: datetime) -> None:
        self.state = alert_state(self.start, self.expires, now)

    @property
    def level_name(self) -> str:
        return ALERT_LEVEL_NAMES[self.level]

    @property
    def state_slug(self) -> str:
        return ALERT_STATES[self.state]


@dataclass
class SeriesGroup:
    """One 电教 series (专题)."""

    name: str
    slug: str
    items: list[Video]

    @property
    def url(self) -> str:
        return f"video/series/{self.slug}.html"


@dataclass
class DisclosureGroup:
    """One 党务公开 sub-category (公开类别) or one year of the archive."""

    name: str
    slug: str
    items: list[Article]

    @property
    def url(self) -> str:
        return f"disclosure/{self.slug}.html"


@dataclass
class Portal:
    site: SiteSettings
    profile: str
    now: datetime
    orgs: dict[str, Org]
    links: list[dict]
    articles: list[Article]
    notices: list[Notice]
    letters: list[Letter]
    pages: list[Page]
    stats: list[Stats]
    assets: set[str]
    content_dir: Path
    excluded: dict[str, list[str]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # pinyin slugs of names, remembered across builds
    videos: list[Video] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)  # newest start first
    alerts: list[Alert] = field(default_factory=list)

    SECTIONS = (
        ("videos", "党员电教", "video/index.html"),
        ("quizzes", "学习测试", "quiz/index.html"),
        ("interviews", "在线访谈", "interview/index.html"),
    )

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(label, url) of the 电教, 测试 and 访谈 sections this site publishes (navigation shows those only)."""
        return [(label, url) for key, label, url in self.SECTIONS if getattr(self, key)]

    def video_series(self) -> list[SeriesGroup]:
        groups, used = [], set()
        for name, items in _grouped(self.videos, lambda v: v.series).items():
            slug = self.slug_of(name)
            while slug in used or slug.isdigit():
                slug += "-x"
            used.add(slug)
            groups.append(SeriesGroup(name, slug, items))
        return groups

    @property
    def next_interview(self) -> Interview | None:
        """The interview the home page announces: the next one not yet over, else the latest one."""
        coming = [i for i in self.interviews if i.state != "已结束"]
        return coming[-1] if coming else (self.interviews[0] if self.interviews else None)

    @property
    def current_alerts(self) -> list[Alert]:
        """Alerts not yet expired at build time (in force or starting later), the most urgent first."""
        order = [c.value for c in schema.ALERT_LEVELS]
        live = [a for a in self.alerts if a.state != "已失效"]
        return sorted(live, key=lambda a: (order.index(a.level), -(a.start or self.now).timestamp(), a.slug))

    @property
    def categories(self) -> list[Category]:
        return self.site.categories

    @property
    def root_orgs(self) -> list[Org]:
        return [o for o in self.orgs.values() if o.parent is None]

    def articles_in(self, category: Category) -> list[Article]:
        return self._articles_by_category.get(id(category), [])

    @functools.cached_property
    def _articles_by_category(self) -> dict[int, list[Article]]:
        """Articles by id(category), newest first: the page plan, the home page and the feeds each ask per
        category (a pass over 20,000 articles each time, before)."""
        return _grouped(self.articles, lambda a: id(a.category) if a.category else None)

    def link_groups(self) -> list[tuple[str, list[dict]]]:
        groups: dict[str, list[dict]] = defaultdict(list)
        for link in self.links:
            groups[link["group"]].append(link)
        return list(groups.items())

    @property
    def disclosure_category(self) -> Category | None:
        return next((c for c in self.categories if c.kind == "disclosure"), None)

    @property
    def disclosures(self) -> list[Article]:
        return [a for a in self.articles if a.category and a.category.kind == "disclosure"]

    def disclosure_types(self) -> list[DisclosureGroup]:
        """Every configured 公开类别 (empty ones too: readers see the column exists), then any others found."""
        by_type = _grouped(self.disclosures, lambda a: a.disclosure_type)
        groups, used = [], set()
        for name in dict.fromkeys([*self.site.disclosure_types, *by_type]):
            slug = self.slug_of(name)
            while slug in used or slug.isdigit():
                slug += "-x"
            used.add(slug)
            groups.append(DisclosureGroup(name, slug, by_type.get(name, [])))
        return groups

    def slug_of(self, name: str) -> str:
        if name not in self.slugs:
            self.slugs[name] = default_slug("", name)
        return self.slugs[name]

    def disclosure_years(self) -> list[DisclosureGroup]:
        by_year = _grouped(self.disclosures, lambda a: a.year)
        return [DisclosureGroup(f"{y}年", str(y), by_year[y]) for y in sorted(by_year, reverse=True)]

    def letter_orgs(self) -> list[Org]:
        found: list[Org] = []
        for letter in self.letters:
            if letter.org and all(letter.org is not o for o in found):
                found.append(letter.org)
        return found

    def letters_with_status(self, status: str) -> list[Letter]:
        return [letter for letter in self.letters if letter.letter_status == status]

    @property
    def items(self) -> list[Item]:
        return [
            *self.articles,
            *self.notices,
            *self.letters,
            *self.pages,
            *self.stats,
            *self.videos,
            *self.quizzes,
            *self.interviews,
            *self.alerts,
        ]


def notice_state(start: date | None, end: date | None, today: date) -> str:
    if start and today < start:
        return "即将开始"
    if end and today > end:
        return "已结束"
    return "公示中"


def interview_state(start: datetime | None, end: datetime | None, now: datetime) -> str:
    if start is None or now < start:
        return "预告"
    if end is not None and now >= end:
        return "已结束"
    return "进行中"


def alert_state(start: datetime | None, expires: datetime | None, now: datetime) -> str:
    if expires is not None and now >= expires:
        return "已失效"
    if start is not None and now < start:
        return "未生效"
    return "生效中"


def exclusion_reason(document: Document, profile: str, now: datetime) -> str | None:
    fields = document.fields
    if fields["status"] == "draft":
        return "draft"
    return _unpublished(fields["audience"], fields["date"].value if fields.get("date") else None, profile, now)


def _unpublished(audience: str, moment: datetime | None, profile: str, now: datetime) -> str | None:
    """Why an item that is no draft is left out of this build, if it is."""
    if audience == "internal" and profile != "internal":
        return "internal"
    if moment and moment > now:
        return "future"
    return None


BODY_DEPTH = markup.BODY_DEPTH
_FIRST_LOCAL_IMAGE = re.compile(
    r'<img\b(?=[^>]*\bsrc="(?:\.\./)*' + markup.ASSET_PREFIX + r'(?P<src>[^"]+)")(?:[^>]*\balt="(?P<alt>[^"]*)")?'
)


def newest_first(item) -> tuple:
    """The sort key of every newest-first list (with reverse=True): the date, then the slug; undated last."""
    return (item.date or datetime.min.replace(tzinfo=dates.SHANGHAI), item.slug)


def _render_jobs(documents: list[Document]) -> list[tuple[str, str, int]]:
    """Every Markdown text `_Builder.body` will render, so they can be rendered together up front."""
    jobs = []
    for document in documents:
        jobs.append((document.source.body, document.rel, BODY_DEPTH))
        if document.kind == "letter" and document.fields.get("reply"):
            jobs.append((document.fields["reply"], document.rel, BODY_DEPTH))
    return jobs


class ItemCache:
    """Items built before, by source file, kept while the file's bytes and the configuration it was checked
    against are the same (validation's own key): an edit builds one item, not every item of the county.

    Kept without their org and category (the org tree would come along), relinked by code and name when
    taken; their state is set for this build's moment by Item.at. Videos are built every time: their files
    change on their own."""

    TABLE = "items"

    def __init__(self, store: cache.Store | None, fingerprint: str):
        self.store = store if store and store.enabled else None
        self.fingerprint = fingerprint
        self.previous = self.store.read(self.TABLE, cache.SHARDS) if self.store else {}
        self.current: dict[str, tuple] = {}

    def take(self, facts: Facts, orgs: dict[str, Org], site: SiteSettings) -> tuple[Item, frozenset] | None:
        """(the item, the files its body links) as last built, or None."""
        entry = self.previous.get(facts.rel)
        if entry is None or entry[0] != (facts.digest, self.fingerprint):
            return None
        self.current[facts.rel] = entry
        _key, kept, org, category, assets = entry
        item = copy.copy(kept)
        item.org = orgs.get(org) if org else None
        if category is not None:
            item.category = site.category(category)
        return item, assets

    def keep(self, facts: Facts, item: Item, assets: set[str]) -> None:
        if self.store is None or isinstance(item, Video):
            return
        kept = copy.copy(item)
        kept.org, category = None, None
        if isinstance(item, Article) and item.category:
            kept.category, category = None, item.category.name
        org = item.org.code if item.org else None
        self.current[facts.rel] = ((facts.digest, self.fingerprint), kept, org, category, frozenset(assets))

    def save(self) -> None:
        if self.store is None:
            return
        if self.current != self.previous:  # entries taken are the objects read: compared by identity
            self.store.write(self.TABLE, self.current, cache.SHARDS)
        self.store.release(self.TABLE)


class _Builder:
    def __init__(self, validation: Validation, profile: str, now: datetime, store: cache.Store | None = None):
        self.render = markup.CachedRenderer()
        self.validation = validation
        self.profile = profile
        self.now = now
        self.site = validation.site
        self.orgs = _build_orgs(validation.orgs)
        self.assets: set[str] = set()
        self.item_assets: set[str] = set()  # of the item being built
        self.cache = ItemCache(store, validation.fingerprint)

    def body(self, document: Document, text: str) -> str:
        rendered = self.render(text, document.rel, BODY_DEPTH)
        self.item_assets |= rendered.assets
        return rendered.html

    def base(self, document: Document) -> dict:
        f = document.fields
        body_html = self.body(document, document.source.body)
        image = _FIRST_LOCAL_IMAGE.search(body_html)
        return {
            "kind": document.kind,
            "slug": f["slug"],
            "title": f["title"],
            "date": f["date"].value if f.get("date") else None,
            "org": self.orgs.get(f["org"]) if f.get("org") else None,
            "summary": f["summary"],
            "collector": f["collector"],
            "tags": f["tags"],
            "audience": f["audience"],
            "source": document.rel,
            "body_html": body_html,
            "image": markup.ASSET_PREFIX + html.unescape(image.group("src")) if image else None,
            "image_alt": html.unescape(image.group("alt") or "") if image else "",
        }

    def article(self, document: Document) -> Article:
        f = document.fields
        return Article(
            **self.base(document),
            category=self.site.category(f["category"]),
            disclosure_type=f.get("disclosure_type"),
            reviewed_by=f.get("reviewed_by"),
            approved_by=f.get("approved_by"),
            approved_on=f.get("approved_on"),
        )

    def notice(self, document: Document) -> Notice:
        f = document.fields
        return Notice(
            **self.base(document),
            notice_type=f["notice_type"],
            period_start=f["period_start"],
            period_end=f["period_end"],
            contact=f["contact"],
            persons=f["persons"],
            exceptional=f["exceptional"],
            exceptional_reason=f["exceptional_reason"],
        )

    def letter(self, document: Document) -> Letter:
        f = document.fields
        return Letter(
            **self.base(document),
            received=f["received"],
            reply_date=f["reply_date"],
            reply_html=self.body(document, f["reply"]) if f["reply"] else "",
            asker=f["asker"],
            letter_status=f["letter_status"],
        )

    def page(self, document: Document) -> Page:
        return Page(**self.base(document))

    def stats(self, document: Document) -> Stats:
        f = document.fields
        meta = document.source.meta
        return Stats(
            **self.base(document),
            unit=str(meta.get("unit") or ""),
            data_source=str(meta.get("source") or ""),
            columns=f["columns"],
            rows=f["rows"],
        )

    def video(self, document: Document) -> Video:
        f = document.fields
        files = self.validation.media.get(document.rel)
        for path in (files.video, files.poster, files.subtitles) if files else ():
            if path:
                self.item_assets.add(path)
        return Video(
            **self.base(document),
            video=files.video if files else f["file"],
            mime=files.mime if files else "video/mp4",
            size=files.size if files else 0,
            poster=files.poster if files else None,
            subtitles=files.subtitles if files else None,
            cues=files.cues if files else [],
            series=f["series"] or "",
            speaker=f["speaker"],
            duration=f["duration"] if f["duration"] is not None else (files.duration if files else None),
            chapters=f["chapters"],
            media_token=files.token if files else "",
        )

    def quiz(self, document: Document) -> Quiz:
        f = document.fields
        return Quiz(
            **self.base(document),
            participants=f["participants"],
            draw=f["draw"] or len(f["questions"]),
            pass_mark=f["pass_mark"],
            time_limit=f["time_limit"],
            questions=f["questions"],
        )

    def interview(self, document: Document) -> Interview:
        f = document.fields
        start = f["start"].value if f["start"] else None
        end = f["end"].value if f["end"] else (start + timedelta(hours=2) if start else None)
        boxes = self.site.values.get("mailboxes") or []
        mailbox = next((b for b in boxes if isinstance(b, dict) and b.get("name") == f["mailbox"]), None)
        return Interview(
            **self.base(document),
            start=start,
            end=end,
            guests=f["guests"],
            mailbox={k: str(v) for k, v in mailbox.items() if v is not None} if mailbox else None,
            record=[
                {
                    "question": r["question"],
                    "asker": r["asker"] if r["named"] and r["asker"] else ASKER_ANONYMOUS,
                    "answer": r["answer"],
                    "guest": r["guest"],
                }
                for r in f["record"]
            ],
        )

    def alert(self, document: Document) -> Alert:
        f = document.fields
        start = (f["start"] or f["date"]).value
        expires = f["expires"].value if f["expires"] else None
        return Alert(
            **self.base(document),
            level=f["level"],
            start=start,
            expires=expires,
        )

    def _item(self, facts: Facts, taken: tuple | None, document: Document | None) -> tuple[Item | None, str | None]:
        """(the item, None) or (None, why it is left out): from the cache, else built from its document."""
        if facts.draft:
            return None, "draft"
        if taken:
            item, assets = taken
            reason = _unpublished(item.audience, item.date, self.profile, self.now)
        else:
            reason = exclusion_reason(document, self.profile, self.now)
            if not reason:
                self.item_assets = set()
                item, assets = getattr(self, document.kind)(document), self.item_assets
                self.cache.keep(facts, item, assets)
        if reason:
            return None, reason
        self.assets |= assets
        return item, None

    def build(self) -> Portal:
        records: dict[str, list] = defaultdict(list)
        excluded: dict[str, list[str]] = defaultdict(list)
        facts = self.validation.facts
        taken = [None if f.draft else self.cache.take(f, self.orgs, self.site) for f in facts]
        documents = {i: self.validation.document(i) for i, f in enumerate(facts) if not (f.draft or taken[i])}
        published = [d for d in documents.values() if not exclusion_reason(d, self.profile, self.now)]
        self.render.prepare(_render_jobs(published), self.validation.rendered)
        for index, fact in enumerate(facts):
            item, reason = self._item(fact, taken[index], documents.get(index))
            if reason:
                excluded[reason].append(fact.rel)
                continue
            item.at(self.now)
            records[item.kind].append(item)
        self.cache.save()
        for kind in ("article", "notice", "letter", "stats", "video", "quiz", "alert"):
            records[kind].sort(key=newest_first, reverse=True)
        floor = datetime.min.replace(tzinfo=dates.SHANGHAI)
        records["interview"].sort(key=lambda i: (i.start or floor, i.slug), reverse=True)
        records["page"].sort(key=lambda p: p.slug)
        for item in [*records["article"], *records["notice"]]:
            if item.org:
                (item.org.notices if item.kind == "notice" else item.org.items).append(item)
        return Portal(
            self.site,
            self.profile,
            self.now,
            self.orgs,
            self.validation.links,
            records["article"],
            records["notice"],
            records["letter"],
            records["page"],
            records["stats"],
            self.assets,
            self.validation.content_dir,
            dict(excluded),
            videos=records["video"],
            quizzes=records["quiz"],
            interviews=records["interview"],
            alerts=records["alert"],
        )


def _build_orgs(raw_orgs: list[dict]) -> dict[str, Org]:
    orgs = {
        o["code"]: Org(
            o["code"],
            str(o["name"]),
            str(o.get("short_name") or o["name"]),
            o["kind"],
            o["parent"],
            _contact(o.get("contact")),
        )
        for o in raw_orgs
    }
    for org in orgs.values():
        if org.parent_code and org.parent_code in orgs:
            org.parent = orgs[org.parent_code]
            org.parent.children.append(org)
    return orgs


def _contact(raw) -> dict:
    return {k: str(v) for k, v in raw.items() if v is not None} if isinstance(raw, dict) else {}


SLUG_TABLE = "slugs"


def build(validation: Validation, profile: str = "public", now: datetime | None = None, store=None) -> Portal:
    """The portal; with a cache store, items built before from the same file and configuration are reused."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    now = now or dates.now()
    portal = _Builder(validation, profile, now, store).build()
    remember_slugs(portal, store)
    for group in portal.video_series():
        for video in group.items:
            video.series_slug = group.slug
    return portal


def remember_slugs(portal: Portal, store) -> None:
    """Slugs of the disclosure types, kept in the cache: pypinyin's phrase table takes ~1 s to load."""
    known = store.read(SLUG_TABLE) if store else {}
    portal.slugs.update(known)
    names = [*portal.site.disclosure_types, *(a.disclosure_type for a in portal.disclosures if a.disclosure_type)]
    names += [v.series for v in portal.videos if v.series]
    used = {name: portal.slug_of(name) for name in names}
    if store and used != known:
        store.write(SLUG_TABLE, used)


def _grouped(items: list, key) -> dict:
    """Items by a key, in first-seen order of the keys and in the items' order; items without the key left out."""
    groups: dict = {}
    for item in items:
        value = key(item)
        if value:
            groups.setdefault(value, []).append(item)
    return groups
