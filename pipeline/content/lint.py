"""Editorial lint: what an inspector marks down though the build would succeed.

Only warnings. Dates written in a form other than GB/T 7408 are already
reported by validate (`date-normalised`) where each date is parsed, so they
are not repeated here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..core import dates
from ..core.diagnostics import Diagnostic, diag
from . import freshness

TITLE_MAX_CHARS = 40
LONG_BODY_CHARS = 500
MAX_PUNCTUATION_REPORTS = 5  # per file: enough to show the habit without drowning other messages
SUMMARY_KINDS = ("article", "notice")

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_HALF_WIDTH = re.compile(r"[,.?!;]")  # a plain class: re scans for it fast, unlike a leading look-behind
_FULL_WIDTH = {",": "，", ".": "。", "?": "？", "!": "！", ";": "；"}

_FENCED_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
# Neither part may hold its own opening character: "<<<<…" or "](](…" would rescan the line from every one.
_LINK_TARGET = re.compile(r"\]\([^()\n]*\)|<[^<>\n]*>")
_URL = re.compile(r"\b(?:https?|ftp|mailto):[^\s，。）)]*", re.IGNORECASE)
_MARKDOWN_NOISE = re.compile(r"[#>*_`\[\]()|~-]")


FAR_FUTURE_DAYS = 30


def check(validation, now: datetime | None = None) -> list[Diagnostic]:
    """The warnings that depend on more than one file: the report settings in site.yaml, and embargoes.

    `now` is the build's clock (`--now`); the embargo warning depends on it, which is why it is here
    and not in the per-file checks the cache keeps (those run check_document)."""
    found = _check_freshness_settings(validation)
    now = now or dates.now()  # one clock reading for the whole county, not one per file
    for facts in validation.facts:
        found += far_future(facts, now)
    return found


def far_future(facts, now: datetime) -> list[Diagnostic]:
    """An item dated more than FAR_FUTURE_DAYS ahead is embargoed until then: often a typo (2027 for 2026).

    facts: a document's Facts (content/documents.py)."""
    if not facts.date or facts.draft or facts.date <= now + timedelta(FAR_FUTURE_DAYS):
        return []
    days = (facts.date.date() - now.date()).days
    return [
        diag(
            facts.rel,
            facts.date_line,
            "date-far-future",
            f"日期 {dates.iso_day(facts.date)} 比今天晚 {days} 天，"
            f"本条到 {dates.cn_date(facts.date)} 才会在网站上出现，在此之前不发布",
        )
    ]


def next_change(facts, now: datetime) -> datetime:
    """The first moment after `now` at which a page, feed or warning could change with no file changing: an
    item's date or moment (embargo, notice period, interview, alert), FAR_FUTURE_DAYS before one, or the next
    day in Beijing (a notice's remaining working days). facts: Facts (content/documents.py)."""
    tomorrow = datetime.combine(now.astimezone(dates.SHANGHAI).date() + timedelta(days=1), datetime.min.time())
    soonest = tomorrow.replace(tzinfo=dates.SHANGHAI)
    far = timedelta(days=FAR_FUTURE_DAYS)
    for document in facts:
        for moment in (document.date, *document.moments) if document.date else document.moments:
            for candidate in (moment, moment - far):
                if now < candidate < soonest:
                    soonest = candidate
    return soonest


def check_document(document) -> list[Diagnostic]:
    source, fields = document.source, document.fields
    found: list[Diagnostic] = []
    title = fields.get("title") or ""
    if len(title) > TITLE_MAX_CHARS:
        found.append(
            diag(
                source.rel,
                source.line("title"),
                "title-too-long",
                f"标题有 {len(title)} 个字，超过 {TITLE_MAX_CHARS} 个字",
                f"把标题压缩到 {TITLE_MAX_CHARS} 个字以内，细节写进摘要或正文",
            )
        )
    # The raw body is never shorter than its plain text: skip the work for short bodies.
    needs_summary = document.kind in SUMMARY_KINDS and not fields.get("summary")
    if needs_summary and len(source.body) > LONG_BODY_CHARS:
        body_chars = len(plain_text(source.body))
        if body_chars > LONG_BODY_CHARS:
            found.append(
                diag(
                    source.rel,
                    1,
                    "summary-missing",
                    f"正文有 {body_chars} 个字，超过 {LONG_BODY_CHARS} 字却没有摘要",
                    "在信息块中加一行“摘要: ……”，用一两句话概括全文",
                )
            )
    punctuation = _punctuation(source.rel, source.line("title"), title)
    punctuation += _punctuation(source.rel, source.line("summary"), fields.get("summary") or "")
    if _marks_between_han(source.body):  # one pass; most bodies stop here
        body = _blank_out_code(source.body)
        for offset, line in enumerate(body.split("\n")):
            punctuation += _punctuation(source.rel, source.body_line + offset, line)
    return found + punctuation[:MAX_PUNCTUATION_REPORTS]


def half_width_marks(line: str) -> list[str]:
    """The half-width marks standing between two Chinese characters in one line of prose."""
    prose = _URL.sub(" ", _LINK_TARGET.sub(" ", _INLINE_CODE.sub(" ", line)))
    return _marks_between_han(prose)


def _is_han(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _HAN_RANGES)


def _marks_between_han(text: str) -> list[str]:
    marks = []
    for match in _HALF_WIDTH.finditer(text):
        before, after = match.start() - 1, match.end()
        while before >= 0 and text[before] in " \t":
            before -= 1
        while after < len(text) and text[after] in " \t":
            after += 1
        if before >= 0 and after < len(text) and _is_han(text[before]) and _is_han(text[after]):
            marks.append(match.group())
    return marks


def plain_text(markdown_text: str) -> str:
    """The readable characters of a body: no code, link targets, markup or whitespace."""
    text = _INLINE_CODE.sub("", _blank_out_code(markdown_text))
    text = _MARKDOWN_NOISE.sub("", _URL.sub("", _LINK_TARGET.sub("", text)))
    return re.sub(r"\s+", "", text)


def _punctuation(rel: str, line: int, text: str) -> list[Diagnostic]:
    marks = half_width_marks(text)
    if not marks:
        return []
    shown = "、".join(f"“{m}”" for m in dict.fromkeys(marks))
    fixes = "、".join(f"“{m}”改为“{_FULL_WIDTH[m]}”" for m in dict.fromkeys(marks))
    return [
        diag(
            rel,
            line,
            "punctuation-half-width",
            f"中文句子中用了半角标点 {shown}（{len(marks)} 处）",
            f"按 GB/T 15834 使用全角标点：{fixes}",
        )
    ]


def _blank_out_code(text: str) -> str:
    """Replace fenced code blocks by as many empty lines, so line numbers still match."""
    return _FENCED_CODE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _check_freshness_settings(validation) -> list[Diagnostic]:
    _, problems = freshness.windows(validation.site.values)
    return [diag("site.yaml", 1, "site-config", problem, "期限写成 14 天、2 周或 6 个月") for problem in problems]
