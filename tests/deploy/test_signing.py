"""Signed releases: `keys new`, `publish`/`bundle` sign, `sync --trust` pins and refuses what the county did not sign.

The county publishes to a `dir` target served over loopback HTTP by `hongwang serve`; an attacker who controls
that server is played by switching its `current` to a doctored release. Every refusal must leave the village
copy exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from hongwang.pipeline.deploy import manifest as manifests
from hongwang.pipeline.deploy import signing
from hongwang.pipeline.deploy.serve import make_server

from support.cli import run
from support.example import ContentTree

NOW = "2026-11-23 10:00"
ARTICLE = """\
title: {title}
date: 2026-11-20
org: "dz"
category: 党建动态
"""


class County:
    def __init__(self, folder: Path):
        self.folder = folder
        self.content = ContentTree(folder / "content")
        site = (self.content.root / "site.yaml").read_text(encoding="utf-8")
        self.content.write("site.yaml", site + "siteurl: https://www.example.gov.cn\n")
        self.article("第一篇")
        self.keys = folder / "keys"
        made = run("keys", "new", "--output", self.keys, "--content", self.content.root)
        assert made.exit_code == 0, made.output
        self.key, self.pub = self.keys / "county.key", self.keys / "county.pub"
        self.srv = folder / "srv"
        self.config = folder / "publish.yaml"
        self.configure(self.key)
        self.server = make_server(self.srv, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def article(self, title: str) -> None:
        self.content.article(
            f"dz/2026/{hashlib.sha256(title.encode()).hexdigest()[:8]}.md", ARTICLE.format(title=title)
        )

    def configure(self, key: Path) -> None:
        self.config.write_text(
            f"signing_key: {key}\ntargets:\n  county:\n    type: dir\n    path: {self.srv}\n    keep: 20\n",
            encoding="utf-8",
        )

    def publish(self, *extra) -> str:
        result = run("publish", "--config", self.config, "--content", self.content.root, "--now", NOW, *extra)
        assert result.exit_code == 0, result.output
        return os.readlink(self.srv / "current").split("/")[-1]

    def serve_release(self, name: str) -> None:
        """What the server answers from now on (an attacker who controls it can do the same)."""
        link = self.srv / ".current-test.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(f"releases/{name}")
        os.replace(link, self.srv / "current")

    def doctored(self, name: str, change) -> str:
        """A copy of release `name` changed by `change(folder)`, served in its place."""
        fake = f"{name}-doctored-{len(list((self.srv / 'releases').iterdir()))}"
        shutil.copytree(self.srv / "releases" / name, self.srv / "releases" / fake)
        change(self.srv / "releases" / fake)
        self.serve_release(fake)
        return fake

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    county = County(tmp_path_factory.mktemp("signing"))
    county.first = county.publish()
    yield county
    county.close()


def village_state(dest: Path) -> dict:
    current = dest / "current"
    files = {p.relative_to(current).as_posix(): p.read_bytes() for p in sorted(current.rglob("*")) if p.is_file()}
    trust = dest / signing.TRUST_FILE
    return {"current": os.readlink(current), "files": files, "trust": trust.read_bytes() if trust.exists() else None}


def sync(county: County, dest: Path, *extra):
    return run("sync", county.url, "--dest", dest, *extra)


# ---------------------------------------------------------------------------------------------- keys


def test_keys_new_writes_a_private_key_only_its_owner_can_read_and_never_overwrites(tmp_path):
    result = run("keys", "new", "--name", "county-2026", "--output", tmp_path / "keys")
    assert result.exit_code == 0, result.output
    private, public = tmp_path / "keys" / "county-2026.key", tmp_path / "keys" / "county-2026.pub"
    assert private.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    fingerprint = signing.fingerprint(signing.read_public_key(public))
    assert fingerprint in result.output and "signing_key" in result.output
    before = private.read_bytes()
    again = run("keys", "new", "--name", "county-2026", "--output", tmp_path / "keys")
    assert again.exit_code == 2 and "不会覆盖" in again.output
    assert private.read_bytes() == before


def test_a_private_key_in_content_output_or_git_or_readable_by_others_is_refused(county, tmp_path):
    inside = run("keys", "new", "--output", county.content.root / "keys", "--content", county.content.root)
    assert inside.exit_code == 2 and "网站目录和 git 仓库之外" in inside.output
    assert not (county.content.root / "keys").exists()

    repo = tmp_path / "site-repo"
    (repo / ".git").mkdir(parents=True)
    in_git = run("keys", "new", "--output", repo / "keys")
    assert in_git.exit_code == 2 and "git 仓库" in in_git.output

    shutil.copy(county.key, repo / "county.key")  # a key someone copied into the repository
    published = run(
        "publish", "--config", county.config, "--content", county.content.root, "--key", repo / "county.key"
    )
    assert published.exit_code == 2 and "git 仓库" in published.output

    loose = tmp_path / "loose.key"
    shutil.copy(county.key, loose)
    os.chmod(loose, 0o644)
    refused = run("publish", "--config", county.config, "--content", county.content.root, "--key", loose)
    assert refused.exit_code == 2 and "chmod 600" in refused.output


def test_publish_and_bundle_sign_the_manifest_with_the_county_key(county, tmp_path):
    release = county.srv / "releases" / county.first
    raw = (release / manifests.MANIFEST).read_bytes()
    trusted = signing.read_public_key(county.pub)
    assert signing.verify(raw, (release / manifests.SIGNATURE).read_bytes(), trusted) == trusted

    made = run("bundle", "--site", release, "--output", tmp_path / "dist", "--config", county.config)
    assert made.exit_code == 0, made.output
    with zipfile.ZipFile(next((tmp_path / "dist").glob("*.zip"))) as zipped:
        folder = f"hongwang-site-{county.first}"
        signed = zipped.read(f"{folder}/{manifests.SIGNATURE}")
        assert signing.verify(zipped.read(f"{folder}/{manifests.MANIFEST}"), signed, trusted) == trusted


def test_bundle_without_a_key_says_it_is_unsigned(county, tmp_path):
    unsigned = tmp_path / "release"
    shutil.copytree(county.srv / "releases" / county.first, unsigned)
    (unsigned / manifests.SIGNATURE).unlink()
    made = run("bundle", "--site", unsigned, "--output", tmp_path / "dist", "--config", tmp_path / "none.yaml")
    assert made.exit_code == 0 and "未签名" in made.output


# ---------------------------------------------------------------------------------------------- sync


def change_a_page_and_its_hash(release: Path) -> None:
    """What an attacker with the server does: change a file and its sha256 and size in manifest.json."""
    page = release / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>\xe5\x81\x87\xe6\xb6\x88\xe6\x81\xaf</p></body>"))
    manifest = json.loads((release / manifests.MANIFEST).read_bytes())
    for entry in manifest["files"]:
        if entry["path"] == "index.html":
            entry["sha256"] = hashlib.sha256(page.read_bytes()).hexdigest()
            entry["size"] = page.stat().st_size
    (release / manifests.MANIFEST).write_bytes(json.dumps(manifest).encode())


def test_sync_pins_the_key_on_first_use_and_refuses_whatever_the_county_did_not_sign(county, tmp_path):
    village = tmp_path / "village"
    first = sync(county, village, "--trust", county.pub)
    assert first.exit_code == 0, first.output
    assert "已记住" in first.output and signing.fingerprint(signing.read_public_key(county.pub)) in first.output
    pinned = json.loads((village / signing.TRUST_FILE).read_text(encoding="utf-8"))
    assert pinned["version"] == county.first
    before = village_state(village)

    attacker = tmp_path / "attacker"
    assert run("keys", "new", "--output", attacker).exit_code == 0
    attacker_key = signing.load_signer(attacker / "county.key", [])
    attacks = {
        "file and manifest hash changed": (change_a_page_and_its_hash, "篡改"),
        "signature removed": (lambda r: (r / manifests.SIGNATURE).unlink(), "没有签名"),
        "signed by another key": (lambda r: (change_a_page_and_its_hash(r), attacker_key.sign_site(r)), "没有认可"),
        "signature garbled": (lambda r: (r / manifests.SIGNATURE).write_bytes(b"{not json"), "格式不对"),
    }
    try:
        for name, (change, reason) in attacks.items():
            county.doctored(county.first, change)
            refused = sync(county, village)  # no --trust: the pinned key holds
            assert refused.exit_code == 2, name
            assert "拒绝更新" in refused.output and reason in refused.output, (name, refused.output)
            assert "本机网站保持原样" in refused.output
            assert village_state(village) == before, name
    finally:
        county.serve_release(county.first)
    assert sync(county, village).exit_code == 0


def test_sync_refuses_an_older_release_than_it_has(county, tmp_path):
    village = tmp_path / "village"
    assert sync(county, village, "--trust", county.pub).exit_code == 0
    county.article("第二篇")
    newer = county.publish()
    assert sync(county, village).exit_code == 0
    before = village_state(village)
    assert before["current"].endswith(newer)
    try:
        county.serve_release(county.first)  # genuine and signed, but older: a replay
        refused = sync(county, village)
        assert refused.exit_code == 2 and "比本机已有的" in refused.output and county.first in refused.output
        assert village_state(village) == before
    finally:
        county.serve_release(newer)


def test_a_trust_key_that_did_not_sign_is_refused_and_a_fresh_village_keeps_nothing(county, tmp_path):
    other = tmp_path / "other"
    assert run("keys", "new", "--output", other).exit_code == 0
    fresh = tmp_path / "fresh"
    refused = sync(county, fresh, "--trust", other / "county.pub")
    assert refused.exit_code == 2 and "没有认可" in refused.output
    assert not (fresh / "current").exists() and not (fresh / signing.TRUST_FILE).exists()

    village = tmp_path / "village"
    assert sync(county, village, "--trust", county.pub).exit_code == 0
    before = village_state(village)
    mismatch = sync(county, village, "--trust", other / "county.pub")
    assert mismatch.exit_code == 2 and signing.TRUST_FILE in mismatch.output
    assert village_state(village) == before


def test_key_rotation_new_key_endorsed_by_the_old_one_moves_the_pin(county, tmp_path):
    village, late = tmp_path / "village", tmp_path / "late"
    assert sync(county, village, "--trust", county.pub).exit_code == 0
    assert run("keys", "new", "--name", "county-2027", "--output", county.keys).exit_code == 0
    new_key, new_pub = county.keys / "county-2027.key", county.keys / "county-2027.pub"
    rotated = run("keys", "rotate", "--old", county.key, "--new", new_key)
    assert rotated.exit_code == 0, rotated.output
    assert (county.keys / "county-2027.rotation").is_file()
    county.configure(new_key)
    try:
        county.article("换钥后的第一篇")
        after_rotation = county.publish()
        moved = sync(county, village)
        assert moved.exit_code == 0, moved.output
        assert "已记住" in moved.output and signing.fingerprint(signing.read_public_key(new_pub)) in moved.output
        trust = signing.Trust.read(village)
        assert trust.public == signing.read_public_key(new_pub) and trust.version == after_rotation
        # a village that still only knows the old key follows the endorsement too
        assert sync(county, late, "--trust", county.pub).exit_code == 0

        county.article("用旧密钥签的")
        county.publish("--key", county.key)  # once a village moved on, the old key alone is no longer enough
        before = village_state(village)
        refused = sync(county, village)
        assert refused.exit_code == 2 and "没有认可" in refused.output
        assert village_state(village) == before
    finally:
        county.configure(county.key)


def test_a_tampered_rotation_record_is_refused(county, tmp_path):
    village = tmp_path / "village"
    assert sync(county, village, "--trust", county.pub).exit_code == 0
    attacker = tmp_path / "attacker"
    assert run("keys", "new", "--output", attacker).exit_code == 0
    fake = signing.load_signer(attacker / "county.key", [])
    genuine = signing.load_signer(county.key, [])
    # the attacker claims the county endorsed their key, reusing a real signature of the county's
    forged = signing.Signer(
        fake.path,
        fake.key,
        [
            {
                "signed_by": signing._b64(genuine.public),
                "public_key": signing._b64(fake.public),
                "signature": signing._b64(genuine.key.sign(b"something else the county signed")),
            }
        ],
    )
    before = village_state(village)
    served = os.readlink(county.srv / "current").split("/")[-1]
    try:
        county.doctored(served, lambda r: (change_a_page_and_its_hash(r), forged.sign_site(r)))
        refused = sync(county, village)
    finally:
        county.serve_release(served)
    assert refused.exit_code == 2 and "换钥记录签名不对" in refused.output
    assert village_state(village) == before


def test_sync_as_a_separate_process_refuses_tampering(county, tmp_path):
    """The same refusal through the console entry point a village PC's scheduled task runs."""
    from support.cli import HONGWANG

    village = tmp_path / "village"
    assert sync(county, village, "--trust", county.pub).exit_code == 0
    try:
        county.doctored(county.first, change_a_page_and_its_hash)
        done = subprocess.run([*HONGWANG, "sync", county.url, "--dest", str(village)], capture_output=True, text=True)
    finally:
        county.serve_release(county.first)
    assert done.returncode == 2 and "篡改" in done.stderr and "Traceback" not in done.stderr
