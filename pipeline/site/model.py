"""Validated documents → the typed portal model the theme renders.

The profile decides what is published: drafts never, future-dated items not
before their date, `internal` items only in an internal build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..content import markup, schema
from ..content.documents import Category, Document, SiteSettings, Validation
from ..content.slugs import default_slug
from ..core import dates

PROFILES = ("public", "internal")
# The labels pages show, as the schema declares them.
NOTICE_TYPE_NAMES = {t.value: t.label for t in schema.NOTICE_TYPES}
ORG_KIND_NAMES = {c.value: c.label for c in schema.ORG_KINDS}
AUDIENCE_NAMES = {c.value: c.label for c in schema.AUDIENCES}
PERSON_COLUMNS = {f.key: f.label for f in schema.PERSON_FIELDS}
CONTACT_NAMES = {**{f.key: f.label for f in schema.CONTACT_FIELDS}, "text": schema.CONTACT_TEXT_LABEL}


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

    def descendants(self) -> list[Org]:
        found = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


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

    @property
    def days_to_reply(self) -> int | None:
        if self.received and self.reply_date:
            return (self.reply_date - self.received).days
        return None

    @property
    def status_slug(self) -> str:
        return LETTER_STATUS_SLUGS[self.letter_status]


@dataclass
class Page(Item):
    folder = "page"


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

    @property
    def categories(self) -> list[Category]:
        return self.site.categories

    @property
    def root_orgs(self) -> list[Org]:
        return [o for o in self.orgs.values() if o.parent is None]

    def articles_in(self, category: Category) -> list[Article]:
        return [a for a in self.articles if a.category is category]

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
        return [*self.articles, *self.notices, *self.letters, *self.pages, *self.stats]


def notice_state(start: date | None, end: date | None, today: date) -> str:
    if start and today < start:
        return "即将开始"
    if end and today > end:
        return "已结束"
    return "公示中"


def exclusion_reason(document: Document, profile: str, now: datetime) -> str | None:
    fields = document.fields
    if fields["status"] == "draft":
        return "draft"
    if fields["audience"] == "internal" and profile != "internal":
        return "internal"
    if fields.get("date") and fields["date"].value > now:
        return "future"
    return None


BODY_DEPTH = markup.BODY_DEPTH


def _render_jobs(documents: list[Document]) -> list[tuple[str, str, int]]:
    """Every Markdown text `_Builder.body` will render, so they can be rendered together up front."""
    jobs = []
    for document in documents:
        jobs.append((document.source.body, document.rel, BODY_DEPTH))
        if document.kind == "letter" and document.fields.get("reply"):
            jobs.append((document.fields["reply"], document.rel, BODY_DEPTH))
    return jobs


class _Builder:
    def __init__(self, validation: Validation, profile: str, now: datetime, render=markup.render):
        self.render = render
        self.validation = validation
        self.profile = profile
        self.now = now
        self.site = validation.site
        self.orgs = _build_orgs(validation.orgs)
        self.assets: set[str] = set()

    def body(self, document: Document, text: str) -> str:
        rendered = self.render(text, document.rel, BODY_DEPTH)
        self.assets |= rendered.assets
        return rendered.html

    def base(self, document: Document) -> dict:
        f = document.fields
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
            "body_html": self.body(document, document.source.body),
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
            state=notice_state(f["period_start"], f["period_end"], self.now.date()),
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
            days_open=(self.now.date() - f["received"]).days
            if f["letter_status"] == "办理中" and f["received"]
            else None,
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

    def build(self) -> Portal:
        records: dict[str, list] = defaultdict(list)
        excluded: dict[str, list[str]] = defaultdict(list)
        for document in self.validation.documents:
            reason = exclusion_reason(document, self.profile, self.now)
            if reason:
                excluded[reason].append(document.rel)
                continue
            records[document.kind].append(getattr(self, document.kind)(document))
        newest_first = lambda item: (item.date or datetime.min.replace(tzinfo=dates.SHANGHAI), item.slug)  # noqa: E731
        for kind in ("article", "notice", "letter", "stats"):
            records[kind].sort(key=newest_first, reverse=True)
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
    """The portal; with a cache store, bodies rendered before (same text, same file) are reused."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    now = now or dates.now()
    renderer = markup.CachedRenderer(store)
    renderer.prepare(
        _render_jobs([d for d in validation.documents if not exclusion_reason(d, profile, now)]), validation.rendered
    )
    portal = _Builder(validation, profile, now, renderer).build()
    renderer.save()
    remember_slugs(portal, store)
    return portal


def remember_slugs(portal: Portal, store) -> None:
    """Slugs of the disclosure types, kept in the cache: pypinyin's phrase table takes ~1 s to load."""
    known = store.read(SLUG_TABLE) if store else {}
    portal.slugs.update(known)
    names = [*portal.site.disclosure_types, *(a.disclosure_type for a in portal.disclosures if a.disclosure_type)]
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
