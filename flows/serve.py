"""Scheduled ingestion: one Prefect deployment per source, served by this process.

Scheduling needs a Prefect API.  ``prefect_api`` connects to the one given
(``--api-url``, $PREFECT_API_URL or ``[prefect] api_url`` in factwire.toml) or
starts a local Prefect server (SQLite-backed, in ``.prefect/``) and says which.
Politeness is configured here: at most ``limit`` flow runs at once, one run
per source at a time, and a global concurrency limit per agency host that the
fetch tasks take a slot of.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from factwire.config import PROJECT_ROOT, Source, load_sources

from .ingest import ingest
from .tasks import host_limit_name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(api_url: str, process: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"no Prefect API answered at {api_url} within {timeout:.0f}s")


@contextlib.contextmanager
def _using_api(url: str):
    """Point this process's Prefect client at ``url`` (settings are read at import)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    os.environ["PREFECT_API_URL"] = url      # for subprocesses the runner starts
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


@contextlib.contextmanager
def prefect_api(api_url: str | None = None, home: Path | None = None, timeout: float = 90):
    """Yield (api_url, description): a given API, or a local server started for the duration."""
    if api_url:
        _wait_healthy(api_url, None, timeout)
        with _using_api(api_url):
            yield api_url, f"connected to the Prefect API at {api_url}"
        return
    home = Path(home or os.environ.get("PREFECT_HOME") or PROJECT_ROOT / ".prefect")
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_API_URL": url,
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": os.environ.get(
               "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "10")}
    log = open(home / "server.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_healthy(url, process, timeout)
        with _using_api(url):
            yield url, f"started a local Prefect server at {url} (SQLite in {home}, log in {home / 'server.log'})"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
        log.close()


def ensure_host_limits(sources: list[Source], per_host: int) -> list[str]:
    """Create (or update) one global concurrency limit per agency host."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import (GlobalConcurrencyLimitCreate,
                                                GlobalConcurrencyLimitUpdate)
    from prefect.exceptions import ObjectNotFound

    names = sorted({host_limit_name(s.feed_url) for s in sources})
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                client.read_global_concurrency_limit_by_name(name)
                client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=per_host))
            except ObjectNotFound:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=per_host, active=True))
    return names


def deployments(sources: list[Source], *, sources_path: str, db_path: str,
                samples_origin: str | None) -> list:
    """One deployment of the ingest flow per source, on the source's interval or cron."""
    out = []
    for source in sources:
        schedule = {"cron": source.cron} if source.cron else {"interval": source.interval_seconds}
        out.append(ingest.to_deployment(
            name=f"ingest-{source.name}", **schedule, concurrency_limit=1,
            parameters={"sources_path": sources_path, "db_path": str(Path(db_path).resolve()),
                        "samples_origin": samples_origin, "only": [source.name],
                        "host_limits": True},
            description=f"Poll {source.title or source.name} and store new reports.",
            tags=["factwire", f"source:{source.name}"]))
    return out


def serve_sources(sources_path: str, db_path: str, *, samples_origin: str | None = None,
                  limit: int = 4, per_host: int = 2) -> None:
    """Serve the deployments until interrupted (the API must be set, see prefect_api)."""
    from prefect import serve

    sources = load_sources(sources_path, samples_origin=samples_origin)
    ensure_host_limits(sources, per_host)
    serve(*deployments(sources, sources_path=str(Path(sources_path).resolve()), db_path=db_path,
                       samples_origin=samples_origin), limit=limit, print_starting_message=False)

