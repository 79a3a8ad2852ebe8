"""The demo on the bundled samples: every report stored once, a second run adds nothing."""
from __future__ import annotations

import json

import pytest
import sqlite_utils
from typer.testing import CliRunner

from conftest import ROOT
from factwire.cli import app

pytestmark = pytest.mark.usefixtures("prefect_api")


def gold_ids() -> set[str]:
    return {json.loads(line)["doc_id"] for line in (ROOT / "samples/gold.jsonl").open()}


def table_counts(db):
    return {t: db[t].count for t in ("articles", "entries", "entities", "facilities", "quantities", "dates")}


def test_demo_stores_every_sample_report_once_and_rerun_adds_nothing(tmp_path):
    db_path = tmp_path / "demo.db"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--db", str(db_path)])
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output
    db = sqlite_utils.Database(db_path)
    stored = {r["canonical_url"]: r for r in db["articles"].rows}
    extracted = {u for u, r in stored.items() if r["status"] == "extracted"}
    assert extracted == gold_ids()                    # every distinct report, exactly once
    copies = [r for r in stored.values() if r["status"] == "duplicate"]
    assert len(copies) == 1 and stored_by_id(db, copies[0]["duplicate_of"])["source"] == "trend"
    assert db["quantities"].count > 0 and db["facilities"].count > 0
    kazinform = db["feeds"].get("kazinform")
    assert kazinform["bozo"] == 1 and kazinform["last_error"]
    interfax = db["feeds"].get("interfax-kz")
    assert interfax["final_url"].endswith("/interfax-kz/rss.xml")
    before = table_counts(db)

    second = runner.invoke(app, ["demo", "--db", str(db_path)])
    assert second.exit_code == 0, second.output
    runs = list(db["runs"].rows_where(order_by="id desc", limit=2))
    ingest_run = next(r for r in runs if r["flow"] == "ingest")
    assert ingest_run["feeds_unchanged"] == 5 and ingest_run["articles_new"] == 0
    assert table_counts(db) == before


def stored_by_id(db, article_id):
    return db["articles"].get(article_id)
