"""Pages found / pages returned for Chinese queries: Pagefind 1.4 (extended) against hongwang's own index.

    python bench/search_recall.py OUTPUT [--queries 30] [--seed 5] [--out FILE.md]

OUTPUT is a site hongwang built. The truth for a query is every page whose searchable text (the text our
cards hold: title, summary, body, org names, persons, reply) contains it after normalisation. Pagefind is
run on a copy of the site whose content pages carry `data-pagefind-body` (as they did when Pagefind was
hongwang's search), and asked through its own JavaScript API in Chromium; ours through the same Python
reference the tests hold the browser to (pipeline/site/search/query.py).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hongwang.pipeline.site.search import query as ours  # noqa: E402
from hongwang.pipeline.site.search import text, writer  # noqa: E402

from support.browser import CHROMIUM, CHROMIUM_ARGS, Served  # noqa: E402

COMMON = ["党委", "党员", "支部书记", "村党支部", "村党委", "委组织", "组织部", "换届选举", "党费", "12380", "2025年"]
PAGEFIND = """async (word) => {
    if (!window.__pagefind) {
        window.__pagefind = await import(new URL("pagefind/pagefind.js", location.href).href);
    }
    const found = await window.__pagefind.search(word);
    const data = await Promise.all(found.results.map(r => r.data()));
    return data.map(d => d.url.replace(/^\\//, ""));
}"""


def cards(output: Path) -> dict[str, str]:
    """url -> normalised searchable text, from every card of the index."""
    found = {}
    root = output / writer.FOLDER
    for path in (root / "d").rglob("*.js"):
        card = writer.read_card(root, int(path.stem))
        found[card[0]] = ours.searched_text(card)
    return found


def sampled(pages: dict[str, str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    runs = [run for body in pages.values() for run in re.findall(r"[\u4e00-\u9fff]{4,}", body)]
    return [run[i : i + n] for run, n in ((rng.choice(runs), rng.choice((2, 3, 4))) for _ in range(count))
            for i in [rng.randrange(len(run) - n + 1)]]  # fmt: skip


def pagefind_copy(output: Path, urls: set[str], folder: Path) -> Path:
    site = folder / "site"
    shutil.copytree(output, site)
    for url in urls:
        page = site / url
        html = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"<main\b", "<main data-pagefind-body", html, count=1), encoding="utf-8")
    import pagefind_bin_extended

    subprocess.run([pagefind_bin_extended.get_executable(), "--site", str(site), "--silent"], check=True)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = cards(args.output)
    words = COMMON + sampled(pages, args.queries, args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        served = Served(pagefind_copy(args.output, set(pages), Path(scratch)))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(bypass_csp=True)  # our pages' policy has no 'wasm-unsafe-eval': Pagefind needs it
        page.goto(served.url("search.html"))
        for word in words:
            truth = {url for url, body in pages.items() if all(w in body for w in text.words(word))}
            theirs = set(page.evaluate(PAGEFIND, word))
            index = ours.Index(args.output)
            mine = {card[0] for _, card in index.verified(index.search(word))}
            rows.append((word, len(truth), len(theirs & truth), len(theirs), len(mine & truth), len(mine)))
        browser.close()
        served.close()
    lines = [f"Site: {args.output} ({len(pages)} searchable pages).", "",
             "| query | pages containing it | Pagefind 1.4: found / returned | ours: found / returned |",
             "| --- | ---: | ---: | ---: |"]  # fmt: skip
    lines += [f"| {w} | {t:,} | {tf:,} / {tr:,} | {of:,} / {orr:,} |" for w, t, tf, tr, of, orr in rows]
    truth, their_found, their_all, our_found, our_all = (sum(r[i] for r in rows) for i in range(1, 6))
    lines += ["", f"All {len(rows)} queries: pages containing them {truth:,}; Pagefind found {their_found:,} "
              f"and returned {their_all - their_found:,} that do not contain them; ours found {our_found:,} "
              f"and returned {our_all - our_found:,}."]  # fmt: skip
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
