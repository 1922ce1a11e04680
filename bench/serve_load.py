"""How many requests a second `hongwang serve` answers on loopback with 50 clients, while slow clients drip
request headers a byte a second (make bench-serve).

Builds the example county into a temporary folder, starts `hongwang serve` on a free loopback port as a village
PC runs it, and drives it with tests/support/load.py for 30 s: 50 keep-alive clients asking in turn for the
home page, an article, an org page, the stylesheet, the script, a feed, a missing page (404) and a byte range
of a file; 5 slow clients each send a request header one byte a second and never finish it. Prints the figures
and writes them to bench/results/serve-load.json. The server's limits (10 s for a request header, 30 s per
read or write) are the defaults a village PC runs with.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
from support import load  # noqa: E402

HONGWANG = [sys.executable, "-m", "hongwang.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"hongwang serve exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("hongwang serve did not start")


def asks_for(site: Path) -> list[load.Ask]:
    article = sorted((site / "article").glob("*.html"))[0].relative_to(site).as_posix()
    org = sorted((site / "org").glob("*.html"))[0].relative_to(site).as_posix()
    return [
        load.Ask("/index.html"),
        load.Ask(f"/{article}"),
        load.Ask(f"/{org}"),
        load.Ask("/theme/css/site.css"),
        load.Ask("/theme/js/portal.js"),
        load.Ask("/feeds/all.atom.xml"),
        load.Ask("/no-such-page.html", 404),
        load.Ask("/theme/css/site.css", 206, (("Range", "bytes=100-1099"),)),
    ]


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
        port = free_port()
        server = subprocess.Popen([*HONGWANG, "serve", "--output", str(site), "--port", str(port)])
        try:
            wait_for(port, server)
            result = load.run(port, asks_for(site), args.clients, args.seconds, args.slow, args.drip)
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
