"""Review: permissions, CSRF, corrections, merges, escaping, re-extraction, gold export.

Runs Datasette in-process through its own test client (``ds.client``), on a
database written with factwire's store from the project's own wire-style
sentences.  pytest-asyncio is not installed: each test drives its coroutine
with ``asyncio.run``.
"""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

import schemas
from factwire.cli import app
from factwire.review import core, settings
from factwire.review_cli import build_datasette
from factwire.store import write_extraction

PASSWORD = "correct horse battery"

TEXT_1 = (
    "ASTANA, March 3 (Wire) - The Kuryk terminal shipped 1.2 million tonnes of crude oil "
    "in February, Kuryk Port Operating said. "
    "Loadings at the Kuryk port are planned at 6 million tonnes a year from 2027. "
    "A note in the filing read <script>alert('owned')</script> and nothing else."
)
TEXT_2 = (
    "BAKU, March 4. The Kuryk port handled 1.5 million tonnes of crude oil in February, "
    "the Caspian shipping agency said, Trend reports."
)


def _span(text, needle, after=0):
    start = text.index(needle, after)
    return start, start + len(needle)


def _sentence(text, start):
    s = max(text.rfind(". ", 0, start) + 2, text.rfind(" - ", 0, start) + 3, 0)
    if s < 0:
        s = 0
    e = text.find(". ", start)
    e = len(text) if e < 0 else e + 1
    return s, text[s:e]


def quantity(text, needle, **values):
    start, end = _span(text, needle)
    s_start, sentence = _sentence(text, start)
    item = {"text": needle, "amount": None, "unit": "t", "per": None, "commodity": None,
            "period": None, "facilities": [], "status": None, "char_start": start,
            "char_end": end, "sentence": sentence, "sentence_start": s_start,
            "confidence": 0.5, "extractor": "quantities.test"}
    item.update(values)
    return item


def facility(text, name, kind, mention, aliases=()):
    start, end = _span(text, mention)
    s_start, sentence = _sentence(text, start)
    return {"name": name, "kind": kind, "aliases": list(aliases), "mentions": [[start, end]],
            "char_start": start, "char_end": end, "sentence": sentence,
            "sentence_start": s_start, "confidence": 0.8, "extractor": "facilities.test"}


def record_1(include_planned=True):
    quantities = [quantity(TEXT_1, "1.2 million tonnes", amount=1200000.0, commodity="crude oil",
                           period={"start": "2025-02-01", "end": "2025-02-28"},
                           facilities=["Kuryk terminal"], status="actual", confidence=0.9)]
    if include_planned:
        quantities.append(quantity(TEXT_1, "6 million tonnes a year", amount=6000000.0, per="year",
                                   commodity=None, facilities=["Kuryk port"], status="planned",
                                   confidence=0.3))
    return {
        "quantities": quantities,
        "facilities": [facility(TEXT_1, "Kuryk terminal", "terminal", "Kuryk terminal"),
                       facility(TEXT_1, "Kuryk port", "port", "Kuryk port")],
        "organizations": [{"name": "Kuryk Port Operating", "aliases": [],
                           "mentions": [list(_span(TEXT_1, "Kuryk Port Operating"))],
                           "char_start": _span(TEXT_1, "Kuryk Port Operating")[0],
                           "char_end": _span(TEXT_1, "Kuryk Port Operating")[1],
                           "sentence": "", "sentence_start": 0, "confidence": 0.8,
                           "extractor": "entities.test"}],
        "places": [], "people": [],
        "dates": [{"text": "February", "start": "2025-02-01", "end": "2025-02-28",
                   "precision": "month", "char_start": _span(TEXT_1, "February")[0],
                   "char_end": _span(TEXT_1, "February")[1], "sentence": "", "sentence_start": 0,
                   "confidence": 0.9, "extractor": "dates.test"}],
    }


def record_2():
    return {"quantities": [quantity(TEXT_2, "1.5 million tonnes", amount=1500000.0,
                                    commodity="crude oil",
                                    period={"start": "2025-02-01", "end": "2025-02-28"},
                                    facilities=["Kuryk port"], status="actual", confidence=0.6)],
            "facilities": [facility(TEXT_2, "Kuryk port", "port", "Kuryk port")],
            "organizations": [], "places": [], "people": [], "dates": []}


def make_review_db(path) -> str:
    """A factwire database with two reports from two agencies, written by the store."""
    db = schemas.connect(str(path))
    with db.conn:
        db["sources"].insert_all([{"name": "wire", "title": "Wire"},
                                  {"name": "trend", "title": "Trend"}], pk="name")
        db["runs"].insert({"id": 1, "flow": "ingest", "started": "2025-03-04T10:00:00+00:00",
                           "status": "completed"})
        db["articles"].insert({"id": 1, "source": "wire", "canonical_url": "https://wire.example/kuryk-1",
                               "url": "https://wire.example/kuryk-1",
                               "title": "Kuryk <b>exports</b> <script>alert(1)</script>",
                               "text": TEXT_1, "published": "2025-03-03", "status": "extracted",
                               "extractor_version": "test.1", "run_id": 1})
        db["articles"].insert({"id": 2, "source": "trend", "canonical_url": "javascript:alert(2)",
                               "url": "javascript:alert(2)", "title": "Kuryk port volumes",
                               "text": TEXT_2, "published": "2025-03-04", "status": "extracted",
                               "extractor_version": "test.1", "run_id": 1})
        write_extraction(db, 1, record_1())
        write_extraction(db, 2, record_2())
    db.conn.close()
    return str(path)


FACT_ACTUAL = "1:quantities:{}-{}:1".format(*_span(TEXT_1, "1.2 million tonnes"))
FACT_PLANNED = "1:quantities:{}-{}:1".format(*_span(TEXT_1, "6 million tonnes a year"))
FACT_TREND = "2:quantities:{}-{}:1".format(*_span(TEXT_2, "1.5 million tonnes"))


def password_hash():
    from datasette_auth_passwords.utils import hash_password
    return hash_password(PASSWORD, iterations=1000)  # few iterations: a fast test


@pytest.fixture
def db_file(tmp_path):
    return make_review_db(tmp_path / "factwire.db")


def datasette(db_file):
    return build_datasette(db_file, {"alice": password_hash(), "bob": password_hash()},
                           secret="test-secret")


def run(coro):
    return asyncio.run(coro)


async def login(ds, user="alice", password=PASSWORD):
    response = await ds.client.post("/-/login", data={"username": user, "password": password})
    assert response.status_code == 302, response.text
    return {"ds_actor": response.cookies["ds_actor"]}


async def page_token(ds, cookies, path="/-/review"):
    page = await ds.client.get(path, cookies=cookies)
    assert page.status_code == 200
    return re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)


def rows(db_file, sql, params=()):
    conn = sqlite3.connect(db_file)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def fact(db_file, fact_id):
    found = rows(db_file, "select * from facts where id = ?", [fact_id])
    return found[0] if found else None


CORRECTION = {"action": "correct", "fact_id": FACT_PLANNED, "amount": "7,500,000", "unit": "t",
              "per": "year", "commodity": "crude oil", "period_start": "2027-01-01",
              "period_end": "2027-12-31", "facilities": "Kuryk port", "status": "planned",
              "return_to": "/-/review"}


# -- permissions and CSRF ---------------------------------------------------------------------

def test_anonymous_visitors_read_but_cannot_write(db_file):
    async def go():
        ds = datasette(db_file)
        page = await ds.client.get("/-/review")
        assert page.status_code == 200
        assert FACT_PLANNED in page.text and "fw-accept" not in page.text
        assert "Log in" in page.text
        refused = await ds.client.post("/-/review/decide", data=dict(CORRECTION, csrftoken="x"))
        assert refused.status_code == 403
        refused = await ds.client.post("/-/review/merge", data={
            "target": "facilities", "alias": "Kuryk terminal", "canonical": "Kuryk port"})
        assert refused.status_code == 403
        # Datasette's own write API is closed to visitors too.
        api = await ds.client.post("/factwire/corrections/-/insert", json={"row": {
            "target_table": "quantities", "target_id": FACT_PLANNED, "action": "reject",
            "reviewer": "mallory", "created_at": "now"}})
        assert api.status_code == 403
        assert (await ds.client.get("/factwire/facts.json")).status_code == 200
    run(go())
    assert rows(db_file, "select * from corrections") == []
    assert rows(db_file, "select * from name_merges") == []
    assert fact(db_file, FACT_PLANNED)["amount"] == 6000000.0


def test_wrong_password_does_not_log_in(db_file):
    async def go():
        ds = datasette(db_file)
        response = await ds.client.post("/-/login", data={"username": "alice", "password": "nope"})
        assert response.status_code == 200 and "ds_actor" not in response.cookies
        assert "Invalid username or password" in response.text
    run(go())


def test_reviewer_writes_only_with_the_form_token_and_same_origin(db_file):
    async def go():
        ds = datasette(db_file)
        alice = await login(ds, "alice")
        bob = await login(ds, "bob")
        no_token = await ds.client.post("/-/review/decide", data=CORRECTION, cookies=alice)
        assert no_token.status_code == 403
        bobs_token = await page_token(ds, bob)
        wrong_owner = await ds.client.post("/-/review/decide", cookies=alice,
                                           data=dict(CORRECTION, csrftoken=bobs_token))
        assert wrong_owner.status_code == 403
        token = await page_token(ds, alice)
        cross_site = await ds.client.post(
            "/-/review/decide", cookies=alice, data=dict(CORRECTION, csrftoken=token),
            headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"})
        assert cross_site.status_code == 403
        assert rows(db_file, "select * from corrections") == []
        ok = await ds.client.post(
            "/-/review/decide", cookies=alice, data=dict(CORRECTION, csrftoken=token),
            headers={"origin": "http://localhost", "sec-fetch-site": "same-origin"})
        assert ok.status_code == 302 and ok.headers["location"] == "/-/review"
        # The reviewer sees the effect at once: the page after the redirect says so.
        after = await ds.client.get("/-/review", cookies={**alice,
                                                           "ds_messages": ok.cookies["ds_messages"]})
        assert "Corrected fact " + FACT_PLANNED in after.text
        assert "now 7,500,000 t/year, crude oil, 2027-01-01..2027-12-31" in after.text
        # Reviewers do not get Datasette's raw write API: every change goes through the
        # review routes, which take the reviewer from the session.
        api = await ds.client.post("/factwire/corrections/-/insert", cookies=alice, json={"row": {
            "target_table": "quantities", "target_id": FACT_ACTUAL, "action": "reject",
            "reviewer": "bob", "created_at": "now"}})
        assert api.status_code == 403
    run(go())
    decisions = rows(db_file, "select * from corrections")
    assert [(d["reviewer"], d["action"], d["target_id"]) for d in decisions] == [
        ("alice", "correct", FACT_PLANNED)]


# -- the correction path -----------------------------------------------------------------------

def test_correction_changes_the_effective_fact_and_is_audited(db_file):
    async def go():
        ds = datasette(db_file)
        alice = await login(ds)
        token = await page_token(ds, alice)
        for data in (dict(CORRECTION), {"action": "reject", "fact_id": FACT_TREND},
                     {"action": "accept", "fact_id": FACT_ACTUAL}):
            response = await ds.client.post("/-/review/decide", cookies=alice,
                                             data=dict(data, csrftoken=token))
            assert response.status_code == 302
        bad = await ds.client.post("/-/review/decide", cookies=alice, data=dict(
            CORRECTION, csrftoken=token, period_start="2027-12-31", period_end="2027-01-01"))
        assert bad.status_code == 302
        message = await ds.client.get("/-/review", cookies={**alice,
                                                             "ds_messages": bad.cookies["ds_messages"]})
        assert "Not saved: period: start 2027-12-31 is after end 2027-01-01" in message.text
    run(go())
    corrected = fact(db_file, FACT_PLANNED)
    assert corrected["amount"] == 7500000.0 and corrected["commodity"] == "crude oil"
    assert (corrected["period_start"], corrected["period_end"]) == ("2027-01-01", "2027-12-31")
    assert corrected["review_status"] == "corrected" and corrected["reviewed_by"] == "alice"
    assert json.loads(corrected["facilities"]) == ["Kuryk port"]
    # The raw extraction is untouched; only the view changed.
    raw = rows(db_file, "select amount from quantities where id = ?", [FACT_PLANNED])
    assert raw == [{"amount": 6000000.0}]
    assert fact(db_file, FACT_TREND) is None  # rejected: left out
    assert fact(db_file, FACT_ACTUAL)["review_status"] == "accepted"
    audit = rows(db_file, "select * from audit_log order by id")
    assert [(a["action"], a["target_id"], a["reviewer"]) for a in audit] == [
        ("correct", FACT_PLANNED, "alice"), ("reject", FACT_TREND, "alice"),
        ("accept", FACT_ACTUAL, "alice")]
    assert json.loads(audit[0]["before"])["amount"] == 6000000.0
    assert json.loads(audit[0]["before"])["review_status"] == "unreviewed"
    assert json.loads(audit[0]["after"])["amount"] == 7500000.0
    conn = sqlite3.connect(db_file)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("update audit_log set reviewer = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("delete from audit_log")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("delete from corrections")
    conn.close()
    assert len(rows(db_file, "select * from audit_log")) == 3


def test_latest_decision_wins_and_a_rejected_fact_can_come_back(db_file):
    db = schemas.connect(db_file)
    core.record_decision(db.conn, FACT_TREND, "reject", "alice")
    assert fact(db_file, FACT_TREND) is None
    back = core.record_decision(db.conn, FACT_TREND, "correct", "bob", {"amount": "1.6e6"})
    assert back["amount"] == 1600000.0 and back["review_status"] == "corrected"
    assert back["commodity"] == "crude oil"  # values not given keep the effective ones
    with pytest.raises(core.ReviewError, match="not one of"):
        core.record_decision(db.conn, FACT_TREND, "correct", "bob", {"per": "fortnight"})
    with pytest.raises(core.ReviewError, match="no fact"):
        core.record_decision(db.conn, "9:quantities:1-2:1", "accept", "bob")


# -- merges ------------------------------------------------------------------------------------

def test_merging_facilities_and_adding_aliases(db_file):
    async def go():
        ds = datasette(db_file)
        bob = await login(ds, "bob")
        token = await page_token(ds, bob, "/-/review/names")
        merged = await ds.client.post("/-/review/merge", cookies=bob, data={
            "csrftoken": token, "target": "facilities", "action": "merge",
            "alias": "Kuryk terminal", "canonical": "Kuryk port"})
        assert merged.status_code == 302
        alias = await ds.client.post("/-/review/merge", cookies=bob, data={
            "csrftoken": token, "target": "entities", "kind": "organization", "action": "alias",
            "alias": "KPO Kuryk", "canonical": "Kuryk Port Operating"})
        assert alias.status_code == 302
        unknown = await ds.client.post("/-/review/merge", cookies=bob, data={
            "csrftoken": token, "target": "facilities", "action": "merge",
            "alias": "Nowhere terminal", "canonical": "Kuryk port"})
        page = await ds.client.get("/-/review/names", cookies={
            **bob, "ds_messages": unknown.cookies["ds_messages"]})
        assert "Not saved: &#39;Nowhere terminal&#39; is not a known name" in page.text
    run(go())
    names = {r["alias"]: r["canonical"] for r in rows(db_file, "select * from facility_names")}
    assert names["Kuryk terminal"] == "Kuryk port" and names["Kuryk port"] == "Kuryk port"
    entities = rows(db_file, "select * from entity_names where canonical = 'Kuryk Port Operating'")
    assert {(e["alias"], e["kind"]) for e in entities} == {
        ("Kuryk Port Operating", "organization"), ("KPO Kuryk", "organization")}
    # The fact tied to the terminal now names the canonical facility.
    assert json.loads(fact(db_file, FACT_ACTUAL)["facilities"]) == ["Kuryk port"]
    audit = rows(db_file, "select action, target_table, reviewer, after from audit_log order by id")
    assert [(a["action"], a["target_table"], a["reviewer"]) for a in audit] == [
        ("merge", "facilities", "bob"), ("alias", "entities", "bob")]
    assert json.loads(audit[0]["after"]) == {"alias": "Kuryk terminal", "canonical": "Kuryk port",
                                             "kind": "port"}


def test_names_merged_into_a_merged_name_follow_it(db_file):
    db = schemas.connect(db_file)
    core.record_merge(db.conn, "facilities", "Kuryk oil pier", "Kuryk terminal", "bob", action="alias")
    core.record_merge(db.conn, "facilities", "Kuryk terminal", "Kuryk port", "bob")
    names = {r["alias"]: r["canonical"] for r in rows(db_file, "select * from facility_names")}
    assert names["Kuryk oil pier"] == "Kuryk port"
    with pytest.raises(core.ReviewError, match="already is the canonical"):
        core.record_merge(db.conn, "facilities", "Kuryk port", "Kuryk terminal", "bob")


# -- escaping ----------------------------------------------------------------------------------

def test_report_html_is_shown_as_text(db_file):
    async def go():
        ds = datasette(db_file)
        queue = (await ds.client.get("/-/review?status=all")).text
        assert "<script>alert(" not in queue
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in queue  # the title
        assert "&lt;b&gt;exports&lt;/b&gt;" in queue
        assert "javascript:" not in queue  # a non-http link is not rendered as a link
        # The extracted span is highlighted inside its (escaped) sentence.
        assert '<mark class="quantity">6 million tonnes a year</mark>' in queue
        assert '<mark class="facility">Kuryk port</mark>' in queue
        row = (await ds.client.get("/factwire/articles/1")).text
        assert "<script>alert(" not in row and "&lt;script&gt;" in row
    run(go())


def test_queue_lists_unreviewed_facts_lowest_confidence_first(db_file):
    async def go():
        ds = datasette(db_file)
        page = (await ds.client.get("/-/review")).text
        order = re.findall(r'data-fact-id="([^"]+)"', page)
        assert order == [FACT_PLANNED, FACT_TREND, FACT_ACTUAL]  # 0.3, 0.6, 0.9
        core.record_decision(schemas.connect(db_file).conn, FACT_TREND, "accept", "alice")
        page = (await ds.client.get("/-/review")).text
        assert re.findall(r'data-fact-id="([^"]+)"', page) == [FACT_PLANNED, FACT_ACTUAL]
    run(go())


# -- re-extraction -------------------------------------------------------------------------------

def test_corrections_survive_reextraction_and_orphans_are_flagged(db_file):
    db = schemas.connect(db_file)
    core.record_decision(db.conn, FACT_PLANNED, "correct", "alice",
                         {"amount": "7500000", "commodity": "crude oil"})
    core.record_decision(db.conn, FACT_ACTUAL, "correct", "alice", {"status": "forecast"})
    # A new extractor version no longer finds the planned amount, and reads the other one
    # differently: the reviewed values stay, the lost one is flagged for a second look.
    new = record_1(include_planned=False)
    new["quantities"][0]["amount"] = 1300000.0
    with db.conn:
        write_extraction(db, 1, new)
    assert rows(db_file, "select id from quantities where article_id = 1") == [{"id": FACT_ACTUAL}]
    orphan = fact(db_file, FACT_PLANNED)
    assert orphan["review_status"] == "orphaned"
    assert orphan["amount"] == 7500000.0 and orphan["commodity"] == "crude oil"
    assert orphan["title"].startswith("Kuryk") and orphan["sentence"].startswith("Loadings")
    kept = fact(db_file, FACT_ACTUAL)
    assert kept["review_status"] == "corrected" and kept["amount"] == 1200000.0
    assert kept["status"] == "forecast"

    async def go():
        ds = datasette(db_file)
        page = (await ds.client.get("/-/review")).text
        assert "Flagged for a second look (1)" in page
        assert f'id="fact-{FACT_PLANNED}"' in page
    run(go())
    # The second look: the reviewer keeps it, and the flag clears.
    core.record_decision(db.conn, FACT_PLANNED, "accept", "bob")
    assert fact(db_file, FACT_PLANNED)["review_status"] == "accepted"
    assert fact(db_file, FACT_PLANNED)["amount"] == 7500000.0


# -- canned queries, export ------------------------------------------------------------------------

def test_canned_queries(db_file):
    db = schemas.connect(db_file)
    core.record_decision(db.conn, FACT_PLANNED, "correct", "alice", {"amount": "7000000"})
    core.record_decision(db.conn, FACT_TREND, "reject", "alice")
    core.record_decision(db.conn, FACT_TREND, "accept", "alice")  # latest decision counts
    core.record_merge(db.conn, "facilities", "Kuryk terminal", "Kuryk port", "bob")

    async def go():
        ds = datasette(db_file)
        out = {}
        for name in settings.QUERIES:
            response = await ds.client.get(f"/factwire/{name}.json?_shape=array")
            assert response.status_code == 200, response.text
            out[name] = response.json()
        return out
    out = run(go())
    [disagreement] = out["agency_disagreements"]
    assert disagreement["facility"] == "Kuryk port" and disagreement["agencies"] == 2
    assert (disagreement["lowest"], disagreement["highest"]) == (1200000.0, 1500000.0)
    by_status = {(r["status"], r["review_status"]): r["facts"] for r in out["facts_by_status"]}
    assert by_status == {("actual", "unreviewed"): 1, ("actual", "accepted"): 1,
                         ("planned", "corrected"): 1}
    assert {r["id"] for r in out["last_run_new_facts"]} == {FACT_ACTUAL, FACT_PLANNED, FACT_TREND}
    [rule] = out["most_corrected_rules"]
    assert (rule["extractor"], rule["reviewed"], rule["corrected"], rule["accepted"],
            rule["amount_fixed"], rule["status_fixed"]) == ("quantities.test", 2, 1, 1, 1, 0)


def test_export_gold_writes_reviewed_documents_with_effective_values(db_file, tmp_path):
    db = schemas.connect(db_file)
    core.record_decision(db.conn, FACT_PLANNED, "correct", "alice",
                         {"amount": "7500000", "commodity": "crude oil"})
    core.record_merge(db.conn, "facilities", "Kuryk terminal", "Kuryk port", "bob")
    result = CliRunner().invoke(app, ["export-gold", "--db", db_file])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in records] == ["https://wire.example/kuryk-1"]  # only reviewed
    gold = records[0]
    assert gold["published"] == "2025-03-03"
    assert gold["quantities"] == [
        {"text": "1.2 million tonnes", "amount": 1200000.0, "unit": "t", "per": None,
         "commodity": "crude oil", "period": {"start": "2025-02-01", "end": "2025-02-28"},
         "facilities": ["Kuryk port"], "status": "actual"},
        {"text": "6 million tonnes a year", "amount": 7500000.0, "unit": "t", "per": "year",
         "commodity": "crude oil", "period": None, "facilities": ["Kuryk port"],
         "status": "planned"}]
    assert gold["facilities"] == [{"name": "Kuryk port", "kind": "port",
                                   "aliases": ["Kuryk terminal"]}]
    assert gold["dates"] == [{"text": "February", "start": "2025-02-01", "end": "2025-02-28",
                              "precision": "month"}]
    # Ready for evaluation: the scorer reads it, and it matches itself perfectly.
    from factwire import evaluate
    path = tmp_path / "gold.jsonl"
    path.write_text(result.stdout)
    loaded = evaluate.load_jsonl(path)
    scores = evaluate.score(loaded, loaded)
    assert scores["quantities"]["f1"] == 1.0 and scores["facts_strict"]["f1"] == 1.0


# -- reviewers' accounts -----------------------------------------------------------------------

def test_reviewer_accounts_from_environment_and_toml(tmp_path):
    h = password_hash()
    assert settings.load_reviewers(env=f"alice:{h}, bob:{h}") == {"alice": h, "bob": h}
    toml = tmp_path / "reviewers.toml"
    toml.write_text(f'[reviewers]\ncarol = "{h}"\n')
    assert settings.load_reviewers(env="", path=toml) == {"carol": h}
    with pytest.raises(settings.ReviewerConfigError, match="not a pbkdf2_sha256 hash"):
        settings.load_reviewers(env="alice:plaintext")
    with pytest.raises(settings.ReviewerConfigError, match="name:hash"):
        settings.load_reviewers(env="alice")


def test_hash_password_command_makes_a_verifiable_hash():
    from datasette_auth_passwords.utils import verify_password
    result = CliRunner().invoke(app, ["review", "--hash-password"], input="s3cret pass\n")
    assert result.exit_code == 0, result.output
    hashed = result.stdout.strip()
    assert verify_password("s3cret pass", hashed) and not verify_password("other", hashed)


def test_review_command_fails_clearly(tmp_path, db_file, monkeypatch):
    monkeypatch.delenv("FACTWIRE_REVIEWERS_FILE", raising=False)
    missing = CliRunner().invoke(app, ["review", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1 and "no such database" in missing.output
    monkeypatch.setenv("FACTWIRE_REVIEWERS", "alice:hunter2")
    bad = CliRunner().invoke(app, ["review", "--db", db_file])
    assert bad.exit_code == 1 and "not a pbkdf2_sha256 hash" in bad.output
    monkeypatch.setenv("FACTWIRE_REVIEWERS", "")
    no_file = CliRunner().invoke(app, ["review", "--db", db_file, "--reviewers",
                                       str(tmp_path / "reviewers.toml")])
    assert no_file.exit_code == 1 and "no such reviewers file" in no_file.output
    empty = CliRunner().invoke(app, ["export-gold", "--db", db_file])
    assert empty.exit_code == 0 and empty.stdout == ""  # nothing reviewed yet


def test_one_fact_with_its_history_and_the_row_action_linking_to_it(db_file):
    db = schemas.connect(db_file)
    core.record_decision(db.conn, FACT_PLANNED, "correct", "alice", {"amount": "7000000"})
    core.record_decision(db.conn, FACT_PLANNED, "correct", "bob", {"amount": "7100000"})

    async def go():
        ds = datasette(db_file)
        page = (await ds.client.get("/-/review?" + f"fact={FACT_PLANNED}")).text
        assert re.findall(r'data-fact-id="([^"]+)"', page) == [FACT_PLANNED]
        history = page.split('id="fact-history"')[1]
        assert history.index("bob") < history.index("alice")  # newest first
        assert "7,100,000 t/year" in history and "6,000,000 t/year" in history
        row = (await ds.client.get(f"/factwire/quantities/{FACT_PLANNED.replace(':', '~3A')}")).text
        assert "Review this fact" in row and "/-/review?fact=" in row
    run(go())
