"""Reads and writes of the factwire database (sqlite-utils).

Plain functions over a ``sqlite_utils.Database``; the columns come from
``schemas.tables``.  An article and its extraction are written in one
transaction, and writing the same thing twice leaves one copy.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import socket
from collections import Counter
from dataclasses import asdict
from typing import Iterable, Iterator

import sqlite_utils

from schemas import BY_NAME, ENTITY_KIND, EXTRACTION_TABLES

from .article import Article
from .dedupe import (NEAR_DUPLICATE_BITS, content_hash, fingerprint, fingerprint_distance,
                     is_near_duplicate)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """One transaction around several writes, taking the write lock at once.

    ``with db.conn:`` is not enough: sqlite-utils commits each insert/update/upsert
    on its own when no transaction is open, so a crash between them left an article
    without its extraction.  ``BEGIN IMMEDIATE`` makes sqlite-utils nest its writes
    as savepoints, and takes the lock before the reads that decide what to write
    (another process storing the same report waits, then sees it: no duplicate, no
    constraint error).  Inside an open transaction this is a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


class DatabaseFull(RuntimeError):
    """The database cannot grow (disk full, quota, or a size limit)."""


def is_full(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's SQLITE_FULL (or the OS's 'no space left')."""
    import sqlite3
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return code is not None and code & 0xFF == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == 28


def fail_run(db: sqlite_utils.Database, run_id: int, counts: dict, errors: list[str],
             exc: BaseException, logger=None) -> BaseException:
    """Record a run as failed (best effort: the database may be the thing that failed).

    Returns the exception to raise: a :class:`DatabaseFull` saying what to do when
    the database could not grow, else ``exc`` itself.
    """
    if is_full(exc):
        reason = (f"the database is full (disk full or size limit reached): run {run_id} stopped; "
                  "every report stored before this is kept; free space and run again")
        raised: BaseException = DatabaseFull(reason)
        raised.__cause__ = exc
    else:
        reason, raised = repr(exc), exc
    try:
        finish_run(db, run_id, counts, errors + [f"run aborted: {reason}"], status="failed")
    except Exception as finish_exc:  # noqa: BLE001 - the original failure is what matters
        if logger:
            logger.error("could not record run %s as failed: %s", run_id, finish_exc)
    return raised


@contextlib.contextmanager
def recorded_run(db: sqlite_utils.Database, run_id: int, counts: dict, errors: list[str], logger=None):
    """The body of a flow run: its row is finished on success and marked failed otherwise."""
    try:
        yield
    except BaseException as exc:
        raised = fail_run(db, run_id, dict(counts), errors, exc, logger)
        if raised is exc:
            raise
        raise raised from exc
    finish_run(db, run_id, dict(counts), errors)


# -- sources, feeds, runs -------------------------------------------------------------

def sync_sources(db: sqlite_utils.Database, sources) -> None:
    with db.conn:
        db["sources"].upsert_all([s.as_row() for s in sources], pk="name")


def feed_state(db: sqlite_utils.Database, source: str) -> dict:
    rows = list(db["feeds"].rows_where("source = ?", [source]))
    return rows[0] if rows else {}


def save_feed_state(db: sqlite_utils.Database, source: str, **values) -> None:
    with db.conn:
        db["feeds"].upsert({"source": source, "last_polled": now(), **values}, pk="source")


def start_run(db: sqlite_utils.Database, flow: str, extractor_version: str | None = None) -> int:
    """A new run's row, after marking the runs that died without finishing theirs."""
    with db.conn:
        mark_interrupted_runs(db)
        return db["runs"].insert({"flow": flow, "started": now(), "status": "running",
                                  "extractor_version": extractor_version,
                                  "host": socket.gethostname(), "pid": os.getpid()}).last_pk


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True                   # someone else's process
    return True


def mark_interrupted_runs(db: sqlite_utils.Database) -> list[int]:
    """Runs of this host still 'running' whose process is gone become 'interrupted'.

    A kill -9 or a power cut gives a run no chance to finish its row; the next run
    says what happened instead of leaving it 'running' forever.  (Runs of other
    hosts cannot be checked from here and are left alone.)
    """
    ended = [row["id"] for row in db.query(
        "select id, pid from runs where status = 'running' and host = ? and pid is not null",
        [socket.gethostname()]) if not _process_alive(row["pid"])]
    for run_id in ended:
        db["runs"].update(run_id, {"status": "interrupted", "errors": [
            "the run's process ended without finishing it (killed, or the machine stopped); "
            "the next run picked up what it had not stored"]})
    return ended


def finish_run(db: sqlite_utils.Database, run_id: int, counts: dict, errors: list[str],
               status: str = "completed") -> None:
    with db.conn:
        db["runs"].update(run_id, {**counts, "errors": errors, "finished": now(), "status": status})


# -- entries and failures --------------------------------------------------------------

def seen_entries(db: sqlite_utils.Database, source: str) -> set[str]:
    return {r["entry_id"] for r in db.query("select entry_id from entries where source = ?", [source])}


def known_links(db: sqlite_utils.Database, source: str) -> set[str]:
    """Page addresses already handled for a source (as fetched, and as entries)."""
    rows = db.query("select url from articles where source = :s union select link from entries where source = :s",
                    {"s": source})
    return {r["url"] for r in rows}


def record_entry(db: sqlite_utils.Database, source: str, entry_id: str, link: str,
                 article_id: int | None) -> None:
    db["entries"].upsert({"source": source, "entry_id": entry_id, "article_id": article_id,
                          "link": link, "first_seen": now()}, pk=("source", "entry_id"))


def record_failure(db: sqlite_utils.Database, *, url: str, source: str, entry_id: str | None,
                   error: str, status: int | None, run_id: int | None) -> None:
    """Remember a page that failed, so the next run tries it again."""
    with write_transaction(db):
        previous = list(db["fetch_failures"].rows_where("url = ?", [url]))
        attempts = previous[0]["attempts"] + 1 if previous else 1
        db["fetch_failures"].upsert({
            "url": url, "source": source, "entry_id": entry_id, "attempts": attempts,
            "status": status, "error": error, "last_failed": now(), "run_id": run_id,
            "first_failed": previous[0]["first_failed"] if previous else now(),
        }, pk="url")


def pending_failures(db: sqlite_utils.Database, source: str) -> list[dict]:
    return list(db["fetch_failures"].rows_where("source = ?", [source]))


# -- articles ----------------------------------------------------------------------------

def article_by_canonical(db: sqlite_utils.Database, canonical_url: str) -> dict | None:
    rows = list(db["articles"].rows_where("canonical_url = ?", [canonical_url], limit=1))
    return rows[0] if rows else None


def find_duplicate(db: sqlite_utils.Database, text: str, published: str | None,
                   window_days: int = 7) -> dict | None:
    """An earlier stored copy of the same report (exact, or syndicated with small edits)."""
    exact = list(db["articles"].rows_where("content_hash = ? and duplicate_of is null",
                                           [content_hash(text)], limit=1))
    if exact:
        return exact[0]
    fp = fingerprint(text)
    where, params = "duplicate_of is null", []
    if published:
        day = dt.date.fromisoformat(published)
        where += " and (published is null or published between ? and ?)"
        params = [(day - dt.timedelta(days=window_days)).isoformat(),
                  (day + dt.timedelta(days=window_days)).isoformat()]
    # Fingerprints first: only a close one is worth reading the stored text for.
    for row in db["articles"].rows_where(where, params, select="id, fingerprint"):
        if row["fingerprint"] and fingerprint_distance(fp, row["fingerprint"]) <= NEAR_DUPLICATE_BITS:
            candidate = db["articles"].get(row["id"])
            if is_near_duplicate(text, fp, candidate["text"], candidate["fingerprint"]):
                return candidate
    return None


def unextracted_articles(db: sqlite_utils.Database) -> list[tuple[dict, Article]]:
    """Stored reports whose extraction failed in an earlier run: (row, Article) pairs."""
    fields = Article.__dataclass_fields__
    return [(row, Article(**{k: row[k] for k in fields}))
            for row in db["articles"].rows_where("status = 'extract_failed'", order_by="id")]


def extraction_rows(record: dict, article_id: int) -> Iterator[tuple[str, dict]]:
    """(table, row) pairs of a gold-format record, shaped by the schema's columns."""
    for field, table in EXTRACTION_TABLES.items():
        seen = Counter()
        for item in record.get(field) or []:
            row = {c: item.get(c) for c in table.columns if c in item}
            if field in ENTITY_KIND:
                row["kind"] = ENTITY_KIND[field]
            if field == "quantities":
                period = item.get("period") or {}
                row["period_start"], row["period_end"] = period.get("start"), period.get("end")
            span = (item.get("char_start"), item.get("char_end"))
            seen[(field, span)] += 1
            row["id"] = f"{article_id}:{field}:{span[0]}-{span[1]}:{seen[(field, span)]}"
            row["article_id"] = article_id
            yield table.name, row


def save_article(db: sqlite_utils.Database, article: Article, *, source: str, entry_id: str | None,
                 run_id: int | None, record: dict | None = None, duplicate_of: int | None = None,
                 status: str = "extracted") -> int:
    """Store a report and its extraction in one transaction; returns the article id."""
    values = {k: v for k, v in asdict(article).items()}
    values.update(source=source, entry_id=entry_id, run_id=run_id, status=status,
                  duplicate_of=duplicate_of, fetched_at=now(),
                  content_hash=content_hash(article.text), fingerprint=fingerprint(article.text))
    if record is not None:
        values.update(extraction_values(record))
    with write_transaction(db):
        existing = article_by_canonical(db, article.canonical_url)
        if existing:
            article_id = existing["id"]
            db["articles"].update(article_id, values)
        else:
            article_id = db["articles"].insert(values).last_pk
        if entry_id:
            record_entry(db, source, entry_id, article.url, article_id)
        if record is not None:
            write_extraction(db, article_id, record)
        db["fetch_failures"].delete_where("url = ?", [article.url])
    return article_id


def extraction_values(record: dict) -> dict:
    """The article columns an extraction sets."""
    line = record.get("dateline") or {}
    return {"extractor_version": record.get("extractor_version"), "extracted_at": now(),
            "dateline_place": line.get("place"), "dateline_date": line.get("date"),
            "extract_note": (record.get("truncated") or {}).get("reason")}


def save_extraction(db: sqlite_utils.Database, article_id: int, record: dict) -> None:
    """Replace one stored article's extraction in one transaction (re-extraction)."""
    with write_transaction(db):
        db["articles"].update(article_id, {**extraction_values(record), "status": "extracted"})
        write_extraction(db, article_id, record)


def articles_to_reextract(db: sqlite_utils.Database, version: str, *,
                          extracted_before: str | None = None) -> list[int]:
    """Ids of English reports whose extraction is older than ``version``.

    With ``extracted_before`` (a re-extraction of everything), also those extracted
    before that time, so a run cut short resumes where it stopped.
    """
    sql = ("select id from articles where status in ('extracted', 'extract_failed') "
           "and (extractor_version is null or extractor_version != :version "
           "or (:before is not null and (extracted_at is null or extracted_at < :before))) "
           "order by id")
    return [r["id"] for r in db.query(sql, {"version": version, "before": extracted_before})]


def article_texts(db: sqlite_utils.Database, ids: list[int]) -> list[dict]:
    """``{doc_id, text, published}`` of stored articles, for extraction."""
    return [{"doc_id": r["id"], "text": r["text"], "published": r["published"]}
            for r in db["articles"].rows_where("id in (select value from json_each(?))",
                                               [json.dumps(ids)], order_by="id")]


@functools.lru_cache(maxsize=None)
def _insert_sql(table_name: str) -> tuple[str, tuple[str, ...]]:
    """INSERT statement and column order of an extraction table, from the schema."""
    columns = tuple(BY_NAME[table_name].columns)
    names = ", ".join(f'"{c}"' for c in columns)
    return (f'insert or replace into "{table_name}" ({names}) values ({", ".join("?" * len(columns))})',
            columns)


def _cell(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def write_extraction(db: sqlite_utils.Database, article_id: int, record: dict) -> None:
    """Replace the extractor rows of one article (call inside a transaction)."""
    by_table: dict[str, list[dict]] = {t.name: [] for t in EXTRACTION_TABLES.values()}
    for table, row in extraction_rows(record, article_id):
        by_table[table].append(row)
    for table, rows in by_table.items():
        db.conn.execute(f'delete from "{table}" where article_id = ?', [article_id])
        if rows:
            sql, columns = _insert_sql(table)
            db.conn.executemany(sql, [tuple(_cell(row.get(c)) for c in columns) for row in rows])


# -- export --------------------------------------------------------------------------------

def _json(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def export_records(db: sqlite_utils.Database, where: str = "status = 'extracted'",
                   params: Iterable = ()) -> Iterator[dict]:
    """Every stored article (not duplicates) as a gold-format record with provenance."""
    for art in db["articles"].rows_where(where, list(params), order_by="id"):
        record = {
            "doc_id": art["canonical_url"], "source": art["source"], "url": art["canonical_url"],
            "title": art["title"], "published": art["published"],
            "extractor_version": art["extractor_version"],
            "dateline": ({"place": art["dateline_place"], "date": art["dateline_date"]}
                         if art["dateline_place"] else None),
        }
        for field, table in EXTRACTION_TABLES.items():
            where_items, params_items = "article_id = ?", [art["id"]]
            if field in ENTITY_KIND:
                where_items += " and kind = ?"
                params_items.append(ENTITY_KIND[field])
            items = []
            for row in db[table.name].rows_where(where_items, params_items, order_by="char_start"):
                item = {k: _json(v) for k, v in row.items() if k not in ("article_id", "kind")}
                if field == "quantities":
                    start, end = item.pop("period_start"), item.pop("period_end")
                    item["period"] = {"start": start, "end": end} if start else None
                items.append(item)
            record[field] = items
        yield record
