"""The Chinese names collectors may write, as lookup tables derived from content/schema.py.

Keys are mapped when a file is loaded (before its kind is known), so one table
serves every kind; values (公示类型, 公开范围, …) are mapped field by field. A
new alias is added to the field in the schema, and nowhere else.
"""

from __future__ import annotations

import difflib

from . import schema


def _key_table(fields, extra: dict[str, str] | None = None) -> dict[str, str]:
    table: dict[str, str] = {}
    for spec in fields:
        for alias in spec.aliases:
            if table.setdefault(alias, spec.key) != spec.key:
                raise ValueError(f"alias {alias} names both {table[alias]} and {spec.key}")  # a schema mistake
    return {**table, **(extra or {})}


def _every_field():
    for kind in schema.KINDS:
        yield from kind.fields
    yield schema.BODY_FIELD


SUBMISSION_ALIASES: dict[str, str] = _key_table(_every_field(), schema.STRAY_ALIASES)
NESTED_ALIASES: dict[str, str] = _key_table([*schema.PERIOD_FIELDS, *schema.CONTACT_FIELDS])
PERSON_ALIASES: dict[str, str] = _key_table(schema.PERSON_FIELDS)
# The keys of each item of a list of records (题库, 嘉宾, 访谈实录, 章节), by the list's own key.
RECORD_ALIASES: dict[str, dict[str, str]] = {
    spec.key: _key_table(spec.fields) for spec in _every_field() if spec.type == schema.RECORDS
}
SITE_ALIASES: dict[str, str] = _key_table(schema.SITE.fields)
ORG_ALIASES: dict[str, str] = _key_table(schema.ORGS.fields)
LINK_ALIASES: dict[str, str] = _key_table(schema.LINKS.fields)
ORGS_LIST_ALIASES = dict.fromkeys(schema.ORGS.list_aliases, schema.ORGS.list_key)
LINKS_LIST_ALIASES = dict.fromkeys(schema.LINKS.list_aliases, schema.LINKS.list_key)


def _value_table(choices) -> dict[str, str]:
    return {alias: choice.value for choice in choices for alias in choice.aliases if alias != choice.value}


# Values collectors may write in Chinese, by the field they belong to.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "kind": _value_table(schema.KIND_CHOICES),
    "audience": _value_table(schema.AUDIENCES),
    "status": _value_table(schema.PUBLISH_STATES),
    "notice_type": _value_table(schema.NOTICE.field("notice_type").choices),
    "org_kind": _value_table(schema.ORG_KINDS),
}


def canonical_key(key: str, table: dict[str, str]) -> str:
    """Map a key as written (maybe Chinese, maybe padded) to its canonical form."""
    stripped = key.strip()
    return table.get(stripped, stripped)


def canonical_value(field: str, value: object) -> object:
    if isinstance(value, str):
        return VALUE_ALIASES.get(field, {}).get(value.strip(), value.strip())
    return value


def aliases_for(canonical: str, table: dict[str, str]) -> list[str]:
    return [alias for alias, key in table.items() if key == canonical]


def did_you_mean(word: str, candidates) -> str:
    """ "，您是不是要写“…”" with the closest candidate, or "" when none is close."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.5)
    return f"，您是不是要写“{matches[0]}”" if matches else ""
