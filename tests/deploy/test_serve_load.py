"""`hongwang serve` under load on loopback: 50 keep-alive clients beside slow clients that never finish a header.

Bounded (4 s of load) and asserting only that nothing failed: the requests-per-second figure is the
benchmark's (bench/serve_load.py, `make bench-serve`), not a timed test.
"""

from __future__ import annotations

import subprocess

from support import load
from support.cli import HONGWANG
from support.servers import free_port, stop, wait_for_port


def test_fifty_clients_beside_slow_ones_get_every_answer_right(example_site, tmp_path):
    asks = load.village_asks(example_site.output_dir)
    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [*HONGWANG, "serve", "--output", str(example_site.output_dir), "--port", str(port)], stderr=output
        )
    try:
        wait_for_port(port, server, log, seconds=60)
        result = load.run(port, asks, clients=50, seconds=4, slow_clients=5, drip=0.2)
    finally:
        stop(server)
    assert result.failures == []
    assert result.requests >= 50  # every client got answers while the slow ones held their connections
    assert result.slow_answered == 0  # an unfinished header is never answered
