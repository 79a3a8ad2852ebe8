"""The baseline factwire is measured against: off-the-shelf tools, no domain rules.

spaCy NER for organisations, places, people and facilities (FAC),
quantulum3 for amounts (mass and volume units only), and
``dateparser.search.search_dates`` for dates (each a one-day span, as the
library returns points).  It produces the same gold-format records, so the
same scorer and the same benchmark apply.
"""
from __future__ import annotations

import datetime as dt
import warnings
from typing import Iterable, Iterator

_UNITS = {"ton": "t", "tonne": "t", "metric ton": "t", "short ton": "t", "long ton": "t",
          "barrel": "bbl", "cubic metre": "m3", "cubic meter": "m3", "cubic foot": "ft3",
          "gallon": "gal", "kilogram": "kg", "megawatt hour": "MWh"}
_NER = {"ORG": "organizations", "GPE": "places", "LOC": "places", "PERSON": "people",
        "FAC": "facilities"}


def _quantities(text: str) -> list[dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser
        found = parser.parse(text)
    items = []
    for q in found:
        name = q.unit.name
        per = None
        if " per " in name:
            name, per = name.split(" per ", 1)
        unit = _UNITS.get(name)
        if unit is None:
            continue
        items.append({"text": q.surface, "amount": q.value, "unit": unit, "per": per,
                      "commodity": None, "period": None, "facilities": [], "status": None})
    return items


def _dates(text: str, published: dt.date | None) -> list[dict]:
    from dateparser.search import search_dates
    settings = {"RELATIVE_BASE": dt.datetime.combine(published, dt.time())} if published else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(text, languages=["en"], settings=settings) or []
    return [{"text": surface, "start": when.date().isoformat(), "end": when.date().isoformat()}
            for surface, when in found]


def baseline_records(docs: Iterable[dict], model: str | None = None,
                     batch_size: int = 32) -> Iterator[dict]:
    """Baseline extraction of ``{doc_id, published, text}`` documents, in order."""
    import spacy
    from extractors.pipeline import resolve_model_name
    from extractors.record import as_date

    nlp = spacy.load(resolve_model_name(model))
    docs = list(docs)
    for meta, doc in zip(docs, nlp.pipe((d.get("text", "") for d in docs), batch_size=batch_size)):
        record = {"doc_id": meta.get("doc_id"), "published": meta.get("published"), "dateline": None}
        for field in ("organizations", "places", "people", "facilities"):
            record[field] = []
        seen = set()
        for ent in doc.ents:
            field = _NER.get(ent.label_)
            name = " ".join(ent.text.split())
            if field and (field, name) not in seen:
                seen.add((field, name))
                item = {"name": name, "aliases": []}
                if field == "facilities":
                    item["kind"] = None
                record[field].append(item)
        record["quantities"] = _quantities(doc.text)
        record["dates"] = _dates(doc.text, as_date(meta.get("published")))
        yield record
