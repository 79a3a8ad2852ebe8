"""Reviewers' decisions as data: record them, read effective values, export gold.

Plain functions over a ``sqlite3.Connection`` (Datasette's write thread hands
one to the plugin; tests and the CLI pass ``sqlite_utils.Database.conn``).
Decisions are appended to ``corrections`` / ``name_merges``; SQLite triggers
copy each into the append-only ``audit_log`` (schemas/review.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import sqlite3
from typing import Iterator

from schemas.review import ACTIONS
from schemas.views import FACT_VALUES

PERS = ("day", "week", "month", "quarter", "year")
STATUSES = ("actual", "planned", "forecast", "capacity", "agreed")
ENTITY_KINDS = ("organization", "place", "person")
FACILITY_KINDS = ("pipeline", "port", "terminal", "field", "refinery", "mooring", "platform",
                  "storage", "plant", "railway", "other")


class ReviewError(ValueError):
    """A decision that cannot be recorded (bad value, unknown fact or name)."""


class ReviewBusyError(ReviewError):
    """Another writer held the database longer than this connection waits (busy_timeout)."""


@contextlib.contextmanager
def _writing(conn: sqlite3.Connection):
    """One write transaction, the lock taken first (so 'before' is read under it).

    A lock held by another writer (an ingest batch, a re-extraction) is waited for up
    to the connection's busy timeout; past it, nothing is stored and ReviewBusyError
    says so.  Inside a caller's open transaction this joins it and commits nothing.
    """
    began = not conn.in_transaction
    try:
        if began:
            conn.execute("BEGIN IMMEDIATE")
        yield
        if began:
            conn.execute("COMMIT")
    except BaseException as exc:
        if began and conn.in_transaction:
            conn.rollback()
        if isinstance(exc, sqlite3.OperationalError) and (
                "locked" in str(exc) or "busy" in str(exc)):
            raise ReviewBusyError(
                "the database is busy with another write (an ingest or a re-extraction) and the "
                "decision was not saved; try again in a moment") from exc
        raise


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _loads(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# -- reading -----------------------------------------------------------------------------

def effective_fact(conn: sqlite3.Connection, fact_id: str) -> dict | None:
    """The fact as readers see it (a row of the ``facts`` view), or None if left out."""
    rows = _rows(conn, "select * from facts where id = ?", [fact_id])
    return rows[0] if rows else None


def current_state(conn: sqlite3.Connection, fact_id: str) -> dict | None:
    """Values and review_status of a quantity now, including rejected ones."""
    fact = effective_fact(conn, fact_id)
    if fact is not None:
        state = {c: fact[c] for c in FACT_VALUES}
        state.update(article_id=fact["article_id"], review_status=fact["review_status"])
        return state
    latest = _rows(conn, "select * from corrections where target_table = 'quantities' and "
                         "target_id = ? order by id desc limit 1", [fact_id])
    extracted = _rows(conn, "select * from quantities where id = ?", [fact_id])
    if latest and latest[0]["action"] == "reject":
        values = _loads(latest[0]["corrected"]) or {}
        base = extracted[0] if extracted else {}
        state = {c: values.get(c, base.get(c)) for c in FACT_VALUES}
        state.update(article_id=latest[0]["article_id"], review_status="rejected")
        return state
    if extracted:  # e.g. its article is not in 'extracted' status
        state = {c: extracted[0][c] for c in FACT_VALUES}
        state.update(article_id=extracted[0]["article_id"], review_status="unreviewed")
        return state
    return None


# -- validating a correction ---------------------------------------------------------------

def _text(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    return value or None


def _date(value, label: str) -> str | None:
    value = _text(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ReviewError(f"{label}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_facilities(value) -> list[str]:
    """Facility names from a form: one per line (or separated by ';'), or a list."""
    if isinstance(value, (list, tuple)):
        names = value
    else:
        names = (value or "").replace(";", "\n").splitlines()
    out: list[str] = []
    for name in names:
        name = " ".join(str(name).split())
        if name and name not in out:
            out.append(name)
    return out


def clean_values(form: dict) -> dict:
    """Validated corrected values from a form (strings) or a dict; raises ReviewError."""
    values: dict = {}
    if "amount" in form:
        raw = _text(form.get("amount"))
        if raw is None:
            raise ReviewError("amount: a corrected fact needs an amount")
        try:
            amount = float(raw.replace(",", "").replace("_", ""))
        except ValueError:
            raise ReviewError(f"amount: {raw!r} is not a number") from None
        if not math.isfinite(amount) or amount < 0:
            raise ReviewError(f"amount: {raw!r} is not a usable amount")
        values["amount"] = amount
    if "unit" in form:
        values["unit"] = _text(form.get("unit"))
    if "per" in form:
        per = _text(form.get("per"))
        if per is not None and per not in PERS:
            raise ReviewError(f"per: {per!r} is not one of {', '.join(PERS)} (or empty)")
        values["per"] = per
    if "commodity" in form:
        values["commodity"] = _text(form.get("commodity"))
    if "period_start" in form or "period_end" in form:
        start = _date(form.get("period_start"), "period start")
        end = _date(form.get("period_end"), "period end")
        if (start is None) != (end is None):
            raise ReviewError("period: give both start and end, or neither")
        if start and end and start > end:
            raise ReviewError(f"period: start {start} is after end {end}")
        values["period_start"], values["period_end"] = start, end
    if "facilities" in form:
        values["facilities"] = parse_facilities(form.get("facilities"))
    if "status" in form:
        status = _text(form.get("status"))
        if status is not None and status not in STATUSES:
            raise ReviewError(f"status: {status!r} is not one of {', '.join(STATUSES)} (or empty)")
        values["status"] = status
    return values


# -- recording decisions -------------------------------------------------------------------

def record_decision(conn: sqlite3.Connection, fact_id: str, action: str, reviewer: str,
                    values: dict | None = None, note: str | None = None) -> dict | None:
    """Append one decision on a quantity; returns its effective fact afterwards.

    ``values`` (for 'correct') are validated by :func:`clean_values`; the stored
    ``corrected`` JSON holds the full effective values after the decision, and
    ``before`` the effective values (and review_status) before it.
    """
    if action not in ACTIONS:
        raise ReviewError(f"action: {action!r} is not one of {', '.join(ACTIONS)}")
    if not reviewer:
        raise ReviewError("a decision needs a reviewer")
    with _writing(conn):
        before = current_state(conn, fact_id)
        if before is None:
            raise ReviewError(f"no fact {fact_id!r}")
        after = {c: before.get(c) for c in FACT_VALUES}
        if isinstance(after.get("facilities"), str):
            after["facilities"] = _loads(after["facilities"])
        if action == "correct":
            changes = clean_values(values or {})
            if not changes:
                raise ReviewError("a correction needs at least one value")
            after.update(changes)
        before_json = dict(before)
        before_json["facilities"] = _loads(before_json.get("facilities"))
        conn.execute(
            "insert into corrections (target_table, target_id, article_id, action, corrected, "
            "before, reviewer, created_at, note) values ('quantities', ?, ?, ?, ?, ?, ?, ?, ?)",
            [fact_id, before["article_id"], action, json.dumps(after, ensure_ascii=False),
             json.dumps(before_json, ensure_ascii=False), reviewer, now(), _text(note)])
    return effective_fact(conn, fact_id)


def _resolve(conn: sqlite3.Connection, target: str, kind: str | None, name: str) -> str:
    view = "facility_names" if target == "facilities" else "entity_names"
    sql = f"select canonical from {view} where alias = ?"
    params: list = [name]
    if target == "entities":
        sql += " and kind = ?"
        params.append(kind)
    rows = conn.execute(sql, params).fetchall()
    canon = {r[0] for r in rows}
    return canon.pop() if len(canon) == 1 else name


def known_name(conn: sqlite3.Connection, target: str, kind: str | None, name: str) -> bool:
    view = "facility_names" if target == "facilities" else "entity_names"
    sql = f"select 1 from {view} where (alias = ? or canonical = ?)"
    params: list = [name, name]
    if target == "entities":
        sql += " and kind = ?"
        params.append(kind)
    return conn.execute(sql, params).fetchone() is not None


def record_merge(conn: sqlite3.Connection, target: str, alias: str, canonical: str,
                 reviewer: str, *, action: str = "merge", kind: str | None = None) -> str:
    """Map ``alias`` to ``canonical`` (a merge of two names, or a new alias).

    For 'merge' the alias must be a name the extractors or reviewers already
    know; for 'alias' the canonical must be.  Names already pointing at the
    merged name follow it.  Returns the canonical name stored.
    """
    if target not in ("facilities", "entities"):
        raise ReviewError(f"target: {target!r} is not facilities or entities")
    if action not in ("merge", "alias"):
        raise ReviewError(f"action: {action!r} is not merge or alias")
    if target == "entities" and kind not in ENTITY_KINDS:
        raise ReviewError(f"kind: an entity merge needs one of {', '.join(ENTITY_KINDS)}")
    alias, canonical = " ".join((alias or "").split()), " ".join((canonical or "").split())
    if not alias or not canonical:
        raise ReviewError("both the name and the canonical name are needed")
    with _writing(conn):
        canonical = _resolve(conn, target, kind, canonical)
        if not known_name(conn, target, kind, canonical):
            raise ReviewError(f"{canonical!r} is not a known {target[:-1] if target == 'entities' else 'facility'} name")
        if action == "merge" and not known_name(conn, target, kind, alias):
            raise ReviewError(f"{alias!r} is not a known name (use 'alias' to add a new spelling)")
        if alias == canonical:
            raise ReviewError(f"{alias!r} already is the canonical name")
        if target == "facilities" and kind is None:
            row = conn.execute("select kind from facility_names where canonical = ? and kind is not null "
                               "limit 1", [canonical]).fetchone()
            kind = row[0] if row else None
        view = "facility_names" if target == "facilities" else "entity_names"
        followers = [r[0] for r in conn.execute(
            f"select distinct alias from {view} where canonical = ? and alias != ?"
            + (" and kind = ?" if target == "entities" else ""),
            [alias, alias] + ([kind] if target == "entities" else []))]
        stamp = now()
        for name in [alias] + [f for f in followers if f != canonical]:
            conn.execute(
                "insert into name_merges (target, kind, alias, canonical, action, reviewer, "
                "created_at) values (?, ?, ?, ?, ?, ?, ?)",
                [target, kind, name, canonical, action if name == alias else "merge", reviewer, stamp])
    return canonical


# -- gold export -----------------------------------------------------------------------------

_PROVENANCE = ("id", "char_start", "char_end", "sentence", "sentence_start", "confidence",
               "extractor", "mentions", "qualifier")


def _name_map(conn: sqlite3.Connection, view: str) -> dict:
    out: dict = {}
    for alias, canonical, kind in conn.execute(f"select alias, canonical, kind from {view}"):
        out.setdefault((alias, kind), canonical)
        out.setdefault((alias, None), canonical)
    return out


def _merge_names(items: list[dict], names: dict, kinds: dict | None = None) -> list[dict]:
    merged: dict[str, dict] = {}
    for item in items:
        name = item.get("name")
        canonical = names.get((name, item.get("kind_key")), names.get((name, None), name))
        entry = merged.setdefault(canonical, {"name": canonical, "aliases": []})
        if "kind" in item:
            entry.setdefault("kind", (kinds or {}).get(canonical) or item.get("kind"))
        for spelling in [name] + list(item.get("aliases") or []):
            if spelling and spelling != canonical and spelling not in entry["aliases"]:
                entry["aliases"].append(spelling)
    return list(merged.values())


def reviewed_article_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute(
        "select distinct c.article_id from corrections c join articles a on a.id = c.article_id "
        "order by c.article_id")]


def gold_records(db) -> Iterator[dict]:
    """The reviewed documents (at least one decision) in the gold format, effective values."""
    from factwire.store import export_records

    conn = getattr(db, "conn", db)
    ids = reviewed_article_ids(conn)
    if not ids:
        return
    facility_map = _name_map(conn, "facility_names")
    entity_map = _name_map(conn, "entity_names")
    facility_kinds = {c: k for _, c, k in conn.execute(
        "select alias, canonical, kind from facility_names where alias = canonical")}
    marks = ",".join("?" * len(ids))
    import sqlite_utils
    sdb = db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(conn)
    for record in export_records(sdb, where=f"id in ({marks})", params=ids):
        article_id = conn.execute("select id from articles where canonical_url = ?",
                                  [record["doc_id"]]).fetchone()[0]
        for field, kind in (("organizations", "organization"), ("places", "place"),
                            ("people", "person")):
            items = [{"name": i["name"], "aliases": i.get("aliases") or [], "kind_key": kind}
                     for i in record.get(field) or []]
            record[field] = _merge_names(items, entity_map)
        items = [{"name": i["name"], "aliases": i.get("aliases") or [], "kind": i.get("kind"),
                  "kind_key": i.get("kind")} for i in record.get("facilities") or []]
        record["facilities"] = [{"name": f["name"], "kind": f.get("kind"), "aliases": f["aliases"]}
                                for f in _merge_names(items, facility_map, facility_kinds)]
        record["quantities"] = [
            {"text": f["text"], "amount": f["amount"], "unit": f["unit"], "per": f["per"],
             "commodity": f["commodity"],
             "period": ({"start": f["period_start"], "end": f["period_end"]}
                        if f["period_start"] else None),
             "facilities": _loads(f["facilities"]) or [], "status": f["status"]}
            for f in _rows(conn, "select * from facts where article_id = ? "
                                 "order by char_start, id", [article_id])]
        record["dates"] = [{k: v for k, v in d.items() if k not in _PROVENANCE}
                           for d in record.get("dates") or []]
        yield record
