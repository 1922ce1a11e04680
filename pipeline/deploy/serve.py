"""Serve a built site (output/ or an unpacked village bundle) over HTTP."""

from __future__ import annotations

import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".csv": "text/csv; charset=utf-8",
        ".json": "application/json",
        ".wasm": "application/wasm",
        ".pf_meta": "application/octet-stream",
    }

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


def make_server(site: Path, bind: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    # absolute, not resolved: a `current` symlink is followed per request, so a switch is served at once
    handler = functools.partial(QuietHandler, directory=os.path.abspath(site))
    return ThreadingHTTPServer((bind, port), handler)


def serve(site: Path, bind: str = "127.0.0.1", port: int = 8000) -> None:
    server = make_server(site, bind, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
