"""Regenerate the README's screenshots: the example county built, served and shot in Debian's chromium.

    .venv/bin/python docs/screenshots/capture.py      (needs the test extras: make install-test)

Viewport-sized, quantised to a small palette: the README shows the layout, not every pixel.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hongwang.pipeline.site.build import build  # noqa: E402

from support.browser import CHROMIUM, CHROMIUM_ARGS, Served  # noqa: E402
from support.example import EXAMPLE, EXAMPLE_NOW  # noqa: E402

PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1366, "height": 768}
SHOTS = [
    ("home-375", "index.html", PHONE, False),
    ("home-1366", "index.html", DESKTOP, False),
    ("article-375", "article/dz-dangjian-lianmeng-qiangcun-fumin.html", PHONE, False),
    ("article-1366", "article/dz-dangjian-lianmeng-qiangcun-fumin.html", DESKTOP, False),
    ("notices-375", "notice/index.html", PHONE, False),
    ("high-contrast-1366", "index.html", DESKTOP, True),
]


def save(png: bytes, name: str, width: int) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(HERE / f"{name}.png", optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        result = build(EXAMPLE, Path(folder) / "output", now=EXAMPLE_NOW, cache_dir=False)
        served = Served(result.output_dir)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, viewport, contrast in SHOTS:
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                if contrast:
                    page.goto(served.url("index.html"))
                    page.evaluate("() => localStorage.setItem('hw-contrast', '1')")
                page.goto(served.url(path))
                save(page.screenshot(), name, 960 if viewport is DESKTOP else 375)
                context.close()
            browser.close()
        served.close()
    for path in sorted(HERE.glob("*.png")):
        print(f"{path.name}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
