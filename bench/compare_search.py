"""Compare what two built sites' search indexes find, query by query, in chromium.

    python bench/compare_search.py ONE_BUNDLE_OUTPUT OTHER_OUTPUT [--queries 40] [--seed 7] [--words 党费,村党委]

Queries are 2–4-character pieces of random item titles from OTHER_OUTPUT/../content. An output folder
whose pagefind/bundles.json lists bucket bundles is searched with all of them merged (Pagefind's
mergeIndex, as the experimental branch `pf-buckets-code` does); otherwise with its one pagefind/ bundle.
Results are compared by Pagefind's page id (a hash of the page's content), over every result.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support.browser import Served  # noqa: E402

SEARCH = """async (word) => {
    if (!window.__pagefind) {
        const root = new URL("pagefind/", location.href).href;
        let bundles = null;
        try { bundles = (await (await fetch(root + "bundles.json")).json()).bundles; } catch (e) {}
        const first = bundles ? root + bundles[0] + "/" : root;
        window.__pagefind = await import(first + "pagefind.js");
        await window.__pagefind.options({bundlePath: first});
        for (const name of (bundles || []).slice(1)) await window.__pagefind.mergeIndex(root + name + "/");
    }
    return (await window.__pagefind.search(word)).results.map(r => r.id);
}"""


def queries(content: Path, count: int, seed: int) -> list[str]:
    titles = []
    for path in sorted(content.rglob("*.md")):
        found = re.search(r"^title:\s*\"?(.+?)\"?$", path.read_text(encoding="utf-8"), re.M)
        if found:
            titles.append(found.group(1))
    rng = random.Random(seed)
    picked = []
    for title in rng.sample(titles, count):
        han = re.sub(r"[^\u4e00-\u9fff]", "", title)
        if len(han) >= 4:
            start = rng.randrange(0, len(han) - 3)
            picked.append(han[start : start + rng.choice((2, 3, 4))])
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("one", type=Path)
    parser.add_argument("other", type=Path)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", default="", help="comma-separated queries asked before the random ones")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    words = [w for w in args.words.split(",") if w] + queries(args.other.parent / "content", args.queries, args.seed)
    served = [Served(args.one), Served(args.other)]
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            pages = [browser.new_page() for _ in served]
            for page, site in zip(pages, served, strict=True):
                page.goto(site.url("search.html"))
            for word in words:
                one, other = (page.evaluate(SEARCH, word) for page in pages)
                rows.append(
                    (
                        word,
                        len(one),
                        len(other),
                        len(set(one) - set(other)),
                        len(set(other) - set(one)),
                        len(set(one[:5]) & set(other[:5])),
                    )
                )
            browser.close()
    finally:
        for site in served:
            site.close()
    print("| query | one bundle | merged bundles | missing | extra | top-5 shared |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")
    print(
        f"\n{len(rows)} queries: identical result sets {sum(1 for r in rows if not r[3] and not r[4])}, "
        f"with missing results {sum(1 for r in rows if r[3])}, with extra results {sum(1 for r in rows if r[4])}, "
        f"same top 5 {sum(1 for r in rows if r[5] == min(5, r[1]))}"
    )


if __name__ == "__main__":
    main()
