"""Real-browser tests: Debian's chromium driven by Playwright, pages served over loopback HTTP.

Tests that use these fixtures are marked `browser`; they skip (with the reason)
only when /usr/bin/chromium is absent, which `.ci/run` prevents by installing it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from hongwang.pipeline.deploy.serve import make_server

CHROMIUM = os.environ.get("HONGWANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Served:
    def __init__(self, root: Path):
        self.root = root
        self.server = make_server(root, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def url(self, path: str = "") -> str:
        return self.base + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def served_example(example_site):
    served = Served(example_site.output_dir)
    yield served
    served.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot as a test artifact (tests/artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
