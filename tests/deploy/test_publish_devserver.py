"""`hongwang serve --watch` (make devserver): serves output/ and rebuilds when content changes; Makefile targets."""

from __future__ import annotations

import subprocess
import time
import urllib.request

from hongwang.pipeline.site.search.query import Index

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
        while log.read_text(encoding="utf-8").count("已重新生成") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the page is written before the feeds and the index: wait for the whole rebuild
        assert log.read_text(encoding="utf-8").count("已重新生成") >= 2

        # the search index moved with the page: the corrected title is found
        index = Index(tmp_path / "output")
        assert [card[1] for _, card in index.results(index.search("已更正"))] == ["东渚镇召开党建工作推进会（已更正）"]
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
