"""Preview server for the web team: serve output/ and rebuild when content/ or theme/ changes (watchfiles).

Each rebuild is incremental: pages, feeds and the search index are written only where something
changed, so the preview shows an edit, searchable, a moment after it is saved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from watchfiles import watch

from ..core.paths import THEME
from ..core.progress import QUIET, Progress
from ..site.build import BuildError, BuildResult, build
from . import serve

ShowProgress = Callable[[], AbstractContextManager[Progress]]  # one progress display per rebuild


def rebuild(
    content: Path,
    output: Path,
    report: Callable[[BuildResult | None, str], None],
    progress: ShowProgress = lambda: nullcontext(QUIET),
) -> None:
    try:
        with progress() as shown:
            result = build(content, output, progress=shown)
    except BuildError as problem:  # a broken template while editing: say so, keep serving the last good pages
        report(None, str(problem))
        return
    report(result, "")


def run(
    content: Path,
    output: Path,
    bind: str,
    port: int,
    report: Callable[[BuildResult | None, str], None],
    ready: Callable[[int], None] = lambda port: None,
    stop: threading.Event | None = None,
    progress: ShowProgress = lambda: nullcontext(QUIET),
) -> None:
    rebuild(content, output, report, progress)
    output.mkdir(parents=True, exist_ok=True)
    server = serve.make_server(output, bind, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ready(server.server_address[1])
    try:
        for _changes in watch(content, THEME, stop_event=stop, debounce=300, raise_interrupt=False):
            rebuild(content, output, report, progress)
    finally:
        server.shutdown()
        server.server_close()
