"""Blocks written without Python-Markdown (content/paragraphs.py) come out byte for byte as Markdown and the
sanitiser make them: over the example county, a bench corpus and generated documents."""

import posixpath
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hongwang.pipeline.content import markup, paragraphs

ROOT = Path(__file__).resolve().parents[2]


def reference(text: str, source_rel: str = "dz/2026/a.md", depth: int = 1) -> markup.Rendered:
    """What render gave before any block was written directly: all of it through Markdown, then nh3."""
    result = markup.Rendered("")
    base_dir, up = posixpath.dirname(source_rel), "../" * depth

    def rewrite(tag, attribute, value):
        if attribute not in markup.URL_ATTRIBUTES:
            return value
        return markup._rewrite_url(tag, value, base_dir, up, result)

    raw_html = markup.markdown_to_html(text)
    result.html = markup.sanitise(raw_html, rewrite)
    result.removed_parts = markup.removed_parts(raw_html)
    return result


def assert_same(text: str) -> None:
    expected, got = reference(text), markup.render(text, "dz/2026/a.md", 1)
    assert str(got.html) == expected.html, text
    assert (got.removed_parts, got.assets, got.written, got.escaped_paths) == (
        expected.removed_parts,
        expected.assets,
        expected.written,
        expected.escaped_paths,
    ), text


def bodies(paths) -> list[str]:
    return [path.read_text(encoding="utf-8").split("---", 2)[-1] for path in paths]


def test_every_body_of_the_example_county_renders_as_markdown_does():
    texts = bodies(sorted((ROOT / "content").rglob("*.md")))
    assert len(texts) > 30
    written = 0
    for text in texts:
        assert_same(text)
        runs = paragraphs.split(text) or []
        written += sum(run.html is not None for run in runs)
    assert written > 100  # the fast path is taken, not only the fallback


def test_a_generated_county_renders_as_markdown_does(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    corpus.write(tmp_path, 300)
    texts = bodies(sorted((tmp_path / "hongwang" / "content").rglob("*.md")))
    shapes = {"<p>": 0, "<ul>": 0, "<table>": 0, "<p><img ": 0}
    for text in texts:
        assert_same(text)
        for run in paragraphs.split(text) or []:
            for shape in shapes:
                shapes[shape] += bool(run.html and run.html.startswith(shape))
    assert all(count > 10 for count in shapes.values()), shapes


# ---------------------------------------------------------------- generated documents

CHINESE = "党委书记支部会议公示期间群众反映问题工作一二三"
INLINE = st.text(alphabet=CHINESE + "abcXYZ019 ,.:;()-+#=|'\"%/*_`\\[]!<>&{}~\u3000\u00a0", min_size=0, max_size=12)
PLAIN = st.text(alphabet=CHINESE + "abc019 ，。：（）“”%/'\"-+.", min_size=1, max_size=20)


@st.composite
def lines_of(draw, text, max_lines=3):
    return "\n".join(draw(st.lists(text, min_size=1, max_size=max_lines)))


@st.composite
def table(draw):
    width = draw(st.integers(1, 4))
    cell = st.one_of(PLAIN, INLINE, st.just(""), st.just("  "))
    rule = st.sampled_from(["---", ":--", "--:", ":-:", " --- ", "-", "--x"])

    def row(count):
        cells = draw(st.lists(cell, min_size=count, max_size=count))
        return "|" + "|".join(cells) + draw(st.sampled_from(["|", "| ", ""]))

    rows = [row(width), "|" + "|".join(draw(st.lists(rule, min_size=width, max_size=width))) + "|"]
    rows += [row(draw(st.sampled_from([width, width, width - 1, width + 1]))) for _ in range(draw(st.integers(0, 4)))]
    return "\n".join(rows)


@st.composite
def listing(draw):
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "2. ", "01. ", "-  ", "1.  "]))
    items = draw(st.lists(st.one_of(PLAIN, INLINE), min_size=1, max_size=4))
    mixed = draw(st.booleans())
    return "\n".join(
        (draw(st.sampled_from(["- ", "* ", "3. "])) if mixed and i else marker) + item for i, item in enumerate(items)
    )


BLOCK = st.one_of(
    lines_of(PLAIN),
    lines_of(PLAIN),
    lines_of(INLINE),
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), st.one_of(PLAIN, INLINE)),
    listing(),
    table(),
    st.builds(
        lambda alt, src: f"![{alt}]({src})",
        st.one_of(PLAIN, INLINE),
        st.sampled_from(["a.png", "../b.jpg", "/c.png", "d e.png", "https://x.cn/f.png", "javascript:x", "g&h.png"]),
    ),
    st.builds(lambda text: "    " + text, PLAIN),
    st.builds(lambda text: "\u3000\u3000" + text, PLAIN),
    st.builds(lambda text: "> " + text, PLAIN),
    st.sampled_from(
        [
            "---",
            "***",
            "```\ncode\n```",
            "<div>x</div>",
            "[a]: https://x.cn",
            "term\n: def",
            "!!! note\n    x",
            "a  \nb",
            "a\n===",
            "\u3000",
        ]
    ),
)
GAP = st.sampled_from(["\n\n", "\n\n\n", "\n  \n", "\n"])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(BLOCK, GAP), min_size=1, max_size=6), st.sampled_from(["", "\n", "\n\n"]))
@example([("- \u30000", "\n\n")], "")  # Markdown strips the full-width space that starts an item
def test_generated_documents_render_as_markdown_does(blocks, ending):
    assert_same("".join(block + gap for block, gap in blocks)[:-1] + ending)


@pytest.mark.parametrize(
    "text",
    [
        "- 一\n- 二\n\n- 三",  # two list blocks make one loose list
        "- 一\n\n    续",  # an indented block continues the item
        "1. 一\n\n- 二",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n    code",
        "## 标题 ##",
        "## 标题\n正文",
        "正文\n- 不是列表",
        "3. 三\n4. 四",
        "\u3000\u3000首行缩进的段落",
    ],
)
def test_neighbouring_blocks_markdown_reads_together(text):
    assert_same(text)


# What the line tests say, as MULTILINE patterns: paragraphs.py finds the same lines without trying ^ and $ at
# every character.
SYNTAX_LINE = re.compile(r"^(?:[ \t]|[#>=:+-]|\d+\.)|[ \t]$", re.MULTILINE)
LINKED_BLOCKS = re.compile(r"^[ ]{0,3}(?:\[[^\]\n]*\]:|\*\[|```|~~~|:)", re.MULTILINE)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=list("a中 \t\n#>=:+-1.[]*`~"), max_size=16))
def test_line_tests_find_the_lines_multiline_patterns_find(text):
    assert paragraphs._syntax_line(text) == bool(SYNTAX_LINE.search(text))
    assert paragraphs._linked_blocks(text) == bool(LINKED_BLOCKS.search(text))
