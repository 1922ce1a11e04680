"""Nothing unedited gets out: template placeholders refused with their line, provisional file names, typo'd
far-future dates, and date messages that show what to write. All through the CLI, as a collector meets them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hongwang.pipeline.content import schema
from hongwang.pipeline.core import dates
from hongwang.pipeline.intake import scaffold

from support.cli import run

GOOD = 'title: 标题\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态'


def created(result) -> str:
    assert result.exit_code == 0, result.output
    return re.search(r"已新建：(.+)", result.output).group(1).strip()


def diagnostics(content, *paths) -> list[dict]:
    result = run("validate", "--content", content.root, "--format", "json", *paths)
    return json.loads(result.output)


@pytest.mark.parametrize("kind", [k.key for k in scaffold.kinds()])
def test_an_unedited_template_is_refused_at_every_placeholder_line(content, kind):
    path = created(run("new", kind, "--org", "dz", "--content", content.root))
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    values = [(n, line.split(": ", 1)[-1].strip().strip('"')) for n, line in enumerate(lines, 1)]
    placeholder_lines = {n for n, value in values if value.startswith("请") and not lines[n - 1].startswith("#")}
    assert placeholder_lines, "the template writes placeholders"
    found = diagnostics(content)
    assert run("validate", "--content", content.root).exit_code == 1
    refused = {d["line"] for d in found if d["code"] == "placeholder"}
    assert refused == placeholder_lines
    assert all(d["severity"] == "error" and "修改方法" in d["message"] for d in found if d["code"] == "placeholder")


def test_the_placeholder_rule_is_derived_from_the_schema_templates():
    in_fields, in_bodies = schema.placeholders()
    assert schema.TITLE_PLACEHOLDER in in_fields
    templates = [scaffold.template(k) for k in scaffold.kinds()]
    written = {line.split(":", 1)[-1].strip().strip('"|# ') for t in templates for line in t.split("\n")}
    for text in written:
        if text.startswith(schema.PLACEHOLDER_MARK):
            assert any(p in text for p in in_fields + in_bodies), text
    assert "请在这里写正文" in in_bodies and "请在这里写答复正文" in in_fields


def test_an_edited_file_passes_and_a_kept_instruction_in_the_body_is_still_caught(content):
    content.article("dz/a.md", GOOD, body="正文第一段。")
    assert run("validate", "--content", content.root).exit_code == 0
    content.article("dz/a.md", GOOD, body="正文第一段。\n\n请在这里写正文。段落之间空一行。")
    [problem] = diagnostics(content)
    assert (problem["code"], problem["line"]) == ("placeholder", 10)


def test_a_new_file_without_title_is_named_provisionally_and_validate_says_what_to_rename_it_to(content):
    result = run("new", "article", "--org", "dz", "--content", content.root)
    path = created(result)
    name = path.rsplit("/", 1)[1]
    assert name.startswith(schema.PROVISIONAL_PREFIX) and "临时" in result.output
    text = Path(path).read_text(encoding="utf-8")
    text = text.replace("请填写标题", "东渚镇开展主题党日活动").replace("请填写采集员姓名", "王晓燕")
    text = re.sub(r"summary: .*\n", "", text).replace("请在这里写正文。", "活动内容。")
    Path(path).write_text(text, encoding="utf-8")
    [warning] = diagnostics(content)
    assert warning["code"] == "file-name-provisional" and warning["severity"] == "warning"
    assert "dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong.md" in warning["message"]
    # validate only says so: the file the collector may have open is still where it was
    assert Path(path).read_text(encoding="utf-8") == text
    before = run("build", "--content", content.root, "--output", content.root.parent / "out", "--now", "2026-12-31")
    page = "article/dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong.html"
    assert before.exit_code == 0, before.output
    assert (content.root.parent / "out" / page).is_file()
    Path(path).rename(Path(path).with_name("dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong.md"))
    assert diagnostics(content) == []
    after = run("build", "--content", content.root, "--output", content.root.parent / "out", "--now", "2026-12-31")
    assert after.exit_code == 0 and (content.root.parent / "out" / page).is_file()  # the address never moved


def test_a_new_file_with_a_title_is_named_from_it(content):
    path = created(run("new", "article", "--org", "dz", "--title", "东渚镇召开会议", "--content", content.root))
    assert path.endswith("/dong-zhu-zhen-zhao-kai-hui-yi.md")


def test_an_item_embargoed_over_30_days_warns_naming_the_day_it_appears(content, tmp_path):
    content.article("dz/a.md", GOOD.replace("2026-11-20", "2027-11-20"))
    content.article("dz/b.md", GOOD.replace("2026-11-20", "2026-12-10").replace("标题", "标题二"))
    result = run("build", "--content", content.root, "--output", tmp_path / "out", "--now", "2026-11-23 10:00")
    assert result.exit_code == 0
    assert "dz/a.md:3: 警告 [date-far-future]" in result.output and "2027年11月20日" in result.output
    assert "dz/b.md" not in result.output  # 17 days ahead: a deliberate embargo, no warning
    assert "定时发布 2 篇" in result.output


@pytest.mark.parametrize("front", [GOOD.replace("2026-11-20", "2026-02-30"), GOOD.replace("date: 2026-11-20\n", "")])
def test_a_missing_or_bad_date_shows_the_accepted_formats(content, front):
    content.article("dz/a.md", front)
    [problem] = diagnostics(content)
    assert problem["code"] in ("date-invalid", "required-missing")
    assert dates.ACCEPTED_FORMATS in problem["message"]
    for written in ("2026-11-20", "2026/11/20", "2026年11月20日", '"2026-11-20 09:30"'):
        assert written in problem["message"] and dates.parse(written.strip('"')) is not None
