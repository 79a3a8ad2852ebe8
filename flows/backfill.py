"""The ``backfill`` flow: ingest a date range from the sources' sitemaps.

Feeds only list the latest reports; a source's sitemap (``sitemap_url`` in the
sources file, nested sitemap indexes followed) lists its archive with the date
of each page.  Pages in the range that are not stored yet go through the same
fetch, read, dedupe, extract and store steps as ``ingest``.
"""
from __future__ import annotations

from prefect import flow

from factwire import store
from factwire.feeds import FeedEntry, FeedError, parse_sitemap
from factwire.fetch import FetchError, FetchSettings

from .ingest import run_flow
from .tasks import fetch_sitemap

MAX_SITEMAPS = 50     # nested sitemaps followed per source, against loops and floods


def _in_range(day: str | None, since: str | None, until: str | None) -> bool:
    if day is None:
        return since is None and until is None
    return (since is None or day >= since) and (until is None or day <= until)


def _sitemap_plan(since, until):
    def plan_entries(db, sources, fetcher, counts, errors, logger, host_limits=False):
        plan = []
        for source in sources:
            if not source.sitemap_url:
                logger.info("%s has no sitemap_url: nothing to backfill", source.name)
                continue
            counts["feeds_polled"] += 1
            known = store.seen_entries(db, source.name) | store.known_links(db, source.name)
            todo, queue, visited = [], [source.sitemap_url], set()
            while queue and len(visited) < MAX_SITEMAPS:
                url = queue.pop(0)
                if url in visited:
                    continue
                visited.add(url)
                state = fetch_sitemap(fetcher, source, url, return_state=True)
                if not state.is_completed():
                    try:
                        state.result()
                    except (FetchError, FeedError) as exc:
                        reason = getattr(exc, "reason", str(exc))
                    except Exception as exc:  # noqa: BLE001
                        reason = f"{type(exc).__name__}: {exc}"
                    counts["feeds_failed"] += 1
                    errors.append(f"sitemap {url}: {reason}")
                    logger.warning("sitemap %s failed: %s", url, reason)
                    continue
                pages, nested = state.result()
                queue += nested
                for page in pages:
                    if not _in_range(page.lastmod, since, until):
                        continue
                    if page.loc in known:
                        counts["articles_unchanged"] += 1
                        continue
                    todo.append(FeedEntry(entry_id=page.loc, link=page.loc, published=None))
            plan.append((source, todo))
        return plan
    return plan_entries


@flow(name="backfill", log_prints=False)
def backfill(sources_path: str | None = None, db_path: str = "factwire.db",
             samples_origin: str | None = None, only: list[str] | None = None,
             since: str | None = None, until: str | None = None, batch_size: int = 16,
             model: str | None = None, fetch_settings: FetchSettings | None = None) -> dict:
    """Store the reports of [since, until] listed in the sources' sitemaps."""
    return run_flow("backfill", sources_path, db_path, samples_origin, only,
                    _sitemap_plan(since, until), batch_size=batch_size, model=model,
                    fetch_settings=fetch_settings)
