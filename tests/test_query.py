"""The query commands (facts, facility, timeline, search, sql, stats) on a small database.

The database is built directly with ``schemas.connect`` and sqlite-utils inserts
(no spaCy, no Prefect), from wire-style sentences written for these tests; the
offsets of every fact point at its text inside its report.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import schemas
from factwire import query as q
from factwire.cli import app

runner = CliRunner()

# (id, source, published, title, [sentences], status); facts reference sentences by index.
REPORTS = [
    (1, "trend", "2024-02-10", "Kazakh oil via BTC reached 1.4 mln tons in 2023", [
        "BAKU, Azerbaijan, February 10. Kazakhstan shipped 1.4 million tons of oil via the "
        "Baku-Tbilisi-Ceyhan (BTC) pipeline in 2023, Trend reports.",
        "The Baku-Tbilisi-Ceyhan pipeline is operated by BP.",
        "Loadings at the BTC were halted for two days in March after a storm damaged a pump.",
    ], "extracted"),
    (2, "reuters", "2024-03-01", "Kazakh crude via BTC put at 1.5 mln T in 2023", [
        "LONDON, March 1 (Reuters) - Kazakh crude exports through the BTC pipeline reached "
        "1.5 million tonnes in 2023, the ministry said.",
        "KazMunayGas signed a contract to ship 2.2 million tonnes a year through the BTC pipeline "
        "from 2025.",
        "North Caspian Operating Company also sends crude through the BTC pipeline.",
    ], "extracted"),
    (3, "azernews", "2023-07-14", "SCP gas flows rise in first half", [
        "By Azernews Gas flows via the South Caucasus Pipeline reached 12.5 billion cubic meters "
        "in the first half of 2023.",
        "Tankers at the Supsa terminal load through a single-point mooring that was replaced in May.",
    ], "extracted"),
    (4, "interfax-kz", "2025-01-20", "Aktau port handled 3.2 mln tonnes of wheat in 2024", [
        "ASTANA. Jan 20 (Interfax-Kazakhstan) - Kazakhstan exported 3.2 million tonnes of wheat "
        "through the port of Aktau in 2024.",
        "The port can handle 12 million tonnes of cargo per year.",
    ], "extracted"),
    (5, "azernews", "2024-02-11", "Kazakh oil via BTC reached 1.4 mln tons in 2023", [
        "By Azernews Kazakhstan shipped 1.4 million tons of oil via the BTC pipeline in 2023.",
    ], "duplicate"),
]
# (article, sentence index, text, amount, unit, per, commodity, period, facilities, status)
FACTS = [
    (1, 0, "1.4 million tons", 1_400_000, "t", None, "oil", ("2023-01-01", "2023-12-31"),
     ["Baku-Tbilisi-Ceyhan pipeline"], "actual"),
    (2, 0, "1.5 million tonnes", 1_500_000, "t", None, "crude oil", ("2023-01-01", "2023-12-31"),
     ["BTC pipeline"], "actual"),
    (2, 1, "2.2 million tonnes a year", 2_200_000, "t", "year", "oil", ("2025-01-01", "2025-12-31"),
     ["BTC pipeline"], "agreed"),
    (3, 0, "12.5 billion cubic meters", 12_500_000_000, "m3", None, "natural gas",
     ("2023-01-01", "2023-06-30"), ["South Caucasus Pipeline"], "actual"),
    (4, 0, "3.2 million tonnes", 3_200_000, "t", None, "wheat", ("2024-01-01", "2024-12-31"),
     ["Aktau port"], "actual"),
    (4, 1, "12 million tonnes of cargo per year", 12_000_000, "t", "year", "cargo", (None, None),
     ["Aktau port"], "capacity"),
    (5, 0, "1.4 million tons", 1_400_000, "t", None, "oil", ("2023-01-01", "2023-12-31"),
     ["BTC pipeline"], "actual"),
]
FACILITY_ITEMS = [
    (1, "Baku-Tbilisi-Ceyhan pipeline", "pipeline", ["BTC"]),
    (2, "BTC pipeline", "pipeline", ["Baku-Tbilisi-Ceyhan pipeline"]),
    (3, "South Caucasus Pipeline", "pipeline", ["SCP"]),
    (3, "Supsa terminal", "terminal", []),
    (4, "Aktau port", "port", ["port of Aktau"]),
    (5, "BTC pipeline", "pipeline", []),
]
ENTITY_ITEMS = [
    (1, "organization", "BP", []), (1, "organization", "Trend", []), (1, "place", "Kazakhstan", []),
    (1, "place", "Baku", []),
    (2, "organization", "KazMunayGas", ["KMG"]), (2, "place", "Kazakhstan", []),
    (2, "organization", "North Caspian Operating Company", ["NCOC"]),
    (3, "organization", "Azernews", []), (3, "place", "Azerbaijan", []),
    (4, "place", "Kazakhstan", []), (4, "place", "Astana", []),
]


def fact_id(article: int, start: int, end: int) -> str:
    return f"{article}:quantities:{start}-{end}:1"


def build(path) -> dict:
    """Write the fixture database; returns {text: fact id}."""
    db = schemas.connect(str(path))
    ids = {}
    texts = {}
    with db.conn:
        db["sources"].insert_all([{"name": s} for s in ("trend", "reuters", "azernews", "interfax-kz")])
        db["runs"].insert({"id": 1, "flow": "ingest", "started": "2025-01-21T06:00:00+00:00",
                           "finished": "2025-01-21T06:01:00+00:00", "status": "completed",
                           "articles_new": 5, "articles_duplicate": 1, "facts": 6})
        for aid, source, published, title, sentences, status in REPORTS:
            text = " ".join(sentences)
            texts[aid] = (text, sentences)
            db["articles"].insert({"id": aid, "source": source, "published": published, "title": title,
                                   "text": text, "canonical_url": f"https://{source}.example/{aid}",
                                   "url": f"https://{source}.example/{aid}", "language": "en",
                                   "status": status, "duplicate_of": 1 if status == "duplicate" else None,
                                   "run_id": 1})
        for aid, n, text, amount, unit, per, commodity, (ps, pe), facilities, status in FACTS:
            full, sentences = texts[aid]
            sentence = sentences[n]
            s_start = full.index(sentence)
            start = s_start + sentence.index(text)
            fid = fact_id(aid, start, start + len(text))
            ids[(aid, text)] = fid
            db["quantities"].insert({
                "id": fid, "text": text, "amount": amount, "unit": unit, "per": per,
                "commodity": commodity, "period_start": ps, "period_end": pe,
                "facilities": json.dumps(facilities), "status": status, "article_id": aid,
                "char_start": start, "char_end": start + len(text), "sentence": sentence,
                "sentence_start": s_start, "confidence": 0.7, "extractor": "test"}, pk="id")
        for n, (aid, name, kind, aliases) in enumerate(FACILITY_ITEMS):
            db["facilities"].insert({"id": f"{aid}:facilities:{n}", "name": name, "kind": kind,
                                     "aliases": json.dumps(aliases), "article_id": aid}, pk="id")
        for n, (aid, kind, name, aliases) in enumerate(ENTITY_ITEMS):
            db["entities"].insert({"id": f"{aid}:entities:{n}", "kind": kind, "name": name,
                                   "aliases": json.dumps(aliases), "article_id": aid}, pk="id")
    db.conn.close()
    return ids


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("query") / "facts.db"
    ids = build(path)
    return str(path), ids


@pytest.fixture(scope="module")
def conn(fixture_db):
    c = q.open_db(fixture_db[0])
    yield c
    c.close()


def invoke(args, db, env=None):
    return runner.invoke(app, [*args, "--db", db], env=env or {})


def tsv(output: str) -> list[dict]:
    lines = [l for l in output.splitlines() if l]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def amounts(rows) -> list[float]:
    return sorted(r["amount"] for r in rows)


# -- helpers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount,unit,per,text", [
    (2_200_000, "t", "year", "2.2 mln t/year"), (140_000, "bbl", "day", "140,000 bbl/day"),
    (12_500_000_000, "m3", None, "12.5 bln m3"), (950, "t", None, "950 t"), (1_250_000, None, None, "1.25 mln"),
])
def test_human_amount(amount, unit, per, text):
    assert q.human_amount(amount, unit, per) == text


@pytest.mark.parametrize("start,end,label", [
    ("2023-01-01", "2023-12-31", "2023"), ("2024-04-01", "2024-06-30", "2024-Q2"),
    ("2023-01-01", "2023-06-30", "2023-H1"), ("2024-02-01", "2024-02-29", "2024-02"),
    ("2024-03-05", "2024-03-05", "2024-03-05"), ("2024-03-01", "2024-04-15", "2024-03-01..2024-04-15"),
    (None, None, ""),
])
def test_period_label(start, end, label):
    assert q.period_label(start, end) == label


@pytest.mark.parametrize("text,span", [
    ("2024", ("2024-01-01", "2024-12-31")), ("2024-Q1", ("2024-01-01", "2024-03-31")),
    ("2024-02", ("2024-02-01", "2024-02-29")), ("2023-H2", ("2023-07-01", "2023-12-31")),
    ("2024-03-05", ("2024-03-05", "2024-03-05")),
])
def test_date_span(text, span):
    assert tuple(d.isoformat() for d in q.date_span(text)) == span


def test_parse_amount_and_bad_values():
    assert q.parse_amount("1.45mln") == 1_450_000
    assert q.parse_amount("500k") == 500_000
    assert q.parse_amount("2 bln") == 2e9
    assert q.parse_amount("12,000") == 12_000
    with pytest.raises(q.QueryError):
        q.parse_amount("lots")
    with pytest.raises(q.QueryError):
        q.date_span("March", "--since")


def test_snippet_trims_around_the_quantity():
    sentence = ("Officials in the capital said on Tuesday that after long talks the shippers had agreed "
                "that exports would reach 2.2 million tonnes a year through the line, up from last year "
                "when storms and repairs cut volumes sharply across the region.")
    start = sentence.index("2.2 million")
    text = q.snippet(sentence, start, start + len("2.2 million tonnes"), width=80)
    assert "2.2 million tonnes" in text and len(text) <= 82
    assert text.startswith("…") and text.endswith("…")
    assert q.snippet("Short one.", 0, 5) == "Short one."


def test_commodity_family():
    assert q.commodity_matches("oil", "crude oil") and q.commodity_matches("oil", "oil and condensate")
    assert q.commodity_matches("grain", "wheat") and q.commodity_matches("gas", "natural gas")
    assert not q.commodity_matches("oil", "natural gas") and not q.commodity_matches("gas", "oil")


def test_fts_query_quotes_plain_words_and_keeps_syntax():
    assert q.fts_query("single-point mooring") == '"single-point" "mooring"'
    assert q.fts_query('"single-point mooring" OR buoy') == '"single-point mooring" OR buoy'


# -- facts filters ---------------------------------------------------------------------------------------

def test_duplicates_are_not_facts(conn):
    rows = q.facts(conn, limit=None)
    assert len(rows) == 6 and all(r["article_id"] != 5 for r in rows)


def test_commodity_filter_is_family_aware(conn):
    oil = q.facts(conn, q.FactFilter(commodity="oil"), limit=None)
    assert {r["commodity"] for r in oil} == {"oil", "crude oil"} and len(oil) == 3
    gas = q.facts(conn, q.FactFilter(commodity="gas"), limit=None)
    assert [r["commodity"] for r in gas] == ["natural gas"]
    assert [r["commodity"] for r in q.facts(conn, q.FactFilter(commodity="grain"))] == ["wheat"]


def test_facility_filter_follows_aliases(conn):
    for name in ("BTC", "btc", "Baku-Tbilisi-Ceyhan pipeline", "BTC pipeline"):
        rows = q.facts(conn, q.FactFilter(facility=name), limit=None)
        assert amounts(rows) == [1_400_000, 1_500_000, 2_200_000], name
    assert amounts(q.facts(conn, q.FactFilter(facility="SCP"))) == [12_500_000_000]
    assert q.facts(conn, q.FactFilter(facility="Nowhere terminal")) == []


def test_facility_resolution_links_canonicals_through_aliases(conn):
    found = q.resolve_facility(conn, "BTC")
    assert set(found["canonicals"]) == {"Baku-Tbilisi-Ceyhan pipeline", "BTC pipeline"}
    assert found["exact"]
    part = q.resolve_facility(conn, "Caucasus")
    assert set(part["canonicals"]) == {"South Caucasus Pipeline"} and not part["exact"]


def test_org_and_place_filters(conn):
    assert amounts(q.facts(conn, q.FactFilter(org="KMG"))) == [1_500_000, 2_200_000]
    assert amounts(q.facts(conn, q.FactFilter(org="BP"))) == [1_400_000]
    assert {r["article_id"] for r in q.facts(conn, q.FactFilter(place="Kazakhstan"))} == {1, 2, 4}
    assert q.facts(conn, q.FactFilter(place="Atlantis")) == []


def test_since_until_select_overlapping_periods(conn):
    def ids(**kw):
        return amounts(q.facts(conn, q.FactFilter(**kw), limit=None))
    # 12.5 bcm covers 2023-01..2023-06: it overlaps June, not July.
    assert 12_500_000_000 in ids(since="2023-06", until="2023-06")
    assert 12_500_000_000 not in ids(since="2023-07")
    # The yearly 2023 figures overlap any part of 2023.
    assert ids(since="2023-11-15", until="2023-11-20") == [1_400_000, 1_500_000]
    # A fact without a period is placed at its report's date (2025-01-20).
    assert 12_000_000 in ids(since="2025-01", until="2025-01")
    assert 12_000_000 not in ids(until="2024-12-31")
    assert ids(since="2025") == [2_200_000, 12_000_000]
    with pytest.raises(q.QueryError):
        q.facts(conn, q.FactFilter(since="2025", until="2024"))


def test_status_source_unit_and_amount_filters(conn):
    assert amounts(q.facts(conn, q.FactFilter(status=["agreed,capacity"]))) == [2_200_000, 12_000_000]
    assert amounts(q.facts(conn, q.FactFilter(source=["reuters"]))) == [1_500_000, 2_200_000]
    assert amounts(q.facts(conn, q.FactFilter(source=["trend", "interfax-kz"]), limit=None)) == \
        [1_400_000, 3_200_000, 12_000_000]
    assert amounts(q.facts(conn, q.FactFilter(unit="m3"))) == [12_500_000_000]
    assert amounts(q.facts(conn, q.FactFilter(min_amount="1.45mln", max_amount="3.2 mln"))) == \
        [1_500_000, 2_200_000, 3_200_000]
    with pytest.raises(q.QueryError):
        q.facts(conn, q.FactFilter(status=["rumoured"]))


def test_sort_and_limit(conn):
    by_amount = q.facts(conn, sort="amount", limit=2)
    assert [r["amount"] for r in by_amount] == [12_500_000_000, 12_000_000]
    smallest = q.facts(conn, sort="amount", descending=False, limit=1)
    assert smallest[0]["amount"] == 1_400_000
    newest = q.facts(conn, sort="published", limit=1)
    assert newest[0]["published"] == "2025-01-20"
    by_period = q.facts(conn, sort="period", descending=False, limit=None)
    assert by_period[0]["period_start"] == "2023-01-01" and by_period[-1]["period_start"] is None
    with pytest.raises(q.QueryError):
        q.facts(conn, sort="title")


def test_rows_carry_display_fields(conn):
    row = q.facts(conn, q.FactFilter(facility="BTC", status=["agreed"]))[0]
    assert row["amount_text"] == "2.2 mln t/year" and row["period"] == "2025"
    assert row["facilities"] == ["BTC pipeline"] and row["source"] == "reuters"
    assert "2.2 million tonnes a year" in row["snippet"]
    s, e = row["snippet_span"]
    assert row["snippet"][s:e] == "2.2 million tonnes a year"


# -- reviewed values win ----------------------------------------------------------------------------------

@pytest.fixture
def reviewed_db(tmp_path):
    path = tmp_path / "reviewed.db"
    ids = build(path)
    db = schemas.connect(str(path))
    with db.conn:
        corrections = [
            (ids[(2, "1.5 million tonnes")], 2, "correct", {"amount": 1_450_000}),
            (ids[(4, "3.2 million tonnes")], 4, "accept", {}),
            (ids[(3, "12.5 billion cubic meters")], 3, "reject", {}),
        ]
        for target, article, action, values in corrections:
            db["corrections"].insert({"target_table": "quantities", "target_id": target, "article_id": article,
                                      "action": action, "corrected": json.dumps(values), "before": "{}",
                                      "reviewer": "ana", "created_at": "2025-02-01T10:00:00+00:00"})
    db.conn.close()
    return str(path)


def test_reviewed_values_win_and_review_filters(reviewed_db):
    result = invoke(["facts", "--facility", "BTC", "--format", "json", "--sort", "amount"], reviewed_db)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["amount"] for r in rows) == [1_400_000, 1_450_000, 2_200_000]
    corrected = [r for r in rows if r["amount"] == 1_450_000][0]
    assert corrected["review_status"] == "corrected" and corrected["amount_text"] == "1.45 mln t"
    reviewed = json.loads(invoke(["facts", "--reviewed", "--format", "json"], reviewed_db).stdout)
    assert sorted(r["review_status"] for r in reviewed) == ["accepted", "corrected"]
    unreviewed = json.loads(invoke(["facts", "--unreviewed", "--format", "json"], reviewed_db).stdout)
    assert len(unreviewed) == 3 and {r["review_status"] for r in unreviewed} == {"unreviewed"}
    # The rejected gas figure is gone from every answer.
    assert json.loads(invoke(["facts", "-c", "gas", "--format", "json"], reviewed_db).stdout) == []
    stats = json.loads(invoke(["stats", "--format", "json"], reviewed_db).stdout)
    assert stats["review"] == {"accepted": 1, "corrected": 1, "unreviewed": 3}


def test_reviewers_name_merges_reach_facility_filters(tmp_path):
    path = tmp_path / "merged.db"
    build(path)
    db = schemas.connect(str(path))
    with db.conn:
        db["name_merges"].insert({"target": "facilities", "kind": "pipeline", "alias": "South Caucasus Pipeline",
                                  "canonical": "SCP system", "action": "merge", "reviewer": "ana",
                                  "created_at": "2025-02-01T10:00:00+00:00"})
    db.conn.close()
    c = q.open_db(str(path))
    rows = q.facts(c, q.FactFilter(facility="SCP system"))
    assert [r["amount"] for r in rows] == [12_500_000_000]
    assert rows[0]["facilities"] == ["SCP system"]  # the view maps the name; the filter follows it
    assert [r["amount"] for r in q.facts(c, q.FactFilter(facility="SCP"))] == [12_500_000_000]
    assert q.count_facts(c, q.FactFilter(facility="South Caucasus Pipeline")) == 1
    c.close()


def test_corrected_facilities_move_a_fact_between_facilities(tmp_path):
    path = tmp_path / "moved.db"
    ids = build(path)
    db = schemas.connect(str(path))
    with db.conn:
        for key, facilities in (((1, "1.4 million tons"), ["Aktau port"]),
                                ((4, "3.2 million tonnes"), ["Baku-Tbilisi-Ceyhan pipeline"])):
            db["corrections"].insert({"target_table": "quantities", "target_id": ids[key], "article_id": key[0],
                                      "action": "correct", "corrected": json.dumps({"facilities": facilities}),
                                      "before": "{}", "reviewer": "ana", "created_at": "2025-02-01T10:00:00+00:00"})
    db.conn.close()
    c = q.open_db(str(path))
    assert amounts(q.facts(c, q.FactFilter(facility="BTC"), limit=None)) == [1_500_000, 2_200_000, 3_200_000]
    assert q.count_facts(c, q.FactFilter(facility="BTC")) == 3
    assert amounts(q.facts(c, q.FactFilter(facility="Aktau port"), limit=None)) == [1_400_000, 12_000_000]
    t = q.timeline(c, q.FactFilter(facility="BTC"), per="year")
    assert not any(g["conflict"] for g in t["groups"])  # trend's 1.4 no longer counts for BTC
    c.close()


def test_a_corrected_commodity_is_found_by_its_new_family(tmp_path):
    path = tmp_path / "c.db"
    ids = build(path)
    db = schemas.connect(str(path))
    with db.conn:
        db["corrections"].insert({"target_table": "quantities", "target_id": ids[(4, "12 million tonnes of cargo per year")],
                                  "article_id": 4, "action": "correct", "corrected": json.dumps({"commodity": "coal"}),
                                  "before": "{}", "reviewer": "ana", "created_at": "2025-02-01T10:00:00+00:00"})
    db.conn.close()
    rows = json.loads(invoke(["facts", "-c", "coal", "--format", "json"], str(path)).stdout)
    assert [r["amount"] for r in rows] == [12_000_000]


# -- facts command: formats --------------------------------------------------------------------------------

def test_facts_formats(fixture_db):
    db = fixture_db[0]
    as_json = json.loads(invoke(["facts", "-f", "BTC", "--format", "json"], db).stdout)
    assert len(as_json) == 3 and "snippet_span" not in as_json[0]
    lines = invoke(["facts", "-f", "BTC", "--format", "jsonl"], db).stdout.splitlines()
    assert [json.loads(l)["id"] for l in lines] == [r["id"] for r in as_json]
    rows = list(csv.DictReader(io.StringIO(invoke(["facts", "-f", "BTC", "--format", "csv"], db).stdout)))
    assert [r["id"] for r in rows] == [r["id"] for r in as_json]
    assert rows[0]["facilities"] == "BTC pipeline" and rows[0]["amount_text"]
    plain = invoke(["facts", "-f", "BTC"], db)  # not a terminal: tab-separated, no colour
    assert plain.exit_code == 0 and "\x1b[" not in plain.stdout
    table = tsv(plain.stdout)
    assert [r["id"] for r in table] == [r["id"] for r in as_json]
    assert {r["amount"] for r in table} == {"1.4 mln t", "1.5 mln t", "2.2 mln t/year"}
    assert table[0]["source"] == "reuters" and table[0]["published"] == "2024-03-01"
    bad = invoke(["facts", "--format", "xml"], db)
    assert bad.exit_code == 1 and "--format" in bad.output


def test_facts_table_on_a_terminal(fixture_db):
    result = invoke(["facts", "-c", "oil", "--limit", "2"], fixture_db[0],
                    env={"FACTWIRE_TTY": "1", "COLUMNS": "150", "NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "first 2 of 3 facts" in result.stdout
    header = next(l for l in result.stdout.splitlines() if "amount" in l)
    assert header.split() == ["amount", "commodity", "facilities", "period", "status", "source",
                              "published", "evidence"]
    assert "2.2 mln t/year" in result.stdout
    for width in (60, 80, 100):  # the table always fits the terminal
        out = invoke(["facts", "-f", "BTC"], fixture_db[0],
                     env={"FACTWIRE_TTY": "1", "COLUMNS": str(width), "NO_COLOR": "1"}).stdout
        assert max(len(l) for l in out.splitlines()) <= width and "evidence" in out


def test_facts_notes_go_to_stderr(fixture_db):
    r = runner.invoke(app, ["facts", "-f", "Caucasus", "--db", fixture_db[0]])
    assert r.exit_code == 0
    assert "matched by part of a name" in r.stderr and "matched" not in r.stdout


# -- facility ----------------------------------------------------------------------------------------------

def test_facility_profile(conn):
    p = q.facility_profile(conn, "BTC")
    assert p["name"] in ("Baku-Tbilisi-Ceyhan pipeline", "BTC pipeline") and p["kind"] == "pipeline"
    assert {"BTC", "BTC pipeline", "Baku-Tbilisi-Ceyhan pipeline"} - {p["name"]} <= set(p["aliases"])
    # "Operating Company" in a name is no cue: the operator is the one "operated by".
    assert p["operator"]["name"] == "BP" and "operated by BP" in p["operator"]["sentence"]
    assert [a["amount"] for a in p["amounts"]] == [1_400_000, 1_500_000, 2_200_000]  # over time
    assert p["amounts_total"] == 3
    assert [i["cue"] for i in p["incidents"]] == ["halted"]
    assert "storm damaged" in p["incidents"][0]["sentence"]
    assert [a["cue"] for a in p["agreements"]] == ["signed"]
    assert [r["id"] for r in p["reports"]] == [2, 1] and p["reports_total"] == 2
    assert (p["first_reported"], p["last_reported"]) == ("2024-02-10", "2024-03-01")


def test_facility_operator_unknown_and_errors(conn, fixture_db):
    assert q.facility_profile(conn, "Aktau port")["operator"] is None
    out = invoke(["facility", "Aktau port"], fixture_db[0]).stdout
    assert "operator\tunknown" in out and "kind\tport" in out
    missing = invoke(["facility", "Atlantis terminal"], fixture_db[0])
    assert missing.exit_code == 1 and "no facility is named 'Atlantis terminal'" in missing.output
    assert "Traceback" not in missing.output


def test_facility_command_formats(fixture_db):
    db = fixture_db[0]
    data = json.loads(invoke(["facility", "btc", "--format", "json"], db).stdout)
    assert data["operator"]["name"] == "BP" and len(data["amounts"]) == 3
    plain = invoke(["facility", "BTC"], db).stdout
    for heading in ("# Amounts over time", "# Incidents", "# Agreements", "# Reports naming it"):
        assert heading in plain
    rich = invoke(["facility", "BTC"], db, env={"FACTWIRE_TTY": "1", "COLUMNS": "140", "NO_COLOR": "1"})
    assert rich.exit_code == 0 and "Reports naming it" in rich.stdout and "BP" in rich.stdout


# -- timeline ----------------------------------------------------------------------------------------------

def test_timeline_shows_conflicting_reports_side_by_side(conn):
    t = q.timeline(conn, q.FactFilter(facility="BTC", commodity="oil"), per="year")
    first = t["groups"][0]
    assert first["bucket"] == "2023" and first["conflict"]
    assert {(r["source"], r["amount_text"]) for r in first["reports"]} == \
        {("trend", "1.4 mln t"), ("reuters", "1.5 mln t")}
    assert t["conflicts"] == 1
    later = [g for g in t["groups"] if g["bucket"] == "2025"]
    assert later and not later[0]["conflict"]


def test_timeline_buckets(conn):
    quarters = q.timeline(conn, q.FactFilter(commodity="gas"), per="quarter")
    # A half-year figure is longer than a quarter: it keeps its own label.
    assert [g["bucket"] for g in quarters["groups"]] == ["2023-H1"]
    months = q.timeline(conn, q.FactFilter(facility="Aktau port"), per="month")
    assert [g["bucket"] for g in months["groups"]] == ["2024", "2025-01"]
    with pytest.raises(q.QueryError):
        q.timeline(conn, q.FactFilter(), per="week")


def test_agreeing_reports_are_not_a_conflict(tmp_path):
    path = tmp_path / "agree.db"
    build(path)
    db = schemas.connect(str(path))
    with db.conn:
        db["articles"].update(5, {"status": "extracted", "duplicate_of": None})
    db.conn.close()
    c = q.open_db(str(path))
    t = q.timeline(c, q.FactFilter(facility="BTC", source=["trend", "azernews"]), per="year")
    assert [(g["bucket"], g["conflict"], g["sources"]) for g in t["groups"]] == [
        ("2023", False, ["azernews", "trend"])]
    c.close()


def test_conflicts_need_close_figures_and_no_shared_one():
    assert q._disagree([[1_400_000], [1_500_000]])
    assert not q._disagree([[90_000_000], [1_000_000]])           # output against one buyer's share
    assert not q._disagree([[96_200_000, 1_700_000], [96_200_000]])  # the same figure repeated
    assert not q._disagree([[1_400_000], [1_401_000]])            # rounding


def test_timeline_command_and_plot(fixture_db, tmp_path):
    db = fixture_db[0]
    result = invoke(["timeline", "--facility", "BTC", "--commodity", "oil", "--per", "year"], db)
    assert result.exit_code == 0, result.output
    rows = tsv(result.stdout)
    assert rows[0]["bucket"] == "2023" and rows[0]["trend"] == "1.4 mln t" and rows[0]["reuters"] == "1.5 mln t"
    assert rows[0]["conflict"] == "CONFLICT"
    only = tsv(invoke(["timeline", "-f", "BTC", "--per", "year", "--conflicts"], db).stdout)
    assert [r["bucket"] for r in only] == ["2023"]
    png, svg = tmp_path / "btc.png", tmp_path / "btc.svg"
    assert invoke(["timeline", "-f", "BTC", "--plot", str(png)], db).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert invoke(["timeline", "-f", "BTC", "--plot", str(svg), "--format", "json"], db).exit_code == 0
    import xml.etree.ElementTree as ET
    assert ET.parse(svg).getroot().tag.endswith("svg")
    bad = invoke(["timeline", "-f", "BTC", "--plot", str(tmp_path / "btc.gif")], db)
    assert bad.exit_code == 1 and ".png or .svg" in bad.output
    data = json.loads(invoke(["timeline", "-f", "BTC", "--per", "year", "--format", "json"], db).stdout)
    assert data["conflicts"] == 1 and data["groups"][0]["reports"][0]["facts"]
    lines = invoke(["timeline", "-f", "BTC", "--format", "jsonl"], db).stdout.splitlines()
    assert len(lines) == len(data["groups"])
    assert list(csv.reader(io.StringIO(invoke(["timeline", "-f", "BTC", "--format", "csv"], db).stdout)))[0][0] == "bucket"


# -- search ------------------------------------------------------------------------------------------------

def test_search_highlights_and_lists_facts(conn, fixture_db):
    hits = q.search(conn, "single-point mooring")
    assert [h["id"] for h in hits] == [3]
    assert "**single-point mooring**" in q.plain_marks(hits[0]["snippet"])
    assert [f["amount"] for f in hits[0]["facts"]] == [12_500_000_000]
    out = invoke(["search", "single-point mooring"], fixture_db[0]).stdout
    assert "**single-point mooring**" in out and "12.5 bln m3" in out
    data = json.loads(invoke(["search", "BTC", "--format", "json"], fixture_db[0]).stdout)
    assert {h["id"] for h in data} == {1, 2}  # the duplicate report is left out
    with_dups = json.loads(invoke(["search", "BTC", "--duplicates", "--format", "json"], fixture_db[0]).stdout)
    assert {h["id"] for h in with_dups} == {1, 2, 5}
    assert q.search(conn, '"storm damaged" OR "no such phrase"')[0]["id"] == 1


def test_search_bad_query_is_one_clear_line(fixture_db):
    for bad in ('"unbalanced', "mooring AND", "(pipeline"):
        result = invoke(["search", bad], fixture_db[0])
        assert result.exit_code == 1, bad
        assert "not a valid full-text query" in result.output and "Traceback" not in result.output


# -- sql ---------------------------------------------------------------------------------------------------

def test_sql_reads(fixture_db):
    db = fixture_db[0]
    rows = tsv(invoke(["sql", "select source, count(*) n from facts group by source order by source"], db).stdout)
    assert rows == [{"source": "azernews", "n": "1"}, {"source": "interfax-kz", "n": "2"},
                    {"source": "reuters", "n": "2"}, {"source": "trend", "n": "1"}]
    data = json.loads(invoke(["sql", "select alias, canonical from facility_names where alias = 'BTC'",
                              "--format", "json"], db).stdout)
    assert data == [{"alias": "BTC", "canonical": "Baku-Tbilisi-Ceyhan pipeline"}]
    assert invoke(["sql", "select 1 as one", "--format", "csv"], db).stdout == "one\n1\n"


@pytest.mark.parametrize("statement", [
    "delete from articles", "update quantities set amount = 0", "drop view facts",
    "insert into sources (name) values ('x')", "create table t (a)", "attach database ':memory:' as m",
    "pragma query_only = off", "vacuum",
])
def test_sql_refuses_writes(fixture_db, statement):
    db = fixture_db[0]
    result = invoke(["sql", statement], db)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "refused" in result.output or "read-only" in result.output or "not authorized" in result.output
    assert sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] == 5


def test_sql_errors_are_clear(fixture_db):
    result = invoke(["sql", "select * from nowhere"], fixture_db[0])
    assert result.exit_code == 1 and "no such table: nowhere" in result.output
    two = invoke(["sql", "select 1; select 2"], fixture_db[0])
    assert two.exit_code == 1 and "one statement" in two.output


# -- stats -------------------------------------------------------------------------------------------------

def test_stats(fixture_db):
    data = json.loads(invoke(["stats", "--format", "json"], fixture_db[0]).stdout)
    assert data["articles"] == 5 and data["articles_by_status"] == {"duplicate": 1, "extracted": 4}
    assert data["facts"] == 6 and data["facts_per_extracted_article"] == 1.5
    by_source = {s["source"]: s for s in data["sources"]}
    assert by_source["azernews"]["duplicate"] == 1 and by_source["azernews"]["facts"] == 1
    assert by_source["reuters"]["facts"] == 2
    assert data["runs"][0]["articles_new"] == 5 and data["review"] == {"unreviewed": 6}
    plain = invoke(["stats"], fixture_db[0]).stdout
    for heading in ("# Sources", "# Runs", "# Extraction coverage", "# Review progress"):
        assert heading in plain


# -- databases that cannot be used ---------------------------------------------------------------------------

COMMANDS = [["facts"], ["facility", "BTC"], ["timeline", "-f", "BTC"], ["search", "oil"],
            ["sql", "select 1"], ["stats"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_missing_corrupt_and_foreign_databases(tmp_path, command):
    missing = invoke(command, str(tmp_path / "nope.db"))
    assert missing.exit_code == 1 and "no such database" in missing.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 200)
    result = invoke(command, str(junk))
    assert result.exit_code == 1 and "not a usable SQLite database" in result.output
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (a)").connection.commit()
    result = invoke(command, str(other))
    assert result.exit_code == 1 and "not a factwire database" in result.output
    for r in (missing, result):
        assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_damaged_database(tmp_path):
    path = tmp_path / "damaged.db"
    build(path)
    data = bytearray(path.read_bytes())
    data[100:4096 * 4] = b"\xff" * (4096 * 4 - 100)  # wreck the schema pages, keep the header
    path.write_bytes(bytes(data))
    result = invoke(["facts"], str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not a usable SQLite database" in result.output


def test_locked_database(tmp_path):
    path = tmp_path / "locked.db"
    build(path)
    holder = sqlite3.connect(path)
    holder.execute("pragma locking_mode = exclusive")
    holder.execute("begin exclusive")
    holder.execute("insert into sources (name) values ('lock')")
    try:
        result = invoke(["stats"], str(path))
        assert result.exit_code == 1 and "locked" in result.output and "Traceback" not in result.output
    finally:
        holder.rollback()
        holder.close()
    assert invoke(["stats"], str(path)).exit_code == 0


def test_database_without_views_is_explained(tmp_path):
    path = tmp_path / "old.db"
    build(path)
    c = sqlite3.connect(path)
    c.execute("drop view facts")
    c.commit()
    c.close()
    result = invoke(["facts"], str(path))
    assert result.exit_code == 1 and "without the facts view" in result.output


def test_db_default_comes_from_the_environment(fixture_db):
    result = runner.invoke(app, ["stats", "--format", "json"], env={"FACTWIRE_DB": fixture_db[0]})
    assert result.exit_code == 0 and json.loads(result.stdout)["articles"] == 5


# -- help and start-up ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["facts", "facility", "timeline", "search", "sql", "stats"])
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example: factwire " + command in result.output


def test_query_commands_import_neither_prefect_nor_spacy(fixture_db):
    code = ("import sys; from factwire.cli import app\n"
            "for args in (['stats'], ['facts', '-f', 'BTC'], ['search', 'oil']):\n"
            "    try:\n"
            f"        app(args + ['--db', {fixture_db[0]!r}])\n"
            "    except SystemExit as e:\n"
            "        assert not e.code, e.code\n"
            "heavy = [m for m in ('prefect', 'spacy', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
