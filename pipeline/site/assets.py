"""Files pages link (images, PDFs, video, CSV …) copied from content/ into output/files/.

Images go through core/images.py (resized to the theme's largest use, EXIF/GPS/XMP stripped, re-encoded
by Pillow) whichever way they reached content/: dropped in by hand, filed by `hongwang ingest`, or
extracted from a Word file. The re-encoded bytes are kept in the cache folder under the source's sha256
and the recipe (core/images.py's code and Pillow's version), so a build re-encodes only new or changed
images and an unchanged one costs a stat and a copy. Other files are copied as they are.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..core import cache, images, workers
from ..core.hashing import sha256
from ..core.progress import IMAGES, QUIET, Progress

CACHE_FOLDER = "images"
DIGEST_TABLE = "image-digests"


class AssetError(Exception):
    """An image Pillow could not re-encode (validation reads only headers): the Chinese reason."""


@dataclass
class AssetReport:
    files: int = 0
    images: int = 0
    encoded: int = 0  # re-encoded this build; the others came from the cache
    seconds: float = 0.0
    bytes_in: int = 0  # the images as collectors gave them (re-encoded ones only)
    bytes_out: int = 0
    written: list[str] = field(default_factory=list)


def recipe() -> str:
    source = Path(images.__file__).read_bytes()
    return sha256(source + metadata.version("pillow").encode())[:16]


def is_image(rel: str) -> bool:
    return os.path.splitext(rel)[1].lower() in images.SUFFIXES


def publish(
    content_dir: Path, output_dir: Path, rels: list[str], store: cache.Store | None = None, progress: Progress = QUIET
) -> AssetReport:
    """Write every asset under output_dir/files/; images re-encoded (cached), others copied; progress is told
    the images re-encoded, when there are any."""
    started = time.perf_counter()
    report = AssetReport()
    store = store or cache.Store(None)
    folder = store.folder / CACHE_FOLDER if store.enabled else None
    digests = cache.FileDigests(store, images.MAX_BYTES, DIGEST_TABLE)
    tag = recipe()
    pending: list[tuple[str, Path, Path | None]] = []
    for rel in rels:
        source = content_dir / rel
        if not source.is_file():
            continue  # a missing file is a broken link, which `hongwang check-links` reports
        target = output_dir / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        report.files += 1
        if not is_image(rel):
            if not _same_file(source, target):  # a video is large: copied again only when it changed
                shutil.copy2(source, target)
            continue
        report.images += 1
        digest = digests(source)
        cached = folder / f"{digest}-{tag}{source.suffix.lower()}" if folder and digest else None
        if cached and cached.is_file():
            _copy(cached, target)
        else:
            pending.append((rel, target, cached))
    contents = digests.contents
    if pending:
        progress.stage(IMAGES, len(pending))
    encoded = workers.run(
        lambda job: _encode(content_dir / job[0], contents.get(str(content_dir / job[0]))),
        pending,
        2,
        advance=progress.advance,
    )
    for (rel, target, cached), (data, size_in, problem) in zip(pending, encoded, strict=True):
        if problem:
            raise AssetError(f"{rel}：{problem}，无法发布。请另存为 JPG 或 PNG 后替换这个文件")
        report.encoded += 1
        report.bytes_in += size_in
        report.bytes_out += len(data)
        if cached and _keep(cached, data):
            _copy(cached, target)
        else:
            target.write_bytes(data)
    digests.contents.clear()
    digests.save()
    if folder:
        prune(folder, tag)
    report.seconds = time.perf_counter() - started
    return report


def _same_file(source: Path, target: Path) -> bool:
    """target is a copy2 of source as it is now (same size and modification time)."""
    try:
        a, b = source.stat(), target.stat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def _encode_job(content_dir: Path, contents: dict[str, bytes]):
    return lambda job: _encode(content_dir / job[0], contents.get(str(content_dir / job[0])))


def _encode(source: Path, data: bytes | None) -> tuple[bytes, int, str | None]:
    try:
        data = data if data is not None else source.read_bytes()
        return images.web_image(data), len(data), None
    except images.ImageError as problem:
        return b"", 0, str(problem)
    except OSError:
        return b"", 0, "无法读取"


def _keep(cached: Path, data: bytes) -> bool:
    """Store the re-encoded image in the cache (atomically); False when the disk refuses."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(cached)
        return True
    except OSError:
        return False


def _copy(cached: Path, target: Path) -> None:
    """The cached bytes into output/ with their time, unless the file there is that copy already.

    A file left alone keeps its time, so rsync's quick check (deploy/targets.py) knows it unchanged."""
    try:
        have, want = target.stat(), cached.stat()
        if (have.st_size, have.st_mtime_ns) == (want.st_size, want.st_mtime_ns):
            return
    except OSError:
        pass
    shutil.copy2(cached, target)


def copy_theme(theme: Path, static_paths: list[str], destination: Path) -> None:
    """The theme's static files (CSS, scripts) into output/<THEME_STATIC_DIR>/, in place of Pelican's copy,
    which rewrites every file every build."""
    for static in static_paths:
        source = theme / static
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for path in files:
            target = destination / (path.name if path == source else path.relative_to(source))
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy(path, target)


def prune(folder: Path, tag: str) -> None:
    """Remove images cached by another recipe, and leftovers of a killed build. (Images of deleted files stay
    until the recipe changes or the cache folder is deleted: a few hundred KB each, never served.)"""
    if not folder.is_dir():
        return
    for entry in os.scandir(folder):
        if not entry.name.endswith(f"-{tag}" + os.path.splitext(entry.name)[1]) or entry.name.startswith("."):
            try:
                os.unlink(entry.path)
            except OSError:
                pass
