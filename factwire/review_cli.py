"""Review commands of the factwire CLI (review, export-gold).

``factwire review`` serves the database with Datasette, the project's review
plugin (factwire/review/), its metadata and canned queries; reviewers log in
with passwords whose hashes come from FACTWIRE_REVIEWERS or a reviewers TOML
file.  ``factwire export-gold`` writes the reviewed documents as gold.
No Prefect or spaCy import on these paths.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer


def hash_password_interactive() -> str:
    from datasette_auth_passwords.utils import hash_password
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise ValueError("an empty password cannot be hashed")
    return hash_password(password)


def build_datasette(db_path: str, reviewers: dict[str, str], *, secret: str | None = None):
    """A Datasette on ``db_path`` with the review plugin, metadata, config and queries."""
    from datasette.app import Datasette

    from .review import register_plugin, settings
    register_plugin()
    name = Path(db_path).stem
    return Datasette(
        [db_path],
        config=settings.config(name, reviewers),
        metadata=settings.metadata(name),
        settings={"sql_time_limit_ms": 3000, "facet_time_limit_ms": 500,
                  "default_page_size": 50},
        secret=secret or os.environ.get("FACTWIRE_REVIEW_SECRET") or os.environ.get("DATASETTE_SECRET"),
    )


def serve(ds, host: str, port: int) -> None:
    import asyncio

    import uvicorn
    from datasette.cli import check_databases

    async def run():
        await check_databases(ds)
        await ds.invoke_startup()
        server = uvicorn.Server(uvicorn.Config(ds.app(), host=host, port=port, log_level="warning",
                                               lifespan="on", workers=1))
        await server.serve()

    asyncio.run(run())


def register(app) -> None:
    """Add the review commands to the ``factwire`` Typer app."""
    from .cli_common import DbOption, fail, open_existing_db
    from .config import default_db_path

    @app.command()
    def review(
        db: Optional[str] = DbOption,
        port: int = typer.Option(8001, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        reviewers: Optional[Path] = typer.Option(
            None, "--reviewers",
            help="TOML file with a [reviewers] table of name = \"hash\" "
                 "(default: $FACTWIRE_REVIEWERS_FILE); $FACTWIRE_REVIEWERS adds name:hash pairs."),
        hash_password: bool = typer.Option(
            False, "--hash-password",
            help="Read a password (prompt, or one line on stdin), print its hash and exit."),
    ):
        """Serve the database in Datasette for reviewers to correct facts.

        Example: FACTWIRE_REVIEWERS="alice:$(factwire review --hash-password)" factwire review --db factwire.db
        Then open http://127.0.0.1:8001/-/review (log in at /-/login).
        """
        if hash_password:
            try:
                typer.echo(hash_password_interactive())
            except ValueError as exc:
                fail(str(exc))
            return
        from .review.settings import ReviewerConfigError, load_reviewers

        path = db or default_db_path()
        open_existing_db(path)
        try:
            accounts = load_reviewers(path=reviewers)
        except ReviewerConfigError as exc:
            fail(str(exc))
        import schemas
        database = schemas.connect(path)
        database.conn.close()
        ds = build_datasette(path, accounts)
        who = ", ".join(sorted(accounts)) or "none (read-only: set FACTWIRE_REVIEWERS)"
        typer.echo(f"factwire review: http://{host}:{port}/-/review  (database {path}; reviewers: {who})")
        serve(ds, host, port)

    @app.command("export-gold")
    def export_gold(db: Optional[str] = DbOption,
                    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                                          help="Write here instead of stdout.")):
        """Write the reviewed documents (at least one review) as gold-format JSON lines.

        Values are the effective ones (reviewers' corrections applied; rejected facts left out).
        Example: factwire export-gold --db factwire.db > reviewed_gold.jsonl && factwire eval reviewed_gold.jsonl
        """
        import schemas

        from .review.core import gold_records
        database = open_existing_db(db or default_db_path())
        schemas.ensure(database)  # the current tables, triggers and views
        out = output.open("w", encoding="utf-8") if output else sys.stdout
        n = 0
        try:
            for record in gold_records(database):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
        finally:
            if output:
                out.close()
        typer.echo(f"factwire: {n} reviewed document{'s' if n != 1 else ''} exported", err=True)
