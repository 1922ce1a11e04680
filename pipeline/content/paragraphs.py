"""The common blocks of a submission rendered without Python-Markdown, exactly as it renders them.

Most submissions are paragraphs of Chinese prose, with now and then a heading, a
list, a table of figures or a photo, and no other Markdown. Python-Markdown spends
most of a county's validate on them (its inline pass walks every character for
every pattern; a five-row table costs a millisecond). A block here is written
directly when it is one of those shapes and holds no character Markdown could
read as syntax; every other block still goes through Markdown, in runs of
neighbours, so what it renders is rendered as before. Whatever could make one
block depend on another (reference and footnote definitions, abbreviations,
fences, raw HTML, definition lists) sends the whole text to Markdown.

`tests/content/test_paragraphs.py` holds this to byte equality with Markdown
followed by the sanitiser, over the example county, a bench corpus and
generated documents.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Characters that start inline syntax (code, escapes, links, images, emphasis, HTML, entities), tables,
# attribute lists and admonitions; control characters (Markdown's own placeholders are STX and ETX);
# tabs (expanded by Markdown), carriage returns, and the no-break space the sanitiser writes as &nbsp;.
_SYNTAX_CHARACTER = re.compile(r"[`\\\[\]!<>&*_|{}\x00-\x09\x0b-\x1f\x7f\xa0]")
# The start of a line a block processor reads: headings, quotes, lists, rules, setext underlines,
# definitions, indented code (trailing spaces, a hard line break, are _syntax_line's other half).
# Line starts are matched after a newline, searched in "\n" + text: a pattern that begins with a
# character is found by a fast scan for it, while ^ in MULTILINE mode is tried at every character
# (five times slower on a paragraph: nearly a third of the time a validate renders bodies in).
_SYNTAX_LINE_START = re.compile(r"\n(?:[ \t]|[#>=:+-]|\d+\.)")
# What ties blocks together across blank lines (at a line start): the whole text goes to Markdown.
_LINKED_BLOCKS = re.compile(r"\n[ ]{0,3}(?:\[[^\]\n]*\]:|\*\[|```|~~~|:)")  # and any < or \r
_BLANK_LINES = re.compile(r"\n(?:[ ]*\n)+")
_LEADING_SPACES = re.compile(r"[ ]+(?:\n|$)")  # a first line of spaces Markdown keeps (it may open a code block)

_HEADING = re.compile(r"(#{2,6})([^#\n]*)")  # h1 is not allowed on a page: the sanitiser drops it
_BULLET = re.compile(r"([*+-])[ ]+(.*)")
_NUMBERED = re.compile(r"([1-9][0-9]{0,8})\.[ ]+(.*)")
_LIST_LINE = re.compile(r"^[ ]{0,3}(?:[*+-]|\d+\.)[ ]", re.MULTILINE)
_RULE_CELL = re.compile(r"[ ]*:?-+:?[ ]*")
# A photo on its own line; the sanitiser still rewrites and checks its address.
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([A-Za-z0-9._~/%+-]+)\)")


class Run(NamedTuple):
    """Written HTML (final, or `raw` for the sanitiser to finish), or consecutive blocks for Markdown.

    A named tuple: one is made per block of every body checked, and a frozen dataclass sets each field
    through object.__setattr__."""

    html: str | None
    raw: bool = False
    text: str = ""
    blocks: tuple[str, ...] = ()


def split(text: str) -> list[Run] | None:
    """The text as runs, or None when it must go to Markdown whole."""
    if "<" in text or "\r" in text or _linked_blocks(text) or _LEADING_SPACES.match(text):
        return None
    blocks: list[tuple[str, str]] = []  # (block, the blank lines after it)
    position = 0
    for separator in [*_BLANK_LINES.finditer(text), None]:
        end = separator.start() if separator else len(text)
        blocks.append((text[position:end].rstrip("\n"), separator.group() if separator else ""))
        position = separator.end() if separator else end
    runs: list[Run] = []
    pending: list[tuple[str, str]] = []
    for index, (block, gap) in enumerate(blocks):
        before = blocks[index - 1][0] if index else ""
        after = blocks[index + 1][0] if index + 1 < len(blocks) else ""
        written = _written(block, before, after, follows_markdown=bool(pending))
        if written:
            _flush(pending, runs)
            runs.append(written)
        elif block.strip() or pending:
            pending.append((block, gap))
    _flush(pending, runs)
    return runs


def _flush(pending: list[tuple[str, str]], runs: list[Run]) -> None:
    if pending:
        text = "".join(block + gap for block, gap in pending)
        runs.append(Run(None, text=text, blocks=tuple(block for block, _ in pending if block.strip())))
        pending.clear()


def _written(block: str, before: str, after: str, follows_markdown: bool) -> Run | None:
    """The block as HTML when it is one of the shapes written here, else None."""
    if not block.strip():
        return None
    if _is_plain(block):
        return Run(f"<p>{block.lstrip()}</p>")
    first = block[0]
    if first == "#":
        return _heading(block)
    if first == "|":
        return _table(block)
    if first == "!":
        return _image(block)
    if first in "*+-" or first.isdigit():
        # Markdown reads a list together with a list or indented lines after it, and with what came before
        # when that went to Markdown too (an item continued by indented lines takes the next list in).
        if follows_markdown or _LIST_LINE.search(before) or _LIST_LINE.match(after) or after[:1].isspace():
            return None
        return _list(block)
    return None


def _linked_blocks(text: str) -> bool:
    """A line that ties blocks together across blank lines (a reference or abbreviation, a fence, a definition)."""
    return _LINKED_BLOCKS.search("\n" + text) is not None


def _is_plain(text: str) -> bool:
    return bool(text.strip()) and not _SYNTAX_CHARACTER.search(text) and not _syntax_line(text)


def _syntax_line(text: str) -> bool:
    """A line that starts as a block processor reads it, or ends in a space or tab (a hard line break)."""
    return (
        _SYNTAX_LINE_START.search("\n" + text) is not None
        or text.endswith((" ", "\t"))
        or " \n" in text
        or "\t\n" in text
    )


def _is_plain_inline(text: str) -> bool:
    return not _SYNTAX_CHARACTER.search(text) and "\n" not in text


def _heading(block: str) -> Run | None:
    match = _HEADING.fullmatch(block)
    text = match.group(2).strip() if match else ""  # as Markdown strips it: full-width spaces too
    if not text or not _is_plain_inline(text):
        return None
    level = len(match.group(1))
    return Run(f"<h{level}>{text}</h{level}>")


def _list(block: str) -> Run | None:
    lines = block.split("\n")
    pattern = _BULLET if lines[0][0] in "*+-" else _NUMBERED
    items, marker, start = [], None, None
    for line in lines:
        match = pattern.fullmatch(line)
        text = match.group(2).lstrip() if match else ""  # as Markdown strips it: full-width spaces too
        if not _is_plain(text):
            return None
        if pattern is _BULLET:
            if marker not in (None, match.group(1)):
                return None
            marker = match.group(1)
        elif start is None:
            start = int(match.group(1))
        items.append(f"<li>{text}</li>")
    tag = "ul" if pattern is _BULLET else "ol"
    opening = f'<ol start="{start}">' if tag == "ol" and start != 1 else f"<{tag}>"
    return Run("\n".join([opening, *items, f"</{tag}>"]))


def _table(block: str) -> Run | None:
    """A pipe table whose every row has the rule's number of plain cells (the sanitiser drops alignment)."""
    lines = block.split("\n")
    if len(lines) < 3 or not all(len(line) > 1 and line[0] == line[-1] == "|" for line in lines):
        return None
    rows = [line[1:-1].split("|") for line in lines]
    if not all(_RULE_CELL.fullmatch(cell) for cell in rows[1]):
        return None
    width = len(rows[1])
    if any(len(row) != width or not all(_is_plain_inline(cell) for cell in row) for row in (rows[0], *rows[2:])):
        return None
    html = ["<table>", "<thead>", _row("th", rows[0]), "</thead>", "<tbody>"]
    html += [_row("td", row) for row in rows[2:]]
    return Run("\n".join([*html, "</tbody>", "</table>"]))


def _row(tag: str, cells: list[str]) -> str:
    return "\n".join(["<tr>", *(f"<{tag}>{cell.strip()}</{tag}>" for cell in cells), "</tr>"])


def _image(block: str) -> Run | None:
    match = _IMAGE.fullmatch(block)
    if not match or not _is_plain_inline(match.group(1)) or '"' in match.group(1):
        return None
    return Run(f'<p><img alt="{match.group(1)}" src="{match.group(2)}"></p>', raw=True)


def join(parts) -> str:
    """Rendered runs as Markdown joins its top-level blocks."""
    return "\n".join(parts)
