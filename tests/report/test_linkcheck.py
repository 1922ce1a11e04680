"""`hongwang check-links`: internal links offline; external links against a real HTTP server on loopback.

Only 127.0.0.1 is ever contacted: the example county's partner sites are real
internet hosts, so --external is only run on content trees that point here.
"""

import json
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hongwang.pipeline.core import dates
from hongwang.pipeline.report import linkcheck
from hongwang.pipeline.site.build import build

from support.cli import run

NOW = dates.parse("2026-11-23 10:00").value


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        server = self.server
        path = self.path.split("?")[0]
        with server.lock:
            server.hits[self.path] += 1
            hits = server.hits[self.path]
            server.inflight += 1
            server.max_inflight = max(server.max_inflight, server.inflight)
        answering = False
        try:
            if path == "/hang":
                server.release.wait(30)
                return
            if path == "/slow":
                time.sleep(0.2)
            status = {
                "/ok": 200,
                "/slow": 200,
                "/moved": 301,
                "/chain": 302,
                "/missing": 404,
                "/error": 500,
                "/flaky": 503 if hits == 1 else 200,
            }.get(path, 404)
            # Out of flight before the client can read the answer: it may send its next request at once, and
            # counting this one until after the write saw three in flight from two workers on a busy machine.
            with server.lock:
                server.inflight -= 1
            answering = True
            self.send_response(status)
            if status in (301, 302):
                self.send_header("Location", "/ok" if path == "/moved" else "/moved")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the client gave up (the hang case)
        finally:
            if not answering:
                with server.lock:
                    server.inflight -= 1

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.hits, httpd.lock, httpd.release = Counter(), threading.Lock(), threading.Event()
    httpd.inflight = httpd.max_inflight = 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


# ---------------------------------------------------------------- one URL


def test_status_codes_redirects_timeouts_and_retries(server):
    ok = linkcheck.check_url(server.url("/ok"), timeout=1, retries=0)
    assert (ok.ok, ok.status, ok.redirects, ok.error) == (True, 200, [], None)
    moved = linkcheck.check_url(server.url("/chain"), timeout=1, retries=0)
    assert moved.ok and moved.final_url == server.url("/ok")
    assert [(h["status"], h["to"]) for h in moved.redirects] == [(302, server.url("/moved")), (301, server.url("/ok"))]
    missing = linkcheck.check_url(server.url("/missing"), timeout=1, retries=2, pause=0)
    assert (missing.ok, missing.status, missing.attempts, missing.error) == (False, 404, 1, "HTTP 404")  # not retried
    error = linkcheck.check_url(server.url("/error"), timeout=1, retries=1, pause=0)
    assert (error.ok, error.status, error.attempts) == (False, 500, 2)
    flaky = linkcheck.check_url(server.url("/flaky"), timeout=1, retries=1, pause=0)
    assert (flaky.ok, flaky.status, flaky.attempts) == (True, 200, 2)
    hang = linkcheck.check_url(server.url("/hang"), timeout=1, retries=0)
    assert (hang.ok, hang.status) == (False, None) and hang.error.startswith("超时")
    closed = linkcheck.check_url("http://127.0.0.1:9/", timeout=1, retries=0)  # discard port: nothing listens
    assert not closed.ok and closed.error.startswith("无法连接")


def test_concurrency_is_bounded_and_good_results_are_cached(server, tmp_path):
    targets = {server.url(f"/slow?n={n}"): ["a.md"] for n in range(6)} | {server.url("/missing"): ["b.md"]}
    cache = tmp_path / "cache.json"
    results = linkcheck.check_external(targets, cache, now=NOW, workers=2, timeout=10, retries=0)
    assert server.max_inflight == 2
    assert [r.ok for r in results].count(True) == 6 and not any(r.cached for r in results)
    hits_before = sum(server.hits.values())
    again = linkcheck.check_external(targets, cache, now=NOW + timedelta(hours=5), workers=2, timeout=10, retries=0)
    assert sum(server.hits.values()) - hits_before == 1  # only the broken one is fetched again
    assert sorted(r.url for r in again if r.cached) == sorted(u for u in targets if "slow" in u)
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored[server.url("/slow?n=0")]["checked_at"] == NOW.isoformat(timespec="seconds")
    linkcheck.check_external(targets, cache, now=NOW + timedelta(hours=73), workers=2, timeout=10, retries=0)
    assert sum(server.hits.values()) - hits_before == 8  # expired: everything fetched again


# ---------------------------------------------------------------- internal links


def test_internal_links_and_assets(tmp_path):
    site = tmp_path / "output"
    (site / "sub").mkdir(parents=True)
    (site / "img").mkdir()
    (site / "theme").mkdir()
    (site / "a.html").write_text("<p>a</p>", encoding="utf-8")
    (site / "sub" / "index.html").write_text(
        '<a href="../a.html#top">up</a><a href="../gone.html">x</a>', encoding="utf-8"
    )
    (site / "img" / "a.png").write_bytes(b"png")
    (site / "theme" / "site.css").write_text(
        "body{background:url('../img/a.png')} @font-face{src:url(f.woff)}", encoding="utf-8"
    )
    (site / "index.html").write_text(
        """
        <link rel="stylesheet" href="theme/site.css"><a href="a.html?x=1">a</a><a href="sub/">sub</a>
        <a href="/a.html">root</a><a href="#main">skip</a><a href="https://example.org/">ext</a>
        <a href="mailto:x@example.gov.cn">mail</a><a href="missing.html">m</a><a href="../outside.html">o</a>
        <img src="img/%E5%9B%BE.png" alt=""><img srcset="img/a.png 1x, img/b.png 2x" src="img/a.png" alt="">
        """,
        encoding="utf-8",
    )
    result = linkcheck.check_internal(site)
    assert result.pages == 4
    assert sorted((b["page"], b["ref"]) for b in result.broken) == [
        ("index.html", "../outside.html"),
        ("index.html", "img/%E5%9B%BE.png"),
        ("index.html", "img/b.png"),
        ("index.html", "missing.html"),
        ("sub/index.html", "../gone.html"),
        ("theme/site.css", "f.woff"),
    ]
    assert result.references == 14


def test_the_example_site_has_no_broken_internal_links(example_site, tmp_path):
    result = run("check-links", "--output", example_site.output_dir, "--state-dir", tmp_path / "state")
    assert result.exit_code == 0, result.output
    assert "失效 0 个" in result.output
    saved = json.loads((tmp_path / "state" / "check-links.json").read_text(encoding="utf-8"))
    assert saved["internal"]["references"] > 1000 and saved["external"] is None


def test_check_links_needs_a_built_site(tmp_path):
    result = run("check-links", "--output", tmp_path)
    assert result.exit_code == 2 and "hongwang build" in result.output


# ---------------------------------------------------------------- the command, end to end


def test_check_links_external_end_to_end_and_into_the_report(server, content, tmp_path):
    content.write(
        "links.yaml",
        f"""\
        links:
          - {{name: 正常网站, url: "{server.url("/ok")}", group: 县内网站}}
          - {{name: 搬家网站, url: "{server.url("/moved")}", group: 县内网站}}
          - {{name: 失效网站, url: "{server.url("/missing")}", group: 县内网站}}
          - {{name: 卡住网站, url: "{server.url("/hang")}", group: 县内网站}}
        """,
    )
    content.article(
        "dz/a.md",
        'title: 标题\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态',
        f"详见[上级通知]({server.url('/error')})和[正常页面]({server.url('/ok')})。",
    )
    output = tmp_path / "output"
    assert build(content.root, output, "public", now=NOW).ok
    state = tmp_path / "state"
    args = [
        "check-links",
        "--external",
        "--output",
        output,
        "--content",
        content.root,
        "--state-dir",
        state,
        "--timeout",
        "1",
        "--retries",
        "0",
    ]
    result = run(*args)
    assert result.exit_code == 1
    out = result.output
    assert f"{server.url('/missing')}: HTTP 404（出现在 links.yaml）" in out
    assert f"{server.url('/error')}: HTTP 500（出现在 dz/a.md）" in out
    assert f"{server.url('/hang')}: 超时（1 秒无响应）" in out
    assert f"{server.url('/moved')}: 已跳转 301 {server.url('/ok')}" in out
    assert "外部链接 5 个（其中 0 个用缓存），失效 3 个，跳转 1 个" in out
    saved = json.loads((state / "check-links.json").read_text(encoding="utf-8"))
    ok_link = next(r for r in saved["external"]["results"] if r["url"] == server.url("/ok"))
    assert ok_link["sources"] == ["links.yaml", "dz/a.md"]

    hits = server.hits["/ok"]
    second = run(*args)
    assert "外部链接 5 个（其中 2 个用缓存）" in second.output  # /ok and /moved were good
    assert server.hits["/ok"] == hits

    report = run(
        "report",
        "--content",
        content.root,
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
        "--links-results",
        state / "check-links.json",
    )
    links = json.loads(report.output)["links"]
    assert links["external_checked"] == 5 and len(links["external_broken"]) == 3 and links["internal_broken"] == []
