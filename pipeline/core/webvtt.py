"""WebVTT subtitles read with the line of every problem (a collector fixes the file by line).

Only what a subtitle file for a 电教 video needs: the `WEBVTT` header, NOTE/STYLE/REGION blocks
(skipped), cues with an optional identifier, `hh:mm:ss.ttt --> hh:mm:ss.ttt` timings (hours
optional) and their text. Libraries that parse WebVTT raise on the first problem without its
line, which is why this small reader exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"(?:(\d{1,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}(?:\s+.*)?$")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # tags (<v 主讲人>, <b>) removed: what the transcript and search read


def _seconds(hours, minutes, seconds, millis) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse(text: str) -> tuple[list[Cue], list[tuple[int, str]]]:
    """(cues, problems as (1-based line, Chinese detail))."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        hint = "（这像是 SRT 字幕）" if lines and lines[0].strip().isdigit() else ""
        return [], [(1, f"第一行不是 WEBVTT{hint}")]
    cues: list[Cue] = []
    problems: list[tuple[int, str]] = []
    index = 1
    while index < len(lines) and lines[index].strip():  # header lines after WEBVTT
        index += 1
    while index < len(lines):
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines):
            break
        block_start = index
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            problems.append((block_start + 1, f"第 {block_start + 1} 行起的一段没有“开始 --> 结束”时间行"))
            continue
        match = _TIMING.match(block[timing_at])
        line = block_start + timing_at + 1
        if not match:
            comma = "（毫秒前要用点，不用逗号）" if "," in block[timing_at] else ""
            problems.append((line, f"第 {line} 行的时间“{block[timing_at].strip()[:40]}”写法不对{comma}"))
            continue
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end <= start:
            problems.append((line, f"第 {line} 行的结束时间不晚于开始时间"))
            continue
        words = " ".join(_TAG.sub("", part).strip() for part in block[timing_at + 1 :]).strip()
        cues.append(Cue(start, end, _unescape(words)))
    if not cues and not problems:
        problems.append((1, "文件中没有一条字幕"))
    return cues, problems


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&lrm;", ""), ("&rlm;", ""), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text
