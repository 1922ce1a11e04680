"""Publish: build with publishconf.py, add the manifest, then deploy a new release to a target atomically.

The target (deploy/config.py reads publish.yaml; deploy/targets.py has one class per backend)
keeps every release and switches `current` only when the new one is complete
(deploy/releases.py), so a publish killed at any moment leaves a whole site served.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.progress import QUIET, Progress
from ..site.build import PUBLISH_SETTINGS, BuildResult, build
from . import bundle
from .manifest import Manifest, write_manifest
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

    @property
    def ok(self) -> bool:
        return self.build is not None and self.build.ok and not self.refusal


def new_release_id(clock: datetime | None = None) -> str:
    moment = (clock or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- building


def build_release(
    content_dir: Path,
    staging: Path,
    now: datetime | None = None,
    version: str | None = None,
    signer: Signer | None = None,
    progress: Progress = QUIET,
) -> PublishOutcome:
    """Build with publishconf.py into staging/site, add the manifest and sign it; refuse on content errors."""
    site = staging / "site"
    # A full build without the incremental cache: each publish renders into a fresh staging folder, so a
    # page record would never be reused (and would pile up in .hongwang-cache/ with every publish).
    result = build(
        content_dir, site, "public", settings_file=PUBLISH_SETTINGS, now=now, cache_dir=False, progress=progress
    )
    outcome = PublishOutcome(build=result, site_dir=site)
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
    outcome.manifest = write_manifest(
        site, version or new_release_id(), built_at, str(result.validation.site.values.get("name") or "")
    )
    if signer is not None:
        signer.sign_site(site)
        outcome.signed_by = fingerprint(signer.public)
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
    with tempfile.TemporaryDirectory(prefix="hongwang-publish-") as staging:
        outcome = build_release(content_dir, Path(staging), now, signer=signer, progress=progress)
        outcome.dry_run = dry_run
        if not outcome.ok:
            return outcome
        if bundle_dir is not None and not dry_run:
            outcome.bundle = bundle.write_bundle(outcome.site_dir, bundle_dir)
        site, version = outcome.site_dir, outcome.manifest.version
        outcome.deployment = target.plan(site, version) if dry_run else target.deploy(site, version, progress)
        outcome.site_dir = None  # the staging folder is gone after this block
        return outcome


def make_bundle(
    content_dir: Path,
    destination: Path,
    now: datetime | None = None,
    signer: Signer | None = None,
    without_video: bool = False,
    progress: Progress = QUIET,
) -> PublishOutcome:
    """Build like a publish and pack the result as a village bundle, without deploying."""
    with tempfile.TemporaryDirectory(prefix="hongwang-bundle-") as staging:
        outcome = build_release(content_dir, Path(staging), now, signer=signer, progress=progress)
        if outcome.ok:
            outcome.bundle = bundle.write_bundle(outcome.site_dir, destination, without_video=without_video)
        outcome.site_dir = None
        return outcome
