"""Jinja filters the theme uses: Chinese dates and a few formatting helpers."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup

from ..content import markup
from ..core import dates, units


def cn_date(value: date | datetime | None) -> str:
    return dates.cn_date(value)


def iso_date(value: date | datetime | None) -> str:
    return dates.iso_day(value) if value else ""


def iso_datetime(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def cn_datetime(value: datetime | None) -> str:
    """2026年12月10日 09:30 (a date without a time of day shows the date only)."""
    if not value:
        return ""
    return dates.cn_date(value) + (value.strftime(" %H:%M") if (value.hour, value.minute) != (0, 0) else "")


def thousands(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def digits(value) -> str:
    """The digits of a record number: 苏公网安备 32000000000000号 → 32000000000000 (the lookup's code)."""
    return "".join(c for c in str(value or "") if c.isdigit())


def at_root(body_html: str) -> Markup:
    """A body rendered for an item page (one folder deep) shown on a page at the site root: its files' links
    lose one ../ (content/markup.py writes them as ../files/…)."""
    prefix = "../" * markup.BODY_DEPTH + markup.ASSET_PREFIX
    return Markup(str(body_html).replace(f'="{prefix}', f'="{markup.ASSET_PREFIX}'))


FILTERS = {
    "at_root": at_root,
    "digits": digits,
    "cn_date": cn_date,
    "iso_date": iso_date,
    "iso_datetime": iso_datetime,
    "cn_datetime": cn_datetime,
    "file_size": units.human_bytes,
    "thousands": thousands,
}
