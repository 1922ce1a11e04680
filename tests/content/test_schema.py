"""The content schema is declared once: one edit to the table reaches validate, `new`, the docs and the JSON Schema."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from hongwang.pipeline.content import jsonschema as editor_schema
from hongwang.pipeline.content import load, schema
from hongwang.pipeline.content.config import validate_config
from hongwang.pipeline.core import yamltree

from support.example import EXAMPLE, ROOT

NEW_FIELD = (
    'Field("source_url", "原文链接", TEXT, ("原文链接",), help="转载稿件的原文网址", '
    'example="https://www.example.gov.cn/a.html", template="请填写原文链接"),'
)
ANCHOR = 'replace(TAGS_FIELD, template="[]"),'
REPOST = """---
标题: 转载：全省组织工作会议召开
日期: 2026-11-20
单位: "dz"
栏目: 党建动态
原文链接: {value}
---

正文。
"""


def installed_copy(folder: Path) -> Path:
    """hongwang's code (not its content) as an importable `hongwang` package under folder."""
    package = folder / "hongwang"
    package.mkdir(parents=True)
    for name in ("cli.py", "pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, package / name)
    for name in ("pipeline", "theme"):
        shutil.copytree(ROOT / name, package / name, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def hongwang(folder: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([sys.executable, "-m", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_field_added_to_the_table_reaches_validation_new_docs_and_json_schema(tmp_path, content):
    copy = tmp_path / "code"
    package = installed_copy(copy)
    content.write("dz/2026/repost.md", REPOST.format(value="https://www.example.gov.cn/a.html"))
    content.write("dz/2026/repost-list.md", REPOST.format(value="[甲, 乙]"))

    before = hongwang(copy, "hongwang.cli", "validate", "--content", str(content.root), cwd=tmp_path)
    assert before.returncode == 1 and "[unknown-key] 字段“原文链接”无法识别" in before.stdout  # the control

    schema_file = package / "pipeline/content/schema.py"
    text = schema_file.read_text(encoding="utf-8")
    assert text.count(ANCHOR) == 1
    schema_file.write_text(text.replace(ANCHOR, ANCHOR + "\n     " + NEW_FIELD), encoding="utf-8")

    after = hongwang(copy, "hongwang.cli", "validate", "--content", str(content.root), cwd=tmp_path)
    assert "unknown-key" not in after.stdout
    assert (
        after.returncode == 1
        and "repost-list.md:6: 错误 [value-type] source_url（原文链接）应为一段文字" in after.stdout
    )
    assert "repost.md:" not in after.stdout.replace("repost-list.md", "")

    made = hongwang(
        copy,
        "hongwang.cli",
        "new",
        "article",
        "--org",
        "dz",
        "--title",
        "转载稿",
        "--content",
        str(content.root),
        cwd=tmp_path,
    )
    path = Path(made.stdout.split("已新建：", 1)[1].splitlines()[0])
    assert "\nsource_url: 请填写原文链接\n" in path.read_text(encoding="utf-8")

    docs = hongwang(copy, "hongwang.pipeline.content.reference", cwd=tmp_path).stdout
    assert "| `source_url` | 原文链接 |  | 文字 | 转载稿件的原文网址 | `https://www.example.gov.cn/a.html` |" in docs

    printed = json.loads(hongwang(copy, "hongwang.cli", "schema", cwd=tmp_path).stdout)
    properties = printed["definitions"]["article"]["properties"]
    assert properties["source_url"]["title"] == "原文链接" and "原文链接" in properties
    assert "source_url" not in printed["definitions"]["notice"]["properties"]


def front_matter(path: Path) -> dict:
    """The front matter as an editor sees it: keys as written, YAML 1.2 scalars (dates stay text)."""
    text, _ = load.decode(path, path.name)
    if path.suffix == ".md":
        text = load.split_front_matter(text)[0]
    return yamltree.parse(text).value


@pytest.fixture(scope="module")
def validator():
    built = editor_schema.build(validate_config(EXAMPLE))
    jsonschema.Draft7Validator.check_schema(built)
    return jsonschema.Draft7Validator(built)


def messages(errors) -> list[str]:
    """Every message, including those inside anyOf (a required field may be written by any of its names)."""
    found = []
    for error in errors:
        found.append(error.message)
        found += messages(error.context or [])
    return found


def test_every_example_submission_satisfies_the_editor_schema(validator):
    """pages/ and stats/ files need no `kind:` (their folder says it); an editor maps those folders to their kind."""
    files = load.submission_files(EXAMPLE)
    assert len(files) > 80
    by_folder = {"pages": "page", "stats": "stats"}
    problems = {}
    for path in files:
        folder = path.relative_to(EXAMPLE).parts[0]
        meta = front_matter(path)
        if folder in by_folder and "kind" not in meta:
            meta = {**meta, "kind": by_folder[folder]}
        problems[str(path.relative_to(EXAMPLE))] = messages(validator.iter_errors(meta))
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"summery": "拼错的字段"}, "Additional properties"),
        ({"栏目": "不存在的栏目"}, "is not one of"),
        ({"org": "dz-hg"}, "is not one of"),
        ({"date": "十一月二十日"}, "does not match"),
        ({"audience": "保密"}, "is not one of"),
    ],
)
def test_the_editor_schema_flags_what_validate_refuses(validator, change, reason):
    good = {"标题": "东渚镇召开党建工作会议", "日期": "2026-11-20", "单位": "dz", "栏目": "党建动态"}
    assert list(validator.iter_errors(good)) == []
    errors = messages(validator.iter_errors({**good, **change}))
    assert errors and any(reason in message for message in errors), errors


def test_a_notice_needs_its_required_fields_in_the_editor_schema_too(validator):
    notice = {"kind": "notice", "title": "公示", "date": "2026-11-20", "org": "zzb"}
    found = " ".join(messages(validator.iter_errors(notice)))
    for key in schema.NOTICE.required_keys:
        if key not in notice:
            assert f"'{key}' is a required property" in found
