"""Search: exact on the example and on a generated county, ranked as readers expect, the same in the browser.

The ground truth is computed here, independently of the index: each published page's searchable text
(title, summary, body, org name, notice persons, letter reply) is taken from the portal model, its HTML
read with html.parser, and a query's answer is every page whose normalised text contains every word.
"""

from __future__ import annotations

import html
import random
import re
import shutil
import sys
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hongwang.pipeline.site.build import build
from hongwang.pipeline.site.model import Interview, Letter, Notice, Quiz, Video
from hongwang.pipeline.site.search import codec, ids, kernels, shards, terms, text, writer
from hongwang.pipeline.site.search.query import Index

from support.browser import Served, screenshot
from support.example import EXAMPLE_NOW, ROOT

# ---------------------------------------------------------------- the reference: searchable text of each page


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "li", "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "br", "blockquote", "pre", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain(html: str) -> str:
    reader = _Text()
    reader.feed(str(html))
    return "".join(reader.parts)


def searchable_pages(portal) -> dict[str, str]:
    """url -> normalised searchable text, straight from the model (fields kept apart by newlines)."""
    pages = {}
    for item in portal.items:
        parts = [item.title, item.summary, plain(item.body_html)]
        if item.org:
            parts += [item.org.name, item.org.short_name]
        if isinstance(item, Notice):
            parts += [str(v) for person in item.persons for k, v in person.items() if k not in ("gender", "birth")]
        if isinstance(item, Letter):
            parts.append(plain(item.reply_html))
        if isinstance(item, Video):
            parts += [item.series, item.speaker] + (
                [] if plain(item.body_html).strip() else [c.text for c in item.cues]
            )
        if isinstance(item, Quiz):
            parts += [" ".join([q["question"], *map(str, q["options"]), q["source"] or ""]) for q in item.questions]
        if isinstance(item, Interview):
            parts += [" ".join(str(v) for v in guest.values() if v) for guest in item.guests]
            parts += [f"{entry['question']}\n{entry['answer']}" for entry in item.record]
        pages[item.url] = "\n".join(text.normalise(p) for p in parts)
    for org in portal.orgs.values():
        parts = [org.name, org.short_name, org.kind_name, *org.contact.values()]
        pages[org.url] = "\n".join(text.normalise(p) for p in parts)
    return pages


def truth(pages: dict[str, str], query: str) -> set[str]:
    words = text.words(query)
    return {url for url, body in pages.items() if all(w in body for w in words)}


def answer(output: Path, query: str) -> tuple[list[str], int]:
    """(urls of every result in the order the search page shows them, page after page; the count it announces)."""
    index = Index(output)
    found = index.search(query)
    return [card[0] for _, card in index.verified(found)], len(found.candidates)


def sample_queries(pages: dict[str, str], seed: int, per_length: int = 12) -> list[str]:
    """Pieces of the pages' text: 1, 2, 3, 4 and 6 characters of Chinese, Latin words, digits."""
    rng = random.Random(seed)
    runs = [run for body in pages.values() for run in body.split() if len(run) >= 6]
    queries = []
    for length in (1, 2, 3, 4, 6):
        for _ in range(per_length):
            run = rng.choice(runs)
            start = rng.randrange(len(run) - length + 1)
            queries.append(run[start : start + length])
    latin = sorted({w for body in pages.values() for w in re.findall(r"[a-z]{2,}|\d{3,}", body)})
    queries += rng.sample(latin, min(len(latin), 8))
    return queries


FIXED_QUERIES = [
    "党委", "村党支部", "支部书记", "党", "党委书记", "两优一先", "12380", "2026", "２０２６", "１２３８０",
    "ＰＤＦ", "pdf", "ICP", "2026年", "县委 组织部", "换届 选举 结果", "党员 冬训 茶", "村党支部委员会选举结果公告",
    "没有这个词语的页面", "xqzv",
]  # fmt: skip


def assert_exact(output: Path, pages: dict[str, str], queries: list[str]) -> None:
    wrong = {}
    for query in queries:
        expected = truth(pages, query)
        shown, announced = answer(output, query)
        exact_count = all(len(w) <= 3 for w in text.words(query))
        if set(shown) != expected or len(shown) != len(set(shown)) or (exact_count and announced != len(expected)):
            wrong[query] = (len(expected), len(shown), announced, sorted(expected ^ set(shown))[:5])
    assert wrong == {}


def test_every_query_finds_exactly_the_example_pages_that_contain_it(example_site):
    pages = searchable_pages(example_site.portal)
    queries = FIXED_QUERIES + sample_queries(pages, seed=1)
    assert_exact(example_site.output_dir, pages, queries)
    assert truth(pages, "没有这个词语的页面") == set() and truth(pages, "村党支部") and len(truth(pages, "党")) > 50


@pytest.fixture(scope="module")
def generated_county(tmp_path_factory):
    """400 items and 160 organisations with varied prose (bench/corpus.py: a Markov chain and a phrase list)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    root = tmp_path_factory.mktemp("county")
    orgs = corpus.build_orgs()
    corpus.write_hongwang(root, orgs, corpus.make_items(400, orgs, seed=11))
    result = build(root / "content", root / "output", now=EXAMPLE_NOW, cache_dir=False)
    assert result.ok, [d.message for d in result.validation.errors][:3]
    return result


def test_every_query_finds_exactly_the_generated_county_pages_that_contain_it(generated_county):
    pages = searchable_pages(generated_county.portal)
    assert len(pages) == 560
    assert_exact(generated_county.output_dir, pages, FIXED_QUERIES + sample_queries(pages, seed=2, per_length=25))


def test_a_county_sized_index_is_encoded_in_a_fresh_process_to_the_same_files(generated_county, tmp_path, monkeypatch):
    """From FRESH_PROCESS_FROM documents the compiled half of a whole write runs in a fresh process (the build's
    own would grow by Numba's ~150 MB): its files must be the ones the build's process writes."""
    monkeypatch.setattr(shards, "FRESH_PROCESS_FROM", 1)
    stats, _ = writer.write(generated_county.portal, tmp_path)

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.js")}

    fresh, built = files(tmp_path / "search"), files(generated_county.output_dir / "search")
    assert fresh == built
    assert stats.files == len(fresh) and stats.index_bytes == sum(len(b) for b in fresh.values())


RANKED = [
    # (query, the page a reader expects first)
    ("茶叶", "article/sx-ct-chaye-chanyelian-dangjian.html"),  # in title and summary
    ("冬训", "article/sx-dangyuan-dongxun-jieye.html"),  # in the title only
    ("换届选举", "article/dz-hq-huanjie-xuanju-jieguo.html"),  # in one title; another page says it three times
    ("容错纠错", "article/jw-rongcuo-jiucuo-shishi-yijian.html"),
    ("警示教育", "article/jw-jingshi-jiaoyu-dahui.html"),  # title and summary before summary alone
    ("干部任前公示", "notice/gongshi-ganbu-renqian.html"),  # three titles hold it: the one saying it twice
]


@pytest.mark.parametrize("query, first", RANKED)
def test_title_hits_come_first_then_newer(example_site, query, first):
    shown, _ = answer(example_site.output_dir, query)
    assert shown[0] == first, shown[:5]


def test_among_equal_matches_the_newer_page_comes_first(example_site):
    index = Index(example_site.output_dir)
    hits = index.search("党委").candidates
    ties = [(h.in_title, h.in_summary, h.count) for h in hits]
    for earlier, later, tie_a, tie_b in zip(hits, hits[1:], ties, ties[1:], strict=False):
        if tie_a == tie_b:
            assert earlier.day >= later.day


# ---------------------------------------------------------------- the parts


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_code_points_are_the_normalised_text_split_at_whitespace(value):
    """The same runs of characters (terms are cut from runs; how many zeros part two runs does not matter)."""
    expected = [run for run in re.split(f"[{re.escape(text.SPACES)}]+", text.normalise(value)) if run]
    runs = "".join(map(chr, text.points(value).tolist())).split("\x00")
    assert [run for run in runs if run] == expected


def test_normalising_folds_widths_and_case_and_drops_invisible_characters():
    assert text.normalise("ＰＤＦ１２３８０Ａ") == "pdf12380a"
    assert text.normalise("党\u200b委") == "党委"
    assert text.normalise("党委、书记") == "党委、书记"  # punctuation stays: 党委书记 does not match it
    assert text.words("  县委　组织部 县委 ") == ["县委", "组织部"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**38 - 1), st.integers(0, 4095), st.integers(0, 63)), max_size=300))
def test_a_shard_decodes_to_what_was_encoded(postings):
    slots = 4096
    unique = sorted({(key, doc): value for key, doc, value in postings}.items())
    keys = np.array([k for (k, _), _ in unique], dtype=np.uint64)
    docs = np.array([d for (_, d), _ in unique], dtype=np.int64)
    values = np.array([v for _, v in unique], dtype=np.uint8)
    decoded = codec.decode(codec.encode(keys, docs, values, slots), slots)
    assert [a.tolist() for a in decoded] == [keys.tolist(), docs.tolist(), values.tolist()]


def test_numbers_at_every_digit_boundary_survive_a_shard():
    """Keys and gaps one below and at each 5-bit boundary: the digit count changes there."""
    edges = sorted({max(0, (1 << bits) + d) for bits in range(0, 39, 5) for d in (-1, 0)} - {1 << 38})
    keys = np.cumsum(np.array(edges, dtype=np.uint64) + np.uint64(1))
    keys = keys[keys < np.uint64(1 << 38)]
    docs = np.array([(0, 1, 31, 32, 1023, 1024, 4095)[i % 7] for i in range(len(keys))], dtype=np.int64)
    values = (np.arange(len(keys)) % 64).astype(np.uint8)
    decoded = codec.decode(codec.encode(keys, docs, values, 4096), 4096)
    assert [a.tolist() for a in decoded] == [keys.tolist(), docs.tolist(), values.tolist()]
    key_section = codec.encode(keys, docs, values, 4096).split(".")[0]
    gaps = np.diff(keys, prepend=np.uint64(0)).tolist()
    assert len(key_section) == sum(max(1, -(-gap.bit_length() // 5)) for gap in gaps)


# Han, Latin, a full-width digit, spaces (ideographic too), the part separator, an invisible character, one that
# becomes two (㎡ → m2), one that becomes a space and a mark (¨), one outside the BMP.
# Or one repeated piece: counts past the cap of 15.
_TEXT = st.text(alphabet="党委书记村 aA１\u3000\x01\u200b㎡¨𠀀", max_size=60) | st.builds(
    lambda piece, times: piece * times, st.sampled_from(["党", "党委", "a ", "村党委"]), st.integers(10, 40)
)


def counted_by_hand(parts: list[str]) -> dict[int, int]:
    """term id -> 6-bit value: a plain count of the 1-3-grams of each whitespace-free run of each part."""
    counts, flags = Counter(), Counter()
    for index, part in enumerate(parts):
        for run in re.split(f"[{re.escape(text.SPACES)}]+", text.normalise(part.replace("\x01", " "))):
            for n in (1, 2, 3):
                for start in range(len(run) - n + 1):
                    term = terms.term_of(run[start : start + n])
                    counts[term] += 1
                    flags[term] |= {0: terms.IN_TITLE, 1: terms.IN_SUMMARY}.get(index, 0)
    return {term: min(count, terms.MAX_COUNT) - 1 | flags[term] for term, count in counts.items()}


@settings(max_examples=120, deadline=None)
@given(st.lists(st.lists(_TEXT, min_size=4, max_size=4), min_size=1, max_size=6))
def test_each_document_has_the_terms_counted_by_hand_compiled_and_in_numpy(documents):
    """Both tokenisers: the compiled one, a batch at a time (a whole index), and NumPy's (an update)."""
    batch = terms.Batch.of(documents)
    found, ids, values = kernels.document_terms(batch.points, batch.starts, batch.ends, batch.title_ends,
                                                batch.summary_ends)  # fmt: skip
    for number, parts in enumerate(documents):
        expected = counted_by_hand(parts)
        mine = found == number
        assert dict(zip(ids[mine].tolist(), values[mine].tolist(), strict=True)) == expected
        numpy_ids, numpy_values = terms.postings(parts[0], parts[1], parts[2:])
        assert dict(zip(numpy_ids.tolist(), numpy_values.tolist(), strict=True)) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_TEXT, min_size=4, max_size=4), min_size=1, max_size=6), st.sampled_from([16, 64, 4096]))
def test_compiled_and_numpy_file_terms_alike(documents, shard_count):
    """A whole index files terms compiled, an update and a query in NumPy: the same shard and key."""
    batch = terms.Batch.of(documents)
    slots = np.arange(len(documents), dtype=np.int64) * 3
    shards_compiled, postings_compiled = kernels.document_postings(
        batch.points, batch.starts, batch.ends, batch.title_ends, batch.summary_ends, slots,
        terms.shard_shift(shard_count))  # fmt: skip
    assert np.all(np.diff(shards_compiled.astype(np.int64)) >= 0)  # in shard order
    expected = set()
    for slot, parts in zip(slots.tolist(), documents, strict=True):
        ids_, values = terms.postings(parts[0], parts[1], parts[2:])
        shard, key = terms.filing(ids_, shard_count)
        expected |= set(zip(shard.tolist(), codec.pack(key, np.full(len(key), slot), values).tolist(), strict=True))
    assert set(zip(shards_compiled.tolist(), postings_compiled.tolist(), strict=True)) == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 2**38 - 1), st.integers(0, 599), st.integers(0, 63)),
                max_size=400), st.integers(0, 3))  # fmt: skip
def test_compiled_and_numpy_shards_are_the_same_text(postings, dense_key):
    """kernels.encode_shards (a whole index) and codec.encode_shards (an update): shard for shard, bitmaps too."""
    slots = 600
    # one key in most documents of shard 2: its documents are written as a bitmap; one in shard 3 whose gaps take
    # exactly as many characters as a bitmap would: gaps
    postings = [*postings, *((2, dense_key, doc, 1) for doc in range(0, slots, 2)), *((3, 9, d, 2) for d in range(100))]
    unique = sorted({(s, k, d): v for s, k, d, v in postings}.items())
    shard_ids = np.array([s for (s, _, _), _ in unique], dtype=np.int64)
    packed = codec.pack([k for (_, k, _), _ in unique], [d for (_, _, d), _ in unique], [v for _, v in unique])
    text, ends = kernels.encode_shards(shard_ids, packed, slots, 16, 0)
    text = text.tobytes().decode("ascii")
    compiled = [text[a:b] for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True)]
    assert compiled == codec.encode_shards(shard_ids, packed, slots, 16, 0)
    assert any(len(shard.split(".")[2]) >= codec.bitmap_length(slots) for shard in compiled)


def test_a_term_in_most_documents_is_written_as_a_bitmap():
    slots = 600
    docs = np.arange(0, 600, 2, dtype=np.int64)
    keys = np.full(len(docs), 7, dtype=np.uint64)
    encoded = codec.encode(keys, docs, np.zeros(len(docs), dtype=np.uint8), slots)
    assert len(encoded.split(".")[2]) == codec.bitmap_length(slots)
    assert codec.decode(encoded, slots)[1].tolist() == docs.tolist()


def test_ids_depend_only_on_the_set_of_documents_and_a_new_one_moves_none():
    documents = [(20000 + n % 300, f"item:dz/{n}.md") for n in range(500)]
    slots = ids.slot_count(len(documents))
    first = ids.assign(documents, slots)
    assert first == ids.assign(list(reversed(documents)), slots) and len(set(first.values())) == len(documents)
    for new in [f"item:dz/new-{n}.md" for n in range(50)]:  # each dated today: any home slot, taken or not
        second = ids.assign([*documents, (20300, new)], slots)
        assert [key for _, key in documents if first[key] != second[key]] == []
    backdated = ids.assign([*documents, (20000, "item:dz/old.md")], slots)
    moved = [key for _, key in documents if first[key] != backdated[key]]
    assert len(moved) <= len(documents) // 50 and slots >= 1.25 * len(documents)  # a backdated one: a few


def test_a_longer_word_is_looked_up_by_its_three_character_pieces():
    assert terms.grams_of("党委") == ["党委"]
    assert terms.grams_of("村党支部") == ["村党支", "党支部"]


# ---------------------------------------------------------------- files and the build


def test_the_index_is_scripts_under_search_and_reported_by_the_build(example_site):
    out, stats = example_site.output_dir, example_site.post.search
    scripts = sorted((out / "search").rglob("*.js"))
    texts = sorted((out / "search/t").rglob("*.js"))
    assert stats.files == len(scripts) == 1 + stats.shards + stats.documents + len(texts)
    cut = [p for p in (out / "search/d").rglob("*.js") if len(writer._payload(p.read_text(encoding="utf-8"))) > 8]
    assert texts and sorted(p.stem for p in texts) == sorted(p.stem for p in cut)  # a rest for each cut text
    assert all(p.read_bytes().startswith(b'hongwangSearch("') for p in scripts)
    assert stats.documents == len(example_site.portal.items) + len(example_site.portal.orgs)
    assert stats.index_bytes == sum(p.stat().st_size for p in scripts)
    drafts_and_internal = [p for ps in example_site.portal.excluded.values() for p in ps]
    cards = "".join(p.read_text(encoding="utf-8") for p in (out / "search").rglob("*.js"))
    assert drafts_and_internal and all(Path(p).stem not in cards for p in drafts_and_internal)
    assert "【草稿】" not in cards and "（内部）" not in cards


def test_every_result_links_to_a_page_the_build_wrote(example_site):
    """The mailbox text (content/pages/mailboxes.md) is shown on contact.html: a result must lead there."""
    root = example_site.output_dir / "search"
    urls = [writer.read_card(root, int(p.stem))[0] for p in root.glob("d/*/*.js")]
    assert "contact.html" in urls
    assert [url for url in urls if not (example_site.output_dir / url).is_file()] == []


def test_the_rest_of_a_long_text_is_loaded_only_when_the_card_cannot_show_the_result(example_site):
    root = example_site.output_dir / "search"
    from_card_alone = with_rest = 0
    for query in ("茶叶", "党委", "培训", "红旗村 集体经济", "闭卷"):
        index = Index(example_site.output_dir)
        found = index.search(query)
        for slot, card in index.results(found):
            whole = writer.read_card(root, slot)
            cut = len(whole[7]) > writer.TEXT_IN_CARD
            in_card = all(any(w in text.normalise(f) for f in (*card[1:4], card[6], whole[7][:writer.TEXT_IN_CARD]))
                          for w in found.words)  # fmt: skip
            in_summary = any(w in text.normalise(card[6]) for w in found.words)
            in_title = all(any(w in text.normalise(f) for f in (card[1], card[3])) for w in found.words)
            hits = [text.normalise(whole[7]).find(w) for w in found.words if w in text.normalise(whole[7])]
            early = bool(hits) and min(hits) + 100 < writer.TEXT_IN_CARD  # a plain text: positions agree
            needed = cut and not (in_card and (in_summary or in_title or early))
            assert (writer.text_name(slot) in index.loaded) == needed, (query, card[0])
            assert card[7] == (whole[7] if needed or not cut else whole[7][: writer.TEXT_IN_CARD])
            from_card_alone += cut and not needed
            with_rest += needed
    assert from_card_alone and with_rest


def test_the_search_page_works_without_javascript_as_a_list_of_indexes(example_site):
    html = (example_site.output_dir / "search.html").read_text(encoding="utf-8")
    browse = html.split('id="search-browse"', 1)[1].split("</section>", 1)[0]
    assert 'href="./org/index.html"' in browse and 'href="./category/dongtai.html"' in browse
    main = html.split("<main", 1)[1].split("</main>", 1)[0]  # the footer links the official record lookups
    assert "<noscript>" in browse and 'src="./theme/js/search.js"' in html and "https://" not in main
    assert 'action="./search.html"' in (example_site.output_dir / "index.html").read_text(encoding="utf-8")


def test_the_search_script_stays_small_and_self_contained():
    script = (ROOT / "theme/static/js/search.js").read_text(encoding="utf-8")
    assert len(script.encode()) < 20 * 1024
    for modern in ("import ", "fetch(", "Intl.Segmenter", "WebAssembly", "BigInt", "?.", "??"):
        assert modern not in script, modern


# ---------------------------------------------------------------- in the browser


TOKENISER_SAMPLES = [
    "中共青溪县委组织部关于干部任前公示的公告", "ＰＤＦ１２３８０，ＡＢＣ", "Ελληνικά ΣΟΦΙΑ", "İstanbul ǅ",
    "党\u200b委\u00ad书记", "㎡ ① ⑩ ㈠ ﬁ ½", "e\u0301 é", "𠀀𪚥 😀 党", "  县委　组织部\t\n12380 ",
    "《中国共产党章程》第六条", "\u3000\u3000首问负责。",
]  # fmt: skip


@pytest.mark.browser
def test_the_browser_tokenises_exactly_as_the_build(chromium, served_example):
    page = chromium.new_page()
    try:
        page.goto(served_example.url("search.html"))
        for sample in TOKENISER_SAMPLES:
            python_words = text.words(sample)
            browser = page.evaluate(
                """s => { const t = window.hongwangSearchTest; const ws = t.words(s);
                       return {norm: t.normalise(s), words: ws,
                               files: [].concat(...ws.map(w => t.grams(w).map(g => t.filing(g, 4096))))}; }""",
                sample,
            )
            assert browser["norm"] == text.normalise(sample), sample
            assert browser["words"] == python_words, sample
            grams = [g for w in python_words for g in terms.grams_of(w)]
            shards, keys = terms.filing(np.array(sorted({terms.term_of(g) for g in grams}), dtype=np.uint64), 4096)
            expected = {terms.term_of(g): (int(s), int(k)) for g, s, k in
                        zip(sorted(set(grams), key=terms.term_of), shards, keys, strict=True)}  # fmt: skip
            assert [(f["shard"], f["key"]) for f in browser["files"]] == [expected[terms.term_of(g)] for g in grams]
    finally:
        page.close()


SETTLED = """() => { const s = document.getElementById('search-status');
    return s && s.textContent && !/正在/.test(s.textContent); }"""
PAGE_FILLED = """() => document.getElementById('search-more').hidden
    || document.querySelectorAll('.search-result').length >= 20"""


def search(page, url: str) -> str:
    page.goto(url)
    page.wait_for_function(SETTLED)
    page.wait_for_function(PAGE_FILLED)
    return page.locator("#search-status").inner_text()


def shown_links(page) -> list[str]:
    """Result links relative to the site root (search.html sits in it)."""
    return page.locator(".search-result h2 a").evaluate_all(
        "as => as.map(a => a.href.slice(new URL('.', location.href).href.length))"
    )


@pytest.mark.browser
def test_the_search_page_shows_what_python_answers_with_every_hit_marked(chromium, served_example, example_site):
    page = chromium.new_page()
    try:
        for query in ("茶叶", "党委书记", "12380", "红旗村", "县委 组织部", "书记"):
            status = search(page, served_example.url(f"search.html?q={quote(query)}"))
            expected, _ = answer(example_site.output_dir, query)
            assert shown_links(page) == expected[:20], query
            assert str(min(len(expected), 20)) in status or str(len(expected)) in status
            words = text.words(query)
            for result in page.locator(".search-result").all():
                excerpt = result.locator(".search-excerpt")
                marks = excerpt.locator("mark").all_inner_texts()
                visible = text.normalise(excerpt.inner_text())
                for word in words:
                    occurrences = visible.count(word)
                    assert [text.normalise(m) for m in marks].count(word) == occurrences
                meta = result.locator(".search-meta").inner_text()
                title = text.normalise(result.locator("h2").inner_text() + "\n" + meta)
                assert marks or all(w in title for w in words), (query, visible)  # the excerpt shows why, or the title
                assert meta
        screenshot(page, "search-results")
    finally:
        page.close()


@pytest.mark.browser
def test_the_browser_loads_the_index_files_python_says_a_query_needs(chromium, served_example, example_site):
    """The bench counts a query's bytes from query.py's list of files: the page must load those and no more."""
    page = chromium.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.split("/search/", 1)[-1].split(".js", 1)[0]))
    try:
        for query, rests in (("茶叶", 0), ("县委 组织部", 0), ("书记", 8), ("12380", 5)):
            requested.clear()
            search(page, served_example.url(f"search.html?q={quote(query)}"))
            index = Index(example_site.output_dir)
            index.results(index.search(query))
            wanted = [name for name in index.loaded if name != "index"]
            assert sum(name.startswith("t/") for name in wanted) == rests, query  # examples of both kinds
            assert sorted(n for n in requested if n.startswith(("s/", "d/", "t/"))) == sorted(set(wanted)), query
    finally:
        page.close()


@pytest.mark.browser
def test_filters_count_and_narrow_paging_loads_more_and_date_order_sorts(chromium, served_example, example_site):
    page = chromium.new_page()
    try:
        status = search(page, served_example.url("search.html?q=%E5%85%9A%E5%A7%94"))
        expected, _ = answer(example_site.output_dir, "党委")
        assert f"找到 {len(expected)} 条" in status and len(expected) > 40
        assert len(shown_links(page)) == 20
        page.click("#search-more")
        page.wait_for_function("() => document.querySelectorAll('.search-result').length >= 40")
        assert shown_links(page) == expected[:40]
        notices = page.locator(".search-facet", has_text="类型").get_by_role("button", name=re.compile("^公示（"))
        count = int(re.search(r"（(\d+)）", notices.inner_text()).group(1))
        notices.click()
        page.wait_for_function(f"() => document.querySelectorAll('.search-result').length === {min(count, 20)}")
        assert all(h.startswith("notice/") for h in shown_links(page)) and count == sum(
            1 for url in expected if url.startswith("notice/")
        )
        assert page.locator(".search-facet button[aria-pressed=true]").count() == 1
        screenshot(page, "search-filtered")
        page.click("#search-sort-date")
        page.wait_for_function(
            "() => document.querySelector('#search-sort-date').getAttribute('aria-pressed') === 'true'"
        )
        dates = page.locator(".search-meta").all_inner_texts()
        days = [tuple(map(int, re.search(r"(\d{4})年(\d+)月(\d+)日", d).groups())) for d in dates]
        assert days == sorted(days, reverse=True) and "sort=date" in page.url
    finally:
        page.close()


@pytest.mark.browser
def test_nothing_found_says_so_and_offers_the_indexes(chromium, served_example):
    page = chromium.new_page()
    try:
        status = search(page, served_example.url("search.html?q=" + quote("没有这个词语的页面")))
        assert "没有找到包含“没有这个词语的页面”的内容" in status
        assert page.locator(".search-result").count() == 0
        browse = page.locator("#search-browse")
        assert browse.is_visible() and browse.get_by_role("link", name="组织机构（全部单位）").is_visible()
    finally:
        page.close()


@pytest.mark.browser
def test_the_header_box_searches_under_a_sub_path_and_results_open_their_page(chromium, example_site, tmp_path):
    shutil.copytree(example_site.output_dir, tmp_path / "sub" / "hongwang")
    served = Served(tmp_path / "sub")
    page = chromium.new_page()
    try:
        page.goto(served.url("hongwang/article/sx-dangyuan-dongxun-jieye.html"))
        page.fill("#site-search-q", "茶叶")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(".search-result h2 a")
        assert "/hongwang/search.html?q=" in page.url
        page.locator(".search-result h2 a").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/hongwang/article/sx-ct-chaye-chanyelian-dangjian.html")
        assert page.locator("h1").inner_text() == "茶亭村把党支部建在茶叶产业链上"
    finally:
        page.close()
        served.close()


@pytest.mark.browser
def test_search_works_from_a_file_url(chromium, example_site, tmp_path):
    """A village PC opening the unpacked bundle from disk: no server, scripts only."""
    site = tmp_path / "村级离线包"
    shutil.copytree(example_site.output_dir, site)
    page = chromium.new_page()
    try:
        page.goto((site / "index.html").as_uri())
        page.fill("#site-search-q", "冬训")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(".search-result h2 a")
        expected, _ = answer(example_site.output_dir, "冬训")
        assert shown_links(page) == expected[:20]
        page.locator(".search-result h2 a").first.click()
        page.wait_for_load_state()
        assert page.url.startswith("file://") and page.url.endswith(expected[0])
    finally:
        page.close()


@pytest.mark.browser
def test_without_javascript_the_header_box_leads_to_the_indexes(chromium, served_example):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served_example.url("index.html"))
        page.fill("#site-search-q", "冬训")
        page.press("#site-search-q", "Enter")
        page.wait_for_load_state()
        assert "search.html?q=" in page.url
        assert page.locator("#search-browse").is_visible()
        page.locator("#search-browse").get_by_role("link", name="组织机构（全部单位）").click()
        page.wait_for_load_state()
        assert page.url.endswith("org/index.html")
    finally:
        context.close()


def test_names_are_normalised_for_display_too(example_site):
    """Cards are NFC: the browser's positions in them match what it marks."""
    root = example_site.output_dir / "search"
    for path in [*sorted(root.glob("d/*/*.js"))[:50], *sorted(root.glob("t/*/*.js"))[:50]]:
        content = path.read_text(encoding="utf-8")
        assert content == unicodedata.normalize("NFC", content)
    assert writer.FOLDER == "search"


HTML_PIECES = ["<p>", "</p>", "<br>", "<b>", "</b>", "&amp;", "&nbsp;", "\n", " ", "\t", "\r", "\u3000", "\u2028",
               "\xa0", "党建", "a", "<li>", "<h2>"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join))
def test_html_text_joins_each_run_of_white_space_with_a_line_break_into_one(markup):
    """As the pattern it replaced did: every white-space run holding a line break (after tags and entities)
    becomes one line break, other white space stays, the ends are stripped."""
    stripped = html.unescape(text._TAG.sub("", text._BLOCK.sub("\n", markup)))
    assert text.html_text(markup) == re.sub(r"\s*\n\s*", "\n", stripped).strip()
