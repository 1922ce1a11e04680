"""RSS/Atom feeds, sitemap.xml and robots.txt as feed readers and crawlers see them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from typer.testing import CliRunner

from hongwang.cli import app
from hongwang.pipeline.site import feeds
from hongwang.pipeline.site.build import NO_SITE_URL, build

from support.htmlcheck import parse

SITE_URL = "https://www.qingxi.example.gov.cn"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feed_files(output: Path) -> list[Path]:
    return sorted((output / "feeds").rglob("*.xml"))


def local_path(output: Path, url: str, site_url: str = SITE_URL) -> Path:
    """Map an absolute site URL back to the file in output/ it names."""
    assert url.startswith(site_url + "/"), url
    return output / unquote(urlsplit(url).path[len(urlsplit(site_url).path) :].lstrip("/"))


@pytest.fixture(scope="module")
def parsed_feeds(example_site):
    return {path: feedparser.parse(path.read_bytes()) for path in feed_files(example_site.output_dir)}


def test_every_feed_exists_in_both_formats(example_site):
    out, portal = example_site.output_dir, example_site.portal
    expected = (
        {"all"}
        | {f"category/{c.slug}" for c in portal.categories}
        | {"notices", "letters"}
        | {"videos", "interviews", "alerts"}  # 党员电教, 在线访谈, 紧急发布: each section has its own feed
        | {f"org/{code}" for code in portal.orgs}
    )
    village_codes = [o.code for o in portal.orgs.values() if o.kind == "village"]
    assert len(village_codes) >= 10
    for key in expected:
        assert (out / f"feeds/{key}.rss.xml").is_file(), key
        assert (out / f"feeds/{key}.atom.xml").is_file(), key
    assert len(feed_files(out)) == 2 * len(expected)
    assert example_site.post.feeds.feeds == len(expected)


def test_feeds_parse_cleanly_with_absolute_links_that_resolve(example_site, parsed_feeds):
    out = example_site.output_dir
    for path, parsed in parsed_feeds.items():
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version in ("rss20", "atom10"), path
        assert parsed.feed.title.startswith("青溪红网"), path
        assert local_path(out, parsed.feed.link).is_file(), (path, parsed.feed.link)
        for entry in parsed.entries:
            assert entry.title and entry.id, path
            assert local_path(out, entry.link).is_file(), (path, entry.link)
            assert entry.published_parsed is not None
            for href in _content_links(entry):
                assert href.startswith(("http://", "https://", "mailto:", "#")), (path, href)


def _content_links(entry) -> list[str]:
    found = []
    for content in entry.get("content", []):
        collector = parse_html(content.value)
        found += collector.refs
    return found


def parse_html(text: str):
    from support.htmlcheck import _Collector

    collector = _Collector()
    collector.feed(text)
    return collector


def test_rss_structure(example_site):
    for path in (example_site.output_dir / "feeds").rglob("*.rss.xml"):
        root = ElementTree.parse(path).getroot()
        assert root.tag == "rss" and root.get("version") == "2.0", path
        channel = root.find("channel")
        for required in ("title", "link", "description"):
            assert (channel.findtext(required) or "").strip(), (path, required)
        assert channel.findtext("language") == "zh-CN"
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href").endswith(str(path).split("/output/")[1])
        guids = []
        for item in channel.findall("item"):
            assert item.findtext("title") and item.findtext("link"), path
            guid = item.find("guid")
            assert guid is not None and guid.get("isPermaLink") == "false"
            guids.append(guid.text)
            assert item.findtext("pubDate").endswith("+0800"), path
        assert len(guids) == len(set(guids)), path


def test_atom_structure(example_site):
    for path in (example_site.output_dir / "feeds").rglob("*.atom.xml"):
        root = ElementTree.parse(path).getroot()
        assert root.tag == f"{ATOM}feed", path
        for required in ("id", "title", "updated"):
            assert root.findtext(f"{ATOM}{required}"), (path, required)
        assert root.find(f"{ATOM}author/{ATOM}name") is not None  # entries need not repeat it
        assert root.find(f"{ATOM}link[@rel='self']") is not None
        ids = []
        for entry in root.findall(f"{ATOM}entry"):
            for required in ("id", "title", "updated"):
                assert entry.findtext(f"{ATOM}{required}"), (path, required)
            assert entry.findtext(f"{ATOM}updated").endswith("+08:00")
            assert entry.find(f"{ATOM}link").get("href").startswith(SITE_URL + "/")
            ids.append(entry.findtext(f"{ATOM}id"))
        assert len(ids) == len(set(ids)), path


def test_feed_contents_follow_the_portal(example_site, parsed_feeds):
    out, portal = example_site.output_dir, example_site.portal
    site = parsed_feeds[out / "feeds/all.atom.xml"]
    dates = [e.published_parsed for e in site.entries]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert len(site.entries) == min(feeds.FEED_LIMIT, len(portal.articles) + len(portal.notices) + len(portal.letters))
    notices = parsed_feeds[out / "feeds/notices.rss.xml"]
    assert len(notices.entries) == len(portal.notices)
    for entry in notices.entries:
        assert "公示期：" in entry.summary  # the period travels with the item
    cadre = next(e for e in notices.entries if e.title == "青溪县委组织部关于干部任前公示的公告")
    assert "拟任乡镇党委书记" in cadre.content[0].value
    village = next(o for o in portal.orgs.values() if o.kind == "village" and (o.items or o.notices))
    org_feed = parsed_feeds[out / f"feeds/org/{village.code}.atom.xml"]
    assert {e.link for e in org_feed.entries} >= {f"{SITE_URL}/{i.url}" for i in village.items[:5]}


def test_unpublished_items_never_reach_a_feed(example_site):
    portal = example_site.portal
    excluded = [rel for rels in portal.excluded.values() for rel in rels]
    assert {"draft", "internal", "future"} <= set(portal.excluded)
    everything = "\n".join(p.read_text(encoding="utf-8") for p in feed_files(example_site.output_dir))
    for rel in excluded:
        assert rel.rsplit(".", 1)[0] not in everything, rel
    assert "草稿" not in everything and "（内部）" not in everything


def test_autodiscovery_on_pages_names_their_section_and_org(example_site):
    out, portal = example_site.output_dir, example_site.portal
    article = portal.articles[0]
    page = out / article.url
    alternates = _alternates(page)
    expected = {"feeds/all", f"feeds/category/{article.category.slug}", f"feeds/org/{article.org.code}"}
    assert {href.rsplit(".", 2)[0].removeprefix("../") for href, _ in alternates} == expected
    assert {kind for _, kind in alternates} == {"application/rss+xml", "application/atom+xml"}
    for href, _ in alternates:
        assert (page.parent / href).resolve().is_file(), href
    for name in ("index.html", "notice/index.html", "org/dz-hq.html", "letters/index.html", "links.html"):
        assert _alternates(out / name), name


def _alternates(page: Path) -> list[tuple[str, str]]:
    from html.parser import HTMLParser

    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "link" and attrs.get("rel") == "alternate":
                found.append((attrs["href"], attrs["type"]))

    Links().feed(page.read_text(encoding="utf-8"))
    return found


def test_subscribe_page_lists_every_feed(example_site):
    out = example_site.output_dir
    refs = {(out / ref).resolve() for ref in parse(out / "feeds.html").refs}
    for path in feed_files(out):
        assert path.resolve() in refs, path
    assert "订阅" in (out / "index.html").read_text(encoding="utf-8")


def test_sitemap_lists_published_pages_only(example_site):
    out, portal = example_site.output_dir, example_site.portal
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locations = [node.findtext(f"{SITEMAP}loc") for node in root.findall(f"{SITEMAP}url")]
    assert len(locations) == len(set(locations)) == example_site.post.sitemap.urls
    for loc in locations:
        assert local_path(out, loc).is_file(), loc
    assert {f"{SITE_URL}/{a.url}" for a in portal.articles} <= set(locations)
    assert f"{SITE_URL}/404.html" not in locations
    excluded_slugs = [Path(rel).stem for rels in portal.excluded.values() for rel in rels]
    assert not [loc for loc in locations for slug in excluded_slugs if slug in loc]
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in robots.splitlines()


MINI_ARTICLE = """\
---
title: {title}
date: 2026-03-01
org: "dz"
category: 党建动态
---

东渚镇召开党建工作会议。
"""


def test_ids_survive_a_title_correction_and_rebuilds_are_identical(content, tmp_path):
    content.write("site.yaml", (content.root / "site.yaml").read_text(encoding="utf-8") + f"siteurl: {SITE_URL}/\n")
    source = content.write("dz/2026/会议.md", MINI_ARTICLE.format(title="东渚镇召开党建工作会"))
    first = build(content.root, tmp_path / "a")
    second = build(content.root, tmp_path / "b")
    for path in feed_files(first.output_dir):
        assert path.read_bytes() == (second.output_dir / path.relative_to(first.output_dir)).read_bytes()
    source.write_text(MINI_ARTICLE.format(title="东渚镇召开党建工作会议"), encoding="utf-8")
    corrected = build(content.root, tmp_path / "c")
    before = feedparser.parse((first.output_dir / "feeds/all.atom.xml").read_bytes()).entries[0]
    after = feedparser.parse((corrected.output_dir / "feeds/all.atom.xml").read_bytes()).entries[0]
    assert before.title != after.title
    assert before.id == after.id == "tag:www.qingxi.example.gov.cn,2026:article/dz/2026/%E4%BC%9A%E8%AE%AE"


def test_without_a_site_url_the_build_says_so_and_writes_no_feeds(content, tmp_path):
    content.article("dz/2026/a.md", 'title: 东渚镇召开会议\ndate: 2026-03-01\norg: "dz"\ncategory: 党建动态')
    result = build(content.root, tmp_path / "out")
    assert result.ok and NO_SITE_URL in result.warnings
    out = result.output_dir
    assert not (out / "feeds").exists() and not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text(encoding="utf-8")
    assert "尚未配置网站地址" in (out / "feeds.html").read_text(encoding="utf-8")
    assert not _alternates(out / "index.html")
    runner = CliRunner()
    cli = runner.invoke(app, ["build", "--content", str(content.root), "--output", str(tmp_path / "cli")])
    assert cli.exit_code == 0 and "警告：未配置网站地址" in cli.output
    report = json.loads(
        runner.invoke(
            app, ["build", "--content", str(content.root), "--output", str(tmp_path / "json"), "--format", "json"]
        ).output
    )
    assert report["site_url"] is None and report["feeds"] == [] and report["warnings"] == [NO_SITE_URL]
    assert report["search"]["documents"] >= 1 and report["search"]["index_bytes"] > 0


def test_the_site_url_setting_overrides_site_yaml(content, tmp_path):
    content.article("dz/2026/a.md", 'title: 东渚镇召开会议\ndate: 2026-03-01\norg: "dz"\ncategory: 党建动态')
    result = build(
        content.root, tmp_path / "out", extra_settings={"HONGWANG_SITEURL": "http://village.example.org/hongwang/"}
    )
    assert not result.warnings
    parsed = feedparser.parse((result.output_dir / "feeds/org/dz.rss.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].link == "http://village.example.org/hongwang/article/a.html"
    assert local_path(result.output_dir, parsed.entries[0].link, "http://village.example.org/hongwang").is_file()


def test_internal_build_keeps_crawlers_out(content, tmp_path):
    content.write("site.yaml", (content.root / "site.yaml").read_text(encoding="utf-8") + f"siteurl: {SITE_URL}\n")
    content.article(
        "dz/2026/a.md", 'title: 党内通报\ndate: 2026-03-01\norg: "dz"\ncategory: 党建动态\naudience: internal'
    )
    public = build(content.root, tmp_path / "public")
    assert "党内通报" not in (public.output_dir / "feeds/all.rss.xml").read_text(encoding="utf-8")
    assert "article/a.html" not in (public.output_dir / "sitemap.xml").read_text(encoding="utf-8")
    internal = build(content.root, tmp_path / "internal", "internal")
    assert (internal.output_dir / "robots.txt").read_text(encoding="utf-8").endswith("Disallow: /\n")
    assert not (internal.output_dir / "sitemap.xml").exists()


def test_a_bad_site_url_is_a_content_error(content, tmp_path):
    content.write("site.yaml", (content.root / "site.yaml").read_text(encoding="utf-8") + "siteurl: www.x.cn\n")
    result = build(content.root, tmp_path / "out")
    assert not result.ok
    assert [d for d in result.validation.errors if d.code == "site-config" and "siteurl" in d.message]
