"""The ``ingest`` flow: poll every source, fetch new reports, extract, store.

Feeds are polled and pages fetched concurrently (tasks, per-host limits in the
fetcher); the flow itself is the one writer to SQLite.  Nothing fetched is lost
when a later step fails: a page that cannot be fetched or read is recorded in
``fetch_failures`` and tried again by the next run.
"""
from __future__ import annotations

import datetime as dt
import functools
import time
from collections import Counter
from dataclasses import dataclass

from prefect import flow, get_run_logger
from prefect.futures import as_completed

from factwire import store
from factwire.article import Article
from factwire.config import Source, load_sources
from factwire.progress import track
from factwire.dedupe import content_hash, fingerprint, is_near_duplicate
from factwire.feeds import FeedEntry
from factwire.fetch import FetchError, Fetcher, FetchSettings
from schemas import connect

from .tasks import extract_batch, fetch_page, fetch_pages, poll_feed, read_pages, retry_wait

COUNTERS = ("feeds_polled", "feeds_unchanged", "feeds_failed", "articles_new",
            "articles_unchanged", "articles_duplicate", "articles_failed", "facts")


@dataclass
class Pending:
    """A report read in this run and not yet stored."""
    source: Source
    entry: FeedEntry
    article: Article
    duplicate_of: int | str | None = None   # stored article id, or canonical URL of one in this run

    @functools.cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.article.text)

    @functools.cached_property
    def content_hash(self) -> str:
        return content_hash(self.article.text)


def _error_text(state) -> str:
    """Why a failed task run failed, in one line."""
    return _failure_reason(_state_error(state))


def _poll_all(db, sources, fetcher, counts, errors, logger, host_limits=False, validators=None):
    """Poll every feed; returns [(source, entries to fetch)].

    With ``validators`` (a dict), a changed feed's ETag and Last-Modified are put there
    instead of stored: the caller stores them once the run has stored its entries, so a
    run that dies half-way is not followed by a 304 that hides the entries it never stored.
    """
    futures = []
    for source in sources:
        # The validators belong to the source's feed, whatever origin serves it today.
        state = store.feed_state(db, source.name)
        futures.append((source, state, poll_feed.submit(
            fetcher, source, etag=state.get("etag"), last_modified=state.get("last_modified"),
            host_limits=host_limits)))
    plan = []
    for source, state, future in futures:
        counts["feeds_polled"] += 1
        future.wait()
        final = future.state
        if not final.is_completed():
            reason = _error_text(final)
            counts["feeds_failed"] += 1
            errors.append(f"feed {source.name}: {reason}")
            logger.warning("feed %s failed: %s", source.name, reason)
            store.save_feed_state(db, source.name, feed_url=source.feed_url, last_error=reason)
            continue
        poll = future.result()
        retry = [FeedEntry(entry_id=f["entry_id"] or f["url"], link=f["url"])
                 for f in store.pending_failures(db, source.name)]
        if poll.feed is None:
            counts["feeds_unchanged"] += 1
            counts["articles_unchanged"] += state.get("entries") or 0
            store.save_feed_state(db, source.name, feed_url=source.feed_url, last_status=304,
                                  last_error=None)
            plan.append((source, retry))
            continue
        feed = poll.feed
        problems = ([f"malformed feed: {feed.bozo_reason}"] if feed.bozo else []) + feed.skipped
        for problem in problems:
            errors.append(f"feed {source.name}: {problem}")
            logger.warning("feed %s: %s", source.name, problem)
        fresh_validators = {"etag": poll.fetched.etag, "last_modified": poll.fetched.last_modified}
        if validators is not None:
            validators[source.name] = fresh_validators
            fresh_validators = {}
        store.save_feed_state(
            db, source.name, feed_url=source.feed_url, final_url=poll.fetched.final_url,
            **fresh_validators,
            last_status=poll.fetched.status, last_error="; ".join(problems) or None,
            bozo=int(feed.bozo), entries=len(feed.entries))
        seen = store.seen_entries(db, source.name)
        new = [e for e in feed.entries if e.entry_id not in seen]
        counts["articles_unchanged"] += len(feed.entries) - len(new)
        retry_links = {e.link for e in new}
        plan.append((source, new + [e for e in retry if e.link not in retry_links]))
    return plan


# Pages fetched (and read) per task run: a task run is a few events for the Prefect
# API, so one per page made its server cost more than fetching the page did.
PAGES_PER_TASK = 16


def _failure_reason(exc: BaseException) -> str:
    return exc.reason if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"


def _fetch_and_read(db, plan, fetcher, run_id, counts, errors, logger, host_limits=False):
    """Reports read from the planned entries, yielded earliest-published first.

    Fetches and reads run as batch tasks on the task runner's threads, so they go
    on while the flow extracts and stores what has already arrived.  A page whose
    fetch failed for a reason that may pass is fetched again by ``fetch_page``
    (with its retries); any other failure is recorded for the next run.
    """
    def fail(source, entry, exc) -> None:
        reason = _failure_reason(exc)
        counts["articles_failed"] += 1
        errors.append(f"{entry.link}: {reason}")
        logger.warning("article %s failed: %s", entry.link, reason)
        store.record_failure(db, url=entry.link, source=source.name, entry_id=entry.entry_id,
                             error=reason, status=getattr(exc, "status", None), run_id=run_id)

    # Earliest-published first, across sources, and taken in that order (they are fetched
    # concurrently all the same): a report syndicated by another agency hours later then
    # finds its original stored, whichever host answers first.
    pages = sorted(((source, entry) for source, entries in plan for entry in entries),
                   key=lambda page: _entry_time(page[1]) or "9999")
    batches = {}
    for i in range(0, len(pages), PAGES_PER_TASK):
        chunk = pages[i:i + PAGES_PER_TASK]
        fetched = fetch_pages.submit(fetcher, chunk, host_limits=host_limits)
        batches[read_pages.submit(fetched, chunk)] = chunk
    retries = {}
    for future in list(batches):
        chunk = batches.pop(future)
        future.wait()
        if not future.state.is_completed():
            for source, entry in chunk:
                fail(source, entry, _state_error(future.state))
            continue
        for (source, entry), outcome in zip(chunk, future.result()):
            if not isinstance(outcome, Exception):
                yield Pending(source, entry, outcome)
                continue
            wait = retry_wait(outcome)
            if wait is None:
                fail(source, entry, outcome)
                continue
            again = fetch_page.submit(fetcher, source, entry, host_limits=host_limits, wait=wait)
            retries[read_pages.submit([again], [(source, entry)])] = (source, entry, again)
    for future in as_completed(list(retries)):
        source, entry, fetched = retries.pop(future)
        future.wait()
        failed = fetched.state if not fetched.state.is_completed() else future.state
        outcome = _state_error(failed) if not failed.is_completed() else future.result()[0]
        if isinstance(outcome, Exception):
            fail(source, entry, outcome)
        else:
            yield Pending(source, entry, outcome)


def _state_error(state) -> Exception:
    """The exception a failed task run's state holds."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - returned to be recorded
        return exc
    return RuntimeError("failed")


def _entry_time(entry: FeedEntry) -> str | None:
    """When the feed says an entry was published, as a sortable UTC string."""
    if entry.published:
        try:
            stamp = dt.datetime.fromisoformat(entry.published)
            if stamp.tzinfo:
                stamp = stamp.astimezone(dt.timezone.utc)
            return stamp.isoformat()
        except ValueError:
            pass
    return None


def _first_published(p: Pending) -> str:
    """Sort key putting the earliest publication first (UTC when the feed gave a time)."""
    return _entry_time(p.entry) or p.article.published or "9999"


def _classify(db, pending: list[Pending], counts) -> tuple[list[Pending], list[Pending]]:
    """Split into (to extract, syndicated copies), the earliest copy being the original.

    Earlier batches of the run are stored already, so the database and this batch
    are all there is to compare with.
    """
    pending.sort(key=_first_published)
    fresh, known, in_batch = [], [], []
    for p in pending:
        stored = store.article_by_canonical(db, p.article.canonical_url)
        if stored or any(q.article.canonical_url == p.article.canonical_url for q in in_batch):
            counts["articles_unchanged"] += 1
            if stored:
                store.record_entry(db, p.source.name, p.entry.entry_id, p.entry.link, stored["id"])
            continue
        original = store.find_duplicate(db, p.article.text, p.article.published)
        if original:
            p.duplicate_of = original["id"]
        else:
            for q in in_batch:
                if q.duplicate_of is None and (
                        q.content_hash == p.content_hash or
                        is_near_duplicate(p.article.text, p.fingerprint, q.article.text, q.fingerprint)):
                    p.duplicate_of = q.article.canonical_url
                    break
        in_batch.append(p)
        (known if p.duplicate_of is not None else fresh).append(p)
    return fresh, known


def _store(db, p: Pending, run_id, record=None, status="extracted") -> int:
    duplicate_of = p.duplicate_of
    if isinstance(duplicate_of, str):
        duplicate_of = store.article_by_canonical(db, duplicate_of)["id"]
    return store.save_article(db, p.article, source=p.source.name, entry_id=p.entry.entry_id,
                              run_id=run_id, record=record, duplicate_of=duplicate_of, status=status)


def _extract_and_store(db, fresh: list[Pending], run_id, counts, errors, logger, model) -> None:
    """Extract one batch (nlp.pipe) and store each report with its facts."""
    english = [p for p in fresh if p.article.language == "en"]
    for p in fresh:
        if p.article.language != "en":
            note = f"{p.article.canonical_url} is in {p.article.language!r}, not English: stored, not extracted"
            logger.warning(note)
            errors.append(note)
            _store(db, p, run_id, status="not_english")
            counts["articles_new"] += 1
    if not english:
        return
    state = extract_batch([{"doc_id": p.article.canonical_url, "text": p.article.text,
                            "published": p.article.published, "url": p.article.canonical_url,
                            "title": p.article.title} for p in english],
                          model=model, return_state=True)
    if not state.is_completed():
        # Keep the reports; the next run extracts them again.
        reason = _error_text(state)
        errors.append(f"extraction failed for {len(english)} reports: {reason}")
        logger.error("extraction failed, reports stored for the next run: %s", reason)
        for p in english:
            counts["articles_new"] += store.article_by_canonical(db, p.article.canonical_url) is None
            _store(db, p, run_id, status="extract_failed")
        return
    for p, record in zip(english, state.result()):
        counts["articles_new"] += store.article_by_canonical(db, p.article.canonical_url) is None
        if record.get("error"):
            # This report broke an extractor: kept, and extracted again by the next run.
            errors.append(f"{p.article.canonical_url}: extraction failed: {record['error']}")
            logger.error("extraction failed for %s: %s", p.article.canonical_url, record["error"])
            _store(db, p, run_id, status="extract_failed")
            continue
        if record.get("truncated"):
            errors.append(f"{p.article.canonical_url}: {record['truncated']['reason']}")
        _store(db, p, run_id, record=record)
        counts["facts"] += len(record.get("quantities") or [])


def process(db, sources: list[Source], plan, fetcher: Fetcher, run_id: int, counts: Counter,
            errors: list[str], logger, *, batch_size: int = 16, model: str | None = None,
            host_limits: bool = False) -> None:
    """Fetch, read, dedupe, extract and store the planned entries [(source, entries)].

    Reports are handled in batches as they arrive; the flow is the one writer.
    """
    by_name = {s.name: s for s in sources}
    retry = [Pending(by_name[row["source"]], FeedEntry(row["entry_id"] or article.url, article.url),
                     article) for row, article in store.unextracted_articles(db)
             if row["source"] in by_name]
    total = sum(len(entries) for _, entries in plan) + len(retry)

    def handle(chunk: list[Pending], already_known: list[Pending] = ()) -> None:
        fresh, copies = _classify(db, chunk, counts)
        _extract_and_store(db, list(already_known) + fresh, run_id, counts, errors, logger, model)
        for p in copies:
            _store(db, p, run_id, status="duplicate")
            counts["articles_duplicate"] += 1

    with track("ingest", total, logger) as advance:
        if retry:
            handle([], retry)
            advance(len(retry))
        chunk: list[Pending] = []
        for p in _fetch_and_read(db, plan, fetcher, run_id, counts, errors, logger, host_limits):
            chunk.append(p)
            if len(chunk) >= batch_size:
                handle(chunk)
                advance(len(chunk))
                chunk = []
        handle(chunk)
        advance(len(chunk) + counts["articles_failed"])


def run_flow(name: str, sources_path, db_path, samples_origin, only, plan_entries,
             on_success=None, **options) -> dict:
    """What ingest and backfill share: a run row, a fetcher, counts, errors and the summary.

    ``on_success(db)`` runs once every planned entry has been stored or recorded as failed.
    """
    logger = get_run_logger()
    started = time.monotonic()
    from extractors import EXTRACTOR_VERSION
    sources = load_sources(sources_path, samples_origin=samples_origin, only=only)
    db = connect(db_path)
    store.sync_sources(db, sources)
    run_id = store.start_run(db, name, EXTRACTOR_VERSION)
    counts, errors = Counter({k: 0 for k in COUNTERS}), []
    with store.recorded_run(db, run_id, counts, errors, logger):
        with Fetcher(options.pop("fetch_settings", None)) as fetcher:
            plan = plan_entries(db, sources, fetcher, counts, errors, logger,
                                host_limits=options.get("host_limits", False))
            process(db, sources, plan, fetcher, run_id, counts, errors, logger, **options)
        if on_success:
            on_success(db)
    summary = {"run_id": run_id, **counts, "errors": errors,
               "seconds": round(time.monotonic() - started, 2)}
    logger.info("%s finished: %s", name, {k: v for k, v in summary.items() if k != "errors"})
    return summary


@flow(name="ingest", log_prints=False)
def ingest(sources_path: str | None = None, db_path: str = "factwire.db",
           samples_origin: str | None = None, only: list[str] | None = None,
           batch_size: int = 16, model: str | None = None,
           fetch_settings: FetchSettings | None = None, host_limits: bool = False) -> dict:
    """Poll the configured sources and store every new report with its facts.

    ``host_limits``: take a slot of each agency host's Prefect global concurrency
    limit around every request (set by scheduled deployments, which may overlap).
    """
    validators: dict[str, dict] = {}

    def store_validators(db) -> None:
        for source, values in validators.items():
            store.save_feed_state(db, source, **values)

    return run_flow("ingest", sources_path, db_path, samples_origin, only,
                    functools.partial(_poll_all, validators=validators),
                    on_success=store_validators, batch_size=batch_size, model=model,
                    fetch_settings=fetch_settings, host_limits=host_limits)
