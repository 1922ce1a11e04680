"""`hongwang serve` as a village LAN server, over real HTTP on loopback: ranges, 404s, what it refuses to serve.

The server runs as `hongwang serve --site` in its own process (what a village PC runs); requests are written
byte for byte on a socket, so nothing between the test and the server normalises a path or a method.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from hongwang.pipeline.deploy.serve import make_server

from support.cli import HONGWANG
from support.servers import free_port, stop, wait_for_port

SECRET = b"county-private-key-do-not-serve"
VIDEO_SIZE = 3 * (1 << 20) + 12345


def video_bytes() -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(VIDEO_SIZE))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A village folder: releases/<v>/ + current, with things beside and inside it that must never be served."""
    base = tmp_path_factory.mktemp("serve")
    (base / "secret.txt").write_bytes(SECRET)
    (base / "outside").mkdir()
    (base / "outside" / "index.html").write_bytes(SECRET)
    village = base / "village"
    release = village / "releases" / "20261123T000000000Z"
    (release / "media").mkdir(parents=True)
    (release / "article").mkdir()
    (release / "empty-folder").mkdir()
    (release / "index.html").write_text("<!DOCTYPE html><title>首页</title><p>首页</p>", encoding="utf-8")
    (release / "404.html").write_text("<!DOCTYPE html><title>找不到页面 - 青溪红网</title>主题的404", encoding="utf-8")
    (release / "article" / "index.html").write_text("<p>文章列表</p>", encoding="utf-8")
    (release / "media" / "meeting.mp4").write_bytes(video_bytes())
    (release / "empty.txt").write_bytes(b"")
    for hidden in (".hongwang-cache", ".pagefind-next", ".partial-20261124T000000000Z"):
        (release / hidden).mkdir()
        (release / hidden / "index.html").write_bytes(SECRET)
    (release / ".env").write_bytes(SECRET)
    (release / "link-out.txt").symlink_to(base / "secret.txt")
    (release / "folder-out").symlink_to(base / "outside")
    (release / "to-hidden").symlink_to(release / ".hongwang-cache")
    (release / "inside-link.html").symlink_to(release / "index.html")
    (village / "current").symlink_to("releases/20261123T000000000Z")
    (village / "village.key").write_bytes(SECRET)
    return village


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    """`hongwang serve --site village` in its own process, on a free loopback port."""
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    for attempt in range(5):
        port = free_port()
        with open(log, "ab") as log_file:
            process = subprocess.Popen(
                [*HONGWANG, "serve", "--site", str(site), "--port", str(port)], stdout=log_file, stderr=log_file
            )
        try:
            wait_for_port(port, process, log, seconds=60)
            break
        except RuntimeError:
            stop(process)
            if attempt == 4:
                raise
    yield port
    stop(process)


class Response:
    def __init__(self, raw: bytes):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def exchange(port: int, request: bytes) -> Response:
    """Send one raw request with `Connection: close` semantics and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(1 << 16):
            chunks.append(chunk)
    return Response(b"".join(chunks))


def get(port: int, path: str, method: str = "GET", **headers: str) -> Response:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


# ---------------------------------------------------------------------------------------------- ranges


def test_range_requests_answer_206_with_exactly_the_bytes_asked_for(server):
    video = video_bytes()
    for asked, first, last in (
        ("bytes=0-99", 0, 99),
        ("bytes=1000000-", 1000000, VIDEO_SIZE - 1),
        ("bytes=-500", VIDEO_SIZE - 500, VIDEO_SIZE - 1),
        (f"bytes={VIDEO_SIZE - 10}-{VIDEO_SIZE + 5000}", VIDEO_SIZE - 10, VIDEO_SIZE - 1),
        ("bytes=0-0", 0, 0),
    ):
        response = get(server, "/media/meeting.mp4", Range=asked)
        assert response.status == 206, asked
        assert response.header("Content-Range") == f"bytes {first}-{last}/{VIDEO_SIZE}"
        assert response.header("Content-Length") == str(last - first + 1)
        assert response.header("Accept-Ranges") == "bytes"
        assert response.header("Content-Type") == "video/mp4"
        assert response.body == video[first : last + 1], asked


def test_unsatisfiable_range_is_416_with_the_size(server):
    for asked in (f"bytes={VIDEO_SIZE}-", f"bytes={VIDEO_SIZE + 10}-{VIDEO_SIZE + 20}", "bytes=-0"):
        response = get(server, "/media/meeting.mp4", Range=asked)
        assert response.status == 416, asked
        assert response.header("Content-Range") == f"bytes */{VIDEO_SIZE}"
        assert response.body == b""
    assert get(server, "/empty.txt", Range="bytes=0-").status == 416


def test_a_range_the_server_does_not_honour_gets_the_whole_file(server):
    video = video_bytes()
    for asked in ("bytes=0-1,5-9", "items=0-5", "bytes=9-3", "bytes=abc"):
        response = get(server, "/media/meeting.mp4", Range=asked)
        assert response.status == 200, asked
        assert response.body == video
    stale = get(server, "/media/meeting.mp4", Range="bytes=0-9", If_Range='"an-older-version"')
    assert stale.status == 200 and len(stale.body) == VIDEO_SIZE
    etag = get(server, "/media/meeting.mp4", "HEAD").header("ETag")
    assert get(server, "/media/meeting.mp4", Range="bytes=0-9", If_Range=etag).status == 206


def test_every_file_response_says_it_accepts_ranges_and_head_sends_no_body(server):
    for path in ("/", "/index.html", "/article/", "/media/meeting.mp4"):
        response = get(server, path)
        assert response.status == 200 and response.header("Accept-Ranges") == "bytes", path
    head = get(server, "/media/meeting.mp4", "HEAD", Range="bytes=10-19")
    assert head.status == 206 and head.header("Content-Length") == "10" and head.body == b""


def test_revalidation_answers_304_without_the_body(server):
    first = get(server, "/index.html")
    again = get(server, "/index.html", If_None_Match=first.header("ETag"))
    assert again.status == 304 and again.body == b""
    assert get(server, "/index.html", If_None_Match='"other"').status == 200


def peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_large_video_is_streamed_not_read_into_memory(site, tmp_path):
    """A 512 MB (sparse) video sent whole and from the middle: the server's peak memory grows by far less."""
    big = site / "current" / "media" / "big.mp4"
    with open(big, "wb") as handle:
        handle.truncate(512 << 20)
    server = subprocess.Popen([*HONGWANG, "serve", "--site", str(site), "--port", str(port := free_port())])
    try:
        wait_for_port(port, server, tmp_path / "none.log", seconds=60)
        get(server_port := port, "/index.html")
        before = peak_memory_kb(server.pid)
        received = 0
        with socket.create_connection(("127.0.0.1", server_port), timeout=30) as conn:
            conn.sendall(b"GET /media/big.mp4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while chunk := conn.recv(1 << 20):
                received += len(chunk)
        middle = get(server_port, "/media/big.mp4", Range=f"bytes={256 << 20}-")
        assert middle.status == 206 and len(middle.body) == 256 << 20
        assert received > 512 << 20
        assert peak_memory_kb(server.pid) - before < 64 << 10  # KB: under 64 MB for a 512 MB file
    finally:
        stop(server)
        big.unlink()


# ---------------------------------------------------------------------------------------------- 404


def test_a_missing_page_is_a_real_404_with_the_sites_own_page(server, site):
    themed = (site / "current" / "404.html").read_bytes()
    for path in ("/nope.html", "/article/missing.html", "/a/b/c/d.html", "/empty-folder/", "/media/"):
        response = get(server, path)
        assert response.status == 404, path
        assert response.header("Content-Type") == "text/html; charset=utf-8"
        assert response.body == themed, path
    head = get(server, "/nope.html", "HEAD")
    assert head.status == 404 and head.body == b"" and head.header("Content-Length") == str(len(themed))


def test_the_built_example_answers_404_with_its_themed_page(example_site):
    served = make_server(example_site.output_dir, "127.0.0.1", 0)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        response = get(served.server_address[1], "/article/no-such-article.html")
    finally:
        served.shutdown()
        served.server_close()
    assert response.status == 404
    assert response.body == (example_site.output_dir / "404.html").read_bytes()
    assert "青溪红网" in response.body.decode("utf-8")


def test_a_folder_named_without_its_slash_is_redirected_to_it(server):
    response = get(server, "/article?x=1")
    assert response.status == 301 and response.header("Location") == "/article/?x=1"
    assert get(server, "//127.0.0.1/article").status == 404  # never a redirect to another host


# ---------------------------------------------------------------------------------------------- refusals

ESCAPES = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/%2e%2e%2f%2e%2e%2fvillage.key",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/releases/../../secret.txt",
    "/.hongwang-cache/index.html",
    "/.hongwang-cache/",
    "/.pagefind-next/index.html",
    "/%2epagefind-next/index.html",
    "/.partial-20261124T000000000Z/index.html",
    "/.env",
    "/article/../.env",
    "/link-out.txt",
    "/folder-out/index.html",
    "/folder-out/",
    "/to-hidden/index.html",
    "/index.html%00.txt",
    "/index.html::$DATA",
    "/C:/Windows/win.ini",
    "/index.html.",
    "/con.html",
    "http://127.0.0.1/../secret.txt",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_nothing_outside_the_root_nor_any_dot_name_is_served(server, path):
    response = get(server, path)
    assert response.status in (400, 404), path
    assert SECRET not in response.body


def test_a_symlink_that_stays_inside_the_site_is_served(server):
    assert get(server, "/inside-link.html").body == get(server, "/index.html").body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW"])
def test_only_get_and_head_are_allowed(server, method):
    response = exchange(
        server,
        f"{method} /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".encode(),
    )
    assert response.status == 405 and response.header("Allow") == "GET, HEAD"
    assert response.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("path", ["/index.html", "/nope.html", "/media/meeting.mp4"])
def test_security_headers_on_every_answer(server, path):
    response = get(server, path, "HEAD")
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "same-origin"
    assert response.header("X-Frame-Options") == "SAMEORIGIN"
    assert response.header("Server") == "hongwang"


# ---------------------------------------------------------------------------------------------- slow clients


@pytest.fixture
def impatient(site):
    """The same server in this process with short limits, so a stalled client is cut off within the test."""
    served = make_server(site, "127.0.0.1", 0, header_timeout=1.0, io_timeout=5.0, max_connections=3)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    yield served.server_address[1]
    served.shutdown()
    served.server_close()


def test_a_client_sending_its_header_a_byte_at_a_time_is_cut_off_and_others_are_served(impatient):
    ended = []

    def slow_client():
        with socket.create_connection(("127.0.0.1", impatient), timeout=30) as conn:
            try:
                for byte in b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 400:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.05)
                ended.append(conn.recv(1024))  # the server closes without answering the half-sent request
            except TimeoutError as error:
                ended.append(error)
            except OSError:  # reset: the server cut the connection while we were still sending
                ended.append(b"")

    slow = threading.Thread(target=slow_client)
    slow.start()
    answered = 0
    while slow.is_alive():
        status = get(impatient, "/index.html").status
        if status == 503:  # our own last requests' threads still closing (3 slots): the slow one holds only one
            time.sleep(0.05)
            continue
        assert status == 200
        answered += 1
    slow.join()
    assert ended == [b""] and answered >= 1


def test_connections_beyond_the_limit_get_503_and_the_server_recovers(impatient):
    idle = [socket.create_connection(("127.0.0.1", impatient), timeout=30) for _ in range(3)]
    try:
        idle[0].sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")  # all three slots are taken
        assert idle[0].recv(12).startswith(b"HTTP/1.1 200")
        assert get(impatient, "/index.html").status == 503
    finally:
        for conn in idle:
            conn.close()
    for _attempt in range(100):  # the slots free as the server notices the closed connections
        if (status := get(impatient, "/index.html").status) == 200:
            break
        assert status == 503
        threading.Event().wait(0.05)
    assert status == 200


def test_serve_follows_a_switch_of_current_without_a_restart(site, server):
    first = get(server, "/index.html").body
    release = site / "releases" / "20261124T000000000Z"
    os.mkdir(release)
    try:
        (release / "index.html").write_text("<p>新版本</p>", encoding="utf-8")
        (site / "current.tmp").symlink_to("releases/20261124T000000000Z")
        os.replace(site / "current.tmp", site / "current")
        assert get(server, "/index.html").body == "<p>新版本</p>".encode()
        assert get(server, "/nope.html").status == 404  # no 404.html in that release: the short fallback
    finally:
        (site / "current.tmp").symlink_to("releases/20261123T000000000Z")
        os.replace(site / "current.tmp", site / "current")
        (release / "index.html").unlink()
        release.rmdir()
    assert get(server, "/index.html").body == first
