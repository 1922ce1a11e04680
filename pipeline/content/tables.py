"""Statistics tables as collectors write them: rows in the YAML, or a CSV file beside it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import load


def _number(cell):
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return cell
    text = str(cell).strip().replace(",", "")
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return str(cell).strip()


def read_table(source: load.Source, meta: dict) -> tuple[dict, list[tuple[tuple, str, str]]]:
    """({columns, rows, csv_path}, problems); each problem is (key path, detail, fix)."""
    problems: list[tuple[tuple, str, str]] = []
    columns, rows, csv_path = meta.get("columns"), meta.get("rows"), None
    if meta.get("csv") is not None:
        csv_path, columns, rows = _read_csv(source, str(meta["csv"]), problems)
    if not isinstance(columns, list) or not columns:
        problems.append((("columns",), "统计表缺少 columns（列名）", '写 columns: [单位, "2024", "2025"]'))
        return {"columns": [], "rows": [], "csv_path": None}, problems
    if not isinstance(rows, list):
        problems.append((("rows",), "统计表缺少 rows（数据行）", "每行写成 - [东渚镇, 2310, 2356]"))
        return {"columns": [str(c) for c in columns], "rows": [], "csv_path": csv_path}, problems
    clean_rows = []
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            problems.append(
                (("rows", index), f"第 {index + 1} 行的项数与列数 {len(columns)} 不一致", "补齐或删去多余的项")
            )
            continue
        clean_rows.append([str(row[0]).strip()] + [_number(c) for c in row[1:]])
    return {"columns": [str(c) for c in columns], "rows": clean_rows, "csv_path": csv_path}, problems


def _read_csv(source: load.Source, name: str, problems: list):
    path = (source.path.parent / name).resolve()
    content_dir = source.path.resolve().parents[len(Path(source.rel).parts) - 1]
    if content_dir not in path.parents:
        problems.append((("csv",), f"CSV 文件“{name}”不在内容目录中", "把 CSV 放在统计 YAML 同一文件夹"))
        return None, None, None
    text, diagnostics = load.decode(path, load.relative_name(path, content_dir)) if path.exists() else (None, [])
    if text is None:
        problems.append((("csv",), f"CSV 文件“{name}”不存在或无法读取", "检查文件名，CSV 用 UTF-8 保存"))
        return None, None, None
    table = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not table:
        problems.append((("csv",), f"CSV 文件“{name}”是空的", "第一行写列名，之后每行一条数据"))
        return None, None, None
    return path, table[0], [list(r) for r in table[1:]]
