"""Bytes a reader downloads to search a built site: what theme/static/js/search.js fetches for one query.

The browser loads the client (theme/js/search.js), then search/index.js (document slots and the facets)
once, one shard per term of the query, and the cards of the results it shows, 20 at a time (a card is
checked before it is shown, so a long word may load a few cards that are not shown), with the text of
those whose summary does not hold the query (a long text is a file apart from its card).
pipeline/site/search/query.py is its twin in Python: `Index(output).search(q)` and `.results(answer)`
read the same files in the same order, and `answer.loaded` lists them. Each file is counted as a server
sends it: gzip-compressed (level 6, as the tests' nginx; the raw size is reported too).

- first query: client + index.js + the query's shards + the cards of its first 20 results (budget 200 KB);
- following query: the query's shards and cards only (the client and index.js are already loaded; nothing
  of the previous query is assumed cached, so this is an upper bound) (budget 64 KB for two characters).
"""

from __future__ import annotations

import gzip
import re
import statistics
from pathlib import Path

from hongwang.pipeline.site.search import query as search_query

CLIENT = "theme/js/search.js"
FIXED_QUERIES = ["党委", "支部", "党员", "书记", "公示", "党支部", "支部书记", "乡村振兴", "基层党组织", "12380"]
HAN_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
FIRST_BUDGET, FOLLOWING_BUDGET = 200_000, 64_000


def rare_word(output: Path) -> str:
    """A two-character word from the middle document of the index, the one in the fewest documents."""
    index = search_query.Index(output)
    cards = sorted((Path(output) / "search" / "d").glob("*/*.js"), key=lambda p: (int(p.parent.name), int(p.stem)))
    card = index.card(int(cards[len(cards) // 2].stem))
    pairs = list(dict.fromkeys(HAN_PAIR.findall(card[7] or card[1])))
    return min(pairs, key=lambda pair: (len(index.postings(pair)), pairs.index(pair)))


def sizes(path: Path, cache: dict) -> tuple[int, int]:
    if path not in cache:
        data = path.read_bytes()
        cache[path] = (len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))
    return cache[path]


def measure(output: Path, queries: list[str] | None = None) -> dict:
    """Per query: results, files and bytes of the first and of a following query; max and median."""
    output = Path(output)
    queries = queries or [*FIXED_QUERIES[:5], rare_word(output), *FIXED_QUERIES[5:]]
    cache: dict = {}
    client_raw, client_gz = sizes(output / CLIENT, cache)
    rows = []
    for query in queries:
        index = search_query.Index(output)
        answer = index.search(query)
        shown = index.results(answer)
        loaded = list(dict.fromkeys(answer.loaded))
        files = [output / "search" / f"{name}.js" for name in loaded]
        raw = [sizes(f, cache)[0] for f in files]
        packed = [sizes(f, cache)[1] for f in files]
        own = [i for i, name in enumerate(loaded) if name != "index"]  # a following query's files
        rows.append(
            {
                "query": query,
                "chars": len(query),
                "results": len(answer.candidates) if answer.exact else None,  # a long word: checked on the page
                "shown": len(shown),
                "shards": sum(name.startswith("s/") for name in loaded),
                "cards": sum(name.startswith("d/") for name in loaded),
                "texts": sum(name.startswith("t/") for name in loaded),
                "first_raw": client_raw + sum(raw),
                "first_gzip": client_gz + sum(packed),
                "following_raw": sum(raw[i] for i in own),
                "following_gzip": sum(packed[i] for i in own),
            }
        )
    two = [r for r in rows if r["chars"] == 2]

    def spread(values: list[int]) -> dict:
        return {"max": max(values), "median": statistics.median(values)} if values else {}

    return {
        "client_raw": client_raw,
        "client_gzip": client_gz,
        "index_js_raw": sizes(output / "search" / "index.js", cache)[0],
        "index_js_gzip": sizes(output / "search" / "index.js", cache)[1],
        "queries": rows,
        "first_gzip": spread([r["first_gzip"] for r in rows]),
        "following_two_char_gzip": spread([r["following_gzip"] for r in two]),
        "following_gzip": spread([r["following_gzip"] for r in rows]),
    }
