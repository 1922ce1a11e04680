"""The collector docs carry the reference generated from the schema and the diagnostics catalogue."""

from pathlib import Path

from hongwang.pipeline.content import reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "collectors.md"


def test_collector_docs_end_with_the_generated_reference():
    text = DOC.read_text(encoding="utf-8")
    assert reference.MARKER in text
    assert text.split(reference.MARKER, 1)[1] == reference.generated()[len(reference.MARKER) :], (
        "docs/collectors.md is stale: run make docs"
    )


def test_the_reference_names_every_field_alias_and_code():
    generated = reference.generated()
    for table in (reference.alias_table(), reference.person_table(), reference.code_table(), reference.kind_tables()):
        assert table in generated
    assert "`exceptional_reason` | 破格理由 |" in generated and "`personal-id` | 错误 |" in generated
