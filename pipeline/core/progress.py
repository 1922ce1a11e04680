"""What a long run tells a person watching it: the stage it is in and how far along that stage is.

The entry points of build, publish, ingest and report take an optional `progress` and pass it down; the
code doing the work calls `stage(name, total)` when a stage begins and `advance(n)` as items are done
(workers report per chunk, from the parent, as results come back: core/workers.py). The default,
`QUIET`, does nothing, so the pipeline never prints. The CLI passes one that draws on the terminal
(cli.py), and decides whether anything is drawn at all.

The stage names are written here only: whatever draws them shows them as they are.
"""

from __future__ import annotations

import time

CHECK = "检查"  # files checked of all submission files (ingest: submissions of those in the inbox)
PAGES = "生成页面"  # pages rendered of those whose inputs changed
IMAGES = "处理图片"  # images re-encoded of those not in the cache
FEEDS = "订阅源"  # feeds of all feeds (each written, or found unchanged)
SEARCH = "搜索索引"  # documents indexed of those to (re-)index
UPLOAD = "上传"  # files sent to the target of all files of the release

STAGES = (CHECK, PAGES, IMAGES, FEEDS, SEARCH, UPLOAD)  # the order a publish runs them in


class Progress:
    """Tells no one. Subclasses draw; the pipeline only calls these two methods."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Stage `name` begins (the one before it is over); total None: not known yet.

        Called again with the name of the stage in progress, it only sets the total (known once the
        stage has planned its work) and keeps the count."""

    def advance(self, n: int = 1) -> None:
        """n more items of the current stage are done."""


QUIET = Progress()


class StageClock(Progress):
    """Passes everything on to `inner` and times each stage, from its start to the next one's (or `stop`)."""

    def __init__(self, inner: Progress = QUIET):
        self.inner = inner
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._since = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        if name != self._current:
            self.stop()
            self._current, self._since = name, time.perf_counter()
        self.inner.stage(name, total)

    def advance(self, n: int = 1) -> None:
        self.inner.advance(n)

    def stop(self) -> dict[str, float]:
        """End the stage in progress; the seconds of every stage so far, by name."""
        if self._current is not None:
            spent = time.perf_counter() - self._since
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + spent
            self._current = None
        return self.seconds
