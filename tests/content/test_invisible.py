"""Invisible characters (bidi overrides, zero-width and other format characters) in front matter are refused,
naming the line, the field and the character; their legitimate uses (emoji, Uyghur, Mongolian) pass."""

from __future__ import annotations

import pytest

from support.cli import run

ARTICLE = """---
title: {title}
date: 2026-11-20
org: "dz"
category: 党建动态
summary: {summary}
tags: [{tag}]
slug: {slug}
collector: {collector}
---

正文。{body}
"""
CLEAN = {"title": "东渚镇开展主题党日活动", "summary": "全镇党员参加。", "tag": "主题党日", "slug": "dz-dangri",
         "collector": "王晓燕", "body": ""}  # fmt: skip


def write(content, **changes) -> None:
    content.write("dz/2026/a.md", ARTICLE.format(**{**CLEAN, **changes}))


def validate_text(content):
    return run("validate", "--content", content.root)


@pytest.mark.parametrize(
    "field, value, line, expected",
    [
        ("title", "公示\u202e束结", 2, "第 2 行标题含不可见的方向控制字符 U+202E（在“公示”之后）"),
        (
            "title",
            "\u2067东渚镇\u2069开展主题党日活动",
            2,
            "第 2 行标题含不可见的方向控制字符 U+2067（在最前面），共 2 个",
        ),
        ("summary", "全镇\u200b党员参加。", 6, "第 6 行摘要含不可见的零宽字符 U+200B（在“全镇”之后）"),
        ("tag", "主题\u2060党日", 7, "第 7 行标签第 1 项含不可见的零宽字符 U+2060（在“主题”之后）"),
        ("slug", "dz-\u200ddangri", 8, "第 8 行网址名含不可见的零宽字符 U+200D（在“dz-”之后）"),
        ("collector", "王\ufeff晓燕", 9, "含不可见的零宽字符 U+FEFF（在“王”之后）"),
        ("title", "党员\u00ad活动", 2, "第 2 行标题含不可见的格式字符 U+00AD（在“党员”之后）"),
        ("title", "东渚镇\u3164活动", 2, "第 2 行标题含不可见的格式字符 U+3164"),
    ],
)
def test_invisible_characters_are_refused_naming_line_field_and_character(content, field, value, line, expected):
    write(content, **{field: value})
    result = validate_text(content)
    assert result.exit_code == 1, result.output
    assert f"dz/2026/a.md:{line}: 错误 [invisible-char] " in result.output
    assert expected in result.output
    assert "重新手打" in result.output  # the fix a collector can do in Notepad


def test_names_in_a_notice_and_in_orgs_yaml_are_checked_too(content):
    content.write(
        "zzb/2026/n.md",
        """---
kind: notice
title: 干部任前公示
date: 2026-11-16
org: "zzb"
notice_type: cadre
period: {start: 2026-11-17, end: 2026-11-23}
contact: {phone: "0512-12380"}
persons:
  - {name: 张三, gender: 男, birth: "1980-05", current_post: 副镇长, proposed_post: 镇长, branch: 第一支部}
  - {name: "李\u202e四", gender: 男, birth: "1981-06", current_post: 副镇长, proposed_post: 镇长, branch: 第一支部}
---

现予公示。
""",
    )
    orgs = (content.root / "orgs.yaml").read_text(encoding="utf-8")
    content.write("orgs.yaml", orgs.replace("东渚镇红旗村党总支", "东渚镇红旗村\u200b党总支"))
    result = validate_text(content)
    assert result.exit_code == 1
    assert "zzb/2026/n.md:11: 错误 [invisible-char] 第 11 行公示对象第 2 项的姓名含不可见的方向控制字符 U+202E" in (
        result.output
    )
    assert "orgs.yaml:5: 错误 [invisible-char] 第 5 行orgs第 4 项的name含不可见的零宽字符 U+200B" in result.output


@pytest.mark.parametrize(
    "title",
    [
        "党员志愿者👨\u200d👩\u200d👧服务队",  # a family emoji is joined by zero-width joiners
        "ئۇيغۇر\u200cچە يىغىن",  # Uyghur (Arabic script) with a zero-width non-joiner
        "ᠮᠣᠩ\u180bᠭᠣᠯ 党支部",  # Mongolian with a variation selector
        "مرحبا\u200f 党建",  # a right-to-left mark in text with right-to-left letters
    ],
)
def test_legitimate_joiners_and_marks_pass(content, title):
    write(content, title=title)
    result = validate_text(content)
    assert "invisible-char" not in result.output, result.output


def test_zero_width_spaces_in_the_body_are_left_alone(content):
    write(content, body="微信里复制来的\u200b正文。")
    assert "invisible-char" not in validate_text(content).output


def test_a_build_refuses_a_title_with_a_bidi_override(content, tmp_path):
    write(content, title="公示\u202e束结")
    result = run("build", "--content", content.root, "--output", tmp_path / "out")
    assert result.exit_code == 1 and "U+202E" in result.output
    assert not (tmp_path / "out" / "index.html").exists()
