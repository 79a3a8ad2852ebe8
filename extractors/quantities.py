"""Commodity amounts tied to commodity, facility, period and status.

(Stub for the ingestion spine; the extraction issue makes it complete.)
"""
from __future__ import annotations

import re

from spacy.language import Language

from .text import provenance

VERSION = "0"

_SCALE = {"thousand": 1e3, "mln": 1e6, "million": 1e6, "bln": 1e9, "billion": 1e9}
_UNIT = {"tons": "t", "tonnes": "t", "ton": "t", "tonne": "t", "barrels": "bbl", "bpd": "bbl"}
_QTY = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>thousand|mln|million|bln|billion)?\s*"
    r"(?P<unit>tons|tonnes|ton|tonne|barrels|bpd)\b", re.I)


def find_quantities(doc) -> list[dict]:
    """Amounts of a commodity in ``doc`` (stub: numbers with a tons/barrels unit)."""
    items = []
    for m in _QTY.finditer(doc.text):
        amount = float(m.group("num").replace(",", "")) * _SCALE.get((m.group("scale") or "").lower(), 1)
        unit_word = m.group("unit").lower()
        items.append({
            "text": m.group(0), "amount": amount, "unit": _UNIT[unit_word],
            "per": "day" if unit_word == "bpd" else None, "commodity": None, "period": None,
            "facilities": [], "status": None, "confidence": 0.3,
            **provenance(doc, m.start(), m.end()),
        })
    return items


@Language.component("factwire_quantities")
def quantities_component(doc):
    doc._.quantities = find_quantities(doc)
    return doc
