"""What every factwire command shares: the --db option, clear failures, Prefect's
environment, the run summary, and opening an existing database.

Kept apart from ``factwire.cli`` (the Typer app) so the command modules that
register on the app can import it without an import cycle.
"""
from __future__ import annotations

import os
from pathlib import Path

import typer

DbOption = typer.Option(None, "--db", metavar="PATH",
                        help="SQLite database (default: $FACTWIRE_DB, [factwire] db in ./factwire.toml, "
                             "or factwire.db).")


def fail(message: str, code: int = 1) -> None:
    """One clear line on stderr and a non-zero exit: no traceback for expected problems."""
    typer.echo(f"factwire: {message}", err=True)
    raise typer.Exit(code)


def prefect_environment(verbose: bool = False) -> None:
    """Run Prefect without a server of its own: ephemeral API, no analytics."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")


def print_summary(summary: dict, title: str = "factwire ingest") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("feeds polled", "feeds_polled"), ("feeds unchanged (304)", "feeds_unchanged"),
            ("feeds failed", "feeds_failed"), ("articles new", "articles_new"),
            ("articles unchanged", "articles_unchanged"), ("articles duplicate", "articles_duplicate"),
            ("articles failed", "articles_failed"), ("facts extracted", "facts")]
    for label, key in rows:
        table.add_row(label, str(summary.get(key, 0)))
    table.add_row("time taken", f"{summary.get('seconds', 0):.1f} s")
    console = Console()
    console.print(table)
    for error in summary.get("errors") or []:
        console.print(f"note: {error}", markup=False, highlight=False)


def open_existing_db(path: str):
    """Open a database that must already be factwire's; clear errors otherwise."""
    import sqlite3
    import sqlite_utils
    if not Path(path).exists():
        fail(f"{path}: no such database (run 'factwire demo' or 'factwire ingest' first)")
    try:
        db = sqlite_utils.Database(path)
        tables = set(db.table_names())
    except sqlite3.DatabaseError as exc:
        fail(f"{path}: not a usable SQLite database ({exc})")
    if "articles" not in tables:
        fail(f"{path}: not a factwire database (no articles table)")
    return db
