"""Task runners for scale-out: extraction batches on a Dask cluster (prefect-dask)."""
from __future__ import annotations

import logging


def dask_runner(address: str | None = None, workers: int = 2):
    """A DaskTaskRunner on the scheduler at ``address``, or on a local cluster of worker processes."""
    from prefect_dask import DaskTaskRunner
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None,
                                          "preload": ["flows.dask_preload"],
                                          "silence_logs": logging.WARNING})
