"""Answers to an analyst's questions over the stored facts.

Plain functions over a read-only ``sqlite3`` connection; the CLI
(``factwire.query_cli``) and the benchmark call the same code.  Every query
reads the views of ``schemas.views`` (``facts``, ``facility_names``,
``entity_names``) so reviewers' corrections win in every answer; profiles also
read ``articles``, ``articles_fts``, ``entities``, ``facilities`` and ``runs``.

SQL is built from fixed fragments only: user values always travel as
parameters, and identifiers (sort keys, tables) come from whitelists here.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import re
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence


class QueryError(Exception):
    """A problem the user can fix; the CLI prints it as one line."""


# -- opening the database ---------------------------------------------------------------------

REQUIRED = {"articles": "table", "facts": "view", "facility_names": "view", "entity_names": "view"}
BUSY_TIMEOUT_S = 2.0


def _uri(path: str | Path) -> str:
    return "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"


def _explain(path, exc: sqlite3.Error) -> QueryError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return QueryError(f"{path}: the database is locked by another process; try again when it is done")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return QueryError(f"{path}: not a usable SQLite database ({text})")
    if "readonly" in text or "query_only" in text or "read-only" in text:
        return QueryError(f"{path}: refused: the database is opened read-only ({text})")
    return QueryError(f"{path}: {text}")


def open_db(path: str | Path, *, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """Open an existing factwire database read-only; QueryError with a clear message otherwise."""
    p = Path(path)
    if not p.exists():
        raise QueryError(f"{path}: no such database (run 'factwire demo' or 'factwire ingest' first)")
    if p.is_dir():
        raise QueryError(f"{path}: is a directory, not a database")
    try:
        conn = sqlite3.connect(_uri(p), uri=True, timeout=timeout, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _explain(path, exc) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("pragma query_only = on")
        present = {r["name"]: r["type"] for r in conn.execute(
            "select name, type from sqlite_master where type in ('table', 'view')")}
        # Touch the first page of articles so a lock or damage shows now, not mid-answer.
        if "articles" in present:
            conn.execute("select id from articles limit 1").fetchall()
    except sqlite3.Error as exc:
        conn.close()
        raise _explain(path, exc) from None
    if "articles" not in present:
        conn.close()
        raise QueryError(f"{path}: not a factwire database (no articles table)")
    missing = [name for name, kind in REQUIRED.items() if present.get(name) != kind]
    if missing:
        conn.close()
        raise QueryError(f"{path}: a factwire database without the {', '.join(missing)} view(s); "
                         "run 'factwire ingest' with this version once to update it")
    return conn


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence = ()) -> list[dict]:
    return [dict(r) for r in conn.execute(sql, list(params))]


def _marks(values: Sequence) -> str:
    """Placeholders for an IN list (never the values themselves)."""
    return ",".join("?" * len(values)) or "null"


# -- amounts, units, periods: parsing and display --------------------------------------------

_SCALE = {"": 1, "k": 1e3, "thousand": 1e3, "th": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6,
          "million": 1e6, "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "t": 1e12, "trln": 1e12}
_AMOUNT = re.compile(r"^\s*([0-9][0-9,_]*(?:\.[0-9]+)?|\.[0-9]+)(?:e([+-]?[0-9]+))?\s*([a-z]*)\s*$", re.I)


def parse_amount(text: str | float | int | None) -> float | None:
    """'2.2 mln' -> 2200000.0; '500k', '1.5bn', '1e6', '12,000' work too."""
    if text is None or isinstance(text, (int, float)):
        return text
    m = _AMOUNT.match(str(text))
    if not m or m.group(3).lower() not in _SCALE:
        raise QueryError(f"{text!r} is not an amount like 1200000, 1.2mln, 500k or 2bln")
    value = float(m.group(1).replace(",", "").replace("_", ""))
    if m.group(2):
        value *= 10 ** int(m.group(2))
    return value * _SCALE[m.group(3).lower()]


def _num(value: float) -> str:
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text


def human_amount(amount: float | None, unit: str | None = None, per: str | None = None) -> str:
    """2200000, 't', 'year' -> '2.2 mln t/year'."""
    if amount is None:
        return "?"
    a = abs(amount)
    if a >= 1e12:
        text = f"{_num(amount / 1e12)} trln"
    elif a >= 1e9:
        text = f"{_num(amount / 1e9)} bln"
    elif a >= 1e6:
        text = f"{_num(amount / 1e6)} mln"
    else:
        text = _num(amount)
    if unit:
        text += f" {unit}"
    if per:
        text += f"/{per}"
    return text


@functools.lru_cache(maxsize=4096)
def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_HALF = re.compile(r"^(\d{4})-?[Hh]([12])$")


def date_span(text: str, option: str = "date") -> tuple[dt.date, dt.date]:
    """'2024' -> 2024-01-01..2024-12-31; '2024-03', '2024-Q1', '2024-H2', '2024-03-05' too."""
    t = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}", t):
            y = int(t)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if m := _QUARTER.match(t):
            y, q = int(m.group(1)), int(m.group(2))
            return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
        if m := _HALF.match(t):
            y, h = int(m.group(1)), int(m.group(2))
            return dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
        if re.fullmatch(r"\d{4}-\d{1,2}", t):
            y, mo = map(int, t.split("-"))
            return dt.date(y, mo, 1), _month_end(y, mo)
        day = dt.date.fromisoformat(t)
        return day, day
    except ValueError:
        pass
    raise QueryError(f"{option}: {text!r} is not a date like 2024, 2024-Q1, 2024-03 or 2024-03-05")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@functools.lru_cache(maxsize=4096)
def period_label(start: str | None, end: str | None) -> str:
    """A human name for a span: '2024', '2024-Q1', '2024-H1', '2024-03', '2024-03-05' or 'a..b'."""
    s, e = _date(start), _date(end) or _date(start)
    if s is None:
        return ""
    if s == e:
        return s.isoformat()
    if s.day == 1 and e == _month_end(e.year, e.month) and s.year == e.year:
        months = e.month - s.month + 1
        if months == 12:
            return str(s.year)
        if months == 6 and s.month in (1, 7):
            return f"{s.year}-H{1 if s.month == 1 else 2}"
        if months == 3 and s.month in (1, 4, 7, 10):
            return f"{s.year}-Q{(s.month + 2) // 3}"
        if months == 1:
            return f"{s.year}-{s.month:02d}"
    return f"{s.isoformat()}..{e.isoformat()}"


def snippet(sentence: str | None, start: int | None, end: int | None, width: int = 110) -> str:
    """The sentence trimmed around [start, end) (offsets inside the sentence) to about ``width``."""
    if not sentence:
        return ""
    s = " ".join(sentence.split()) if "\n" in sentence or "\t" in sentence else sentence
    if len(s) <= width:
        return s
    if start is None or end is None or not (0 <= start <= end <= len(s)):
        return s[: width - 1].rstrip() + "…"
    room = max(width - (end - start), 20)
    left = max(0, start - room // 2)
    right = min(len(s), end + (room - (start - left)))
    left = max(0, right - width) if right == len(s) else left
    if left > 0:  # cut at a word boundary
        space = s.find(" ", left)
        left = space + 1 if 0 <= space < start else left
    if right < len(s):
        space = s.rfind(" ", end, right)
        right = space if space > end else right
    return ("…" if left > 0 else "") + s[left:right].strip() + ("…" if right < len(s) else "")


# -- commodity families -------------------------------------------------------------------------

# A family name finds its members as well as any commodity naming it as a word
# ("oil" finds "crude oil", "oil and condensate"); members are words or phrases.
FAMILIES: dict[str, tuple[str, ...]] = {
    "oil": ("crude", "condensate", "petroleum", "oil products", "petroleum products", "fuel oil",
            "mazut"),
    "crude": ("crude oil",),
    "gas": ("natural gas", "lng", "liquefied natural gas", "cng", "associated gas"),
    "lng": ("liquefied natural gas",),
    "grain": ("grains", "wheat", "barley", "corn", "maize", "rye", "oats", "sorghum", "rice",
              "pulses", "cereals"),
    "oil products": ("petroleum products", "fuel", "diesel", "gasoline", "petrol", "jet fuel",
                     "kerosene", "fuel oil", "naphtha", "mazut", "bitumen", "lpg"),
    "fuel": ("diesel", "gasoline", "petrol", "jet fuel", "kerosene", "fuel oil", "mazut"),
    "fertilizer": ("fertilizers", "fertiliser", "fertilisers", "urea", "ammonia", "potash",
                   "ammonium nitrate"),
    "coal": ("coking coal", "thermal coal", "coke"),
    "metals": ("steel", "iron ore", "copper", "aluminium", "aluminum", "zinc"),
    "cargo": ("containers", "freight", "goods"),
}


def commodity_terms(name: str) -> list[str]:
    """The lower-case words a commodity filter looks for: the name and its family members."""
    key = " ".join(name.lower().replace("-", " ").split())
    if not key:
        raise QueryError("--commodity: empty name")
    terms = [key]
    if key.endswith("s") and key[:-1] in FAMILIES:
        key = key[:-1]
        terms.append(key)
    terms += FAMILIES.get(key, ())
    return list(dict.fromkeys(terms))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def commodity_matches(name: str, value: str | None) -> bool:
    """Does the commodity ``value`` name one of the family terms of ``name`` as whole words?"""
    if not value:
        return False
    padded = " " + " ".join(value.lower().replace("-", " ").split()) + " "
    return any(f" {t} " in padded for t in commodity_terms(name))


def commodity_values(conn, name: str) -> list[str]:
    """The stored commodity spellings a --commodity filter finds ("oil": "crude oil", ...).

    The spellings are read from the extractor's rows (an index-only scan) and from
    reviewers' corrections, which are the only other source of a fact's commodity.
    """
    values = {r[0] for r in conn.execute("select distinct commodity from quantities") if r[0]}
    if _has_table(conn, "corrections"):
        values |= {r[0] for r in conn.execute(
            "select distinct json_extract(corrected, '$.commodity') from corrections "
            "where target_table = 'quantities' and json_valid(corrected)") if isinstance(r[0], str)}
    return sorted(v for v in values if commodity_matches(name, v))


def _commodity_clause(conn, column: str, name: str) -> tuple[str, list]:
    values = commodity_values(conn, name)
    return f"{column} in ({_marks(values)})", values


# -- names: facilities and entities, alias-aware ------------------------------------------------

def _closure(conn, view: str, name: str, kind: str | None = None, rounds: int = 3) -> dict:
    """Every canonical name and alias linked to ``name`` through a view of alias -> canonical.

    ``view`` is one of the whitelisted views, read once (its unions cannot use an index, so
    one scan is the cheapest); the links are followed here.  Exact (case-blind) matches
    first, following aliases a few steps; with none, a substring match.
    Returns {"canonicals": {name: kind}, "aliases": set, "exact": bool}.
    """
    if view not in ("facility_names", "entity_names"):  # identifiers from this whitelist only
        raise ValueError(f"not a names view: {view!r}")
    kind_sql, kind_params = (" where kind = ?", [kind]) if kind else ("", [])
    pairs = [(r[0], r[1], r[2]) for r in conn.execute(
        f"select alias, canonical, kind from {view}{kind_sql}", kind_params) if r[0] or r[1]]
    key = " ".join(name.split()).lower()
    rows = {p for p in pairs if (p[0] or "").lower() == key or (p[1] or "").lower() == key}
    exact = bool(rows)
    if not rows:
        rows = {p for p in pairs if key in (p[0] or "").lower() or key in (p[1] or "").lower()}
    if not exact and rows:  # a part of a name: every spelling of the names it found
        found = {(p[1] or "").lower() for p in rows}
        rows |= {p for p in pairs if (p[1] or "").lower() in found}
    names = {n.lower() for p in rows for n in p[:2] if n}
    for _ in range(rounds if exact else 0):
        new = {p for p in pairs if (p[0] or "").lower() in names or (p[1] or "").lower() in names} - rows
        if not new:
            break
        rows |= new
        names |= {n.lower() for p in new for n in p[:2] if n}
    canonicals: dict[str, str] = {}
    for alias, canonical, k in sorted(rows, key=lambda r: (r[1] or "", r[0] or "")):
        if canonical:
            canonicals.setdefault(canonical, k)
    aliases = {a for a, c, _k in rows if a} | set(canonicals)
    return {"canonicals": canonicals, "aliases": aliases, "exact": exact}


def resolve_facility(conn, name: str) -> dict:
    return _closure(conn, "facility_names", name)


ENTITY_KINDS = {"org": "organization", "place": "place", "person": "person"}


def resolve_entity(conn, name: str, kind: str) -> dict:
    return _closure(conn, "entity_names", name, kind)


# -- facts ----------------------------------------------------------------------------------------

STATUSES = ("actual", "planned", "forecast", "capacity", "agreed")
REVIEW_STATUSES = ("unreviewed", "accepted", "corrected", "orphaned")

# Sort keys -> SQL (whitelist); the direction is chosen separately.  Plain columns only: an
# expression in ORDER BY makes SQLite materialise the whole facts view (10x slower).
# "period" sorts by the period's start; facts without a period come last, by report date.
SORTS = {
    "published": "f.published",
    "amount": "f.amount",
    "period": "f.period_start",
    "confidence": "f.confidence",
}

FACT_COLUMNS = ("id, article_id, text, amount, unit, per, commodity, period_start, period_end, "
                "facilities, status, qualifier, confidence, extractor, sentence, sentence_start, "
                "char_start, char_end, review_status, reviewed_by, reviewed_at, source, published, "
                "title, canonical_url")


@dataclass
class FactFilter:
    commodity: str | None = None
    facility: str | None = None
    org: str | None = None
    place: str | None = None
    person: str | None = None
    since: str | None = None
    until: str | None = None
    status: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    unit: str | None = None
    per: str | None = None
    min_amount: float | str | None = None
    max_amount: float | str | None = None
    reviewed: bool | None = None
    article_ids: list[int] | None = None

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items()
                 if v not in (None, [], "") and k != "article_ids"]
        return ", ".join(parts)


@dataclass
class Where:
    """WHERE clauses and their parameters, plus notes about names that matched nothing."""
    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facility_names: set[str] = field(default_factory=set)
    empty: bool = False

    base_clauses: list[str] = field(default_factory=list)
    base_params: list = field(default_factory=list)

    def add(self, clause: str, params: Iterable = (), base: tuple[str, list] | None = None) -> None:
        """A condition on the view (``f.``), and optionally its own form on the base rows
        (``q.``, ``a.``); without one the view form is translated column by column."""
        params = list(params)
        self.clauses.append(clause)
        self.params.extend(params)
        base_clause, base_params = base if base else (_on_base(clause), params)
        self.base_clauses.append(base_clause)
        self.base_params.extend(base_params)

    @property
    def sql(self) -> str:
        return " and ".join(self.clauses) if self.clauses else "1"

    @property
    def base_sql(self) -> str:
        return " and ".join(self.base_clauses) if self.base_clauses else "1"


def facility_clause(names: Iterable[str], column: str = "f.facilities", *,
                    reviewed_only: bool = False) -> tuple[str, list]:
    """Facts whose facilities JSON list holds one of ``names`` (case-blind).

    ``reviewed_only``: test only reviewed facts, for a query restricted to ``candidate_ids``,
    where an unreviewed fact already passed the same test on its extractor row: its view
    value is that row's list mapped through reviewers' merges, and ``names`` (a closure
    over facility_names) holds a name exactly when it holds its merged form.  Skipping the
    view's per-row mapping is a third of such a query's time.
    """
    keys = sorted({n.lower() for n in names})
    clause = f"exists (select 1 from json_each({column}) j where lower(j.value) in ({_marks(keys)}))"
    if reviewed_only:
        clause = f"(f.review_status = 'unreviewed' or {clause})"
    return clause, keys


def _has_table(conn, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?",
                        [name]).fetchone() is not None


def facility_base_clause(names: Iterable[str]) -> tuple[str, list]:
    """The facility condition on the extractor's rows, narrowed first by the indexes (reports
    naming the facility, a substring of the facility list) before the exact test.

    A fact names facilities of its own report (the store writes both from one record), so
    the reports naming one of ``names`` hold every fact tied to it; names merged by
    reviewers are among ``names`` (the facility_names view lists them)."""
    keys = sorted(set(names))
    lowered = sorted({k.lower() for k in keys})
    likes = " or ".join("q.facilities like ? escape '\\'" for _ in lowered)
    clause = (f"q.article_id in (select article_id from facilities where name in ({_marks(keys)})) "
              f"and ({likes}) and exists (select 1 from json_each(q.facilities) j "
              f"where lower(j.value) in ({_marks(lowered)}))")
    return clause, [*keys, *[f"%{_like_escape(k)}%" for k in lowered], *lowered]


def build_where(conn, flt: FactFilter) -> Where:
    w = Where()
    if flt.commodity:
        clause, params = _commodity_clause(conn, "f.commodity", flt.commodity)
        if not params:
            w.notes.append(f"no fact has a commodity like {flt.commodity!r}")
            w.empty = True
        # A commodity family is a broad filter: beside a facility or a name, let SQLite use
        # their indexes rather than the commodity's (it cannot tell without ANALYZE).
        narrow = flt.facility or flt.org or flt.place or flt.person
        w.add(clause, params, base=("+" + _on_base(clause), params) if narrow else None)
    if flt.facility:
        found = resolve_facility(conn, flt.facility)
        if not found["canonicals"]:
            w.notes.append(f"no facility is named {flt.facility!r}")
            w.empty = True
        else:
            if not found["exact"]:
                w.notes.append(f"facility {flt.facility!r} matched by part of a name: "
                               + ", ".join(sorted(found["canonicals"])))
            w.facility_names = found["aliases"]
            w.add(*facility_clause(found["aliases"], reviewed_only=True),
                  base=facility_base_clause(found["aliases"]))
    for option, kind in (("org", "organization"), ("place", "place"), ("person", "person")):
        value = getattr(flt, option)
        if not value:
            continue
        found = resolve_entity(conn, value, kind)
        if not found["canonicals"]:
            w.notes.append(f"no {kind} is named {value!r}")
            w.empty = True
            continue
        names = sorted(found["canonicals"])
        w.add(f"f.article_id in (select article_id from entities where kind = ? "
              f"and name in ({_marks(names)}))", [kind, *names])
    if flt.since:
        start, _ = date_span(flt.since, "--since")
        w.add("substr(coalesce(f.period_end, f.period_start, f.published), 1, 10) >= ?",
              [start.isoformat()])
    if flt.until:
        _, end = date_span(flt.until, "--until")
        w.add("substr(coalesce(f.period_start, f.published), 1, 10) <= ?", [end.isoformat()])
    if flt.since and flt.until and date_span(flt.since)[0] > date_span(flt.until)[1]:
        raise QueryError(f"--since {flt.since} is after --until {flt.until}")
    statuses = [s.strip().lower() for item in flt.status for s in item.split(",") if s.strip()]
    for s in statuses:
        if s not in STATUSES and s != "none":
            raise QueryError(f"--status: {s!r} is not one of {', '.join(STATUSES)} (or none)")
    if statuses:
        real = [s for s in statuses if s != "none"]
        parts = [f"f.status in ({_marks(real)})"] if real else []
        if "none" in statuses:
            parts.append("f.status is null")
        w.add("(" + " or ".join(parts) + ")", real)
    sources = [s.strip() for item in flt.source for s in item.split(",") if s.strip()]
    if sources:
        w.add(f"f.source in ({_marks(sources)})", sources)
    if flt.unit:
        w.add("f.unit = ?", [flt.unit])
    if flt.per:
        w.add("f.per is null" if flt.per == "none" else "f.per = ?", [] if flt.per == "none" else [flt.per])
    low, high = parse_amount(flt.min_amount), parse_amount(flt.max_amount)
    if low is not None:
        w.add("f.amount >= ?", [low])
    if high is not None:
        w.add("f.amount <= ?", [high])
    if low is not None and high is not None and low > high:
        raise QueryError("--min-amount is larger than --max-amount")
    if flt.reviewed is True:
        w.add("f.review_status <> 'unreviewed'")
    elif flt.reviewed is False:
        w.add("f.review_status = 'unreviewed'")
    if flt.article_ids is not None:
        ids = list(flt.article_ids)
        w.add(f"f.article_id in ({_marks(ids)})", ids)
    return w


def decorate(row: dict) -> dict:
    """Add display fields to a fact row: amount text, period label, facilities list, snippet."""
    facilities = row.get("facilities")
    if isinstance(facilities, str):
        try:
            facilities = json.loads(facilities)
        except ValueError:
            facilities = [facilities]
    row["facilities"] = facilities or []
    row["amount_text"] = human_amount(row.get("amount"), row.get("unit"), row.get("per"))
    row["period"] = period_label(row.get("period_start"), row.get("period_end"))
    base = row.get("sentence_start")
    start = row["char_start"] - base if base is not None and row.get("char_start") is not None else None
    end = row["char_end"] - base if base is not None and row.get("char_end") is not None else None
    row["snippet"] = snippet(row.get("sentence"), start, end)
    row["snippet_span"] = _span_in(row["snippet"], row.get("text"))
    return row


def _span_in(text: str, needle: str | None) -> tuple[int, int] | None:
    if not needle or not text:
        return None
    i = text.find(needle)
    return (i, i + len(needle)) if i >= 0 else None


# View columns -> the same value in the base tables, for a fact nobody reviewed (the view's
# contract: no correction, the extractor's values, 'unreviewed').  Only used to pick
# candidates; the view then decides on them (see ``candidate_ids``).
_BASE = {"id": "q.id", "article_id": "q.article_id", "text": "q.text", "amount": "q.amount",
         "unit": "q.unit", "per": "q.per", "commodity": "q.commodity", "period_start": "q.period_start",
         "period_end": "q.period_end", "facilities": "q.facilities", "status": "q.status",
         "qualifier": "q.qualifier", "confidence": "q.confidence", "published": "a.published",
         "source": "a.source", "title": "a.title", "canonical_url": "a.canonical_url",
         "review_status": "'unreviewed'"}
_VIEW_COLUMN = re.compile(r"\bf\.(\w+)")


def _on_base(sql: str) -> str:
    return _VIEW_COLUMN.sub(lambda m: _BASE[m.group(1)], sql)


def _reviewed_ids(conn) -> list[str]:
    if not _has_table(conn, "corrections"):
        return []
    return [r[0] for r in conn.execute(
        "select distinct target_id from corrections where target_table = 'quantities'")]


# "+a.status": nearly every report is 'extracted', so its index never helps; without
# ANALYZE statistics SQLite would still pick it over the selective ones (20-30x slower).
def candidate_ids(conn, w: Where, order: str | None = None, limit: int | None = None) -> str:
    """Ids (JSON) of a superset of the facts matching ``w`` (the first ``limit`` by ``order``).

    The ``facts`` view overlays reviews on every row, which costs per row, and SQLite
    cannot carry an ORDER BY ... LIMIT through it.  So the filter and the order run on
    the extractor's rows (indexes, no overlay) for the facts nobody reviewed, whose view
    values are the extractor's, and every reviewed fact is added whatever its values; the
    caller asks the view again about these few ids, so reviewed values still decide.
    """
    reviewed = _reviewed_ids(conn)
    sql = (f"select q.id from quantities q join articles a on a.id = q.article_id "
           f"where +a.status = 'extracted' and {w.base_sql}")
    params = list(w.base_params)
    if reviewed:
        sql += " and q.id not in (select value from json_each(?))"
        params.append(json.dumps(reviewed))
    if order:
        sql += f" order by {_on_base(order)}"
    if limit:
        sql += " limit ?"
        params.append(int(limit))
    return json.dumps([r[0] for r in conn.execute(sql, params)] + reviewed)


def facts(conn, flt: FactFilter | None = None, *, sort: str = "published", descending: bool = True,
          limit: int | None = 50, offset: int = 0, where: Where | None = None) -> list[dict]:
    """Effective facts matching ``flt``, newest report first (or by ``sort``)."""
    flt = flt or FactFilter()
    if sort not in SORTS:
        raise QueryError(f"--sort: {sort!r} is not one of {', '.join(SORTS)}")
    w = where or build_where(conn, flt)
    if w.empty:
        return []
    direction = "desc" if descending else "asc"
    order = f"{SORTS[sort]} {direction} nulls last, f.published {direction}, f.id"
    if sort == "published":
        order = f"f.published {direction} nulls last, f.id"
    sql = f"select {FACT_COLUMNS} from facts f where {w.sql} and f.id in (select value from json_each(?))"
    params = [*w.params, candidate_ids(conn, w, order, int(limit) + int(offset) if limit else None)]
    sql += f" order by {order}"
    if limit:
        sql += " limit ? offset ?"
        params += [int(limit), int(offset)]
    return [decorate(r) for r in _rows(conn, sql, params)]


def count_facts(conn, flt: FactFilter | None = None, where: Where | None = None) -> int:
    """How many effective facts match: the unreviewed counted on the base rows, the reviewed on the view."""
    w = where or build_where(conn, flt or FactFilter())
    if w.empty:
        return 0
    reviewed = _reviewed_ids(conn)
    sql = (f"select count(*) from quantities q join articles a on a.id = q.article_id "
           f"where +a.status = 'extracted' and {w.base_sql}")
    params = list(w.base_params)
    if reviewed:
        sql += " and q.id not in (select value from json_each(?))"
        params.append(json.dumps(reviewed))
    total = conn.execute(sql, params).fetchone()[0]
    if reviewed:
        total += conn.execute(f"select count(*) from facts f where {w.sql} and f.id in "
                              "(select value from json_each(?))", [*w.params, json.dumps(reviewed)]).fetchone()[0]
    return total


# -- facility profile -------------------------------------------------------------------------------

INCIDENT_CUES = ("damage", "damaged", "damages", "attack", "attacked", "attacks", "halt", "halted",
                 "halts", "outage", "outages", "repair", "repairs", "repaired", "storm", "storms",
                 "explosion", "fire", "leak", "spill", "shut", "shutdown", "suspended", "suspend",
                 "strike", "strikes", "drone", "drones", "maintenance", "disruption", "disrupted")
AGREEMENT_CUES = ("agreement", "agreements", "signed", "sign", "signs", "contract", "contracts",
                  "deal", "deals", "memorandum", "accord", "swap")
OPERATOR_CUES = re.compile(r"\b(operator|operated by|operates|run by|managed by)\b", re.I)
_INCIDENT_RE = re.compile(r"\b(" + "|".join(INCIDENT_CUES) + r")\b", re.I)
_AGREEMENT_RE = re.compile(r"\b(" + "|".join(AGREEMENT_CUES) + r")\b", re.I)
# FTS pre-selection of reports that may hold such sentences (constant expressions, no user text).
# FTS pre-selection of reports that may hold such sentences: the cue words themselves (the
# porter tokenizer matches their other forms); constant expressions, no user text.
_FTS_CUES = " OR ".join(INCIDENT_CUES + AGREEMENT_CUES)
_FTS_OPERATOR = 'operator OR operated OR operates OR "run by" OR "managed by"'
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“(0-9])|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text or "") if s and s.strip()]


def _name_regex(names: Iterable[str]) -> re.Pattern:
    alts = sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)", re.I)


def facility_reports(conn, canonicals: Iterable[str], limit: int | None = 50) -> tuple[list[dict], tuple]:
    """Reports naming the facility, newest first, and (count, first date, last date)."""
    names = sorted(set(canonicals))
    base = (f"from articles a where a.id in (select article_id from facilities where name in ({_marks(names)})) "
            "and a.duplicate_of is null")
    total, first, last = conn.execute(f"select count(*), min(a.published), max(a.published) {base}",
                                      names).fetchone()
    sql = f"select a.id, a.source, a.published, a.title, a.canonical_url {base} order by a.published desc, a.id desc"
    params = list(names)
    if limit:
        sql += " limit ?"
        params.append(limit)
    return _rows(conn, sql, params), (total, first, last)


def _cue_sentences(conn, canonicals: list[str], name_re: re.Pattern, limit: int,
                   linked=None) -> tuple[list[dict], list[dict]]:
    """Incident and agreement sentences: a cue word, and the facility named (or a fact tied
    to it in that sentence); from the newest reports naming it that hold a cue word (FTS)."""
    names = sorted(set(canonicals))
    rows = _rows(conn, f"""
        select a.id, a.source, a.published, a.title, a.canonical_url, a.text
        from articles a
        where a.id in (select rowid from articles_fts where articles_fts match ?)
          and a.id in (select article_id from facilities where name in ({_marks(names)}))
          and a.duplicate_of is null
        order by a.published desc, a.id desc limit ?""", [_FTS_CUES, *names, 3 * limit + 10])
    incidents: list[dict] = []
    agreements: list[dict] = []
    linked = linked([r["id"] for r in rows]) if callable(linked) else linked
    for row in rows:
        for sent in sentences(row["text"]):
            incident, agreement = _INCIDENT_RE.search(sent), _AGREEMENT_RE.search(sent)
            if not (incident or agreement):
                continue
            if not (name_re.search(sent) or _linked(row["id"], sent, linked)):
                continue
            for cue, found in ((incident, incidents), (agreement, agreements)):
                if cue and len(found) < limit:
                    found.append({"article_id": row["id"], "source": row["source"],
                                  "published": row["published"], "title": row["title"],
                                  "url": row["canonical_url"], "cue": cue.group(1).lower(),
                                  "sentence": sent})
        if len(incidents) >= limit and len(agreements) >= limit:
            break
    return incidents, agreements


def _linked(article_id: int, sent: str, linked: dict | None) -> bool:
    return any(s in sent or sent in s for s in (linked or {}).get(article_id, ()))


def find_operator(conn, canonicals: list[str], name_re: re.Pattern) -> dict | None:
    """An organisation named beside an operator cue in a sentence naming the facility."""
    names = sorted(set(canonicals))
    rows = _rows(conn, f"""
        select a.id, a.source, a.published, a.text from articles a
        where a.id in (select rowid from articles_fts where articles_fts match ?)
          and a.id in (select article_id from facilities where name in ({_marks(names)}))
        order by a.published desc, a.id desc limit 60""", [_FTS_OPERATOR, *names])
    if not rows:
        return None
    ids = [r["id"] for r in rows]
    orgs: dict[int, list[tuple[str, list[str]]]] = {}
    for e in _rows(conn, f"select article_id, name, aliases from entities where +kind = 'organization' "
                         f"and article_id in ({_marks(ids)})", ids):
        try:
            aliases = json.loads(e["aliases"] or "[]")
        except ValueError:
            aliases = []
        orgs.setdefault(e["article_id"], []).append((e["name"], [e["name"], *aliases]))
    votes: dict[str, list] = {}
    for row in rows:
        candidates = orgs.get(row["id"], [])
        if not candidates:
            continue
        voted = set()
        for sent in sentences(row["text"]):
            if not OPERATOR_CUES.search(sent) or not name_re.search(sent):
                continue
            mentions = [(m.start(), m.end(), canonical) for canonical, spellings in candidates
                        for m in _name_regex(spellings).finditer(sent) if not name_re.fullmatch(m.group(0))]
            named = mentions + [(m.start(), m.end(), None) for m in name_re.finditer(sent)]
            # A cue inside a name ("... Operating Company", "Operator LLP") is not a cue.
            cues = [c for c in OPERATOR_CUES.finditer(sent)
                    if not any(s <= c.start() < e for s, e, _n in named)]
            best = None
            for cue in cues:
                for start, _end, canonical in mentions:
                    distance = abs(start - cue.start())
                    if best is None or distance < best[0]:
                        best = (distance, canonical)
            if best and best[1] not in voted:
                voted.add(best[1])
                entry = votes.setdefault(best[1], [0, sent, row])
                entry[0] += 1
    if not votes:
        return None
    name, (count, sent, row) = max(votes.items(), key=lambda kv: kv[1][0])
    return {"name": name, "reports": count, "sentence": sent, "source": row["source"],
            "published": row["published"]}


def _linked_sentences(conn, names: Iterable[str]):
    """Sentences of the facts tied to the facility, per report, read only for the reports asked about."""
    clause, params = facility_clause(names)
    cache: dict[int, set[str]] = {}

    def get(article_ids: list[int]) -> dict[int, set[str]]:
        missing = [a for a in article_ids if a not in cache]
        if missing:
            for a in missing:
                cache[a] = set()
            for r in conn.execute(f"select f.article_id, f.sentence from facts f where {clause} and "
                                  "f.article_id in (select value from json_each(?))",
                                  [*params, json.dumps(missing)]):
                if r[1]:
                    cache[r[0]].add(r[1].strip())
        return cache
    return get


def _ids_where(ids: list[str]) -> Where:
    w = Where()
    w.add("f.id in (select value from json_each(?))", [json.dumps(ids)])
    return w


def facility_profile(conn, name: str, *, limit: int = 50) -> dict:
    """Kind, aliases, operator, amounts over time, incidents, agreements and reports of a facility."""
    found = resolve_facility(conn, name)
    canonicals = found["canonicals"]
    if not canonicals:
        raise QueryError(f"no facility is named {name!r} (try 'factwire search {name!r}')")
    if not found["exact"] and len(canonicals) > 1:
        raise QueryError(f"{name!r} names several facilities; say which: " + "; ".join(sorted(canonicals)))
    all_names = sorted(canonicals)
    # The canonical name the reports use most, its kind, and every other spelling.
    counts = {r["name"]: r["n"] for r in conn.execute(
        f"select name, count(distinct article_id) n from facilities where name in ({_marks(all_names)}) "
        "group by name", all_names)}
    canonical = max(all_names, key=lambda n: (counts.get(n, 0), len(n)))
    kinds: dict[str, int] = {}
    for n, k in canonicals.items():
        if k:
            kinds[k] = kinds.get(k, 0) + counts.get(n, 0) + 1
    kind = max(kinds, key=kinds.get) if kinds else None
    aliases = sorted(a for a in found["aliases"] if a != canonical)
    name_re = _name_regex(found["aliases"])
    w = Where()
    w.add(*facility_clause(found["aliases"], reviewed_only=True), base=facility_base_clause(found["aliases"]))
    # The facts tied to it: counted, and the latest ``limit`` (by period, else report date)
    # shown oldest first.  The order is applied to the few rows in Python: an expression in
    # the view's ORDER BY would make SQLite materialise the whole view.
    reviewed = _reviewed_ids(conn)
    sql = (f"select q.id, coalesce(q.period_start, a.published), a.published from quantities q "
           f"join articles a on a.id = q.article_id where +a.status = 'extracted' and {w.base_sql}")
    params = list(w.base_params)
    if reviewed:
        sql += " and q.id not in (select value from json_each(?))"
        params.append(json.dumps(reviewed))
    tied = sorted(conn.execute(sql, params).fetchall(), key=lambda r: (r[1] or "", r[2] or "", r[0]))
    tied_reviewed = [r[0] for r in conn.execute(
        f"select f.id from facts f where {w.sql} and f.id in (select value from json_each(?))",
        [*w.params, json.dumps(reviewed)])] if reviewed else []
    total = len(tied) + len(tied_reviewed)
    shown = [r[0] for r in (tied[-limit:] if limit else tied)] + tied_reviewed
    amounts = facts(conn, where=_ids_where(shown), limit=None)
    amounts.sort(key=lambda r: (r["period_start"] or r["published"] or "", r["published"] or "", r["id"]))
    amounts = amounts[-limit:] if limit else amounts
    linked = _linked_sentences(conn, found["aliases"])
    incidents, agreements = _cue_sentences(conn, all_names, name_re, limit, linked)
    reports, (report_total, *first_last) = facility_reports(conn, all_names, limit)
    return {
        "name": canonical, "kind": kind, "aliases": aliases,
        "operator": find_operator(conn, all_names, name_re),
        "first_reported": first_last[0], "last_reported": first_last[1],
        "amounts": amounts, "amounts_total": total,
        "incidents": incidents, "agreements": agreements,
        "reports": reports, "reports_total": report_total,
        "matched_by_part": not found["exact"], "names": all_names,
    }


# -- timeline -----------------------------------------------------------------------------------------

PERS = ("month", "quarter", "year")
TIMELINE_COLUMNS = ("id, article_id, text, amount, unit, per, commodity, period_start, period_end, "
                    "facilities, status, review_status, source, published, null, null")


@functools.lru_cache(maxsize=4096)
def bucket_of(day: dt.date, per: str) -> tuple[str, dt.date, dt.date]:
    if per == "month":
        return f"{day.year}-{day.month:02d}", dt.date(day.year, day.month, 1), _month_end(day.year, day.month)
    if per == "quarter":
        q = (day.month - 1) // 3 + 1
        return f"{day.year}-Q{q}", dt.date(day.year, 3 * q - 2, 1), _month_end(day.year, 3 * q)
    return str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 0.005 * max(abs(a), abs(b))


def timeline(conn, flt: FactFilter, *, per: str = "quarter", limit: int | None = 5000,
             details: bool = False) -> dict:
    """Amounts by period bucket; reports of the same period that disagree are grouped side by side.

    A fact belongs to the bucket holding its period (or, with no period, its report's
    date); a period longer than a bucket ("2024" by quarter) is its own row.  Facts of the
    same bucket, period, unit, rate and status (and, without a facility filter, the same
    facilities) form one group; a group whose reports disagree (see ``_disagree``) is a
    conflict.  Each report lists its facts' ids, or (``details``) their text and values.
    """
    if per not in PERS:
        raise QueryError(f"--per: {per!r} is not one of {', '.join(PERS)}")
    w = build_where(conn, flt)
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: thousands of rows, no dicts
    by_facility = bool(flt.facility)
    # With a facility filter the facilities column is not needed (each costs a subquery per row).
    columns = TIMELINE_COLUMNS.replace("facilities", "null") if by_facility else TIMELINE_COLUMNS
    # At most ``limit`` facts, the earliest by period (chosen on the extractor's rows, where an
    # expression can order without materialising the view), plus every reviewed one.
    ids = "[]" if w.empty else candidate_ids(conn, w, "coalesce(f.period_start, f.published), f.published, f.id",
                                             limit or None)
    truncated = bool(limit) and len(json.loads(ids)) >= limit
    rows = [] if w.empty else cur.execute(
        f"select {columns} from facts f where {w.sql} and f.id in (select value from json_each(?))",
        [*w.params, ids]).fetchall()
    # 0 id, 1 article_id, 2 text, 3 amount, 4 unit, 5 per, 6 commodity, 7 period_start, 8 period_end,
    # 9 facilities, 10 status, 11 review_status, 12 source, 13 published, 14 title, 15 canonical_url
    rows.sort(key=lambda r: (r[7] or r[13] or "", r[13] or "", r[0]))
    # Titles and addresses once per report, not once per fact (and only with details).
    articles = {}
    if details:
        ids = json.dumps(sorted({r[1] for r in rows}))
        articles = {a[0]: (a[1], a[2]) for a in cur.execute(
            "select id, title, canonical_url from articles where id in (select value from json_each(?))", [ids])}
    groups: dict[tuple, dict] = {}
    spans: dict[tuple, tuple | None] = {}
    for r in rows:
        (fid, article_id, text, amount, unit, per_, commodity, p_start, p_end, facilities_json,
         status, review_status, source, published, _t, _u) = r
        span_key = (p_start, p_end, None if p_start else published)
        span = spans.get(span_key, False)
        if span is False:
            start = _date(p_start) or _date(published)
            if start is None:
                span = None
            else:
                end = (_date(p_end) or start) if p_start else start
                label, _b_start, b_end = bucket_of(start, per)
                if end > b_end:
                    label = period_label(start.isoformat(), end.isoformat())
                span = (label, start.isoformat(), period_label(p_start, p_end))
            spans[span_key] = span
        if span is None:
            continue
        key_facilities = () if by_facility else tuple(sorted(json.loads(facilities_json or "[]")))
        key = (span[0], p_start, p_end, unit, per_, status or "", key_facilities)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {
                "bucket": span[0], "start": span[1], "period": span[2],
                "period_start": p_start, "period_end": p_end, "unit": unit, "per": per_,
                "status": status, "facilities": list(key_facilities), "reports": {}, "conflict": False}
        rep = g["reports"].get(article_id)
        if rep is None:
            title, url = articles.get(article_id, (None, None))
            rep = g["reports"][article_id] = {
                "article_id": article_id, "source": source, "published": published, "title": title,
                "url": url, "amounts": [amount], "figures": [(text or fid, amount)], "facts": []}
        elif not any(_same(x, amount) for x in rep["amounts"]):
            rep["amounts"].append(amount)
            # A range ("12 to 14 mln t") is two facts with the same text: one figure.
            rep["figures"].append((text or fid, amount))
        if details:
            rep["facts"].append({"id": fid, "text": text, "amount": amount,
                                 "review_status": review_status, "commodity": commodity})
        else:
            rep["facts"].append(fid)
    out = []
    for g in sorted(groups.values(), key=lambda g: (g["start"], g["bucket"], g["unit"] or "",
                                                      g["per"] or "", g["status"] or "")):
        reports = list(g["reports"].values())
        if len(reports) > 1:
            reports.sort(key=lambda r: (r["published"] or "", r["article_id"]))
        for rep in reports:
            figures = rep.pop("figures")
            if len(figures) == 1:
                rep["amount_text"] = human_amount(figures[0][1], g["unit"], g["per"])
                continue
            rep["amounts"].sort()
            by_text: dict = {}
            for t, x in figures:
                by_text.setdefault(t, []).append(x)
            rep["amount_text"] = "; ".join(_range_text(sorted(v), g["unit"], g["per"])
                                           for v in sorted(by_text.values()))
        g["conflict"] = len(reports) > 1 and _disagree([rep["amounts"] for rep in reports])
        g["reports"] = reports
        g["sources"] = sorted({r["source"] for r in reports}) if len(reports) > 1 else [reports[0]["source"]]
        out.append(g)
    sources = sorted({s for g in out for s in g["sources"]})
    return {"per": per, "groups": out, "sources": sources,
            "conflicts": sum(g["conflict"] for g in out), "facts": len(rows),
            "truncated": truncated, "notes": w.notes}


CONFLICT_RATIO = 2.0


def _disagree(figures: list[list[float]]) -> bool:
    """Do two reports give different figures for the same thing?

    Two reports conflict when they share no figure and some figure of one is within a
    factor of ``CONFLICT_RATIO`` of a figure of the other ("63.5 mln t" against "60 mln t").
    Figures far apart (90 mln t of output, 1 mln t of exports to one buyer) measure
    different things, and a report repeating another's figure agrees with it.
    """
    for i, a in enumerate(figures):
        for b in figures[i + 1:]:
            if any(_same(x, y) for x in a for y in b):
                continue
            if any(x and y and max(x, y) / min(x, y) < CONFLICT_RATIO
                   for x in a for y in b if x is not None and y is not None and x > 0 and y > 0):
                return True
    return False


def _range_text(amounts: list[float], unit, per) -> str:
    if len(amounts) == 2:
        low, high = human_amount(amounts[0]), human_amount(amounts[1], unit, per)
        low_num, _, low_scale = low.partition(" ")
        if low_scale and high.split(" ")[1:2] == [low_scale]:
            low = low_num  # "1.5-2 bln m3", not "1.5 bln-2 bln m3"
        return f"{low}-{high}"
    return "; ".join(human_amount(a, unit, per) for a in amounts)


# -- full-text search -----------------------------------------------------------------------------------

_FTS_SYNTAX = re.compile(r'["*^():]|\b(AND|OR|NOT|NEAR)\b')
_TOKEN = re.compile(r"[^\s]+")
HIT_OPEN, HIT_CLOSE = "\x02", "\x03"


def fts_query(text: str, raw: bool = False) -> str:
    """Plain words become quoted phrases ("single-point" "mooring"); FTS syntax passes through."""
    if not text.strip():
        raise QueryError("search: empty query")
    if raw or _FTS_SYNTAX.search(text):
        return text
    return " ".join('"' + tok.replace('"', '""') + '"' for tok in _TOKEN.findall(text))


def search(conn, text: str, *, limit: int = 10, raw: bool = False, facts_per_hit: int = 10,
           include_duplicates: bool = False, tokens: int = 16) -> list[dict]:
    """Reports matching ``text`` (FTS5, best first) with a highlighted snippet and their facts."""
    query = fts_query(text, raw)
    dup = "" if include_duplicates else "and a.duplicate_of is null"
    sql = f"""
        select a.id, a.source, a.published, a.title, a.canonical_url, a.status,
               snippet(articles_fts, 1, ?, ?, '…', ?) as snippet,
               snippet(articles_fts, 0, ?, ?, '', 64) as title_marked,
               bm25(articles_fts) as rank
        from articles_fts join articles a on a.id = articles_fts.rowid
        where articles_fts match ? {dup}
        order by rank limit ?"""
    try:
        hits = _rows(conn, sql, [HIT_OPEN, HIT_CLOSE, int(tokens), HIT_OPEN, HIT_CLOSE, query, int(limit)])
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if not any(w in message for w in ("locked", "busy", "malformed", "disk", "no such table")):
            raise QueryError(f"search: {text!r} is not a valid full-text query ({message}); "
                             'quote phrases like "single-point mooring", operators are AND, OR, NOT, '
                             "NEAR and a trailing * for prefixes") from None
        raise
    if not hits:
        return []
    ids = [h["id"] for h in hits]
    by_article: dict[int, list[dict]] = {i: [] for i in ids}
    for r in _rows(conn, f"select {FACT_COLUMNS} from facts f where f.article_id in ({_marks(ids)}) "
                         "order by f.article_id, f.char_start", ids):
        if len(by_article[r["article_id"]]) < facts_per_hit:
            by_article[r["article_id"]].append(decorate(r))
    counts = {r[0]: r[1] for r in conn.execute(
        f"select article_id, count(*) from facts where article_id in ({_marks(ids)}) group by article_id", ids)}
    for h in hits:
        h["facts"] = by_article[h["id"]]
        h["facts_total"] = counts.get(h["id"], 0)
    return hits


def merge_marks(text: str) -> str:
    """Adjacent highlighted words become one highlight ("single-point mooring")."""
    return re.sub(HIT_CLOSE + r"(\s+)" + HIT_OPEN, r"\1", text or "")


def plain_marks(text: str, open_: str = "**", close: str = "**") -> str:
    return merge_marks(text).replace(HIT_OPEN, open_).replace(HIT_CLOSE, close)


# -- read-only SQL ------------------------------------------------------------------------------------------

_DENIED = {getattr(sqlite3, n) for n in (
    "SQLITE_ATTACH", "SQLITE_DETACH", "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE",
    "SQLITE_CREATE_INDEX", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TEMP_INDEX", "SQLITE_CREATE_TEMP_TABLE",
    "SQLITE_CREATE_TEMP_TRIGGER", "SQLITE_CREATE_TEMP_VIEW", "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW",
    "SQLITE_DROP_INDEX", "SQLITE_DROP_TABLE", "SQLITE_DROP_TEMP_INDEX", "SQLITE_DROP_TEMP_TABLE",
    "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_TEMP_VIEW", "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW",
    "SQLITE_ALTER_TABLE", "SQLITE_REINDEX", "SQLITE_ANALYZE", "SQLITE_CREATE_VTABLE", "SQLITE_DROP_VTABLE",
) if hasattr(sqlite3, n)}
_SQLITE_PRAGMA = getattr(sqlite3, "SQLITE_PRAGMA", 19)


class WriteRefused(QueryError):
    pass


def run_sql(conn, sql: str, params: Sequence = (), max_rows: int | None = None) -> tuple[list[str], list[tuple]]:
    """Run one statement on the read-only connection; writes are refused before they run."""
    denied: list[str] = []

    def authorizer(action, arg1, arg2, dbname, source):
        if action in _DENIED:
            denied.append(str(action))
            return sqlite3.SQLITE_DENY
        if action == _SQLITE_PRAGMA and arg2 is not None:  # setting a pragma
            denied.append("pragma")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    if not sql.strip():
        raise QueryError("sql: empty statement")
    conn.set_authorizer(authorizer)
    try:
        cur = conn.execute(sql, list(params))
        columns = [d[0] for d in cur.description or ()]
        rows = [tuple(r) for r in (cur.fetchmany(max_rows) if max_rows else cur.fetchall())]
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if denied or "not authorized" in text or "readonly" in text or "query_only" in text:
            raise WriteRefused("sql: refused: the database is opened read-only and this statement "
                               "would change it; use SELECT (or WITH ... SELECT)") from None
        if isinstance(exc, sqlite3.ProgrammingError) and "one statement" in text:
            raise QueryError("sql: give one statement at a time") from None
        raise QueryError(f"sql: {text}") from None
    except sqlite3.Warning as exc:  # "You can only execute one statement at a time."
        raise QueryError(f"sql: {exc}; give one statement at a time") from None
    finally:
        conn.set_authorizer(None)
    return columns, rows


# -- stats ------------------------------------------------------------------------------------------------------

def stats(conn) -> dict:
    """Counts per source and run, extraction coverage and review progress."""
    by_status = {r["status"] or "unknown": r["n"] for r in conn.execute(
        "select status, count(*) n from articles group by status")}
    # Unreviewed facts are counted on the extractor's rows (the view's values for them),
    # reviewed ones through the view: the same numbers as counting the view, without
    # overlaying reviews on every row.
    reviewed_ids = _reviewed_ids(conn)
    skip = " and q.id not in (select value from json_each(?))" if reviewed_ids else ""
    skip_params = [json.dumps(reviewed_ids)] if reviewed_ids else []
    facts_by_source: dict[str, int] = {}
    for r in conn.execute("select a.source, count(*) from quantities q join articles a on a.id = q.article_id "
                          f"where a.status = 'extracted'{skip} group by a.source", skip_params):
        facts_by_source[r[0]] = r[1]
    with_facts_ids = {r[0] for r in conn.execute(
        "select distinct q.article_id from quantities q join articles a on a.id = q.article_id "
        f"where a.status = 'extracted'{skip}", skip_params)}
    review = {"unreviewed": sum(facts_by_source.values())} if facts_by_source else {}
    if reviewed_ids:
        for r in conn.execute("select source, review_status, article_id from facts "
                              "where id in (select value from json_each(?))", [json.dumps(reviewed_ids)]):
            facts_by_source[r[0]] = facts_by_source.get(r[0], 0) + 1
            review[r[1]] = review.get(r[1], 0) + 1
            with_facts_ids.add(r[2])
    sources = _rows(conn, """
        select a.source,
               count(*) as articles,
               sum(a.status = 'extracted') as extracted,
               sum(a.status = 'duplicate') as duplicate,
               sum(a.status = 'extract_failed') as failed,
               sum(a.status = 'not_english') as not_english,
               min(a.published) as first_published,
               max(a.published) as last_published
        from articles a group by a.source order by a.source""")
    for s in sources:
        s["facts"] = facts_by_source.get(s["source"], 0)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    runs = _rows(conn, """
        select id, flow, started, finished, status, feeds_polled, feeds_unchanged, feeds_failed,
               articles_new, articles_unchanged, articles_duplicate, articles_failed, facts
        from runs order by id desc limit 20""") if "runs" in tables else []
    fact_total = sum(facts_by_source.values())
    extracted = by_status.get("extracted", 0)
    with_facts = len(with_facts_ids)
    failures = conn.execute("select count(*) from fetch_failures").fetchone()[0] \
        if "fetch_failures" in tables else 0
    reviewed = sum(n for k, n in review.items() if k != "unreviewed")
    return {
        "articles": sum(by_status.values()), "articles_by_status": by_status,
        "facts": fact_total, "facts_per_extracted_article": round(fact_total / extracted, 2) if extracted else 0,
        "extracted_with_facts": with_facts,
        "sources": sources, "runs": runs, "runs_total": conn.execute("select count(*) from runs").fetchone()[0]
        if "runs" in tables else 0,
        "fetch_failures": failures,
        "review": review, "reviewed": reviewed,
        "reviewed_share": round(reviewed / fact_total, 4) if fact_total else 0,
    }
