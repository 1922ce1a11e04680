"""What is searchable: every published item and every organisation, as a search document.

A document's searchable text is its title, its summary and its parts (`Item.search_parts`: the body,
the issuing organisation's name, a notice's persons and posts, a letter's reply…). Its card — what a
result shows and what the browser checks a long query against — holds all of it. `token` stands for
everything the card is made from without reading the text, so an unchanged document costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from ...core import dates
from ..model import Alert, Article, Interview, Item, Letter, Notice, Org, Page, Portal, Quiz, Stats, Video
from .text import html_text

KIND_NAMES = ((Article, "文章"), (Notice, "公示"), (Letter, "来信"), (Page, "页面"), (Stats, "统计"), (Video, "视频"),
              (Quiz, "测试"), (Interview, "访谈"), (Alert, "紧急发布"))  # fmt: skip
ORG_KIND = "单位"
SECTION_OF = {Notice: "公示公告", Letter: "回音壁", Stats: "数据统计", Video: "党员电教", Quiz: "学习测试",
              Interview: "在线访谈", Alert: "紧急发布"}  # fmt: skip
EPOCH = date(1970, 1, 1)


@dataclass
class SearchDocument:
    key: str  # "item:<source file>" or "org:<code>": what its id is made from
    url: str
    title: str
    kind: str  # 类型
    org: str  # 单位 (short name)
    section: str  # 栏目
    day: int  # days since 1970-01-01 (Beijing date), 0 when undated: sorting and 年份
    date_label: str
    token: str
    source: Item | Org = field(repr=False)

    def parts(self) -> tuple[str, list[str]]:
        """(summary, the rest of the searchable text as plain text)."""
        if isinstance(self.source, Org):
            org = self.source
            return "", [org.short_name, org.kind_name, *org.contact.values()]
        pieces = [html_text(p) if isinstance(p, Markup) else str(p) for p in self.source.search_parts()]
        return self.source.summary, [p for p in pieces if p]

    def card(self) -> list[str]:
        """[url, title, date label, org, kind, section, summary, text]: the result line and the text to check."""
        summary, rest = self.parts()
        fields = [self.url, self.title, self.date_label, self.org, self.kind, self.section, summary, "\n".join(rest)]
        return [unicodedata.normalize("NFC", f) for f in fields]  # the browser maps positions in NFC text


def collect(portal: Portal, item_tokens: dict[int, str] | None = None) -> list[SearchDocument]:
    """Every searchable document of the portal, in key order.

    item_tokens: the build's page-record tokens of items (a source file's digest stands for its text)."""
    found = [_item(item, portal, item_tokens) for item in portal.items]
    found += [_org(org) for org in portal.orgs.values()]
    return sorted(found, key=lambda d: d.key)


def _kind(item: Item) -> str:
    return next((name for kind, name in KIND_NAMES if isinstance(item, kind)), "其他")


def _item(item: Item, portal: Portal, item_tokens: dict[int, str] | None) -> SearchDocument:
    section = item.category.name if isinstance(item, Article) and item.category else SECTION_OF.get(type(item), "")
    org = item.org.short_name if item.org else ""
    day = _day(item.date)
    label = dates.cn_date(item.date) if item.date else ""
    made_of = (item_tokens or {}).get(id(item), "")  # no page record: no update will compare tokens
    token = _joined_digest((made_of, item.url, item.title, org, item.org.name if item.org else "", section, label))
    return SearchDocument("item:" + item.source, item.url, item.title, _kind(item), org, section, day, label, token,
                          item)  # fmt: skip


def _org(org: Org) -> SearchDocument:
    token = _digest([org.url, org.name, org.short_name, org.kind_name, sorted(org.contact.items())])
    return SearchDocument("org:" + org.code, org.url, org.name, ORG_KIND, org.short_name, "", 0, "", token, org)


def _day(moment: datetime | None) -> int:
    return (moment.date() - EPOCH).days if moment else 0


def _joined_digest(parts: tuple[str, ...]) -> str:
    """The digest of a few strings (JSON-encoding them, 20,000 times, was 3 % of an edit's build)."""
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _digest(value) -> str:
    return hashlib.blake2b(json.dumps(value, ensure_ascii=False).encode("utf-8"), digest_size=12).hexdigest()
