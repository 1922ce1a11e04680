"""Sources → diagnostics and normalised documents. Never prints, never raises on content.

The same checks serve `hongwang validate` and `hongwang build`: the build uses
the normalised documents this module returns, so what validates is what builds.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import aliases, cache, dates, lint, load, markup, parallel, privacy, urls, workdays
from .diagnostics import Diagnostic, diag, sort_key

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORG_CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

KINDS = ("article", "notice", "letter", "page", "stats")
AUDIENCES = ("public", "internal")
STATUSES = ("published", "draft")
NOTICE_TYPES = ("cadre", "member-development", "member-conversion", "other")
LETTER_STATUSES = ("已答复", "办理中")
ORG_KINDS = ("county", "township", "department", "village", "branch")
CATEGORY_KINDS = ("news", "notices", "policy", "disclosure")

COMMON_KEYS = {"kind", "title", "slug", "summary", "audience", "status", "collector", "tags", "date"}
KEYS = {
    "article": COMMON_KEYS | {"org", "category", "disclosure_type", "reviewed_by", "approved_by", "approved_on"},
    "notice": COMMON_KEYS | {"org", "category", "notice_type", "period", "contact", "persons",
                             "exceptional", "exceptional_reason"},
    "letter": COMMON_KEYS | {"org", "received", "asker", "reply", "reply_date"},
    "page": COMMON_KEYS,
    "stats": COMMON_KEYS | {"org", "unit", "source", "columns", "rows", "csv", "year", "category"},
}
REQUIRED = {
    "article": ("title", "date", "org", "category"),
    "notice": ("title", "date", "org", "notice_type", "period", "contact", "persons"),
    "letter": ("title", "received", "org", "status"),
    "page": ("title",),
    "stats": ("title",),
}
FIELD_NAMES = {
    "kind": "类型", "title": "标题", "date": "日期", "org": "单位", "category": "栏目",
    "audience": "公开范围", "status": "状态", "collector": "采集员", "tags": "标签",
    "summary": "摘要", "slug": "网址名", "notice_type": "公示类型", "period": "公示期",
    "contact": "反映渠道", "persons": "公示对象", "received": "收信日期", "reply": "答复",
    "reply_date": "答复日期", "disclosure_type": "公开类别", "reviewed_by": "审核人",
    "approved_by": "批准人", "approved_on": "审批日期",
}
PERSON_REQUIRED = {
    "cadre": ("name", "gender", "birth", "current_post", "proposed_post"),
    "member-development": ("name", "gender", "birth", "branch"),
    "member-conversion": ("name", "gender", "birth", "branch"),
    "other": ("name",),
}
PERSON_NAMES = {v: k for k, v in aliases.PERSON_ALIASES.items()}
DEFAULT_NOTICE_MIN_WORKDAYS = {"cadre": 5, "member-development": 5, "member-conversion": 5, "other": 0}
DEFAULT_DISCLOSURE_TYPES = ["党的领导", "思想建设", "组织建设", "干部选拔任用", "党员发展",
                            "作风建设", "纪律建设", "廉政建设", "其他"]
DEFAULT_CATEGORIES = [
    {"name": "党建动态", "slug": "dongtai", "kind": "news"},
    {"name": "党务公开", "slug": "dangwu", "kind": "disclosure"},
    {"name": "通知公告", "slug": "tongzhi", "kind": "notices"},
]
IDENTIFIERS = {"host": "主办单位", "icp": "ICP备案号", "police_record": "公安机关备案号",
               "site_code": "网站标识码", "phone": "联系电话"}


@dataclass
class Category:
    name: str
    slug: str
    kind: str


@dataclass
class SiteSettings:
    values: dict
    categories: list[Category]
    disclosure_types: list[str]
    notice_min_workdays: dict[str, int]
    calendar: workdays.Calendar

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if name in (c.name, c.slug)), None)


@dataclass
class Document:
    """A validated submission: canonical keys, normalised values, still tied to its source."""

    source: "load.Source"
    kind: str
    fields: dict

    @property
    def rel(self) -> str:
        return self.source.rel


@dataclass
class Validation:
    content_dir: Path
    site: SiteSettings
    orgs: list[dict]
    links: list[dict]
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: dict = field(default_factory=dict)  # bodies the markup check rendered, for the build to reuse

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def did_you_mean(word: str, candidates) -> str:
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.5)
    return f"，您是不是要写“{matches[0]}”" if matches else ""


# ---------------------------------------------------------------- configuration

def check_site(config: load.Config, calendar_data) -> tuple[SiteSettings, list[Diagnostic]]:
    found = list(config.diagnostics)
    values = config.value if isinstance(config.value, dict) else {}
    if config.path.exists() and not isinstance(config.value, dict):
        found.append(diag(config.rel, 1, "site-config", "site.yaml 不是“键: 值”形式"))
    if not values.get("name"):
        found.append(diag(config.rel, 1, "site-config", "site.yaml 缺少 name（网站名称）",
                          "加一行 name: 某某红网"))
    categories = _check_categories(config, values.get("categories"), found)
    for key, label in IDENTIFIERS.items():
        if not values.get(key):
            found.append(diag(config.rel, 1, "site-identifier-missing",
                              f"site.yaml 缺少 {key}（{label}），页脚将不显示",
                              f"在 site.yaml 中加一行 {key}: ……"))
    if values.get("siteurl") and not urls.SITE_URL.match(str(values["siteurl"]).strip().rstrip("/")):
        found.append(diag(config.rel, config.tree.line(("siteurl",)), "site-config",
                          f"网站地址 siteurl“{values['siteurl']}”不是 http(s) 网址",
                          "写成 siteurl: https://www.example.gov.cn（订阅和网站地图要用完整网址）"))
    rules = values.get("notice_rules") if isinstance(values.get("notice_rules"), dict) else {}
    minimums = dict(DEFAULT_NOTICE_MIN_WORKDAYS)
    for notice_type, rule in rules.items():
        days = rule.get("min_workdays") if isinstance(rule, dict) else rule
        if notice_type in minimums and isinstance(days, int) and days >= 0:
            minimums[notice_type] = days
        else:
            found.append(diag(config.rel, config.tree.line(("notice_rules", notice_type)), "site-config",
                              f"notice_rules 中“{notice_type}”无法识别",
                              f"公示类型只能是 {'、'.join(NOTICE_TYPES)}，值写 min_workdays: 5"))
    disclosure_types = values.get("disclosure_types")
    if not (isinstance(disclosure_types, list) and all(isinstance(t, str) for t in disclosure_types)):
        disclosure_types = DEFAULT_DISCLOSURE_TYPES
    settings = SiteSettings(values, categories, list(disclosure_types), minimums,
                            workdays.from_config(calendar_data))
    return settings, found


def _check_categories(config: load.Config, raw, found: list) -> list[Category]:
    if raw is None:
        return [Category(**c) for c in DEFAULT_CATEGORIES]
    categories: list[Category] = []
    if not isinstance(raw, list):
        found.append(diag(config.rel, config.tree.line(("categories",)), "site-config",
                          "categories 应为栏目列表", "每个栏目写成 - {name: 党建动态, slug: dongtai, kind: news}"))
        return [Category(**c) for c in DEFAULT_CATEGORIES]
    for index, item in enumerate(raw):
        line = config.tree.line(("categories", index))
        if not isinstance(item, dict) or not item.get("name"):
            found.append(diag(config.rel, line, "site-config", "栏目缺少 name"))
            continue
        slug, kind = str(item.get("slug", "")), item.get("kind", "news")
        if not SLUG.match(slug):
            found.append(diag(config.rel, line, "site-config", f"栏目“{item['name']}”的 slug“{slug}”不合规",
                              "slug 用小写字母、数字和连字符，如 dongtai"))
            continue
        if kind not in CATEGORY_KINDS:
            found.append(diag(config.rel, line, "value-invalid", f"栏目“{item['name']}”的 kind“{kind}”无法识别",
                              f"kind 只能是 {'、'.join(CATEGORY_KINDS)}"))
            kind = "news"
        categories.append(Category(str(item["name"]), slug, kind))
    return categories


def check_orgs(config: load.Config) -> tuple[list[dict], list[Diagnostic]]:
    found = list(config.diagnostics)
    raw = config.value.get("orgs") if isinstance(config.value, dict) else config.value
    if not isinstance(raw, list):
        if config.path.exists() and not found:
            found.append(diag(config.rel, 1, "site-config", "orgs.yaml 应包含 orgs: 单位列表"))
        return [], found
    orgs, codes = [], set()
    for index, item in enumerate(raw):
        line = config.tree.line(("orgs", index))
        if not isinstance(item, dict):
            found.append(diag(config.rel, line, "site-config", "单位条目不是“键: 值”形式"))
            continue
        code = str(item.get("code", "")).strip()
        kind = aliases.canonical_value("org_kind", item.get("kind", ""))
        if not ORG_CODE.match(code):
            found.append(diag(config.rel, line, "site-config", f"单位代码“{code}”不合规",
                              "代码用小写字母、数字和连字符，如 dz-hq，并加英文引号"))
            continue
        if code in codes:
            found.append(diag(config.rel, line, "site-config", f"单位代码“{code}”重复"))
            continue
        if kind not in ORG_KINDS or not item.get("name"):
            found.append(diag(config.rel, line, "site-config", f"单位“{code}”缺少名称或类型不对",
                              f"kind 只能是 {'、'.join(ORG_KINDS)}"))
            continue
        codes.add(code)
        orgs.append({**item, "code": code, "kind": kind,
                     "parent": str(item["parent"]).strip() if item.get("parent") else None,
                     "_line": line})
    for org in orgs:
        if org["parent"] and org["parent"] not in codes:
            found.append(diag(config.rel, org["_line"], "site-config",
                              f"单位“{org['code']}”的上级“{org['parent']}”不存在{did_you_mean(org['parent'], codes)}"))
            org["parent"] = None
    return orgs, found


def check_links(config: load.Config, org_codes: set[str]) -> tuple[list[dict], list[Diagnostic]]:
    found = list(config.diagnostics)
    raw = config.value.get("links") if isinstance(config.value, dict) else config.value
    if not isinstance(raw, list):
        return [], found
    links = []
    for index, item in enumerate(raw):
        line = config.tree.line(("links", index))
        if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
            found.append(diag(config.rel, line, "site-config", "链接缺少 name 或 url"))
            continue
        url = str(item["url"]).strip()
        if not re.match(r"^https?://[^\s/]+", url):
            found.append(diag(config.rel, line, "site-config", f"链接“{item['name']}”的网址“{url}”不是 http(s) 地址",
                              "网址以 http:// 或 https:// 开头"))
            continue
        if item.get("org") and str(item["org"]) not in org_codes:
            found.append(diag(config.rel, line, "org-unknown", f"链接“{item['name']}”的单位“{item['org']}”不存在"))
        links.append({"name": str(item["name"]), "url": url, "group": str(item.get("group") or "友情链接"),
                      "org": str(item["org"]) if item.get("org") else None})
    return links, found


# ---------------------------------------------------------------- submissions

class _Checker:
    """Checks one source; collects diagnostics and the normalised fields."""

    def __init__(self, source: load.Source, site: SiteSettings, orgs: dict[str, dict]):
        self.source = source
        self.site = site
        self.orgs = orgs
        self.meta = source.meta
        self.found: list[Diagnostic] = []
        self.fields: dict = {}

    def report(self, key_path: tuple, code: str, detail: str, fix: str | None = None) -> None:
        self.found.append(diag(self.source.rel, self.source.line(*key_path), code, detail, fix))

    def kind(self) -> str | None:
        raw = aliases.canonical_value("kind", self.meta.get("kind"))
        if raw is None:
            first = self.source.rel.split("/", 1)[0]
            return "page" if first == "pages" else "stats" if first == "stats" and not self.source.is_markdown \
                else "article"
        if raw not in KINDS:
            self.report(("kind",), "value-invalid", f"类型“{raw}”无法识别{did_you_mean(raw, KINDS)}",
                        f"kind 只能是 {'、'.join(KINDS)}（或不写，默认为文章）")
            return None
        return raw

    def run(self) -> Document | None:
        kind = self.kind()
        if kind is None:
            return None
        self.check_keys(kind)
        for key in REQUIRED[kind]:
            if self.meta.get(key) in (None, "", [], {}):
                name = FIELD_NAMES.get(key, key)
                self.report((key,) if key in self.meta else (), "required-missing",
                            f"缺少必填字段 {key}（{name}）", f"在信息块中加一行“{key}: ……”（也可写“{name}: ……”）")
        self.fields = {"kind": kind}
        self.common()
        getattr(self, f"check_{kind}")()
        return Document(self.source, kind, self.fields)

    def check_keys(self, kind: str) -> None:
        allowed = KEYS[kind]
        names = set(allowed) | {a for a, k in aliases.SUBMISSION_ALIASES.items() if k in allowed}
        for key in self.meta:
            if key not in allowed:
                hint = did_you_mean(key, names)
                self.report((key,), "unknown-key", f"字段“{key}”无法识别{hint}",
                            "改正字段名，或删除该行（可用字段见 README 的字段表）")

    # --- shared fields

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.report((key,), "value-type", f"{key}（{FIELD_NAMES.get(key, key)}）应为一段文字")
            return None
        return str(value).strip()

    def choice(self, key: str, allowed: tuple, default: str, alias_field: str | None = None) -> str:
        raw = self.meta.get(key)
        if raw is None:
            return default
        value = aliases.canonical_value(alias_field or key, raw)
        if value not in allowed:
            self.report((key,), "value-invalid", f"{key}（{FIELD_NAMES.get(key, key)}）的值“{raw}”无法识别"
                        f"{did_you_mean(value, allowed)}", f"只能是 {'、'.join(allowed)}")
            return default
        return value

    def date(self, key: str, *path) -> dates.ParsedDate | None:
        container = self.meta
        for part in path:
            container = container.get(part) if isinstance(container, dict) else None
        raw = container.get(key) if isinstance(container, dict) else None
        if raw is None:
            return None
        parsed = dates.parse(raw)
        key_path = (*path, key)
        if parsed is None:
            self.report(key_path, "date-invalid", f"{'.'.join(map(str, key_path))} 的日期“{raw}”无法识别")
        elif parsed.normalised:
            fixed = dates.iso_day(parsed.value) + (parsed.value.strftime(" %H:%M") if parsed.has_time else "")
            self.report(key_path, "date-normalised", f"日期“{raw}”已按 {fixed} 读取",
                        f"写成 {fixed}" if not parsed.has_time else f"写成 \"{fixed}\"")
        return parsed

    def org(self) -> str | None:
        raw = self.meta.get("org")
        if raw in (None, ""):
            return None
        code = str(raw).strip()
        if code in self.orgs:
            return code
        by_name = {o["name"]: c for c, o in self.orgs.items()} | \
                  {o.get("short_name"): c for c, o in self.orgs.items() if o.get("short_name")}
        if code in by_name:
            fix = f"单位要写代码，“{code}”的代码是 {by_name[code]}，请写 org: \"{by_name[code]}\""
            self.report(("org",), "org-unknown", f"单位“{code}”写的是名称而不是代码", fix)
        else:
            self.report(("org",), "org-unknown", f"单位代码“{code}”不存在{did_you_mean(code, self.orgs)}")
        return None

    def common(self) -> None:
        f = self.fields
        f["title"] = self.text("title") or ""
        f["summary"] = self.text("summary") or ""
        f["collector"] = self.text("collector") or ""
        f["audience"] = self.choice("audience", AUDIENCES, "public")
        f["status"] = self.choice("status", STATUSES, "published") if f["kind"] != "letter" else "published"
        f["tags"] = self.tags()
        f["date"] = self.date("date")
        f["org"] = self.org() if "org" in KEYS[f["kind"]] else None
        f["slug"] = self.slug()

    def tags(self) -> list[str]:
        raw = self.meta.get("tags")
        if raw is None:
            return []
        if isinstance(raw, str):
            return [t for t in re.split(r"[,，、;；\s]+", raw) if t]
        if isinstance(raw, list) and all(isinstance(t, (str, int)) for t in raw):
            return [str(t) for t in raw]
        self.report(("tags",), "value-type", "tags（标签）应为列表", "写成 tags: [书记培训, 基层治理]")
        return []

    def slug(self) -> str:
        raw = self.meta.get("slug")
        if raw is not None:
            slug = str(raw).strip()
            if SLUG.match(slug) and len(slug) <= 80:
                return slug
            self.report(("slug",), "slug-invalid", f"网址名“{slug}”不合规")
        return default_slug(self.source.path.stem, self.fields.get("title", ""))

    # --- per kind

    def check_article(self) -> None:
        raw = self.meta.get("category")
        category = self.site.category(str(raw).strip()) if raw is not None else None
        if raw is not None and category is None:
            names = [c.name for c in self.site.categories]
            self.report(("category",), "category-unknown", f"栏目“{raw}”不存在{did_you_mean(raw, names)}",
                        f"改为已有栏目之一：{'、'.join(names)}")
        self.fields["category"] = category.name if category else None
        if category and category.kind == "disclosure":
            self.check_disclosure()

    def check_disclosure(self) -> None:
        f = self.fields
        raw_type = self.text("disclosure_type")
        if raw_type and raw_type not in self.site.disclosure_types:
            self.report(("disclosure_type",), "value-invalid",
                        f"公开类别“{raw_type}”无法识别{did_you_mean(raw_type, self.site.disclosure_types)}",
                        f"只能是 {'、'.join(self.site.disclosure_types)}")
            raw_type = None
        f["disclosure_type"] = raw_type or "其他"
        f["reviewed_by"] = self.text("reviewed_by")
        f["approved_by"] = self.text("approved_by")
        approved = self.date("approved_on")
        f["approved_on"] = approved.day if approved else None
        missing = [k for k in ("reviewed_by", "approved_by", "approved_on") if not f[k]]
        if missing and f["audience"] == "public":
            self.report(tuple(missing[:1]) if missing[0] in self.meta else (), "review-missing",
                        f"党务公开内容缺少 {'、'.join(missing)}，未经审核审批不能向社会公开")

    def check_notice(self) -> None:
        f = self.fields
        f["notice_type"] = self.choice("notice_type", NOTICE_TYPES, "other")
        f["category"] = None
        self.check_period()
        f["contact"] = self.contact()
        f["persons"] = self.persons()
        f["exceptional"] = self.meta.get("exceptional") is True
        f["exceptional_reason"] = self.text("exceptional_reason")
        if f["exceptional"] and not f["exceptional_reason"]:
            self.report(("exceptional",), "exceptional-reason-missing", "破格提拔（exceptional: true）没有说明理由")

    def check_period(self) -> None:
        f = self.fields
        period = self.meta.get("period")
        if period is not None and not isinstance(period, dict):
            self.report(("period",), "value-type", "公示期应写开始和结束两项",
                        "写成两行：period: 下一行缩进写 start: 2026-11-17，再下一行写 end: 2026-11-23")
            period = None
        start = self.date("start", "period") if period else None
        end = self.date("end", "period") if period else None
        if period is not None:
            for key, value in (("start", start), ("end", end)):
                if key not in period:
                    self.report(("period",), "required-missing", f"公示期缺少 {key}",
                                f"在 period 下加一行“  {key}: 2026-11-20”")
        f["period_start"] = start.day if start else None
        f["period_end"] = end.day if end else None
        if not (start and end):
            return
        if end.day < start.day:
            self.report(("period", "end"), "period-order",
                        f"公示期结束日期 {dates.iso_day(end.day)} 早于开始日期 {dates.iso_day(start.day)}")
            return
        self.check_workdays(start.day, end.day)

    def check_workdays(self, start, end) -> None:
        calendar = self.site.calendar
        uncovered = calendar.uncovered_years(start, end)
        if uncovered:
            years = "、".join(map(str, uncovered))
            self.report(("period",), "calendar-uncovered",
                        f"节假日日历不含 {years} 年，无法准确计算工作日，已暂按周一至周五计算")
        minimum = self.site.notice_min_workdays.get(self.fields["notice_type"], 0)
        count = calendar.count_workdays(start, end)
        if count < minimum:
            needed = calendar.end_for(start, minimum)
            self.report(("period", "end"), "period-too-short",
                        f"公示期 {dates.iso_day(start)} 至 {dates.iso_day(end)} 只有 {count} 个工作日，"
                        f"少于规定的 {minimum} 个工作日",
                        f"把结束日期改为 {dates.iso_day(needed)} 或更晚")

    def contact(self) -> dict:
        raw = self.meta.get("contact")
        if raw is None:
            return {}
        if isinstance(raw, str):
            return {"text": raw.strip()}
        if not isinstance(raw, dict) or not any(raw.get(k) for k in ("phone", "address", "email")):
            self.report(("contact",), "contact-missing", "反映渠道中没有电话、地址或邮箱")
            return {}
        return {k: str(v).strip() for k, v in raw.items() if v not in (None, "")}

    def persons(self) -> list[dict]:
        raw = self.meta.get("persons")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.report(("persons",), "value-type", "公示对象应为人员列表", "每个人员以“- name: 姓名”开头")
            return []
        required = PERSON_REQUIRED.get(self.fields["notice_type"], ("name",))
        persons = []
        for index, person in enumerate(raw):
            if not isinstance(person, dict):
                self.report(("persons", index), "value-type", f"第 {index + 1} 位人员信息不是“键: 值”形式")
                continue
            person = {k: v for k, v in person.items() if v is not None}
            missing = [k for k in required if person.get(k) in (None, "")]
            if missing:
                labels = "、".join(f"{k}（{PERSON_NAMES.get(k, k)}）" for k in missing)
                who = person.get("name") or f"第 {index + 1} 位"
                self.report(("persons", index), "person-field-missing", f"人员“{who}”缺少 {labels}")
            if "birth" in person:
                person["birth"] = self.birth(person["birth"], index)
            persons.append({k: str(v) for k, v in person.items()})
        return persons

    def birth(self, raw, index: int) -> str:
        month = dates.parse_month(str(raw))
        if month:
            return f"{month[0]:04d}-{month[1]:02d}"
        parsed = dates.parse(raw)
        if parsed:
            self.report(("persons", index, "birth"), "birth-too-precise",
                        f"出生年月“{raw}”写到了具体日期，公示不得公开完整出生日期",
                        f"改为 {parsed.value.year:04d}-{parsed.value.month:02d}")
            return f"{parsed.value.year:04d}-{parsed.value.month:02d}"
        self.report(("persons", index, "birth"), "date-invalid", f"出生年月“{raw}”无法识别", "写成 1982-05")
        return ""

    def check_letter(self) -> None:
        f = self.fields
        f["status"] = "published"
        f["letter_status"] = self.choice("status", LETTER_STATUSES, "办理中", alias_field="letter_status")
        received = self.date("received")
        reply_date = self.date("reply_date")
        f["received"] = received.day if received else None
        f["reply_date"] = reply_date.day if reply_date else None
        f["reply"] = self.text("reply") or ""
        f["asker"] = self.text("asker") or ""
        if f["letter_status"] == "已答复" and not (f["reply"] and f["reply_date"]):
            self.report(("status",), "required-missing", "状态为“已答复”但缺少 reply（答复）或 reply_date（答复日期）",
                        "补上答复内容和答复日期，或把 status 改为 办理中")
        if f["received"] and f["reply_date"] and f["reply_date"] < f["received"]:
            self.report(("reply_date",), "period-order", "答复日期早于收信日期", "检查两个日期")
        if f["date"] is None and received:
            f["date"] = received

    def check_page(self) -> None:
        self.fields["category"] = None

    def check_stats(self) -> None:
        from . import stats

        self.fields["category"] = None
        table, problems = stats.read_table(self.source, self.meta)
        for key_path, detail, fix in problems:
            self.report(key_path, "stats-shape", detail, fix)
        self.fields.update(table)


def default_slug(stem: str, title: str) -> str:
    """The file name when it is already a good slug, else the pinyin of the title."""
    stem = stem.lower()
    if SLUG.match(stem) and len(stem) <= 80:
        return stem
    from pypinyin import lazy_pinyin

    words = lazy_pinyin(title or stem, errors=lambda chars: [c for c in chars if c.isascii() and c.isalnum()])
    slug = "-".join(w.lower() for w in words if re.match(r"^[A-Za-z0-9]+$", w))
    slug = slug[:60].strip("-") or "item"
    return slug


# ---------------------------------------------------------------- entry point

def validate_config(content_dir: Path) -> Validation:
    """Only the site configuration: site.yaml, orgs.yaml, links.yaml, calendar.yaml."""
    content_dir = content_dir.resolve()
    calendar_config = load.load_config(content_dir / "calendar.yaml", content_dir, {})
    site_config = load.load_site_config(content_dir)
    site, diagnostics = check_site(site_config, calendar_config.value)
    diagnostics += calendar_config.diagnostics
    orgs_config = load.load_orgs_config(content_dir)
    orgs, found = check_orgs(orgs_config)
    diagnostics += found
    links_config = load.load_links_config(content_dir)
    links, found = check_links(links_config, {o["code"] for o in orgs})
    diagnostics += found
    for config in (site_config, orgs_config, links_config):
        diagnostics += privacy.scan_config(config)
    return Validation(content_dir, site, orgs, links, diagnostics=diagnostics)


def validate(content_dir: Path, only: list[Path] | None = None, store: "cache.Store | None" = None) -> Validation:
    """Validate the whole content tree (or only the given paths, with the full config).

    With a cache store, a file whose bytes and the configuration it is checked
    against are unchanged is not parsed or checked again; misses are checked on
    every core. Files with errors are never cached: they are the ones being fixed.
    """
    with cache.cycle_collector_paused():
        return _validate(content_dir, only, store)


def _validate(content_dir: Path, only: list[Path] | None, store: "cache.Store | None") -> Validation:
    result = validate_config(content_dir)
    diagnostics = result.diagnostics
    org_index = {o["code"]: o for o in result.orgs}
    paths = load.submission_files(result.content_dir, only)
    for found, document in _check_files(paths, result, org_index, store or cache.Store(None), bool(only)):
        diagnostics += found
        if document:
            result.documents.append(document)
    diagnostics += _check_unique_slugs(result.documents)
    diagnostics += lint.check(result)
    result.diagnostics = sorted(diagnostics, key=sort_key)
    return result


def check_source(source: load.Source, site: SiteSettings, org_index: dict[str, dict],
                 rendered: dict | None = None) -> tuple[Document | None, list[Diagnostic]]:
    """One loaded submission → its document (None if unusable) and every diagnostic about it.

    `rendered`, when given, collects the bodies rendered for the markup check so the build reuses them."""
    found = list(source.diagnostics)
    if not source.readable:
        return None, found
    checker = _Checker(source, site, org_index)
    document = checker.run()
    found += checker.found
    if document:
        found += privacy.scan(document)
        found += check_markup(document, rendered)
        found += check_field_markup(document)
    return document, found


def check_markup(document: Document, rendered_sink: dict | None = None) -> list[Diagnostic]:
    """Warn where the HTML sanitiser will change what the author wrote; refuse paths leaving content/."""
    source = document.source
    found = []
    texts = [(source.body, source.body_line)]
    if document.fields.get("reply"):
        texts.append((document.fields["reply"], source.line("reply") + 1))
    for text, first_line in texts:
        if not text.strip():
            continue
        rendered = markup.render(text, source.rel, markup.BODY_DEPTH)  # the depth the build renders at
        if rendered_sink is not None:
            rendered_sink[markup.CachedRenderer.key(text, source.rel, markup.BODY_DEPTH)] = rendered
        if rendered.removed_parts:
            parts = "、".join(rendered.removed_parts[:5])
            line = _line_of(text, first_line, rendered.removed_parts[0])
            found.append(diag(source.rel, line, "html-sanitised", f"第 {line} 行起的 HTML 中 {parts} 不安全，发布时会被删除"))
        for path in dict.fromkeys(rendered.escaped_paths):
            line = _line_of(text, first_line, path)
            found.append(diag(source.rel, line, "path-outside", f"第 {line} 行引用的“{path}”在内容目录之外，不会发布"))
    return found


_MARKUP_IN_TEXT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|javascript:", re.IGNORECASE)


def check_field_markup(document: Document) -> list[Diagnostic]:
    """Front-matter text is shown as typed (escaped), so HTML there would appear as literal code."""
    source = document.source
    found = []
    for key_path, text in privacy.strings(source.meta):
        match = _MARKUP_IN_TEXT.search(text)
        if match:
            name = ".".join(map(str, key_path))
            found.append(diag(source.rel, source.line(*key_path), "html-sanitised",
                              f"{name} 中的“{match.group()[:30]}”不会生效，页面上会原样显示这些符号",
                              f"删除 {name} 中的 HTML 标记，只写文字"))
    return found


def _line_of(text: str, first_line: int, needle: str) -> int:
    """The line where needle (or its first word) first appears in text; first_line if it does not."""
    if '="' in needle:
        probe = needle.split('="', 1)[1].rstrip('"')
    else:
        probe = needle.strip("<>=") or needle
    offset = text.lower().find(probe.lower())
    return first_line + (text.count("\n", 0, offset) if offset >= 0 else 0)


def _check_file(path: Path, content_dir: Path, site: SiteSettings, org_index: dict,
                data: bytes | None = None) -> tuple:
    rendered: dict = {}
    document, found = check_source(load.load_source(path, content_dir, data), site, org_index, rendered)
    return found, document, rendered


def _config_fingerprint(result: Validation, org_index: dict) -> str:
    """What a document's checks read besides the file: site settings, calendar, org codes."""
    parts = [str(result.content_dir)]
    for name in ("site.yaml", "calendar.yaml"):
        path = result.content_dir / name
        parts.append(cache.sha256(path.read_bytes()) if path.is_file() else "-")
    parts.append(repr(sorted((code, o.get("kind"), o.get("parent")) for code, o in org_index.items())))
    return cache.sha256("\0".join(parts).encode())


def _check_files(paths: list[Path], result: Validation, org_index: dict, store: "cache.Store",
                 partial: bool) -> list[tuple[list, Document | None]]:
    fingerprint = _config_fingerprint(result, org_index)
    previous = store.read("documents")
    kept: dict[str, tuple] = {}
    outcomes: list = [None] * len(paths)
    missing: list[tuple[int, str]] = []
    file_digest = cache.FileDigests(store, load.MAX_FILE_BYTES)
    for index, path in enumerate(paths):
        digest = file_digest(path)
        entry = previous.get(str(path))
        if digest and entry and entry[0] == (digest, fingerprint):
            outcomes[index] = entry[1]
            kept[str(path)] = entry
        else:
            missing.append((index, digest))
    # Workers check exactly the bytes that were hashed (forked, they share the parent's copy).
    checked = parallel.run(lambda job: _check_file(paths[job[0]], result.content_dir, result.site, org_index,
                                                   file_digest.contents.get(str(paths[job[0]]))), missing)
    file_digest.contents.clear()
    for (index, digest), (found, document, rendered) in zip(missing, checked):
        outcome = (found, document)
        outcomes[index] = outcome
        result.rendered.update(rendered)
        if document is not None:
            document.source.digest = digest
        if digest and not any(d.is_error for d in found):
            kept[str(paths[index])] = ((digest, fingerprint), outcome)
    if missing or len(kept) != len(previous):
        store.write("documents", {**previous, **kept} if partial else kept)
    file_digest.save(partial)
    return outcomes


def _check_unique_slugs(documents: list[Document]) -> list[Diagnostic]:
    seen: dict[tuple[str, str], Document] = {}
    found = []
    for document in documents:
        key = (document.kind, document.fields["slug"])  # each kind has its own URL folder
        if key in seen:
            other = seen[key]
            line = document.source.line("slug") if "slug" in document.source.meta else 1
            found.append(diag(document.rel, line, "slug-duplicate", f"网址名“{key[1]}”与 {other.rel} 重复",
                              f"在信息块中加一行 slug: {key[1]}-2（或其他不重复的网址名）"))
        else:
            seen[key] = document
    return found

