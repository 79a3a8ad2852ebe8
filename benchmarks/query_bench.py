"""Benchmark of the query commands on a generated database (not a test).

    .venv/bin/python -m benchmarks.query_bench            # generate in a temp dir, time, print
    .venv/bin/python -m benchmarks.query_bench --db /tmp/bench.db   # keep (and reuse) the file

A seeded generator writes 20,000 reports and 100,000 facts with the schema of
``schemas.connect`` (same tables, indexes, views and FTS triggers; no ANALYZE
statistics, like a database the ingest flow writes) and a
realistic spread: five agencies, ~60 facilities with aliases and a long tail,
commodities, units, periods and statuses in wire proportions, organisations and
places, and report texts whose sentences hold the facts at their offsets.

Each query is timed through ``factwire.query`` (the code the CLI runs; median of
several runs) beside the same question asked of ``sqlite3`` directly on the same
file (the floor), with the ratio; ``factwire --help`` start-up is timed as a
subprocess.  Targets: each query < 100 ms, start-up < 0.3 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ARTICLES = 20_000
N_FACTS = 100_000
SEED = 20241129

SOURCES = [("trend", 0.30), ("azernews", 0.20), ("interfax-kz", 0.20), ("kazinform", 0.15),
           ("reuters", 0.15)]
DATELINES = {"trend": "BAKU, Azerbaijan, {md}. ", "azernews": "By Azernews ",
             "interfax-kz": "ASTANA. {md} (Interfax-Kazakhstan) - ", "kazinform": "ASTANA. KAZINFORM - ",
             "reuters": "LONDON, {md} (Reuters) - "}

# (canonical, kind, aliases, commodity family of the installation)
FACILITIES = [
    ("Baku-Tbilisi-Ceyhan pipeline", "pipeline", ["BTC", "BTC pipeline"], "oil"),
    ("Caspian Pipeline Consortium pipeline", "pipeline", ["CPC pipeline", "Tengiz-Novorossiysk pipeline"], "oil"),
    ("CPC Marine Terminal", "terminal", ["CPC terminal"], "oil"),
    ("Druzhba pipeline", "pipeline", ["Druzhba"], "oil"),
    ("Kazakhstan-China pipeline", "pipeline", ["Kazakhstan-China oil pipeline"], "oil"),
    ("Atyrau-Samara pipeline", "pipeline", [], "oil"),
    ("Baku-Supsa pipeline", "pipeline", ["Western Route Export Pipeline"], "oil"),
    ("Baku-Novorossiysk pipeline", "pipeline", ["Northern Route Export Pipeline"], "oil"),
    ("South Caucasus Pipeline", "pipeline", ["SCP"], "gas"),
    ("Trans-Anatolian Natural Gas Pipeline", "pipeline", ["TANAP"], "gas"),
    ("Trans Adriatic Pipeline", "pipeline", ["TAP"], "gas"),
    ("Central Asia-China gas pipeline", "pipeline", [], "gas"),
    ("TurkStream", "pipeline", ["TurkStream pipeline"], "gas"),
    ("Blue Stream", "pipeline", [], "gas"),
    ("Power of Siberia", "pipeline", [], "gas"),
    ("Sangachal terminal", "terminal", [], "oil"),
    ("Ceyhan terminal", "terminal", ["Ceyhan oil terminal"], "oil"),
    ("Sheskharis terminal", "terminal", ["Sheskharis"], "oil"),
    ("Novorossiysk port", "port", ["port of Novorossiysk"], "grain"),
    ("Aktau port", "port", ["port of Aktau"], "cargo"),
    ("Kuryk port", "port", ["port of Kuryk"], "cargo"),
    ("Baku port", "port", ["Baku International Sea Trade Port", "Alat port"], "cargo"),
    ("Turkmenbashi port", "port", ["port of Turkmenbashi"], "cargo"),
    ("Poti port", "port", ["port of Poti"], "cargo"),
    ("Batumi port", "port", ["port of Batumi"], "oil"),
    ("Constanta port", "port", ["port of Constanta"], "grain"),
    ("Odesa port", "port", ["port of Odesa"], "grain"),
    ("Tuapse port", "port", ["port of Tuapse"], "oil"),
    ("Ust-Luga port", "port", ["port of Ust-Luga"], "oil"),
    ("Primorsk port", "port", ["port of Primorsk"], "oil"),
    ("Tengiz field", "field", ["Tengiz"], "oil"),
    ("Kashagan field", "field", ["Kashagan"], "oil"),
    ("Karachaganak field", "field", ["Karachaganak"], "gas"),
    ("Azeri-Chirag-Gunashli", "field", ["ACG", "Azeri-Chirag-Gunashli field"], "oil"),
    ("Shah Deniz field", "field", ["Shah Deniz"], "gas"),
    ("Absheron field", "field", [], "gas"),
    ("Galkynysh field", "field", ["Galkynysh"], "gas"),
    ("Atyrau refinery", "refinery", ["Atyrau oil refinery"], "oil"),
    ("Pavlodar refinery", "refinery", [], "oil"),
    ("Shymkent refinery", "refinery", [], "oil"),
    ("Schwedt refinery", "refinery", ["PCK Schwedt refinery"], "oil"),
    ("STAR refinery", "refinery", ["STAR"], "oil"),
    ("Heydar Aliyev oil refinery", "refinery", ["Baku refinery"], "oil"),
    ("SPM-2", "mooring", ["single-point mooring SPM-2"], "oil"),
    ("SPM-3", "mooring", [], "oil"),
    ("Baku-Tbilisi-Kars railway", "railway", ["BTK railway"], "cargo"),
    ("Azeri Central East platform", "platform", ["ACE platform"], "oil"),
    ("Kropotkinskaya pumping station", "other", [], "oil"),
    ("Adamova Zastava delivery point", "other", [], "oil"),
    ("Yamal LNG plant", "plant", ["Yamal LNG"], "LNG"),
]
# The long tail: smaller ports, fields, depots and stations named now and then.
_TAIL_PLACES = ["Aktobe", "Kyzylorda", "Zhanaozen", "Uralsk", "Oral", "Kulsary", "Beineu", "Shetpe",
                "Mangyshlak", "Kumkol", "Akshabulak", "Uzen", "Zhetybai", "Kalamkas", "Karazhanbas",
                "Dossor", "Makat", "Kenkiyak", "Zhanazhol", "Alibekmola", "Sumgait", "Shirvan", "Ganja",
                "Mingachevir", "Ali-Bayramly", "Siyazan", "Neftchala", "Astara", "Kulevi", "Supsa",
                "Samsun", "Yumurtalik", "Iskenderun", "Burgas", "Varna", "Izmail", "Reni", "Taman",
                "Kavkaz", "Azov", "Yeysk", "Rostov", "Makhachkala", "Olya", "Astrakhan", "Volgograd",
                "Samara", "Saratov", "Orsk", "Omsk"]
_TAIL_KINDS = [("port", "port", "cargo"), ("field", "field", "oil"), ("refinery", "refinery", "oil"),
               ("terminal", "terminal", "oil"), ("storage", "oil depot", "oil")]
FACILITIES += [(f"{place} {word}", kind, [], family)
               for n, place in enumerate(_TAIL_PLACES)
               for kind, word, family in _TAIL_KINDS if (n + len(word)) % 2 == 0 or kind == "port"]

# Facilities also written under a short canonical name by some reports (linked by aliases).
SHORT_CANONICAL = {"Baku-Tbilisi-Ceyhan pipeline": "BTC pipeline", "Tengiz field": "Tengiz",
                   "Caspian Pipeline Consortium pipeline": "CPC pipeline"}

ORGS = [("Caspian Pipeline Consortium", ["CPC"]), ("KazMunayGas", ["KMG"]), ("SOCAR", []),
        ("BP", []), ("Tengizchevroil", ["TCO"]), ("KazTransOil", []), ("Transneft", []),
        ("Chevron", []), ("ExxonMobil", []), ("Eni", []), ("Gazprom", []), ("Rosneft", []),
        ("Lukoil", []), ("OPEC", []), ("Ministry of Energy of Kazakhstan", ["Energy Ministry"]),
        ("North Caspian Operating Company", ["NCOC"]), ("Azerbaijan Railways", ["ADY"]),
        ("Kazakhstan Temir Zholy", ["KTZ"]), ("Turkmengaz", []), ("Botas", [])]
OPERATORS = {"Baku-Tbilisi-Ceyhan pipeline": "BP", "Caspian Pipeline Consortium pipeline":
             "Caspian Pipeline Consortium", "CPC Marine Terminal": "Caspian Pipeline Consortium",
             "Tengiz field": "Tengizchevroil", "Kashagan field": "North Caspian Operating Company",
             "Azeri-Chirag-Gunashli": "BP", "Shah Deniz field": "BP", "Atyrau-Samara pipeline":
             "KazTransOil", "Druzhba pipeline": "Transneft", "Baku port": "SOCAR"}
PLACES = ["Kazakhstan", "Azerbaijan", "Russia", "Turkmenistan", "Uzbekistan", "Georgia", "Turkey",
          "Germany", "China", "Iran", "Caspian Sea", "Black Sea", "Europe", "Baku", "Astana",
          "Aktau", "Novorossiysk", "Tbilisi", "Ceyhan", "Moscow", "Tashkent", "Ashgabat", "Italy",
          "Poland", "Hungary", "India", "Romania", "Ukraine", "Mangystau", "Atyrau"]

# commodity -> (weight, [(unit, per, low, high)])
COMMODITIES = {
    "oil": (30, [("t", None, 5e4, 9e7), ("bbl", "day", 1e4, 2e6), ("t", "year", 1e6, 8e7)]),
    "crude oil": (14, [("t", None, 5e4, 9e7), ("bbl", "day", 1e4, 2e6)]),
    "oil and condensate": (3, [("t", None, 1e6, 9e7)]),
    "condensate": (2, [("t", None, 1e5, 1e7)]),
    "gas": (14, [("m3", None, 1e8, 5e10), ("m3", "year", 1e9, 6e10), ("m3", "day", 1e6, 1e8)]),
    "natural gas": (5, [("m3", None, 1e8, 5e10)]),
    "LNG": (3, [("t", None, 1e5, 2e7), ("t", "year", 1e6, 2e7)]),
    "wheat": (7, [("t", None, 1e4, 5e7)]),
    "grain": (5, [("t", None, 1e4, 6e7)]),
    "coal": (3, [("t", None, 1e5, 5e7)]),
    "cargo": (8, [("t", None, 1e4, 3e7), ("t", "year", 1e5, 3e7)]),
    "oil products": (3, [("t", None, 1e4, 1e7)]),
    "diesel": (2, [("t", None, 1e4, 5e6)]),
    None: (1, [("t", None, 1e3, 1e6)]),
}
STATUSES = [("actual", 50), ("planned", 15), ("forecast", 12), ("capacity", 12), ("agreed", 8), (None, 3)]
VERBS = {"actual": "shipped", "planned": "plans to ship", "forecast": "is expected to handle",
         "capacity": "can handle up to", "agreed": "agreed to supply", None: "reported"}
FILLERS = [
    "The figures were published by the ministry on its website.",
    "Analysts said demand in Europe remained firm through the winter.",
    "Freight rates on the route have risen since the spring.",
    "The company did not comment on the figures.",
    "Officials expect the new terminal to attract more transit cargo.",
    "Prices for Black Sea grades traded at a discount to Brent.",
    "The government is seeking to diversify export routes.",
    "Tanker availability in the region remains tight.",
]
INCIDENTS = ["Loadings at the {f} were halted after a storm damaged equipment.",
             "A drone attack damaged the {f}, and repairs are expected to take weeks.",
             "An outage at the {f} cut flows for three days.",
             "The {f} resumed operations after scheduled repair work."]
AGREEMENTS = ["{o} signed an agreement to expand capacity at the {f}.",
              "A new contract covers transit through the {f} until 2030.",
              "The deal gives shippers long-term access to the {f}."]
MOORING = ["Tankers at the {f} load through a single-point mooring, which was inspected last month.",
           "The single-point mooring at the {f} was replaced in the summer."]


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs)
    return rng.choices(items, weights=weights)[0]


def period_for(rng: random.Random, published: dt.date) -> tuple[str | None, str | None]:
    kind = rng.choices(["year", "quarter", "month", "none", "day"], [45, 18, 17, 15, 5])[0]
    year = published.year - rng.choice([0, 0, 0, 1, 1, 2]) + (1 if kind == "year" and rng.random() < 0.1 else 0)
    if kind == "none":
        return None, None
    if kind == "year":
        return f"{year}-01-01", f"{year}-12-31"
    if kind == "quarter":
        q = rng.randint(1, 4)
        end_month = 3 * q
        last = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return f"{year}-{3 * q - 2:02d}-01", f"{year}-{end_month:02d}-{last:02d}"
    if kind == "month":
        m = rng.randint(1, 12)
        last = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
        return f"{year}-{m:02d}-01", f"{year}-{m:02d}-{last:02d}"
    day = published - dt.timedelta(days=rng.randint(0, 3))
    return day.isoformat(), day.isoformat()


def fmt_amount(amount: float, unit: str, per: str | None) -> str:
    words = {"t": "tonnes", "bbl": "barrels", "m3": "cubic metres"}
    if amount >= 1e9:
        text = f"{amount / 1e9:.1f} billion"
    elif amount >= 1e6:
        text = f"{amount / 1e6:.1f} million"
    else:
        text = f"{amount:,.0f}"
    return f"{text} {words.get(unit, unit)}" + (f" per {per}" if per else "")


def generate(path: str, n_articles: int = N_ARTICLES, n_facts: int = N_FACTS, seed: int = SEED) -> dict:
    """Write the benchmark database at ``path`` (schema from schemas.connect)."""
    import schemas
    rng = random.Random(seed)
    started = time.monotonic()
    db = schemas.connect(path)
    db.conn.execute("pragma synchronous = off")
    conn = db.conn
    fac_weights = [1 / (i + 1) ** 0.7 for i in range(len(FACILITIES))]
    org_weights = [1 / (i + 1) ** 0.8 for i in range(len(ORGS))]
    place_weights = [1 / (i + 1) ** 0.7 for i in range(len(PLACES))]
    commodity_pairs = [(c, w) for c, (w, _) in COMMODITIES.items()]
    statuses = rng.choices(["extracted", "duplicate", "not_english", "extract_failed"], [95, 3, 1, 1],
                           k=n_articles)
    extracted = [i for i, s in enumerate(statuses) if s == "extracted"]
    # Facts per extracted article: at least one, the rest spread at random, n_facts in all.
    per_article = [0] * n_articles
    for i in extracted:
        per_article[i] = 1
    for _ in range(n_facts - len(extracted)):
        per_article[rng.choice(extracted)] += 1
    start_day, days = dt.date(2019, 1, 1), (dt.date(2025, 11, 29) - dt.date(2019, 1, 1)).days
    runs = [{"flow": "ingest", "started": f"2025-{m:02d}-01T06:00:00+00:00",
             "finished": f"2025-{m:02d}-01T06:05:00+00:00", "status": "completed"} for m in range(1, 11)]
    conn.executemany("insert into runs (flow, started, finished, status) values (?, ?, ?, ?)",
                     [(r["flow"], r["started"], r["finished"], r["status"]) for r in runs])
    conn.executemany("insert or replace into sources (name, title) values (?, ?)",
                     [(s, s) for s, _ in SOURCES])
    articles, quantities, facilities, entities = [], [], [], []
    for aid in range(1, n_articles + 1):
        source = weighted(rng, SOURCES)
        published = start_day + dt.timedelta(days=rng.randrange(days))
        status = statuses[aid - 1]
        md = published.strftime("%B %d").replace(" 0", " ")
        text = DATELINES[source].format(md=md)
        named = list(dict.fromkeys(rng.choices(range(len(FACILITIES)), fac_weights, k=rng.choice([1, 1, 2, 2, 3]))))
        orgs = list(dict.fromkeys(rng.choices(range(len(ORGS)), org_weights, k=rng.randint(1, 3))))
        places = list(dict.fromkeys(rng.choices(range(len(PLACES)), place_weights, k=rng.randint(1, 4))))
        sentences: list[tuple[str, dict | None]] = []
        lead_fac = FACILITIES[named[0]]
        for k in range(max(per_article[aid - 1], 2 if status != "extracted" else 1)):
            fi = rng.choice(named)
            fname, fkind, faliases, ffamily = FACILITIES[fi]
            commodity = weighted(rng, commodity_pairs)
            if rng.random() < 0.5 and ffamily in COMMODITIES:
                commodity = ffamily if rng.random() < 0.7 else commodity
            unit, per, low, high = rng.choice(COMMODITIES[commodity][1])
            amount = round(rng.uniform(low, high), -3 if high > 1e6 else 0)
            st = weighted(rng, STATUSES)
            ps, pe = period_for(rng, published) if st not in ("capacity",) else (None, None)
            written = fmt_amount(amount, unit, per)
            mention = rng.choice([fname] + faliases) if faliases else fname
            org = ORGS[rng.choice(orgs)][0]
            when = f" in {ps[:4]}" if ps and pe.endswith("12-31") and ps.endswith("01-01") else ""
            sent = f"{org} {VERBS[st]} {written} of {commodity or 'cargo'} via the {mention}{when}."
            if rng.random() < 0.1:  # some facts share a report with a second agency's figure
                sent = sent[:-1] + f", {rng.choice(['officials said', 'the company said', 'data showed'])}."
            linked = [fname] if rng.random() < 0.92 else []
            sentences.append((sent, {"text": written, "amount": amount, "unit": unit, "per": per,
                                     "commodity": commodity, "period_start": ps, "period_end": pe,
                                     "facilities": linked, "status": st}))
            if k == 0 and rng.random() < 0.15:
                fm = lead_fac[0]
                op = OPERATORS.get(fm)
                if op:
                    sentences.append((f"The {fm} is operated by {op}.", None))
            if rng.random() < 0.25:
                sentences.append((rng.choice(FILLERS), None))
        if rng.random() < 0.12:
            sentences.insert(rng.randrange(len(sentences) + 1),
                             (rng.choice(INCIDENTS).format(f=lead_fac[0]), None))
        if rng.random() < 0.10:
            sentences.insert(rng.randrange(len(sentences) + 1),
                             (rng.choice(AGREEMENTS).format(f=lead_fac[0], o=ORGS[orgs[0]][0]), None))
        if lead_fac[1] in ("terminal", "mooring", "port") and rng.random() < 0.2:
            sentences.append((rng.choice(MOORING).format(f=lead_fac[0]), None))
        sentences.append((f"Exports to {PLACES[places[0]]} were also discussed.", None))
        body = text
        for sent, fact in sentences:
            offset = len(body)
            body += sent + " "
            if fact is None or status != "extracted":
                continue
            i = sent.index(fact["text"])
            cs = offset + i
            quantities.append({
                "id": f"{aid}:quantities:{cs}-{cs + len(fact['text'])}:1", "text": fact["text"],
                "amount": fact["amount"], "unit": fact["unit"], "per": fact["per"],
                "commodity": fact["commodity"], "period_start": fact["period_start"],
                "period_end": fact["period_end"], "facilities": json.dumps(fact["facilities"]),
                "status": fact["status"], "qualifier": None, "article_id": aid, "char_start": cs,
                "char_end": cs + len(fact["text"]), "sentence": sent, "sentence_start": offset,
                "confidence": round(rng.uniform(0.5, 0.95), 2), "extractor": "bench"})
        body = body.strip()
        title = sentences[0][0][:90].rstrip(".")
        articles.append({
            "id": aid, "source": source, "entry_id": f"{source}-{aid}",
            "url": f"https://{source}.example/news/{aid}", "canonical_url": f"https://{source}.example/news/{aid}",
            "title": title, "text": body, "language": "en" if status != "not_english" else "ru",
            "published": published.isoformat(), "published_from": "feed", "status": status,
            "duplicate_of": max(1, aid - rng.randint(1, 50)) if status == "duplicate" and aid > 1 else None,
            "extractor_version": "bench", "run_id": rng.randint(1, len(runs))})
        if status != "extracted":
            continue
        for fi in named:
            fname, fkind, faliases, _ = FACILITIES[fi]
            canonical = SHORT_CANONICAL.get(fname) if rng.random() < 0.05 else None
            facilities.append({"id": f"{aid}:facilities:{fi}", "name": canonical or fname, "kind": fkind,
                               "aliases": json.dumps([fname] if canonical else faliases),
                               "mentions": "[]", "article_id": aid, "char_start": 0, "char_end": 0,
                               "sentence": "", "sentence_start": 0, "confidence": 0.8, "extractor": "bench"})
        for oi in orgs:
            name, aliases = ORGS[oi]
            entities.append({"id": f"{aid}:organizations:{oi}", "kind": "organization", "name": name,
                             "aliases": json.dumps(aliases), "mentions": "[]", "article_id": aid,
                             "char_start": 0, "char_end": 0, "sentence": "", "sentence_start": 0,
                             "confidence": 0.8, "extractor": "bench"})
        for pi in places:
            entities.append({"id": f"{aid}:places:{pi}", "kind": "place", "name": PLACES[pi],
                             "aliases": "[]", "mentions": "[]", "article_id": aid, "char_start": 0,
                             "char_end": 0, "sentence": "", "sentence_start": 0, "confidence": 0.8,
                             "extractor": "bench"})

    def insert(table: str, rows: list[dict]) -> None:
        cols = list(rows[0])
        conn.executemany(f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                         [tuple(r[c] for c in cols) for r in rows])

    with conn:
        insert("articles", articles)   # the FTS triggers of schemas index title and text
        insert("quantities", quantities)
        insert("facilities", facilities)
        insert("entities", entities)
    # No ANALYZE: databases written by the ingest flow have no planner statistics either.
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    return {"articles": len(articles), "facts": len(quantities), "facilities": len(facilities),
            "entities": len(entities), "seconds": round(time.monotonic() - started, 1)}


# -- timing ---------------------------------------------------------------------------------------

def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU milliseconds of ``fn`` (after one warm-up run)."""
    fn()  # warm the page cache and the statement cache
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def captured_sql(conn: sqlite3.Connection, fn) -> list[str]:
    """The statements ``fn`` sends to SQLite, with their parameters expanded."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    return [s for s in statements if not s.lstrip().lower().startswith("pragma")]


def replay(conn: sqlite3.Connection, statements: list[str]):
    """The floor: the same SQL run by sqlite3 directly, rows fetched, nothing else done."""
    return lambda: [conn.execute(s).fetchall() for s in statements]


def naive_queries(conn: sqlite3.Connection) -> dict:
    """The same questions asked of the views the obvious way, hand-written (for comparison)."""
    btc = ("btc", "btc pipeline", "baku-tbilisi-ceyhan pipeline")
    oil = ("oil", "crude oil", "oil and condensate", "condensate")
    btc_in, oil_in = ",".join("?" * len(btc)), ",".join("?" * len(oil))
    on_btc = f"exists (select 1 from json_each(facilities) j where lower(j.value) in ({btc_in}))"
    return {
        "facts --commodity oil --source trend": lambda: conn.execute(
            f"select * from facts where commodity in ({oil_in}) and source = ? "
            "order by published desc limit 50", [*oil, "trend"]).fetchall(),
        "facts --facility BTC --since 2024": lambda: conn.execute(
            f"select * from facts where {on_btc} and coalesce(period_end, period_start, published) >= '2024-01-01' "
            "order by published desc limit 50", btc).fetchall(),
        "facility BTC": lambda: (
            conn.execute(f"select * from facts where {on_btc} order by coalesce(period_start, published) "
                         "desc limit 30", btc).fetchall(),
            conn.execute(f"select count(*) from facts where {on_btc}", btc).fetchall(),
            conn.execute("select id, source, published, title from articles where id in "
                         f"(select article_id from facilities where lower(name) in ({btc_in})) "
                         "order by published desc limit 30", btc).fetchall()),
        "timeline --facility BTC --commodity oil --per quarter": lambda: conn.execute(
            f"select * from facts where {on_btc} and commodity in ({oil_in}) "
            "order by coalesce(period_start, published)", [*btc, *oil]).fetchall(),
        'search "single-point mooring"': lambda: conn.execute(
            "select a.id, a.title, snippet(articles_fts, 1, '[', ']', '…', 16) from articles_fts "
            "join articles a on a.id = articles_fts.rowid where articles_fts match '\"single-point mooring\"' "
            "order by bm25(articles_fts) limit 10").fetchall(),
    }


def factwire_queries(conn) -> dict:
    from factwire import query as q
    return {
        "facts --commodity oil --source trend": lambda: q.facts(
            conn, q.FactFilter(commodity="oil", source=["trend"]), limit=50),
        "facts --facility BTC --since 2024": lambda: q.facts(
            conn, q.FactFilter(facility="BTC", since="2024"), limit=50),
        "facility BTC": lambda: q.facility_profile(conn, "BTC", limit=30),
        "timeline --facility BTC --commodity oil --per quarter": lambda: q.timeline(
            conn, q.FactFilter(facility="BTC", commodity="oil"), per="quarter"),
        'search "single-point mooring"': lambda: q.search(conn, "single-point mooring", limit=10),
    }


def startup_seconds(runs: int) -> float:
    exe = ROOT / ".venv" / "bin" / "factwire"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "factwire.cli", "--help"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file to (re)use; default: a new one in a temp dir")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (median)")
    args = parser.parse_args(argv)
    from factwire import query as q

    tmp = None
    path = args.db
    if not path:
        tmp = tempfile.TemporaryDirectory(prefix="factwire-bench-")
        path = os.path.join(tmp.name, "bench.db")
    if not Path(path).exists():
        info = generate(path)
        print(f"generated {path}: {info['articles']:,} articles, {info['facts']:,} facts, "
              f"{info['facilities']:,} facility and {info['entities']:,} entity mentions "
              f"in {info['seconds']} s")
    else:
        print(f"reusing {path}")
    conn = q.open_db(path)
    floor_conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ours, naive = factwire_queries(conn), naive_queries(floor_conn)
    print(f"\n{'query':<54}{'factwire':>10}{'(cpu)':>8}{'sqlite3':>10}{'ratio':>7}{'naive':>9}  target")
    print(f"{'':<54}{'ms':>10}{'ms':>8}{'same SQL':>10}{'':>7}{'SQL ms':>9}")
    worst = 0.0
    for name in ours:
        mine, mine_cpu = timed(ours[name], args.runs)
        floor, _ = timed(replay(floor_conn, captured_sql(conn, ours[name])), args.runs)
        plain, _ = timed(naive[name], max(3, args.runs // 2))
        worst = max(worst, mine)
        ok = "ok" if mine < 100 else "SLOW"
        print(f"{name:<54}{mine:>10.1f}{mine_cpu:>8.1f}{floor:>10.1f}{mine / floor if floor else float('nan'):>7.2f}"
              f"{plain:>9.1f}  <100 ms {ok}")
    start = startup_seconds(max(3, args.runs // 2))
    print(f"{'factwire --help (start-up, subprocess)':<54}{start * 1000:>10.0f}{'':>8}{'':>10}{'':>7}{'':>9}"
          f"  <300 ms {'ok' if start < 0.3 else 'SLOW'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nmedians of {args.runs} runs; 'sqlite3 same SQL' replays the statements factwire sent "
          f"(parameters inlined) on a plain sqlite3 connection; 'naive' asks the views directly "
          f"without factwire's index prefilters; load average {load:.1f} on {os.cpu_count()} CPUs")
    conn.close()
    floor_conn.close()
    if tmp:
        tmp.cleanup()
    return 0 if worst < 100 and start < 0.3 else 1


if __name__ == "__main__":
    sys.exit(main())
