"""Serve a built site over HTTP: the web team's preview and a village PC's server for its LAN.

`hongwang serve --bind 0.0.0.0` faces every PC in a village, so the handler is written for that,
not for a developer's desk:

- Only files under the site root, by the path after one percent-decoding: no dot-files or
  dot-folders (`.search-next`, `.partial-…`, caches), nothing a symlink leads out of the
  root, no backslashes, drive letters, NTFS streams or Windows device names, no directory
  listings. A folder answers with its `index.html`.
- Only GET and HEAD (405 otherwise). A missing file answers 404 with the site's own `404.html`.
- Files are streamed in chunks; a `Range` request gets `206` (one range) or `416`, so a video
  can be sought over the LAN without sending it whole. ETag / Last-Modified revalidation.
- Security headers on every response (`SECURITY_HEADERS`), the Content Security Policy among them (site/csp.py).
- Timeouts per connection: a client has `header_timeout` seconds to send its request line and
  headers (a client sending a byte a second is cut off), any one read or write may block for
  `io_timeout` seconds, and at most `max_connections` are served at once (the next gets 503).
  Each connection has its own thread, so a slow client holds up only itself.

The root is looked up per request: a publish or sync folder is followed through its `current`
(a symlink, or the pointer file a Windows village PC uses), so a switch is served at once.
"""

from __future__ import annotations

import mimetypes
import os
import re
import socket
import socketserver
import threading
import time
import urllib.parse
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..site.csp import HEADER_POLICY
from .releases import served_folder

CHUNK = 1 << 16
HEADER_TIMEOUT = 10.0
IO_TIMEOUT = 30.0
MAX_CONNECTIONS = 256

SECURITY_HEADERS = {
    "Content-Security-Policy": HEADER_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Resource-Policy": "same-origin",
}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".wasm": "application/wasm",
    ".pf_meta": "application/octet-stream",
}

# Names Windows opens as devices whatever the folder or extension (CON, NUL.html, com1.txt …).
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")
NOT_FOUND_FALLBACK = (
    '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>找不到页面</title>'
    "<p>找不到这个页面。请返回<a href='/index.html'>首页</a>。</p></html>"
).encode()


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def safe_segments(url_path: str) -> list[str] | None:
    """The path's segments after one percent-decoding, or None when any of them may not be served."""
    decoded = urllib.parse.unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = [s for s in decoded.split("/") if s]
    for segment in segments:
        if segment.startswith(".") or ":" in segment or segment != segment.rstrip(". "):
            return None
        if segment.split(".")[0].upper() in WINDOWS_DEVICES or any(ord(c) < 32 for c in segment):
            return None
    return segments


def inside(real: str, real_root: str) -> bool:
    """real lies in real_root (both resolved) and no part of the way there is a dot-name."""
    if real == real_root:
        return True
    if not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return False
    return not any(part.startswith(".") for part in os.path.relpath(real, real_root).split(os.sep))


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of one satisfiable range; False if unsatisfiable; None to ignore the header."""
    match = RANGE.fullmatch(header.replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None  # another unit, several ranges or bad syntax: answer with the whole file
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        return (max(0, size - suffix), size - 1) if suffix and size else False
    first = int(first)
    if last != "" and int(last) < first:
        return None
    if first >= size:
        return False
    return first, size - 1 if last == "" else min(int(last), size - 1)


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hongwang"
    sys_version = ""

    # ------------------------------------------------------------------ connection and request

    def setup(self):
        self.timeout = self.server.io_timeout  # each recv/send; the header deadline is the watchdog's
        super().setup()

    def handle_one_request(self):
        self.server.watchdog.arm(self, self.server.header_timeout)
        try:
            super().handle_one_request()
        except OSError:  # the client went away or the watchdog cut a stalled one
            self.close_connection = True
        finally:
            self.server.watchdog.disarm(self)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if self.server.watchdog.disarm(self):  # too slow: whatever arrived is not a request to answer
            self.close_connection = True
            return False
        if not parsed:
            return False
        if self.command not in ("GET", "HEAD"):
            self.close_connection = True  # its body (if any) is never read
            self.reply(405, b"", {"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8"})
            return False
        if self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length", "0").strip() != "0":
            self.close_connection = True  # a GET with a body: answer it, then never read what follows
        return True

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.answer(with_body=True)

    def do_HEAD(self):  # noqa: N802 - http.server's naming
        self.answer(with_body=False)

    def send_error(self, code, message=None, explain=None):
        """Errors found while parsing (400, 414, 431, 505): short, with the security headers, then close."""
        self.close_connection = True
        body = f"{code} {message or self.responses.get(code, ('',))[0]}\n".encode("latin-1", "replace")
        self.reply(code, body if self.command != "HEAD" else b"", {"Content-Type": "text/plain; charset=utf-8"})

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    # ------------------------------------------------------------------ answers

    def reply(self, code: int, body: bytes, headers: dict[str, str], length: int | None = None) -> None:
        self.send_response(code)
        for name, value in {**self.server.security_headers, **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def answer(self, with_body: bool) -> None:
        root = os.path.abspath(self.server.root())
        url = urllib.parse.urlsplit(self.path)
        try:
            segments = safe_segments(url.path)
        except UnicodeDecodeError:
            segments = None
        found = None if segments is None else self.locate(root, segments, url.path.endswith("/"))
        if found is None:
            self.not_found(root, with_body)
        elif found.startswith("redirect:"):
            self.reply(301, b"", {"Location": found[len("redirect:") :] + (f"?{url.query}" if url.query else "")})
        else:
            self.send_file(found, with_body)

    def locate(self, root: str, segments: list[str], trailing_slash: bool) -> str | None:
        """The file to send, 'redirect:<path>' for a folder named without its slash, or None."""
        real_root = os.path.realpath(root)
        candidate = os.path.join(root, *segments)
        if os.path.isdir(candidate):
            if segments and not trailing_slash:
                index = os.path.realpath(os.path.join(candidate, "index.html"))
                if inside(index, real_root) and os.path.isfile(index):
                    return "redirect:" + urllib.parse.quote("/" + "/".join(segments) + "/")
                return None
            candidate = os.path.join(candidate, "index.html")
        real = os.path.realpath(candidate)
        if not inside(real, real_root) or not os.path.isfile(real):
            return None
        return real

    def not_found(self, root: str, with_body: bool) -> None:
        """404 with the site's own themed page (the one at the served root), never a directory listing."""
        try:
            with open(os.path.join(root, "404.html"), "rb") as handle:
                body = handle.read(4 << 20)
        except OSError:
            body = NOT_FOUND_FALLBACK
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}
        self.reply(404, body if with_body else b"", headers, length=len(body))

    def send_file(self, path: str, with_body: bool) -> None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
        except OSError:
            self.not_found(os.path.abspath(self.server.root()), with_body)
            return
        with handle:
            stat = os.fstat(handle.fileno())
            size = stat.st_size
            etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
            modified = formatdate(stat.st_mtime, usegmt=True)
            headers = {
                "Content-Type": content_type(path),
                "Accept-Ranges": "bytes",
                "ETag": etag,
                "Last-Modified": modified,
                "Cache-Control": "no-cache",  # revalidate (cheap, 304): a village sync may switch the site
            }
            if self.not_modified(etag, stat.st_mtime):
                self.reply(304, b"", headers, length=0)
                return
            first, last = 0, size - 1
            wanted = self.headers.get("Range")
            if wanted and self.range_applies(etag, modified):
                span = parse_range(wanted, size)
                if span is False:
                    self.reply(416, b"", {**headers, "Content-Range": f"bytes */{size}"}, length=0)
                    return
                if span is not None:
                    first, last = span
                    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
            length = last - first + 1
            self.send_response(206 if "Content-Range" in headers else 200)
            for name, value in {**self.server.security_headers, **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if with_body:
                self.stream(handle, first, length)

    def stream(self, handle, first: int, length: int) -> None:
        handle.seek(first)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:  # the file shrank under us: the client sees a short body and the connection closes
                self.close_connection = True
                return
            self.wfile.write(chunk)
            length -= len(chunk)

    def not_modified(self, etag: str, mtime: float) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return match.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False

    def range_applies(self, etag: str, modified: str) -> bool:
        """If-Range: the range only if the client's copy is still this file; otherwise the whole file."""
        condition = self.headers.get("If-Range")
        return condition is None or condition.strip() in (etag, modified)


class Watchdog:
    """Cuts off connections that have not sent a complete request header in time (one thread per server)."""

    def __init__(self, tick: float = 0.2):
        self.lock = threading.Lock()
        self.deadlines: dict[SiteHandler, float] = {}
        self.expired: set[SiteHandler] = set()
        self.stopped = threading.Event()
        self.tick = tick
        self.thread = threading.Thread(target=self.run, name="hongwang-serve-watchdog", daemon=True)
        self.thread.start()

    def arm(self, handler: SiteHandler, seconds: float) -> None:
        with self.lock:
            self.deadlines[handler] = time.monotonic() + seconds

    def disarm(self, handler: SiteHandler) -> bool:
        """Stop watching; True if the deadline had passed and the connection was cut."""
        with self.lock:
            self.deadlines.pop(handler, None)
            if handler in self.expired:
                self.expired.discard(handler)
                return True
            return False

    def run(self) -> None:
        while not self.stopped.wait(self.tick):
            now = time.monotonic()
            with self.lock:
                late = [handler for handler, deadline in self.deadlines.items() if deadline <= now]
                for handler in late:
                    del self.deadlines[handler]
                    self.expired.add(handler)
            for handler in late:
                try:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        self.stopped.set()


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        site: Path,
        address: tuple[str, int],
        header_timeout: float = HEADER_TIMEOUT,
        io_timeout: float = IO_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        security_headers: dict[str, str] | None = None,
    ):
        # absolute, not resolved: `current` is followed per request, so a switch is served at once
        self.site = Path(os.path.abspath(site))
        self.header_timeout, self.io_timeout = header_timeout, io_timeout
        self.security_headers = SECURITY_HEADERS if security_headers is None else security_headers
        self.slots = threading.BoundedSemaphore(max_connections)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteHandler)
        self.watchdog = Watchdog()

    def server_bind(self):
        # http.server looks up the machine's full DNS name here, which can hang on an offline village PC
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def root(self) -> Path:
        return served_folder(self.site)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\n\r\n"
                )
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self):
        self.watchdog.stop()
        super().server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    """The standard library's file handler with our content types, silent: for tests that fake a county server."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


def make_server(site: Path, bind: str = "127.0.0.1", port: int = 8000, **options) -> SiteServer:
    return SiteServer(site, (bind, port), **options)


def serve(site: Path, bind: str = "127.0.0.1", port: int = 8000) -> None:
    server = make_server(site, bind, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
