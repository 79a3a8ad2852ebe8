"""Process faults: kill -9 mid-write, a full disk, a locked database, two ingests at once.

Each case runs the real flows (in a subprocess where the process itself is the
fault) on a generated agency site served by the real sample server, then checks
that a re-run completes, that no report or correction is lost or stored twice,
and that SQLite's own ``PRAGMA integrity_check`` is ok.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ is not installed

import schemas  # noqa: E402
from benchmarks import wiregen  # noqa: E402
from factwire import store  # noqa: E402
from factwire.article import Article  # noqa: E402
from factwire.review import core  # noqa: E402
from factwire.sample_server import serve  # noqa: E402

pytestmark = pytest.mark.usefixtures("prefect_api")

DESK_TEXT = ("BAKU, May 2 (Wire) - The Sangachal terminal received 3.1 million tonnes of oil in "
             "April, the operator said on Friday.")


def seed_reviewed(db_path: str) -> str:
    """One stored report with a reviewed fact (a correction and its audit row); returns its id."""
    db = schemas.connect(db_path)
    with db.conn:
        db["sources"].insert({"name": "desk", "title": "Desk"}, pk="name", replace=True)
    start = DESK_TEXT.index("3.1 million tonnes")
    record = {"extractor_version": "seed.1", "quantities": [{
        "text": "3.1 million tonnes", "amount": 3100000.0, "unit": "t", "per": None,
        "commodity": "oil", "period": None, "facilities": ["Sangachal terminal"], "status": "actual",
        "char_start": start, "char_end": start + 18, "sentence": DESK_TEXT[DESK_TEXT.index("The"):],
        "sentence_start": DESK_TEXT.index("The"), "confidence": 0.5, "extractor": "seed"}]}
    article_id = store.save_article(db, Article(
        url="https://desk.example/sangachal", final_url="https://desk.example/sangachal",
        canonical_url="https://desk.example/sangachal", title="Sangachal receipts", text=DESK_TEXT,
        language="en", published="2025-05-02", published_from="feed"),
        source="desk", entry_id="desk-1", run_id=None, record=record)
    fact_id = f"{article_id}:quantities:{start}-{start + 18}:1"
    core.record_decision(db.conn, fact_id, "correct", "alice", {"amount": "3200000"}, note="seed")
    db.conn.close()
    return fact_id


def check_database(db_path: str, items: int, fact_id: str | None = None) -> sqlite3.Connection:
    """Integrity, every generated report stored once with its facts, the seeded correction kept."""
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    bench = conn.execute("select count(*), count(distinct canonical_url) from articles "
                         "where source like 'bench%'").fetchone()
    assert bench == (items, items)
    # Every report is whole: each generated report has amounts, so each stored one has facts.
    bare = conn.execute("select canonical_url from articles a where source like 'bench%' and "
                        "not exists (select 1 from quantities q where q.article_id = a.id)").fetchall()
    assert bare == []
    assert conn.execute("select count(*) from entries where source like 'bench%'").fetchone()[0] == items
    assert conn.execute("select count(*) from articles where status != 'extracted'").fetchone()[0] == 0
    # The FTS index agrees with the table.
    assert conn.execute("select count(*) from articles_fts").fetchone()[0] == \
        conn.execute("select count(*) from articles").fetchone()[0]
    if fact_id:
        rows = conn.execute("select reviewer, action, corrected from corrections").fetchall()
        assert [(r[0], r[1], json.loads(r[2])["amount"]) for r in rows] == [("alice", "correct", 3200000.0)]
        assert conn.execute("select count(*) from audit_log").fetchone()[0] == 1
        assert conn.execute("select amount, review_status from facts where id = ?",
                            [fact_id]).fetchone() == (3200000.0, "corrected")
    return conn


def build_site(root: Path, items: int, feeds: int = 2, sitemap: bool = False) -> Path:
    wiregen.build(root / "site", items, feeds=feeds)
    return wiregen.sources_toml(root / "sources.toml", feeds=feeds, sitemap=sitemap)


def ingest_in_process(sources, db_path, origin, **kw) -> dict:
    from flows.ingest import ingest
    return ingest(sources_path=str(sources), db_path=db_path, samples_origin=origin, **kw)


def backfill_in_process(sources, db_path, origin, **kw) -> dict:
    from flows.backfill import backfill
    return backfill(sources_path=str(sources), db_path=db_path, samples_origin=origin, **kw)


CHILD = textwrap.dedent("""
    import json, os, sys, time
    sys.path.insert(0, {root!r})
    from factwire import store
    kill_at, marker = {kill_at!r}, {marker!r}
    if kill_at:
        real, seen = store.write_extraction, [0]

        def write_extraction(db, article_id, record):
            # The real write, then (once) hold the open transaction until the test kills us.
            real(db, article_id, record)
            seen[0] += 1
            if seen[0] == kill_at:
                url = db.conn.execute("select canonical_url from articles where id = ?",
                                      [article_id]).fetchone()[0]
                with open(marker + ".tmp", "w") as f:
                    json.dump({{"url": url, "in_transaction": db.conn.in_transaction}}, f)
                os.rename(marker + ".tmp", marker)
                time.sleep(600)
        store.write_extraction = write_extraction
    from flows.{flow} import {flow}
    summary = {flow}(sources_path={sources!r}, db_path={db!r}, samples_origin={origin!r},
                     batch_size=16)
    print(json.dumps({{k: v for k, v in summary.items() if k != "errors"}}))
""")


def start_child(sources, db_path, origin, *, kill_at=0, marker="", flow="ingest") -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL
    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value(), PREFECT_LOGGING_LEVEL="ERROR")
    code = CHILD.format(root=str(ROOT), kill_at=kill_at, marker=str(marker), sources=str(sources),
                        db=db_path, origin=origin, flow=flow)
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- kill -9 during a batch write -------------------------------------------------------------

@pytest.mark.parametrize("flow", ["ingest", "backfill"])
def test_kill_9_during_a_batch_write_loses_and_duplicates_nothing(tmp_path, db_path, flow):
    items = 64
    sources = build_site(tmp_path, items, sitemap=flow == "backfill")
    fact_id = seed_reviewed(db_path)
    marker = tmp_path / "killed-at.json"
    with serve(tmp_path / "site", port=0) as server:
        child = start_child(sources, db_path, server.origin, kill_at=37, marker=marker, flow=flow)
        try:
            deadline = time.monotonic() + 240
            while not marker.exists():
                assert child.poll() is None, child.communicate()[1][-3000:]
                assert time.monotonic() < deadline, f"the {flow} never reached its 37th write"
                time.sleep(0.05)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=30)
        killed = json.loads(marker.read_text())
        assert killed["in_transaction"]          # the kill landed inside a write transaction

        conn = sqlite3.connect(db_path)
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        # The report being written when the process died is wholly absent, not half there.
        assert conn.execute("select count(*) from articles where canonical_url = ?",
                            [killed["url"]]).fetchone() == (0,)
        stored = conn.execute("select count(*) from articles where source like 'bench%'").fetchone()[0]
        assert 16 <= stored < items
        assert conn.execute("select flow, status from runs").fetchall() == [(flow, "running")]
        conn.close()

        run = ingest_in_process if flow == "ingest" else backfill_in_process
        summary = run(sources, db_path, server.origin, batch_size=16)
    assert summary["articles_failed"] == 0
    conn = check_database(db_path, items, fact_id)
    assert conn.execute("select count(*) from articles where canonical_url = ?",
                        [killed["url"]]).fetchone() == (1,)
    # The next run said what had happened to the killed one.
    runs = conn.execute("select status, errors from runs order by id").fetchall()
    assert [status for status, _ in runs] == ["interrupted", "completed"]
    assert "ended without finishing" in runs[0][1]


# -- disk full ------------------------------------------------------------------------------------

def test_a_full_disk_stops_the_run_clearly_and_keeps_what_was_stored(tmp_path, db_path, monkeypatch):
    import flows.ingest
    sources = build_site(tmp_path, 24, feeds=1)
    fact_id = seed_reviewed(db_path)
    with serve(tmp_path / "site", port=0) as server:
        first = ingest_in_process(sources, db_path, server.origin)
        assert first["articles_new"] == 24
        before = check_database(db_path, 24, fact_id)
        stored = {r[0]: r[1] for r in before.execute("select canonical_url, id from articles")}
        facts_before = before.execute("select count(*) from quantities").fetchone()[0]
        before.close()
        build_site(tmp_path, 48, feeds=1)          # the same 24 reports and 24 new ones

        real_connect = flows.ingest.connect

        def full_disk(path, **kw):
            # The database may grow by a few pages only: SQLite answers SQLITE_FULL after that,
            # as it does on a full disk.
            db = real_connect(path, **kw)
            pages = db.conn.execute("pragma page_count").fetchone()[0]
            db.conn.execute(f"pragma max_page_count = {pages + 12}")
            return db

        monkeypatch.setattr(flows.ingest, "connect", full_disk)
        with pytest.raises(Exception) as failure:
            ingest_in_process(sources, db_path, server.origin)
        message = str(failure.value)
        assert "full" in message and "run again" in message, message

        conn = sqlite3.connect(db_path)
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        run = conn.execute("select status, errors from runs order by id desc limit 1").fetchone()
        assert run[0] == "failed" and "full" in run[1]
        kept = {r[0]: r[1] for r in conn.execute("select canonical_url, id from articles")}
        assert {u: kept.get(u) for u in stored} == stored          # nothing earlier lost
        assert conn.execute("select count(*) from quantities where article_id in "
                            "(select value from json_each(?))",
                            [json.dumps(list(stored.values()))]).fetchone()[0] == facts_before
        conn.close()

        monkeypatch.setattr(flows.ingest, "connect", real_connect)   # space is back
        again = ingest_in_process(sources, db_path, server.origin)
    assert again["articles_failed"] == 0
    check_database(db_path, 48, fact_id)


# -- a locked database while a reviewer writes -------------------------------------------------------

def hold_write_lock(db_path: str, seconds: float, started: threading.Event) -> threading.Thread:
    """Another connection holding a write transaction (as an ingest batch does) for a while."""
    def hold():
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("begin immediate")
        conn.execute("insert or replace into sources (name, title) values ('lock-holder', ?)",
                     [str(time.time())])
        started.set()
        time.sleep(seconds)
        conn.execute("commit")
        conn.close()
    thread = threading.Thread(target=hold)
    thread.start()
    assert started.wait(10)
    return thread


def test_a_reviewer_write_waits_for_a_long_write_transaction(tmp_path, db_path):
    fact_id = seed_reviewed(db_path)
    reviewer = schemas.connect(db_path)
    thread = hold_write_lock(db_path, 1.5, threading.Event())
    started = time.monotonic()
    after = core.record_decision(reviewer.conn, fact_id, "reject", "bob", note="locked")
    waited = time.monotonic() - started
    thread.join()
    assert waited >= 1.0 and after is None          # it waited for the lock, then was recorded
    rows = reviewer.conn.execute("select reviewer, action from corrections order by id").fetchall()
    assert rows == [("alice", "correct"), ("bob", "reject")]
    assert reviewer.conn.execute("select count(*) from audit_log").fetchone()[0] == 2
    assert reviewer.conn.execute("pragma integrity_check").fetchall() == [("ok",)]


def test_a_reviewer_write_that_cannot_wait_fails_clearly_and_stores_nothing(tmp_path, db_path):
    fact_id = seed_reviewed(db_path)
    reviewer = schemas.connect(db_path)
    reviewer.conn.execute("pragma busy_timeout = 200")   # a lock held past the reviewer's patience
    thread = hold_write_lock(db_path, 1.5, threading.Event())
    with pytest.raises(core.ReviewBusyError, match="busy.*not saved.*try again"):
        core.record_decision(reviewer.conn, fact_id, "reject", "bob")
    thread.join()
    assert not reviewer.conn.in_transaction
    assert reviewer.conn.execute("select count(*) from corrections").fetchone()[0] == 1
    core.record_decision(reviewer.conn, fact_id, "reject", "bob")   # trying again works
    assert reviewer.conn.execute("select count(*) from corrections").fetchone()[0] == 2
    assert reviewer.conn.execute("select count(*) from audit_log").fetchone()[0] == 2
    assert reviewer.conn.execute("pragma integrity_check").fetchall() == [("ok",)]


def test_the_review_ui_under_a_held_lock_saves_or_says_it_did_not(tmp_path, db_path):
    """Datasette's write connection waits 5 s (sqlite3's default timeout) for the lock."""
    from datasette_auth_passwords.utils import hash_password

    from factwire.review_cli import build_datasette
    fact_id = seed_reviewed(db_path)
    password = "a long pass phrase"

    async def go(hold_seconds):
        ds = build_datasette(db_path, {"bob": hash_password(password, iterations=1000)}, secret="t")
        login = await ds.client.post("/-/login", data={"username": "bob", "password": password})
        cookies = {"ds_actor": login.cookies["ds_actor"]}
        page = await ds.client.get("/-/review?status=all", cookies=cookies)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
        thread = hold_write_lock(db_path, hold_seconds, threading.Event())
        try:
            response = await ds.client.post("/-/review/decide", cookies=cookies, data={
                "csrftoken": token, "fact_id": fact_id, "action": "accept"})
        finally:
            await asyncio.to_thread(thread.join)
        assert response.status_code == 302, response.text
        shown = await ds.client.get("/-/review", cookies={**cookies,
                                                          "ds_messages": response.cookies["ds_messages"]})
        return shown.text

    text = run_async(go(1.0))           # shorter than the write connection's wait (5 s): saved
    assert "Accepted fact" in text
    conn = sqlite3.connect(db_path)
    assert conn.execute("select action from corrections order by id").fetchall() == [
        ("correct",), ("accept",)]
    text = run_async(go(6.0))           # longer: not saved, and the reviewer is told so
    assert "Not saved: the database is busy with another write" in text
    assert "Accepted fact" not in text
    assert conn.execute("select count(*) from corrections").fetchone()[0] == 2
    assert conn.execute("select count(*) from audit_log").fetchone()[0] == 2
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    conn.close()


def run_async(coro):
    return asyncio.run(coro)


# -- two ingests at once -------------------------------------------------------------------------------

def test_two_ingests_at_once_store_each_report_once(tmp_path, db_path):
    items = 48
    sources = build_site(tmp_path, items)
    fact_id = seed_reviewed(db_path)
    with serve(tmp_path / "site", port=0) as server:
        children = [start_child(sources, db_path, server.origin) for _ in range(2)]
        outputs = [c.communicate(timeout=300) for c in children]
        for child, (out, err) in zip(children, outputs):
            assert child.returncode == 0, err[-4000:]
        summaries = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        assert all(s["articles_failed"] == 0 for s in summaries)
        check_database(db_path, items, fact_id)
        again = ingest_in_process(sources, db_path, server.origin)
    assert again["articles_new"] == 0 and again["articles_failed"] == 0
    conn = check_database(db_path, items, fact_id)
    assert [r[0] for r in conn.execute("select status from runs order by id")] == ["completed"] * 3


def test_two_writers_storing_the_same_report_at_the_same_moment(tmp_path, db_path, monkeypatch):
    """The store's check-then-insert is one locked step: the race two ingests run into
    (both see no row, both insert) is forced here by widening the gap between the two."""
    seed_reviewed(db_path)
    article = Article(url="https://desk.example/kuryk", final_url="https://desk.example/kuryk",
                      canonical_url="https://desk.example/kuryk", title="Kuryk", text=DESK_TEXT,
                      language="en", published="2025-05-02", published_from="feed")
    real = store.article_by_canonical

    def slow_lookup(db, canonical_url):
        found = real(db, canonical_url)
        time.sleep(0.3)                     # the other writer gets here meanwhile
        return found

    monkeypatch.setattr(store, "article_by_canonical", slow_lookup)
    errors, barrier = [], threading.Barrier(2)

    def writer(n):
        db = schemas.connect(db_path)
        try:
            barrier.wait()
            store.save_article(db, article, source="desk", entry_id=f"kuryk-{n}", run_id=None,
                               record={"extractor_version": "seed.1", "quantities": []})
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            db.conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from articles where canonical_url = ?",
                        [article.canonical_url]).fetchone() == (1,)
    assert conn.execute("select count(*) from entries where link = ?",
                        [article.url]).fetchone() == (2,)     # both entries point at it
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
