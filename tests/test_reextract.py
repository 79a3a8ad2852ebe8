"""Re-extraction: only outdated reports, resumable, identical on a Dask cluster."""
from __future__ import annotations

import os

import pytest
import sqlite_utils

from extractors import EXTRACTOR_VERSION
from factwire import store
from flows.ingest import ingest
from flows.reextract import reextract

pytestmark = pytest.mark.usefixtures("prefect_api")


def extraction_snapshot(db) -> dict:
    """Every extractor row, without the times, keyed by table."""
    out = {}
    for table in ("entities", "facilities", "quantities", "dates"):
        out[table] = sorted(tuple(sorted((k, str(v)) for k, v in r.items()))
                            for r in db[table].rows)
    out["articles"] = sorted((r["id"], r["extractor_version"], r["dateline_place"], r["status"])
                             for r in db["articles"].rows)
    return out


@pytest.fixture
def stored(server, sources_file, db_path):
    ingest(sources_path=str(sources_file), db_path=db_path, samples_origin=server.origin)
    return db_path


def test_only_outdated_reports_are_reextracted(stored):
    db = sqlite_utils.Database(stored)
    assert reextract(db_path=stored)["reextracted"] == 0           # all current
    db["articles"].update(2, {"extractor_version": "dates.0"})      # one made by older rules
    summary = reextract(db_path=stored)
    assert summary["reextracted"] == 1
    assert db["articles"].get(2)["extractor_version"] == EXTRACTOR_VERSION


# batch_size 1: the report stored before the crash stays done; 3: its batch is undone whole.
@pytest.mark.parametrize("batch_size, redone", [(1, 2), (3, 3)])
def test_reextract_all_gives_the_same_rows_and_resumes_after_a_crash(stored, monkeypatch, batch_size, redone):
    db = sqlite_utils.Database(stored)
    before = extraction_snapshot(db)
    calls = {"n": 0}
    real = store.save_extraction

    def crash_after_first(db_, article_id, record):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed mid-run")
        real(db_, article_id, record)

    monkeypatch.setattr(store, "save_extraction", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        reextract(db_path=stored, all_articles=True, batch_size=batch_size, max_in_flight=1)
    monkeypatch.setattr(store, "save_extraction", real)
    assert list(db["runs"].rows_where("flow = 'reextract-all'"))[-1]["status"] == "failed"
    resumed = reextract(db_path=stored, all_articles=True, batch_size=batch_size, max_in_flight=1)
    assert resumed["reextracted"] == redone
    assert extraction_snapshot(db) == before


def test_dask_cluster_gives_identical_results(stored, tmp_path):
    import shutil
    from flows.runners import dask_runner
    copy = str(tmp_path / "copy.db")
    db = sqlite_utils.Database(stored)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(stored, copy)
    sequential = reextract(db_path=stored, all_articles=True, batch_size=1)
    on_dask = reextract.with_options(task_runner=dask_runner(None, 2))(
        db_path=copy, all_articles=True, batch_size=1)
    assert sequential["reextracted"] == on_dask["reextracted"] == 3
    assert extraction_snapshot(sqlite_utils.Database(copy)) == extraction_snapshot(db)


def test_a_local_clusters_workers_are_told_the_flows_api_and_load_the_model():
    """Left without PREFECT_API_URL, each worker process started a Prefect server of its own."""
    from distributed import Client, LocalCluster
    from prefect.settings import PREFECT_API_URL
    from flows.runners import local_cluster_kwargs

    def worker_state():
        from extractors.pipeline import load_pipeline
        return os.environ.get("PREFECT_API_URL"), load_pipeline.cache_info().currsize

    with LocalCluster(**local_cluster_kwargs(1)) as cluster, Client(cluster) as client:
        client.wait_for_workers(1)
        seen = list(client.run(worker_state).values())
    assert seen == [(PREFECT_API_URL.value(), 1)]
