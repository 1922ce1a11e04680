"""Progress a person can see: build, publish, bundle, ingest, report and serve --watch draw their stages on a
terminal (stderr), with counts; nothing when piped, in CI, with --quiet, or for a run quicker than the delay.

Deterministic, never timed: HONGWANG_PROGRESS_DELAY=0 draws progress from the first moment (the default is
2 s, so that a quick run draws nothing); a delay of an hour stands for "the run ended before the delay".
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from hongwang.pipeline.content import load
from hongwang.pipeline.core import progress
from hongwang.pipeline.core.workers import run as run_on_workers

from support.example import EXAMPLE, MINI_SITE
from support.servers import free_port
from support.terminal import counts, drew_progress, run_on_terminal, run_piped

NOW = "2026-11-23 10:00"
AT_ONCE = {"HONGWANG_PROGRESS_DELAY": "0"}
ARTICLE = 'title: {title}\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态'


@pytest.fixture
def small_site(content):
    """A site with a site URL (feeds, and publish needs it) and three articles."""
    content.write("site.yaml", MINI_SITE + "siteurl: https://www.example.gov.cn\n")
    for number, title in enumerate(["东渚镇召开党建工作推进会", "红旗村开展主题党日活动", "县委组织部部署年度考核"]):
        content.article(f"dz/2026/a{number}.md", ARTICLE.format(title=title))
    return content


def submission_count(root) -> int:
    return len(load.submission_files(root.resolve(), None))


def test_build_on_a_terminal_draws_every_stage_with_its_count_while_json_stays_on_stdout(tmp_path):
    done = run_on_terminal(
        "build", "--content", EXAMPLE, "--output", tmp_path / "out", "--now", NOW, "--no-cache", "--format", "json",
        env=AT_ONCE,
    )  # fmt: skip
    assert done.returncode == 0, done.terminal
    report = json.loads(done.stdout)  # the bars went to the terminal, not into the JSON
    files = submission_count(EXAMPLE)
    assert counts(done.terminal, progress.CHECK) == (files, files)
    assert counts(done.terminal, progress.PAGES) == (report["pages_rendered"], report["pages_rendered"])
    assert counts(done.terminal, progress.IMAGES) == (report["images"]["encoded"], report["images"]["encoded"])
    feeds = len(report["feeds"]) // 2  # an RSS and an Atom file each
    assert counts(done.terminal, progress.FEEDS) == (feeds, feeds)
    documents = report["search"]["documents"]
    assert counts(done.terminal, progress.SEARCH) == (documents, documents)
    assert min(report["pages_rendered"], report["images"]["encoded"], feeds, documents) > 0
    # in the order they ran, each named in Chinese as core/progress.py writes it
    first_seen = [done.terminal.index(name) for name in progress.STAGES[:5]]
    assert first_seen == sorted(first_seen)


def test_a_rebuild_after_a_touch_counts_what_it_checked_and_renders_nothing(small_site, tmp_path):
    output = tmp_path / "out"
    assert run_piped("build", "--content", small_site.root, "--output", output, "--now", NOW).returncode == 0
    touched = next(small_site.root.rglob("*.md"))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))  # same bytes, new stat
    again = run_on_terminal("build", "--content", small_site.root, "--output", output, "--now", NOW, env=AT_ONCE)
    assert again.returncode == 0, again.terminal
    assert "已生成" in again.stdout
    assert counts(again.terminal, progress.CHECK) == (3, 3)  # from the cache, but checked
    assert counts(again.terminal, progress.PAGES) == (0, 0)
    assert counts(again.terminal, progress.SEARCH) == (0, 0)  # no document changed
    assert counts(again.terminal, progress.IMAGES) is None  # no image to re-encode: no such stage


@pytest.mark.parametrize(
    "how",
    ["piped", "CI", "--quiet", "-q", "quick"],
)
def test_no_progress_when_piped_in_ci_quiet_or_quicker_than_the_delay(small_site, tmp_path, how):
    args = ["build", "--content", small_site.root, "--output", tmp_path / "out", "--now", NOW, "--format", "json"]
    env = dict(AT_ONCE)
    if how == "piped":
        done = run_piped(*args, env=env)
    else:
        if how == "CI":
            env["CI"] = "true"
        elif how == "quick":  # the run ends long before the display would start
            env["HONGWANG_PROGRESS_DELAY"] = "3600"
        else:
            args.append(how)
        done = run_on_terminal(*args, env=env)
    assert done.returncode == 0, done.terminal
    assert not drew_progress(done), done.terminal
    assert done.terminal.strip() == ""  # nothing at all on stderr for a clean build
    assert json.loads(done.stdout)["ok"] is True


def test_validation_errors_still_read_plainly_after_the_bars(small_site, tmp_path):
    small_site.article("dz/2026/bad.md", ARTICLE.format(title="日期写错").replace("2026-11-20", "2026-02-30"))
    done = run_on_terminal("build", "--content", small_site.root, "--output", tmp_path / "out", env=AT_ONCE)
    assert done.returncode == 1
    assert counts(done.terminal, progress.CHECK) == (4, 4)
    assert counts(done.terminal, progress.PAGES) is None  # refused before any page
    assert "dz/2026/bad.md:3" in done.stdout and "未生成网站" in done.stdout


def test_publish_draws_the_build_then_the_upload_and_its_json_parses(small_site, tmp_path):
    config = tmp_path / "publish.yaml"
    config.write_text(f"targets:\n  county:\n    type: dir\n    path: {tmp_path / 'srv'}\n", encoding="utf-8")
    args = ("publish", "--config", config, "--content", small_site.root, "--now", NOW, "--format", "json")
    done = run_on_terminal(*args, env=AT_ONCE)
    assert done.returncode == 0, done.terminal + done.stdout
    deployment = json.loads(done.stdout)["deployment"]
    files = deployment["files_copied"] + deployment["files_linked"]  # every file of the release
    assert counts(done.terminal, progress.UPLOAD) == (files, files)
    assert counts(done.terminal, progress.CHECK) == (3, 3)
    assert counts(done.terminal, progress.PAGES) and counts(done.terminal, progress.SEARCH)
    assert done.terminal.index(progress.SEARCH) < done.terminal.index(progress.UPLOAD)

    again = run_on_terminal(*args, "--quiet", env=AT_ONCE)  # the second release: linked, not copied
    assert again.returncode == 0 and not drew_progress(again), again.terminal
    assert json.loads(again.stdout)["deployment"]["files_linked"] > 0


def test_bundle_draws_the_build(small_site, tmp_path):
    done = run_on_terminal(
        "bundle", "--content", small_site.root, "--output", tmp_path / "dist", "--now", NOW, env=AT_ONCE
    )
    assert done.returncode == 0, done.terminal
    assert counts(done.terminal, progress.CHECK) == (3, 3) and counts(done.terminal, progress.UPLOAD) is None


def test_ingest_counts_the_submissions_it_checked(content, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "dz").mkdir(parents=True)
    for number in range(3):
        text = f"走访慰问老党员（第{number + 1}次）\n\n正文。\n"
        (inbox / "dz" / f"稿件{number}.txt").write_text(text, encoding="utf-8")
    (inbox / "无单位.txt").write_text("标题\n\n没有放进单位文件夹。\n", encoding="utf-8")
    done = run_on_terminal("ingest", inbox, "--content", content.root, "--dry-run", "--format", "json", env=AT_ONCE)
    assert done.returncode == 1, done.terminal  # one refused
    assert counts(done.terminal, progress.CHECK) == (4, 4)
    decided = json.loads(done.stdout)
    assert (len(decided["decisions"]), decided["accepted"], decided["rejected"]) == (4, 3, 1)

    quiet = run_on_terminal("ingest", inbox, "--content", content.root, "--dry-run", "-q", env=AT_ONCE)
    assert not drew_progress(quiet) and "共 4 件：收录 3 件，退回 1 件" in quiet.stdout


def test_validate_counts_the_files_it_checked_and_its_json_parses(small_site):
    args = ("validate", "--content", small_site.root, "--no-cache", "--format", "json")
    done = run_on_terminal(*args, env=AT_ONCE)
    assert done.returncode == 0, done.terminal
    assert json.loads(done.stdout) == []
    assert counts(done.terminal, progress.CHECK) == (3, 3)
    quiet = run_on_terminal("validate", "--content", small_site.root, "-q", env=AT_ONCE)
    assert not drew_progress(quiet) and quiet.returncode == 0


def test_report_draws_the_check_and_its_json_parses(small_site):
    args = ("report", "--content", small_site.root, "--as-of", "2026-11-23", "--format", "json")
    done = run_on_terminal(*args, env=AT_ONCE)
    assert done.returncode in (0, 1), done.terminal
    assert json.loads(done.stdout)["as_of"] == "2026-11-23"
    assert counts(done.terminal, progress.CHECK) == (3, 3)
    assert not drew_progress(run_on_terminal(*args, "--quiet", env=AT_ONCE))


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("quiet", [False, True])
def test_serve_watch_draws_its_build_unless_quiet(small_site, tmp_path, quiet):
    port = free_port()
    args = ["serve", "--watch", "--content", small_site.root, "--output", tmp_path / "out", "--port", port]
    done = run_on_terminal(*args, *(["--quiet"] if quiet else []), env=AT_ONCE, interrupt_when=lambda: listening(port))
    assert "已重新生成" in done.stdout, done.terminal  # the first build, before it served
    if quiet:
        assert not drew_progress(done), done.terminal
    else:
        assert counts(done.terminal, progress.CHECK) == (3, 3)
        assert counts(done.terminal, progress.PAGES)


def test_workers_report_every_item_done_in_order_serially_and_in_parallel():
    for items in (list(range(7)), list(range(999))):  # 999: forked workers, advanced per chunk
        done: list[int] = []
        assert run_on_workers(lambda n: n * n, items, advance=done.append) == [n * n for n in items]
        assert sum(done) == len(items) and all(n > 0 for n in done)
