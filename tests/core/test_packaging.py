"""Installed under one name: the wheel holds `hongwang` only, every sub-package imports from it and it builds a site.

Also: the cache key covers every module of every sub-package (a file it missed could serve stale pages).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hongwang.pipeline.core import cache

from support.example import ROOT

SUBSYSTEMS = ("core", "content", "site", "deploy", "intake", "report")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of what git tracks for the package, so the build leaves nothing in the checkout."""
    source, folder = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md", "cli.py", "pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("pipeline", "theme"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(folder.glob("hongwang-*.whl"))


def test_the_wheel_puts_nothing_generic_into_site_packages(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"hongwang", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    modules = {name for name in names if name.endswith(".py")}
    expected = {"hongwang/" + path.relative_to(ROOT).as_posix() for path in (ROOT / "pipeline").rglob("*.py")}
    assert expected <= modules and "hongwang/cli.py" in modules
    assert {
        "hongwang/theme/templates/base.html",
        "hongwang/theme/static/css/site.css",
        "hongwang/theme/report/report.html",
        "hongwang/pelicanconf.py",
    } <= set(names)


def test_every_subsystem_imports_from_the_installed_wheel_and_builds_a_site(wheel, tmp_path, content):
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    imports = "; ".join(f"import hongwang.pipeline.{name}" for name in SUBSYSTEMS)
    check = subprocess.run(
        [sys.executable, "-c", f"{imports}; import hongwang.pipeline as p; print(p.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().startswith(str(target))
    content.article("dz/2026/a.md", "title: 测试\ndate: 2026-11-20\norg: dz\ncategory: 党建动态")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "hongwang.cli",
            "build",
            "--content",
            str(content.root),
            "--output",
            str(tmp_path / "out"),
            "--no-cache",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "测试" in (tmp_path / "out/article/a.html").read_text(encoding="utf-8")


def test_the_cache_key_covers_every_module_of_every_sub_package():
    covered = {path.relative_to(ROOT).as_posix() for path in cache.code_files()}
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "pipeline").rglob("*.py")}
    assert {name.split("/")[1] for name in modules if name.count("/") > 1} >= set(SUBSYSTEMS)
    assert modules <= covered
    assert {"theme/templates/base.html", "pelicanconf.py", "publishconf.py"} <= covered
