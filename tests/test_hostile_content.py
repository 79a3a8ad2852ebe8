"""Hostile content through the real ingest flow (issue 7): a clear error or a clean result.

One run of the real flow (real Prefect, real HTTP server on 127.0.0.1, real
SQLite file) over a site where every source but one is broken in its own way:
malformed, truncated and binary feeds, markup and scripts in titles, entries
without links or dates, pages in wrong or undeclared encodings, mojibake,
empty bodies, a Russian report, a 100,000-word report and a report that is one
giant table.  Each test below checks one fault: the run completes, the good
reports are all stored, and the bad one is stored cleanly or recorded with a
clear reason.  Unit tests after them pin the handling without the flow.

Every report here is our own sentences.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

import pytest
import sqlite_utils

import sitegen
from factwire.article import ArticleError, read_article
from factwire.feeds import parse_feed, plain
from factwire.fetch import decode, repair_mojibake
from factwire.sample_server import Fault, serve

ORIGIN = sitegen.ORIGIN

# -- the reports (our own sentences) ----------------------------------------------------------

TRUNCATED_FEED_REPORTS = {
    "aktau-cargo": ("2025-04-02", "Aktau port cargo grows",
        "AKTAU, Kazakhstan, April 2. The port of Aktau handled 3.1 million tons of cargo in the "
        "first quarter, the port authority said on Wednesday.\n\nOil accounted for about "
        "1.2 million tons of the total, the authority said in a statement."),
    "socar-diesel": ("2025-04-03", "SOCAR diesel exports steady",
        "BAKU, Azerbaijan, April 3. SOCAR exported 650,000 tons of diesel through Georgian "
        "ports in March, the state company said.\n\nThe company expects its diesel exports to "
        "stay close to that level in April and May."),
}
GAS = ("ASHGABAT, Turkmenistan, April 4. Turkmenistan supplied 9.6 billion cubic metres of gas "
       "to China in the first three months of the year, state media reported.\n\nThe Galkynysh "
       "field provided most of the volume, according to the report.")
NO_DATE = ("Wheat shipments from the port of Kuryk reached 48,000 tons last month, a port "
           "official said.\n\nMost of the grain went to Iran across the Caspian Sea, the "
           "official added, and more vessels are booked for the coming weeks.")
POTI = ("TBILISI, Georgia, April 5. Grain loadings at the Georgian port of Poti rose to 210,000 "
        "tons in March from 170,000 tons a year earlier, the port operator said.\n\nThe "
        "operator plans to expand its grain terminal next year.")
BAD_DATE = ("Coal deliveries by rail from Ekibastuz to power plants in the Urals reached "
            "1.9 million tons in March, the railway operator said.\n\nThe operator expects a "
            "similar volume in April as heating demand falls.")
LATIN = ("PARIS, April 6. Soci\u00e9t\u00e9 G\u00e9n\u00e9rale said on Monday that its commodity "
         "desk financed 2.4 million tons of Kazakh crude for a French refiner in 2024.\n\nThe "
         "bank's analysts expect Kazakh exports to rise this year, according to a note from "
         "Cr\u00e9dit Agricole's research unit in the Cr\u00e9teil office.")
UTF16 = ("ATYRAU, Kazakhstan, April 7. The Atyrau refinery processed 1.3 million tons of crude oil "
         "in the first quarter, KazMunayGas said.\n\nThe refinery plans to process 5.5 million "
         "tons this year after a maintenance stop in the autumn.")
MOJIBAKE = ("ISTANBUL, April 8. T\u00fcrkiye\u2019s BOTA\u015e imported 4.1 billion cubic metres of "
            "Azerbaijani gas in the first quarter, the company\u2019s data showed.\n\nImports "
            "through the TANAP pipeline are expected to reach 16 billion cubic metres this year "
            "\u2013 a record, an official in \u015e\u0259ki said.")
RUSSIAN = ("АСТАНА, 14 марта. Казахстан отгрузил около 1,4 млн тонн нефти через порт "
           "Актау в 2024 году, сообщило Министерство энергетики.\n\nМинистерство "
           "планирует увеличить транзит до 2,2 млн тонн в год.")
RUSSIAN_TITLE = "Транзит нефти через Актау растет"
AZERBAIJANI = ("BAKI, 11 aprel. Az\u0259rbaycan 2024-c\u00fc ild\u0259 Bak\u0131-Tbilisi-Ceyhan boru "
               "k\u0259m\u0259ri il\u0259 30 milyon ton neft ixrac edib v\u0259 bu il ixrac\u0131n "
               "artmas\u0131 g\u00f6zl\u0259nilir.\n\n\u015eirk\u0259tin m\u0259lumat\u0131na "
               "g\u00f6r\u0259, S\u0259ng\u0259\u00e7al terminal\u0131ndan da y\u00fckl\u0259nm\u0259 "
               "art\u0131q b\u0259rpa olunub v\u0259 bu ay davam edir.")
KAZAKH_GRAIN = ("KOSTANAY, Kazakhstan, April 12. Farmers in the Kostanay region sold 320,000 "
                "tons of wheat to Iran\u2019s state buyer in March, the region\u2019s akimat said."
                "\n\nThe grain travels by rail to the Caspian port of Aktau and on by sea to "
                "Amirabad, said \u00d6mer \u015eahin of the Turkish freight firm that books it.")
RUSSIAN_WORD = "\u041c\u0438\u043d\u0438\u0441\u0442\u0435\u0440\u0441\u0442\u0432\u043e"  # Ministry

FIELDS = ["Tengiz", "Karachaganak", "Kashagan", "Zhanazhol", "Uzen", "Kalamkas", "Karazhanbas",
          "North Buzachi", "Dunga", "Alibekmola"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
LONG_WORDS = 100_000
LONG_SENTINEL = "This closing sentence marks the end of the very long report."


def long_report(words: int = LONG_WORDS) -> str:
    """A wire-style report of about ``words`` words, every paragraph different."""
    paragraphs, count, i = ["ASTANA, Kazakhstan, April 10. The Ministry of Energy published "
                            "its full field-by-field review of the oil industry on Thursday."], 12, 0
    while count < words - 20:
        field, month = FIELDS[i % len(FIELDS)], MONTHS[i % 12]
        year = 1995 + i % 30
        para = (f"The {field} field produced {1 + i % 97}.{i % 10} million tons of oil in {month} "
                f"{year}, up {i % 13} percent from a year earlier, while gas output there reached "
                f"{2 + i % 41} billion cubic metres, the review said in section {i + 1}.")
        paragraphs.append(para)
        count += len(para.split())
        i += 1
    paragraphs.append(LONG_SENTINEL)
    return "\n\n".join(paragraphs)


def table_page(rows: int = 400) -> str:
    """A report that is one giant table of figures (a statistics release)."""
    body = "".join(
        f"<tr><td>{FIELDS[i % len(FIELDS)]} block {i}</td><td>{MONTHS[i % 12]} {2000 + i % 25}</td>"
        f"<td>{1 + i % 50}.{i % 10} million tons</td><td>{i % 30} bcm</td></tr>" for i in range(rows))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Oil and gas output by field</title></head><body>
<main><article><h1>Oil and gas output by field</h1>
<table class="stats"><thead><tr><th>Field</th><th>Month</th><th>Oil</th><th>Gas</th></tr></thead>
<tbody>{body}</tbody></table></article></main></body></html>"""


def bare_page(body: str, *, lang: str = "en", head: str = "", charset: str | None = "utf-8") -> str:
    """A page with no title or date metadata at all: the feed's title and date are all there is."""
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    return (f'<!DOCTYPE html><html lang="{lang}"><head>{meta}{head}</head><body><main><article>'
            f"{paragraphs}</article></main><footer>Copyright notice</footer></body></html>")


def item(title_xml: str, path: str | None, pub: str | None, guid: str) -> str:
    link = f"<link>{ORIGIN}{path}</link>" if path else ""
    date = f"<pubDate>{sitegen.pub_rfc822(pub)}</pubDate>" if pub else ""
    return f"<item><title>{title_xml}</title>{link}<guid isPermaLink=\"false\">{guid}</guid>{date}</item>"


def rss(items: list[str], title: str = "Hostile feed") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title><link>{ORIGIN}/</link><description>x</description>\n"
            + "\n".join(items) + "\n</channel></rss>")


# Pages served from files, with the server's own "charset=utf-8" header.
PAGES = {
    "/markup/gas.html": ("utf-8", bare_page(GAS)),
    "/markup/no-date.html": ("utf-8", bare_page(NO_DATE)),
    # page metadata with impossible dates (and JSON-LD of the wrong shapes)
    "/markup/bad-date.html": ("utf-8", bare_page(BAD_DATE, head=(
        '<meta property="article:published_time" content="2025-02-30T10:00:00+04:00">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0000-00-00",'
        ' "headline": {"text": 5}, "inLanguage": {"name": "English"}, "@graph": 7}</script>'))),
    "/markup/poti.html": ("utf-8", bare_page(POTI, head=(
        '<meta property="og:title" content="&lt;i&gt;Grain&lt;/i&gt; loadings at Poti '
        '&lt;script&gt;alert(2)&lt;/script&gt;rise">'))),
    # cp1251 bytes under a utf-8 declaration (both the header and the meta lie)
    # (this page is one that a plain detector reads as mac-cyrillic: "Ј—“јЌј")
    "/pages/russian-cp1251.html": ("cp1251", sitegen.page("russian", "2025-03-14", RUSSIAN_TITLE,
                                                          RUSSIAN)),
    # UTF-8 text that was once read as windows-1252 and saved again as UTF-8
    "/pages/mojibake.html": ("utf-8-mojibake", sitegen.page(
        "mojibake", "2025-04-08", "Gas imports via TANAP", MOJIBAKE)),
    # Azerbaijani text on a page that declares English
    "/pages/azerbaijani.html": ("utf-8", sitegen.page("azerbaijani", "2025-04-11", "Neft ixrac\u0131",
                                                      AZERBAIJANI)),
    "/pages/whitespace.html": ("utf-8", "<html><head></head><body>\n   \n\t  </body></html>"),
    "/pages/long.html": ("utf-8", sitegen.page("long", "2025-04-10", "Field by field review",
                                               long_report())),
    "/pages/table.html": ("utf-8", table_page()),
}
# Raw answers queued on the server: (content type header, body bytes).
RAW = {
    "/pages/utf8-as-latin1.html": ("text/html; charset=iso-8859-1",
                                   sitegen.page("utf8-latin1", "2025-04-12", "Kazakh grain to Iran",
                                                KAZAKH_GRAIN).encode("utf-8")),
    "/pages/latin1.html": ("text/html", bare_page(LATIN, charset=None).encode("latin-1")),
    "/pages/utf16.html": ("text/html; charset=utf-8",
                          sitegen.page("utf16", "2025-04-07", "Atyrau refinery output",
                                       UTF16).encode("utf-16")),
    "/pages/empty.html": ("text/html", b""),
}


def build_site(root: Path) -> dict:
    sitegen.build(root)                                  # trend: three good reports
    for path, (encoding, html) in PAGES.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if encoding == "utf-8-mojibake":
            target.write_bytes(html.encode("utf-8").decode("cp1252").encode("utf-8"))
        else:
            target.write_bytes(html.encode(encoding))
    # A feed cut off in the middle of its third entry.
    truncated = []
    for slug, (pub, title, body) in TRUNCATED_FEED_REPORTS.items():
        path = f"/truncated/{slug}.html"
        (root / "truncated").mkdir(exist_ok=True)
        (root / path.lstrip("/")).write_text(sitegen.page(slug, pub, title, body), encoding="utf-8")
        truncated.append(item(escape(title), path, pub, f"trunc-{slug}"))
    whole = rss(truncated + [item("Gas exports", "/truncated/lost.html", "2025-04-04", "trunc-lost")])
    (root / "truncated/rss.xml").write_text(whole[:whole.index("Gas exports") + 6], encoding="utf-8")
    # Feeds with nothing readable.
    (root / "cut").mkdir()
    cut = rss([item("Oil", "/cut/a.html", "2025-04-01", "cut-a")])
    (root / "cut/rss.xml").write_text(cut[:cut.index("<item>") + 12], encoding="utf-8")
    (root / "binary").mkdir()
    (root / "binary/rss.xml").write_bytes(bytes(range(256)) * 8)
    # Markup in titles, entries without links or dates.
    (root / "markup/rss.xml").write_text(rss([
        item('<![CDATA[<b>Gas</b> supplies to China <script>alert("x")</script>grow'
             '<style>b{color:red}</style>]]>', "/markup/gas.html", "2025-04-04", "markup-gas"),
        item("Kuryk wheat shipments", "/markup/no-date.html", None, "markup-no-date"),
        item("Ekibastuz coal by rail", "/markup/bad-date.html", None, "markup-bad-date"),
        item("&lt;b&gt;Poti&lt;/b&gt; grain", "/markup/poti.html", "2025-04-05", "markup-poti"),
        item("An entry without a link", None, "2025-04-05", "markup-no-link"),
        item("A script link", None, "2025-04-05", "markup-js").replace(
            "<guid", "<link>javascript:alert(1)</link><guid"),
    ]), encoding="utf-8")
    # Pages in odd encodings, empty pages, Russian, very long, one table.
    page_items = [item(escape(Path(p).stem), p, "2025-04-06", f"pages-{Path(p).stem}")
                  for p in list(PAGES) + list(RAW) if p.startswith("/pages/")]
    (root / "pages/rss.xml").write_text(rss(page_items), encoding="utf-8")
    return {name: {"name": name, "feed_url": f"{{samples}}/{name}/rss.xml", "feed_kind": "rss",
                   "local": True}
            for name in ("trend", "truncated", "cut", "binary", "markup", "pages")}


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, prefect_api):
    """One real ingest run over the hostile site; what it returned, stored and logged."""
    from flows.ingest import ingest
    root = tmp_path_factory.mktemp("hostile")
    sources = build_site(root / "site")
    sources_file = sitegen.sources_toml(root / "sources.toml", list(sources.values()))
    db_path = str(root / "factwire.db")
    handler = _Records()
    logger = logging.getLogger("prefect.flow_runs")
    logger.addHandler(handler)
    try:
        with serve(root / "site", port=0) as server:
            for path, (content_type, body) in RAW.items():
                server.fail(path, Fault(200, {"Content-Type": content_type}, body))
            started = time.monotonic()
            # batch_size=1: a report that breaks an extractor fails alone, so each test
            # below sees its own fault (batch isolation is tested on extract_many).
            summary = ingest(sources_path=str(sources_file), db_path=db_path,
                             samples_origin=server.origin, batch_size=1)
            seconds = time.monotonic() - started
            yield SimpleNamespace(summary=summary, db=sqlite_utils.Database(db_path),
                                  server=server, seconds=seconds, log=handler.messages,
                                  db_path=db_path)
    finally:
        logger.removeHandler(handler)


def article(hostile, url_part: str) -> dict:
    rows = list(hostile.db["articles"].rows_where("url like ?", [f"%{url_part}%"]))
    assert len(rows) == 1, f"{url_part}: {len(rows)} stored articles"
    return rows[0]


def errors_about(hostile, text: str) -> list[str]:
    return [e for e in hostile.summary["errors"] if text in e]


# -- the run as a whole -----------------------------------------------------------------------

def test_the_run_completes_and_every_good_report_is_stored(hostile):
    runs = list(hostile.db["runs"].rows_where())
    assert [r["status"] for r in runs] == ["completed"]
    stored = {r["url"].split("/", 3)[3] for r in hostile.db["articles"].rows_where()}
    good = {"trend/news/aktau-transit.html", "trend/news/cpc-loadings.html",
            "trend/news/tengiz-output.html", "truncated/aktau-cargo.html",
            "truncated/socar-diesel.html", "markup/gas.html", "markup/no-date.html",
            "markup/bad-date.html",
            "markup/poti.html", "pages/russian-cp1251.html", "pages/mojibake.html",
            "pages/long.html", "pages/table.html", "pages/latin1.html", "pages/utf16.html",
            "pages/azerbaijani.html", "pages/utf8-as-latin1.html"}
    assert stored == good
    assert hostile.summary["articles_new"] == len(good)
    assert hostile.summary["articles_failed"] == 2          # the two empty pages
    assert hostile.summary["feeds_failed"] == 1             # the binary feed
    statuses = {r["url"].split("/", 3)[3]: r["status"] for r in hostile.db["articles"].rows_where()}
    assert statuses.pop("pages/russian-cp1251.html") == "not_english"
    assert statuses.pop("pages/azerbaijani.html") == "not_english"
    assert set(statuses.values()) == {"extracted"}
    integrity = hostile.db.execute("pragma integrity_check").fetchone()[0]
    assert integrity == "ok"
    print(f"\nhostile run: {hostile.seconds:.1f} s for {len(good)} reports "
          f"(one of {LONG_WORDS} words); summary {({k: v for k, v in hostile.summary.items() if k != 'errors'})}")


# -- feeds ------------------------------------------------------------------------------------

def test_truncated_feed_keeps_its_complete_entries_and_says_malformed(hostile):
    assert article(hostile, "truncated/aktau-cargo")["status"] == "extracted"
    assert article(hostile, "truncated/socar-diesel")["status"] == "extracted"
    assert hostile.server.hits("/truncated/lost.html") == 0
    assert errors_about(hostile, "feed truncated: malformed feed")
    state = hostile.db["feeds"].get("truncated")
    assert state["bozo"] == 1 and "malformed feed" in state["last_error"]
    assert state["entries"] == 2


def test_binary_feed_fails_clearly(hostile):
    failed = errors_about(hostile, "feed binary:")
    assert len(failed) == 1 and "unreadable feed" in failed[0]
    assert "unreadable feed" in hostile.db["feeds"].get("binary")["last_error"]
    assert hostile.db["articles"].count_where("source = 'binary'") == 0


def test_feed_cut_inside_its_first_entry_says_malformed_and_why_nothing_came(hostile):
    said = errors_about(hostile, "feed cut:")
    assert any("malformed feed" in e for e in said) and any("has no link" in e for e in said)
    state = hostile.db["feeds"].get("cut")
    assert state["bozo"] == 1 and state["entries"] == 0
    assert hostile.db["articles"].count_where("source = 'cut'") == 0


def test_markup_and_scripts_in_feed_titles_are_stored_as_plain_text(hostile):
    gas = article(hostile, "markup/gas")
    assert gas["title"] == "Gas supplies to China grow"     # the feed's title: the page has none
    poti = article(hostile, "markup/poti")
    assert poti["title"] == "Grain loadings at Poti rise"   # og:title with escaped markup
    titles = [r["title"] for r in hostile.db["articles"].rows_where()]
    for bad in ("<", ">", "alert", "script", "color:red"):
        assert not any(bad in t for t in titles), bad
    hits = list(hostile.db.query("select rowid from articles_fts where articles_fts match 'alert'"))
    assert hits == []


def test_entries_without_links_are_skipped_with_a_reason(hostile):
    skipped = errors_about(hostile, "feed markup: entry")
    assert any("'An entry without a link'" in e and "has no link" in e for e in skipped)
    assert any("'A script link'" in e and "has no link" in e for e in skipped)
    assert not [r for r in hostile.server.requests if "javascript" in r[1]]
    assert "has no link" in hostile.db["feeds"].get("markup")["last_error"]


def test_entry_without_a_date_is_stored_and_extracted_without_one(hostile):
    row = article(hostile, "markup/no-date")
    assert row["published"] is None and row["published_from"] == "none"
    assert row["status"] == "extracted"
    amounts = [q["amount"] for q in hostile.db["quantities"].rows_where("article_id = ?", [row["id"]])]
    assert 48000 in amounts
    # a relative date with no publication date to anchor it is not invented
    for d in hostile.db["dates"].rows_where("article_id = ?", [row["id"]]):
        assert d["text"] != "last month"


def test_impossible_page_dates_are_no_dates(hostile):
    """A page claiming 2025-02-30 is stored without a date, not stored with a false one
    (and does not break the duplicate check, which reads the stored date)."""
    row = article(hostile, "markup/bad-date")
    assert row["published"] is None and row["status"] == "extracted"
    assert row["title"] == "Ekibastuz coal by rail"
    amounts = [q["amount"] for q in hostile.db["quantities"].rows_where("article_id = ?", [row["id"]])]
    assert 1_900_000 in amounts


# -- encodings --------------------------------------------------------------------------------

def test_cp1251_page_declared_utf8_is_read_as_cyrillic(hostile):
    row = article(hostile, "pages/russian-cp1251")
    assert RUSSIAN_WORD in row["text"] and row["text"].startswith("\u0410\u0421\u0422\u0410\u041d\u0410")
    assert "\ufffd" not in row["text"]


def test_undeclared_latin1_page_keeps_its_accents(hostile):
    row = article(hostile, "pages/latin1")
    assert "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale" in row["text"] and "Cr\u00e9dit Agricole" in row["text"]
    assert "\ufffd" not in row["text"]
    assert row["status"] == "extracted"


def test_utf16_page_with_bom_is_read_despite_a_utf8_header(hostile):
    row = article(hostile, "pages/utf16")
    assert row["text"].startswith("ATYRAU, Kazakhstan, April 7.") and "\x00" not in row["text"]
    assert row["title"] == "Atyrau refinery output"
    amounts = {q["amount"] for q in hostile.db["quantities"].rows_where("article_id = ?", [row["id"]])}
    assert 1_300_000 in amounts


def test_utf8_page_declared_latin1_is_read_as_utf8(hostile):
    row = article(hostile, "pages/utf8-as-latin1")
    assert "Iran\u2019s state buyer" in row["text"] and "\u00d6mer \u015eahin" in row["text"]
    assert 320_000 in {q["amount"] for q in
                       hostile.db["quantities"].rows_where("article_id = ?", [row["id"]])}


def test_mojibake_is_repaired(hostile):
    row = article(hostile, "pages/mojibake")
    assert "T\u00fcrkiye\u2019s BOTA\u015e" in row["text"] and "\u015e\u0259ki" in row["text"]
    assert "\u00c3" not in row["text"] and "\u00e2\u20ac" not in row["text"]


# -- empty pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reason", [("/pages/empty.html", "empty page"),
                                          ("/pages/whitespace.html", "no report text found")])
def test_empty_pages_are_recorded_failures_with_a_reason(hostile, path, reason):
    failures = list(hostile.db["fetch_failures"].rows_where("url like ?", [f"%{path}"]))
    assert len(failures) == 1 and reason in failures[0]["error"]
    assert errors_about(hostile, f"{path}: ")
    assert hostile.db["articles"].count_where("url like ?", [f"%{path}"]) == 0


# -- language, size, shape -------------------------------------------------------------------

def test_russian_report_is_stored_not_extracted_and_said_so(hostile):
    row = article(hostile, "pages/russian-cp1251")
    assert row["language"] == "ru" and row["status"] == "not_english"
    assert row["extractor_version"] is None
    for table in ("quantities", "dates", "entities", "facilities"):
        assert hostile.db[table].count_where("article_id = ?", [row["id"]]) == 0, table
    said = [m for m in hostile.log if row["canonical_url"] in m]
    assert said and "'ru', not English: stored, not extracted" in said[0], hostile.log


def test_report_declared_english_but_written_in_azerbaijani_is_not_extracted(hostile):
    row = article(hostile, "pages/azerbaijani")
    assert row["language"] == "az" and row["status"] == "not_english"
    assert hostile.db["quantities"].count_where("article_id = ?", [row["id"]]) == 0
    said = [m for m in hostile.log if row["canonical_url"] in m]
    assert said and "'az', not English" in said[0]


def test_very_long_report_is_stored_whole_and_extracted_in_reasonable_time(hostile):
    from extractors.record import MAX_CHARS
    row = article(hostile, "pages/long")
    assert row["status"] == "extracted"
    assert len(row["text"].split()) >= LONG_WORDS and row["text"].endswith(LONG_SENTINEL)
    rows = list(hostile.db["quantities"].rows_where("article_id = ?", [row["id"]]))
    assert len(rows) > 100
    # extraction stopped at the cap: what was extracted lies before it
    assert max(q["char_end"] for q in rows) <= MAX_CHARS
    assert hostile.seconds < 150, f"the run took {hostile.seconds:.0f} s"


def test_report_that_is_one_giant_table_is_read_and_extracted(hostile):
    row = article(hostile, "pages/table")
    assert row["status"] == "extracted" and row["title"] == "Oil and gas output by field"
    for cell in ("Tengiz block 0", "Alibekmola block 399", "37.6 million tons"):
        assert cell in row["text"], cell
    assert hostile.db["quantities"].count_where("article_id = ?", [row["id"]]) > 50


# -- the same handling without the flow ------------------------------------------------------

def test_plain_drops_code_and_escaped_tags_but_keeps_comparisons():
    assert plain('<b>Oil</b> <script>alert("x")</script>up<style>p{}</style>') == "Oil up"
    assert plain("&lt;script&gt;alert(2)&lt;/script&gt;Grain &lt;i&gt;up&lt;/i&gt;") == "Grain up"
    assert plain("Brent < $80, output > 1 mln bpd") == "Brent < $80, output > 1 mln bpd"
    assert plain("a<!-- hidden -->b <script>never closed") == "a b"
    assert plain("Tom &amp; Jerry") == "Tom & Jerry"


def test_feed_entry_titles_lose_script_content():
    feed = rss([item('<![CDATA[Oil <script>document.write("x")</script>rises]]>', "/a.html",
                     "2025-04-01", "a")])
    (entry,) = parse_feed(feed.encode(), "http://feeds.example/rss.xml").entries
    assert entry.title == "Oil rises"


@pytest.mark.parametrize("raw, header, expected, encoding", [
    (PAGES["/pages/russian-cp1251.html"][1].encode("cp1251"), "text/html; charset=utf-8",
     PAGES["/pages/russian-cp1251.html"][1], "cp1251"),
    (RUSSIAN.encode("cp1251"), "text/html; charset=utf-8", RUSSIAN, "cp1251"),
    (RUSSIAN.encode("koi8_r"), "text/html", RUSSIAN, "koi8_r"),
    (LATIN.encode("latin-1"), "text/html", LATIN, "cp1252"),
    (UTF16.encode("utf-16"), "text/html; charset=utf-8", UTF16, "utf-16"),
    (MOJIBAKE.encode("utf-8").decode("cp1252").encode("utf-8"), "text/html", MOJIBAKE, "utf-8"),
    # UTF-8 under an 8-bit or a BOM-less UTF-16 declaration is read as UTF-8
    (MOJIBAKE.encode("utf-8"), "text/html; charset=iso-8859-1", MOJIBAKE, "utf-8"),
    (RUSSIAN.encode("utf-8"), "text/html; charset=koi8-r", RUSSIAN, "utf-8"),
    (RUSSIAN.encode("utf-8"), "text/html; charset=utf-16", RUSSIAN, "utf-8"),
    (b'<meta charset="utf-16"><p>Aktau</p>', "text/html", '<meta charset="utf-16"><p>Aktau</p>', "utf-8"),
    # and real 8-bit or UTF-16 text keeps its declaration
    (RUSSIAN.encode("koi8_r"), "text/html; charset=koi8-r", RUSSIAN, "koi8-r"),
    (GAS.encode("utf-16-le"), "text/html; charset=utf-16-le", GAS, "utf-16-le"),
])
def test_decode_wrong_or_missing_declarations(raw, header, expected, encoding):
    text, used = decode(raw, header)
    assert text == expected and used == encoding


@pytest.mark.parametrize("text, declared, expected", [
    (AZERBAIJANI, "en", "az"), (RUSSIAN, "en", "ru"), (GAS, "az", "en"), (GAS, None, "en"),
    ("| Tengiz block 0 | January 2000 | 1.0 million tons | 0 bcm |", "en", "en"),
    ("| Tengiz block 0 | January 2000 | 1.0 million tons | 0 bcm |", None, "und"),
])
def test_language_is_checked_against_the_declaration(text, declared, expected):
    from factwire.article import detect_language
    assert detect_language(text, declared) == expected


def test_mojibake_repair_leaves_good_text_alone():
    for good in ("\u201eStra\u00dfe\u201c CAF\u00c9\u2026", "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale",
                 RUSSIAN, "plain ASCII", "\u00c9\u00a9"):
        assert repair_mojibake(good) == good
    mangled = "Ministry\u00e2\u20ac\u2122s M\u00c3\u00bcller \u00d0\u0153\u00d0\u00b8\u00d0\u00bd"
    assert repair_mojibake(mangled) == "Ministry\u2019s M\u00fcller \u041c\u0438\u043d"


@pytest.mark.parametrize("page", [
    "", " \n\t ", "<html><body>   </body></html>", "\x00\x00\x00",
    "<html><body><p>Too short to be a report.</p></body></html>",
])
def test_pages_without_a_report_raise_article_error(page):
    with pytest.raises(ArticleError):
        read_article(page, "http://agency.example/a")


@pytest.mark.parametrize("ld", [
    '{"@type": "NewsArticle", "headline": {"x": 1}, "inLanguage": {"name": "English"}, '
    '"datePublished": 20250314, "url": ["javascript:alert(1)"], "author": [{"name": 5}]}',
    '{"@graph": 5}', '[1, null, "x"]', '{"@type": [5, null], "headline": ["Oil up"]}',
])
def test_hostile_json_ld_and_markup_do_not_break_reading(ld):
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html lang="en"><head>'
            f'<script type="application/ld+json">{ld}</script>'
            '<link rel="canonical" href="javascript:alert(1)"></head><body><article>'
            f"<p>{escape(POTI.split(chr(10))[0])}\x00</p></article></body></html>")
    art = read_article(page, "http://agency.example/poti.html?utm_source=x")
    assert art.text.startswith("TBILISI, Georgia, April 5.")
    assert art.canonical_url == "http://agency.example/poti.html"
    assert "<" not in art.title and art.language == "en"


def test_extraction_of_a_long_report_is_capped_and_says_so(monkeypatch):
    from extractors import extract, record
    monkeypatch.setattr(record, "MAX_CHARS", 3000)
    text = long_report(1500)
    out = extract(text, dt.date(2025, 4, 10))
    note = out["truncated"]
    assert note["total_chars"] == len(text) and 1500 <= note["extracted_chars"] <= 3000
    assert text[note["extracted_chars"]:].startswith("\n\n")       # cut at a paragraph break
    assert out["quantities"]
    assert all(q["char_end"] <= note["extracted_chars"] for q in out["quantities"])
    assert "truncated" not in extract(text[:2000], dt.date(2025, 4, 10))


def test_extract_many_can_isolate_a_report_that_breaks_an_extractor(monkeypatch):
    """on_error="record": the other reports of the batch keep their extraction."""
    from extractors import extract_many, quantities
    real = quantities.find_quantities

    def fragile(doc):
        if "Galkynysh" in doc.text:
            raise ValueError("injected fault")
        return real(doc)

    monkeypatch.setattr(quantities, "find_quantities", fragile)
    docs = [{"doc_id": "poti", "text": POTI, "published": "2025-04-05"},
            {"doc_id": "gas", "text": GAS, "published": "2025-04-04"},
            {"doc_id": "utf16", "text": UTF16, "published": "2025-04-07"}]
    records = list(extract_many(docs, on_error="record", batch_size=8))
    assert [r["doc_id"] for r in records] == ["poti", "gas", "utf16"]
    assert records[1]["error"] == "ValueError: injected fault" and records[1]["quantities"] == []
    assert "error" not in records[0] and "error" not in records[2]
    assert {q["amount"] for q in records[0]["quantities"]} >= {210_000, 170_000}
    assert 1_300_000 in {q["amount"] for q in records[2]["quantities"]}
    with pytest.raises(ValueError, match="injected fault"):
        list(extract_many(docs))                      # the default still raises


def test_sitemap_entities_are_not_expanded_and_bad_lastmods_are_no_dates():
    from factwire.feeds import parse_sitemap
    sitemap = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://agency.example/&xxe;</loc><lastmod>2025-02-30</lastmod></url>
<url><loc>http://agency.example/&c;</loc><lastmod>garbage</lastmod></url>
<url><loc>http://agency.example/ok</loc><lastmod>2025-03-01T10:00:00Z</lastmod></url>"""
    pages, nested = parse_sitemap(sitemap, "http://agency.example/sitemap.xml")
    assert [p.lastmod for p in pages] == [None, None, "2025-03-01"] and nested == []
    assert all(len(p.loc) < 40 and "aaaa" not in p.loc for p in pages)   # nothing read or expanded


def test_a_report_that_is_one_long_sentence_of_dates_extracts_in_linear_time():
    """A table of dates without full stops is one "sentence" of thousands of tokens: every
    date used to look back over all earlier ones, walk all its head's children and ask
    spaCy for its sentence token by token (266 s for 3,000 month names; now about 3 s)."""
    from extractors import extract
    extract("warm up.", None)
    texts = ["January " * 1500, "| March 1 | " * 1000]
    started = time.monotonic()
    records = [extract(text, dt.date(2025, 3, 14)) for text in texts]
    seconds = time.monotonic() - started
    assert [len(r["dates"]) for r in records] == [1500, 1000]
    assert records[1]["dates"][-1]["start"] == "2025-03-01"
    assert seconds < 15, f"{seconds:.1f} s"
