"""Datelines of wire reports: "BAKU, Azerbaijan, November 29." gives place and date.

(Stub for the ingestion spine; the extraction issue makes it complete.)
"""
from __future__ import annotations

import datetime as dt
import re

from spacy.language import Language

VERSION = "0"

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], 1)}
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z .'-]+?),(?:\s*[A-Z][A-Za-z .'-]+,)?\s*"
    r"(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2})\b")


def find_dateline(text: str, published: dt.date | None) -> dict | None:
    """Place and date of the dateline at the start of ``text``, the year taken from ``published``."""
    m = _DATELINE.match(text)
    if not m or m.group("month").lower() not in _MONTHS or published is None:
        return None
    month, day = _MONTHS[m.group("month").lower()], int(m.group("day"))
    year = published.year - 1 if month > published.month + 1 else published.year
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return {"place": m.group("place").strip(), "date": date.isoformat(),
            "char_start": m.start("place"), "char_end": m.end("day")}


@Language.component("factwire_dateline")
def dateline_component(doc):
    doc._.dateline = find_dateline(doc.text, doc._.published)
    return doc
