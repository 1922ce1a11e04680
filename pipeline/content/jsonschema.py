"""The content schema as JSON Schema (draft-07), for editors that complete and check YAML as collectors type.

`hongwang schema` prints it. Given the site's checked configuration, units, categories and
公开类别 become lists to choose from; without it they are plain text. Every Chinese alias is a
property of its own, so `标题:` completes and checks like `title:`.
"""

from __future__ import annotations

from . import schema
from .documents import Validation

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_ID = "https://hongwang.invalid/schema/submission.json"
SCALAR = {"type": ["string", "number"]}
DATE_PATTERN = (
    r"^\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(\s*(T|\s|日)\s*\d{1,2}\s*[:：时]\s*\d{2}(\s*[:：分]\s*\d{2}\s*秒?)?)?\s*(\+08:?00)?\s*$"
)


def build(config: Validation | None = None) -> dict:
    """The whole schema; `config` (from validate_config) fills in the site's own codes and names."""
    lists = _site_lists(config)
    definitions = {kind.key: _kind_schema(kind, lists) for kind in schema.KINDS}
    kind_property = {"title": "类型", "description": schema.KIND_FIELD.help, "enum": _enum(schema.KIND_CHOICES)}
    rules = [{"if": _kind_is(kind), "then": {"$ref": f"#/definitions/{kind.key}"}} for kind in schema.KINDS]
    no_kind = {"not": {"anyOf": [{"required": [name]} for name in schema.KIND_FIELD.names_written]}}
    rules.append({"if": no_kind, "then": {"$ref": f"#/definitions/{schema.ARTICLE.key}"}})
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "红网稿件信息块",
        "description": "content/ 中稿件的信息块（Markdown 的 --- 之间，或整个 YAML 文件）。"
        "不写 kind 时为文章。由 hongwang schema 生成。",
        "type": "object",
        "properties": dict.fromkeys(schema.KIND_FIELD.names_written, kind_property),
        "allOf": rules,
        "definitions": definitions,
    }


def _site_lists(config: Validation | None) -> dict[str, list]:
    if config is None:
        return {}
    return {
        schema.ORG: [o["code"] for o in config.orgs],
        schema.CATEGORY: list(dict.fromkeys(n for c in config.site.categories for n in (c.name, c.slug))),
        schema.DISCLOSURE_TYPE: list(config.site.disclosure_types),
    }


def _enum(choices) -> list[str]:
    return list(dict.fromkeys(name for c in choices for name in (c.value, *c.aliases)))


def _kind_is(kind: schema.Kind) -> dict:
    values = _enum([c for c in schema.KIND_CHOICES if c.value == kind.key])
    return {
        "anyOf": [
            {"properties": {name: {"enum": values}}, "required": [name]} for name in schema.KIND_FIELD.names_written
        ]
    }


def _kind_schema(kind: schema.Kind, lists: dict) -> dict:
    fields = [*kind.fields, schema.BODY_FIELD]
    return {
        "title": kind.label,
        "description": kind.help,
        "type": "object",
        "properties": _properties(fields, lists),
        "additionalProperties": False,
        "allOf": [
            {"anyOf": [{"required": [name]} for name in spec.names_written]} for spec in kind.fields if spec.required
        ],
    }


def _properties(fields, lists: dict) -> dict:
    properties = {}
    for spec in fields:
        value = {"title": spec.label, **({"description": spec.help} if spec.help else {}), **_value_schema(spec, lists)}
        if spec.example is not None:
            value["examples"] = [spec.example]
        for name in spec.names_written:
            properties[name] = value if name == spec.key else {**value, "description": f"同 {spec.key}。{spec.help}"}
    return properties


def _value_schema(spec: schema.Field, lists: dict) -> dict:
    kind = spec.type
    if kind in (schema.DATE, schema.DATETIME):
        return {"type": "string", "pattern": DATE_PATTERN}
    if kind == schema.CHOICE:
        return {"enum": _enum(spec.choices)}
    if kind == schema.KIND:
        return {"enum": _enum(schema.KIND_CHOICES)}
    if kind == schema.TAGS:
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": SCALAR}]}
    if kind == schema.BOOL:
        return {"type": "boolean"}
    if kind == schema.INTEGER:
        return {"type": "integer"}
    if kind == schema.SLUG:
        return {"type": "string", "pattern": schema.SLUG_PATTERN.pattern, "maxLength": schema.SLUG_MAX_CHARS}
    if kind in (schema.ORG, schema.CATEGORY, schema.DISCLOSURE_TYPE):
        return {"enum": lists[kind]} if lists.get(kind) else {"type": "string"}
    if kind == schema.PERIOD:
        return _record(spec.fields, lists)
    if kind == schema.CONTACT:
        return {"anyOf": [{"type": "string"}, _record(spec.fields, lists)]}
    if kind == schema.PERSONS:
        return {"type": "array", "items": _record(spec.fields, lists)}
    if kind == schema.RECORDS:
        return {"type": "array", "items": _record(spec.fields, lists)}
    if kind == schema.DURATION:
        return {"type": ["string", "integer"]}
    if kind in (schema.MEDIA, schema.SERIES, schema.MAILBOX):
        return {"type": "string"}
    if kind == schema.TEXT:
        return dict(SCALAR)
    return {}  # table parts and ignored keys: checked as a whole, or not at all


def _record(fields, lists: dict) -> dict:
    return {"type": "object", "properties": _properties(fields, lists), "additionalProperties": False}
