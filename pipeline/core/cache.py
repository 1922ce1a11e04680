"""Memo of pure, expensive build steps across runs, kept outside output/.

A table is one pickle file in the cache folder (default `.hongwang-cache/` beside
content/). Every table is salted with a hash of our code, the theme and the
versions of the libraries whose output we store: change any of them and the
cache starts empty. Entries are keyed by the sha256 of the input they came
from, so editing a file can never serve a stale result. Writing a table keeps
only the entries used in this run, so deleted files do not accumulate.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import sys
import time
import zlib
from importlib import metadata
from pathlib import Path

from .hashing import sha256, sha256_file
from .paths import ROOT

# Every module of every sub-package (a new sub-package is covered without an edit), the theme, the settings.
CODE_GLOBS = ("pipeline/**/*.py", "theme/**/*", "pelicanconf.py", "publishconf.py")
LIBRARIES = ("markdown", "nh3", "pelican", "jinja2", "pyyaml", "markupsafe", "chinese-calendar", "pypinyin", "pillow")
DEFAULT_FOLDER = ".hongwang-cache"


def code_files() -> list[Path]:
    """The files whose bytes key the cache: change one and every table starts empty."""
    found = {path for pattern in CODE_GLOBS for path in ROOT.glob(pattern) if path.is_file()}
    return sorted((p for p in found if "__pycache__" not in p.parts), key=lambda p: p.relative_to(ROOT).as_posix())


@functools.lru_cache(maxsize=1)
def code_salt() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in code_files():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def default_folder(content_dir: Path) -> Path:
    return Path(content_dir).resolve().parent / DEFAULT_FOLDER


SHARDS = 16  # files of a big table (Store.read/write's `shards`)
# Tables an earlier version wrote and nothing reads any more: a county's cache folder outlives upgrades.
# "bodies" held every rendered body (about 60 MB at 20,000 items) until the model kept whole items.
RETIRED_TABLES = ("bodies",)


class Store:
    """Tables of pickled results; a Store without a folder remembers nothing.

    A big table (a county's documents or rendered bodies: tens of MB) is kept in `shards` files, split by
    key; writing it rewrites only the shards whose entries changed, so a one-article edit writes 1/16 of it.
    A table is always read and written with the same number of shards."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None
        self._loaded: dict[str, dict] = {}
        self._parts: dict[str, list[dict]] = {}  # a sharded table as read or last written, shard by shard

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def read(self, name: str, shards: int = 1) -> dict:
        if name not in self._loaded:
            if shards == 1:
                self._loaded[name] = self._read_file(name)
            else:
                parts = [self._read_file(_shard_name(name, number, shards)) for number in range(shards)]
                self._parts[name] = parts
                self._loaded[name] = {key: value for part in parts for key, value in part.items()}
        return self._loaded[name]

    def _read_file(self, name: str) -> dict:
        if not self.folder:
            return {}
        try:
            with (self.folder / f"{name}.pickle").open("rb") as handle, cycle_collector_paused():
                salt, table = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return {}
        return table if salt == code_salt() and isinstance(table, dict) else {}

    def write(self, name: str, table: dict, shards: int = 1) -> None:
        """Replace a table (atomically per file: a crash leaves the old one or none, never half a file)."""
        self._loaded[name] = table
        if shards == 1:
            self._write_file(name, table)
            return
        parts: list[dict] = [{} for _ in range(shards)]
        for key, value in table.items():
            parts[_shard_of(key, shards)][key] = value
        if self.folder:
            (self.folder / f"{name}.pickle").unlink(missing_ok=True)  # the table as one file, before shards
        before = self._parts.get(name) or [None] * shards
        for number, part in enumerate(parts):
            if part != before[number]:  # the same objects mostly: compared by identity, cheaply
                self._write_file(_shard_name(name, number, shards), part)
        self._parts[name] = parts

    def part(self, name: str, key, shards: int) -> dict:
        """The shard of a sharded table that holds `key`, read alone (the whole table when it was read)."""
        if name in self._loaded:
            return self._loaded[name]
        number = _shard_of(key, shards)
        parts = self._parts.setdefault(name, [None] * shards)
        if parts[number] is None:
            parts[number] = self._read_file(_shard_name(name, number, shards))
        return parts[number]

    def patch(self, name: str, changes: dict, removed, shards: int) -> None:
        """Set `changes` and delete the `removed` keys of a sharded table, reading and writing only their shards
        (unless the whole table was read)."""
        if name in self._loaded:
            gone = set(removed)
            kept = {key: value for key, value in self._loaded[name].items() if key not in gone}
            self.write(name, {**kept, **changes}, shards)
            return
        touched: dict[int, dict] = {}
        for key in [*changes, *removed]:
            number = _shard_of(key, shards)
            if number not in touched:
                touched[number] = dict(self.part(name, key, shards))
        for key in removed:
            touched[_shard_of(key, shards)].pop(key, None)
        for key, value in changes.items():
            touched[_shard_of(key, shards)][key] = value
        for number, part in touched.items():
            self._write_file(_shard_name(name, number, shards), part)
            self._parts[name][number] = part

    def drop_retired(self) -> None:
        """Delete the files of RETIRED_TABLES, whole or sharded."""
        if not self.folder:
            return
        for name in RETIRED_TABLES:
            for path in [self.folder / f"{name}.pickle", *self.folder.glob(f"{name}-[0-9][0-9]-of-*.pickle")]:
                path.unlink(missing_ok=True)

    def template_bytecode(self, options: dict):
        """Jinja's cache of compiled templates in this store (None without a folder): compiling the theme's
        templates costs a one-article edit a tenth of a second, in each process that renders a page. Jinja keys
        a template by its name and source only, so the file names carry our code salt and the environment's
        options; files of another salt are deleted."""
        if not self.folder:
            return None
        from jinja2 import FileSystemBytecodeCache

        folder = self.folder / "templates"
        prefix = hashlib.blake2b(f"{code_salt()}|{sorted(options.items())!r}".encode(), digest_size=8).hexdigest()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob("*.cache"):
                if not stale.name.startswith(prefix):
                    stale.unlink(missing_ok=True)
        except OSError:
            return None  # a read-only or full disk costs speed, never the build
        return FileSystemBytecodeCache(str(folder), f"{prefix}-%s.cache")

    def release(self, name: str) -> None:
        """Forget a table read or written (its memory is freed; a later read reads it again)."""
        self._loaded.pop(name, None)
        self._parts.pop(name, None)

    def _write_file(self, name: str, table: dict) -> None:
        if not self.folder:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{name}.{os.getpid()}.tmp"
            with temporary.open("wb") as handle, cycle_collector_paused():
                pickle.dump((code_salt(), table), handle, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(self.folder / f"{name}.pickle")
        except OSError:
            pass  # a read-only or full disk costs speed, never the build


def stat_stamp(status: os.stat_result) -> tuple:
    """What FileDigests compares a file by: (size, mtime, ctime, inode)."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _shard_name(name: str, number: int, shards: int) -> str:
    return f"{name}-{number:02d}-of-{shards}"


def _shard_of(key, shards: int) -> int:
    """A key's shard, the same in every process (str hashes are salted per process): by its first string."""
    text = key if isinstance(key, str) else key[0]
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % shards


class FileDigests:
    """sha256 of files, remembered by their stat (size, mtime, ctime, inode) as git's index does.

    At county scale reading every file to hash it is most of a no-change validate. A stamp is kept
    only for a file last changed RACY_SECONDS before it was hashed: any later edit moves its mtime
    and ctime past the stamp, however coarse the file system's clock. Files over max_bytes get ""."""

    TABLE = "file-digests"
    RACY_SECONDS = 2

    def __init__(self, store: Store, max_bytes: int, table: str = TABLE, stamps: dict[str, tuple] | None = None):
        """stamps: files' stamps as a walk just saw them (content/load.Listing), else each is stat'ed."""
        self.store = store
        self.stamps = stamps or {}
        self.max_bytes = max_bytes
        self.table = table
        self.known = store.read(table)
        self.seen: dict[str, tuple] = {}
        self.contents: dict[str, bytes] = {}  # the bytes hashed, for whoever checks the file next
        self.settled_before_ns = time.time_ns() - self.RACY_SECONDS * 1_000_000_000

    def __call__(self, path: Path) -> str:
        name = str(path)
        stamp = self.stamp(name)
        if stamp is None:
            return ""
        digest = self.known_digest(name, stamp)
        if digest is None:
            try:
                data = path.read_bytes()
            except OSError:
                return ""
            digest = sha256(data)
            self.contents[name] = data
            self.remember(name, stamp, digest)
        return digest

    def with_size(self, path: Path | str) -> tuple[str, int]:
        """(sha256, size) of a file, hashing it only when its stat changed (raises OSError when unreadable)."""
        name = str(path)
        status = os.stat(name)
        stamp = stat_stamp(status)
        digest = self.known_digest(name, stamp)
        if digest is None:
            digest = sha256_file(name)
            self.remember(name, stamp, digest)
        return digest, status.st_size

    def stamp(self, name: str) -> tuple | None:
        """(size, mtime, ctime, inode), or None for a file that is missing or over max_bytes."""
        stamp = self.stamps.get(name)
        if stamp is None:
            try:
                stamp = stat_stamp(os.stat(name))
            except OSError:
                return None
        return None if stamp[0] > self.max_bytes else stamp

    def known_digest(self, name: str, stamp: tuple) -> str | None:
        entry = self.known.get(name)
        if entry and entry[0] == stamp:
            self.seen[name] = entry
            return entry[1]
        return None

    def remember(self, name: str, stamp: tuple, digest: str) -> None:
        """Keep a digest found by whoever read the file (only once its stamp is settled, see the class)."""
        if max(stamp[1], stamp[2]) < self.settled_before_ns:
            self.seen[name] = (stamp, digest)

    def save(self, partial: bool = False) -> None:
        table = {**self.known, **self.seen} if partial else self.seen
        if table != self.known:
            self.store.write(self.table, table)


@contextlib.contextmanager
def cycle_collector_paused():
    """Pause CPython's cycle collector while millions of long-lived objects are made.

    Each full collection rescans every live object; (un)pickling a table or building a county's
    site triggers it again and again (4x slower pickling; 2 s of a 7 s no-change build at
    N=20,000). Garbage is still freed by reference counting; cycles wait until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
