"""The site health report: the portal judged the way a website inspection judges it.

`inspect(portal, ...)` turns the validated public model into a plain data
structure (`Report`); report_render.py turns that into text, JSON or HTML.
Nothing here prints or re-reads content files.

Rules (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号; see freshness.py for the windows):
- a column whose newest dated item is older than its window is stale; a column with none is empty;
- the home page is stale when its newest item is older than the news window (a failure);
- a letter without a reply for more than 90 days is a failure;
- a footer identifier missing from site.yaml is a failure;
- a broken internal link (from the latest `hongwang check-links` results) is a failure.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ..content import freshness
from ..content.config import IDENTIFIERS
from ..content.validate import validate
from ..core import dates
from ..core.progress import QUIET, Progress
from ..site import model
from ..site.model import Item, Org, Portal
from . import LINK_RESULTS

LETTER_LIMIT_DAYS = 90
NOTICE_LOOKAHEAD_DAYS = 7
ACTIVITY_MONTHS = 12
NOTICES_COLUMN = "公示公告"
STATE_ORDER = {"empty": 0, "stale": 1, "ok": 2}


@dataclass
class Column:
    scope: str  # "site": a category page for the whole county; "org": one org's items in a category
    category: str | None  # None: an org page with nothing published at all
    kind: str
    org: str | None
    org_name: str | None
    url: str
    items: int
    last_update: str | None
    days_since: int | None
    window: str
    stale_since: str | None  # the date from which the column counts as stale
    state: str


@dataclass
class HomePage:
    last_update: str | None
    latest_title: str | None
    days_since: int | None
    window: str
    state: str


@dataclass
class WaitingLetter:
    title: str
    org: str | None
    org_name: str | None
    received: str | None
    days_waiting: int | None
    overdue: bool
    url: str


@dataclass
class NoticeEntry:
    title: str
    org: str | None
    notice_type: str
    start: str | None
    end: str | None
    state: str
    url: str


@dataclass
class OrgActivity:
    org: str
    name: str
    kind: str
    months: list[str]
    counts: list[int]
    total: int
    last_update: str | None
    quiet: bool  # nothing in the whole period


@dataclass
class Failure:
    code: str
    message: str


@dataclass
class Report:
    site: str
    as_of: str
    profile: str
    home: HomePage
    columns: list[Column]
    letters_waiting: list[WaitingLetter]
    notices_current: list[NoticeEntry]
    notices_starting: list[NoticeEntry]
    notices_ending: list[NoticeEntry]
    identifiers_missing: list[dict]
    activity: list[OrgActivity]
    links: dict | None
    failures: list[Failure]
    notes: list[str] = field(default_factory=list)
    content_errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, state: str, scope: str | None = None) -> int:
        return sum(1 for c in self.columns if c.state == state and scope in (None, c.scope))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        data["summary"] = summary(self)
        return data


DEFAULT_LINK_RESULTS = LINK_RESULTS


def from_content(
    content_dir: Path,
    as_of: datetime,
    links_results: Path | None = DEFAULT_LINK_RESULTS,
    progress: Progress = QUIET,
) -> Report:
    """Validate the content, build the public model as of `as_of`, and inspect it (progress: told the files
    checked, core/progress.py)."""
    validation = validate(content_dir, progress=progress)
    portal = model.build(validation, "public", as_of)
    return inspect(portal, as_of, links_results, content_errors=len(validation.errors))


def inspect(portal: Portal, as_of: datetime, links_results: Path | None = None, content_errors: int = 0) -> Report:
    today = as_of.date()
    windows, notes = freshness.windows(portal.site.values)
    notes = [f"site.yaml：{n}，已按默认期限检查" for n in notes]
    home = home_page(portal, today, windows["news"])
    columns = sorted(site_columns(portal, today, windows) + org_columns(portal, today, windows), key=_worst_first)
    letters = waiting_letters(portal, today)
    current, starting, ending = notices_around(portal, today)
    identifiers = [{"key": key, "name": name} for key, name in IDENTIFIERS.items() if not portal.site.values.get(key)]
    links = read_link_results(links_results)
    if links_results is not None and links is None:
        notes.append(f"还没有链接检查结果（{links_results}）：请先运行 hongwang check-links")
    report = Report(
        site=str(portal.site.values.get("name", "")),
        as_of=dates.iso_day(today),
        profile=portal.profile,
        home=home,
        columns=columns,
        letters_waiting=letters,
        notices_current=current,
        notices_starting=starting,
        notices_ending=ending,
        identifiers_missing=identifiers,
        activity=activity(portal, today),
        links=links,
        failures=[],
        notes=notes,
        content_errors=content_errors,
    )
    report.failures = failures(report)
    return report


# ---------------------------------------------------------------- columns


def _day(item: Item) -> date | None:
    return item.date.date() if item.date else None


def _newest(items) -> Item | None:
    dated = [i for i in items if i.date]  # an undated item counts as not updated
    return max(dated, key=lambda i: i.date) if dated else None


def judge(items: list, today: date, window: freshness.Window) -> tuple[str, date | None]:
    newest = _newest(items)
    if not items:
        return "empty", None
    if newest is None:
        return "stale", None
    return ("ok" if _day(newest) >= window.oldest_fresh(today) else "stale"), _day(newest)


def column(
    scope: str, category: str | None, kind: str, org: Org | None, url: str, items: list, today: date, windows: dict
) -> Column:
    window = windows[kind]
    state, last = judge(items, today, window)
    stale_since = dates.iso_day(window.first_stale_day(last)) if last else None
    return Column(
        scope,
        category,
        kind,
        org.code if org else None,
        org.short_name if org else None,
        url,
        len(items),
        dates.iso_day(last) if last else None,
        (today - last).days if last else None,
        window.label,
        stale_since,
        state,
    )


def site_columns(portal: Portal, today: date, windows: dict) -> list[Column]:
    columns = [
        column("site", c.name, c.kind, None, f"category/{c.slug}.html", portal.articles_in(c), today, windows)
        for c in portal.categories
    ]
    columns.append(column("site", NOTICES_COLUMN, "notices", None, "notice/index.html", portal.notices, today, windows))
    for key, name, url in portal.SECTIONS:  # 党员电教, 学习测试, 在线访谈: columns once the site publishes them
        items = getattr(portal, key)
        if items:
            columns.append(column("site", name, "special", None, url, items, today, windows))
    return columns


def org_columns(portal: Portal, today: date, windows: dict) -> list[Column]:
    """Each org × each category it publishes in; an org that has published nothing is one empty column."""
    columns = []
    for org in portal.orgs.values():
        if not org.items and not org.notices:
            columns.append(column("org", None, "news", org, org.url, [], today, windows))
            continue
        for category in portal.categories:
            items = [a for a in org.items if getattr(a, "category", None) is category]
            if items:
                columns.append(column("org", category.name, category.kind, org, org.url, items, today, windows))
        if org.notices:
            columns.append(column("org", NOTICES_COLUMN, "notices", org, org.url, org.notices, today, windows))
    return columns


def _worst_first(c: Column) -> tuple:
    return (STATE_ORDER[c.state], c.scope != "site", -(c.days_since or 0), c.org or "", c.category or "")


def home_page(portal: Portal, today: date, window: freshness.Window) -> HomePage:
    newest = _newest([*portal.articles, *portal.notices, *portal.letters])
    state, last = judge([newest] if newest else [], today, window)
    return HomePage(
        dates.iso_day(last) if last else None,
        newest.title if newest else None,
        (today - last).days if last else None,
        window.label,
        state,
    )


# ---------------------------------------------------------------- letters, notices


def waiting_letters(portal: Portal, today: date) -> list[WaitingLetter]:
    waiting = []
    for letter in portal.letters:
        if letter.letter_status == "已答复" and letter.reply_date:
            continue
        days = (today - letter.received).days if letter.received else None
        waiting.append(
            WaitingLetter(
                letter.title,
                letter.org.code if letter.org else None,
                letter.org.short_name if letter.org else None,
                dates.iso_day(letter.received) if letter.received else None,
                days,
                days is None or days > LETTER_LIMIT_DAYS,
                letter.url,
            )
        )
    return sorted(waiting, key=lambda w: -(w.days_waiting if w.days_waiting is not None else 10**6))


def _notice_entry(notice, state: str) -> NoticeEntry:
    return NoticeEntry(
        notice.title,
        notice.org.code if notice.org else None,
        notice.type_name,
        dates.iso_day(notice.period_start) if notice.period_start else None,
        dates.iso_day(notice.period_end) if notice.period_end else None,
        state,
        notice.url,
    )


def notices_around(portal: Portal, today: date):
    """Notices in their period today; those starting, and those ending, within the next 7 days."""
    soon = today + timedelta(days=NOTICE_LOOKAHEAD_DAYS)
    current, starting, ending = [], [], []
    for notice in sorted(portal.notices, key=lambda n: (n.period_start or today, n.slug)):
        start, end = notice.period_start, notice.period_end
        if not (start and end):
            continue
        if start <= today <= end:
            current.append(_notice_entry(notice, "公示中"))
            if end <= soon:
                ending.append(_notice_entry(notice, "公示中"))
        elif today < start <= soon:
            starting.append(_notice_entry(notice, "即将开始"))
    return current, starting, ending


# ---------------------------------------------------------------- activity


def month_keys(today: date, count: int = ACTIVITY_MONTHS) -> list[str]:
    index = today.year * 12 + today.month - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


def activity(portal: Portal, today: date) -> list[OrgActivity]:
    months = month_keys(today)
    rows = []
    for org in portal.orgs.values():
        items = [*org.items, *org.notices]
        counts = dict.fromkeys(months, 0)
        for item in items:
            day = _day(item)
            if day and day <= today and f"{day.year:04d}-{day.month:02d}" in counts:
                counts[f"{day.year:04d}-{day.month:02d}"] += 1
        newest = _newest(items)
        total = sum(counts.values())
        rows.append(
            OrgActivity(
                org.code,
                org.short_name,
                org.kind_name,
                months,
                list(counts.values()),
                total,
                dates.iso_day(_day(newest)) if newest else None,
                total == 0,
            )
        )
    return rows


# ---------------------------------------------------------------- links, verdict


def read_link_results(path: Path | None) -> dict | None:
    """The summary of the latest `hongwang check-links` results file, if there is one."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"error": f"无法读取链接检查结果 {path}", "internal_broken": [], "external_broken": []}
    internal = data.get("internal") or {}
    external = data.get("external") or {}
    return {
        "file": str(path),
        "checked_at": data.get("checked_at"),
        "internal_checked": internal.get("references", 0),
        "internal_broken": internal.get("broken", []),
        "external_checked": len(external.get("results", [])) if external else None,
        "external_broken": [r for r in external.get("results", []) if not r.get("ok")],
        "redirects": [r for r in external.get("results", []) if r.get("redirects")],
    }


def failures(report: Report) -> list[Failure]:
    found = []
    if report.home.state != "ok":
        when = report.home.last_update or "从未"
        found.append(Failure("home-stale", f"首页最近更新于 {when}，超过 {report.home.window}未更新"))
    for letter in report.letters_waiting:
        if letter.overdue:
            waited = (
                f"已等待 {letter.days_waiting} 天未答复，超过 {LETTER_LIMIT_DAYS} 天"
                if letter.days_waiting is not None
                else "没有收信日期，按超期未答复计"
            )
            found.append(
                Failure("letter-overdue", f"来信“{letter.title}”（{letter.org_name or '未指定单位'}）{waited}")
            )
    for identifier in report.identifiers_missing:
        found.append(
            Failure("identifier-missing", f"site.yaml 缺少 {identifier['key']}（{identifier['name']}），页脚不显示")
        )
    for broken in (report.links or {}).get("internal_broken", []):
        found.append(Failure("link-broken", f"{broken['page']} 中的链接 {broken['ref']} 指向不存在的文件"))
    return found


def summary(report: Report) -> str:
    verdict = f"{len(report.failures)} 项不合格" if report.failures else "没有不合格项"
    overdue = sum(1 for letter in report.letters_waiting if letter.overdue)
    parts = [
        f"栏目 {len(report.columns)} 个：超期未更新 {report.count('stale')} 个，空栏目 {report.count('empty')} 个",
        f"首页{'正常' if report.home.state == 'ok' else '超期未更新'}",
        f"待答复来信 {len(report.letters_waiting)} 件（超过 {LETTER_LIMIT_DAYS} 天 {overdue} 件）",
        f"公示中 {len(report.notices_current)} 个",
        f"缺少页脚标识 {len(report.identifiers_missing)} 项",
    ]
    if report.links is not None:
        parts.append(f"失效内部链接 {len(report.links.get('internal_broken', []))} 个")
    return f"{report.site} {report.as_of} 检查结论：{verdict}。" + "；".join(parts) + "。"
