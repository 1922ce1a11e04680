"""A load generator for `hongwang serve` over loopback: many keep-alive clients, plus slow clients that send a
request header a byte at a time (a slow-loris) and never finish it.

Used by tests/deploy/test_serve_load.py (a few seconds, asserts nothing failed) and by bench/serve_load.py
(the figures: requests per second, latency percentiles, how often the slow clients were cut off).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ask:
    """One request a client makes in turn: path, expected status, extra headers."""

    path: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()


def village_asks(site) -> list[Ask]:
    """What readers of a built site ask for, in turn: pages, the theme's files, a feed, a missing page, a
    byte range, and a dot-folder that must never be served."""
    article = sorted((site / "article").glob("*.html"))[0].relative_to(site).as_posix()
    return [
        Ask("/index.html"),
        Ask(f"/{article}"),
        Ask("/org/index.html"),
        Ask("/theme/css/site.css"),
        Ask("/theme/js/portal.js"),
        Ask("/feeds/all.atom.xml"),
        Ask("/no-such-page.html", 404),
        Ask("/theme/css/site.css", 206, (("Range", "bytes=100-1099"),)),
        Ask("/.hongwang-cache/x", 404),
    ]


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    bytes_received: int = 0
    slow_clients: int = 0
    slow_cut_off: int = 0  # times the server closed a slow client's unfinished request
    slow_answered: int = 0  # times it answered one (it must not: the header never ended)
    last_answer: float = 0.0  # monotonic time of the last answer counted

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def as_dict(self) -> dict:
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "requests_per_second": round(self.per_second, 1),
            "failed": len(self.failures),
            "latency_ms": {
                "p50": round(self.percentile(0.5) * 1000, 1),
                "p99": round(self.percentile(0.99) * 1000, 1),
                "max": round(max(self.latencies, default=0) * 1000, 1),
            },
            "megabytes_received": round(self.bytes_received / 1e6, 1),
            "slow_clients": self.slow_clients,
            "slow_cut_off": self.slow_cut_off,
            "slow_answered": self.slow_answered,
        }


def _client(host: str, port: int, asks: list[Ask], offset: int, deadline: float, result: LoadResult, lock) -> None:
    requests, received, latencies, failures = 0, 0, [], []
    connection = http.client.HTTPConnection(host, port, timeout=30)
    index = offset
    while time.monotonic() < deadline:
        ask = asks[index % len(asks)]
        index += 1
        started = time.monotonic()
        try:
            connection.request("GET", ask.path, headers=dict(ask.headers))
            response = connection.getresponse()
            body = response.read()
            if response.status != ask.status:
                failures.append(f"{ask.path}: {response.status} (expected {ask.status})")
            elif len(body) != int(response.headers.get("Content-Length", -1)):
                failures.append(f"{ask.path}: {len(body)} bytes of {response.headers.get('Content-Length')}")
            received += len(body)
            requests += 1
            latencies.append(time.monotonic() - started)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{ask.path}: {type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.close()
    with lock:
        result.last_answer = max(result.last_answer, time.monotonic())
        result.requests += requests
        result.bytes_received += received
        result.latencies += latencies
        result.failures += failures


def _slow_client(host: str, port: int, drip: float, deadline: float, result: LoadResult, lock) -> None:
    """Send a request header one byte every `drip` seconds, never ending it; reconnect when cut off."""
    header = b"GET /index.html HTTP/1.1\r\nHost: loopback\r\nX-Slow: " + b"a" * 100_000
    cut = answered = 0
    while time.monotonic() < deadline:
        with socket.create_connection((host, port), timeout=30) as conn:
            conn.settimeout(None)  # blocking: MSG_DONTWAIT then peeks at once (a timeout would poll first)
            for byte in header:
                try:
                    conn.sendall(bytes([byte]))
                    pending = conn.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK)
                except BlockingIOError:  # nothing from the server: keep dripping
                    pending = None
                except OSError:  # reset while sending: the server cut us off
                    pending = b""
                if pending is not None:
                    if pending:
                        answered += 1
                    else:
                        cut += 1
                    break
                if time.monotonic() + drip >= deadline:
                    break
                time.sleep(drip)
    with lock:
        result.slow_cut_off += cut
        result.slow_answered += answered


def run(
    port: int,
    asks: list[Ask],
    clients: int = 50,
    seconds: float = 5.0,
    slow_clients: int = 3,
    drip: float = 1.0,
    host: str = "127.0.0.1",
) -> LoadResult:
    """`clients` keep-alive clients asking in turn for `asks` for `seconds`, beside `slow_clients` slow-lorises."""
    result = LoadResult(clients, seconds, slow_clients=slow_clients)
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_slow_client, args=(host, port, drip, deadline, result, lock), daemon=True)
        for _ in range(slow_clients)
    ]
    threads += [
        threading.Thread(target=_client, args=(host, port, asks, n, deadline, result, lock), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = result.last_answer - started  # the clients' time, not the slow ones' last drip
    return result
