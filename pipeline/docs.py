"""Reference tables for the collector docs, generated from the code that enforces them.

`python -m pipeline.docs` prints the alias and diagnostic-code tables that
docs/collectors.md embeds; a test keeps the two in step.
"""

from __future__ import annotations

from . import aliases
from .diagnostics import CODES
from .validate import FIELD_NAMES


def alias_table() -> str:
    rows = ["| 字段（英文） | 可写的中文名 | 说明 |", "| --- | --- | --- |"]
    for canonical in dict.fromkeys(aliases.SUBMISSION_ALIASES.values()):
        names = "、".join(aliases.aliases_for(canonical, aliases.SUBMISSION_ALIASES))
        rows.append(f"| `{canonical}` | {names} | {FIELD_NAMES.get(canonical, '')} |")
    return "\n".join(rows)


def person_table() -> str:
    rows = ["| 字段（英文） | 可写的中文名 |", "| --- | --- |"]
    for canonical in dict.fromkeys(aliases.PERSON_ALIASES.values()):
        rows.append(f"| `{canonical}` | {'、'.join(aliases.aliases_for(canonical, aliases.PERSON_ALIASES))} |")
    return "\n".join(rows)


def code_table() -> str:
    rows = ["| 代码 | 级别 | 含义 | 修改方法 |", "| --- | --- | --- | --- |"]
    for code in CODES.values():
        level = "错误" if code.severity == "error" else "警告"
        rows.append(f"| `{code.code}` | {level} | {code.title} | {code.fix} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print("## 字段与中文别名\n\n" + alias_table() + "\n\n## 公示人员字段\n\n" + person_table()
          + "\n\n## 检查提示代码\n\n" + code_table())
