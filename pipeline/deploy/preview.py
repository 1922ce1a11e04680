"""Preview server for the web team: serve output/ and rebuild when content/ or theme/ changes (watchfiles).

A collector waiting on a preview wants the page, not the search index: each rebuild returns once
pages, feeds and sitemap are written, and Pagefind (most of an edit's rebuild at county scale)
finishes in the background. The next change stops an index still being made; the preview keeps
the last complete one meanwhile, and the next rebuild indexes again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import watch

from ..core.paths import THEME
from ..site.build import BuildError, BuildResult, build
from ..site.search import SearchIndexError, SearchStats
from . import serve


class Previewer:
    def __init__(
        self,
        content: Path,
        output: Path,
        report: Callable[[BuildResult | None, str], None],
        search_report: Callable[[SearchStats | None, str], None] = lambda stats, problem: None,
    ):
        self.content, self.output = content, output
        self.report, self.search_report = report, search_report
        self.indexing = None
        self.waiter: threading.Thread | None = None
        self.index_complete = True  # False when the last index was stopped or failed: re-index next time

    def rebuild(self) -> None:
        self._stop_indexing()
        try:
            result = build(self.content, self.output, search_in_background=True, force_search=not self.index_complete)
        except BuildError as problem:  # a broken template while editing: say so, keep serving the last good pages
            self.report(None, str(problem))
            return
        self.report(result, "")
        pending = result.post.pending_search if result.post else None
        if pending:
            self.indexing, self.index_complete = pending, False
            self.waiter = threading.Thread(target=self._wait_for_index, args=(pending,), daemon=True)
            self.waiter.start()

    def _wait_for_index(self, indexing) -> None:
        try:
            stats = indexing.finish()
        except SearchIndexError as problem:
            if not indexing.stopped:
                self.search_report(None, str(problem))
            return
        self.index_complete = True
        self.search_report(stats, "")

    def _stop_indexing(self) -> None:
        if self.indexing is not None:
            self.indexing.stop()
            self.waiter.join()
            self.indexing = self.waiter = None

    def close(self) -> None:
        self._stop_indexing()


def run(
    content: Path,
    output: Path,
    bind: str,
    port: int,
    report: Callable[[BuildResult | None, str], None],
    ready: Callable[[int], None] = lambda port: None,
    stop: threading.Event | None = None,
    search_report: Callable[[SearchStats | None, str], None] = lambda stats, problem: None,
) -> None:
    previewer = Previewer(content, output, report, search_report)
    previewer.rebuild()
    output.mkdir(parents=True, exist_ok=True)
    server = serve.make_server(output, bind, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ready(server.server_address[1])
    try:
        for _changes in watch(content, THEME, stop_event=stop, debounce=300, raise_interrupt=False):
            previewer.rebuild()
    finally:
        previewer.close()
        server.shutdown()
        server.server_close()
