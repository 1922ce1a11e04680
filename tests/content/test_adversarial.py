"""One bad file never stops the county: hostile or broken files are that file's diagnostics, the rest are checked.

Adversarial YAML of many shapes (nesting past Python's stack, bombs, odd tags and keys, every field given the
wrong type) and hypothesis-generated front matter: `validate` exits 1, never 2, names file and line for each,
and still reports the other files.
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hongwang.pipeline.content.validate import validate
from hongwang.pipeline.core.diagnostics import CODES

from support.cli import run

GOOD = """\
title: 东渚镇开展主题党日活动
date: 2026-11-20
org: "dz"
category: 党建动态
"""
NOTICE = 'kind: notice\ntitle: 公示\ndate: 2026-11-20\norg: "dz"\nnotice_type: cadre\n'

SHAPES = {
    "deep-flow-list": "title: " + "[" * 3000 + "]" * 3000,
    "deep-flow-map": "title: " + "{a: " * 2000 + "1" + "}" * 2000,
    "deep-block-map": "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v",
    "deep-block-list": "title:\n" + "".join(" " * i + "-\n" for i in range(300)) + " " * 300 + "x",
    "many-keys": "\n".join(f"k{i}: {i}" for i in range(25000)),
    "billion-laughs": 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: *c',
    "merge-key": "base: &b {title: x}\n<<: *b",
    "python-tag": "title: !!python/object/apply:os.system ['echo hacked']\n" + GOOD[GOOD.index("date") :],
    "complex-key": "? [a, b]\n: c\n" + GOOD,
    "non-string-keys": "1: a\ntrue: b\nnull: c\n2026-01-01: d\n" + GOOD,
    "every-field-a-list": "title: [a, [b]]\ndate: [2026]\norg: [dz]\ncategory: [党建动态]\ntags: [[a], {b: c}]",
    "every-field-a-map": "title: {a: 1}\ndate: {y: 2026}\norg: {code: dz}\ncategory: {x: 1}\nslug: {s: 1}",
    "huge-numbers": "title: 1e400\ndate: 99999999999999999999999999\norg: -0\ncategory: .inf\nsummary: .nan",
    "surrogates": 'title: "\\ud800\\udfff\\udc00"\n' + GOOD[GOOD.index("date") :],
    "notice-wrong-shapes": NOTICE + "period: [1, 2]\npersons: {a: [1, {b: c}]}\ncontact: 12380",
    "notice-nested-wrong": NOTICE + "period: {start: [1], end: {x: 1}}\npersons: [[1, 2], [3], null, 5]\ncontact: []",
    "letter-wrong-shapes": 'kind: letter\ntitle: x\ndate: 2026-01-01\norg: "dz"\nreply: [1]\nreplied_on: {a: 1}',
    "stats-wrong-shapes": "kind: stats\ntitle: x\ncolumns: 5\nrows: {a: 1}\nunit: [a]",
    "two-documents": GOOD + "---\ntitle: again",
    "empty-keys": ":\n: x\n'': y\n" + GOOD,
}
READ_FINE = {"surrogates", "two-documents"}  # paired into characters; the second block is body text
BODIES = {
    "deep-list-body": "".join("    " * i + "- a\n" for i in range(300)),
    "deep-quote-body": ">" * 5000 + " 引用",
    "angle-flood-body": "<" * 100000,
}


def front_matter(text: str, body: str = "正文。") -> str:
    return f"---\n{text}\n---\n\n{body}\n"


def test_adversarial_files_are_each_their_own_diagnostics_and_the_others_are_still_checked(content):
    content.write("dz/2026/good.md", front_matter(GOOD))
    content.write("dz/2026/wrong-org.md", front_matter(GOOD.replace('"dz"', '"nowhere"')))
    for name, text in SHAPES.items():
        content.write(f"dz/2026/{name}.md", front_matter(text))
    for name, body in BODIES.items():
        content.write(f"dz/2026/{name}.md", front_matter(GOOD.replace("主题", name), body))
    result = run("validate", "--content", content.root, "--format", "json", "--no-cache")
    assert result.exit_code == 1, result.output[-2000:]
    found = json.loads(result.output)
    errors = {}
    for d in found:
        assert d["line"] >= 1 and d["code"] in CODES and "修改方法" in d["message"], d
        if d["severity"] == "error":
            errors.setdefault(d["file"].rsplit("/", 1)[-1][:-3], []).append(d)
    assert "good" not in errors
    assert [d["code"] for d in errors["wrong-org"]] == ["org-unknown"]  # the ordinary mistake is still reported
    for name in SHAPES:
        assert (name in errors) != (name in READ_FINE), name
    for name in ("deep-flow-list", "deep-flow-map", "deep-block-map", "deep-block-list"):
        [problem] = errors[name]
        assert problem["code"] == "yaml-too-complex" and "信息块结构过深，请检查方括号和缩进" in problem["message"]
        assert problem["line"] == (15 if name.startswith("deep-block") else 2), problem  # where it passes 12 levels
    assert [(d["line"], d["code"]) for d in errors["many-keys"]] == [(20001, "yaml-too-complex")]
    assert not {"deep-list-body", "deep-quote-body", "angle-flood-body"} & errors.keys()  # Markdown ≥ 3.11 copes


def test_a_file_that_takes_too_long_is_stopped_and_reported_with_the_others(content, monkeypatch):
    monkeypatch.setenv("HONGWANG_FILE_SECONDS", "0.5")  # CPU seconds; unbounded, this file takes over a second
    content.write("dz/2026/brackets.md", front_matter(GOOD, SLOW_BODY))
    content.write("dz/2026/wrong-org.md", front_matter(GOOD.replace('"dz"', '"nowhere"')))
    result = run("validate", "--content", content.root, "--no-cache")
    assert result.exit_code == 1, result.output
    assert "dz/2026/brackets.md:8: 错误 [internal-error] 检查第 8 行起的内容超过 0.5 秒仍未完成" in result.output
    assert "dz/2026/wrong-org.md:4: 错误 [org-unknown]" in result.output


def test_a_config_file_nested_too_deep_is_a_diagnostic_not_a_crash(content):
    content.write("links.yaml", "links: " + "[" * 3000 + "]" * 3000 + "\n")
    result = run("validate", "--content", content.root)
    assert result.exit_code == 1 and "links.yaml:1:" in result.output and "信息块结构过深" in result.output


# ---------------------------------------------------------------------------------------------- hypothesis

YAML_TEXT = st.text(
    alphabet=st.sampled_from(
        list("[]{}:-,&*!|>?#'\"\\%@` \n\t0123456789abcdeTtruFlsny.~") + list("标题日期单位栏目党建：，")
    ),
    max_size=300,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2026-11-20", "2026-13-45", "dz", "党建动态", "cadre", "12380", "public", "draft"]),
)
KEYS = st.sampled_from(
    [
        "title",
        "date",
        "org",
        "category",
        "kind",
        "tags",
        "slug",
        "summary",
        "audience",
        "status",
        "period",
        "persons",
        "contact",
        "notice_type",
        "reply",
        "received",
        "replied_on",
        "columns",
        "rows",
        "unit",
        "标题",
        "日期",
        "x",
    ]
)
STRUCTURES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=25
)


def assert_contained(content, text: str) -> None:
    content.write("dz/2026/fuzz.md", front_matter(text))
    result = validate(content.root)  # never raises
    for d in result.diagnostics:
        assert d.line >= 1 and d.code in CODES and "修改方法" in d.message
        assert d.code != "internal-error", (d.message, text)  # every shape has its own clear message
        assert d.file in ("dz/2026/fuzz.md", "dz/2026/good.md")
    assert not [d for d in result.diagnostics if d.file == "dz/2026/good.md" and d.is_error]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAML_TEXT)
def test_any_front_matter_text_is_diagnosed_never_crashes(content, text):
    content.write("dz/2026/good.md", front_matter(GOOD))
    assert_contained(content, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(KEYS, STRUCTURES, max_size=8))
def test_any_structure_under_the_known_keys_is_diagnosed_never_crashes(content, data):
    content.write("dz/2026/good.md", front_matter(GOOD))
    assert_contained(content, yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("kind", ["article", "notice", "letter", "stats", "page"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(KEYS, STRUCTURES, max_size=8))
def test_any_structure_for_each_kind_is_diagnosed_never_crashes(content, kind, data):
    content.write("dz/2026/good.md", front_matter(GOOD))
    assert_contained(content, yaml.safe_dump({**data, "kind": kind}, allow_unicode=True))


SLOW_BODY = "".join("    " * i + "- a\n" for i in range(650))  # a list 650 deep: Markdown 3.11 takes over 1 s


def test_a_body_that_breaks_markdown_does_not_break_the_files_after_it(content, monkeypatch):
    """Python-Markdown 3.10 kept state that a conversion stopped half-way left behind (its parser stuck in 'list'
    after a RecursionError): the files after it lost their paragraphs and links, in that run and every later one
    in the process. markup.py starts a fresh converter after any stop; 3.11 no longer recurses, so the stop here
    is the CPU budget's."""
    monkeypatch.setenv("HONGWANG_FILE_SECONDS", "0.5")  # stops the deep list's conversion half-way
    content.write("dz/2026/a-deep-list.md", front_matter(GOOD, SLOW_BODY))
    content.write(
        "dz/2026/b-after.md", front_matter(GOOD.replace("主题", "之后"), "见[通知](https://a.example/n.html)。")
    )
    for _ in range(2):
        result = validate(content.root)
        assert [d.code for d in result.errors] == ["internal-error"]
        [after] = [r.html for key, r in result.rendered.items() if key[1] == "dz/2026/b-after.md"]
        assert after == '<p>见<a href="https://a.example/n.html" rel="noopener noreferrer">通知</a>。</p>'


def test_an_unexpected_failure_in_a_field_check_names_that_fields_line(content, monkeypatch):
    """A bug of ours in one field's check is that file's internal-error on the field's line, not a crash."""
    from hongwang.pipeline.content import schema
    from hongwang.pipeline.content.checker import Checker

    def broken(self, spec):
        if spec.key == "category":
            raise KeyError("a bug")
        return handler(self, spec)

    name = "check_" + schema.ARTICLE.field("category").type.replace("-", "_")
    handler = getattr(Checker, name)
    monkeypatch.setattr(Checker, name, broken)
    content.write("dz/2026/a.md", front_matter(GOOD, "正文。"))
    content.write("dz/2026/b.md", front_matter(GOOD.replace('"dz"', '"nowhere"'), "正文。"))
    errors = sorted((d.file, d.line, d.code) for d in validate(content.root).errors)
    assert errors == [("dz/2026/a.md", 5, "internal-error"), ("dz/2026/b.md", 4, "org-unknown"),
                      ("dz/2026/b.md", 5, "internal-error")]  # fmt: skip
