"""Facilities (pipelines, ports, terminals, fields, refineries, moorings ...).

(Stub for the ingestion spine; the extraction issue makes it complete.)
"""
from __future__ import annotations

from spacy.language import Language

VERSION = "0"


def find_facilities(doc) -> list[dict]:
    """Named facilities of ``doc`` as ``{name, kind, aliases, ...}`` (stub: none)."""
    return []


@Language.component("factwire_facilities")
def facilities_component(doc):
    doc._.facilities = find_facilities(doc)
    return doc
