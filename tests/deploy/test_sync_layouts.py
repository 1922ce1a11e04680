"""A village copy without symlinks (Windows): `current` as a pointer file, switched by renames — run on Linux.

`sync --layout pointer` writes `current` as a file naming the release; `hongwang serve --site` (a separate
process) follows each switch without a restart; an existing symlink copy keeps its symlink and can be
converted; a damaged pointer is a Chinese refusal, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request

import pytest
from test_signing import County

from hongwang.pipeline.deploy import manifest as manifests
from hongwang.pipeline.deploy import releases

from support.cli import HONGWANG, run
from support.servers import free_port, stop, wait_for_port


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    county = County(tmp_path_factory.mktemp("layouts"))
    county.publish()
    yield county
    county.close()


def pointed(dest) -> str:
    """The release a pointer file names (and that it is a plain file, not a link)."""
    current = dest / "current"
    assert current.is_file() and not current.is_symlink()
    text = current.read_text(encoding="ascii")
    assert text.startswith("releases/") and text.endswith("\n")
    return text.strip().removeprefix("releases/")


def intact(dest, name: str) -> None:
    release = dest / "releases" / name
    assert manifests.verify_tree(release, manifests.read_manifest(release)) == []


def page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as response:
        return response.read().decode("utf-8")


def test_pointer_file_sync_and_serve_follow_each_release_without_symlinks(county, tmp_path):
    village = tmp_path / "village"
    first = run("sync", county.url, "--dest", village, "--layout", "pointer", "--trust", county.pub, "--keep", "2")
    assert first.exit_code == 0, first.output
    before = pointed(village)
    intact(village, before)
    assert str(village / "releases" / before) in first.output  # where the site is, for a Windows admin
    assert not any(path.is_symlink() for path in village.rglob("*"))

    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [*HONGWANG, "serve", "--site", str(village), "--port", str(port)], stdout=output, stderr=output
        )
    try:
        wait_for_port(port, server, log, seconds=60)
        assert "第一篇" in page(port)
        for round_number in range(2):
            county.article(f"指针文件第{round_number}篇")
            county.publish()
            again = run("sync", county.url, "--dest", village, "--keep", "2")  # auto: the pointer layout stays
            assert again.exit_code == 0, again.output
            assert f"指针文件第{round_number}篇" in page(port)  # the running server follows the pointer
        after = pointed(village)
        intact(village, after)
        assert after != before and not (village / "releases" / before).exists()  # --keep 2: the oldest went
    finally:
        stop(server)


def test_a_symlink_copy_stays_a_symlink_and_can_be_converted(county, tmp_path):
    village = tmp_path / "village"
    assert run("sync", county.url, "--dest", village, "--layout", "symlink").exit_code == 0
    assert (village / "current").is_symlink()
    county.article("符号链接之后")
    county.publish()
    assert run("sync", county.url, "--dest", village).exit_code == 0
    assert (village / "current").is_symlink()  # an existing Linux install keeps its layout
    name = releases.current_release(village)
    intact(village, name)

    county.article("改成指针文件")
    county.publish()
    converted = run("sync", county.url, "--dest", village, "--layout", "pointer")
    assert converted.exit_code == 0, converted.output
    assert pointed(village) != name
    assert "改成指针文件" in (village / "releases" / pointed(village) / "index.html").read_text(encoding="utf-8")


def test_a_damaged_pointer_is_a_chinese_refusal_and_nothing_changes(county, tmp_path):
    village = tmp_path / "village"
    assert run("sync", county.url, "--dest", village, "--layout", "pointer").exit_code == 0
    (village / "current").write_text("../../etc\n", encoding="ascii")
    before = sorted(os.listdir(village / "releases"))
    refused = run("sync", county.url, "--dest", village)
    assert refused.exit_code == 2 and "releases/<版本>" in refused.output and "本机网站保持原样" in refused.output
    assert sorted(os.listdir(village / "releases")) == before
    served = run("serve", "--site", village, "--port", "1")
    assert served.exit_code == 2 and "index.html" in served.output  # no site to serve, said in Chinese
