"""Shared fixtures: a real local HTTP server, a real SQLite file, real Prefect runs."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Prefect runs against a temporary local API; no analytics, quiet logs.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import sitegen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FACTWIRE_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API (SQLite-backed) for every flow run of the session."""
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    sitegen.build(root)
    return root


@pytest.fixture
def server(site):
    from factwire.sample_server import serve
    with serve(site, port=0) as s:
        yield s


@pytest.fixture
def sources_file(tmp_path) -> Path:
    return sitegen.sources_toml(tmp_path / "sources.toml", [
        {"name": "trend", "title": "Trend", "feed_url": "{samples}/trend/rss.xml",
         "feed_kind": "rss", "interval": "15m", "local": True}])


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "factwire.db")
