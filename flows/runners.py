"""Task runners for scale-out: extraction batches on a Dask cluster (prefect-dask)."""
from __future__ import annotations

import logging


def flow_api_url() -> str:
    """The Prefect API this process's flows report to: the configured one, or its ephemeral server.

    A local cluster's workers are told it, so the task runs they execute are recorded
    with their flow run.  Left alone, each worker process started a throwaway ephemeral
    server of its own (measured: ~4 s of CPU per worker per run, taken from extraction).
    """
    from prefect.settings import PREFECT_API_URL
    url = PREFECT_API_URL.value()
    if url:
        return url
    from prefect.server.api.server import SubprocessASGIServer
    server = SubprocessASGIServer()          # the one the flow's client starts; started once
    server.start()
    return server.api_url


def local_cluster_kwargs(workers: int) -> dict:
    """A local Dask cluster of ``workers`` single-threaded processes that preload the model."""
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True,
            "dashboard_address": None, "preload": ["flows.dask_preload"],
            "env": {"PREFECT_API_URL": flow_api_url()}, "silence_logs": logging.WARNING}


def dask_runner(address: str | None = None, workers: int = 2):
    """A DaskTaskRunner on the scheduler at ``address``, or on a local cluster of worker processes."""
    from prefect_dask import DaskTaskRunner
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(workers))
