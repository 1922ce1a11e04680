"""Village sync and bundles against a real HTTP server on loopback, including corrupted and truncated downloads."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import subprocess
import threading
import urllib.request
import zipfile
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hongwang.cli import app
from hongwang.pipeline.deploy import manifest as bundle
from hongwang.pipeline.deploy import publish, releases, sync, targets
from hongwang.pipeline.deploy.serve import QuietHandler

from support.cli import HONGWANG
from support.example import EXAMPLE, EXAMPLE_NOW, ROOT
from support.servers import Nginx, free_port, stop, wait_for_port
from test_publish import ARTICLE, retitle

runner = CliRunner()


class FaultyHandler(QuietHandler):
    """Serves the county site; `faults[path]` is a list of damage to do on the next requests of that file."""

    faults: dict[str, list[str]] = {}
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path.lstrip("/")
        self.requests.append(path)
        damage = self.faults.get(path)
        if not damage:
            super().do_GET()
            return
        kind = damage[0] if damage[0].endswith("-always") else damage.pop(0)
        body = Path(self.translate_path(self.path)).read_bytes()
        if kind.startswith("gzip"):  # a compressed stream cut in half
            body = gzip.compress(body)[:-20]
        else:
            body = body[: len(body) // 2] if kind.startswith("truncate") else bytes([body[0] ^ 0xFF]) + body[1:]
        self.send_response(200)
        if kind.startswith("gzip"):
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class County:
    """A county server: a publish `dir` target, served over HTTP from its `current` folder."""

    def __init__(self, folder: Path):
        self.root = folder / "srv"
        self.content = folder / "content"
        shutil.copytree(EXAMPLE, self.content)
        self.target = targets.DirTarget("county", str(self.root), keep=10)
        handler = functools.partial(FaultyHandler, directory=str(self.root / "current"))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def publish(self) -> str:
        outcome = publish.publish(self.content, self.target, now=EXAMPLE_NOW)
        assert outcome.ok, outcome.refusal or [d.message for d in outcome.build.validation.errors]
        return outcome.deployment.release

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    county = County(tmp_path_factory.mktemp("county"))
    county.publish()
    yield county
    county.close()


@pytest.fixture(autouse=True)
def no_faults():
    FaultyHandler.faults.clear()
    FaultyHandler.requests.clear()
    yield
    FaultyHandler.faults.clear()


def served_tree_is_intact(dest: Path) -> bundle.Manifest:
    manifest = bundle.read_manifest(dest / "current")
    assert manifest is not None
    assert bundle.verify_tree(dest / "current", manifest) == []
    return manifest


def test_first_sync_downloads_and_verifies_everything(county, tmp_path):
    report = sync.sync(county.url, tmp_path / "village")
    served = served_tree_is_intact(tmp_path / "village")
    assert report.files_downloaded == report.files_total == len(served.files) and report.files_reused == 0
    assert report.bytes_downloaded >= report.site_bytes
    assert (tmp_path / "village" / "current" / "index.html").read_bytes() == (
        county.root / "current" / "index.html"
    ).read_bytes()


@pytest.fixture(scope="module")
def county_nginx(county, tmp_path_factory):
    """The county site behind a real nginx with `gzip on`, as a county server is configured (docs/deploy.md)."""
    nginx = Nginx(tmp_path_factory.mktemp("county-nginx"), county.root)
    yield f"http://127.0.0.1:{nginx.port}/"
    nginx.close()


def change_one_article(content: Path) -> None:
    retitle(content, "柳桥镇十二名年轻干部驻村担任乡村振兴专员")
    (content / ARTICLE).write_text(
        (content / ARTICLE).read_text(encoding="utf-8") + "\n9月起，专员每月向村党组织报告一次工作。\n",
        encoding="utf-8",
    )


def sync_after_one_article_change(county: County, url: str, village: Path) -> tuple[sync.SyncReport, float]:
    first = sync.sync(url, village)
    assert first.files_downloaded == first.files_total
    assert first.bytes_downloaded < first.site_bytes  # nginx compressed the text files
    old = served_tree_is_intact(village)
    text = (county.content / ARTICLE).read_text(encoding="utf-8")
    change_one_article(county.content)
    try:
        county.publish()
        report = sync.sync(url, village)
    finally:
        (county.content / ARTICLE).write_text(text, encoding="utf-8")
    new = served_tree_is_intact(village)
    assert new.version != old.version and report.version == new.version
    assert "柳桥镇十二名年轻干部驻村担任乡村振兴专员" in (village / "current" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 0 < report.files_downloaded < report.files_total
    unchanged = "theme/css/site.css"  # reused from the previous local release as a hard link, not downloaded
    assert (village / "releases" / old.version / unchanged).stat().st_ino == (
        village / "current" / unchanged
    ).stat().st_ino
    ratio = report.bytes_downloaded / report.site_bytes
    print(
        f"one-article change on {report.files_total} files: {report.files_downloaded} downloaded, "
        f"{report.bytes_downloaded}/{report.site_bytes} bytes on the wire = {ratio:.2%} "
        f"(first sync: {first.bytes_downloaded} bytes)"
    )
    return report, ratio


def test_one_article_change_on_the_example_moves_kilobytes_not_the_site(county, county_nginx, tmp_path):
    """The 60-article example is tiny: the fixed cost of a change is ~300 KB, about 12% of its 2.4 MB —
    feeds of the last 50 items (~70 KB), the front page, and the search shards holding a term the edit
    added, removed or moved into the title (a retitle and a new sentence touch about 100 terms, most in a
    shard of their own: ~170 KB). The ratio falls as a county grows (next test)."""
    report, ratio = sync_after_one_article_change(county, county_nginx, tmp_path / "village")
    assert report.bytes_downloaded < 350_000 and ratio < 0.15


def grow(content: Path, articles: int) -> None:
    """Older articles (2025) so the county reaches a realistic size; the changed article stays on page 1."""
    orgs = ["dz", "lq", "gs", "ht", "jl", "sx"]
    for n in range(articles):
        org = orgs[n % len(orgs)]
        body = "".join(
            f"第{n}期第{k}段：围绕学习贯彻党的二十届三中全会精神，组织党员开展集中学习、交流研讨和"
            f"志愿服务，推动基层治理第{k * n}项任务落实。\n\n"
            for k in range(6)
        )
        path = content / org / "2025" / f"gen-{n:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ntitle: {org}第{n}期党员冬训暨主题党日活动纪实\ndate: 2025-{1 + n % 12:02d}-"
            f'{1 + n % 28:02d}\norg: "{org}"\ncategory: 基层党建\nslug: gen-{n:04d}\n---\n\n{body}',
            encoding="utf-8",
        )


def test_one_article_change_on_a_400_article_county_moves_under_5_percent(tmp_path):
    county = County(tmp_path / "county")
    nginx = None
    try:
        grow(county.content, 340)
        county.publish()
        nginx = Nginx(tmp_path / "nginx", county.root)
        report, ratio = sync_after_one_article_change(county, f"http://127.0.0.1:{nginx.port}/", tmp_path / "v")
        assert ratio < 0.05
    finally:
        county.close()
        if nginx is not None:
            nginx.close()


def test_sync_again_is_up_to_date_and_downloads_only_the_manifest(county, tmp_path):
    village = tmp_path / "village"
    sync.sync(county.url, village)
    FaultyHandler.requests.clear()
    report = sync.sync(county.url, village)
    assert report.up_to_date
    assert FaultyHandler.requests == ["manifest.json"]


def test_corrupted_and_truncated_downloads_are_retried_never_kept(county, tmp_path):
    FaultyHandler.faults.update(
        {
            "index.html": ["corrupt"],
            "theme/css/site.css": ["truncate"],
            "manifest.json": ["truncate"],
            "404.html": ["gzip", "corrupt"],
        }
    )
    report = sync.sync(county.url, tmp_path / "village")
    served_tree_is_intact(tmp_path / "village")
    assert sorted(set(report.retried)) == ["404.html", "index.html", "theme/css/site.css"]
    assert FaultyHandler.requests.count("404.html") == 3
    assert FaultyHandler.requests.count("index.html") == 2
    assert FaultyHandler.requests.count("manifest.json") == 2


def test_a_file_that_stays_corrupted_is_never_served(county, tmp_path):
    village = tmp_path / "village"
    sync.sync(county.url, village)
    before = os.readlink(village / "current")
    retitle(county.content, "柳桥镇年轻干部驻村（第二版）")
    try:
        county.publish()
    finally:
        retitle(county.content, "柳桥镇选派十二名年轻干部担任村级乡村振兴专员")
    FaultyHandler.faults["index.html"] = ["corrupt-always"]
    result = runner.invoke(app, ["sync", county.url, "--dest", str(village), "--retries", "2"])
    assert result.exit_code == 2
    assert "index.html 的 sha256 校验不符" in result.output and "本机网站保持原样" in result.output
    assert "Traceback" not in result.output
    assert os.readlink(village / "current") == before
    served_tree_is_intact(village)
    assert not any(p.name.startswith(".") for p in (village / "releases").iterdir())


def test_sync_cli_reports_bytes_and_percentage(county, tmp_path):
    result = runner.invoke(app, ["sync", county.url, "--dest", str(tmp_path / "village")])
    assert result.exit_code == 0, result.output
    assert "已更新到版本" in result.output and "全部 sha256 核对无误" in result.output and "%" in result.output
    again = runner.invoke(app, ["sync", county.url, "--dest", str(tmp_path / "village")])
    assert again.exit_code == 0 and "已是最新版本" in again.output


def test_unreachable_county_server_is_exit_2(tmp_path):
    result = runner.invoke(
        app, ["sync", f"http://127.0.0.1:{free_port()}/", "--dest", str(tmp_path / "v"), "--retries", "1"]
    )
    assert result.exit_code == 2
    assert "无法下载" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b", "C:/x", "a\\b", ""])
def test_manifest_paths_cannot_leave_the_site(path):
    escaped = path.replace("\\", "\\\\")
    entry = f'{{"path": "{escaped}", "sha256": "{"0" * 64}", "size": 1}}'
    data = f'{{"format": 1, "version": "v1", "files": [{entry}]}}'.encode()
    with pytest.raises(bundle.ManifestError):
        bundle.parse_manifest(data)


def test_bundle_is_a_verified_zip_that_serve_serves_on_the_lan(county, tmp_path):
    result = runner.invoke(app, ["bundle", "--site", str(county.root / "current"), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = next(tmp_path.glob("hongwang-site-*.zip"))
    digest, name = (tmp_path / f"{archive.name}.sha256").read_text(encoding="ascii").split()
    assert name == archive.name and digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path / "unpacked")
    site = tmp_path / "unpacked" / archive.stem
    manifest = bundle.read_manifest(site)
    assert manifest.version in archive.name and manifest.built_at and manifest.files
    assert bundle.verify_tree(site, manifest) == []

    port = free_port()
    server = subprocess.Popen(
        [*HONGWANG, "serve", "--site", str(site), "--bind", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server, tmp_path / "none.log")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as response:
            assert response.read() == (site / "index.html").read_bytes()
    finally:
        stop(server)


def test_bundle_command_builds_with_publish_settings(content, tmp_path):
    content.write(
        "site.yaml",
        (content.root / "site.yaml").read_text(encoding="utf-8") + "siteurl: https://www.test.example.gov.cn\n",
    )
    content.article("dz/a.md", 'title: 标题\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态')
    result = runner.invoke(
        app, ["bundle", "--content", str(content.root), "--output", str(tmp_path / "dist"), "--now", "2026-11-23 10:00"]
    )
    assert result.exit_code == 0, result.output
    assert "已生成离线包" in result.output
    dist = tmp_path / "dist"
    assert len(list(dist.glob("*.zip"))) == 1 and len(list(dist.glob("*.zip.sha256"))) == 1
    archive = next(dist.glob("*.zip"))
    with zipfile.ZipFile(archive) as zipped:
        feed = zipped.read(f"{archive.stem}/feeds/all.atom.xml").decode("utf-8")
    assert "https://www.test.example.gov.cn/article/" in feed  # absolute links from site.yaml siteurl


def test_serve_follows_current_of_a_synced_folder(county, tmp_path):
    from hongwang.pipeline.deploy.serve import make_server

    village = tmp_path / "village"
    sync.sync(county.url, village)
    server = make_server(village / "current", "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/manifest.json"
        first = urllib.request.urlopen(url, timeout=10).read()
        other = village / "releases" / "other"
        shutil.copytree(village / "current", other)
        (other / "manifest.json").write_text('{"switched": true}', encoding="utf-8")
        releases.Releases(village).switch("other")
        second = urllib.request.urlopen(url, timeout=10).read()
        assert first != second and b"switched" in second
    finally:
        server.shutdown()
        server.server_close()
