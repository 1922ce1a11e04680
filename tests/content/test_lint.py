"""Editorial lint: warnings an inspector would give, reported by `validate` with file, line and fix."""

import pytest

from hongwang.pipeline.content import lint
from hongwang.pipeline.content.validate import validate

FRONT = """\
title: 东渚镇召开党建工作会议
date: 2026-11-20
org: "dz"
category: 党建动态
"""


def codes(result, code):
    return [d for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize(
    "line, marks",
    [
        ("会议强调,要抓好落实.", [","]),
        ("会议强调 , 要抓好落实。大家怎么看?我们认为", [",", "?"]),
        ("第一章.总则", ["."]),
        ("增长1.5个百分点,达到3.2万元", [","]),  # decimals are numbers, not sentence ends
        ("共3,200名党员", []),
        ("详见 https://例子.中国/文件.通知 的全文", []),  # a URL, even with Chinese in it
        ("运行 `配置.文件` 即可", []),  # inline code
        ("见[通知](附件/说明.文件)全文", []),  # a Markdown link target
        ("Hello, world. 中文。", []),
    ],
)
def test_half_width_marks_between_chinese_characters_only(line, marks):
    assert lint.half_width_marks(line) == marks


def test_validate_warns_about_half_width_punctuation_with_its_line(content):
    path = content.article("dz/2026/a.md", FRONT, "第一段没有问题。\n\n第二段有问题,请改正.谢谢")
    result = validate(content.root)
    (warning,) = codes(result, "punctuation-half-width")
    assert warning.severity == "warning" and not result.errors
    assert warning.file == "dz/2026/a.md"
    assert path.read_text(encoding="utf-8").split("\n")[warning.line - 1] == "第二段有问题,请改正.谢谢"
    assert "“,”改为“，”" in warning.message and "（2 处）" in warning.message


def test_code_blocks_are_not_prose(content):
    content.article("dz/2026/a.md", FRONT, "示例：\n\n```\n配置.文件,名称\n```\n\n正文。")
    assert not codes(validate(content.root), "punctuation-half-width")


def test_title_over_40_characters(content):
    long_title = "关于" + "进一步加强基层党组织建设" * 3 + "的通知"
    content.article("dz/2026/a.md", FRONT.replace("东渚镇召开党建工作会议", long_title))
    (warning,) = codes(validate(content.root), "title-too-long")
    assert warning.line == 2 and f"{len(long_title)} 个字" in warning.message
    content.article("dz/2026/a.md", FRONT.replace("东渚镇召开党建工作会议", "字" * 40))
    assert not codes(validate(content.root), "title-too-long")


def test_long_body_without_summary(content):
    content.article("dz/2026/long.md", FRONT, "青溪县党建工作稳步推进。" * 50)
    content.article(
        "dz/2026/summarised.md", FRONT + "summary: 会议部署了下一阶段工作。\n", "青溪县党建工作稳步推进。" * 50
    )
    content.article("dz/2026/short.md", FRONT, "青溪县党建工作稳步推进。" * 10)
    warnings = codes(validate(content.root), "summary-missing")
    assert [w.file for w in warnings] == ["dz/2026/long.md"]
    assert "600 个字" in warnings[0].message


def test_non_standard_date_is_reported_once_as_date_normalised(content):
    content.article("dz/2026/a.md", FRONT.replace("2026-11-20", "2026年11月20日"))
    result = validate(content.root)
    (warning,) = codes(result, "date-normalised")
    assert warning.line == 3 and "2026-11-20" in warning.message


def test_freshness_settings_are_checked(content):
    content.write(
        "site.yaml",
        (content.root / "site.yaml").read_text(encoding="utf-8")
        + "freshness:\n  news: 两周\n  notice: 6 个月\n  policy: 3 个月\n",
    )
    problems = [d.message for d in codes(validate(content.root), "site-config")]
    assert len(problems) == 2
    assert any("news 的期限“两周”" in p for p in problems)
    assert any("“notice”无法识别" in p for p in problems)


def test_the_example_county_is_lint_clean(example_site):
    lint_codes = {"punctuation-half-width", "title-too-long", "summary-missing"}
    assert not [d for d in example_site.validation.diagnostics if d.code in lint_codes]
