"""factwire serve: scheduled ingestion against a real Prefect server it starts."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sitegen
import sqlite_utils


def test_serve_polls_sources_on_schedule(server, tmp_path):
    sources = sitegen.sources_toml(tmp_path / "sources.toml", [
        {"name": "trend", "feed_url": "{samples}/trend/rss.xml", "feed_kind": "rss",
         "interval": "5s", "local": True}])
    db_path = tmp_path / "served.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
               PREFECT_RUNNER_POLL_FREQUENCY="2")
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "factwire", "serve", "--db", str(db_path), "--sources", str(sources),
         "--samples-origin", server.origin],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    runs = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            if db_path.exists():
                runs = list(sqlite_utils.Database(db_path).query(
                    "select * from runs where flow = 'ingest' and status = 'completed' order by id"))
                if len(runs) >= 2:
                    break
            time.sleep(2)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert "started a local Prefect server at http://127.0.0.1:" in output, output[-3000:]
    assert len(runs) >= 2, output[-3000:]
    assert runs[0]["articles_new"] == 3
    assert runs[1]["feeds_unchanged"] == 1 and runs[1]["articles_new"] == 0
    assert server.hits("/trend/rss.xml") >= 2
