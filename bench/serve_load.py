"""How many requests a second `hongwang serve` answers on loopback with 50 clients, while slow clients drip
request headers a byte a second (make bench-serve).

Builds the example county into a temporary folder, starts `hongwang serve` on a free loopback port as a village
PC runs it, and drives it with tests/support/load.py for 30 s: 50 keep-alive clients asking in turn for
what `load.village_asks` lists (pages, the theme's files, a feed, a missing page, a byte range, a dot-folder);
5 slow clients each send a request header one byte a second and never finish it. Prints the figures and
writes them to bench/results/serve-load.json. The server's limits (10 s for a request header, 30 s per read
or write) are the defaults a village PC runs with.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
from support import load  # noqa: E402
from support.servers import free_port, wait_for_port  # noqa: E402

HONGWANG = [sys.executable, "-m", "hongwang.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--slow", type=int, default=5, help="slow clients (a header byte every --drip seconds)")
    parser.add_argument("--drip", type=float, default=1.0)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "serve-load.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hongwang-serve-bench-") as work:
        site = Path(work) / "output"
        subprocess.run(
            [*HONGWANG, "build", "--content", str(ROOT / "content"), "--output", str(site), "--now", "2026-11-23"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port, log = free_port(), Path(work) / "serve.log"
        with open(log, "wb") as output:
            server = subprocess.Popen(
                [*HONGWANG, "serve", "--output", str(site), "--port", str(port)], stdout=output, stderr=output
            )
        try:
            wait_for_port(port, server, log, seconds=60)
            result = load.run(port, load.village_asks(site), args.clients, args.seconds, args.slow, args.drip)
        finally:
            server.terminate()
            server.wait()
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
        **result.as_dict(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if result.failures:
        print("failures (first 10):", *result.failures[:10], sep="\n  ")


if __name__ == "__main__":
    main()
