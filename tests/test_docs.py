"""The collector docs list every field alias and every diagnostic code, as generated from the code."""

from pathlib import Path

from pipeline import docs

DOC = (Path(__file__).resolve().parent.parent / "docs" / "collectors.md").read_text(encoding="utf-8")


def test_collector_docs_embed_the_generated_tables():
    for table in (docs.alias_table(), docs.person_table(), docs.code_table()):
        assert table in DOC, "docs/collectors.md is stale: regenerate with python -m pipeline.docs"
