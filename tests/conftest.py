"""Shared fixtures for every test package: the bundled example county, small content trees, the browser.

Helpers live in tests/support/ (example content, the CLI runner, the browser, real servers, HTML checks).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hongwang.pipeline.site.build import build

from support.browser import chromium, served_example  # noqa: F401  (shared fixtures)
from support.example import EXAMPLE, EXAMPLE_NOW, ContentTree


@pytest.fixture
def content(tmp_path) -> ContentTree:
    return ContentTree(tmp_path / "content")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory):
    """The bundled example county, built once for the whole session (public profile)."""
    output = tmp_path_factory.mktemp("example") / "output"
    result = build(EXAMPLE, output, "public", now=EXAMPLE_NOW)
    assert result.ok, [d.message for d in result.validation.errors]
    return result


@pytest.fixture(scope="session")
def example_copy(tmp_path_factory) -> Path:
    """A private copy of the example content for tests that modify it."""
    target = tmp_path_factory.mktemp("example-copy") / "content"
    shutil.copytree(EXAMPLE, target)
    return target


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium through Playwright")
