"""A build with nothing to do is answered from the last build's record (site/unchanged.py), and only then.

Each test builds the example county, then a second time under one condition, and checks through the
output folder whether anything was written: a file changed, added or only touched, the output folder
damaged, or the clock passing the moment an embargoed article is due must each give a real build.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from hongwang.pipeline.core import cache
from hongwang.pipeline.site import build as build_module
from hongwang.pipeline.site import incremental, unchanged
from hongwang.pipeline.site.build import DEFAULT_SETTINGS, build

from support.example import EXAMPLE_NOW

EXAMPLE = Path(__file__).resolve().parents[2] / "content"
DUE = EXAMPLE_NOW + timedelta(hours=3)
EMBARGOED = f"""---
title: 三小时后发布的通知
date: "{DUE:%Y-%m-%d %H:%M}"
org: "dz"
category: 基层党建
collector: 王晓燕
summary: 定时发布的稿件。
---

这篇稿件到点才发布。
"""


@pytest.fixture
def county(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    (content / "dz" / "2026" / "dingshi-fabu.md").write_text(EMBARGOED, encoding="utf-8")
    return content


def again(county: Path, tmp_path: Path, now=EXAMPLE_NOW):
    result = build(county, tmp_path / "out", now=now, cache_dir=tmp_path / "cache")
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_nothing_changed_writes_nothing_and_reports_the_last_build(county, tmp_path):
    first = again(county, tmp_path)
    before = stamps(tmp_path / "out")
    second = again(county, tmp_path, EXAMPLE_NOW + timedelta(hours=1))  # the same day, before anything is due
    assert second.unchanged and not first.unchanged
    assert stamps(tmp_path / "out") == before
    assert (second.counts, second.files_written) == (first.counts, first.files_written)
    assert second.pages_rendered == 0 and second.post.search.written == 0
    assert [d.code for d in second.diagnostics] == [d.code for d in first.diagnostics]
    assert second.validation.site.values["name"] == first.validation.site.values["name"]


@pytest.mark.parametrize("change", ["edit", "add", "touch", "media", "config"])
def test_any_change_under_content_gives_a_real_build(county, tmp_path, change):
    again(county, tmp_path)
    article = county / "dz" / "2026" / "dz-dangjian-lianmeng-qiangcun-fumin.md"
    if change == "edit":
        article.write_text(article.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    elif change == "add":
        (county / "dz" / "2026" / "xin-gao.md").write_text(
            EMBARGOED.replace(f"{DUE:%Y-%m-%d %H:%M}", "2026-11-20 09:00")
        )
    elif change == "touch":
        status = article.stat()
        os.utime(article, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    elif change == "media":
        image = county / "dz" / "2026" / "dz-dangjian-lianmeng.png"
        image.write_bytes(image.read_bytes())  # same pixels, a new file as far as stat can tell
    else:
        site = county / "site.yaml"
        site.write_text(site.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not again(county, tmp_path).unchanged


def test_a_damaged_output_folder_gives_a_real_build(county, tmp_path):
    again(county, tmp_path)
    (tmp_path / "out" / "index.html").unlink()
    result = again(county, tmp_path)
    assert not result.unchanged and (tmp_path / "out" / "index.html").is_file()


def test_an_embargo_falling_due_gives_a_real_build_that_publishes_the_article(county, tmp_path):
    first = again(county, tmp_path)
    page = tmp_path / "out" / "article" / "dingshi-fabu.html"
    assert not page.exists()
    assert again(county, tmp_path, DUE - timedelta(minutes=1)).unchanged
    due = again(county, tmp_path, DUE + timedelta(minutes=1))
    assert not due.unchanged and page.is_file()
    assert due.counts.excluded.get("future", 0) == first.counts.excluded["future"] - 1


def test_the_next_day_gives_a_real_build(county, tmp_path):
    again(county, tmp_path)
    assert not again(county, tmp_path, EXAMPLE_NOW + timedelta(days=1)).unchanged


def test_a_build_that_stops_half_way_leaves_no_record_of_being_done(county, tmp_path, monkeypatch):
    again(county, tmp_path)
    record = incremental.record_name(tmp_path / "out", f"public|{DEFAULT_SETTINGS.resolve()}") + unchanged.SUFFIX
    assert cache.Store(tmp_path / "cache").read(record)

    def crash(*_args, **_kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(build_module, "run_pelican", crash)
    with pytest.raises(RuntimeError):
        again(county, tmp_path, EXAMPLE_NOW + timedelta(days=1))
    assert cache.Store(tmp_path / "cache").read(record) == {}
    monkeypatch.undo()
    assert not again(county, tmp_path, EXAMPLE_NOW + timedelta(days=1)).unchanged


def test_without_a_cache_every_build_is_real(county, tmp_path):
    for _ in range(2):
        assert not build(county, tmp_path / "out", now=EXAMPLE_NOW, cache_dir=False).unchanged
