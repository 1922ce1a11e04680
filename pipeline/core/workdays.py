"""Working days by the official Chinese calendar (holidays and adjusted workdays).

chinese-calendar covers a fixed range of years; for a year outside it the
county keeps `content/calendar.yaml` (holidays and adjusted workdays) and we
say loudly when neither knows the year, instead of quietly counting Mon–Fri.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar


@dataclass
class Calendar:
    extra_holidays: set[date] = field(default_factory=set)
    extra_workdays: set[date] = field(default_factory=set)
    override_years: set[int] = field(default_factory=set)

    def covers(self, year: int) -> bool:
        return year in self.override_years or _package_covers(year)

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if _package_covers(day.year) and day.year not in self.override_years:
            # chinese_calendar.is_workday's own rule, without its range check per call (a min and a max over every
            # holiday it knows: 0.1 s per build for the notice calendar's year tables)
            return day in chinese_calendar.workdays or (day.weekday() < 5 and day not in chinese_calendar.holidays)
        return day.weekday() < 5

    def count_workdays(self, start: date, end: date) -> int:
        return sum(1 for offset in range((end - start).days + 1) if self.is_workday(start + timedelta(days=offset)))

    def end_for(self, start: date, workdays: int) -> date:
        """The earliest end date giving `workdays` working days from start (inclusive)."""
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted >= workdays:
                    return day
            day += timedelta(days=1)

    def uncovered_years(self, start: date, end: date) -> list[int]:
        return [year for year in range(start.year, end.year + 1) if not self.covers(year)]


@cache
def _package_years() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays}
    return min(years), max(years)


def _package_covers(year: int) -> bool:
    first, last = _package_years()
    return first <= year <= last


def from_config(data: dict | None) -> Calendar:
    """Build the calendar from calendar.yaml's already-parsed value."""
    calendar = Calendar()
    if not isinstance(data, dict):
        return calendar
    from .dates import parse

    for key, target in (("holidays", calendar.extra_holidays), ("workdays", calendar.extra_workdays)):
        for raw in data.get(key) or []:
            parsed = parse(raw)
            if parsed:
                target.add(parsed.day)
                calendar.override_years.add(parsed.day.year)
    for year in data.get("years") or []:
        if isinstance(year, int):
            calendar.override_years.add(year)
    return calendar


def exceptions(calendar: Calendar, years) -> dict:
    """Where the official calendar departs from Monday–Friday in `years`, for the reader-side notice script.

    Only years the calendar really knows are listed; the script shows no
    working-day count for any other year rather than guessing Mon–Fri.
    """
    covered = sorted(year for year in set(years) if calendar.covers(year))
    holidays, workdays = [], []
    for year in covered:
        day = date(year, 1, 1)
        while day.year == year:
            weekday = day.weekday() < 5
            if calendar.is_workday(day) != weekday:
                (holidays if weekday else workdays).append(day.isoformat())
            day += timedelta(days=1)
    return {"years": covered, "holidays": holidays, "workdays": workdays}
