"""Correctness under speed: an incremental build equals a cold build, byte for byte.

The incremental build keeps a cache (validated documents, rendered bodies) and a
dependency record of which items feed which pages, and renders only changed
pages. After each edit, add, delete and an org rename the kept output must be
exactly what a cold build (no cache, empty output folder) writes.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from hongwang.pipeline.site.build import build
from hongwang.pipeline.site.search.query import Index

from support.example import EXAMPLE_NOW

EXAMPLE = Path(__file__).resolve().parents[2] / "content"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_tree(incremental: Path, cold: Path) -> None:
    got, want = tree_bytes(incremental), tree_bytes(cold)
    assert sorted(set(got) ^ set(want)) == []  # no file missing, no stale file left
    different = [name for name in want if got[name] != want[name]]
    assert different == []


@pytest.fixture
def county(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    return content


def incremental_build(content: Path, tmp_path: Path):
    result = build(content, tmp_path / "out", now=EXAMPLE_NOW, cache_dir=tmp_path / "cache")
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result


def cold_build(content: Path, tmp_path: Path, name: str) -> Path:
    result = build(content, tmp_path / name, now=EXAMPLE_NOW, cache_dir=False)
    assert result.ok
    return tmp_path / name


def test_incremental_builds_equal_cold_builds_after_edits_adds_deletes_and_an_org_rename(county, tmp_path):
    first = incremental_build(county, tmp_path)
    assert first.pages_rendered > 100

    unchanged = incremental_build(county, tmp_path)
    assert unchanged.pages_rendered == 0
    assert unchanged.post.search.written == 0 and not unchanged.post.search.whole  # nor any search file
    assert first.post.feeds.written == len(first.post.feeds.files) > 10
    assert unchanged.post.feeds.written == 0  # nor did any feed: none is written again

    edited = county / "dz/2025/dz-zhibu-shuji-peixun.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充：培训结束后进行了闭卷测试。\n", encoding="utf-8")
    after_edit = incremental_build(county, tmp_path)
    assert 0 < after_edit.pages_rendered < first.pages_rendered / 4  # the article and the lists that show it
    search = after_edit.post.search
    assert not search.whole and 0 < search.written < search.files / 4  # its card and the shards its words changed
    index_files = [p for p in (tmp_path / "out/search").rglob("*") if p.is_file()]
    assert (search.files, search.index_bytes) == (len(index_files), sum(p.stat().st_size for p in index_files))
    assert 0 < after_edit.post.feeds.written < len(after_edit.post.feeds.files) / 2  # the feeds that hold it

    text_files = set((tmp_path / "out/search/t").rglob("*.js"))
    head, _, body = edited.read_text(encoding="utf-8").rpartition("---\n")
    edited.write_text(head + "---\n\n培训班圆满结束。\n", encoding="utf-8")  # a long text made short
    incremental_build(county, tmp_path)
    assert len(set((tmp_path / "out/search/t").rglob("*.js"))) == len(text_files) - 1  # its text file is gone
    assert_same_tree(tmp_path / "out", cold_build(county, tmp_path, "cold-0"))
    edited.write_text(head + "---\n" + body, encoding="utf-8")
    incremental_build(county, tmp_path)
    assert set((tmp_path / "out/search/t").rglob("*.js")) == text_files  # and back

    added = county / "dz/2025/dz-new-notice.md"
    added.write_text(_notice_text(), encoding="utf-8")
    incremental_build(county, tmp_path)
    assert (tmp_path / "out/notice/dz-new-notice.html").is_file()
    cold = cold_build(county, tmp_path, "cold-1")
    assert (cold / "feeds/org/dz.atom.xml").is_file() and (cold / "sitemap.xml").is_file()  # compared too
    assert_same_tree(tmp_path / "out", cold)

    deleted = county / "dz/2025/dz-cunwu-jiandu-weiyuanhui-lvzhi.md"
    deleted.unlink()
    after_delete = incremental_build(county, tmp_path)
    assert after_delete.pages_deleted >= 1
    assert not (tmp_path / "out/article/dz-cunwu-jiandu-weiyuanhui-lvzhi.html").exists()
    mentions = [
        name for name, data in tree_bytes(tmp_path / "out").items() if b"dz-cunwu-jiandu-weiyuanhui-lvzhi" in data
    ]
    assert mentions == []  # gone from listings, org pages, feeds and the search index too

    orgs = county / "orgs.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace("东渚镇党委", "东渚镇党委（更名）"), encoding="utf-8")
    incremental_build(county, tmp_path)
    renamed = "东渚镇党委（更名）".encode()
    assert renamed in (tmp_path / "out/org/dz.html").read_bytes()  # the org's short name, in its breadcrumb
    index = Index(tmp_path / "out")
    found = [card[0] for _, card in index.results(index.search("更名"), page=1)]
    assert "article/dz-zhibu-shuji-peixun.html" in found  # its items are found by the new name
    assert_same_tree(tmp_path / "out", cold_build(county, tmp_path, "cold-2"))


def test_a_damaged_output_file_is_written_again(county, tmp_path):
    incremental_build(county, tmp_path)
    page = tmp_path / "out/index.html"
    page.write_text("damaged", encoding="utf-8")
    (tmp_path / "out/feeds/all.rss.xml").write_text("damaged", encoding="utf-8")
    (tmp_path / "out/sitemap.xml").unlink()
    again = incremental_build(county, tmp_path)
    assert again.pages_rendered >= 1
    assert again.post.feeds.written == 1
    assert_same_tree(tmp_path / "out", cold_build(county, tmp_path, "cold"))


def test_documents_the_cache_lost_are_checked_again_when_the_build_needs_them(county, tmp_path):
    # A kept verdict leaves its document in the cache until the build asks for it: when the items are gone too,
    # it asks for every one, and the documents table is gone as well (a cache folder cleaned by hand)
    incremental_build(county, tmp_path)
    for path in [*(tmp_path / "cache").glob("items-*.pickle"), *(tmp_path / "cache").glob("documents-*.pickle")]:
        path.unlink()
    (tmp_path / "out/index.html").unlink()  # not the last build any more: it builds
    again = incremental_build(county, tmp_path)
    assert again.pages_rendered >= 1
    assert_same_tree(tmp_path / "out", cold_build(county, tmp_path, "cold"))
    assert len(list((tmp_path / "cache").glob("items-*.pickle"))) == 16


def test_a_build_deletes_the_tables_an_earlier_version_left_in_the_cache(county, tmp_path):
    incremental_build(county, tmp_path)
    left = [tmp_path / "cache/bodies.pickle", tmp_path / "cache/bodies-03-of-16.pickle"]
    for path in left:
        path.write_bytes(b"rendered bodies of an earlier version")
    article = sorted(county.rglob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    incremental_build(county, tmp_path)
    assert [path.name for path in left if path.exists()] == []
    assert list((tmp_path / "cache").glob("items-*.pickle"))


def _notice_text() -> str:
    return """---
kind: notice
title: 中共青溪县东渚镇委员会关于拟发展党员的公示（增补）
date: "2025-11-03 09:00"
org: "dz"
notice_type: member-development
period:
  start: "2025-11-04"
  end: "2025-11-10"
contact:
  phone: "0512-5000 2101"
persons:
  - name: 周思远
    gender: 男
    birth: "1999-05"
    branch: 东渚镇机关党支部
---

经党支部研究，拟将以下同志发展为中共预备党员，现予以公示。
"""


def test_building_on_two_cores_writes_what_one_core_writes(county, tmp_path, monkeypatch):
    from hongwang.pipeline.core import workers as parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL_TASKS", 1)
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    parallel_result = build(county, tmp_path / "two", now=EXAMPLE_NOW, cache_dir=tmp_path / "cache")
    assert parallel_result.ok and parallel_result.pages_rendered > 100
    monkeypatch.setenv("HONGWANG_WORKERS", "1")
    assert_same_tree(tmp_path / "two", cold_build(county, tmp_path, "one"))


def test_the_validation_cache_never_hides_a_new_error(county, tmp_path):
    from hongwang.pipeline.content import validate
    from hongwang.pipeline.core import cache

    store = cache.Store(tmp_path / "cache")
    assert not validate.validate(county, store=store).errors
    article = county / "dz/2025/dz-zhibu-shuji-peixun.md"
    article.write_text(article.read_text(encoding="utf-8").replace('org: "dz"', 'org: "nowhere"'), encoding="utf-8")
    found = validate.validate(county, store=cache.Store(tmp_path / "cache")).errors
    assert [d.code for d in found] == ["org-unknown"]
    orgs = county / "orgs.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace('code: "dz"', 'code: "nowhere"'), encoding="utf-8")
    # the org codes changed: every cached check is stale, so the other dz files (cached as valid) now fail
    failing = {d.file for d in validate.validate(county, store=cache.Store(tmp_path / "cache")).errors}
    assert "dz/2025/dz-cunwu-jiandu-weiyuanhui-lvzhi.md" in failing
    assert "dz/2025/dz-zhibu-shuji-peixun.md" not in failing


def test_a_deleted_org_leaves_no_page_or_feed_behind(county, tmp_path):
    incremental_build(county, tmp_path)
    assert (tmp_path / "out/org/dz-ly.html").is_file() and (tmp_path / "out/feeds/org/dz-ly.rss.xml").is_file()
    orgs = county / "orgs.yaml"
    entry = '  - code: "dz-ly"\n    name: 东渚镇柳荫村党支部\n    kind: village\n    parent: "dz"\n'
    assert entry in orgs.read_text(encoding="utf-8")
    orgs.write_text(orgs.read_text(encoding="utf-8").replace(entry, ""), encoding="utf-8")
    incremental_build(county, tmp_path)
    assert not list((tmp_path / "out").rglob("dz-ly.*"))
    assert_same_tree(tmp_path / "out", cold_build(county, tmp_path, "cold"))


def test_disclosure_type_slugs_are_remembered_as_pypinyin_spells_them(county, tmp_path):
    from hongwang.pipeline.content import slugs
    from hongwang.pipeline.core import cache
    from hongwang.pipeline.site import model

    first = incremental_build(county, tmp_path)
    remembered = cache.Store(tmp_path / "cache").read(model.SLUG_TABLE)
    types = first.portal.disclosure_types()
    named = [*types, *first.portal.video_series()]  # 电教 series get their slugs the same way
    assert len(types) >= 3 and remembered == {g.name: slugs.default_slug("", g.name) for g in named}
    again = build(county, tmp_path / "elsewhere", now=EXAMPLE_NOW, cache_dir=tmp_path / "cache")  # a real build
    assert [g.url for g in again.portal.disclosure_types()] == [g.url for g in types]


def test_items_kept_between_builds_take_the_state_of_the_new_moment(county, tmp_path):
    """The model keeps items between builds (site/model.py ItemCache): a notice's state and the days a letter
    has waited must still be those of the new build's moment."""
    later = EXAMPLE_NOW + timedelta(days=4)
    build(county, tmp_path / "out", now=EXAMPLE_NOW, cache_dir=tmp_path / "cache")
    notice = tmp_path / "out/notice/gongshi-ganbu-renqian-dierpi.html"
    assert "即将开始" in notice.read_text(encoding="utf-8")
    assert build(county, tmp_path / "out", now=later, cache_dir=tmp_path / "cache").ok
    assert "即将开始" not in notice.read_text(encoding="utf-8")
    assert build(county, tmp_path / "cold", now=later, cache_dir=False).ok
    assert_same_tree(tmp_path / "out", tmp_path / "cold")
