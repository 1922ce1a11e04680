"""The reader-facing sections of the example portal, asserted on the built HTML.

党务公开 by type and year, organisation hubs, the 回音壁 with static filters,
statistics with build-time SVG charts, contact mailboxes, the partner directory,
the notice calendar shipped for the reader-side script, and the home page budget.
"""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import chinese_calendar
import pytest

from hongwang.pipeline.core import workdays
from hongwang.pipeline.site import charts as stats
from hongwang.pipeline.site.build import build

from support.example import EXAMPLE_NOW
from support.htmlcheck import broken_local_links, text_of

HOME_BUDGET_BYTES = 60 * 1024


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text inside each <tr> / <li> row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[str] = []
        self._row: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self._row, self._depth = [], 0
        if self._row is not None and tag == "td":
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None

    def handle_data(self, data):
        if self._row is not None and data.strip():
            self._row.append(data.strip())


def elements(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def hrefs(path: Path) -> list[str]:
    return [attrs.get("href", "") for tag, attrs in elements(path).tags if tag == "a"]


# ---------------------------------------------------------------- 党务公开


def test_disclosure_section_has_a_page_per_type_and_year_with_scope_org_and_date(example_site):
    out, portal = example_site.output_dir, example_site.portal
    disclosures = portal.disclosures
    assert len(disclosures) >= 8
    main = elements(out / "category/dangwu.html")
    for article in disclosures[:20]:
        row = next(r for r in main.rows if article.title in r)
        assert article.audience_name in row and article.org.short_name in row
        assert article.date.strftime("%Y-%m-%d") in row
    types = portal.disclosure_types()
    assert [t.name for t in types][: len(portal.site.disclosure_types)] == portal.site.disclosure_types
    for group in types:
        page = out / group.url
        assert page.is_file(), group.name
        rows = elements(page).rows[1:]
        assert len([r for r in rows if "暂无" not in r]) == len(group.items)
        assert all(group.name in r for r in rows if "暂无" not in r)
    years = portal.disclosure_years()
    assert len(years) >= 3
    for group in years:
        rows = elements(out / group.url).rows[1:]
        assert len(rows) == len(group.items)
        assert all(f"{group.slug}-" in r for r in rows)
    nav = hrefs(out / "category/dangwu.html")
    assert all(f"../{g.url}" in nav for g in [*types, *years])


def test_disclosure_types_come_from_site_yaml(tmp_path, content):
    site = (content.root / "site.yaml").read_text(encoding="utf-8")
    content.write("site.yaml", site + "disclosure_types: [组织建设, 党费收缴, 其他]\n")
    front = (
        'title: 党费收缴情况\ndate: 2026-03-01\norg: "dz"\ncategory: 党务公开\ndisclosure_type: 党费收缴\n'
        "reviewed_by: 张三\napproved_by: 李四\napproved_on: 2026-02-28"
    )
    content.article("dz/2026/dangfei.md", front)
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    assert result.ok, [d.message for d in result.validation.errors]
    types = result.portal.disclosure_types()
    assert [t.name for t in types] == ["组织建设", "党费收缴", "其他"]
    page = result.output_dir / types[1].url
    assert "党费收缴情况" in text_of(page) and "向社会公开" in text_of(page)
    assert "2026" in [g.slug for g in result.portal.disclosure_years()]


# ---------------------------------------------------------------- organisation hubs


def test_org_hub_shows_contact_children_notices_and_latest_by_category(example_site):
    out, portal = example_site.output_dir, example_site.portal
    org = max(portal.orgs.values(), key=lambda o: (bool(o.notices), len(o.items)))
    text = text_of(out / org.url)
    for value in org.contact.values():
        assert value in text
    for child in org.children:
        assert child.short_name in text
    for notice in org.notices[:3]:
        assert notice.title in text
    for category, items in org.items_by_category(portal.categories):
        assert category.name in text and items[0].title in text
    assert (out / f"org/{org.code}/all.html").is_file()
    assert len(elements(out / f"org/{org.code}/all.html").tags) > 0


def test_org_page_leaves_a_feed_slot_for_the_feeds_step():
    template = (Path(__file__).resolve().parents[2] / "theme/templates/org.html").read_text(encoding="utf-8")
    assert "{% block org_feed %}" in template and "page.feed" in template


def _village_tree(townships: int, villages: int) -> str:
    lines = [
        "orgs:",
        '  - {code: "qx", name: 中共测试县委员会, kind: county}',
        '  - {code: "zzb", name: 中共测试县委组织部, short_name: 县委组织部, kind: department, parent: "qx"}',
    ]
    made = 0
    for t in range(townships):
        lines.append(f'  - {{code: "t{t}", name: 第{t}镇党委, kind: township, parent: "qx"}}')
        for v in range(villages // townships + (1 if t < villages % townships else 0)):
            lines.append(f'  - {{code: "t{t}-v{v}", name: 第{t}镇第{v}村党支部, kind: village, parent: "t{t}"}}')
            made += 1
    assert made == villages
    lines.append('  - {code: "dz", name: 中共东渚镇委员会, short_name: 东渚镇, kind: township, parent: "qx"}')
    return "\n".join(lines) + "\n"


def test_159_villages_stay_navigable_without_javascript(tmp_path, content):
    content.write("orgs.yaml", _village_tree(townships=11, villages=159))
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    assert result.ok, [d.message for d in result.validation.errors]
    out = result.output_dir
    villages = [o for o in result.portal.orgs.values() if o.kind == "village"]
    assert len(villages) == 159
    html = (out / "org/index.html").read_text(encoding="utf-8")
    details = re.findall(r"<details>.*?</details>", html, flags=re.S)
    assert len(details) == 11  # one collapsible group per township that has villages
    linked = {href for block in details for href in re.findall(r'href="\.\./(org/t\d+-v\d+\.html)"', block)}
    assert linked == {v.url for v in villages}
    assert all("<summary>" in block for block in details)
    for village in villages:
        crumbs = text_of(out / village.url)
        assert village.parent.short_name in crumbs and "组织机构" in crumbs
    assert broken_local_links(out) == []


# ---------------------------------------------------------------- 回音壁


def test_response_wall_lists_dates_org_status_and_days_and_filters_statically(example_site):
    out, portal = example_site.output_dir, example_site.portal
    rows = elements(out / "letters/index.html").rows[1:]
    assert len(rows) == len(portal.letters)
    for letter in portal.letters:
        row = next(r for r in rows if letter.title in r)
        assert letter.received.isoformat() in row and letter.org.short_name in row and letter.letter_status in row
        if letter.reply_date:
            assert letter.reply_date.isoformat() in row and f"{letter.days_to_reply} 天" in row
        else:
            assert f"已受理 {(EXAMPLE_NOW.date() - letter.received).days} 天" in row
    for status, slug in (("已答复", "replied"), ("办理中", "pending")):
        page_rows = elements(out / f"letters/status/{slug}.html").rows[1:]
        expected = [x for x in portal.letters if x.letter_status == status]
        assert expected and len(page_rows) == len(expected)
        assert all(status in r for r in page_rows)
    for org in portal.letter_orgs():
        page_rows = elements(out / f"letters/org/{org.code}.html").rows[1:]
        assert len(page_rows) == sum(1 for x in portal.letters if x.org is org)
        assert f"../../letters/org/{org.code}.html" in hrefs(out / "letters/status/replied.html")
    current = [
        attrs
        for tag, attrs in elements(out / "letters/status/pending.html").tags
        if tag == "a" and attrs.get("aria-current") == "page"
    ]
    assert [a["href"] for a in current] == ["../../letters/status/pending.html"]


# ---------------------------------------------------------------- statistics


def test_stats_pages_have_accessible_table_svg_chart_and_csv(example_site):
    out = example_site.output_dir
    assert len(example_site.portal.stats) >= 2
    kinds = set()
    for table in example_site.portal.stats:
        html = (out / table.url).read_text(encoding="utf-8")
        svg = re.search(r'<svg class="chart"[^>]*>.*?</svg>', html, flags=re.S).group(0)
        assert 'role="img"' in svg and 'aria-label="' in svg and "<title>" in svg and "<desc" in svg
        kinds.add("line" if "<polyline" in svg else "bar")
        if "<polyline" in svg:
            assert svg.count("<circle") == len(table.rows) * (len(table.columns) - 1)
        else:
            assert svg.count('class="bar"') == len(table.rows) * (len(table.columns) - 1)
        assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
        assert '<th scope="col">' in html and '<th scope="row">' in html and "<caption>" in html
        with (out / table.csv_url).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == table.columns and len(rows) == len(table.rows) + 1
        assert f'href="../{table.csv_url}"' in html
    assert kinds == {"line", "bar"}


def test_nice_ticks_and_chart_choice():
    assert stats.nice_ticks(0, 3377) == [0, 1000, 2000, 3000, 4000]
    assert stats.nice_ticks(0, 0.8) == [0, 0.2, 0.4, 0.6, 0.8]
    years = stats.chart_html("a", "党费", "万元", ["年度", "收缴"], [["2024", 1.5], ["2025", 2.5]])
    places = stats.chart_html("b", "党员", "人", ["单位", "2024"], [["东渚镇", 10], ["横塘镇", 20]])
    assert "<polyline" in years and "折线图" in years
    assert "<polyline" not in places and "柱状图" in places and "东渚镇" in places
    assert stats.chart_html("c", "名单", "", ["单位", "书记"], [["东渚镇", "张三"]]) is None
    hostile = stats.chart_html("d", "<b>标题</b>", "", ["单位", "<i>"], [["<x>", 1]])
    assert "<b>" not in hostile and "<i>" not in hostile and "<x>" not in hostile


# ---------------------------------------------------------------- contact, links


def test_contact_page_lists_every_mailbox_with_mailto_address_and_purpose(example_site):
    page = example_site.output_dir / "contact.html"
    text, links = text_of(page), hrefs(page)
    mailboxes = example_site.portal.site.values["mailboxes"]
    assert {m["name"] for m in mailboxes} >= {"书记信箱", "部长信箱", "党代表信箱", "荐稿信箱", "举报信箱"}
    for box in mailboxes:
        assert box["name"] in text and box["address"] in text and box["purpose"] in text
        assert any(h.startswith(f"mailto:{box['email']}") for h in links)
    assert "../contact.html" in hrefs(example_site.output_dir / "org/index.html")


def test_partner_links_are_grouped_and_noopener(example_site):
    page = example_site.output_dir / "links.html"
    text = text_of(page)
    for group, _links in example_site.portal.link_groups():
        assert group in text
    main = page.read_text(encoding="utf-8").split("<main", 1)[1].split("</main>", 1)[0]  # the footer links beian too
    parser = _Elements()
    parser.feed(main)
    external = [attrs for tag, attrs in parser.tags if tag == "a" and attrs.get("href", "").startswith("http")]
    assert len(external) == len(example_site.portal.links)
    assert all("noopener" in attrs.get("rel", "").split() for attrs in external)


# ---------------------------------------------------------------- notices between builds


def _calendar_json(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="hw-workdays">(.*?)</script>', html, flags=re.S)
    return json.loads(match.group(1))


def test_notice_pages_ship_the_official_working_day_exceptions(example_site):
    out = example_site.output_dir
    notice = example_site.portal.notices[0]
    data = _calendar_json(out / notice.url)
    assert data == _calendar_json(out / "index.html") == _calendar_json(out / "notice/index.html")
    assert 2026 in data["years"]
    for iso in data["holidays"]:
        assert chinese_calendar.is_holiday(date.fromisoformat(iso)) and date.fromisoformat(iso).weekday() < 5
    for iso in data["workdays"]:
        assert chinese_calendar.is_workday(date.fromisoformat(iso)) and date.fromisoformat(iso).weekday() >= 5
    assert "2026-10-01" in data["holidays"] and "2026-10-10" in data["workdays"]
    spans = [attrs for tag, attrs in elements(out / notice.url).tags if "data-notice-start" in attrs]
    assert spans and spans[0]["data-notice-start"] == notice.period_start.isoformat()
    assert "hw-workdays" not in (out / "links.html").read_text(encoding="utf-8")


def test_working_day_exceptions_skip_years_nobody_knows():
    data = workdays.exceptions(workdays.Calendar(), [2026, 2199])
    assert data["years"] == [2026]
    override = workdays.Calendar(extra_holidays={date(2199, 1, 1)}, override_years={2199})
    assert "2199-01-01" in workdays.exceptions(override, [2199])["holidays"]


# ---------------------------------------------------------------- reading comfort and budget


def test_every_page_has_skip_link_breadcrumbs_and_the_text_size_toggle(example_site):
    out = example_site.output_dir
    for rel in ["org/dz.html", "notice/index.html", "letters/index.html", "category/dangwu.html", "contact.html"]:
        html = (out / rel).read_text(encoding="utf-8")
        assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
        assert 'aria-label="当前位置"' in html
        assert 'id="text-size"' in html and " hidden>" in html  # shown only when the script runs


def test_home_page_html_css_and_js_stay_under_60_kb(example_site):
    out = example_site.output_dir
    home = out / "index.html"
    assets = [
        os.path.normpath(attrs.get("href") or attrs.get("src"))
        for tag, attrs in elements(home).tags
        if (tag == "link" and attrs.get("rel") == "stylesheet") or (tag == "script" and attrs.get("src"))
    ]
    assert {"theme/css/site.css", "theme/js/portal.js"} <= set(assets)
    total = home.stat().st_size + sum((out / a).stat().st_size for a in assets)
    print(f"home page budget: {total} bytes of {HOME_BUDGET_BYTES}")
    assert total < HOME_BUDGET_BYTES


@pytest.mark.parametrize("rel", ["index.html", "org/index.html", "stats/dangfei.html"])
def test_pages_load_nothing_from_other_hosts(example_site, rel):
    for tag, attrs in elements(example_site.output_dir / rel).tags:
        if tag in ("link", "script", "img", "iframe", "source", "video", "audio"):
            ref = attrs.get("src") or (attrs.get("href") if tag == "link" else None) or ""
            assert not re.match(r"^(https?:)?//", ref), (rel, ref)


def test_a_site_without_disclosure_column_letters_or_stats_still_builds(tmp_path, content):
    site = (content.root / "site.yaml").read_text(encoding="utf-8")
    content.write("site.yaml", site.replace("  - {name: 党务公开, slug: dangwu, kind: disclosure}\n", ""))
    content.article("dz/2026/a.md", 'title: 一条动态\ndate: 2026-01-05\norg: "dz"\ncategory: 党建动态')
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    assert result.ok, [d.message for d in result.validation.errors]
    out = result.output_dir
    assert not (out / "disclosure").exists()
    assert "暂无来信" in text_of(out / "letters/index.html")
    assert "hw-workdays" in (out / "index.html").read_text(encoding="utf-8")
    assert broken_local_links(out) == []


# ---------------------------------------------------------------- structure readers expect (issue 17)


def nav_labels(path: Path) -> list[str]:
    html = path.read_text(encoding="utf-8")
    bar = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", bar)


def test_notices_have_one_place_holding_both_notices_and_notice_columns(example_site):
    out, portal = example_site.output_dir, example_site.portal
    labels = nav_labels(out / "index.html")
    assert labels.count("公示公告") == 1 and "通知公告" not in labels
    columns = [c for c in portal.categories if c.kind == "notices"]
    notices_text = text_of(out / "notice/index.html")
    for item in [*portal.notices[:3], *(a for c in columns for a in portal.articles_in(c))][:8]:
        assert item.title in notices_text
    home = (out / "index.html").read_text(encoding="utf-8")
    assert home.count('class="panel panel-notices"') == 1 and 'id="h-cat-tongzhi"' not in home
    column = out / f"category/{columns[0].slug}.html"
    assert "../notice/index.html" in hrefs(column)  # the column page leads back to the one place
    crumbs = column.read_text(encoding="utf-8").split('aria-label="当前位置"', 1)[1].split("</nav>", 1)[0]
    assert "公示公告" in crumbs


def test_one_mailbox_page_and_a_way_to_write_from_the_letters_wall(example_site):
    out, portal = example_site.output_dir, example_site.portal
    assert not (out / "page/mailboxes.html").exists()
    contact = text_of(out / "contact.html")
    assert "办理与回复" in contact and "12380举报" in contact  # the text of content/pages/mailboxes.md
    assert 'id="mailboxes"' in (out / "contact.html").read_text(encoding="utf-8")
    for page in ["index.html", "letters/index.html", "org/dz.html"]:
        assert not [h for h in hrefs(out / page) if "page/mailboxes.html" in h], page
    assert "../contact.html#mailboxes" in hrefs(out / "letters/index.html")
    assert "我要写信" in text_of(out / "letters/index.html")
    assert any(p.slug == "mailboxes" for p in portal.pages)  # still content: the web team edits its text


def test_a_township_gathers_its_villages_items_and_a_village_lists_its_own_notices(example_site):
    out, portal = example_site.output_dir, example_site.portal
    township = next(o for o in portal.orgs.values() if o.kind == "township" and o.descendant_items)
    page = text_of(out / township.url)
    assert "各村（社区）动态" in page
    for item in township.descendant_items[:5]:
        assert item.title in page and item.org is not township
    assert (out / f"org/{township.code}/villages.html").is_file()
    village = next(o for o in portal.orgs.values() if o.kind == "village" and o.notices)
    page = text_of(out / village.url)
    assert "本村（社区）公示公告" in page and all(n.title in page for n in village.notices)
    quiet = next(o for o in portal.orgs.values() if o.kind == "village" and not o.notices)
    assert "暂无公示公告" in text_of(out / quiet.url)


def test_the_404_page_links_from_the_site_root_so_it_works_at_any_depth(example_site):
    out = example_site.output_dir
    links = hrefs(out / "404.html")
    assert "/index.html" in links and "/notice/index.html" in links
    assert all(h.startswith(("/", "#", "http", "mailto:")) for h in links), links
    html = (out / "404.html").read_text(encoding="utf-8")
    assert 'href="/theme/css/site.css"' in html and 'src="/theme/js/portal.js"' in html
    assert "../" not in html


def test_the_12380_line_takes_the_area_code_of_the_site_phone_unless_configured(tmp_path, content):
    content.article("dz/a.md", 'title: 一条动态\ndate: 2026-01-05\norg: "dz"\ncategory: 党建动态')
    out = build(content.root, tmp_path / "out", now=EXAMPLE_NOW).output_dir
    assert "tel:051212380" in hrefs(out / "index.html")
    site = (content.root / "site.yaml").read_text(encoding="utf-8")
    content.write("site.yaml", site + 'report_phone: "0512-6712380"\n')
    out = build(content.root, tmp_path / "out2", now=EXAMPLE_NOW).output_dir
    assert "tel:05126712380" in hrefs(out / "index.html") and "0512-6712380" in text_of(out / "index.html")
