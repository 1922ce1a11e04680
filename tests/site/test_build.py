"""A full build of the bundled example county, asserted on the built HTML."""

from pathlib import Path

from PIL import Image

from hongwang.pipeline.site.build import build

from support.example import EXAMPLE, EXAMPLE_NOW
from support.htmlcheck import broken_local_links, parse, text_of


def all_text(output: Path) -> str:
    return "\n".join(text_of(p) for p in output.rglob("*.html"))


def test_core_pages_exist(example_site):
    out = example_site.output_dir
    for name in [
        "index.html",
        "org/index.html",
        "org/qx.html",
        "notice/index.html",
        "links.html",
        "letters/index.html",
        "stats/index.html",
        "page/about.html",
        "category/dangwu.html",
        "404.html",
        "theme/css/site.css",
    ]:
        assert (out / name).is_file(), name
    portal = example_site.portal
    assert len(portal.articles) >= 40
    assert len({a.org.code for a in portal.articles}) >= 10
    assert len({a.category.name for a in portal.articles}) >= 4
    assert len({a.date.year for a in portal.articles}) >= 3
    for article in portal.articles:
        assert (out / article.url).is_file()
    for org in portal.orgs.values():
        assert (out / org.url).is_file()


def test_every_page_is_chinese_and_has_no_foreign_assets(example_site):
    out = example_site.output_dir
    pages = list(out.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        parsed = parse(page)
        assert parsed.html_lang == "zh-CN", page
        for ref in parsed.refs:
            # Only links to partner sites (a href) may leave the host; no script, style or image.
            assert not ref.startswith("//")
    css_and_scripts = "\n".join(p.read_text() for p in pages)
    assert '<script src="http' not in css_and_scripts and 'stylesheet" href="http' not in css_and_scripts


def test_relative_links_resolve_to_files(example_site):
    assert broken_local_links(example_site.output_dir) == []


def excluded_titles(result) -> dict[str, list[str]]:
    from hongwang.pipeline.content.load import load_source

    return {
        reason: [load_source(EXAMPLE / rel, EXAMPLE).meta["title"] for rel in rels]
        for reason, rels in result.portal.excluded.items()
    }


def test_drafts_internal_and_future_items_are_not_published(example_site):
    out = example_site.output_dir
    text = all_text(out)
    titles = excluded_titles(example_site)
    assert {k: len(v) for k, v in titles.items()} == {"draft": 2, "internal": 2, "future": 1}
    for reason, marker in (("draft", "草稿"), ("internal", "内部"), ("future", "预告")):
        for title in titles[reason]:
            assert marker in title
            assert title not in text, title
    names = {p.stem for p in out.rglob("*.html")}
    for rels in example_site.portal.excluded.values():
        for rel in rels:
            assert Path(rel).stem not in names


def test_internal_profile_includes_internal_but_never_drafts(tmp_path):
    result = build(EXAMPLE, tmp_path / "out", "internal", now=EXAMPLE_NOW)
    text = all_text(result.output_dir)
    titles = excluded_titles(result)
    assert "internal" not in titles
    public_titles = {a.title for a in build(EXAMPLE, tmp_path / "pub", now=EXAMPLE_NOW).portal.articles}
    internal_only = [a for a in result.portal.articles if a.title not in public_titles]
    assert len(internal_only) == 2 and all("内部" in a.title and a.title in text for a in internal_only)
    for title in titles["draft"] + titles["future"]:
        assert title not in text


def test_article_page_shows_org_date_category_collector(example_site):
    article = next(a for a in example_site.portal.articles if a.collector)
    text = text_of(example_site.output_dir / article.url)
    assert article.title in text
    assert article.org.name in text
    assert f"{article.date.year}年{article.date.month}月{article.date.day}日" in text
    assert article.category.name in text and article.collector in text


def test_footer_carries_site_identifiers(example_site):
    text = text_of(example_site.output_dir / "index.html")
    site = example_site.portal.site.values
    for key in ("host", "operator", "icp", "police_record", "site_code"):
        assert str(site[key]) in text, key


def test_notice_page_shows_period_state_persons_and_channels(example_site):
    notice = next(n for n in example_site.portal.notices if n.state == "公示中")
    text = text_of(example_site.output_dir / notice.url)
    assert "公示中" in text
    assert notice.persons[0]["name"] in text
    assert notice.contact["phone"] in text
    closed = next(n for n in example_site.portal.notices if n.state == "已结束")
    assert "已结束" in text_of(example_site.output_dir / closed.url)


def test_org_page_lists_children_and_items(example_site):
    portal = example_site.portal
    township = next(o for o in portal.orgs.values() if o.kind == "township" and o.items)
    text = text_of(example_site.output_dir / township.url)
    for child in township.children:
        assert child.short_name in text
    assert township.items[0].title in text


def test_pagination_uses_p_suffix(tmp_path, content):
    for i in range(45):
        content.article(
            f"dz/2026/a{i:02d}.md", f'title: 标题{i}\ndate: 2026-01-{i % 28 + 1:02d}\norg: "dz"\ncategory: 党建动态'
        )
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    out = result.output_dir
    assert (out / "category/dongtai.html").is_file()
    assert (out / "category/dongtai-p2.html").is_file()
    assert (out / "category/dongtai-p3.html").is_file()
    assert not (out / "category/dongtai-p4.html").exists()
    assert broken_local_links(out) == []


def test_build_refuses_content_with_errors(tmp_path, content):
    content.article("dz/2026/a.md", 'title: 标题\ndate: 2026-13-01\norg: "dz"\ncategory: 党建动态')
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    assert not result.ok
    assert not (tmp_path / "out").exists()


def test_titles_are_escaped_not_executed(tmp_path, content):
    content.article(
        "dz/2026/x.md",
        'title: "<script>alert(1)</script>标题"\ndate: 2026-01-01\norg: "dz"\ncategory: 党建动态',
        body="正文<script>alert(2)</script><img src=x onerror=alert(3)>",
    )
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    html = (result.output_dir / "article/x.html").read_text()
    assert "<script>alert" not in html and "onerror" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_relative_images_are_copied_and_linked(tmp_path, content):
    content.article(
        "dz/2026/pic.md", 'title: 图片\ndate: 2026-01-01\norg: "dz"\ncategory: 党建动态', body="![活动现场](photo.png)"
    )  # a path leaving content/ is refused: test_collector_input
    Image.new("RGB", (40, 30), (200, 30, 30)).save(content.root / "dz/2026/photo.png")
    out = build(content.root, tmp_path / "out", now=EXAMPLE_NOW).output_dir
    html = (out / "article/pic.html").read_text()
    assert 'src="../files/dz/2026/photo.png"' in html
    assert (out / "files/dz/2026/photo.png").is_file()
