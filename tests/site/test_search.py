"""Full-text search: what the pages tell Pagefind, the index it builds, and the search page in chromium."""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import pytest

from hongwang.pipeline.site import pages, search

from support.browser import Served, screenshot


def test_index_covers_content_pages_only(example_site):
    out, portal = example_site.output_dir, example_site.portal
    stats = example_site.post.search
    indexed = [spec for spec in pages.plan(portal) if search.facets(spec.template, spec.variables, spec.pager)]
    assert stats.pages == len(indexed) > len(portal.articles)
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh-cn"]
    assert stats.index_bytes > 0 and stats.bundle_bytes > stats.index_bytes
    for bundled in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js"):
        assert (out / "pagefind" / bundled).is_file()


def test_pages_carry_filters_and_keep_navigation_out(example_site):
    out, portal = example_site.output_dir, example_site.portal
    article = portal.articles[0]
    html = (out / article.url).read_text(encoding="utf-8")
    assert '<main id="main" class="wrap" tabindex="-1" data-pagefind-body>' in html
    for name, value in (
        ("类型", "文章"),
        ("单位", article.org.short_name),
        ("栏目", article.category.name),
        ("年份", str(article.year)),
    ):
        assert f'<span data-pagefind-filter="{name}">{value}</span>' in html
    assert f'<span data-pagefind-meta="title">{article.title}</span>' in html
    for landmark in (
        '<header class="site-header" data-pagefind-ignore="all">',
        '<footer class="site-footer" data-pagefind-ignore="all">',
    ):
        assert landmark in html
    for listing in ("index.html", "category/dongtai.html", "notice/index.html", "search.html", "404.html"):
        assert "data-pagefind-body" not in (out / listing).read_text(encoding="utf-8"), listing


def test_search_page_bundles_the_ui_locally_and_explains_file_urls(example_site):
    html = (example_site.output_dir / "search.html").read_text(encoding="utf-8")
    assert 'src="./pagefind/pagefind-ui.js"' in html and "https://" not in html.split("<main")[1]
    assert "<noscript>" in html and "hongwang serve" in html
    assert 'href="./org/index.html"' in html and 'href="./category/dongtai.html"' in html


def test_missing_pagefind_is_reported_in_chinese(monkeypatch, tmp_path):
    import pagefind_bin_extended

    def missing():
        raise FileNotFoundError("gone")

    monkeypatch.setattr(pagefind_bin_extended, "get_executable", missing)
    with pytest.raises(search.SearchIndexError, match="pagefind-bin-extended"):
        search.index(tmp_path)


def bundle_bytes(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_stopped_index_leaves_the_last_complete_one_in_place(example_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(example_site.output_dir, site)
    before = bundle_bytes(site / "pagefind")
    (site / "article").joinpath(example_site.portal.articles[0].url.split("/")[-1]).write_text(
        "<html lang=zh-CN><body><main data-pagefind-body>改过的正文</main></body></html>", encoding="utf-8"
    )
    running = search.start(site)
    running.stop()
    with pytest.raises(search.SearchIndexError, match="已停止"):
        running.finish()
    assert bundle_bytes(site / "pagefind") == before
    search.remove_leftovers(site)
    assert not (site / search.NEXT_BUNDLE).exists()
    stats = search.start(site).finish()  # a complete run replaces the bundle and leaves nothing beside it
    assert stats.pages == example_site.post.search.pages and bundle_bytes(site / "pagefind") != before
    assert sorted(p.name for p in site.iterdir() if "pagefind" in p.name) == ["pagefind"]


def test_an_index_made_in_the_background_is_the_one_made_in_the_foreground(example_site, tmp_path):
    from hongwang.pipeline.site.build import build

    content = example_site.validation.content_dir
    result = build(
        content, tmp_path / "out", now=example_site.portal.now, cache_dir=tmp_path / "cache", search_in_background=True
    )
    assert result.post.search is None and result.post.pending_search is not None
    stats = result.post.pending_search.finish()
    assert stats.pages == example_site.post.search.pages
    assert bundle_bytes(tmp_path / "out/pagefind") == bundle_bytes(example_site.output_dir / "pagefind")


# ---------------------------------------------------------------- in the browser


def results_for(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}search.html?q={quote(query)}")
    # The message reads 正在搜索… while searching, then 找到 N 个… or 未找到….
    page.wait_for_function(
        "() => (document.querySelector('.pagefind-ui__message') || {}).textContent?.includes('找到')"
    )
    return loaded_results(page)


def loaded_results(page) -> list[str]:
    """Result links once every listed result has loaded (the UI fills them in one by one)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('li.pagefind-ui__result')]"
        ".every(li => li.querySelector('.pagefind-ui__result-title > a'))"
    )
    return page.locator(".pagefind-ui__result-title > .pagefind-ui__result-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


QUERIES = [
    # (query, page it must find among the first three results, what kind of query it is)
    ("茶叶", "/article/sx-ct-chaye-chanyelian-dangjian.html", "two-character word"),
    ("冬训", "/article/sx-dangyuan-dongxun-jieye.html", "two-character word"),
    ("警示教育", "/article/", "four-character phrase"),
    ("红旗村", "/org/dz-hq.html", "an organisation's name"),
    ("梅林村", "/org/sx-ml.html", "an organisation's name"),
    ("人力资源和社会保障局", "/notice/gongshi-ganbu-renqian.html", "a cadre notice person's post"),
]


@pytest.mark.browser
def test_chinese_queries_find_the_right_page(chromium, served_example):
    page = chromium.new_page()
    try:
        for query, expected, what in QUERIES:
            found = results_for(page, served_example.base, query)
            assert any(href.startswith(expected) for href in found[:3]), (what, query, found)
        screenshot(page, "search-results")
    finally:
        page.close()


@pytest.mark.browser
def test_every_page_titled_with_a_word_is_found(chromium, served_example, example_site):
    """Recall, not just the top hit: the index (jieba) and the query must segment Chinese alike.

    Pagefind 1.5 segments the query with the browser's Intl.Segmenter instead (党费 → 党|费) and found
    1 of the 7 pages with 党费 in them; pyproject pins 1.4 for that reason."""
    portal = example_site.portal
    page = chromium.new_page()
    try:
        page.goto(served_example.url("search.html"))
        for word in ("党费", "党总支", "换届", "党支部", "述职评议"):
            expected = {"/" + item.url for item in [*portal.articles, *portal.notices] if word in item.title}
            assert expected, word
            found = page.evaluate(
                """async (word) => {
                const pagefind = await import(new URL("pagefind/pagefind.js", location.href).href);
                const search = await pagefind.search(word);
                return Promise.all(search.results.map(async r => (await r.data()).url));
            }""",
                word,
            )
            assert expected <= set(found), (word, sorted(expected - set(found)))
    finally:
        page.close()


@pytest.mark.browser
def test_a_filter_narrows_the_results(chromium, served_example):
    page = chromium.new_page()
    try:
        everything = results_for(page, served_example.base, "党员")
        message = page.locator(".pagefind-ui__message").evaluate("m => m.textContent")
        assert len(everything) == 5 and not all(href.startswith("/notice/") for href in everything)
        page.locator(".pagefind-ui__filter-name", has_text="类型").click()
        page.locator("label[for='类型-公示']").click()
        page.wait_for_function(
            "() => /找到 \\d+ 个/.test(document.querySelector('.pagefind-ui__message')"
            ".textContent) && document.querySelector('.pagefind-ui__message').textContent"
            f" !== {json.dumps(message)}"
        )
        narrowed = loaded_results(page)
        assert narrowed and all(href.startswith("/notice/") for href in narrowed), narrowed
        screenshot(page, "search-filtered")
    finally:
        page.close()


@pytest.mark.browser
def test_search_works_under_a_sub_path(chromium, example_site, tmp_path):
    shutil.copytree(example_site.output_dir, tmp_path / "sub" / "hongwang")
    served = Served(tmp_path / "sub")
    page = chromium.new_page()
    try:
        page.goto(served.url("hongwang/index.html"))
        page.fill("#site-search-q", "茶叶")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(".pagefind-ui__result-link")
        link = page.locator(".pagefind-ui__result-title > .pagefind-ui__result-link").first
        assert link.get_attribute("href") == "/hongwang/article/sx-ct-chaye-chanyelian-dangjian.html"
        link.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "茶亭村把党支部建在茶叶产业链上"
    finally:
        page.close()
        served.close()


@pytest.mark.browser
def test_from_a_file_url_the_page_says_search_needs_the_server(chromium, example_site):
    page = chromium.new_page()
    try:
        page.goto((example_site.output_dir / "search.html").as_uri())
        offline = page.locator("#search-offline")
        offline.wait_for(state="visible")
        assert "hongwang serve" in offline.inner_text()
        offline.get_by_role("link", name="组织机构").click()
        assert page.url.endswith("org/index.html")
    finally:
        page.close()


def test_a_failing_pagefind_fails_the_build_with_its_last_words(monkeypatch, tmp_path, content):
    import pagefind_bin_extended

    from hongwang.pipeline.site.build import BuildError, build

    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: str(broken))
    content.article("dz/a.md", 'title: 一篇文章\ndate: 2026-01-05\norg: "dz"\ncategory: "dongtai"')
    with pytest.raises(BuildError, match="生成搜索索引失败（Pagefind）：Error: disk full"):
        build(content.root, tmp_path / "out", cache_dir=False)
    assert (tmp_path / "out/index.html").is_file()  # the pages and feeds were written meanwhile
