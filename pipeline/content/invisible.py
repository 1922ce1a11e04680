"""Invisible characters in front matter → diagnostics naming the line, the field and the character.

Bidirectional overrides (U+202A–202E, U+2066–2069) make a title or a name display differently from what it
says (「公示结束」 stored as its mirror image); zero-width and other format characters (U+200B, U+2060,
U+FEFF …) make two names that look the same differ, and a slug that looks clean carry hidden bytes.
They come from text copied out of web pages and chat apps, and Notepad does not show them.

Every front-matter string is checked (titles, summaries, names, slugs, tags, notice persons …). The
legitimate uses stay allowed: a zero-width joiner inside an emoji sequence, joiners and non-joiners next
to letters of scripts that need them (Arabic/Uyghur, Mongolian, Tibetan, Indic), direction marks in text
that has right-to-left letters, tag characters of a flag emoji.
"""

from __future__ import annotations

import re
import unicodedata

from ..core.diagnostics import Diagnostic, diag
from . import schema
from .load import strings

BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
DIRECTION_MARKS = {0x200E, 0x200F, 0x061C}
JOINERS = {0x200C, 0x200D}
ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E}
FILLERS = {0x115F, 0x1160, 0x3164, 0xFFA0}  # Hangul fillers: letters that draw nothing
_FILLER = re.compile("[" + "".join(map(chr, sorted(FILLERS))) + "]")
# Scripts whose letters take joiners, and the right-to-left ranges direction marks serve.
JOINING_SCRIPTS = ((0x0600, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC), (0x0900, 0x0DFF), (0x0F00, 0x0FFF),
                   (0x1800, 0x18AF))  # fmt: skip
RIGHT_TO_LEFT = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFC))
MONGOLIAN = ((0x1800, 0x18AF),)
ARABIC = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))
FLAG = 0x1F3F4
LABELS = {spec.key: spec.label for kind in schema.KINDS for spec in kind.fields}
PERSON_LABELS = {spec.key: spec.label for spec in schema.PERSON_FIELDS}


def _within(char: str, ranges) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def _pictographic(char: str) -> bool:
    code = ord(char)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or code in (0xFE0F, 0x20E3) or 0x1F3FB <= code <= 0x1F3FF


def _legitimate(text: str, index: int) -> bool:
    code = ord(text[index])
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if code in JOINERS:
        if code == 0x200D and before and after and _pictographic(before) and _pictographic(after):
            return True
        return any(neighbour and _within(neighbour, JOINING_SCRIPTS) for neighbour in (before, after))
    if code in DIRECTION_MARKS:
        return any(_within(char, RIGHT_TO_LEFT) for char in text)
    if 0x180B <= code <= 0x180F:  # Mongolian variation selectors and vowel separator
        return bool(before) and _within(before, MONGOLIAN)
    if 0x0600 <= code <= 0x0605 or code in (0x06DD, 0x08E2):  # Arabic number signs
        return bool(after) and _within(after, ARABIC)
    if 0xE0020 <= code <= 0xE007F:  # tags spell a subdivision flag after U+1F3F4
        start = index
        while start and 0xE0020 <= ord(text[start - 1]) <= 0xE007F:
            start -= 1
        return start > 0 and ord(text[start - 1]) == FLAG
    return False


def kind_of(char: str) -> str:
    code = ord(char)
    if code in BIDI_CONTROLS or code in DIRECTION_MARKS:
        return "方向控制字符"
    if code in ZERO_WIDTH:
        return "零宽字符"
    return "格式字符"


def find(text: str) -> list[tuple[int, str]]:
    """(index, character) of every invisible character in text that has no legitimate use where it stands."""
    if text.isprintable() and not _FILLER.search(text):  # no format character (Cf) is printable
        return []
    found = []
    for index, char in enumerate(text):
        if char.isascii() or not (ord(char) in FILLERS or unicodedata.category(char) == "Cf"):
            continue
        if not _legitimate(text, index):
            found.append((index, char))
    return found


def field_name(key_path: tuple) -> str:
    """标题, 摘要, 公示对象第 2 项的姓名 … as a collector knows the field (config keys as written)."""
    if not key_path:
        return "信息块"
    labels = PERSON_LABELS if key_path[0] == "persons" else {}
    name = LABELS.get(key_path[0], str(key_path[0]))
    for part in key_path[1:]:
        name += f"第 {part + 1} 项" if isinstance(part, int) else f"的{labels.get(part, part)}"
    return name


def scan(source) -> list[Diagnostic]:
    """A submission's front matter: one diagnostic per value holding invisible characters."""
    return _diagnostics(source.rel, source.strings, lambda key_path: source.line(*key_path))


def scan_config(config) -> list[Diagnostic]:
    """site.yaml, orgs.yaml, links.yaml: names printed on every page."""
    return scan_values(config.rel, config.value, config.tree.line)


def scan_values(rel: str, value, line_of) -> list[Diagnostic]:
    """The first invisible character of each string in value, named with its line, field and position."""
    return _diagnostics(rel, strings(value), line_of)


def _diagnostics(rel: str, texts, line_of) -> list[Diagnostic]:
    found = []
    for key_path, text in texts:
        hits = find(text)
        if not hits:
            continue
        index, char = hits[0]
        line = line_of(key_path)
        where = f"在“{text[max(0, index - 4) : index]}”之后" if index else "在最前面"
        more = f"，共 {len(hits)} 个" if len(hits) > 1 else ""
        found.append(
            diag(
                rel,
                line,
                "invisible-char",
                f"第 {line} 行{field_name(key_path)}含不可见的{kind_of(char)} U+{ord(char):04X}（{where}）{more}",
            )
        )
    return found
