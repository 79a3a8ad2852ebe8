"""Prefect tasks: each one unit of I/O or compute, retries declared here.

Article pages are fetched and read in batches (``fetch_pages``, ``read_pages``):
a task run costs the Prefect API a few events, and two runs per page kept its
server busier than extraction itself.  A batch returns each page's outcome, so
one bad page never fails its neighbours.  A page whose fetch failed for a
reason that may pass (connection error, timeout, 5xx, 429) goes to
``fetch_page``, which retries with exponential backoff and jitter, waiting
first for the server's ``Retry-After`` (up to the fetcher's limit).  A 404 or
a refused URL fails at once: no retry storm.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from prefect import task
from prefect.concurrency.sync import concurrency
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from factwire.article import Article, read_article
from factwire.config import Source
from factwire.feeds import FeedEntry, ParsedFeed, parse_feed, parse_sitemap
from factwire.fetch import FetchError, Fetched, Fetcher

RETRIES = 3
BACKOFF_SECONDS = 1.0
JITTER = 0.5


def retry_transient(task, task_run, state) -> bool:
    """Retry condition: only transient fetch errors, honouring Retry-After."""
    exc = state.data if isinstance(state.data, BaseException) else None
    if not isinstance(exc, FetchError) or not exc.transient:
        return False
    if exc.retry_after:
        time.sleep(exc.retry_after)
    return True


_FETCH_RETRY = dict(retries=RETRIES, retry_delay_seconds=exponential_backoff(BACKOFF_SECONDS),
                    retry_jitter_factor=JITTER, retry_condition_fn=retry_transient,
                    cache_policy=NO_CACHE)


def host_limit_name(url: str) -> str:
    """The Prefect global concurrency limit that guards one agency host."""
    return f"factwire-host-{urlsplit(url).hostname or 'unknown'}"


@contextlib.contextmanager
def host_slot(url: str, enabled: bool):
    """Take a slot of the host's global concurrency limit (scheduled runs share hosts)."""
    if not enabled:
        yield
        return
    with concurrency(host_limit_name(url), occupy=1, strict=False):
        yield


@dataclass
class FeedPoll:
    source: str
    fetched: Fetched
    feed: ParsedFeed | None      # None when the server answered 304 Not Modified


@task(name="poll-feed", task_run_name="poll {source.name}", **_FETCH_RETRY)
def poll_feed(fetcher: Fetcher, source: Source, etag: str | None = None,
              last_modified: str | None = None, host_limits: bool = False) -> FeedPoll:
    """One conditional GET of a source's feed, parsed."""
    with host_slot(source.feed_url, host_limits):
        fetched = fetcher.get(source.feed_url, etag=etag, last_modified=last_modified,
                              allow_local=source.local)
    if fetched.not_modified:
        return FeedPoll(source.name, fetched, None)
    return FeedPoll(source.name, fetched,
                    parse_feed(fetched.content, fetched.final_url, fetched.content_type))


@task(name="fetch-sitemap", task_run_name="sitemap {url}", **_FETCH_RETRY)
def fetch_sitemap(fetcher: Fetcher, source: Source, url: str):
    """One sitemap (or sitemap index) of a source: (pages, nested sitemaps)."""
    fetched = fetcher.get(url, allow_local=source.local)
    return parse_sitemap(fetched.content, fetched.final_url)


@task(name="fetch-pages", cache_policy=NO_CACHE)
def fetch_pages(fetcher: Fetcher, pages: list[tuple[Source, FeedEntry]],
                host_limits: bool = False) -> list[Fetched | Exception]:
    """GET a batch of article pages, once each: a Fetched or the error, per page."""
    outcomes: list[Fetched | Exception] = []
    for source, entry in pages:
        try:
            with host_slot(entry.link, host_limits):
                outcomes.append(fetcher.get(entry.link, allow_local=source.local))
        except Exception as exc:  # noqa: BLE001 - each page's failure is its own outcome
            outcomes.append(exc)
    return outcomes


# The batch made the first attempt, so the retrying task has one retry fewer.
_PAGE_RETRY = {**_FETCH_RETRY, "retries": RETRIES - 1}


@task(name="fetch-page", task_run_name="fetch {entry.link}", **_PAGE_RETRY)
def fetch_page(fetcher: Fetcher, source: Source, entry: FeedEntry, host_limits: bool = False,
               wait: float = 0.0) -> Fetched:
    """GET one article page again after a transient failure, ``wait`` seconds later."""
    if wait:
        time.sleep(wait)
    with host_slot(entry.link, host_limits):
        return fetcher.get(entry.link, allow_local=source.local)


def retry_wait(error: Exception) -> float | None:
    """Seconds to wait before fetching a failed page again, or None when trying again cannot help."""
    if not isinstance(error, FetchError) or not error.transient:
        return None
    return error.retry_after or BACKOFF_SECONDS


def read_one(fetched: Fetched, source: Source, entry: FeedEntry) -> Article:
    """The clean report and metadata of a fetched page."""
    return read_article(fetched.text, entry.link, fetched.final_url, feed_title=entry.title,
                        feed_published=entry.published, hints=source.hints)


@task(name="read-pages", cache_policy=NO_CACHE)
def read_pages(outcomes: list[Fetched | Exception],
               pages: list[tuple[Source, FeedEntry]]) -> list[Article | Exception]:
    """The report of each fetched page of a batch; a fetch error passes through unchanged."""
    read: list[Article | Exception] = []
    for fetched, (source, entry) in zip(outcomes, pages):
        if isinstance(fetched, Exception):
            read.append(fetched)
            continue
        try:
            read.append(read_one(fetched, source, entry))
        except Exception as exc:  # noqa: BLE001 - a page that cannot be read is its own outcome
            read.append(exc)
    return read


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(docs: list[dict], model: str | None = None) -> list[dict]:
    """Extraction of a batch of reports through nlp.pipe.

    A report that breaks an extractor comes back as a record with ``error`` and
    does not take the rest of its batch down.
    """
    from extractors import extract_many
    return list(extract_many(docs, model=model, on_error="record"))
