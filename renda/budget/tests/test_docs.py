"""docs/budget-data.md documents every kind and every column the importer accepts."""

from __future__ import annotations

from pathlib import Path

from renda.budget.ingest.kinds import KINDS

DOC = Path(__file__).resolve().parents[3] / "docs" / "budget-data.md"


def test_it_documents_every_kind_and_column():
    text = DOC.read_text(encoding="utf-8")
    for slug, spec in KINDS.items():
        assert f"（`{slug}`）" in text and f"/budget/templates/{slug}.xlsx" in text
        for column in spec.columns:
            assert f"| {column.header} | {column.alias or '—'} |" in text, (slug, column.header)
