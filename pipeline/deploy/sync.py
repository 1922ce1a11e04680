"""Village sync: bring a village PC's copy up to the county's published release over HTTP.

The county server publishes `manifest.json` at the site root (every file with
sha256 and size). A village PC keeps the same layout as a publish target
(`releases/<version>/` plus `current`: a symlink, or on Windows a pointer file naming the release, see
deploy/releases.py). Sync downloads only files
whose content is not already on the PC (reused by hash, hard-linked), checks
every downloaded file's size and sha256 (a corrupted or truncated download is
retried, never kept), and switches `current` only once the new release is
complete and verified. Any failure leaves the old copy served.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

from ..core.hashing import CHUNK, sha256_file
from . import manifest as manifests
from . import signing
from .releases import AUTO, PublishError, Releases

TIMEOUT = 30
USER_AGENT = "hongwang-sync/1"


class SyncError(Exception):
    """The update could not be completed; the village copy was not switched."""


@dataclass
class SyncReport:
    version: str
    previous: str | None
    files_total: int
    site_bytes: int
    files_downloaded: int = 0
    files_reused: int = 0
    bytes_downloaded: int = 0
    retried: list[str] = field(default_factory=list)
    up_to_date: bool = False
    signed_by: str = ""  # fingerprint of the key that signed the release ("" when not checked)
    pinned: bool = False  # this sync pinned the key (first use) or moved the pin (rotation)


class _Counted(io.RawIOBase):
    """The raw response body, counting every byte that crossed the network."""

    def __init__(self, response, report: SyncReport):
        self.response, self.report = response, report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.response.read(len(buffer))
        self.report.bytes_downloaded += len(data)
        buffer[: len(data)] = data
        return len(data)


class _Download:
    """HTTP fetches that ask for gzip (nginx `gzip on`) and count the bytes on the wire, even rejected ones."""

    def __init__(self, report: SyncReport):
        self.report = report

    @contextmanager
    def body(self, url: str):
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Cache-Control": "no-cache", "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = io.BufferedReader(_Counted(response, self.report), CHUNK)
            if response.headers.get("Content-Encoding", "").lower() == "gzip":
                yield gzip.GzipFile(fileobj=raw)
            else:
                yield raw

    def fetch(self, url: str, limit: int) -> bytes:
        with self.body(url) as body:
            return body.read(limit + 1)

    def fetch_to_file(self, url: str, target: Path, limit: int) -> tuple[int, str]:
        """Stream into target (at most limit + 1 bytes, so a gzip bomb stops early); returns (size, sha256)."""
        digest, size = hashlib.sha256(), 0
        with self.body(url) as body, open(target, "wb") as handle:
            while size <= limit:
                chunk = body.read(min(CHUNK, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                digest.update(chunk)
                handle.write(chunk)
        return size, digest.hexdigest()


# What a broken transfer raises: network errors, a cut connection, a damaged gzip stream.
TRANSFER_ERRORS = (urllib.error.URLError, HTTPException, OSError, EOFError, zlib.error)


def manifest_url(url: str) -> tuple[str, str]:
    """(base URL of the site, URL of its manifest) from what the user typed."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SyncError(f"地址“{url}”不是 http:// 或 https:// 开头的网址")
    if url.endswith("/" + manifests.MANIFEST):
        return url[: -len(manifests.MANIFEST)], url
    base = url if url.endswith("/") else url + "/"
    return base, base + manifests.MANIFEST


def fetch_manifest(download: _Download, url: str, retries: int) -> tuple[manifests.Manifest, bytes]:
    problem = ""
    for _attempt in range(retries):
        try:
            data = download.fetch(url, 64 << 20)
            return manifests.parse_manifest(data), data
        except TRANSFER_ERRORS as error:
            problem = f"无法下载 {url}（{getattr(error, 'reason', error)}）"
        except manifests.ManifestError as error:
            problem = f"{url}：{error}"
    raise SyncError(problem)


def fetch_signature(download: _Download, url: str, retries: int) -> bytes | None:
    """manifest.sig, or None when the server has none (an unsigned release)."""
    problem = ""
    for _attempt in range(retries):
        try:
            return download.fetch(url, signing.MAX_SIGNATURE_BYTES)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            problem = f"无法下载 {url}（{error.code} {error.reason}）"
        except TRANSFER_ERRORS as error:
            problem = f"无法下载 {url}（{getattr(error, 'reason', error)}）"
    raise SyncError(problem)


def check_origin(
    releases: Releases,
    trust: signing.Trust | None,
    given: bytes | None,
    manifest: manifests.Manifest,
    raw: bytes,
    signature: bytes | None,
) -> tuple[signing.Trust, bytes] | None:
    """(the trust to record, the signing key) when the folder trusts a key (pinned, or `given` by --trust);
    None when it trusts none (unsigned use).

    Refuses (SyncError) a manifest that is unsigned, signed by a key the trusted one did not endorse, or older
    than what this folder already accepted."""
    if trust is None and given is None:
        return None
    anchor = trust.public if trust else given
    try:
        signer = signing.verify(raw, signature, anchor)
    except signing.SignatureRefused as refused:
        raise SyncError(f"拒绝更新：{refused}") from None
    if trust is not None and given is not None and given not in (trust.public, signer):
        raise SyncError(
            f"--trust 给出的公钥（指纹 {signing.fingerprint(given)}）不是本机已信任的公钥"
            f"（指纹 {signing.fingerprint(trust.public)}），也不是它认可的新公钥。"
            f"如县里确已更换密钥（例如旧私钥泄露），请核实新公钥的指纹后删除 {releases.root / signing.TRUST_FILE}，"
            f"再运行 hongwang sync --trust 新公钥"
        )
    current = releases.current()
    local = manifests.read_manifest(releases.path(current)) if current else None
    newest = max(trust.version if trust else "", local.version if local else "")
    if manifest.version < newest:
        raise SyncError(
            f"拒绝更新：服务器上的版本 {manifest.version} 比本机已有的 {newest} 旧（可能是旧版本被重放）。"
            f"县里如需撤回内容，应发布一个新版本"
        )
    if trust is None:
        trust = signing.Trust(given)
    return trust, signer


def fetch_verified(download: _Download, url: str, entry: manifests.Entry, target: Path, retries: int) -> None:
    """Download one file, keep it only if size and sha256 match the manifest; retry otherwise."""
    problem = ""
    for attempt in range(retries):
        if attempt:
            download.report.retried.append(entry.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            size, digest = download.fetch_to_file(url, target, entry.size)
        except TRANSFER_ERRORS as error:
            problem = f"无法下载 {entry.path}（{getattr(error, 'reason', error)}）"
            continue
        if size != entry.size:
            problem = f"{entry.path} 大小不符（应为 {entry.size} 字节，收到 {size} 字节），下载不完整或被篡改"
        elif digest != entry.sha256:
            problem = f"{entry.path} 的 sha256 校验不符，文件在传输中损坏或被篡改"
        else:
            return
    target.unlink(missing_ok=True)
    raise SyncError(f"重试 {retries} 次仍失败：{problem}")


def local_files_by_hash(releases: Releases, current: str | None) -> dict[str, Path]:
    """Files of the current local release whose content really matches their manifest entry."""
    if current is None:
        return {}
    release = releases.path(current)
    manifest = manifests.read_manifest(release)
    if manifest is None:
        return {}
    found = {}
    for entry in manifest.files:
        path = release / entry.path
        if path.is_file() and path.stat().st_size == entry.size and sha256_file(path) == entry.sha256:
            found.setdefault(entry.sha256, path)
    return found


def reuse(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # file systems without hard links (FAT on a USB stick): copy instead
        shutil.copy2(source, target)


def sync(
    url: str, dest: Path, keep: int = 3, retries: int = 3, trust: Path | None = None, layout: str = AUTO
) -> SyncReport:
    """Bring dest up to the release at url. With `trust` (a county .pub file) or a key pinned in dest before,
    the manifest must be signed by that key (or one it endorsed) and not older than what dest has.
    `layout`: how `current` is written (releases.Releases): a pointer file works on Windows without symlinks."""
    base, manifest_address = manifest_url(url)
    releases = Releases(Path(dest).resolve(), layout)
    try:
        given = signing.read_public_key(trust) if trust is not None else None
        releases.folder.mkdir(parents=True, exist_ok=True)
        with releases.locked():
            releases.remove_leftovers()
            return _sync_locked(base, manifest_address, releases, keep, retries, given)
    except (PublishError, signing.SigningError) as problem:
        raise SyncError(str(problem)) from None
    except OSError as error:
        raise SyncError(f"写入 {releases.root} 失败：{error.strerror or error}") from None


def _sync_locked(
    base: str, manifest_address: str, releases: Releases, keep: int, retries: int, given: bytes | None
) -> SyncReport:
    current = releases.current()
    report = SyncReport("", current, 0, 0)
    download = _Download(report)
    manifest, raw_manifest = fetch_manifest(download, manifest_address, retries)
    trust, signature = signing.Trust.read(releases.root), None
    if given is not None or trust is not None:  # unsigned use (no key given or pinned): nothing to check
        signature = fetch_signature(download, base + manifests.SIGNATURE, retries)
    origin = check_origin(releases, trust, given, manifest, raw_manifest, signature)
    report.version, report.files_total, report.site_bytes = manifest.version, len(manifest.files), manifest.total_size
    if current is not None:
        local = releases.path(current)
        if manifests.read_manifest(local) == manifest and not manifests.verify_tree(local, manifest):
            report.up_to_date = True
            record_trust(releases, origin, manifest.version, report)
            return report
    have = local_files_by_hash(releases, current)
    name = releases.free_name(manifest.version)
    partial = releases.partial(name)
    partial.mkdir(mode=0o755)
    try:
        for entry in manifest.files:
            target = partial / entry.path
            if entry.sha256 in have:
                reuse(have[entry.sha256], target)
                report.files_reused += 1
            else:
                fetch_verified(download, base + urllib.parse.quote(entry.path), entry, target, retries)
                report.files_downloaded += 1
        (partial / manifests.MANIFEST).write_bytes(raw_manifest)
        if signature is not None:
            (partial / manifests.SIGNATURE).write_bytes(signature)
        broken = manifests.verify_tree(partial, manifest)  # a reused file may have changed under us
        if broken:
            raise SyncError(f"新版本核对失败：{'、'.join(broken[:5])}")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(releases.path(name))
    releases.switch(name)
    releases.mark_published(name)
    record_trust(releases, origin, manifest.version, report)
    releases.prune(keep)
    return report


def record_trust(releases: Releases, origin: tuple[signing.Trust, bytes] | None, version: str, report) -> None:
    """Pin the key on first use, move the pin along an endorsed rotation, remember the newest version."""
    if origin is None:
        return
    trust, signer = origin
    accepted = trust.accept(signer, version)
    report.signed_by = signing.fingerprint(signer)
    report.pinned = not (releases.root / signing.TRUST_FILE).is_file() or signer != trust.public
    if accepted != trust or report.pinned:
        accepted.write(releases.root)
