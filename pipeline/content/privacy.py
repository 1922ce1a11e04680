"""Personal data in submissions and site configuration → diagnostics (个人信息保护法).

What counts as personal data, and how it is masked, is core/personal_data.py; this
module decides where a mobile number is allowed (declared contact fields) and
names the file, line and field. Messages show only a masked value.
"""

from __future__ import annotations

from ..core.diagnostics import Diagnostic, diag
from ..core.personal_data import find
from .load import strings

CONTACT_KEYS = {"contact"}
_LABELS = {"personal-id": "身份证号码", "personal-bank-card": "银行卡号", "personal-mobile": "手机号码"}


def scan(document) -> list[Diagnostic]:
    """Diagnostics for personal data anywhere in a document's front matter or body."""
    source = document.source
    found = []
    for key_path, text in source.strings:
        allow_mobile = bool(key_path) and key_path[0] in CONTACT_KEYS
        for code, masked, _ in find(text, allow_mobile):
            found.append(
                diag(
                    source.rel,
                    source.line(*key_path),
                    code,
                    f"{'.'.join(map(str, key_path))} 中有{_LABELS[code]} {masked}",
                )
            )
    for code, masked, offset in find(source.body):
        line = source.body_line + source.body.count("\n", 0, offset)
        found.append(diag(source.rel, line, code, f"正文第 {line} 行有{_LABELS[code]} {masked}"))
    if document.fields.get("csv_path"):
        found += _scan_csv_rows(document)
    return found


def _scan_csv_rows(document) -> list[Diagnostic]:
    """A stats table read from CSV: its cells are public too (rows start at CSV line 2)."""
    source = document.source
    name = source.meta.get("csv")
    found = []
    for index, row in enumerate(document.fields.get("rows") or []):
        for code, masked, _ in find(" ".join(map(str, row))):
            found.append(
                diag(source.rel, source.line("csv"), code, f"{name} 第 {index + 2} 行有{_LABELS[code]} {masked}")
            )
    return found


CONFIG_CONTACT_KEYS = {"contact", "phone", "mobile", "tel"}


def scan_config(config) -> list[Diagnostic]:
    """Site configuration is printed on every page: the same guard, phones allowed in contact fields."""
    found = []
    for key_path, text in strings(config.value):
        allow_mobile = any(part in CONFIG_CONTACT_KEYS for part in key_path)
        for code, masked, _ in find(text, allow_mobile):
            found.append(
                diag(
                    config.rel,
                    config.tree.line(key_path),
                    code,
                    f"{'.'.join(map(str, key_path))} 中有{_LABELS[code]} {masked}",
                )
            )
    return found
