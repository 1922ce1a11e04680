"""Preview server for the web team: serve output/ and rebuild when content/ or theme/ changes (watchfiles)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from watchfiles import watch

from . import serve
from .build import ROOT, BuildError, BuildResult, build

THEME = ROOT / "theme"


def rebuild(content: Path, output: Path, report: Callable[[BuildResult | None, str], None]) -> None:
    try:
        report(build(content, output), "")
    except BuildError as problem:  # a broken template while editing: say so, keep serving the last good pages
        report(None, str(problem))


def run(content: Path, output: Path, bind: str, port: int, report: Callable[[BuildResult | None, str], None],
        ready: Callable[[int], None] = lambda port: None, stop: threading.Event | None = None) -> None:
    rebuild(content, output, report)
    output.mkdir(parents=True, exist_ok=True)
    server = serve.make_server(output, bind, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ready(server.server_address[1])
    try:
        for _changes in watch(content, THEME, stop_event=stop, debounce=300, raise_interrupt=False):
            rebuild(content, output, report)
    finally:
        server.shutdown()
        server.server_close()
