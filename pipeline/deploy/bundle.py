"""The village bundle: a release packed as a zip (opens on Windows without extra tools) plus a .sha256 file."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..core import media
from ..core.hashing import sha256_file
from .manifest import MANIFEST, SIGNATURE, Manifest, ManifestError, read_manifest
from .signing import Signer


@dataclass
class Bundle:
    archive: Path
    checksum_file: Path
    sha256: str
    manifest: Manifest
    signed: bool = False
    videos_left_out: int = 0  # a light bundle (without_video): the videos, played from the county's site
    video_bytes_left_out: int = 0


def bundle_name(manifest: Manifest, without_video: bool = False) -> str:
    return f"hongwang-site-{manifest.version}" + ("-light" if without_video else "")


def is_video(path: str) -> bool:
    return path.startswith("files/") and path.lower().endswith(media.PUBLISHED_SUFFIXES)


def write_bundle(site: Path, destination: Path, signer: Signer | None = None, without_video: bool = False) -> Bundle:
    """Zip a site that has a manifest; the zip holds one folder named after the version.

    The release's own manifest.sig goes in with it; a signer signs the manifest afresh (for a release
    published before the county had a key) without changing the release folder.

    Videos are stored, not deflated (they are compressed already); `without_video` leaves them out (a light
    bundle: the manifest still lists them, so a later `hongwang sync` fetches them, and the video pages play
    them from the county's site meanwhile)."""
    manifest = read_manifest(site)
    if manifest is None:
        raise ManifestError(f"{site} 中没有 manifest.json")
    destination.mkdir(parents=True, exist_ok=True)
    name = bundle_name(manifest, without_video)
    left_out = [e for e in manifest.files if is_video(e.path)] if without_video else []
    archive = destination / f"{name}.zip"
    partial = destination / f".{name}.zip.partial"
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
        for entry in manifest.files:
            if entry in left_out:
                continue
            stored = zipfile.ZIP_STORED if is_video(entry.path) else None  # streamed from disk either way
            zipped.write(site / entry.path, f"{name}/{entry.path}", compress_type=stored)
        zipped.write(site / MANIFEST, f"{name}/{MANIFEST}")
        if signer is not None:
            zipped.writestr(f"{name}/{SIGNATURE}", signer.signature_for((site / MANIFEST).read_bytes()))
        elif (site / SIGNATURE).is_file():
            zipped.write(site / SIGNATURE, f"{name}/{SIGNATURE}")
        signed = f"{name}/{SIGNATURE}" in zipped.namelist()
    partial.replace(archive)
    digest = sha256_file(archive)
    checksum_file = destination / f"{name}.zip.sha256"
    checksum_file.write_text(f"{digest}  {archive.name}\n", encoding="ascii")
    return Bundle(archive, checksum_file, digest, manifest, signed, len(left_out), sum(e.size for e in left_out))
