"""From report text to a gold-format record: the one entry point of extraction.

``extract`` handles one report, ``extract_many`` a batch through ``nlp.pipe``.
Both take plain values and return plain dicts, so ingestion, evaluation, the
CLI and tests all call the same code.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from . import dateline, dates, entities, facilities, quantities
from .pipeline import load_pipeline
from .text import normalise

FAMILY_VERSIONS = {
    "dateline": dateline.VERSION,
    "dates": dates.VERSION,
    "entities": entities.VERSION,
    "facilities": facilities.VERSION,
    "quantities": quantities.VERSION,
}
EXTRACTOR_VERSION = "+".join(f"{k}.{v}" for k, v in FAMILY_VERSIONS.items())

# Which family produces each list of the record (for the per-row version).
FIELD_FAMILY = {
    "organizations": "entities",
    "places": "entities",
    "people": "entities",
    "facilities": "facilities",
    "quantities": "quantities",
    "dates": "dates",
}


def as_date(value) -> dt.date | None:
    """Accept a date, a datetime or an ISO string (date or datetime)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# Reports longer than this are extracted up to a paragraph (or sentence) break
# before it, and the record says so (``truncated``).  Wire reports are a few
# thousand characters (the longest of 1,468 Reuters energy reports has 13,400);
# a 100,000-word page took 210 s whole (some rules cost more than linear time),
# 13 s capped at 100,000 and under 3 s at 50,000; past spaCy's max_length it
# could not be parsed at all.
MAX_CHARS = 50_000


def cap(text: str, limit: int | None = None) -> tuple[str, dict | None]:
    """The prefix of ``text`` that is extracted, and the truncation note (None when whole).

    The prefix keeps every offset: items found in it are offsets into the whole text.
    """
    limit = MAX_CHARS if limit is None else limit
    if len(text) <= limit:
        return text, None
    cut = text.rfind("\n\n", 0, limit)
    if cut < limit // 2:
        cut = max(text.rfind(". ", 0, limit - 1) + 1, text.rfind(".\n", 0, limit - 1) + 1)
    if cut < limit // 2:
        cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
    if cut <= 0:
        cut = limit
    return text[:cut], {"extracted_chars": cut, "total_chars": len(text),
                        "reason": f"report longer than {limit} characters: extracted up to "
                                  f"character {cut} of {len(text)}"}


def _make_doc(nlp, text: str, published):
    text, truncated = cap(text or "")
    doc = nlp.make_doc(normalise(text))
    doc._.published = as_date(published)
    if truncated:
        doc.user_data["fw_truncated"] = truncated
    return doc


def doc_to_record(doc, *, doc_id=None, url=None, title=None, source=None) -> dict:
    """The gold-format record of a processed Doc, with provenance on every item."""
    published = doc._.published
    record = {
        "doc_id": doc_id,
        "source": source,
        "url": url,
        "title": title,
        "published": published.isoformat() if published else None,
        "extractor_version": EXTRACTOR_VERSION,
        "dateline": doc._.dateline,
    }
    if doc.user_data.get("fw_truncated"):
        record["truncated"] = doc.user_data["fw_truncated"]
    for field, family in FIELD_FAMILY.items():
        items = getattr(doc._, field) or []
        for item in items:
            item.setdefault("extractor", f"{family}.{FAMILY_VERSIONS[family]}")
        record[field] = items
    return record


def extract(text: str, published=None, url: str | None = None, *, title: str | None = None,
            doc_id: str | None = None, model: str | None = None) -> dict:
    """Extract one report.  ``published`` anchors relative dates and datelines."""
    nlp = load_pipeline(model)
    doc = nlp(_make_doc(nlp, text, published))
    return doc_to_record(doc, doc_id=doc_id, url=url, title=title)


def extract_many(docs: Iterable[dict], *, model: str | None = None, batch_size: int = 32,
                 n_process: int = 1, on_error: str = "raise") -> Iterator[dict]:
    """Extract a stream of ``{doc_id, published, text[, url, title, source]}`` dicts, in order.

    ``on_error="raise"`` (the default) lets an extractor's exception end the stream.
    With ``on_error="record"`` one report that breaks an extractor does not take its
    batch down: the batch is extracted again report by report, and the failing
    report's record has empty lists and ``error`` (the exception, named), so the
    caller can keep it for a later run while the others are stored.
    """
    if on_error not in ("raise", "record"):
        raise ValueError(f"on_error must be 'raise' or 'record', not {on_error!r}")
    nlp = load_pipeline(model)
    if on_error == "raise":
        prepared = ((_make_doc(nlp, d.get("text", ""), d.get("published")), d) for d in docs)
        for doc, meta in nlp.pipe(prepared, as_tuples=True, batch_size=batch_size,
                                  n_process=n_process):
            yield _record_of(doc, meta)
        return
    for chunk in _chunks(docs, batch_size):
        try:
            prepared = [(_make_doc(nlp, d.get("text", ""), d.get("published")), d) for d in chunk]
            records = [_record_of(doc, meta) for doc, meta in
                       nlp.pipe(prepared, as_tuples=True, batch_size=batch_size)]
        except Exception:  # noqa: BLE001 - find the report that broke, keep the others
            records = [_one_or_error(nlp, d) for d in chunk]
        yield from records


def _record_of(doc, meta: dict) -> dict:
    return doc_to_record(doc, doc_id=meta.get("doc_id"), url=meta.get("url"),
                         title=meta.get("title"), source=meta.get("source"))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _one_or_error(nlp, meta: dict) -> dict:
    """The record of one report, or an empty one that names the exception."""
    try:
        return _record_of(nlp(_make_doc(nlp, meta.get("text", ""), meta.get("published"))), meta)
    except Exception as exc:  # noqa: BLE001 - reported in the record, not raised
        published = as_date(meta.get("published"))
        record = {"doc_id": meta.get("doc_id"), "source": meta.get("source"), "url": meta.get("url"),
                  "title": meta.get("title"),
                  "published": published.isoformat() if published else None,
                  "extractor_version": EXTRACTOR_VERSION, "dateline": None}
        record.update({field: [] for field in FIELD_FAMILY})
        record["error"] = f"{type(exc).__name__}: {exc}"
        return record
