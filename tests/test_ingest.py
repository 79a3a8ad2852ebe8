"""The ingest flow end to end: real Prefect runs against a real local HTTP server."""
from __future__ import annotations

import pytest
import sqlite_utils

import sitegen
from factwire.fetch import FetchSettings
from factwire.sample_server import Fault
from flows.ingest import ingest

pytestmark = pytest.mark.usefixtures("prefect_api")


def run(server, sources_file, db_path, **kw):
    return ingest(sources_path=str(sources_file), db_path=db_path, samples_origin=server.origin, **kw)


def test_first_run_stores_every_report_and_second_run_is_a_304(server, sources_file, db_path):
    first = run(server, sources_file, db_path)
    assert first["articles_new"] == 3 and first["articles_failed"] == 0
    assert first["facts"] > 0
    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 3
    counts = {t: db[t].count for t in ("articles", "quantities", "entities", "dates", "entries")}
    feed_hits = server.hits("/trend/rss.xml")

    second = run(server, sources_file, db_path)
    assert second["feeds_unchanged"] == 1
    assert second["articles_new"] == 0 and second["articles_unchanged"] == 3
    assert server.hits("/trend/rss.xml") == feed_hits + 1
    assert server.requests[-1][2].get("If-None-Match")          # the conditional GET was sent
    assert {t: db[t].count for t in counts} == counts            # nothing added
    assert all(server.hits(p) == 1 for p in ("/trend/news/aktau-transit.html",))


def test_article_text_is_clean_and_metadata_is_kept(server, sources_file, db_path):
    run(server, sources_file, db_path)
    db = sqlite_utils.Database(db_path)
    row = next(db["articles"].rows_where("canonical_url like ?", ["%aktau-transit%"]))
    assert row["canonical_url"] == "https://en.trend.example/business/aktau-transit.html"
    assert row["published"] == "2025-03-14" and row["published_from"] == "feed"
    assert row["text"].startswith("ASTANA, Kazakhstan, March 14.")
    for furniture in ("Advertisement", "Share:", "Reader:", "All rights reserved", "Related news"):
        assert furniture not in row["text"]
    assert row["dateline_place"] == "ASTANA" and row["dateline_date"] == "2025-03-14"
    hits = list(db.query("select rowid from articles_fts where articles_fts match 'Aktau'"))
    assert len(hits) == 1


def test_redirected_feed_records_the_final_url(site, server, tmp_path, db_path):
    (site / "_redirects.txt").write_text("/old/feed /trend/rss.xml 301\n")
    server.redirects.update({"/old/feed": ("/trend/rss.xml", 301)})
    sources = sitegen.sources_toml(tmp_path / "s.toml", [
        {"name": "trend", "feed_url": "{samples}/old/feed", "feed_kind": "rss", "local": True}])
    summary = run(server, sources, db_path)
    assert summary["articles_new"] == 3
    feed = sqlite_utils.Database(db_path)["feeds"].get("trend")
    assert feed["final_url"].endswith("/trend/rss.xml") and feed["feed_url"].endswith("/old/feed")


def test_bozo_feed_keeps_what_parsed_and_records_the_error(site, server, sources_file, db_path):
    feed = (site / "trend/rss.xml").read_text()
    # An unescaped ampersand and a truncated end, as real feeds break.
    broken = feed.replace("Kazakh oil transit via Aktau grows", "Oil & gas: Aktau transit grows", 1)
    (site / "trend/rss.xml").write_text(broken.replace("</channel></rss>", ""))
    summary = run(server, sources_file, db_path)
    assert summary["articles_new"] == 3
    assert any("malformed feed" in e for e in summary["errors"])
    state = sqlite_utils.Database(db_path)["feeds"].get("trend")
    assert state["bozo"] == 1 and "malformed" in state["last_error"]


def test_unreadable_feed_fails_clearly_and_loses_nothing(site, server, sources_file, db_path):
    run(server, sources_file, db_path)
    (site / "trend/rss.xml").write_text("<html><body>maintenance</body></html>")
    summary = run(server, sources_file, db_path)
    assert summary["feeds_failed"] == 1
    assert sqlite_utils.Database(db_path)["articles"].count == 3


@pytest.mark.parametrize("copy_listed_first", [False, True])
def test_syndicated_copy_is_linked_not_extracted_twice(site, server, tmp_path, db_path, copy_listed_first):
    """The earliest-published copy is the original, whichever source is configured (or answers) first."""
    _, title, body = sitegen.REPORTS["aktau-transit"]
    published = "2025-03-15"          # republished the next day
    copy_body = body.replace("Trend reports.", "AzerNews reports, citing Trend.")
    other = site / "azernews/news/transit.html"
    other.parent.mkdir(parents=True)
    other.write_text(sitegen.page("transit-copy", published, "Aktau oil transit rises", copy_body,
                                  agency="AzerNews", canonical_host="www.azernews.example"))
    (site / "azernews/rss.xml").write_text(sitegen.rss(
        [("transit-copy", published, "Aktau oil transit rises", "/azernews/news/transit.html")]))
    configured = [
        {"name": "trend", "feed_url": "{samples}/trend/rss.xml", "feed_kind": "rss", "local": True},
        {"name": "azernews", "feed_url": "{samples}/azernews/rss.xml", "feed_kind": "rss", "local": True}]
    sources = sitegen.sources_toml(tmp_path / "s.toml", configured[::-1] if copy_listed_first else configured)
    summary = run(server, sources, db_path, batch_size=1)     # each report classified and stored alone
    assert summary["articles_new"] == 3 and summary["articles_duplicate"] == 1
    db = sqlite_utils.Database(db_path)
    copy = next(db["articles"].rows_where("source = 'azernews'"))
    original = db["articles"].get(copy["duplicate_of"])
    assert original["source"] == "trend" and "aktau-transit" in original["canonical_url"]
    assert copy["status"] == "duplicate"
    assert db["quantities"].count_where("article_id = ?", [copy["id"]]) == 0


def test_server_errors_are_retried_then_succeed(server, sources_file, db_path):
    path = "/trend/news/cpc-loadings.html"
    server.fail(path, Fault(503), Fault(502))
    summary = run(server, sources_file, db_path)
    assert summary["articles_new"] == 3 and summary["articles_failed"] == 0
    assert server.hits(path) == 3


def test_429_retry_after_is_honoured(server, sources_file, db_path):
    path = "/trend/news/tengiz-output.html"
    server.fail(path, Fault(429, {"Retry-After": "1"}))
    summary = run(server, sources_file, db_path)
    assert summary["articles_failed"] == 0 and server.hits(path) == 2


def test_404_is_recorded_without_retry_and_retried_next_run(site, server, sources_file, db_path):
    path = "/trend/news/tengiz-output.html"
    page = (site / path.lstrip("/")).read_text()
    (site / path.lstrip("/")).unlink()
    summary = run(server, sources_file, db_path)
    assert summary["articles_new"] == 2 and summary["articles_failed"] == 1
    assert server.hits(path) == 1                                   # no retry storm
    db = sqlite_utils.Database(db_path)
    failure = next(db["fetch_failures"].rows_where())
    assert failure["status"] == 404 and "404" in failure["error"]
    (site / path.lstrip("/")).write_text(page)                      # the page comes back
    summary = run(server, sources_file, db_path)
    assert summary["articles_new"] == 1 and db["fetch_failures"].count == 0
    assert db["articles"].count == 3


def test_oversize_body_is_refused_with_a_clear_error(server, sources_file, db_path):
    path = "/trend/news/aktau-transit.html"
    server.fail(path, Fault(200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 200_000 + b"</p>"))
    summary = run(server, sources_file, db_path, fetch_settings=FetchSettings(max_bytes=100_000))
    assert summary["articles_failed"] == 1
    assert any("over the 100000-byte limit" in e for e in summary["errors"])
    assert server.hits(path) == 1


def test_runs_are_recorded(server, sources_file, db_path):
    run(server, sources_file, db_path)
    run(server, sources_file, db_path)
    runs = list(sqlite_utils.Database(db_path)["runs"].rows_where(order_by="id"))
    assert [r["status"] for r in runs] == ["completed", "completed"]
    assert runs[0]["articles_new"] == 3 and runs[1]["articles_unchanged"] == 3
    assert runs[1]["finished"] >= runs[1]["started"]


def test_a_5xx_storm_is_retried_a_bounded_number_of_times(server, sources_file, db_path):
    path = "/trend/news/tengiz-output.html"
    server.fail(path, *[Fault(503) for _ in range(20)])
    summary = run(server, sources_file, db_path)
    assert summary["articles_new"] == 2 and summary["articles_failed"] == 1
    assert server.hits(path) == 4                      # the first try and three retries, no more
    failure = next(sqlite_utils.Database(db_path)["fetch_failures"].rows_where())
    assert failure["status"] == 503 and "503" in failure["error"]


def test_429_without_retry_after_backs_off_and_succeeds(server, sources_file, db_path):
    path = "/trend/news/cpc-loadings.html"
    server.fail(path, Fault(429))
    summary = run(server, sources_file, db_path)
    assert summary["articles_failed"] == 0 and server.hits(path) == 2
