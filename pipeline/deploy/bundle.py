"""The village bundle: a release packed as a zip (opens on Windows without extra tools) plus a .sha256 file."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def bundle_name(manifest: Manifest) -> str:
    return f"hongwang-site-{manifest.version}"


def write_bundle(site: Path, destination: Path, signer: Signer | None = None) -> Bundle:
    """Zip a site that has a manifest; the zip holds one folder named after the version.

    The release's own manifest.sig goes in with it; a signer signs the manifest afresh (for a release
    published before the county had a key) without changing the release folder."""
    manifest = read_manifest(site)
    if manifest is None:
        raise ManifestError(f"{site} 中没有 manifest.json")
    destination.mkdir(parents=True, exist_ok=True)
    name = bundle_name(manifest)
    archive = destination / f"{name}.zip"
    partial = destination / f".{name}.zip.partial"
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
        for entry in manifest.files:
            zipped.write(site / entry.path, f"{name}/{entry.path}")
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
    return Bundle(archive, checksum_file, digest, manifest, signed)
