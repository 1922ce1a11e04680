"""sha256 of bytes and of files (read in chunks, never whole): caches, manifests and the intake log."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 16


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
