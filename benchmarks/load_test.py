"""Load test: a reviewer writing corrections every 100 ms while ``reextract --all`` runs.

1. A database of N generated reports (default 2,000; ``--articles 20000`` for the full
   run) is written directly with ``schemas.connect`` + ``store.save_article``, each with
   a cheap fake extraction (one quantity), so generating it costs seconds, not hours.
2. ``reextract --all`` (the real flow, the real extractor) rewrites every report's
   extraction, the flow being the one writer, one transaction per report.
3. Meanwhile a reviewer session on its own connection (busy_timeout 10 s, as
   ``schemas.connect`` sets) records a decision every ``--interval`` seconds through
   ``factwire.review.core`` (correct / accept / reject on a fact it has just read): in
   a thread of this process by default, or with ``--reviewer-process`` in a process of
   its own, as a Datasette server is (then it does not compete with the extraction
   threads for the interpreter lock).

Printed: corrections acknowledged (returned without error) against corrections stored
(and their audit rows): they must be equal; refusals by reason; how long each
decision waited for the write lock (BEGIN IMMEDIATE), and the whole time.

Usage: python -m benchmarks.load_test [--articles N] [--interval 0.1] [--reviewer-process]
       [--keep DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from . import wiregen

_NUMBER = re.compile(r"\d[\d,.]*(?: million| thousand)?")


class TimedConnection(sqlite3.Connection):
    """A connection that times how long BEGIN IMMEDIATE waits for the write lock."""

    lock_waits: list[float]

    def execute(self, sql, *args):
        if sql.upper().startswith("BEGIN IMMEDIATE"):
            started = time.perf_counter()
            try:
                return super().execute(sql, *args)
            finally:
                self.lock_waits.append(time.perf_counter() - started)
        return super().execute(sql, *args)


def fake_record(text: str) -> dict:
    """One quantity on the first number of the text: enough rows to review and rewrite."""
    m = _NUMBER.search(text)
    start, end = (m.start(), m.end()) if m else (0, 1)
    sentence_end = text.find(". ", end)
    sentence_end = len(text) if sentence_end < 0 else sentence_end + 1
    return {"extractor_version": "load.0", "quantities": [{
        "text": text[start:end], "amount": 1.0, "unit": "t", "per": None, "commodity": "oil",
        "period": None, "facilities": [], "status": "actual", "char_start": start,
        "char_end": end, "sentence": text[:sentence_end], "sentence_start": 0,
        "confidence": 0.5, "extractor": "load.fake"}]}


def generate(db_path: str, n: int, seed: int = 11) -> None:
    import schemas
    from factwire import store
    from factwire.article import Article

    rng = random.Random(seed)
    db = schemas.connect(db_path)
    with db.conn:
        db["sources"].insert({"name": "load", "title": "Load test"}, pk="name", replace=True)
    start = dt.date(2025, 1, 1)
    for chunk in range(0, n, 1000):
        with store.write_transaction(db):       # one commit per thousand reports
            for i in range(chunk, min(n, chunk + 1000)):
                day = start + dt.timedelta(days=i % 330)
                title, text = wiregen.report(rng, day)
                url = f"https://load.example/news/{i:06d}.html"
                store.save_article(db, Article(url=url, final_url=url, canonical_url=url,
                                               title=title, text=text, language="en",
                                               published=day.isoformat(), published_from="feed"),
                                   source="load", entry_id=url, run_id=None, record=fake_record(text))
    db.conn.close()


class Reviewer:
    """Records one decision every ``interval`` seconds until ``stop`` is set."""

    def __init__(self, db_path: str, interval: float, stop, seed: int = 5):
        self.db_path, self.interval, self.stop = db_path, interval, stop
        self.rng = random.Random(seed)
        self.acknowledged: list[str] = []     # notes of decisions that returned without error
        self.refused: dict[str, int] = {}
        self.call_seconds: list[float] = []
        self.conn = sqlite3.connect(db_path, factory=TimedConnection, check_same_thread=False)
        self.conn.lock_waits = []
        self.conn.execute("PRAGMA busy_timeout = 10000")
        self.conn.execute("PRAGMA foreign_keys = ON")

    def run(self) -> None:
        from factwire.review import core
        max_article = self.conn.execute("select max(id) from articles").fetchone()[0]
        n = 0
        next_at = time.monotonic()
        while not self.stop.is_set():
            next_at += self.interval
            row = self.conn.execute(
                "select id from quantities where article_id = ? order by char_start limit 1",
                [self.rng.randint(1, max_article)]).fetchone()
            if row:
                n += 1
                note = f"load-{n}"
                action = self.rng.choice(("correct", "correct", "accept", "reject"))
                values = {"amount": str(self.rng.randint(1, 10**7))} if action == "correct" else None
                started = time.perf_counter()
                try:
                    core.record_decision(self.conn, row[0], action, "loadtester", values, note=note)
                except core.ReviewBusyError:
                    self.refused["busy"] = self.refused.get("busy", 0) + 1
                except core.ReviewError as exc:   # e.g. the fact vanished in a re-extraction
                    key = " ".join(str(exc).split(" ")[:2])
                    self.refused[key] = self.refused.get(key, 0) + 1
                else:
                    self.acknowledged.append(note)
                self.call_seconds.append(time.perf_counter() - started)
            self.stop.wait(max(0.0, next_at - time.monotonic()))

    def results(self) -> dict:
        return {"acknowledged": self.acknowledged, "refused": self.refused,
                "call_seconds": self.call_seconds, "lock_waits": self.conn.lock_waits}


def review_session(db_path: str, interval: float, stop, queue) -> None:
    """The reviewer in a process of its own (as the Datasette server is)."""
    reviewer = Reviewer(db_path, interval, stop)
    reviewer.run()
    queue.put(reviewer.results())


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="reports to generate (20000: full run)")
    ap.add_argument("--interval", type=float, default=0.1, help="seconds between decisions")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--in-flight", type=int, default=2, help="extraction batches in flight")
    ap.add_argument("--keep", help="write the database here and keep it")
    ap.add_argument("--reviewer-process", action="store_true",
                    help="run the reviewer in its own process (as a Datasette server is), "
                         "not a thread sharing the extraction's interpreter")
    args = ap.parse_args(argv)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    work = Path(args.keep or tempfile.mkdtemp(prefix="factwire-load-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = str(work / "load.db")
    try:
        started = time.perf_counter()
        generate(db_path, args.articles)
        print(f"generated {args.articles} reports with fake extractions in "
              f"{time.perf_counter() - started:.1f} s")
        from extractors import load_pipeline
        from flows.reextract import reextract
        load_pipeline()

        if args.reviewer_process:
            ctx = multiprocessing.get_context("spawn")
            stop, queue = ctx.Event(), ctx.Queue()
            worker = ctx.Process(target=review_session, args=(db_path, args.interval, stop, queue))
        else:
            stop = threading.Event()
            in_thread = Reviewer(db_path, args.interval, stop)
            worker = threading.Thread(target=in_thread.run, name="reviewer", daemon=True)
        started = time.perf_counter()
        worker.start()
        summary = reextract(db_path=db_path, all_articles=True, batch_size=args.batch_size,
                            max_in_flight=args.in_flight)
        stop.set()
        result = queue.get(timeout=120) if args.reviewer_process else in_thread.results()
        worker.join()
        total = time.perf_counter() - started

        conn = sqlite3.connect(db_path)
        stored = {r[0] for r in conn.execute(
            "select note from corrections where reviewer = 'loadtester'")}
        audited = conn.execute("select count(*) from audit_log where reviewer = 'loadtester'").fetchone()[0]
        acknowledged = set(result["acknowledged"])
        versions = conn.execute("select extractor_version, count(*) from articles group by 1").fetchall()
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
        waits, calls = result["lock_waits"], result["call_seconds"]

        print(f"reextract --all: {summary['reextracted']} reports in {summary['seconds']:.1f} s "
              f"({summary['reextracted'] / max(summary['seconds'], 1e-9):.1f} reports/s), "
              f"{summary['facts']} facts; versions now {versions}")
        print(f"total time with the reviewer ({'own process' if args.reviewer_process else 'thread'}): "
              f"{total:.1f} s; decisions every {args.interval * 1000:.0f} ms asked, one per "
              f"{total / max(len(calls), 1) * 1000:.0f} ms done")
        print(f"decisions attempted: {len(calls)}  acknowledged: {len(acknowledged)}  "
              f"stored: {len(stored)}  audit rows: {audited}  refused: {result['refused'] or 0}")
        print(f"acknowledged == stored: {acknowledged == stored}  "
              f"(acknowledged not stored: {len(acknowledged - stored)}, "
              f"stored not acknowledged: {len(stored - acknowledged)})")
        print(f"write-lock waits (BEGIN IMMEDIATE), {len(waits)} decisions: "
              f"median {statistics.median(waits) * 1000 if waits else 0:.1f} ms, "
              f"p95 {percentile(waits, 95) * 1000:.1f} ms, max {max(waits, default=0) * 1000:.1f} ms, "
              f"total {sum(waits):.2f} s, over 100 ms: {sum(w > 0.1 for w in waits)}")
        print(f"whole decision (read + lock + write): median "
              f"{statistics.median(calls) * 1000 if calls else 0:.1f} ms, "
              f"p95 {percentile(calls, 95) * 1000:.1f} ms, max {max(calls, default=0) * 1000:.1f} ms")
        print(f"integrity_check: {integrity}")
        ok = acknowledged == stored and audited == len(stored) and integrity == "ok"
        print("RESULT:", "ok" if ok else "MISMATCH")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
