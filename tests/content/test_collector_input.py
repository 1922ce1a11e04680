"""Whatever a collector's editor or fingers produce: read it, or refuse it naming file, line, code and fix.

Each rule has a failing and a passing file. The build tests read the generated HTML: nothing unsafe
and no personal number ever reaches a public page.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hongwang.cli import app
from hongwang.pipeline.content import load
from hongwang.pipeline.content.validate import validate
from hongwang.pipeline.core import personal_data as privacy
from hongwang.pipeline.site.build import build

from support.example import EXAMPLE_NOW

FRONT = """---
title: 东渚镇开展主题党日活动
date: 2026-11-20
org: "dz"
category: 党建动态
---

正文内容。
"""
ID_NUMBER = "110101199003074514"  # valid checksum, born 1990-03-07
BANK_CARD = "6222021234567890128"  # passes Luhn


def found(content) -> list[tuple[str, int, str]]:
    return [(d.file, d.line, d.code) for d in validate(content.root).diagnostics]


def only(content) -> tuple[str, int, str, str]:
    [d] = validate(content.root).diagnostics
    return d.file, d.line, d.code, d.message


# ---------------------------------------------------------------- encodings and editors


@pytest.mark.parametrize(
    "data",
    [
        FRONT.encode("utf-8"),
        b"\xef\xbb\xbf" + FRONT.encode("utf-8"),
        FRONT.replace("\n", "\r\n").encode("utf-8"),
        FRONT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "crlf", "cr"],
)
def test_utf8_with_any_bom_or_newline_reads_cleanly(content, data):
    (content.root / "dz").mkdir()
    (content.root / "dz" / "a.md").write_bytes(data)
    result = validate(content.root)
    assert result.diagnostics == []
    [document] = result.documents
    assert document.fields["title"] == "东渚镇开展主题党日活动"
    assert load.load_source(content.root / "dz" / "a.md", content.root).line("category") == 5  # lines as read


@pytest.mark.parametrize("codec, label", [("gbk", "GB"), ("gb18030", "GB18030"), ("utf-16", "UTF-16")])
def test_legacy_encodings_are_converted_with_a_warning_naming_them(content, codec, label):
    (content.root / "dz").mkdir()
    (content.root / "dz" / "a.md").write_bytes(FRONT.encode(codec))
    result = validate(content.root)
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 1, "encoding-converted")
    assert label in message and "另存为" in message and "UTF-8" in message
    assert result.documents[0].fields["title"] == "东渚镇开展主题党日活动"


@pytest.mark.parametrize(
    "data, code, phrase",
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "file-unreadable", "Word"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "file-unreadable", "PNG"),
        (bytes(range(1, 256)) * 4, "encoding-unknown", "UTF-8"),
    ],
    ids=["docx-renamed", "png-renamed", "garbage"],
)
def test_binary_and_undecodable_files_are_refused_cleanly(content, data, code, phrase):
    (content.root / "dz").mkdir()
    (content.root / "dz" / "a.md").write_bytes(data)
    file, line, got, message = only(content)
    assert (file, line, got) == ("dz/a.md", 1, code) and phrase in message


def test_file_size_limit_has_a_clear_message(content):
    content.write("dz/big.md", FRONT + "字" * (load.MAX_FILE_BYTES // 3 + 10))
    file, line, code, message = only(content)
    assert (file, code) == ("dz/big.md", "file-too-large") and "KB" in message


# ---------------------------------------------------------------- typos collectors make


def test_fullwidth_colon_names_the_line_and_the_fix(content):
    content.write("dz/a.md", FRONT.replace("category: 党建动态", "栏目：党建动态"))
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 5, "yaml-fullwidth") and "栏目: " in message
    content.write("dz/a.md", FRONT.replace("category: 党建动态", "栏目: 党建动态"))
    assert found(content) == []


def test_fullwidth_spaces_and_quotes_around_keys_are_forgiven_with_a_warning(content):
    content.write("dz/a.md", FRONT.replace("title:", "“标题”\u3000:").replace("date:", "日期\u3000:"))
    result = validate(content.root)
    assert [(d.file, d.line, d.code, d.severity) for d in result.diagnostics] == [
        ("dz/a.md", 2, "key-fullwidth", "warning"),
        ("dz/a.md", 3, "key-fullwidth", "warning"),
    ]
    assert result.documents[0].fields["title"] == "东渚镇开展主题党日活动"


def test_fullwidth_space_indentation_is_refused_not_silently_flattened(content):
    notice = "---\nkind: notice\ntitle: 公示\nperiod:\n\u3000\u3000start: 2026-11-17\n  end: 2026-11-23\n---\n"
    content.write("zzb/n.md", notice)
    assert ("zzb/n.md", 5, "yaml-fullwidth") in found(content)
    content.write("zzb/n.md", notice.replace("\u3000\u3000", "  "))
    assert not any(code == "yaml-fullwidth" for _, _, code in found(content))


def test_fullwidth_paragraph_indents_in_a_yaml_body_are_fine(content):
    content.write(
        "zzb/n.yaml", "title: 说明\nkind: page\nbody: |\n  \u3000\u3000第一段。时间: 上午\n  \u3000\u3000第二段。\n"
    )
    assert found(content) == []


def test_missing_closing_fence_says_where_the_body_starts(content):
    content.write("dz/a.md", FRONT.replace("---\n\n正文", "\n正文"))
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 1, "front-matter-unclosed") and "第 7 行" in message


def test_tab_indentation(content):
    content.write("dz/a.md", "---\ntitle: 标题\nperiod:\n\tstart: 2026-11-20\n---\n")
    assert ("dz/a.md", 4, "yaml-tab") in found(content)


def test_unknown_chinese_key_suggests_the_alias(content):
    content.write("dz/a.md", FRONT.replace("title:", "标提:"))
    assert ("dz/a.md", 2, "unknown-key") in found(content)
    message = next(d.message for d in validate(content.root).diagnostics if d.code == "unknown-key")
    assert "标题" in message


@pytest.mark.parametrize("written", ["2026.11.20", "2026年11月20日", "2026/11/20", "2026-11-20"])
def test_date_forms_collectors_write(content, written):
    content.write("dz/a.md", FRONT.replace("2026-11-20", written))
    result = validate(content.root)
    expected = [] if written == "2026-11-20" else [("dz/a.md", 3, "date-normalised")]
    assert [(d.file, d.line, d.code) for d in result.diagnostics] == expected
    assert result.documents[0].fields["date"].day.isoformat() == "2026-11-20"
    if expected:
        assert "写成 2026-11-20" in result.diagnostics[0].message


def test_unknown_category_suggests_the_nearest(content):
    content.write("dz/a.md", FRONT.replace("党建动态", "党建动太"))
    file, line, code, message = only(content)
    assert (line, code) == (5, "category-unknown") and "党建动态" in message


# ---------------------------------------------------------------- notices

NOTICE = """---
kind: notice
title: 干部任前公示
date: 2026-11-16
org: "zzb"
notice_type: {type}
period:
  start: {start}
  end: {end}
contact:
  phone: "0512-12380"
persons:
  - name: 张三
    gender: 男
    birth: "1980-05"
    current_post: 副镇长
    proposed_post: 镇长
    branch: 第一支部
---

现予公示。
"""


def notice(content, type="cadre", start="2026-11-17", end="2026-11-23", **replace) -> Path:
    text = NOTICE.format(type=type, start=start, end=end)
    for old, new in replace.items():
        text = text.replace(old, new)
    return content.write("zzb/2026/n.md", text)


def test_a_correct_notice_passes(content):
    notice(content)
    assert found(content) == []


def test_period_end_before_start(content):
    notice(content, start="2026-11-23", end="2026-11-17")
    assert found(content) == [("zzb/2026/n.md", 9, "period-order")]


def test_minimum_days_per_type_come_from_site_yaml(content):
    notice(content, type="member-development", start="2026-11-17", end="2026-11-23")
    assert found(content) == []
    content.write(
        "site.yaml",
        (content.root / "site.yaml").read_text(encoding="utf-8")
        + "notice_rules:\n  member-development: {min_workdays: 7}\n",
    )
    file, line, code, message = only(content)
    assert (line, code) == (9, "period-too-short")
    assert "只有 5 个工作日" in message and "7 个工作日" in message and "2026-11-25" in message


def test_a_year_the_calendar_does_not_know_is_a_loud_warning(content):
    notice(content, start="2027-02-08", end="2027-02-12")
    [d] = validate(content.root).diagnostics
    assert (d.line, d.code, d.severity) == (7, "calendar-uncovered", "warning")
    assert "2027" in d.message and "calendar.yaml" in d.message


def test_calendar_yaml_supplies_a_year_and_its_holidays_count(content):
    notice(content, start="2027-02-08", end="2027-02-12")
    content.write("calendar.yaml", "years: [2027]\nholidays: [2027-02-10, 2027-02-11]\nworkdays: [2027-02-13]\n")
    file, line, code, message = only(content)
    assert code == "period-too-short" and "只有 3 个工作日" in message
    assert "2027-02-15" in message  # Saturday 13th is a working day in this calendar: 8, 9, 12, 13, 15
    notice(content, start="2027-02-08", end="2027-02-15")
    assert found(content) == []


def test_contact_channel_is_required(content):
    notice(content, **{'contact:\n  phone: "0512-12380"\n': "contact: {}\n"})
    assert ("zzb/2026/n.md", 10, "contact-missing") in found(content) or (
        "zzb/2026/n.md",
        10,
        "required-missing",
    ) in found(content)
    notice(content, **{'phone: "0512-12380"': "address: 青溪县人民路1号"})
    assert found(content) == []


def test_required_person_fields_per_notice_type(content):
    notice(content, **{"    proposed_post: 镇长\n": ""})
    assert found(content) == [("zzb/2026/n.md", 13, "person-field-missing")]
    notice(content, type="member-conversion", **{"    proposed_post: 镇长\n": ""})
    assert found(content) == []


def test_exceptional_promotion_needs_a_reason(content):
    notice(content, **{"persons:": "exceptional: true\npersons:"})
    assert found(content) == [("zzb/2026/n.md", 12, "exceptional-reason-missing")]
    notice(content, **{"persons:": "exceptional: true\nexceptional_reason: 业绩特别突出\npersons:"})
    assert found(content) == []


# ---------------------------------------------------------------- personal data


@pytest.mark.parametrize(
    "written",
    [
        ID_NUMBER,
        "110101 19900307 4514",
        "110101-19900307-4514",
        "１１０１０１１９９００３０７４５１４",
        "110101900307451",
    ],
)
def test_id_numbers_in_any_spelling_are_errors_shown_masked(content, written):
    content.write("dz/a.md", FRONT + f"\n联系人：张三，身份证 {written}。\n")
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 10, "personal-id")
    assert re.search(r"1101\*+\d{3}[\dX]", message)
    assert written not in message and written.replace(" ", "").replace("-", "") not in message


def test_personal_data_in_front_matter_yaml_rows_csv_and_site_config(content):
    content.write("dz/a.md", FRONT.replace("title: 东渚镇", f"summary: 卡号 {BANK_CARD}\ntitle: 东渚镇"))
    content.write("stats/s.yaml", f'kind: stats\ntitle: 表\ncolumns: [姓名, 号码]\nrows:\n  - [张三, "{ID_NUMBER}"]\n')
    content.write("stats/c.yaml", "kind: stats\ntitle: 表二\ncsv: c.csv\n")
    content.write("stats/c.csv", f"姓名,电话\n李四,13812345678\n王五,{ID_NUMBER}\n")
    content.write(
        "site.yaml", (content.root / "site.yaml").read_text(encoding="utf-8") + "tagline: 值班手机 13912345678\n"
    )
    diagnostics = validate(content.root).diagnostics
    got = {(d.file, d.line, d.code) for d in diagnostics}
    assert ("dz/a.md", 2, "personal-bank-card") in got
    assert ("stats/s.yaml", 5, "personal-id") in got
    assert ("stats/c.yaml", 3, "personal-mobile") in got and ("stats/c.yaml", 3, "personal-id") in got
    assert ("site.yaml", 11, "personal-mobile") in got
    text = json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False)
    for number in (BANK_CARD, ID_NUMBER, "13812345678", "13912345678"):
        assert number not in text


def test_mobile_numbers_are_allowed_only_in_contact(content):
    notice(content, **{'phone: "0512-12380"': 'phone: "13812345678"'})
    assert found(content) == []
    notice(content, **{"现予公示。": "咨询请拨 13812345678。"})
    assert found(content) == [("zzb/2026/n.md", 21, "personal-mobile")]


def test_validate_json_never_repeats_the_number(content):
    content.write("dz/a.md", FRONT + f"\n身份证 {ID_NUMBER}\n")
    result = CliRunner().invoke(app, ["validate", "--content", str(content.root), "--format", "json"])
    assert result.exit_code == 1
    [d] = json.loads(result.output)
    assert (d["file"], d["line"], d["code"]) == ("dz/a.md", 10, "personal-id")
    assert ID_NUMBER not in result.output


def output_texts(output: Path):
    """Every file in output/ as text (gzip-compressed ones unpacked)."""
    for path in output.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
        yield path, data.decode("utf-8", errors="replace")


def test_a_public_build_never_contains_a_personal_number(content, tmp_path):
    content.write("dz/a.md", FRONT + f"\n张三，身份证 {ID_NUMBER}，卡号 {BANK_CARD}。\n")
    content.write("dz/b.md", FRONT.replace("东渚镇开展", "红旗村开展"))
    output = tmp_path / "out"
    result = build(content.root, output, now=EXAMPLE_NOW)
    assert not result.ok and {d.code for d in result.validation.errors} == {"personal-id", "personal-bank-card"}
    for path, text in output_texts(output) if output.exists() else []:
        assert ID_NUMBER not in text and BANK_CARD not in text, path


# ---------------------------------------------------------------- untrusted HTML


@pytest.mark.parametrize(
    "html, removed",
    [
        ('<script>alert("x")</script>', "<script>"),
        ('<p onclick="alert(1)">点我</p>', "onclick="),
        ('<a href="javascript:alert(1)">链接</a>', "javascript:"),
        ('<iframe src="https://evil.example/"></iframe>', "<iframe>"),
        ('<img src="x.png" alt="图" onerror="alert(1)">', "onerror="),
    ],
)
def test_unsafe_html_is_warned_about_on_its_line(content, html, removed):
    content.write("dz/a.md", FRONT + f"\n第二段。\n\n{html}\n")
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 12, "html-sanitised") and removed in message


def test_safe_html_tables_figures_and_local_media_pass(content):
    content.write(
        "dz/a.md",
        FRONT
        + """
<table><tr><th scope="col">项目</th><td colspan="2">数据</td></tr></table>

<figure><img src="photo.jpg" alt="现场"><figcaption>现场</figcaption></figure>

<video src="clip.mp4" controls></video>

| 左 | 右 |
|:--|--:|
| 1 | 2 |
""",
    )
    assert found(content) == []


def test_html_in_front_matter_text_is_warned_about_on_its_line(content):
    content.write("dz/a.md", FRONT.replace("title: 东渚镇开展主题党日活动", "title: 东渚镇<b>开展</b>活动"))
    file, line, code, message = only(content)
    assert (file, line, code) == ("dz/a.md", 2, "html-sanitised") and "<b>" in message
    content.write(
        "dz/a.md", FRONT.replace("title: 东渚镇开展主题党日活动", "title: 东渚镇开展“三会一课”<专题>活动 a < b")
    )
    assert found(content) == []


def test_paths_leaving_content_are_refused(content):
    content.write("dz/a.md", FRONT + "\n![图](../../etc/passwd.png)\n\n[附件](../../../secret.pdf)\n")
    assert found(content) == [("dz/a.md", 10, "path-outside"), ("dz/a.md", 12, "path-outside")]
    content.write("dz/a.md", FRONT + "\n![图](../media/photo.png)\n")
    assert found(content) == []


class _Unsafe(HTMLParser):
    """Collects anything executable the portal's own theme does not put there."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text"))
            ):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed"):  # the theme itself has forms (search) and SVG charts
            self.problems.append(f"<{tag}>")

    def handle_data(self, data):
        if "alert(" in data and self.lasttag == "script":
            self.problems.append("script with alert(")


def unsafe_parts(output: Path) -> list[str]:
    problems = []
    for page in output.rglob("*.html"):
        parser = _Unsafe()
        parser.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(output)}: {p}" for p in parser.problems]
    return problems


PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'


def test_every_field_rendered_into_a_page_is_escaped(content, tmp_path):
    content.write(
        "dz/a.md",
        f"""---
title: '标题{PAYLOAD}'
summary: '摘要{PAYLOAD}'
collector: '采集员{PAYLOAD}'
tags: ['标签{PAYLOAD}']
date: 2026-11-20
org: "dz"
category: 党建动态
---

正文{PAYLOAD}

<a href="javascript:alert(1)">链接</a>
""",
    )
    content.write(
        "zzb/2026/n.md",
        NOTICE.format(type="cadre", start="2026-11-17", end="2026-11-23")
        .replace("name: 张三", f"name: '张三{PAYLOAD}'")
        .replace("现予公示。", f"说明{PAYLOAD}"),
    )
    content.write(
        "stats/s.yaml", f"kind: stats\ntitle: 统计\ncolumns: [单位, '2026']\nrows:\n  - ['东渚{PAYLOAD}', 3]\n"
    )
    result = build(content.root, tmp_path / "out", now=EXAMPLE_NOW)
    assert result.ok, [d.message for d in result.validation.errors]
    assert unsafe_parts(result.output_dir) == []
    html = (result.output_dir / "article" / "a.html").read_text(encoding="utf-8")
    for label in ("标题", "摘要", "采集员", "标签"):
        assert f"{label}&lt;script&gt;alert(" in html, label
    all_html = "".join(p.read_text(encoding="utf-8") for p in result.output_dir.rglob("*.html"))
    assert "张三&lt;script&gt;" in all_html and "东渚&lt;script&gt;" in all_html


# ---------------------------------------------------------------- bounded input


def test_billion_laughs_is_refused_as_an_alias(content):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    content.write("dz/a.md", "---\ntitle: x\n" + "\n".join(lines) + "\n---\n")
    assert found(content) == [("dz/a.md", 4, "yaml-alias")]


def test_slugs_cannot_name_a_path(content):
    content.write("dz/a.md", FRONT.replace("category:", "slug: ../../etc/passwd\ncategory:"))
    assert found(content) == [("dz/a.md", 5, "slug-invalid")]


# ---------------------------------------------------------------- random text anywhere

FIELDS = ["title", "summary", "collector", "tags", "date", "org", "category", "slug", "audience"]
dangerous = st.sampled_from(
    [
        PAYLOAD,
        ID_NUMBER,
        f"身份证{ID_NUMBER}",
        "：",
        "\t",
        "---",
        "&a *a",
        "{{ 1 }}",
        "{% raw %}",
        "]]>",
        "\u3000",
        "\x00",
        "'",
        '"',
        "\\",
        "#",
        "|",
    ]
)
text = st.lists(st.one_of(st.text(max_size=20), dangerous), max_size=4).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=text, body=text)
def test_random_text_in_any_field_never_crashes_validation(content, field, value, body):
    content.write(
        "dz/a.md",
        FRONT.replace(
            "title: 东渚镇开展主题党日活动", f"title: 东渚镇开展主题党日活动\n{field}: {json.dumps(value)}"
        ).replace(f"{field}: ", f"{field}: ", 1)
        + body,
    )
    for d in validate(content.root).diagnostics:
        assert ID_NUMBER not in d.message
        assert d.file and d.line >= 1 and "修改方法" in d.message


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(title=text, summary=text, body=text)
def test_random_text_never_reaches_the_build_unsanitised_or_unmasked(content, tmp_path_factory, title, summary, body):
    content.write(
        "dz/a.md",
        "---\n" + f"title: {json.dumps('标题' + title)}\nsummary: {json.dumps(summary)}\n"
        'date: 2026-11-20\norg: "dz"\ncategory: 党建动态\n---\n\n' + body + "\n",
    )
    output = tmp_path_factory.mktemp("random") / "out"
    result = build(content.root, output, now=EXAMPLE_NOW)
    if result.ok:
        assert unsafe_parts(output) == []
    for _, page in output_texts(output) if output.exists() else []:
        assert ID_NUMBER not in page


def test_masking_keeps_at_most_eight_digits():
    assert privacy.mask(ID_NUMBER) == "1101**********4514"
    assert privacy.mask("13812345678") == "1381***5678"
