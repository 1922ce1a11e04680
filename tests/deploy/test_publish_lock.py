"""Two publishes to one target never interleave: the second waits for the first (saying so), even on a server.

Real `hongwang publish` processes: the first is stopped (HONGWANG_PUBLISH_PAUSE_AT) once it holds the target,
the second must then wait instead of cleaning up or uploading beside it; killing the first frees the target
(the kernel drops a local flock; the server drops the lock with the ssh session), and the second completes.
Also `publish --format json`.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from hongwang.pipeline.deploy import manifest as manifests

from support.cli import run
from support.example import ContentTree
from support.processes import NOW, kill, start_publish, wait_for_pause, wait_for_stderr
from support.servers import Sshd

WAITING = "正在由另一个发布进程使用，等它结束"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lock")
    content = ContentTree(folder / "content")
    site = (content.root / "site.yaml").read_text(encoding="utf-8")
    content.write("site.yaml", site + "siteurl: https://www.example.gov.cn\n")
    content.article("dz/2026/a.md", 'title: 东渚镇开展主题党日活动\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态')
    sshd = Sshd(folder / "sshd")
    local, remote = folder / "srv", folder / "server" / "www"
    config = folder / "publish.yaml"
    config.write_text(
        f"targets:\n  local:\n    type: dir\n    path: {local}\n    keep: 10\n"
        f"  server:\n    type: rsync\n    host: {sshd.host}\n    port: {sshd.port}\n"
        f"    identity: {sshd.client_key}\n    path: {remote}\n    keep: 10\n"
        f"    ssh_options: {json.dumps(sshd.ssh_options)}\n"
        "default: server\n",
        encoding="utf-8",
    )
    yield {"content": content.root, "config": config, "dir": local, "rsync": remote}
    sshd.close()


def targeted(county, kind: str):
    """A publish.yaml whose default is the `kind` target."""
    config = county["config"].with_name(f"publish-{kind}.yaml")
    text = county["config"].read_text(encoding="utf-8")
    config.write_text(text.replace("default: server", f"default: {'server' if kind == 'rsync' else 'local'}"))
    return config


def served_release(root) -> str:
    release = root / os.readlink(root / "current")
    assert manifests.verify_tree(release, manifests.read_manifest(release)) == []
    return release.name


@pytest.mark.parametrize("kind", ["rsync", "dir"])
@pytest.mark.parametrize("where", ["same-folder", "another-pc"])
def test_a_second_publish_waits_for_the_first_and_completes_when_it_is_gone(county, kind, where, tmp_path):
    """same-folder: the second waits for the local publish build folder; another-pc (a copy of the content,
    as on a second machine): it gets past that and must wait for the target's own lock."""
    config, root = targeted(county, kind), county[kind]
    assert run("publish", "--config", config, "--content", county["content"], "--now", NOW).exit_code == 0
    before = served_release(root)
    second_content = county["content"]
    if where == "another-pc":
        second_content = tmp_path / "content"
        shutil.copytree(county["content"], second_content, ignore=shutil.ignore_patterns(".hongwang-cache"))
    first = start_publish(config, county["content"], pause_at="staged")
    try:
        wait_for_pause(first, "staged")  # it holds the target
        second = start_publish(config, second_content)
        wait_for_stderr(second, WAITING)  # ...so the second waits instead of working beside it
        assert served_release(root) == before
        assert not [p for p in (root / "releases").iterdir() if p.name.startswith(".partial-")]
    finally:
        kill(first)  # the lock goes with the process (and, on the server, with its ssh session)
    assert second.wait() == 0, second.stderr.read().decode()
    second.stderr.close()
    after = served_release(root)
    assert after != before
    assert sorted(p.name for p in (root / "releases").iterdir() if p.name.startswith(".")) == []


def test_publish_json_reports_the_release_and_refusals(county, tmp_path):
    config = targeted(county, "dir")
    result = run("publish", "--config", config, "--content", county["content"], "--now", NOW, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["diagnostics"] == [] and report["refusal"] is None
    assert report["deployment"]["release"] == report["version"] == served_release(county["dir"])
    assert report["deployment"]["files_linked"] + report["deployment"]["files_copied"] == report["files"] + 1
    assert report["signed_by"] is None
    published = served_release(county["dir"])

    broken = ContentTree(tmp_path / "content")
    broken.article("dz/2026/b.md", 'title: 缺日期\norg: "nowhere"\ncategory: 党建动态')
    refused = run("publish", "--config", config, "--content", broken.root, "--format", "json")
    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert not report["ok"] and {d["code"] for d in report["diagnostics"]} >= {"org-unknown", "required-missing"}
    assert served_release(county["dir"]) == published

    rolled = run("publish", "--config", config, "--rollback", "--format", "json")
    assert rolled.exit_code == 0 and json.loads(rolled.stdout)["rollback"] is True
