"""A publish killed with SIGKILL at any point leaves the previously published site served, complete and unchanged.

The publish runs as a real `hongwang publish` subprocess. The test hook
HONGWANG_PUBLISH_PAUSE_AT stops it at a named step (so the kill lands exactly
between two steps); other runs are killed after random delays. After every
kill nginx must serve the old site byte for byte, and `current` must point
at a release whose every file matches its manifest.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from hongwang.pipeline.deploy import manifest as bundle
from hongwang.pipeline.deploy import releases, targets

from support.cli import HONGWANG
from support.example import EXAMPLE, ROOT
from support.processes import kill, start_publish, wait_for_pause
from support.servers import Nginx
from test_publish import NOW, OLD_TITLE, retitle, write_config

NEW_TITLE = "柳桥镇年轻干部驻村担任乡村振兴专员（更新）"
# Before "switched" the old release must still be served; from "switched" on, the new complete one.
STEPS_BEFORE_SWITCH = ["staged", "copying", "copied", "released", "linked"]


def assert_current_is_complete(srv: Path) -> str:
    release = srv / os.readlink(srv / "current")
    manifest = bundle.read_manifest(release)
    assert manifest is not None, release
    assert bundle.verify_tree(release, manifest) == []
    return release.name


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    content = folder / "content"
    shutil.copytree(EXAMPLE, content)
    config = write_config(folder, keep=20)
    retitle(content, OLD_TITLE)
    done = subprocess.run(
        [*HONGWANG, "publish", "--config", str(config), "--content", str(content), "--now", NOW],
        capture_output=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr.decode()
    retitle(content, NEW_TITLE)  # every later publish would change the site
    nginx = Nginx(folder / "nginx", folder / "srv")
    yield folder / "srv", content, config, nginx
    nginx.close()


@pytest.mark.parametrize("step", STEPS_BEFORE_SWITCH)
def test_kill_before_the_switch_leaves_the_old_site_served(published, step):
    srv, content, config, nginx = published
    old_release = assert_current_is_complete(srv)
    old_page = nginx.get()
    assert OLD_TITLE in old_page[1].decode()
    process = start_publish(config, content, step)
    try:
        wait_for_pause(process, step)
        assert nginx.get() == old_page  # while the publish is stopped mid-way
    finally:
        kill(process)
    assert assert_current_is_complete(srv) == old_release
    assert nginx.get() == old_page


def test_kill_after_the_switch_serves_the_complete_new_release(published):
    srv, content, config, nginx = published
    old_release = assert_current_is_complete(srv)
    process = start_publish(config, content, "switched")
    try:
        wait_for_pause(process, "switched")
    finally:
        kill(process)
    new_release = assert_current_is_complete(srv)
    assert new_release != old_release
    assert NEW_TITLE in nginx.text()
    targets.DirTarget("t", str(srv)).rollback()  # back to the old site for the random kills
    assert assert_current_is_complete(srv) == old_release


def test_kills_at_random_moments_never_expose_a_partial_site(published):
    srv, content, config, nginx = published
    rng = random.Random(6)
    for _round in range(3):
        before = assert_current_is_complete(srv)
        before_page = nginx.get()
        process = start_publish(config, content)
        time.sleep(rng.uniform(0.2, 1.5))
        kill(process)
        after = assert_current_is_complete(srv)
        status, page = nginx.get()
        assert status == 200
        if after == before:
            assert (status, page) == before_page
        else:
            assert NEW_TITLE in page.decode()
            targets.DirTarget("t", str(srv)).rollback()


def test_publish_after_crashes_cleans_leftovers_and_succeeds(published):
    srv, content, config, nginx = published
    process = start_publish(config, content, "copying")
    wait_for_pause(process, "copying")
    kill(process)
    assert any(p.name.startswith(releases.PARTIAL_PREFIX) for p in (srv / "releases").iterdir())
    done = subprocess.run(
        [*HONGWANG, "publish", "--config", str(config), "--content", str(content), "--now", NOW],
        capture_output=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert not any(p.name.startswith(".") for p in (srv / "releases").iterdir())
    assert_current_is_complete(srv)
    assert NEW_TITLE in nginx.text()
