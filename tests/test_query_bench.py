"""The query benchmark's generator and timing harness, on a small database (the benchmark
itself is not a test: python -m benchmarks.query_bench)."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

from benchmarks import query_bench as qb  # noqa: E402
from factwire import query as q  # noqa: E402


def test_generated_database_is_consistent_and_queries_run(tmp_path):
    path = str(tmp_path / "bench.db")
    info = qb.generate(path, n_articles=300, n_facts=1500, seed=7)
    assert info["articles"] == 300 and info["facts"] == 1500
    raw = sqlite3.connect(path)
    # Every fact's offsets point at its text inside its report.
    for text, start, end, body in raw.execute(
            "select q.text, q.char_start, q.char_end, a.text from quantities q "
            "join articles a on a.id = q.article_id limit 200"):
        assert body[start:end] == text
    # Facts are tied only to facilities their report names (the store's contract).
    loose = raw.execute("""select count(*) from quantities q, json_each(q.facilities) j
        where not exists (select 1 from facilities f where f.article_id = q.article_id
                          and (f.name = j.value or f.aliases like '%' || j.value || '%'))""").fetchone()[0]
    assert loose == 0
    conn = q.open_db(path)
    results = {name: fn() for name, fn in qb.factwire_queries(conn).items()}
    assert results["facts --facility BTC --since 2024"]
    assert all(r["facilities"] for r in results["facts --facility BTC --since 2024"])
    assert results["facility BTC"]["name"] == "Baku-Tbilisi-Ceyhan pipeline"
    assert results["timeline --facility BTC --commodity oil --per quarter"]["groups"]
    # The replayed SQL gives the same rows as the factwire query it was captured from.
    fn = qb.factwire_queries(conn)["facts --commodity oil --source trend"]
    statements = qb.captured_sql(conn, fn)
    assert statements and all(isinstance(s, str) for s in statements)
    replayed = qb.replay(raw, statements)()
    assert [r[0] for r in replayed[-1]] == [r["id"] for r in fn()]
    conn.close()
