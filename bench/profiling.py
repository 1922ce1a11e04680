"""`run.py --profile`: the cold build and the one-article edit under py-spy, and a top-functions summary.

py-spy samples every process of the build (`--subprocesses`: the forked workers too) 100 times a second and
writes collapsed stacks (`--format raw`: one line per distinct stack, `frame;frame;… count`; flamegraph.pl
and speedscope read them). The summary counts, per function, the samples where it is running (self), and for
hongwang's own functions the samples where they are anywhere on the stack (total: what a call costs with
everything it calls), as a share of all samples of all processes.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

from timing import timed

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
TOP = 25
OWN = re.compile(r"\((pipeline/|cli\.py)")  # hongwang's own code: the functions worth a total (inclusive) share


def py_spy() -> str:
    """The py-spy binary, installed into this venv when missing (it is not a dependency of hongwang)."""
    found = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
        found = shutil.which("py-spy", path=str(BIN))
    if not found:
        raise SystemExit("py-spy could not be installed: pip install py-spy")
    return found


def record(command: list[str], raw: Path) -> dict:
    """Run command under py-spy; its figures (slower than unprofiled: sampling costs a little)."""
    figures, _ = timed([py_spy(), "record", "--subprocesses", "--format", "raw", "--rate", "100", "--output",
                        str(raw), "--", *command])  # fmt: skip
    return figures


def short(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1]
    try:
        return str(Path(file).resolve().relative_to(REPO))
    except ValueError:
        return "/".join(Path(file).parts[-2:])


def function(frame: str) -> str | None:
    """'name (file:line)' → 'name (short file)'; None for py-spy's process and thread frames."""
    if frame.startswith(("process ", "thread ")):
        return None
    match = FRAME.match(frame)
    return f"{match['name']} ({short(match['file'])})" if match else frame


def summarise(raw: Path) -> dict:
    """Samples, and the top functions and files by self and by total samples."""
    own, anywhere, files = collections.Counter(), collections.Counter(), collections.Counter()
    samples = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        count = int(count)
        frames = [f for f in (function(frame) for frame in stack.split(";")) if f]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        files[frames[-1].rsplit("(", 1)[-1].rstrip(")")] += count
        for name in {f for f in frames if OWN.search(f)}:
            anywhere[name] += count
    return {
        "samples": samples,
        "self": own.most_common(TOP),
        "total": anywhere.most_common(TOP),
        "files": files.most_common(TOP),
    }


def markdown(title: str, figures: dict, summary: dict) -> list[str]:
    samples = max(summary["samples"], 1)
    lines = [
        f"### {title}",
        "",
        f"{figures['wall_s']:.2f} s wall under py-spy, {summary['samples']:,} samples (100 a second, every process).",
        "",
        "| self % | function (running) | | total % | hongwang function (on the stack) |",
        "| ---: | --- | --- | ---: | --- |",
    ]
    for (name, count), (other, total) in zip(summary["self"], summary["total"], strict=False):
        lines.append(f"| {100 * count / samples:.1f} | `{name}` | | {100 * total / samples:.1f} | `{other}` |")
    lines += ["", "| self % | file |", "| ---: | --- |"]
    lines += [f"| {100 * count / samples:.1f} | `{name}` |" for name, count in summary["files"][:15]]
    return [*lines, ""]
