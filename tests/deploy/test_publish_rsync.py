"""`hongwang publish` to an `rsync` target: a real sshd and nginx on loopback, release + atomic switch on the server."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from typer.testing import CliRunner

from hongwang.cli import app
from hongwang.pipeline.deploy import manifest as bundle
from hongwang.pipeline.deploy.targets import RsyncTarget

from support.example import EXAMPLE
from support.servers import Nginx, Sshd, free_port
from test_publish import NOW, OLD_TITLE, retitle

runner = CliRunner()
NEW_TITLE = "柳桥镇十二名年轻干部驻村任乡村振兴专员"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rsync")
    sshd = Sshd(folder / "sshd")
    remote_root = folder / "server" / "www"
    nginx = Nginx(folder / "nginx", remote_root)
    content = folder / "content"
    shutil.copytree(EXAMPLE, content)
    config = folder / "publish.yaml"
    config.write_text(
        "targets:\n  server:\n    type: rsync\n"
        f"    host: {sshd.host}\n    port: {sshd.port}\n    identity: {sshd.client_key}\n"
        f"    path: {remote_root}\n    keep: 2\n"
        f"    ssh_options: {json.dumps(sshd.ssh_options)}\n",
        encoding="utf-8",
    )
    yield remote_root, content, config, nginx
    nginx.close()
    sshd.close()


def publish(config, content, *extra):
    result = runner.invoke(app, ["publish", "--config", str(config), "--content", str(content), "--now", NOW, *extra])
    assert "Traceback" not in result.output
    return result


def test_rsync_publish_transfers_only_changes_switches_atomically_and_rolls_back(server):
    remote_root, content, config, nginx = server
    retitle(content, OLD_TITLE)
    first = publish(config, content)
    assert first.exit_code == 0, first.output
    first_release = os.readlink(remote_root / "current")
    assert OLD_TITLE in nginx.text()
    release_dir = remote_root / first_release
    assert bundle.verify_tree(release_dir, bundle.read_manifest(release_dir)) == []
    assert nginx.get("manifest.json")[0] == 200  # what village PCs sync from

    retitle(content, NEW_TITLE)
    second = publish(config, content)
    assert second.exit_code == 0, second.output
    second_release = os.readlink(remote_root / "current")
    assert second_release != first_release
    assert NEW_TITLE in nginx.text()
    files = len(bundle.read_manifest(remote_root / second_release).files)
    transferred = int(second.output.split("传输 ")[1].split(" 个")[0])
    assert 0 < transferred < files * 0.2, second.output  # rsync sent only what changed...
    css = "theme/css/site.css"  # ...and hard-linked the rest to the previous release on the server
    assert (remote_root / first_release / css).stat().st_ino == (remote_root / second_release / css).stat().st_ino
    assert bundle.verify_tree(release_dir, bundle.read_manifest(release_dir)) == []  # the first is as it was
    assert OLD_TITLE.encode() in (release_dir / "index.html").read_bytes()

    back = runner.invoke(app, ["publish", "--config", str(config), "--rollback"])
    assert back.exit_code == 0, back.output
    assert os.readlink(remote_root / "current") == first_release
    assert OLD_TITLE in nginx.text()


def test_rsync_keeps_the_last_releases_only(server):
    remote_root, content, config, nginx = server
    for n in range(2):
        retitle(content, f"{NEW_TITLE}（第{n}次修改）")
        result = publish(config, content, "--format", "json")
        assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    sent = report["deployment"]["bytes_sent"]  # rsync's own count: deltas, file list and protocol
    assert 0 < sent < report["bytes"] * 0.2, report["deployment"]
    assert set(report["seconds"]) == {"build", "manifest", "deploy"}
    assert "生成页面" in report["build"]["stage_seconds"]
    releases = sorted(p.name for p in (remote_root / "releases").iterdir())
    assert len(releases) == 2 and not any(name.startswith(".") for name in releases)
    assert os.readlink(remote_root / "current") == f"releases/{releases[-1]}"
    assert "第1次修改" in nginx.text()


def test_a_server_whose_cp_cannot_link_gets_links_from_rsync(server, monkeypatch):
    remote_root, content, config, nginx = server
    before = os.readlink(remote_root / "current")
    monkeypatch.setattr(RsyncTarget, "seed", lambda self, partial, previous: False)  # a cp without -l (BSD)
    retitle(content, f"{NEW_TITLE}（不用 cp -al）")
    result = publish(config, content)
    assert result.exit_code == 0, result.output
    now = os.readlink(remote_root / "current")
    css = "theme/css/site.css"
    assert now != before and "不用 cp -al" in nginx.text()
    assert (remote_root / before / css).stat().st_ino == (remote_root / now / css).stat().st_ino  # --link-dest


def test_rsync_dry_run_reads_the_server_but_changes_nothing(server):
    remote_root, content, config, nginx = server
    before = os.readlink(remote_root / "current")
    result = publish(config, content, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"当前线上版本：{before.split('/')[-1]}" in result.output
    assert os.readlink(remote_root / "current") == before


def test_unreachable_server_is_a_chinese_error_and_exit_2(tmp_path, server):
    remote_root, content, config, nginx = server
    broken = tmp_path / "publish.yaml"
    closed_port = free_port()  # nothing listens there
    broken.write_text(
        re.sub(r"port: \d+", f"port: {closed_port}", config.read_text(encoding="utf-8")), encoding="utf-8"
    )
    result = publish(broken, content)
    assert result.exit_code == 2
    assert "连接服务器失败" in result.output
