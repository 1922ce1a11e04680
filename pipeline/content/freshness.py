"""How long a column may stay silent before an inspection calls it stale.

The national inspection indicators (国办秘函〔2019〕19号) judge news columns by
2 weeks and notice/policy columns by 6 months. Disclosures (党务公开) are
judged like policy columns here, and so are the special columns (专栏: 党员电教,
学习测试, 在线访谈). A county can change any window in site.yaml:

    freshness:
      news: 14 天
      notices: 6 个月
      policy: 6 个月
      disclosure: 6 个月
      special: 6 个月
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("news", "notices", "policy", "disclosure", "special")
_WINDOW = re.compile(r"^\s*(\d{1,4})\s*(d|days?|天|日|w|weeks?|周|星期|m|months?|个月|月)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    count: int
    unit: str  # "days" or "months"

    def oldest_fresh(self, today: date) -> date:
        """The earliest date an update may carry and still keep a column fresh on `today`."""
        if self.unit == "days":
            return today - timedelta(days=self.count)
        return _add_months(today, -self.count)

    def first_stale_day(self, last_update: date) -> date:
        """The first day on which an update made on `last_update` no longer keeps its column fresh."""
        if self.unit == "days":
            return last_update + timedelta(days=self.count + 1)
        return _add_months(last_update, self.count) + timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.count} 天" if self.unit == "days" else f"{self.count} 个月"


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


DEFAULTS = {
    "news": Window(14, "days"),
    "notices": Window(6, "months"),
    "policy": Window(6, "months"),
    "disclosure": Window(6, "months"),
    "special": Window(6, "months"),
}


def parse_window(raw) -> Window | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Window(raw, "days") if raw > 0 else None
    match = _WINDOW.match(str(raw))
    if not match or int(match.group(1)) <= 0:
        return None
    count, unit = int(match.group(1)), (match.group(2) or "d").lower()
    if unit in ("w", "week", "weeks", "周", "星期"):
        return Window(count * 7, "days")
    if unit in ("m", "month", "months", "个月", "月"):
        return Window(count, "months")
    return Window(count, "days")


def windows(site_values: dict) -> tuple[dict[str, Window], list[str]]:
    """The windows per category kind, and the site.yaml entries that could not be read (kept at default)."""
    chosen = dict(DEFAULTS)
    problems = []
    raw = site_values.get("freshness")
    if raw is None:
        return chosen, problems
    if not isinstance(raw, dict):
        return chosen, ["freshness 应写成“栏目类型: 期限”，如 news: 14 天"]
    for kind, value in raw.items():
        window = parse_window(value)
        if kind not in KINDS:
            problems.append(f"freshness 中的栏目类型“{kind}”无法识别，只能是 {'、'.join(KINDS)}")
        elif window is None:
            problems.append(f"freshness 中 {kind} 的期限“{value}”无法识别，请写成 14 天、2 周或 6 个月")
        else:
            chosen[kind] = window
    return chosen, problems
