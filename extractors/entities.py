"""Organisations, places and people: spaCy NER mended by a gazetteer and rules.

(Stub for the ingestion spine; the extraction issue makes it complete.)
"""
from __future__ import annotations

from spacy.language import Language

from .text import provenance

VERSION = "0"

_KIND = {"ORG": "organizations", "GPE": "places", "LOC": "places", "PERSON": "people"}


def add_gazetteer(nlp) -> None:
    """Add the EntityRuler gazetteer before the statistical NER (stub: nothing)."""


def find_entities(doc) -> dict[str, list[dict]]:
    """Entities by kind, one item per distinct name, first mention as provenance."""
    out: dict[str, dict[str, dict]] = {k: {} for k in ("organizations", "places", "people")}
    for ent in doc.ents:
        kind = _KIND.get(ent.label_)
        if not kind:
            continue
        name = " ".join(ent.text.split())
        if name not in out[kind]:
            out[kind][name] = {"name": name, "aliases": [], "confidence": 0.5,
                               **provenance(doc, ent.start_char, ent.end_char)}
    return {k: list(v.values()) for k, v in out.items()}


@Language.component("factwire_entities")
def entities_component(doc):
    found = find_entities(doc)
    doc._.organizations = found["organizations"]
    doc._.places = found["places"]
    doc._.people = found["people"]
    return doc
