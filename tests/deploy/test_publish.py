"""`hongwang publish` to a `dir` target served by a real nginx on loopback: release dirs, atomic switch, rollback."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from hongwang.pipeline.core import dates
from hongwang.pipeline.deploy import manifest as bundle
from hongwang.pipeline.deploy import publish, releases, targets

from support.cli import run
from support.example import EXAMPLE
from support.servers import Nginx

NOW = "2026-11-23 10:00"
ARTICLE = "lq/2026/lq-xiangcun-zhenxing-zhuanyuan.md"
OLD_TITLE = "柳桥镇选派十二名年轻干部担任村级乡村振兴专员"


def retitle(content: Path, new_title: str) -> None:
    path = content / ARTICLE
    text = path.read_text(encoding="utf-8")
    current = next(line for line in text.splitlines() if line.startswith("title: "))
    path.write_text(text.replace(current, f"title: {new_title}", 1), encoding="utf-8")


def write_config(folder: Path, keep: int = 3) -> Path:
    config = folder / "publish.yaml"
    config.write_text(
        f"default: county\ntargets:\n  county:\n    type: dir\n    path: srv\n    keep: {keep}\n", encoding="utf-8"
    )
    return config


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A private copy of the example content, a publish.yaml with one dir target, nginx serving it."""
    folder = tmp_path_factory.mktemp("county")
    content = folder / "content"
    shutil.copytree(EXAMPLE, content)
    config = write_config(folder)
    nginx = Nginx(folder / "nginx", folder / "srv")
    yield folder, content, config, nginx
    nginx.close()


def current_target(root: Path) -> str:
    return os.readlink(root / "current")


def test_publish_switches_current_and_nginx_serves_each_release_then_rollback(county):
    folder, content, config, nginx = county
    srv = folder / "srv"
    retitle(content, OLD_TITLE)
    first = run("publish", "--config", config, "--content", content, "--now", NOW)
    assert first.exit_code == 0, first.output
    assert "已发布版本" in first.output
    first_release = current_target(srv)
    assert first_release.startswith("releases/") and (srv / "current").is_symlink()
    assert OLD_TITLE in nginx.text()
    assert not bundle.verify_tree(srv / first_release, bundle.read_manifest(srv / first_release))

    retitle(content, "柳桥镇十二名年轻干部到村任乡村振兴专员")
    second = run("publish", "--config", config, "--content", content, "--now", NOW)
    assert second.exit_code == 0, second.output
    second_release = current_target(srv)
    assert second_release != first_release
    page = nginx.text()
    assert "柳桥镇十二名年轻干部到村任乡村振兴专员" in page and OLD_TITLE not in page
    # unchanged files are hard links into the previous release, not copies
    css = "theme/css/site.css"
    assert (srv / first_release / css).stat().st_ino == (srv / second_release / css).stat().st_ino
    assert "未变直接沿用" in second.output

    # publish builds in its own folder, kept between publishes: one page record, never one per publish
    assert (folder / ".hongwang-cache" / "publish" / "site" / "index.html").is_file()
    assert len({p.name[6:22] for p in folder.glob(".hongwang-cache/pages-*")}) == 1

    back = run("publish", "--config", config, "--rollback")
    assert back.exit_code == 0, back.output
    assert "已回退" in back.output
    assert current_target(srv) == first_release
    assert OLD_TITLE in nginx.text()
    status, _ = nginx.get("theme/css/site.css")
    assert status == 200


def test_a_publish_after_edits_serves_exactly_what_a_cold_build_gives(tmp_path):
    """publish builds incrementally in its own folder; what goes live must not depend on that: after an
    edit, an addition, a deletion and a later --now, the release equals a cold publishconf build byte for byte."""
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    config = write_config(tmp_path)
    first = run("publish", "--config", config, "--content", content, "--now", NOW, "--format", "json")
    assert first.exit_code == 0, first.output

    retitle(content, "柳桥镇选派年轻干部担任乡村振兴专员（更新）")
    (content / "dz/2025/dz-zhibu-shuji-peixun.md").unlink()
    (content / "dz/2026/dz-new.md").write_text(
        "---\ntitle: 东渚镇召开党建联席会议\ndate: 2026-11-30\norg: dz\ncategory: 党建动态\n---\n\n"
        "会议研究了年度工作。\n",
        encoding="utf-8",
    )
    later = "2026-12-01 09:00"  # some notice periods have ended by then: --now must reach every page
    second = run("publish", "--config", config, "--content", content, "--now", later, "--format", "json")
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["build"]["unchanged"] is False and report["build"]["pages_rendered"] > 0
    assert set(report["seconds"]) == {"build", "manifest", "deploy"}
    served = tmp_path / "srv" / os.readlink(tmp_path / "srv" / "current")

    cold = tmp_path / "cold"
    built = publish.build(content, cold, "public", publish.PUBLISH_SETTINGS, dates.parse(later).value, cache_dir=False)
    assert built.ok
    release_files = set(bundle.RELEASE_FILES)
    served_files = {p for p in bundle.relative_files(served) if p not in release_files}
    assert served_files == set(bundle.relative_files(cold))
    differing = [p for p in sorted(served_files) if (served / p).read_bytes() != (cold / p).read_bytes()]
    assert differing == []
    assert "东渚镇召开党建联席会议" in (served / "index.html").read_text(encoding="utf-8")


def test_keep_prunes_old_releases_but_never_the_current_one(tmp_path):
    srv = tmp_path / "srv"
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("v", encoding="utf-8")
    target = targets.DirTarget("t", str(srv), keep=2)
    versions = []
    for n in range(4):
        (site / "index.html").write_text(f"version {n}", encoding="utf-8")
        versions.append(publish.new_release_id())
        bundle.write_manifest(site, versions[-1], "now")
        target.deploy(site, versions[-1])
    assert releases.Releases(srv).names() == versions[-2:]
    assert (srv / "current" / "index.html").read_text(encoding="utf-8") == "version 3"
    assert_emptied_in_the_background(srv / releases.RELEASES)
    target.rollback()
    assert (srv / "current" / "index.html").read_text(encoding="utf-8") == "version 2"
    with pytest.raises(releases.PublishError, match="没有比当前版本"):
        target.rollback()


def assert_emptied_in_the_background(folder: Path) -> None:
    """Pruned releases are set aside at once and deleted by a detached process: wait (bounded) for it."""
    deadline = time.monotonic() + 60
    while any(p.name.startswith(releases.TRASH_PREFIX) for p in folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(releases.TRASH_PREFIX)]


def test_publish_refuses_on_validation_errors_and_leaves_the_site(county, tmp_path):
    folder, content, config, nginx = county
    broken = tmp_path / "content"
    shutil.copytree(content, broken)
    (broken / ARTICLE).write_text(
        (broken / ARTICLE).read_text(encoding="utf-8").replace('org: "lq"', 'org: "nowhere"'), encoding="utf-8"
    )
    before = current_target(folder / "srv") if (folder / "srv" / "current").exists() else None
    result = run("publish", "--config", config, "--content", broken, "--now", NOW)
    assert result.exit_code == 1
    assert f"{ARTICLE}:4: 错误 [org-unknown]" in result.output
    assert "未发布" in result.output
    after = current_target(folder / "srv") if (folder / "srv" / "current").exists() else None
    assert before == after


def test_publish_refuses_without_absolute_siteurl(content, tmp_path):
    content.article("dz/a.md", 'title: 标题\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态')
    config = write_config(tmp_path)
    result = run("publish", "--config", config, "--content", content.root, "--now", NOW)
    assert result.exit_code == 1
    assert "siteurl" in result.output
    assert not (tmp_path / "srv" / "current").exists()


def test_dry_run_reports_and_changes_nothing(county):
    folder, content, config, nginx = county
    srv = folder / "srv"
    before = sorted(p.name for p in (srv / "releases").iterdir()) if (srv / "releases").exists() else []
    result = run("publish", "--config", config, "--content", content, "--now", NOW, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "试运行" in result.output and "未改动线上网站" in result.output
    after = sorted(p.name for p in (srv / "releases").iterdir()) if (srv / "releases").exists() else []
    assert before == after


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "找不到发布配置"),
        ("targets:\n  a:\n    type: ftp\n    path: x\n", "type 应为 dir"),
        ("targets:\n  a:\n    type: dir\n", "缺少 path"),
        ("targets:\n  a:\n    type: rsync\n    path: /srv\n", "缺少 host"),
        ("targets:\n  a:\n    type: dir\n    path: x\n    keep: 1\n", "keep 应为不小于 2"),
        ("default: b\ntargets:\n  a:\n    type: dir\n    path: x\n", "default 写的目标“b”"),
        ("targets: [\n", "publish.yaml:"),
    ],
)
def test_config_problems_are_one_chinese_line_and_exit_2(tmp_path, text, message):
    config = tmp_path / "publish.yaml"
    if text is not None:
        config.write_text(text, encoding="utf-8")
    result = run("publish", "--config", config, "--rollback")
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_target_names_the_known_ones(tmp_path):
    config = write_config(tmp_path)
    result = run("publish", "--config", config, "--target", "cdn", "--rollback")
    assert result.exit_code == 2
    assert "没有名为“cdn”的发布目标" in result.output and "county" in result.output


def test_a_real_directory_named_current_is_refused_not_replaced(tmp_path):
    srv = tmp_path / "srv"
    (srv / "current").mkdir(parents=True)
    (srv / "current" / "index.html").write_text("old hand-made site", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("new", encoding="utf-8")
    bundle.write_manifest(site, "v1", "now")
    with pytest.raises(releases.PublishError, match="普通目录"):
        targets.DirTarget("t", str(srv)).deploy(site, "v1")
    assert (srv / "current" / "index.html").read_text(encoding="utf-8") == "old hand-made site"


def test_publish_with_bundle_writes_the_same_release_as_a_zip(county, tmp_path):
    folder, content, config, nginx = county
    result = run("publish", "--config", config, "--content", content, "--now", NOW, "--bundle", tmp_path)
    assert result.exit_code == 0, result.output
    release = os.readlink(folder / "srv" / "current").split("/")[-1]
    archive = tmp_path / f"hongwang-site-{release}.zip"
    assert archive.is_file() and (tmp_path / f"{archive.name}.sha256").is_file()
    assert "村级离线包" in result.output


def test_without_fork_pruned_releases_are_deleted_at_once(tmp_path, monkeypatch):
    """Windows has no fork: the releases set aside are deleted before prune returns."""
    monkeypatch.delattr(os, "fork")
    srv = tmp_path / "srv"
    site = tmp_path / "site"
    site.mkdir()
    target = targets.DirTarget("t", str(srv), keep=2)
    for n in range(3):
        (site / "index.html").write_text(f"version {n}", encoding="utf-8")
        version = publish.new_release_id()
        bundle.write_manifest(site, version, "now")
        deployment = target.deploy(site, version)
    assert len(deployment.removed) == 1
    assert sorted(p.name for p in (srv / releases.RELEASES).iterdir()) == releases.Releases(srv).names()


def release_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def two_releases(tmp_path: Path, between=None):
    """A dir target serving v1; then v2 (index changed, a page gone with its folder, a page added) deployed
    after begin() seeded it. between(served release folder) runs before v2 is begun."""
    srv, site = tmp_path / "srv", tmp_path / "site"
    for rel, text in {"index.html": "v1", "a/kept.html": "kept", "gone/only.html": "gone"}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    target = targets.DirTarget("t", str(srv), keep=3)
    first = publish.new_release_id()
    bundle.write_manifest(site, first, "now")
    target.deploy(site, first)
    if between:
        between(srv / releases.RELEASES / first)
    (site / "index.html").write_text("v2", encoding="utf-8")
    shutil.rmtree(site / "gone")
    (site / "b").mkdir()
    (site / "b/new.html").write_text("new", encoding="utf-8")
    second = publish.new_release_id()
    target.begin(second)
    bundle.write_manifest(site, second, "now")
    try:
        deployment = target.deploy(site, second)
    finally:
        target.end()
    return srv, site, first, second, deployment


def test_a_dir_target_seeds_the_next_release_from_the_served_one_while_the_site_is_built(tmp_path, monkeypatch):
    def no_fresh_copy(*_args, **_kwargs):
        raise AssertionError("the seed was not used")

    srv, site, first, second, deployment = two_releases(
        tmp_path, between=lambda _served: monkeypatch.setattr(targets, "copy_release", no_fresh_copy)
    )
    new, old = srv / releases.RELEASES / second, srv / releases.RELEASES / first
    assert release_tree(new) == release_tree(site)  # exactly the site: the page that left is gone, folder too
    assert not (new / "gone").exists()
    assert (deployment.files_linked, deployment.files_copied) == (1, 3)  # index, the new page, the manifest
    assert (new / "a/kept.html").stat().st_ino == (old / "a/kept.html").stat().st_ino
    assert (old / "index.html").read_text(encoding="utf-8") == "v1"  # the previous release never changes
    assert (srv / "current" / "index.html").read_text(encoding="utf-8") == "v2"
    assert not [p for p in (srv / releases.RELEASES).iterdir() if p.name.startswith(".")]


def test_a_seed_of_a_release_changed_by_hand_is_dropped_for_a_fresh_copy(tmp_path):
    def stray(served: Path) -> None:
        (served / "stray.html").write_text("put there by hand", encoding="utf-8")

    srv, site, _first, second, deployment = two_releases(tmp_path, between=stray)
    assert release_tree(srv / releases.RELEASES / second) == release_tree(site)  # no stray file
    assert deployment.files_linked == 1
    assert not [p for p in (srv / releases.RELEASES).iterdir() if p.name.startswith(".")]
