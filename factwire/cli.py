"""The ``factwire`` command.

Heavy imports (Prefect, spaCy) happen inside the commands that need them, so
``factwire --help`` and the query commands start fast.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import ops_cli, query_cli, review_cli
from .cli_common import DbOption, fail, open_existing_db, prefect_environment, print_summary
from .config import DEFAULT_SOURCES, ConfigError, default_db_path

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    help="factwire: news-agency reports turned into a database of facts.",
)


def run_ingest(db: str, sources: Path, samples_origin: Optional[str], only: Optional[list[str]],
               verbose: bool) -> dict:
    prefect_environment(verbose)
    from flows.ingest import ingest
    try:
        return ingest(sources_path=str(sources), db_path=db, samples_origin=samples_origin, only=only)
    except ConfigError as exc:
        fail(str(exc))


@app.command()
def demo(
    db: Optional[str] = DbOption,
    sources: Path = typer.Option(DEFAULT_SOURCES, help="Sources file."),
    port: Optional[int] = typer.Option(None, help="Port of the sample server (default 8765 if free, "
                                                  "0: any free port)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's run logs."),
):
    """Serve the bundled samples on 127.0.0.1, ingest their feeds and backfill their archives.

    Example: factwire demo --db factwire.db   (a second run reports everything unchanged)
    """
    from .sample_server import serve

    db = db or default_db_path()
    with serve(port=port) as server:
        typer.echo(f"sample server on {server.origin}; database {db}")
        summary = run_ingest(db, sources, server.origin, None, verbose)
        from flows.backfill import backfill
        archive = backfill(sources_path=str(sources), db_path=db, samples_origin=server.origin)
    print_summary(summary)
    print_summary(archive, title="factwire backfill (sitemaps)")


@app.command()
def ingest(
    db: Optional[str] = DbOption,
    sources: Path = typer.Option(DEFAULT_SOURCES, help="Sources file."),
    source: Optional[list[str]] = typer.Option(None, "--source", help="Only these sources."),
    samples_origin: Optional[str] = typer.Option(None, help="Origin replacing {samples} in URLs."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Poll the configured sources once and store new reports with their facts.

    Example: factwire ingest --sources sources.toml --db facts.db
    """
    print_summary(run_ingest(db or default_db_path(), sources, samples_origin, source, verbose))


def _read_docs(path: Path):
    """Input documents: JSON lines with doc_id, published, text (url, title optional)."""
    if str(path) == "-":
        lines = sys.stdin
    elif not path.exists():
        fail(f"{path}: no such file")
    else:
        lines = path.open(encoding="utf-8")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"{path}:{n}: not JSON ({exc.msg})")
        if not isinstance(doc, dict) or "text" not in doc:
            fail(f"{path}:{n}: a document needs at least 'text' (and doc_id, published)")
        doc.setdefault("doc_id", f"line-{n}")
        yield doc


@app.command()
def extract(
    docs: Path = typer.Argument(..., help="JSONL of {doc_id, published, text[, url, title]}, or -."),
    model: Optional[str] = typer.Option(None, help="spaCy English pipeline to use."),
):
    """Extract facts from documents; one gold-format JSON line per document on stdout.

    Example: factwire extract ../shared/eval/dev_docs.jsonl > pred.jsonl
    """
    from extractors import extract_many
    for record in extract_many(_read_docs(docs), model=model):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command()
def export(db: Optional[str] = DbOption):
    """Write every stored article's extraction as gold-format JSON lines on stdout.

    Example: factwire export --db factwire.db > facts.jsonl
    """
    from .store import export_records
    database = open_existing_db(db or default_db_path())
    for record in export_records(database):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(..., help="Gold annotations (JSONL)."),
    docs: Optional[Path] = typer.Argument(None, help="Input documents; default: the stored articles."),
    db: Optional[str] = DbOption,
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    model: Optional[str] = typer.Option(None, help="spaCy English pipeline to use."),
):
    """Score factwire's extraction against gold annotations (P/R/F1 per field).

    Example: factwire eval ../shared/eval/dev_gold.jsonl ../shared/eval/dev_docs.jsonl
    """
    from . import evaluate as ev
    from extractors import extract_many
    try:
        gold_docs = ev.load_jsonl(gold)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    if docs is not None:
        inputs = [d for d in _read_docs(docs) if d["doc_id"] in gold_docs]
    else:
        database = open_existing_db(db or default_db_path())
        inputs = [{"doc_id": r["canonical_url"], "text": r["text"], "published": r["published"]}
                  for r in database["articles"].rows_where("status = 'extracted'")
                  if r["canonical_url"] in gold_docs]
    from .progress import track
    predicted = {}
    with track("eval", len(inputs)) as advance:
        for record in extract_many(inputs, model=model):
            predicted[record["doc_id"]] = record
            advance(1)
    result = ev.score(gold_docs, predicted)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        print_scores({"factwire": result})


def print_scores(results: dict[str, dict]) -> None:
    """One table: a row per field, P/R/F1 columns per system."""
    from rich.console import Console
    from rich.table import Table
    from .evaluate import FIELDS

    table = Table(show_header=True)
    table.add_column("field")
    for system in results:
        for col in ("P", "R", "F1"):
            table.add_column(f"{system} {col}" if len(results) > 1 else col, justify="right")
    for field in FIELDS:
        cells = []
        for result in results.values():
            r = result[field]
            cells += [f"{r['p']:.3f}", f"{r['r']:.3f}", f"{r['f1']:.3f}"]
        table.add_row(field, *cells)
    console = Console(width=None if sys.stdout.isatty() else 132)   # piped: no cut-off names
    console.print(table)
    for system, result in results.items():
        attrs = ", ".join(f"{k}={v}" for k, v in result["attribute_accuracy_on_matched_quantities"].items())
        console.print(f"{system}: attribute accuracy on matched quantities: {attrs}", highlight=False)
        console.print(f"{system}: dateline accuracy: {result['dateline_accuracy']} | documents: "
                      f"{result['documents']} | missing in prediction: "
                      f"{result['documents_missing_in_prediction']}", highlight=False)


@app.command("serve-samples")
def serve_samples(port: int = typer.Option(8765, help="Port on 127.0.0.1.")):
    """Serve the bundled sample site until interrupted (for trying things by hand)."""
    import time
    from .sample_server import serve
    with serve(port=port) as server:
        typer.echo(f"serving samples on {server.origin} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def main() -> None:
    # Progress lines of long commands (plain lines when stderr is not a terminal).
    logger = logging.getLogger("factwire")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        app()
    except ConfigError as exc:
        typer.echo(f"factwire: {exc}", err=True)
        sys.exit(1)


# The commands of the other modules (query, review, operations).
query_cli.register(app)
review_cli.register(app)
ops_cli.register(app)

