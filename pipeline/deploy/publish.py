"""Publish: build with publishconf.py, add the manifest, then deploy a new release to a target atomically.

The publish build has its own output folder in the cache folder, kept between publishes: each publish
renders only what changed since the last (site/build.py) and hashes only the files it wrote. The target
(deploy/config.py reads publish.yaml; deploy/targets.py has one class per backend) receives only the
files whose digest changed, keeps every release and switches `current` only when the new one is complete
(deploy/releases.py), so a publish killed at any moment leaves a whole site served.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..core import cache
from ..core.progress import QUIET, Progress
from ..site.build import PUBLISH_SETTINGS, BuildResult, build
from . import bundle, releases
from .manifest import Manifest, write_manifest
from .releases import LOCK_WAIT
from .signing import Signer, fingerprint
from .targets import Deployment, Target


@dataclass
class PublishOutcome:
    build: BuildResult | None = None
    refusal: str = ""
    manifest: Manifest | None = None
    deployment: Deployment | None = None
    dry_run: bool = False
    site_dir: Path | None = None
    bundle: bundle.Bundle | None = None
    signed_by: str = ""  # fingerprint of the key that signed the manifest ("" when unsigned)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase: build, manifest, …

    @property
    def ok(self) -> bool:
        return self.build is not None and self.build.ok and not self.refusal


def new_release_id(clock: datetime | None = None) -> str:
    moment = (clock or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- building

FOLDER = "publish"  # in the cache folder: the publish build's own output, kept between publishes
DIGEST_TABLE = "publish-digests"  # sha256 of the publish build's files, by their stat


def publish_folder(content_dir: Path) -> Path:
    """Where publish builds: its own folder (never the preview's output), kept so the next build is incremental."""
    return cache.default_folder(content_dir) / FOLDER / "site"


@contextmanager
def publishing(content_dir: Path, on_wait: Callable[[str], None] | None = None):
    """One publish or bundle at a time per county: they build into the same folder."""
    site = publish_folder(content_dir)
    site.parent.mkdir(parents=True, exist_ok=True)
    with releases.held(site.parent / ".lock", f"本机的发布构建目录 {site.parent}", LOCK_WAIT, on_wait):
        yield site


def build_release(
    content_dir: Path,
    site: Path,
    now: datetime | None = None,
    version: str | None = None,
    signer: Signer | None = None,
    progress: Progress = QUIET,
) -> PublishOutcome:
    """Build with publishconf.py into site (incrementally: only what changed since the last publish is
    rendered), write the manifest (hashing only the files the build wrote) and sign it; refuse on content
    errors."""
    started = time.perf_counter()
    result = build(content_dir, site, "public", settings_file=PUBLISH_SETTINGS, now=now, progress=progress)
    outcome = PublishOutcome(build=result, site_dir=site)
    outcome.seconds["build"] = time.perf_counter() - started
    if not result.ok:
        return outcome
    if not result.post.site_url:  # the build resolved it (publishconf's HONGWANG_SITEURL or site.yaml)
        outcome.refusal = (
            "site.yaml 缺少 siteurl（网站的正式网址，订阅源和规范链接需要绝对地址）。"
            "请在 site.yaml 中加一行，例如 siteurl: https://www.example.gov.cn"
        )
        return outcome
    os.chmod(site, 0o755)  # the web server user must read the release root
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    store = cache.Store(cache.default_folder(content_dir))
    digests = cache.FileDigests(store, sys.maxsize, DIGEST_TABLE)
    name = str(result.validation.site.values.get("name") or "")
    outcome.manifest = write_manifest(site, version or new_release_id(), built_at, name, digests.with_size)
    digests.save()
    if signer is not None:
        signer.sign_site(site)
        outcome.signed_by = fingerprint(signer.public)
    outcome.seconds["manifest"] = time.perf_counter() - started  # with the signature
    return outcome


def publish(
    content_dir: Path,
    target: Target,
    dry_run: bool = False,
    now: datetime | None = None,
    bundle_dir: Path | None = None,
    signer: Signer | None = None,
    progress: Progress = QUIET,
) -> PublishOutcome:
    """progress: told the build's stages and the upload (core/progress.py)."""
    with publishing(content_dir, target.on_wait) as site:
        version = new_release_id()
        if not dry_run:
            target.begin(version)  # e.g. a dir target links the served release while the site is built
        try:
            return _build_and_deploy(content_dir, target, site, version, dry_run, now, bundle_dir, signer, progress)
        finally:
            target.end()


def _build_and_deploy(
    content_dir: Path,
    target: Target,
    site: Path,
    version: str,
    dry_run: bool,
    now: datetime | None,
    bundle_dir: Path | None,
    signer: Signer | None,
    progress: Progress,
) -> PublishOutcome:
    outcome = build_release(content_dir, site, now, version, signer=signer, progress=progress)
    outcome.dry_run = dry_run
    if not outcome.ok:
        return outcome
    if bundle_dir is not None and not dry_run:
        started = time.perf_counter()
        outcome.bundle = bundle.write_bundle(site, bundle_dir)
        outcome.seconds["bundle"] = time.perf_counter() - started
    started = time.perf_counter()
    outcome.deployment = target.plan(site, version) if dry_run else target.deploy(site, version, progress)
    outcome.seconds["deploy"] = time.perf_counter() - started
    return outcome


def make_bundle(
    content_dir: Path,
    destination: Path,
    now: datetime | None = None,
    signer: Signer | None = None,
    without_video: bool = False,
    progress: Progress = QUIET,
    on_wait: Callable[[str], None] | None = None,
) -> PublishOutcome:
    """Build like a publish and pack the result as a village bundle, without deploying."""
    with publishing(content_dir, on_wait) as site:
        outcome = build_release(content_dir, site, now, signer=signer, progress=progress)
        if outcome.ok:
            outcome.bundle = bundle.write_bundle(site, destination, without_video=without_video)
        return outcome
