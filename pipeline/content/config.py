"""The site's configuration files → settings, the org tree and the partner links, with diagnostics.

site.yaml (name, identifiers, categories, notice rules, disclosure types), orgs.yaml,
links.yaml and calendar.yaml are checked before any submission: every submission
is checked against them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core import urls, workdays
from ..core.diagnostics import Diagnostic, diag
from . import aliases, invisible, load, privacy, schema
from .aliases import did_you_mean
from .documents import Category, SiteSettings, Validation
from .schema import ORG_CODE_PATTERN, SLUG_PATTERN

NOTICE_TYPES = tuple(t.value for t in schema.NOTICE_TYPES)
ORG_KINDS = tuple(c.value for c in schema.ORG_KINDS)
CATEGORY_KINDS = schema.CATEGORY_KINDS
DEFAULT_NOTICE_MIN_WORKDAYS = {t.value: t.min_workdays for t in schema.NOTICE_TYPES}
DEFAULT_DISCLOSURE_TYPES = [
    "党的领导",
    "思想建设",
    "组织建设",
    "干部选拔任用",
    "党员发展",
    "作风建设",
    "纪律建设",
    "廉政建设",
    "其他",
]
DEFAULT_CATEGORIES = [
    {"name": "党建动态", "slug": "dongtai", "kind": "news"},
    {"name": "党务公开", "slug": "dangwu", "kind": "disclosure"},
    {"name": "通知公告", "slug": "tongzhi", "kind": "notices"},
]
IDENTIFIERS = {key: next(f.label for f in schema.SITE.fields if f.key == key) for key in schema.IDENTIFIER_KEYS}


def check_site(config: load.Config, calendar_data) -> tuple[SiteSettings, list[Diagnostic]]:
    found = list(config.diagnostics)
    values = config.value if isinstance(config.value, dict) else {}
    if config.path.exists() and not isinstance(config.value, dict):
        found.append(diag(config.rel, 1, "site-config", "site.yaml 不是“键: 值”形式"))
    if not values.get("name"):
        found.append(diag(config.rel, 1, "site-config", "site.yaml 缺少 name（网站名称）", "加一行 name: 某某红网"))
    categories = _check_categories(config, values.get("categories"), found)
    for key, label in IDENTIFIERS.items():
        if not values.get(key):
            found.append(
                diag(
                    config.rel,
                    1,
                    "site-identifier-missing",
                    f"site.yaml 缺少 {key}（{label}），页脚将不显示",
                    f"在 site.yaml 中加一行 {key}: ……",
                )
            )
    if values.get("siteurl") and not urls.SITE_URL.match(str(values["siteurl"]).strip().rstrip("/")):
        found.append(
            diag(
                config.rel,
                config.tree.line(("siteurl",)),
                "site-config",
                f"网站地址 siteurl“{values['siteurl']}”不是 http(s) 网址",
                "写成 siteurl: https://www.example.gov.cn（订阅和网站地图要用完整网址）",
            )
        )
    rules = values.get("notice_rules") if isinstance(values.get("notice_rules"), dict) else {}
    minimums = dict(DEFAULT_NOTICE_MIN_WORKDAYS)
    for notice_type, rule in rules.items():
        days = rule.get("min_workdays") if isinstance(rule, dict) else rule
        if notice_type in minimums and isinstance(days, int) and days >= 0:
            minimums[notice_type] = days
        else:
            found.append(
                diag(
                    config.rel,
                    config.tree.line(("notice_rules", notice_type)),
                    "site-config",
                    f"notice_rules 中“{notice_type}”无法识别",
                    f"公示类型只能是 {'、'.join(NOTICE_TYPES)}，值写 min_workdays: 5",
                )
            )
    disclosure_types = values.get("disclosure_types")
    if not (isinstance(disclosure_types, list) and all(isinstance(t, str) for t in disclosure_types)):
        disclosure_types = DEFAULT_DISCLOSURE_TYPES
    settings = SiteSettings(values, categories, list(disclosure_types), minimums, workdays.from_config(calendar_data))
    return settings, found


def _check_categories(config: load.Config, raw, found: list) -> list[Category]:
    if raw is None:
        return [Category(**c) for c in DEFAULT_CATEGORIES]
    categories: list[Category] = []
    if not isinstance(raw, list):
        found.append(
            diag(
                config.rel,
                config.tree.line(("categories",)),
                "site-config",
                "categories 应为栏目列表",
                "每个栏目写成 - {name: 党建动态, slug: dongtai, kind: news}",
            )
        )
        return [Category(**c) for c in DEFAULT_CATEGORIES]
    for index, item in enumerate(raw):
        line = config.tree.line(("categories", index))
        if not isinstance(item, dict) or not item.get("name"):
            found.append(diag(config.rel, line, "site-config", "栏目缺少 name"))
            continue
        slug, kind = str(item.get("slug", "")), item.get("kind", "news")
        if not SLUG_PATTERN.match(slug):
            found.append(
                diag(
                    config.rel,
                    line,
                    "site-config",
                    f"栏目“{item['name']}”的 slug“{slug}”不合规",
                    "slug 用小写字母、数字和连字符，如 dongtai",
                )
            )
            continue
        if kind not in CATEGORY_KINDS:
            found.append(
                diag(
                    config.rel,
                    line,
                    "value-invalid",
                    f"栏目“{item['name']}”的 kind“{kind}”无法识别",
                    f"kind 只能是 {'、'.join(CATEGORY_KINDS)}",
                )
            )
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
        if not ORG_CODE_PATTERN.match(code):
            found.append(
                diag(
                    config.rel,
                    line,
                    "site-config",
                    f"单位代码“{code}”不合规",
                    "代码用小写字母、数字和连字符，如 dz-hq，并加英文引号",
                )
            )
            continue
        if code in codes:
            found.append(diag(config.rel, line, "site-config", f"单位代码“{code}”重复"))
            continue
        if kind not in ORG_KINDS or not item.get("name"):
            found.append(
                diag(
                    config.rel,
                    line,
                    "site-config",
                    f"单位“{code}”缺少名称或类型不对",
                    f"kind 只能是 {'、'.join(ORG_KINDS)}",
                )
            )
            continue
        codes.add(code)
        orgs.append(
            {
                **item,
                "code": code,
                "kind": kind,
                "parent": str(item["parent"]).strip() if item.get("parent") else None,
                "_line": line,
            }
        )
    for org in orgs:
        if org["parent"] and org["parent"] not in codes:
            found.append(
                diag(
                    config.rel,
                    org["_line"],
                    "site-config",
                    f"单位“{org['code']}”的上级“{org['parent']}”不存在{did_you_mean(org['parent'], codes)}",
                )
            )
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
            found.append(
                diag(
                    config.rel,
                    line,
                    "site-config",
                    f"链接“{item['name']}”的网址“{url}”不是 http(s) 地址",
                    "网址以 http:// 或 https:// 开头",
                )
            )
            continue
        if item.get("org") and str(item["org"]) not in org_codes:
            found.append(diag(config.rel, line, "org-unknown", f"链接“{item['name']}”的单位“{item['org']}”不存在"))
        links.append(
            {
                "name": str(item["name"]),
                "url": url,
                "group": str(item.get("group") or "友情链接"),
                "org": str(item["org"]) if item.get("org") else None,
            }
        )
    return links, found


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
        diagnostics += invisible.scan_config(config)
    return Validation(content_dir, site, orgs, links, diagnostics=diagnostics)
