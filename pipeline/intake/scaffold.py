"""`hongwang new`: a filled-in template to start from, written from content/schema.py.

Each field with a `template` value becomes a line (`key: value  # note`); `commented` fields are
written after "# " for the collector to switch on; nested fields (公示期, 反映渠道, 人员) are indented
under their key (a list of records, like 人员, gets one example item). Placeholders in braces are filled
in here: {title}, {now}, {today}, {tomorrow}, {end}, {org}, {category}, {categories}.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from ..content import config, schema
from ..content.aliases import did_you_mean
from ..content.slugs import default_slug
from ..core.dates import iso_day

NOTE_COLUMN = 28  # display columns (a Chinese character is two) where a line's note starts
_NOTE = "\0"  # where a note joins its line, until the placeholders are filled in and the line can be measured


class ScaffoldError(Exception):
    pass


def kinds() -> list[schema.Kind]:
    """The kinds `hongwang new` can write: those the schema gives a folder."""
    return [kind for kind in schema.KINDS if kind.folder]


def render(kind: schema.Kind, **values: str) -> str:
    """The template with its placeholders filled in and its notes lined up."""
    lines = template(kind).format(**values).split("\n")
    return "\n".join(_pad(line.split(_NOTE)[0]) + line.split(_NOTE)[1] if _NOTE in line else line for line in lines)


def template(kind: schema.Kind) -> str:
    """The template text with its placeholders still in braces (a YAML kind has no --- fences and no body)."""
    markdown = kind.suffix == ".md"
    lines = ["---"] if markdown else []
    if kind.intro:
        lines.append(f"# {kind.intro}")
    if kind is not schema.ARTICLE:
        lines.append(f"kind: {kind.key}")
    for spec in kind.fields:
        if spec.template is not None:
            lines += _field_lines(spec)
    if not markdown:
        return "\n".join(lines) + "\n"
    return "\n".join(lines) + f"\n---\n\n{kind.body}\n"


def _field_lines(spec: schema.Field) -> list[str]:
    if spec.type in (schema.PERIOD, schema.CONTACT, schema.PERSONS, schema.RECORDS):
        nested = [line for sub in spec.fields if sub.template is not None for line in _field_lines(sub)]
        if spec.type in (schema.PERSONS, schema.RECORDS):  # one example item: "- " opens the list item
            nested = [("- " if index == 0 else "  ") + line for index, line in enumerate(nested)]
        return [f"{spec.key}:", *(f"  {line}" for line in nested)]
    first, *rest = spec.template.split("\n")
    lines = [("# " if spec.commented else "") + line for line in (f"{spec.key}: {first}", *rest)]
    if spec.note:
        lines[0] += f"{_NOTE}# {spec.note}"
    return lines


def _pad(text: str) -> str:
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(NOTE_COLUMN - width, 2)


def create(content_dir: Path, kind: str, org: str, title: str | None, now: datetime) -> Path:
    """Without a title the file gets a provisional name (schema.PROVISIONAL_PREFIX): `validate` says what to
    rename it to once the collector has written the title. It never renames a file itself: the collector
    may have it open in Notepad, which would save it back under the old name."""
    result = config.validate_config(content_dir)
    orgs = {o["code"] for o in result.orgs}
    if org not in orgs:
        raise ScaffoldError(f"单位代码“{org}”不存在{did_you_mean(org, orgs)}。可用代码见 content/orgs.yaml")
    spec = schema.kind(kind)
    title = (title or "").strip()
    if title:
        stem = default_slug("", title) or kind
    else:
        stem = f"{schema.PROVISIONAL_PREFIX}{spec.label}-{now:%Y%m%d-%H%M%S}"
        title = schema.TITLE_PLACEHOLDER
    folder = content_dir / spec.folder.format(org=org, year=now.year)
    path = folder / f"{stem}{spec.suffix}"
    counter = 2
    while path.exists():
        path = folder / f"{stem}-{counter}{spec.suffix}"
        counter += 1
    categories = result.site.categories
    news = next((c.name for c in categories if c.kind == "news"), categories[0].name if categories else "")
    text = render(
        spec,
        title=title,
        org=org,
        now=now.strftime("%Y-%m-%d %H:%M"),
        today=iso_day(now),
        tomorrow=(now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        end=iso_day(result.site.calendar.end_for(now.date(), 5)),
        category=news,
        categories="、".join(c.name for c in categories),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
