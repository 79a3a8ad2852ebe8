"""Calendar expressions resolved to spans against the publication date.

(Stub for the ingestion spine; the extraction issue makes it complete.)
"""
from __future__ import annotations

from spacy.language import Language

VERSION = "0"


def find_dates(doc) -> list[dict]:
    """Every date expression of ``doc`` as ``{text, start, end, precision, ...}`` (stub: none)."""
    return []


@Language.component("factwire_dates")
def dates_component(doc):
    doc._.dates = find_dates(doc)
    return doc
