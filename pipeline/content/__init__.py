"""Content checking: files under content/ → checked documents and diagnostics.

load (decode, front matter, aliases) → checker (field by field, as schema declares) → validate
(every file, cached, on every core; then unique slugs and lint). `schema` is the one table of
kinds and fields; aliases, the collector docs (reference), the JSON Schema and `hongwang new`
are derived from it. Nothing here writes a file or knows about pages.
"""
