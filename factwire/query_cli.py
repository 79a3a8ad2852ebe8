"""Query commands of the factwire CLI (facts, facility, timeline, search, sql, stats).

Every command opens the database read-only, asks ``factwire.query`` (the same
functions the benchmark times) and prints the answer: rich tables on a
terminal, plain tab-separated text when piped, or JSON, JSON lines or CSV.
rich and matplotlib are imported inside the commands so start-up stays light.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import typer

from .cli_common import DbOption



class _LazyQuery:
    """``factwire.query``, imported on first use so ``factwire --help`` stays light."""

    def __getattr__(self, name):
        from . import query
        return getattr(query, name)


q = _LazyQuery()
FORMATS = ("table", "json", "jsonl", "csv")


# -- output --------------------------------------------------------------------------------------

def is_tty() -> bool:
    if os.environ.get("FACTWIRE_TTY"):  # force the terminal rendering (docs, tests)
        return os.environ["FACTWIRE_TTY"] not in ("0", "")
    return sys.stdout.isatty()


def console():
    from rich.console import Console
    if is_tty():
        return Console(highlight=False, no_color=bool(os.environ.get("NO_COLOR")) or None)
    return Console(highlight=False, no_color=True, width=100_000, soft_wrap=True, color_system=None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float):  # 30000000000, not 3e+10: CSV readers and people both
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def write_tsv(columns: list[str], rows: list[list]) -> None:
    out = sys.stdout
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(_cell(v).replace("\t", " ") for v in row) + "\n")


def write_csv(columns: list[str], rows: list[list]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])


def write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def write_jsonl(items: list) -> None:
    for item in items:
        sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")


def note(message: str) -> None:
    """Remarks go to stderr so piped answers stay clean."""
    typer.echo(f"factwire: {message}", err=True)


def _check_format(fmt: str, allowed=FORMATS) -> str:
    from .cli_common import fail
    if fmt not in allowed:
        fail(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return fmt


@contextmanager
def opened(db: Optional[str]):
    """The read-only connection; expected problems become one line and exit 1."""
    from .cli_common import fail
    from .config import default_db_path
    path = db or default_db_path()
    conn = None
    try:
        conn = q.open_db(path)
        yield conn
    except q.QueryError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:
        fail(str(q._explain(path, exc)))
    finally:
        if conn is not None:
            conn.close()


def _strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("snippet_span",)}


# -- shared filter options -----------------------------------------------------------------------

CommodityOpt = typer.Option(None, "--commodity", "-c", metavar="NAME", help="Commodity, family-aware: 'oil' finds 'crude oil'.")
FacilityOpt = typer.Option(None, "--facility", "-f", metavar="NAME", help="Facility name or alias: 'BTC' finds the Baku-Tbilisi-Ceyhan pipeline.")
OrgOpt = typer.Option(None, "--org", metavar="NAME", help="Only reports naming this organisation (or alias).")
PlaceOpt = typer.Option(None, "--place", metavar="NAME", help="Only reports naming this place (or alias).")
PersonOpt = typer.Option(None, "--person", metavar="NAME", help="Only reports naming this person (or alias).")
SinceOpt = typer.Option(None, "--since", metavar="DATE", help="Facts whose period overlaps from this date on (2024, 2024-Q1, 2024-03, 2024-03-05); no period: the report's date.")
UntilOpt = typer.Option(None, "--until", metavar="DATE", help="Facts whose period overlaps up to this date (inclusive: --until 2024 is to 2024-12-31).")
StatusOpt = typer.Option(None, "--status", metavar="STATUS", help="actual, planned, forecast, capacity, agreed or none; repeat or comma-separate.")
SourceOpt = typer.Option(None, "--source", metavar="AGENCY", help="Agency (e.g. trend, reuters); repeat or comma-separate.")
UnitOpt = typer.Option(None, "--unit", metavar="UNIT", help="Normalised unit: t, bbl, m3, MWh ...")
PerOpt = typer.Option(None, "--per", metavar="BASIS", help="Rate basis: day, month, year ... or none.")
MinOpt = typer.Option(None, "--min-amount", metavar="AMOUNT", help="Smallest normalised amount: 1200000, 1.2mln, 500k, 2bln.")
MaxOpt = typer.Option(None, "--max-amount", metavar="AMOUNT", help="Largest normalised amount.")
ReviewedOpt = typer.Option(None, "--reviewed/--unreviewed", help="Only reviewed (accepted, corrected, orphaned) or only unreviewed facts.")


def _filter(**kw) -> q.FactFilter:
    kw["status"] = list(kw.get("status") or [])
    kw["source"] = list(kw.get("source") or [])
    return q.FactFilter(**kw)


# -- facts ---------------------------------------------------------------------------------------

FACT_CSV = ["id", "article_id", "amount", "unit", "per", "amount_text", "commodity", "facilities",
            "period_start", "period_end", "period", "status", "qualifier", "confidence", "review_status",
            "source", "published", "title", "canonical_url", "text", "snippet"]
FACT_TABLE = [("amount", "amount_text"), ("commodity", "commodity"), ("facilities", "facilities"),
              ("period", "period"), ("status", "status"), ("source", "source"),
              ("published", "published"), ("evidence", "snippet")]


def _status_cell(row: dict) -> str:
    status = row.get("status") or ""
    review = row.get("review_status")
    return f"{status} ({review})" if review and review != "unreviewed" else status


def fact_table(rows: list[dict], title: str | None = None, width: int | None = None):
    """The facts as a rich table whose column widths are fixed here to fit ``width``.

    (Left to itself rich can overflow the terminal by a character when it must shrink
    several columns at once, so the widths are worked out: the evidence takes the rest.)
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text
    width = width or console().width
    cells = [[r["amount_text"], r.get("commodity") or "", "; ".join(r["facilities"]), r["period"],
              _status_cell(r), r.get("source") or "", r.get("published") or ""] for r in rows]
    heads = ["amount", "commodity", "facilities", "period", "status", "source", "published"]
    caps = [16, 12, 20, 12, 12, 11, 10]
    widths = [min(cap, max([len(h)] + [len(c[i]) for c in cells])) for i, (h, cap) in enumerate(zip(heads, caps))]
    keep = list(range(7))
    # Columns are 3 apart; the evidence wants 20 or more, else columns give way in this order.
    while sum(widths[i] + 3 for i in keep) + 20 > width and len(keep) > 2:
        keep.remove(next(i for i in (6, 3, 1, 5, 4) if i in keep))
    evidence = max(18, width - sum(widths[i] + 3 for i in keep))

    def build(evidence_width: int):
        table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                      show_edge=False)
        for i in keep:
            table.add_column(heads[i], justify="right" if i == 0 else "left", min_width=widths[i],
                             max_width=widths[i], overflow="ellipsis" if i in (2, 5) else "fold",
                             no_wrap=i == 0)
        table.add_column("evidence", min_width=evidence_width, max_width=evidence_width)
        for r, row in zip(rows, cells):
            text = Text(r["snippet"])
            if r.get("snippet_span"):
                text.stylize("bold", *r["snippet_span"])
            table.add_row(*[row[i] for i in keep], text)
        return table

    # Measure the rendering and give the evidence what is left (rich's own shrinking can
    # overflow a narrow terminal by a character).
    from rich.console import Console
    for _ in range(4):
        table = build(evidence)
        probe = Console(width=10_000, file=io.StringIO(), no_color=True, color_system=None)
        probe.print(table)
        overflow = max((len(l) for l in probe.file.getvalue().splitlines()), default=0) - width
        if overflow <= 0 or evidence <= 18:
            break
        evidence = max(18, evidence - overflow)
    return table


def print_facts(rows: list[dict], fmt: str, title: str | None = None) -> None:
    if fmt == "json":
        write_json([_strip(r) for r in rows])
    elif fmt == "jsonl":
        write_jsonl([_strip(r) for r in rows])
    elif fmt == "csv":
        write_csv(FACT_CSV, [[r.get(c) for c in FACT_CSV] for r in rows])
    elif is_tty():
        console().print(fact_table(rows, title))
    else:
        columns = ["id"] + [c for c, _ in FACT_TABLE] + ["review_status", "url"]
        write_tsv(columns, [[r["id"], *[_status_cell(r) if k == "status" else r.get(k) for _, k in FACT_TABLE],
                             r.get("review_status"), r.get("canonical_url")] for r in rows])


def facts_command(
    commodity: Optional[str] = CommodityOpt,
    facility: Optional[str] = FacilityOpt,
    org: Optional[str] = OrgOpt,
    place: Optional[str] = PlaceOpt,
    person: Optional[str] = PersonOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    status: Optional[list[str]] = StatusOpt,
    source: Optional[list[str]] = SourceOpt,
    unit: Optional[str] = UnitOpt,
    per: Optional[str] = PerOpt,
    min_amount: Optional[str] = MinOpt,
    max_amount: Optional[str] = MaxOpt,
    reviewed: Optional[bool] = ReviewedOpt,
    sort: str = typer.Option("published", "--sort", metavar="KEY", help="published, amount, period or confidence (largest/newest first)."),
    asc: bool = typer.Option(False, "--asc", help="Smallest/oldest first."),
    limit: int = typer.Option(50, "--limit", "-n", metavar="N", help="At most this many rows (0: all)."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table, json, jsonl or csv."),
    db: Optional[str] = DbOption,
):
    """Facts (amounts of a commodity) with their evidence, filtered and sorted.

    Example: factwire facts --facility BTC --commodity oil --since 2024 --sort amount

    Example: factwire facts --org KazMunayGas --status planned --format csv > kmg.csv
    """
    _check_format(fmt)
    flt = _filter(commodity=commodity, facility=facility, org=org, place=place, person=person,
                  since=since, until=until, status=status, source=source, unit=unit, per=per,
                  min_amount=min_amount, max_amount=max_amount, reviewed=reviewed)
    with opened(db) as conn:
        where = q.build_where(conn, flt)
        for message in where.notes:
            note(message)
        rows = q.facts(conn, flt, sort=sort, descending=not asc, limit=limit or None, where=where)
        title = None
        if is_tty() and fmt == "table":
            shown = f"{len(rows)} facts"
            if limit and len(rows) == limit:
                shown = f"first {len(rows)} of {q.count_facts(conn, where=where)} facts (--limit 0 for all)"
            title = shown + (f"  [{flt.describe()}]" if flt.describe() else "")
    print_facts(rows, fmt, title)


# -- facility ------------------------------------------------------------------------------------

def facility_command(
    name: str = typer.Argument(..., help="Facility name or alias (e.g. BTC, 'CPC Marine Terminal')."),
    limit: int = typer.Option(30, "--limit", "-n", metavar="N", help="Rows per section (amounts, incidents, reports)."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table or json."),
    db: Optional[str] = DbOption,
):
    """Profile of a facility: kind, aliases, operator, amounts over time, incidents, agreements, reports.

    Example: factwire facility BTC
    """
    _check_format(fmt, ("table", "json"))
    with opened(db) as conn:
        profile = q.facility_profile(conn, name, limit=limit or 1000)
    if profile["matched_by_part"]:
        note(f"{name!r} matched by part of a name: {profile['name']}")
    if fmt == "json":
        profile["amounts"] = [_strip(r) for r in profile["amounts"]]
        write_json(profile)
        return
    op = profile["operator"]
    operator = (f"{op['name']} ({op['source']} {op['published']}: \"{op['sentence']}\")" if op else "unknown")
    header = [("facility", profile["name"]), ("kind", profile["kind"] or "unknown"),
              ("aliases", ", ".join(profile["aliases"]) or "none"), ("operator", operator),
              ("reported", f"{profile['reports_total']} reports, "
                           f"{profile['first_reported'] or '?'} to {profile['last_reported'] or '?'}"),
              ("amounts", str(profile["amounts_total"]))]
    sections = [
        ("Amounts over time" + _more(profile["amounts"], profile["amounts_total"]), "facts", profile["amounts"]),
        ("Incidents", "cues", profile["incidents"]),
        ("Agreements", "cues", profile["agreements"]),
        ("Reports naming it" + _more(profile["reports"], profile["reports_total"]), "reports", profile["reports"]),
    ]
    if not is_tty():
        out = sys.stdout
        for key, value in header:
            out.write(f"{key}\t{_cell(value)}\n")
        for title, kind, rows in sections:
            out.write(f"\n# {title}\n")
            if kind == "facts":
                print_facts(rows, "table")
            elif kind == "cues":
                write_tsv(["published", "source", "cue", "sentence"],
                          [[r["published"], r["source"], r["cue"], r["sentence"]] for r in rows])
            else:
                write_tsv(["published", "source", "title", "url"],
                          [[r["published"], r["source"], r["title"], r["canonical_url"]] for r in rows])
        return
    from rich.table import Table
    from rich.text import Text
    con = console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    for key, value in header:
        head.add_row(key, value)
    con.print(head)
    for title, kind, rows in sections:
        con.print()
        if not rows:
            con.print(Text(f"{title}: none found", style="bold"))
            continue
        if kind == "facts":
            con.print(fact_table(rows, title))
            continue
        table = Table(title=title, header_style="bold")
        if kind == "cues":
            for col in ("published", "source", "cue"):
                table.add_column(col, no_wrap=True)
            table.add_column("sentence", ratio=1)
            for r in rows:
                sentence = Text(r["sentence"])
                sentence.highlight_words([r["cue"]], "bold", case_sensitive=False)
                table.add_row(r["published"] or "", r["source"], r["cue"], sentence)
        else:
            for col in ("published", "source"):
                table.add_column(col, no_wrap=True)
            table.add_column("title", ratio=1)
            table.add_column("url", overflow="fold", max_width=50)
            for r in rows:
                table.add_row(r["published"] or "", r["source"], r["title"] or "", r["canonical_url"] or "")
        con.print(table)


def _more(shown: list, total: int) -> str:
    return f" ({len(shown)} of {total})" if total > len(shown) else ""


# -- timeline ------------------------------------------------------------------------------------

def timeline_rows(result: dict) -> tuple[list[str], list[list]]:
    """One row per group: bucket, period, status, unit, one column per source, conflict."""
    sources = result["sources"]
    show_fac = any(g["facilities"] for g in result["groups"])
    columns = ["bucket", "period", "status"] + (["facilities"] if show_fac else []) + sources + ["conflict"]
    rows = []
    for g in result["groups"]:
        cells = {s: [] for s in sources}
        for rep in g["reports"]:
            cells[rep["source"]].append(rep["amount_text"])
        rows.append([g["bucket"], g["period"] or "(rate)", g["status"] or ""]
                    + (["; ".join(g["facilities"])] if show_fac else [])
                    + [" | ".join(cells[s]) for s in sources]
                    + ["CONFLICT" if g["conflict"] else ""])
    return columns, rows


def timeline_command(
    facility: Optional[str] = FacilityOpt,
    commodity: Optional[str] = CommodityOpt,
    per: str = typer.Option("quarter", "--per", metavar="BUCKET", help="Bucket size: month, quarter or year."),
    org: Optional[str] = OrgOpt,
    place: Optional[str] = PlaceOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    status: Optional[list[str]] = StatusOpt,
    source: Optional[list[str]] = SourceOpt,
    unit: Optional[str] = UnitOpt,
    reviewed: Optional[bool] = ReviewedOpt,
    conflicts_only: bool = typer.Option(False, "--conflicts", help="Only periods where reports disagree."),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help="Also draw the timeline to FILE.png or FILE.svg."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table, json, jsonl or csv."),
    db: Optional[str] = DbOption,
):
    """Amounts by period, with reports that disagree about the same period side by side.

    Example: factwire timeline --facility BTC --commodity oil --per year --plot btc.png
    """
    from .cli_common import fail
    _check_format(fmt)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        fail(f"--plot: {plot} must end in .png or .svg")
    flt = _filter(facility=facility, commodity=commodity, org=org, place=place, since=since,
                  until=until, status=status, source=source, unit=unit, reviewed=reviewed)
    with opened(db) as conn:
        result = q.timeline(conn, flt, per=per, details=fmt in ("json", "jsonl"))
    for message in result["notes"]:
        note(message)
    if result["truncated"]:
        note("only the earliest 5000 facts (by period) are shown; narrow the filters")
    if conflicts_only:
        result["groups"] = [g for g in result["groups"] if g["conflict"]]
        result["sources"] = sorted({s for g in result["groups"] for s in g["sources"]})
    if plot is not None:
        from .plot import plot_timeline
        try:
            plot_timeline(result, plot, title=_timeline_title(flt, per))
        except OSError as exc:
            fail(f"--plot: cannot write {plot}: {exc.strerror or exc}")
        note(f"plot written to {plot}")
    if fmt == "json":
        write_json(result)
        return
    if fmt == "jsonl":
        write_jsonl(result["groups"])
        return
    columns, rows = timeline_rows(result)
    if fmt == "csv":
        write_csv(columns, rows)
    elif is_tty():
        from rich.table import Table
        title = (f"{_timeline_title(flt, per)}: {len(result['groups'])} periods, "
                 f"{result['conflicts']} with conflicting reports")
        table = Table(title=title, header_style="bold")
        for c in columns:
            table.add_column(c, justify="right" if c in result["sources"] else "left",
                             no_wrap=c in ("bucket", "period", "conflict"))
        for row, g in zip(rows, result["groups"]):
            table.add_row(*row, style="bold red" if g["conflict"] else None)
        console().print(table)
    else:
        write_tsv(columns, rows)


def _timeline_title(flt: q.FactFilter, per: str) -> str:
    what = " ".join(x for x in (flt.commodity, "via " + flt.facility if flt.facility else None) if x)
    return f"{what or 'amounts'} by {per}"


# -- search --------------------------------------------------------------------------------------

def search_command(
    text: str = typer.Argument(..., help="Words or a phrase; FTS5 syntax (AND, OR, NOT, \"...\", prefix*) works too."),
    limit: int = typer.Option(10, "--limit", "-n", metavar="N", help="At most this many reports."),
    raw: bool = typer.Option(False, "--raw", help="Pass the query to FTS5 as written."),
    duplicates: bool = typer.Option(False, "--duplicates", help="Include reports stored as duplicates."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table, json or jsonl."),
    db: Optional[str] = DbOption,
):
    """Full-text search over the reports, with highlighted snippets and the facts of each hit.

    Example: factwire search "single-point mooring"
    """
    _check_format(fmt, ("table", "json", "jsonl"))
    with opened(db) as conn:
        hits = q.search(conn, text, limit=limit, raw=raw, include_duplicates=duplicates)
    if fmt in ("json", "jsonl"):
        items = [{**{k: v for k, v in h.items() if k not in ("title_marked", "facts")},
                  "snippet": q.plain_marks(h["snippet"]),
                  "facts": [_strip(f) for f in h["facts"]]} for h in hits]
        write_json(items) if fmt == "json" else write_jsonl(items)
        return
    if not is_tty():
        out = sys.stdout
        for n, h in enumerate(hits, 1):
            out.write(f"{n}\t{h['published'] or ''}\t{h['source']}\t{_cell(h['title'])}\t{h['canonical_url']}\n")
            out.write(f"\t{_cell(q.plain_marks(h['snippet']))}\n")
            for f in h["facts"]:
                out.write("\t- " + "\t".join(_cell(v) for v in (
                    f["amount_text"], f["commodity"], f["facilities"], f["period"], f["status"])) + "\n")
            if h["facts_total"] > len(h["facts"]):
                out.write(f"\t- ... {h['facts_total'] - len(h['facts'])} more facts\n")
        if not hits:
            note(f"no report matches {text!r}")
        return
    from rich.text import Text
    con = console()
    if not hits:
        con.print(f"no report matches {text!r}")
        return
    for n, h in enumerate(hits, 1):
        head = Text(f"{n}. ", style="bold")
        head.append(_marked(h["title_marked"] or h["title"] or "", "bold"))
        con.print(head)
        con.print(Text(f"   {h['source']} {h['published'] or ''}  {h['canonical_url']}", style="dim"),
                  soft_wrap=True)
        con.print(Text("   ") + _marked(h["snippet"], "bold reverse"))
        for f in h["facts"]:
            bits = [f["amount_text"], f["commodity"] or "", "; ".join(f["facilities"]), f["period"],
                    f["status"] or ""]
            con.print(Text("   • " + "  ".join(b for b in bits if b)))
        if h["facts_total"] > len(h["facts"]):
            con.print(Text(f"   • … {h['facts_total'] - len(h['facts'])} more facts", style="dim"))
        con.print()


def _marked(text: str, style: str):
    """Text with the FTS highlight markers turned into a style."""
    from rich.text import Text
    out = Text()
    parts = q.merge_marks(" ".join((text or "").split())).split(q.HIT_OPEN)
    out.append(parts[0])
    for part in parts[1:]:
        hit, _, rest = part.partition(q.HIT_CLOSE)
        out.append(hit, style=style)
        out.append(rest)
    return out


# -- sql -----------------------------------------------------------------------------------------

def sql_command(
    statement: str = typer.Argument(..., help="One SQL statement (read-only: SELECT, WITH, EXPLAIN, read pragmas)."),
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table, json, jsonl or csv."),
    db: Optional[str] = DbOption,
):
    """Read-only SQL over the database (views: facts, facility_names, entity_names).

    Example: factwire sql "SELECT source, count(*) FROM facts GROUP BY source"
    """
    _check_format(fmt)
    with opened(db) as conn:
        columns, rows = q.run_sql(conn, statement)
    if fmt == "json":
        write_json([dict(zip(columns, r)) for r in rows])
    elif fmt == "jsonl":
        write_jsonl([dict(zip(columns, r)) for r in rows])
    elif fmt == "csv":
        write_csv(columns, [list(r) for r in rows])
    elif is_tty():
        from rich.table import Table
        table = Table(header_style="bold", caption=f"{len(rows)} rows")
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[_cell(v) for v in r])
        console().print(table)
    else:
        write_tsv(columns, [list(r) for r in rows])


# -- stats ---------------------------------------------------------------------------------------

SOURCE_COLUMNS = [("source", "source"), ("reports", "articles"), ("extracted", "extracted"),
                  ("duplicate", "duplicate"), ("failed", "failed"), ("not English", "not_english"),
                  ("facts", "facts"), ("first", "first_published"), ("last", "last_published")]
RUN_COLUMNS = [("id", "id"), ("flow", "flow"), ("started", "started"), ("status", "status"),
               ("feeds", "feeds_polled"), ("304", "feeds_unchanged"), ("feed err", "feeds_failed"),
               ("new", "articles_new"), ("unchanged", "articles_unchanged"), ("dup", "articles_duplicate"),
               ("failed", "articles_failed"), ("facts", "facts")]


def stats_command(
    fmt: str = typer.Option("table", "--format", metavar="FORMAT", help="table or json."),
    db: Optional[str] = DbOption,
):
    """Counts per source and run, extraction coverage and review progress.

    Example: factwire stats --db factwire.db
    """
    _check_format(fmt, ("table", "json"))
    with opened(db) as conn:
        s = q.stats(conn)
    if fmt == "json":
        write_json(s)
        return
    coverage = [("articles", s["articles"]),
                *[(f"articles {k}", v) for k, v in sorted(s["articles_by_status"].items())],
                ("extracted articles with facts", s["extracted_with_facts"]),
                ("facts", s["facts"]), ("facts per extracted article", s["facts_per_extracted_article"]),
                ("pages failing to fetch", s["fetch_failures"])]
    review = [(k, v) for k, v in sorted(s["review"].items())] + [
        ("reviewed share", f"{100 * s['reviewed_share']:.1f}%")]
    sections = [("Sources", [h for h, _ in SOURCE_COLUMNS],
                 [[r.get(c) for _, c in SOURCE_COLUMNS] for r in s["sources"]]),
                (f"Runs (latest {len(s['runs'])} of {s['runs_total']})", [h for h, _ in RUN_COLUMNS],
                 [[(r.get(c) or "")[:16].replace("T", " ") if c == "started" else r.get(c)
                   for _, c in RUN_COLUMNS] for r in s["runs"]]),
                ("Extraction coverage", ["what", "count"], coverage),
                ("Review progress", ["review_status", "facts"], review)]
    if not is_tty():
        for n, (title, columns, rows) in enumerate(sections):
            sys.stdout.write(("\n" if n else "") + f"# {title}\n")
            write_tsv(columns, rows)
        return
    from rich.table import Table
    con = console()
    for title, columns, rows in sections:
        table = Table(title=title, header_style="bold")
        for c in columns:
            table.add_column(c, justify="left" if c in ("source", "flow", "started", "status", "what",
                                                        "review_status", "first", "last") else "right",
                             no_wrap=c in ("started", "status", "source"))
        for r in rows:
            table.add_row(*[_cell(v) for v in r])
        con.print(table)


# -- registration --------------------------------------------------------------------------------

def register(app) -> None:
    """Add the query commands to the ``factwire`` Typer app."""
    app.command("facts")(facts_command)
    app.command("facility")(facility_command)
    app.command("timeline")(timeline_command)
    app.command("search")(search_command)
    app.command("sql")(sql_command)
    app.command("stats")(stats_command)
