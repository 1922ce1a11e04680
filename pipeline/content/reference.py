"""The reference part of docs/collectors.md, generated from the schema and the diagnostics catalogue.

`python -m hongwang.pipeline.content.reference --write docs/collectors.md` (`make docs`)
replaces everything after the marker line; a test fails when the file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..core.diagnostics import CODES
from . import aliases, schema

MARKER = "<!-- 以下由 make docs（hongwang.pipeline.content.reference）生成，请勿手改 -->"
TYPE_NAMES = {
    schema.TEXT: "文字",
    schema.DATE: "日期",
    schema.DATETIME: "日期（可带时间）",
    schema.CHOICE: "选项",
    schema.TAGS: "列表",
    schema.BOOL: "true / false",
    schema.INTEGER: "整数",
    schema.KIND: "选项",
    schema.ORG: "单位代码",
    schema.SLUG: "网址名",
    schema.CATEGORY: "栏目名称",
    schema.DISCLOSURE_TYPE: "公开类别",
    schema.PERIOD: "开始、结束日期",
    schema.CONTACT: "电话、地址、邮箱",
    schema.PERSONS: "人员列表",
    schema.TABLE: "表格",
    schema.IGNORED: "（可不写）",
    schema.RECORDS: "列表（每项若干字段，见下表）",
    schema.DURATION: "时长（25:30）",
    schema.MEDIA: "文件名",
    schema.SERIES: "专题名称",
    schema.MAILBOX: "信箱名称（site.yaml）",
    schema.RAW: "见说明",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _example(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _values(spec: schema.Field) -> str:
    if spec.type == schema.KIND:
        return "、".join(f"`{c.value}` {c.label}" for c in schema.KIND_CHOICES)
    return "、".join(f"`{c.value}` {c.label}" if c.label != c.value else f"`{c.value}`" for c in spec.choices)


def kind_table(kind: schema.Kind) -> str:
    rows = [
        f"### {kind.label}（`kind: {kind.key}`）",
        "",
        kind.help,
        "",
        "| 字段 | 中文名 | 必填 | 写法 | 说明 | 示例 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for spec in kind.fields:
        names = "、".join(spec.aliases)
        written = _values(spec) or TYPE_NAMES.get(spec.type, spec.type)
        help_text = spec.help + ("（仅党务公开栏目）" if spec.only_in == "disclosure" else "")
        rows.append(
            f"| `{spec.key}` | {_cell(names)} | {'是' if spec.required else ''} | {_cell(written)} | "
            f"{_cell(help_text)} | {_cell(_example(spec.example))} |"
        )
    for spec in kind.fields:
        if spec.type == schema.RECORDS:
            rows += ["", f"{spec.label}（`{spec.key}`）每一项的字段：", "", *_field_rows(spec.fields)]
    return "\n".join(rows)


def _field_rows(fields) -> list[str]:
    rows = ["| 字段 | 中文名 | 必填 | 写法 | 说明 | 示例 |", "| --- | --- | --- | --- | --- | --- |"]
    for spec in fields:
        written = _values(spec) or TYPE_NAMES.get(spec.type, spec.type)
        rows.append(
            f"| `{spec.key}` | {_cell('、'.join(spec.aliases))} | {'是' if spec.required else ''} | {_cell(written)} | "
            f"{_cell(spec.help or spec.label)} | {_cell(_example(spec.example))} |"
        )
    return rows


def kind_tables() -> str:
    return "\n\n".join(kind_table(kind) for kind in schema.KINDS)


def alias_table() -> str:
    rows = ["| 字段（英文） | 可写的中文名 | 说明 |", "| --- | --- | --- |"]
    for canonical in dict.fromkeys(aliases.SUBMISSION_ALIASES.values()):
        names = "、".join(aliases.aliases_for(canonical, aliases.SUBMISSION_ALIASES))
        rows.append(f"| `{canonical}` | {names} | {_label(canonical)} |")
    return "\n".join(rows)


def _label(key: str) -> str:
    if key == schema.BODY_FIELD.key:
        return schema.BODY_FIELD.label
    nested = {f.key: f.label for f in (*schema.PERIOD_FIELDS, *schema.CONTACT_FIELDS)}
    label = schema.field_label(key)
    return nested.get(key, "") if label == key else label


def person_table() -> str:
    rows = ["| 字段（英文） | 可写的中文名 | 说明 |", "| --- | --- | --- |"]
    for spec in schema.PERSON_FIELDS:
        rows.append(f"| `{spec.key}` | {'、'.join(spec.aliases)} | {spec.help or spec.label} |")
    required = "；".join(f"{t.label}：{'、'.join(t.persons_required)}" for t in schema.NOTICE_TYPES)
    return "\n".join(rows) + f"\n\n每种公示必填的人员字段——{required}。"


def code_table() -> str:
    rows = ["| 代码 | 级别 | 含义 | 修改方法 |", "| --- | --- | --- | --- |"]
    for code in CODES.values():
        level = "错误" if code.severity == "error" else "警告"
        rows.append(f"| `{code.code}` | {level} | {code.title} | {code.fix} |")
    return "\n".join(rows)


def generated() -> str:
    """Everything docs/collectors.md holds after its marker line."""
    return (
        f"{MARKER}\n\n## 各类内容的字段\n\n{kind_tables()}\n\n## 字段与中文别名\n\n{alias_table()}\n\n"
        f"## 公示人员字段\n\n{person_table()}\n\n## 检查提示代码\n\n{code_table()}\n"
    )


def rewrite(path: Path) -> bool:
    """Replace the generated part of the guide; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    head = text.split(MARKER, 1)[0] if MARKER in text else text.rstrip() + "\n\n"
    new = head + generated()
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        for name in sys.argv[2:]:
            print(("已更新 " if rewrite(Path(name)) else "无需更新 ") + name)
    else:
        print(generated(), end="")
