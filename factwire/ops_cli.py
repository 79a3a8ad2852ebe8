"""Operations commands: reextract, backfill, serve."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Optional

import typer

from .cli_common import DbOption, fail, prefect_environment, print_summary
from .config import DEFAULT_SOURCES, ConfigError, default_db_path, local_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def reextract(
        db: Optional[str] = DbOption,
        all_articles: bool = typer.Option(False, "--all", help="Re-extract every report, not only outdated ones."),
        batch_size: int = typer.Option(32, help="Reports per extraction batch."),
        dask_address: Optional[str] = typer.Option(
            None, help="Dask scheduler to run batches on (default: $FACTWIRE_DASK_ADDRESS or "
                       "[dask] address in factwire.toml)."),
        dask_workers: int = typer.Option(0, help="Start a local Dask cluster of N worker processes."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ):
        """Bring stored reports up to the current extractor version (reviewed values untouched).

        Example: factwire reextract --db factwire.db --dask-workers 2
        """
        prefect_environment(verbose)
        from flows.reextract import reextract as flow
        path = db or default_db_path()
        if not Path(path).exists():
            fail(f"{path}: no such database")
        address = dask_address or os.environ.get("FACTWIRE_DASK_ADDRESS") or \
            local_settings().get("dask", {}).get("address")
        if address or dask_workers:
            from flows.runners import dask_runner
            flow = flow.with_options(task_runner=dask_runner(address, dask_workers or 2))
        summary = flow(db_path=path, all_articles=all_articles, batch_size=batch_size)
        typer.echo(f"re-extracted {summary['reextracted']} reports ({summary['facts']} facts) "
                   f"to {summary['version']} in {summary['seconds']:.1f} s")

    @app.command()
    def backfill(
        db: Optional[str] = DbOption,
        sources: Path = typer.Option(DEFAULT_SOURCES, help="Sources file."),
        source: Optional[list[str]] = typer.Option(None, "--source", help="Only these sources."),
        since: Optional[str] = typer.Option(None, help="First day (YYYY-MM-DD) of the range."),
        until: Optional[str] = typer.Option(None, help="Last day (YYYY-MM-DD) of the range."),
        samples: bool = typer.Option(False, "--samples", help="Serve the bundled samples and backfill from them."),
        samples_origin: Optional[str] = typer.Option(None, help="Origin replacing {samples} in URLs."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ):
        """Ingest reports of a date range from the sources' sitemaps or archive pages.

        Example: factwire backfill --samples --since 2023-01-01 --until 2023-12-31
        """
        prefect_environment(verbose)
        from flows.backfill import backfill as flow
        from .sample_server import serve

        def go(origin):
            try:
                return flow(sources_path=str(sources), db_path=db or default_db_path(),
                            samples_origin=origin, only=source, since=since, until=until)
            except ConfigError as exc:
                fail(str(exc))

        if samples:
            with serve() as server:
                summary = go(server.origin)
        else:
            summary = go(samples_origin)
        print_summary(summary, title="factwire backfill")

    @app.command()
    def serve(
        db: Optional[str] = DbOption,
        sources: Path = typer.Option(DEFAULT_SOURCES, help="Sources file."),
        api_url: Optional[str] = typer.Option(
            None, help="Prefect API to use (default: $PREFECT_API_URL or [prefect] api_url in "
                       "factwire.toml; otherwise a local Prefect server is started)."),
        samples: bool = typer.Option(False, "--samples", help="Serve the bundled samples and poll them."),
        samples_origin: Optional[str] = typer.Option(None, help="Origin replacing {samples} in URLs."),
        limit: int = typer.Option(4, help="Flow runs at once, all sources together."),
        per_host: int = typer.Option(2, help="Requests at once to one agency host."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
    ):
        """Poll every source on its schedule (Prefect deployments) until interrupted.

        Example: factwire serve --samples --db factwire.db
        """
        prefect_environment(verbose)
        from flows.serve import prefect_api, serve_sources
        from .sample_server import serve as serve_samples

        api_url = api_url or os.environ.get("PREFECT_API_URL") or \
            local_settings().get("prefect", {}).get("api_url")
        path = db or default_db_path()
        with contextlib.ExitStack() as stack:
            origin = stack.enter_context(serve_samples()).origin if samples else samples_origin
            try:
                url, how = stack.enter_context(prefect_api(api_url))
            except RuntimeError as exc:
                fail(str(exc))
            typer.echo(f"factwire serve: {how}")
            typer.echo(f"database {path}; sources {sources}" + (f"; samples on {origin}" if origin else ""))
            try:
                serve_sources(str(sources), path, samples_origin=origin, limit=limit, per_host=per_host)
            except ConfigError as exc:
                fail(str(exc))
            except KeyboardInterrupt:
                typer.echo("factwire serve: stopped")
