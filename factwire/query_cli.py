"""Query commands of the factwire CLI (facts, facility, timeline, search, sql, stats)."""
from __future__ import annotations


def register(app) -> None:
    """Add the query commands to the ``factwire`` Typer app."""
