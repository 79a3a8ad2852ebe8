"""Ingest and re-extraction throughput against extraction alone, in one process.

1. A generated site of N feed items (default 5,000) is served on 127.0.0.1 and
   ingested end to end (poll, fetch, read, dedupe, extract, store): articles/s
   and peak memory.
2. The same texts through extraction only (``extract_many``): the floor.
3. ``reextract --all`` on the resulting database with 1 and with 2 Dask workers
   of a running local cluster (workers started and the model loaded first, as
   with a deployment's ``[dask] address``; that start-up time is printed apart).

Prints ratios: ingest / extraction-only (target >= 0.7x) and 2 workers / 1
worker (target >= 1.6x).  Usage: python -m benchmarks.ingest_bench [--items N]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from . import wiregen


def _warm_prefect() -> None:
    from prefect import flow

    @flow(name="warm-up")
    def warm_up() -> int:
        return 1

    warm_up()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from extractors import extract_many, load_pipeline
    from factwire.sample_server import serve
    from flows.ingest import ingest
    from flows.reextract import reextract
    from distributed import Client, LocalCluster
    from flows.runners import dask_runner, local_cluster_kwargs

    work = Path(tempfile.mkdtemp(prefix="factwire-bench-"))
    try:
        started = time.perf_counter()
        docs = wiregen.build(work / "site", args.items)
        sources = wiregen.sources_toml(work / "sources.toml")
        words = sum(len(d["text"].split()) for d in docs)
        print(f"generated {len(docs)} reports ({words} words) in {time.perf_counter() - started:.1f} s")
        load_pipeline()
        list(extract_many(docs[:20]))                       # warm the model
        _warm_prefect()                                      # start Prefect's API before timing

        db = str(work / "bench.db")
        with serve(work / "site", port=0) as server:
            started = time.perf_counter()
            summary = ingest(sources_path=str(sources), db_path=db, samples_origin=server.origin,
                             batch_size=32)
            ingest_s = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert summary["articles_new"] == len(docs), summary
        started = time.perf_counter()
        list(extract_many(docs, batch_size=32))
        extract_s = time.perf_counter() - started
        ingest_rate, extract_rate = len(docs) / ingest_s, len(docs) / extract_s
        print(f"ingest end to end:   {ingest_rate:8.1f} articles/s ({ingest_s:.1f} s)")
        print(f"extraction only:     {extract_rate:8.1f} articles/s ({extract_s:.1f} s)")
        print(f"ingest / extraction-only: {ingest_rate / extract_rate:.2f}x   (target >= 0.7x)")
        print(f"peak memory during ingest: {peak:.0f} MB")

        if not args.skip_dask:
            rates = {}
            for workers in (1, 2):
                copy = str(work / f"dask{workers}.db")
                shutil.copy(db, copy)
                for suffix in ("-wal", "-shm"):
                    if Path(db + suffix).exists():
                        shutil.copy(db + suffix, copy + suffix)
                # A running cluster whose workers have loaded the model, as a deployment's
                # [dask] address is; its start-up is printed, not counted in docs/s.
                started = time.perf_counter()
                with LocalCluster(**local_cluster_kwargs(workers)) as cluster, Client(cluster) as client:
                    client.wait_for_workers(workers)
                    ready = time.perf_counter() - started
                    flow = reextract.with_options(task_runner=dask_runner(cluster.scheduler_address))
                    started = time.perf_counter()
                    result = flow(db_path=copy, all_articles=True, batch_size=64,
                                  max_in_flight=2 * workers)
                    seconds = time.perf_counter() - started
                rates[workers] = result["reextracted"] / seconds
                print(f"reextract, {workers} Dask worker(s): {rates[workers]:8.1f} docs/s ({seconds:.1f} s; "
                      f"cluster start and model load before it: {ready:.1f} s)")
            print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x   (target >= 1.6x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
