"""A folder of releases with `current` naming the one served: a publish target, and a village PC's copy.

    <root>/releases/<version>/   one complete site per publish (or per sync)
    <root>/current -> releases/<version>   what the web server (or `hongwang serve --site`) serves

`current` is a symlink (a county server's nginx serves it as a folder) or, where symlinks cannot be made
(a Windows village PC without Developer Mode), a small text file holding `releases/<version>` that
`hongwang serve` reads on every request. Either way it is switched by renaming a new one over the old
(rename(2), MoveFileEx: atomic), and a release gets its final name (a directory rename) only once every
file is in place, so a publish or sync killed at any moment leaves either the old site or the new one
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
SEED_PREFIX = ".seed-"  # the served release hard-linked while the next one is built (deploy/targets.py DirTarget)
# The newest release ever switched to; a newer one was never served (killed between rename and switch).
LAST_PUBLISHED = ".last-published"
LOCK_FILE = ".publish.lock"
SYMLINK, POINTER, AUTO = "symlink", "pointer", "auto"  # the layouts of `current`
LOCK_WAIT = 600  # seconds a publish waits for another one to the same target
# Test hook: stop (sleep) at the named step so a test can SIGKILL the publish exactly there.
PAUSE_ENV = "HONGWANG_PUBLISH_PAUSE_AT"


class PublishError(Exception):
    """Configuration or environment problem (exit code 2); the published site is left as it was."""


def pause_point(step: str) -> None:
    if os.environ.get(PAUSE_ENV) == step:
        print(f"paused at {step}", file=sys.stderr, flush=True)
        time.sleep(3600)


@contextmanager
def held(lock_path: Path, label: str, wait: float = 0, on_wait: Callable[[str], None] | None = None):
    """One publish (or sync) at a time: flock on Linux, LockFileEx on Windows, so the operating system drops
    the lock when the process is killed. A second one waits up to `wait` seconds (saying so), then refuses."""
    # preserve_lock_file: never filelock's marker-file fallback, which a killed process would leave locked
    lock = filelock.FileLock(lock_path, preserve_lock_file=True, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if wait <= 0:
            raise PublishError(f"{label} 正在由另一个发布进程使用，请稍后再试") from None
        if on_wait is not None:
            on_wait(f"{label} 正在由另一个发布进程使用，等它结束（最多 {wait:.0f} 秒）……")
        try:
            lock.acquire(timeout=wait, poll_interval=0.2)
        except filelock.Timeout:
            raise PublishError(f"{label} 被另一个发布进程占用超过 {wait:.0f} 秒，请稍后再试") from None
    try:
        yield
    finally:
        lock.release()


class Releases:
    """The release folder of one target (or village copy), on this machine.

    `layout` says how `current` is written: `symlink`, `pointer` (a file naming the release), or `auto`: as
    it already is, else a symlink where the system allows one and a pointer file on Windows."""

    def __init__(self, root: Path, layout: str = AUTO):
        self.root = Path(root)
        self.folder = self.root / RELEASES
        self.layout = layout

    def path(self, release: str) -> Path:
        return self.folder / release

    def partial(self, release: str) -> Path:
        return self.folder / f"{PARTIAL_PREFIX}{release}"

    def seed(self, release: str) -> Path:
        return self.folder / f"{SEED_PREFIX}{release}"

    def prepare(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PublishError(f"无法创建发布目录 {self.folder}：{error.strerror}") from None

    def locked(self, wait: float = 0, on_wait: Callable[[str], None] | None = None):
        return held(self.root / LOCK_FILE, str(self.root), wait, on_wait)

    def current(self) -> str | None:
        return current_release(self.root)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def remove_leftovers(self, keep: Path | None = None) -> None:
        """Releases an interrupted run left behind: half-copied, half-deleted, or complete but never served.
        keep: this run's own seed (made before it held the lock)."""
        for leftover in self.folder.iterdir():
            if leftover.name.startswith((PARTIAL_PREFIX, TRASH_PREFIX, SEED_PREFIX)) and leftover != keep:
                shutil.rmtree(leftover, ignore_errors=True)
        leftovers = (".current-*.tmp", ".symlink-probe-*.tmp", f"{LAST_PUBLISHED}.*.tmp")
        for stale in [path for pattern in leftovers for path in self.root.glob(pattern)]:
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

    def discard(self, release: str) -> bool:
        trash = self._set_aside(release)
        if trash:
            shutil.rmtree(trash, ignore_errors=True)
        return trash is not None

    def _set_aside(self, release: str) -> Path | None:
        """Rename a release out of the way (a half-deleted release must never look complete)."""
        trash = self.folder / f"{TRASH_PREFIX}{release}"
        try:
            self.path(release).rename(trash)
        except PermissionError:  # Windows: a file in it is open (a reader's video): try again next time
            return None
        return trash

    def switch(self, release: str) -> None:
        temporary = self.root / f".current-{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        if self.writes_pointer():
            with open(temporary, "w", encoding="ascii", newline="\n") as handle:
                handle.write(f"{RELEASES}/{release}\n")
                handle.flush()
                os.fsync(handle.fileno())
        else:
            os.symlink(f"{RELEASES}/{release}", temporary)
        pause_point("linked")
        replace_patiently(temporary, self.root / CURRENT)

    def writes_pointer(self) -> bool:
        """Whether the next switch writes a pointer file rather than a symlink."""
        link = self.root / CURRENT
        if self.layout != AUTO:
            return self.layout == POINTER
        if link.is_symlink():
            return False
        if link.is_file() or os.name == "nt":
            return True
        probe = self.root / f".symlink-probe-{os.getpid()}.tmp"
        try:
            os.symlink(RELEASES, probe)
        except (OSError, NotImplementedError):  # a file system or system without symlinks
            return True
        probe.unlink()
        return False

    def prune(self, keep: int) -> list[str]:
        """Releases beyond the newest `keep` (never the one served) are set aside now and deleted by a process
        of their own: deleting 70,000 links took half a second, which nobody need wait for once the new
        release is served. Whatever it leaves (it was killed) the next publish or sync removes."""
        current = self.current()
        names = self.names()
        doomed = [n for n in names[:-keep] if n != current] if len(names) > keep else []
        trash = {name: self._set_aside(name) for name in doomed}
        delete_in_background([path for path in trash.values() if path])
        return [name for name, path in trash.items() if path]

    def free_name(self, version: str) -> str:
        existing = set(self.names())
        name, counter = version, 1
        while name in existing:
            counter += 1
            name = f"{version}-{counter}"
        return name


def delete_in_background(folders: list[Path]) -> None:
    """Delete the folders in a detached grandchild (no zombie, no open descriptor of ours: a caller reading our
    output sees its end when we exit); here and now where there is no fork (Windows)."""
    if not folders:
        return
    if not hasattr(os, "fork"):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return
    child = os.fork()
    if child:
        os.waitpid(child, 0)  # the child only forks and exits
        return
    try:
        if os.fork() == 0:
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for descriptor in (0, 1, 2):
                os.dup2(null, descriptor)
            os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


def replace_patiently(source: Path, target: Path, attempts: int = 50) -> None:
    """os.replace, retried briefly: on Windows it fails while another process (the server) has target open."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.02)


def current_release(root: Path) -> str | None:
    """The release `root/current` names: a symlink's target, or a pointer file's `releases/<name>` line."""
    link = Path(root) / CURRENT
    if link.is_symlink():
        return Path(os.readlink(link)).name
    if link.is_dir():
        raise PublishError(
            f"{link} 是普通目录而不是符号链接。请把它改名（例如 current.old），"
            f"再发布：hongwang 会新建 releases/ 和指向它的 current"
        )
    if not link.is_file():
        return None
    try:
        text = link.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    name = text.removeprefix(f"{RELEASES}/")
    if not name or "/" in name or "\\" in name or name.startswith(".") or len(text) > 200:
        raise PublishError(f"{link} 应当只有一行 {RELEASES}/<版本>，现在的内容不对。请删除它后重新同步")
    return name


def served_folder(site: Path) -> Path:
    """The folder to serve for `site`: itself when it holds a site, else the release its `current` names
    (looked up again on every request, so a switch is served at once)."""
    site = Path(site)
    current = site / CURRENT
    if (site / "index.html").is_file() or not os.path.lexists(current):
        return site
    if current.is_file() and not current.is_symlink():
        try:
            return site / RELEASES / current_release(site)
        except PublishError:
            return site
    return current
