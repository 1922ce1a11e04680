"""Timing one child process, and what a generator wrote.

`timed` runs a command as its own child (started by child.py, which reads its figures from wait4): wall time;
CPU = user + system of the child and of every child it waited for; peak RSS = the largest single process in
that tree (wait4's ru_maxrss is the maximum over the child and its waited-for descendants, never a sum).
`inventory` counts a site folder the same way for hongwang, Pelican and Hugo, so the page sets can be
compared side by side.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = Path(__file__).resolve().parent / "child.py"


class StepFailed(SystemExit):
    pass


def timed(command: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[dict, str]:
    """Run one child process (through child.py); return its wall, CPU and peak-memory figures and its stdout."""
    with tempfile.TemporaryDirectory(prefix="hongwang-bench-") as scratch:
        report = Path(scratch) / "figures.json"
        with (Path(scratch) / "stdout").open("w+b") as stdout, (Path(scratch) / "stderr").open("w+b") as stderr:
            launcher = [sys.executable, "-I", "-S", str(CHILD), str(report)]
            code = subprocess.run(
                [*launcher, *map(str, command)], cwd=cwd, env=env, stdout=stdout, stderr=stderr
            ).returncode
            stdout.seek(0)
            stderr.seek(0)
            printed, complaints = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
        figures = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    if code != 0 or not figures:
        raise StepFailed(f"failed ({code}): {' '.join(map(str, command))}\n{complaints[-3000:]}\n{printed[-3000:]}")
    return {
        "wall_s": round(figures["wall"], 3),
        "cpu_s": round(figures["user"] + figures["system"], 3),
        "peak_rss_mib": round(figures["maxrss_kib"] / 1024, 1),
    }, printed


# Top-level folders that hold a search index: hongwang's own, and Pagefind's over Hugo's output.
SEARCH_FOLDERS = ("search", "pagefind")


def inventory(folder: Path, skip: tuple[str, ...] = (), only: tuple[str, ...] = ()) -> dict:
    """Files and bytes under folder, by kind: HTML pages, feeds (every .xml but the sitemap), the search
    index, everything else. Top-level names in `skip` are left out (Pagefind's folder inside Hugo's output),
    and with `only` only those are counted (Pagefind's folder alone)."""
    counts = {"html": 0, "feeds": 0, "search": 0, "other": 0, "files": 0, "bytes": 0, "search_bytes": 0}
    folder = Path(folder)
    if not folder.is_dir():
        return counts
    stack = [(folder, "")]
    while stack:
        path, top = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                first = top or entry.name
                if not top and (entry.name in skip or (only and entry.name not in only)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), first))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                size = entry.stat(follow_symlinks=False).st_size
                counts["files"] += 1
                counts["bytes"] += size
                if first in SEARCH_FOLDERS and first != entry.name:
                    counts["search"] += 1
                    counts["search_bytes"] += size
                elif entry.name.endswith(".html"):
                    counts["html"] += 1
                elif entry.name.endswith(".xml") and not entry.name.startswith("sitemap"):
                    counts["feeds"] += 1
                else:
                    counts["other"] += 1
    return counts


def copied_files(release: Path) -> tuple[int, int]:
    """(files, bytes) in a release that are not hard links to an earlier release: what a publish wrote."""
    files = size = 0
    for path, _, names in os.walk(release):
        for name in names:
            found = os.lstat(os.path.join(path, name))
            if stat.S_ISREG(found.st_mode) and found.st_nlink == 1:
                files += 1
                size += found.st_size
    return files, size
