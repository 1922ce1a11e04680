"""`hongwang serve --watch` (make devserver): serves output/ and rebuilds when content changes; Makefile targets."""

from __future__ import annotations

import gzip
import os
import subprocess
import time
import urllib.request

from support.cli import HONGWANG
from support.example import ROOT
from support.servers import free_port, stop, wait_for_port

ARTICLE = 'title: {title}\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态'


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""  # mid-rebuild: Pelican empties output/ first


def test_watch_rebuilds_when_an_article_changes(content, tmp_path):
    content.article("dz/a.md", ARTICLE.format(title="东渚镇召开党建工作推进会"))
    port = free_port()
    log = tmp_path / "devserver.log"
    with open(log, "wb") as log_file:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [
                *HONGWANG,
                "serve",
                "--watch",
                "--content",
                str(content.root),
                "--output",
                str(tmp_path / "output"),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, server, log, seconds=60)
        url = f"http://127.0.0.1:{port}/index.html"
        assert "东渚镇召开党建工作推进会" in fetch(url)
        content.article("dz/a.md", ARTICLE.format(title="东渚镇召开党建工作推进会（已更正）"))
        deadline = time.monotonic() + 60  # a wait for the watcher, not a performance limit
        while "已更正" not in fetch(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "已更正" in fetch(url), log.read_text(encoding="utf-8", errors="replace")
        assert "已重新生成" in log.read_text(encoding="utf-8")

        # the page came first; the search index follows in the background and ends up holding the edit
        # (an index still being made when the edit arrived is stopped: only the last one must finish)
        def indexed_after_last_rebuild() -> bool:
            printed = log.read_text(encoding="utf-8")
            return "搜索索引已更新" in printed.rsplit("已重新生成", 1)[-1]

        while not indexed_after_last_rebuild() and time.monotonic() < deadline:
            time.sleep(0.2)
        printed = log.read_text(encoding="utf-8")
        assert indexed_after_last_rebuild() and "搜索索引在后台更新" in printed, printed
        output = tmp_path / "output"
        assert [p.name for p in output.iterdir() if "pagefind" in p.name] == ["pagefind"]
        fragments = [
            gzip.decompress((output / "pagefind/fragment" / name).read_bytes())
            for name in os.listdir(output / "pagefind/fragment")
        ]
        assert any("已更正".encode() in fragment for fragment in fragments)
    finally:
        stop(server)


def test_makefile_has_pelicans_publish_targets():
    dry = subprocess.run(
        [
            "make",
            "-n",
            "publish",
            "rsync_upload",
            "serve",
            "devserver",
            "bundle",
            "rollback",
            "TARGET=local",
            "OUTPUT=/tmp/hongwang-nowhere",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stderr
    assert "warning" not in dry.stderr
    assert "publish --config publish.yaml --content content --target local" in dry.stdout
    assert "publish --config publish.yaml --content content --target server" in dry.stdout
    assert "serve --watch --content content" in dry.stdout
    assert "publish --config publish.yaml --rollback --target local" in dry.stdout


def test_a_preview_rebuild_stops_an_unfinished_index_and_makes_it_again(content, tmp_path, monkeypatch):
    import pagefind_bin_extended

    from hongwang.pipeline.deploy.preview import Previewer

    real = pagefind_bin_extended.get_executable()
    slow = tmp_path / "slow-pagefind"
    slow.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    content.article("dz/a.md", ARTICLE.format(title="东渚镇召开党建工作推进会"))
    builds, indexes = [], []
    previewer = Previewer(
        content.root,
        tmp_path / "output",
        lambda result, problem: builds.append(result),
        lambda stats, problem: indexes.append((stats, problem)),
    )
    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: str(slow))
    previewer.rebuild()
    assert builds[-1].ok and previewer.indexing.running()  # the page is there; the index is not yet
    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: real)
    previewer.rebuild()  # nothing changed, but the last index never finished: index again
    assert builds[-1].pages_rendered == 0
    previewer.waiter.join()
    previewer.close()
    assert [problem for _, problem in indexes] == [""]  # the stopped one says nothing
    assert indexes[0][0].pages > 0 and (tmp_path / "output/pagefind/pagefind-entry.json").is_file()
