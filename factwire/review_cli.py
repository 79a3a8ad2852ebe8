"""Review commands of the factwire CLI (review, export-gold)."""
from __future__ import annotations


def register(app) -> None:
    """Add the review commands to the ``factwire`` Typer app."""
