"""The database schema, declared once.

Every table factwire stores is described here as data; ``schemas.db.ensure``
creates or migrates them, the store writes rows built from these columns, and
the export reads them back.  Extraction tables share the provenance columns so
every stored fact says where it came from and which rules produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, type]
    pk: str | tuple[str, ...] = "id"
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()
    json_columns: tuple[str, ...] = ()
    description: str = ""
    not_null: frozenset[str] = field(default_factory=frozenset)


# Where an extracted item came from: stored with every item of every family.
PROVENANCE = {
    "article_id": int,
    "char_start": int,
    "char_end": int,
    "sentence": str,
    "sentence_start": int,
    "confidence": float,
    "extractor": str,
}
_PROVENANCE_FK = (("article_id", "articles", "id"),)
_PROVENANCE_INDEXES = (("article_id",), ("extractor",))

SOURCES = Table(
    "sources",
    {"name": str, "title": str, "feed_url": str, "feed_kind": str, "interval": str,
     "language": str, "local": int, "sitemap_url": str, "hints": str},
    pk="name", json_columns=("hints",),
    description="Agencies polled, as configured in the sources file.",
)

FEEDS = Table(
    "feeds",
    {"source": str, "feed_url": str, "final_url": str, "etag": str, "last_modified": str,
     "last_status": int, "last_polled": str, "last_error": str, "bozo": int, "entries": int},
    pk="source", foreign_keys=(("source", "sources", "name"),),
    description="Per-feed state for conditional GET and the last poll's outcome.",
)

ARTICLES = Table(
    "articles",
    {"id": int, "source": str, "entry_id": str, "url": str, "final_url": str,
     "canonical_url": str, "title": str, "text": str, "language": str,
     "published": str, "published_from": str, "author": str,
     "dateline_place": str, "dateline_date": str,
     "fetched_at": str, "content_hash": str, "fingerprint": str,
     "duplicate_of": int, "status": str, "extractor_version": str, "extracted_at": str,
     "extract_note": str,
     "run_id": int},
    foreign_keys=(("source", "sources", "name"), ("duplicate_of", "articles", "id"),
                  ("run_id", "runs", "id")),
    indexes=(("source",), ("published",), ("status",), ("content_hash",), ("extractor_version",)),
    unique=(("canonical_url",),),
    fts=("title", "text"),
    not_null=frozenset({"canonical_url"}),
    description="One row per report, stored once under its canonical URL.",
)

ENTRIES = Table(
    "entries",
    {"source": str, "entry_id": str, "article_id": int, "link": str, "first_seen": str},
    pk=("source", "entry_id"),
    foreign_keys=(("article_id", "articles", "id"),),
    description="Feed entries already handled, so a re-poll does not fetch them again.",
)

FETCH_FAILURES = Table(
    "fetch_failures",
    {"url": str, "source": str, "entry_id": str, "attempts": int, "status": int,
     "error": str, "first_failed": str, "last_failed": str, "run_id": int},
    pk="url",
    description="Pages that could not be fetched or read; the next run tries them again.",
)

RUNS = Table(
    "runs",
    {"id": int, "flow": str, "started": str, "finished": str, "status": str,
     "feeds_polled": int, "feeds_unchanged": int, "feeds_failed": int,
     "articles_new": int, "articles_unchanged": int, "articles_duplicate": int,
     "articles_failed": int, "facts": int, "errors": str, "extractor_version": str,
     "host": str, "pid": int},
    json_columns=("errors",),
    description="One row per flow run with its counts and errors; status running, completed, "
                "failed, or interrupted (its process died: the next run found it so).",
)

ENTITIES = Table(
    "entities",
    {"id": str, "kind": str, "name": str, "aliases": str, "mentions": str, **PROVENANCE},
    foreign_keys=_PROVENANCE_FK, indexes=_PROVENANCE_INDEXES + (("kind", "name"),),
    json_columns=("aliases", "mentions"),
    description="Organisations, places and people named in a report.",
)

FACILITIES = Table(
    "facilities",
    {"id": str, "name": str, "kind": str, "aliases": str, "mentions": str, **PROVENANCE},
    foreign_keys=_PROVENANCE_FK, indexes=_PROVENANCE_INDEXES + (("name",),),
    json_columns=("aliases", "mentions"),
    description="Pipelines, ports, terminals, fields, refineries, moorings ... named in a report.",
)

QUANTITIES = Table(
    "quantities",
    {"id": str, "text": str, "amount": float, "unit": str, "per": str, "commodity": str,
     "period_start": str, "period_end": str, "facilities": str, "status": str,
     "qualifier": str, **PROVENANCE},
    foreign_keys=_PROVENANCE_FK,
    indexes=_PROVENANCE_INDEXES + (("commodity",), ("period_start", "period_end"), ("status",)),
    json_columns=("facilities",),
    description="Amounts of a commodity, normalised, with commodity, facilities, period and status.",
)

DATES = Table(
    "dates",
    {"id": str, "text": str, "start": str, "end": str, "precision": str, **PROVENANCE},
    foreign_keys=_PROVENANCE_FK, indexes=_PROVENANCE_INDEXES,
    description="Calendar expressions resolved to spans against the publication date.",
)

from .review import REVIEW_TABLES  # noqa: E402  (reviewers' corrections, merges, audit log)

NAMES = Table(
    "names",
    {"source_table": str, "alias": str, "canonical": str, "kind": str},
    pk=("source_table", "alias", "canonical", "kind"),
    indexes=(("alias",),),
    description="Every name and alias the extractors gave a facility or entity (alias -> name); "
                "the small table behind the facility_names and entity_names views.",
)

TABLES: tuple[Table, ...] = (SOURCES, FEEDS, RUNS, ARTICLES, ENTRIES, FETCH_FAILURES,
                             ENTITIES, FACILITIES, QUANTITIES, DATES, NAMES) + REVIEW_TABLES
BY_NAME = {t.name: t for t in TABLES}

# The record fields (gold format) each extraction table holds.
EXTRACTION_TABLES = {
    "organizations": ENTITIES,
    "places": ENTITIES,
    "people": ENTITIES,
    "facilities": FACILITIES,
    "quantities": QUANTITIES,
    "dates": DATES,
}
ENTITY_KIND = {"organizations": "organization", "places": "place", "people": "person"}
