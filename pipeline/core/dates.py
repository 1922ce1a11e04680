"""Dates as collectors write them, normalised to Asia/Shanghai."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATE_TIME = re.compile(
    r"^\s*(?P<y>\d{4})\s*(?P<sep>[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s+|T|日)\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})\s*(?:[:：分]\s*(?P<S>\d{2})\s*秒?)?)?"
    r"\s*(?:\+08:?00)?\s*$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:\+08:?00)?$")
# What `parse` reads, as messages show it to collectors (a missing or unreadable date names them all).
ACCEPTED_FORMATS = (
    '2026-11-20（也可写 2026/11/20、2026.11.20、2026年11月20日）；带时间时写 "2026-11-20 09:30"，加英文引号'
)
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True)
class ParsedDate:
    value: datetime
    has_time: bool
    normalised: bool  # written in a form other than ISO 8601 / GB/T 7408

    @property
    def day(self) -> date:
        return self.value.date()


def parse(raw: object) -> ParsedDate | None:
    """Parse a date or date-time as written in front matter; None if unreadable."""
    if isinstance(raw, datetime):
        value = raw if raw.tzinfo else raw.replace(tzinfo=SHANGHAI)
        return ParsedDate(value.astimezone(SHANGHAI), True, False)
    if isinstance(raw, date):
        return ParsedDate(datetime.combine(raw, time(), SHANGHAI), False, False)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    match = _DATE_TIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.group("y", "m", "d", "H", "M", "S"))
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None
    return ParsedDate(value, match.group("H") is not None, not _ISO.match(text))


def parse_month(raw: object) -> tuple[int, int] | None:
    """A year-month such as 1982-05; None if it is not exactly that."""
    if not isinstance(raw, str):
        return None
    match = _MONTH.match(raw)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 else None


def cn_date(value: date | datetime | None) -> str:
    """2026年11月23日, as dates appear on pages."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def iso_day(value: date | datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def now() -> datetime:
    return datetime.now(SHANGHAI)
