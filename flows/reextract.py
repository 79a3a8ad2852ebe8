"""The ``reextract`` flow: bring stored reports up to the current extractor version.

Batches of reports go to ``extract_batch`` (on the flow's task runner: threads
by default, a Dask cluster for scale-out) and come back to the flow, the one
writer, which replaces each report's extractor rows in one transaction.
Reviewers' corrections live in their own tables and are never touched; a
corrected fact the new rules no longer find stays visible, flagged.  A run cut
short resumes where it stopped: finished reports already carry the new version.
"""
from __future__ import annotations

import time
from collections import Counter

from prefect import flow, get_run_logger
from prefect.futures import as_completed

from factwire import store
from factwire.progress import track
from schemas import connect

from .tasks import extract_batch


def _unfinished_cutoff(db) -> str | None:
    """The start of the last --all run if it did not finish, so it can resume."""
    rows = list(db.query("select started, status from runs where flow = 'reextract-all' "
                         "order by id desc limit 1"))
    return rows[0]["started"] if rows and rows[0]["status"] != "completed" else None


@flow(name="reextract", log_prints=False)
def reextract(db_path: str = "factwire.db", all_articles: bool = False, batch_size: int = 32,
              max_in_flight: int = 4, model: str | None = None) -> dict:
    """Re-run extraction over stored reports whose extractor version is not current."""
    from extractors import EXTRACTOR_VERSION

    logger = get_run_logger()
    started = time.monotonic()
    db = connect(db_path)
    cutoff = None
    if all_articles:
        cutoff = _unfinished_cutoff(db) or store.now()
    run_id = store.start_run(db, "reextract-all" if all_articles else "reextract", EXTRACTOR_VERSION)
    if all_articles:
        db["runs"].update(run_id, {"started": cutoff})
    ids = store.articles_to_reextract(db, EXTRACTOR_VERSION, extracted_before=cutoff)
    logger.info("reextract: %d reports to bring to %s", len(ids), EXTRACTOR_VERSION)
    counts, errors = Counter(articles_new=0, facts=0, articles_failed=0), []
    batches = [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]
    with store.recorded_run(db, run_id, counts, errors, logger):
        with track("reextract", len(ids), logger) as advance:
            queue, pending = iter(batches), []

            def submit_next() -> None:
                batch = next(queue, None)
                if batch:
                    pending.append(extract_batch.submit(store.article_texts(db, batch), model=model))

            for _ in range(max_in_flight):
                submit_next()
            while pending:
                done = next(as_completed(pending))
                pending.remove(done)
                submit_next()
                records = done.result()
                stored = [r for r in records if not r.get("error")]
                with store.write_transaction(db):      # a batch is stored whole or not at all
                    for record in stored:
                        store.save_extraction(db, record["doc_id"], record)
                for record in records:
                    if record.get("error"):            # keeps its earlier extraction
                        errors.append(f"article {record['doc_id']}: extraction failed: {record['error']}")
                counts["articles_failed"] += len(records) - len(stored)
                counts["articles_new"] += len(stored)
                counts["facts"] += sum(len(r.get("quantities") or []) for r in stored)
                advance(len(records))
    summary = {"run_id": run_id, "reextracted": counts["articles_new"], "facts": counts["facts"],
               "version": EXTRACTOR_VERSION, "seconds": round(time.monotonic() - started, 2)}
    logger.info("reextract finished: %s", summary)
    return summary
