"""A folder of releases with `current` naming the one served: a publish target, and a village PC's copy.

    <root>/releases/<version>/   one complete site per publish (or per sync)
    <root>/current -> releases/<version>   what the web server (or `hongwang serve --site`) serves

A release gets its final name only once every file is in place, and `current` is
switched by renaming a new symlink over the old one (rename(2) is atomic), so a
publish or sync killed at any moment leaves either the old site or the new one
served, never a mixture. Leftovers of an interrupted run are removed by the next.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import filelock

RELEASES = "releases"
CURRENT = "current"
PARTIAL_PREFIX = ".partial-"
TRASH_PREFIX = ".trash-"
# The newest release ever switched to; a newer one was never served (killed between rename and switch).
LAST_PUBLISHED = ".last-published"
LOCK_FILE = ".publish.lock"
LOCK_WAIT = 600  # seconds a publish waits for another one to the same target
# Test hook: stop (sleep) at the named step so a test can SIGKILL the publish exactly there.
PAUSE_ENV = "HONGWANG_PUBLISH_PAUSE_AT"


class PublishError(Exception):
    """Configuration or environment problem (exit code 2); the published site is left as it was."""


def pause_point(step: str) -> None:
    if os.environ.get(PAUSE_ENV) == step:
        print(f"paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


class Releases:
    """The release folder of one target (or village copy), on this machine."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.folder = self.root / RELEASES

    def path(self, release: str) -> Path:
        return self.folder / release

    def partial(self, release: str) -> Path:
        return self.folder / f"{PARTIAL_PREFIX}{release}"

    def prepare(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PublishError(f"无法创建发布目录 {self.folder}：{error.strerror}") from None

    @contextmanager
    def locked(self, wait: float = 0, on_wait: Callable[[str], None] | None = None):
        """One publish (or sync) at a time: flock on Linux, LockFileEx on Windows, so the operating system drops
        the lock when the process is killed. A second one waits up to `wait` seconds (saying so), then refuses."""
        # preserve_lock_file: never filelock's marker-file fallback, which a killed process would leave locked
        lock = filelock.FileLock(self.root / LOCK_FILE, preserve_lock_file=True, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if wait <= 0:
                raise PublishError(f"{self.root} 正在由另一个发布进程使用，请稍后再试") from None
            if on_wait is not None:
                on_wait(f"{self.root} 正在由另一个发布进程使用，等它结束（最多 {wait:.0f} 秒）……")
            try:
                lock.acquire(timeout=wait, poll_interval=0.2)
            except filelock.Timeout:
                raise PublishError(f"{self.root} 被另一个发布进程占用超过 {wait:.0f} 秒，请稍后再试") from None
        try:
            yield
        finally:
            lock.release()

    def current(self) -> str | None:
        link = self.root / CURRENT
        if not link.is_symlink():
            if link.exists():
                raise PublishError(
                    f"{link} 是普通目录而不是符号链接。请把它改名（例如 current.old），"
                    f"再发布：hongwang 会新建 releases/ 和指向它的 current"
                )
            return None
        return Path(os.readlink(link)).name

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def remove_leftovers(self) -> None:
        """Releases an interrupted run left behind: half-copied, half-deleted, or complete but never served."""
        for leftover in self.folder.iterdir():
            if leftover.name.startswith((PARTIAL_PREFIX, TRASH_PREFIX)):
                shutil.rmtree(leftover, ignore_errors=True)
        for stale in [*self.root.glob(".current-*.tmp"), *self.root.glob(f"{LAST_PUBLISHED}.*.tmp")]:
            stale.unlink(missing_ok=True)
        marker = self.root / LAST_PUBLISHED
        served = [name for name in (self.current(), marker.is_file() and marker.read_text().strip()) if name]
        newest = max(served, default="")
        for never_served in [name for name in self.names() if name > newest]:
            self.discard(never_served)

    def mark_published(self, release: str) -> None:
        temporary = self.root / f"{LAST_PUBLISHED}.{os.getpid()}.tmp"
        temporary.write_text(release + "\n", encoding="ascii")
        os.replace(temporary, self.root / LAST_PUBLISHED)

    def discard(self, release: str) -> None:
        trash = self.folder / f"{TRASH_PREFIX}{release}"
        self.path(release).rename(trash)  # a half-deleted release must never look complete
        shutil.rmtree(trash, ignore_errors=True)

    def switch(self, release: str) -> None:
        temporary = self.root / f".current-{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        os.symlink(f"{RELEASES}/{release}", temporary)
        pause_point("linked")
        os.replace(temporary, self.root / CURRENT)

    def prune(self, keep: int) -> list[str]:
        current = self.current()
        names = self.names()
        doomed = [n for n in names[:-keep] if n != current] if len(names) > keep else []
        for name in doomed:
            self.discard(name)
        return doomed

    def free_name(self, version: str) -> str:
        existing = set(self.names())
        name, counter = version, 1
        while name in existing:
            counter += 1
            name = f"{version}-{counter}"
        return name


def served_folder(site: Path) -> Path:
    """The folder to serve for `site`: itself when it holds a site, else the release its `current` names."""
    site = Path(site)
    if (site / "index.html").is_file() or not os.path.lexists(site / CURRENT):
        return site
    return site / CURRENT
