"""Property-based tests of the extractors over arbitrary and wire-like text (issue 7).

Whatever text comes in, extraction must not raise, and every item it returns
must be self-consistent: offsets inside the text and quoting it exactly, the
quoted sentence found where it says, amounts finite and non-negative, periods
and date spans valid ISO dates with start <= end, the record JSON-clean (the
store writes it as JSON).  Budgets are modest so the suite stays quick.
"""
from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from extractors import extract, extract_many
from extractors.dateline import find_dateline
from extractors.text import normalise

NAMED = ("organizations", "places", "people", "facilities")
FIELDS = NAMED + ("quantities", "dates")
PRECISIONS = {"day", "week", "month", "quarter", "half", "season", "year", "decade", "range"}
STATUSES = {None, "actual", "planned", "forecast", "capacity", "agreed"}

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SPACY = settings(max_examples=80, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- wire-like text ---------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(0, 10**7).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.floats(0, 10**6, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["0", "0.0", "1.5-2", "12-14", "140-150,000", "3/4", "10 000", "1e9",
                     "99999999999999999999", "1,2,3", "1..5", "-3", "+7", ".5", "5.", "00.7",
                     "1,000.000,5", "one", "two and a half", "half a", "dozen", "1½", "٣"]))
SCALES = st.sampled_from(["million", "mln", "bln", "billion", "thousand", "trillion", "mn", "bn",
                          "k", "m", "tln", "hundred"])
UNITS = st.sampled_from(["tons", "tonnes", "t", "barrels", "bpd", "barrels per day", "b/d",
                         "cubic metres", "cubic meters", "bcm", "mcm", "cu m", "MWh", "kWh", "TWh",
                         "GW", "kg", "litres", "gallons", "carloads", "TEU", "bushels", "ounces",
                         "tons of oil", "tonnes of wheat", "barrels of crude", "cubic metres of gas",
                         "pct", "%", "dollars", "$", "roubles", "tenge"])
PER = st.sampled_from(["per day", "a day", "per year", "a year", "per annum", "annually",
                       "per month", "a week", "per quarter", "/day", "/yr", "daily"])
MONTHS = st.sampled_from(["January", "February", "March", "April", "May", "June", "July",
                          "August", "September", "October", "November", "December",
                          "Jan.", "Feb", "Sept.", "Dec", "MARCH", "march", "may"])
DAYS = st.integers(0, 40).map(str)
YEARS = st.one_of(st.integers(1, 9999).map(str),
                  st.sampled_from(["1987", "2024", "2025", "1940", "2049", "2050", "1900",
                                   "0", "0000", "9999", "1980s", "2020s", "'87", "2023/24",
                                   "2024-25", "FY2024"]))
RELATIVE = st.sampled_from([
    "last year", "this year", "next year", "this month", "last month", "next week",
    "last week", "the first quarter", "the second half", "Q1", "Q4", "H1", "H2", "1H", "the 1990s",
    "spring", "winter", "last winter", "mid-2025", "late March", "early next year",
    "the previous year", "the coming decade", "yesterday", "today", "tomorrow", "on Friday",
    "on Monday", "between March and May", "from January through November",
    "January-March", "the past 12 months", "the end of the year", "a year earlier",
    "year-on-year", "the current quarter", "the fourth quarter of 2023", "fiscal 2024",
    "the 1987/88 season", "the 2024/25 marketing year", "in the same period last year"])
NAMES = st.sampled_from([
    "Kazakhstan", "Azerbaijan", "Aktau", "Baku", "Astana", "Novorossiysk", "Turkmenistan",
    "Tengizchevroil", "Caspian Pipeline Consortium", "CPC", "Baku-Tbilisi-Ceyhan pipeline",
    "BTC", "the port of Aktau", "Kashagan field", "Tengiz", "SOCAR", "KazMunayGas",
    "Ministry of Energy", "Mr. Aliyev", "Ilham Aliyev", "Kassym-Jomart Tokayev", "OPEC", "OPEC+",
    "the Black Sea", "Caspian Sea", "Central Asia", "Atyrau refinery", "Sangachal terminal",
    "Trend", "Interfax-Kazakhstan", "Kazinform", "Reuters", "U.S.", "the United States",
    "Shell", "Chevron Corp", "Texaco Inc", "Exxon", "Saudi Arabia", "Iraq-Turkey pipeline",
    "TANAP", "Southern Gas Corridor", "Middle Corridor", "Aktau-Baku route", "Kuryk port"])
WORDS = st.sampled_from([
    "said", "shipped", "produced", "exported", "plans to raise", "will reach", "rose", "fell",
    "of oil", "of crude", "of gas", "of wheat", "of grain", "of coal", "of LNG", "capacity",
    "output", "exports", "imports", "up", "down", "from", "to", "in", "by", "on", "at", "the",
    "a", "an", "and", "or", "between", "about", "some", "nearly", "over", "more than", "up to",
    "compared with", "versus", "against", "through", "via", "expects", "forecast", "agreed",
    "is expected to", "was", "were", "has", "had", "per", "each", "total", "totalled", "its",
    "it said", "according to", "reports", "told", "Trend reports", "officials said"])
PUNCT = st.sampled_from([".", ",", ";", ":", "(", ")", "-", "--", "\u2013", "\u2014", "\"", "'",
                         "\n", "\n\n", "\n    ", "\r\n", "\u00a0", "\t", "/", "%", "$", "&", "?",
                         "!", "...", "...\n", "*", "#", "<", ">", "[", "]", "{", "}", "\u2019"])
DATELINES = st.sampled_from([
    "BAKU, Azerbaijan, November 29. ", "ASTANA. Jan 14 (Interfax-Kazakhstan) - ",
    "ASTANA. KAZINFORM - ", "(MENAFN- Trend News Agency) ASTANA, ", "NEW YORK, March 2 - ",
    "By Azernews\n\n", "LONDON, Feb 30 - ", "ALMATY, 31 April. ", "MOSCOW, June 0 - ",
    "TEHRAN, Dec 32 (Reuters) - ", ""])

PIECE = st.one_of(
    NUMBERS, SCALES, UNITS, PER, MONTHS, DAYS, YEARS, RELATIVE, NAMES, WORDS, PUNCT,
    st.tuples(NUMBERS, SCALES, UNITS).map(" ".join),
    st.tuples(NUMBERS, SCALES, UNITS, PER).map(" ".join),
    st.tuples(MONTHS, DAYS, YEARS).map(lambda t: f"{t[0]} {t[1]}, {t[2]}"),
    st.tuples(DAYS, MONTHS, YEARS).map(" ".join),
    st.tuples(MONTHS, YEARS).map(" ".join),
    st.tuples(st.sampled_from(["in", "by", "since", "until", "before", "after", "during"]),
              st.one_of(YEARS, RELATIVE, MONTHS)).map(" ".join),
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", ", ", ". ", "\n", "-"])


@st.composite
def wire_text(draw) -> str:
    pieces = draw(st.lists(st.tuples(PIECE, SEPARATORS), min_size=1, max_size=60))
    return draw(DATELINES) + "".join(p + s for p, s in pieces)


# Arbitrary text, with the characters that wire text and web pages really carry made
# more likely than the whole of Unicode would make them.
ARBITRARY = st.one_of(
    st.text(max_size=400),
    st.text(st.sampled_from(list("0123456789.,- \n\r\t\u00a0()%$/:;'\"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz\u2013\u2014\u2019\u00e9\u0436\u0130")),
            max_size=400),
)
PUBLISHED = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
                      st.sampled_from([dt.date.min, dt.date.max, dt.date(1, 12, 31),
                                       dt.date(9999, 1, 1), dt.date(2024, 2, 29),
                                       dt.date(2023, 12, 31), dt.date(2025, 1, 1)]),
                      st.sampled_from(["", "not a date", "2025-13-45", "2025-03-14T10:00:00+04:00"]))


# -- the checks -------------------------------------------------------------------------------

def _iso(value, where: str) -> dt.date:
    assert isinstance(value, str), f"{where}: {value!r} is not an ISO date string"
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AssertionError(f"{where}: {value!r} is not a valid ISO date") from None


def check_record(text: str, record: dict) -> None:
    """Every invariant an extracted record must keep, whatever the text."""
    try:
        json.dumps(record, allow_nan=False)      # storable: no NaN, no odd types
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"record is not plain JSON: {exc}") from None
    seen = normalise(text)
    assert len(seen) == len(text)
    n = len(text)
    for field in FIELDS:
        items = record[field]
        assert isinstance(items, list), field
        for item in items:
            where = f"{field} item {item!r}"
            cs, ce = item["char_start"], item["char_end"]
            assert isinstance(cs, int) and isinstance(ce, int), where
            assert 0 <= cs < ce <= n, where
            if "text" in item:
                assert seen[cs:ce] == item["text"], where
            sentence, ss = item["sentence"], item["sentence_start"]
            assert isinstance(sentence, str) and 0 <= ss <= cs, where
            assert seen[ss:ss + len(sentence)] == sentence, where
            assert ss + len(sentence) > cs, f"{where}: the mention starts outside its sentence"
            conf = item.get("confidence")
            assert conf is None or (math.isfinite(conf) and 0 <= conf <= 1), where
            if field in NAMED:
                assert isinstance(item["name"], str) and item["name"].strip(), where
                for s, e in item.get("mentions") or []:
                    assert 0 <= s < e <= n and seen[s:e].strip(), where
            if field == "quantities":
                amount = item.get("amount")
                if amount is not None:
                    assert not isinstance(amount, bool) and isinstance(amount, (int, float)), where
                    assert math.isfinite(amount) and amount >= 0, where
                assert item.get("status") in STATUSES, where
                period = item.get("period")
                if period is not None:
                    start = _iso(period["start"], where)
                    end = _iso(period["end"], where)
                    assert start <= end, where
            if field == "dates":
                start, end = _iso(item["start"], where), _iso(item["end"], where)
                assert start <= end, where
                assert item["precision"] in PRECISIONS, where
    line = record.get("dateline")
    if line is not None:
        assert isinstance(line, dict)
        if line.get("date") is not None:
            _iso(line["date"], "dateline")


# -- properties -------------------------------------------------------------------------------

@FAST
@given(text=st.one_of(ARBITRARY, wire_text()), published=PUBLISHED)
@example(text="BAKU, Azerbaijan, February 29. Oil rose.", published=dt.date(2023, 3, 1))
@example(text="MOSCOW, Dec 31 - Output fell.", published=dt.date.min)
@example(text="LONDON, Jan 1 - Output fell.", published=dt.date.max)
def test_find_dateline_never_raises_and_gives_a_real_date(text, published):
    from extractors.record import as_date
    line = find_dateline(text, as_date(published))
    if line is not None:
        assert isinstance(line.get("place"), (str, type(None)))
        if line.get("date") is not None:
            _iso(line["date"], "dateline")


@FAST
@given(text=st.one_of(ARBITRARY, wire_text()))
def test_normalise_keeps_length_and_changes_only_whitespace(text):
    out = normalise(text)
    assert len(out) == len(text)
    for a, b in zip(text, out):
        assert a == b or (b == " " and a in "\n\r\u00a0"), (a, b)


@SPACY
@given(text=ARBITRARY, published=PUBLISHED)
@example(text="", published=None)
@example(text="\n\n\n", published=None)
@example(text="\u00a0\r\n\u00a0", published=dt.date(2024, 2, 29))
def test_extract_arbitrary_text(text, published):
    check_record(text, extract(text, published))


@SPACY
@given(text=wire_text(), published=PUBLISHED)
@example(text="ASTANA, Kazakhstan, March 14. Kazakhstan shipped 1.4 million tons of oil "
              "from the port of Aktau in 2024 and plans 2.2 million tons per year.",
         published=dt.date(2025, 3, 14))
@example(text="BAKU, Azerbaijan, November 29. Exports last year reached 31 mln tons; "
              "next year they will reach 33 mln tons.", published=dt.date.min)
@example(text="BAKU, Azerbaijan, November 29. Exports next year will reach 33 mln tons "
              "from 31 mln tons this year.", published=dt.date.max)
def test_extract_wire_like_text(text, published):
    check_record(text, extract(text, published))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(docs=st.lists(st.tuples(wire_text(), PUBLISHED), min_size=1, max_size=4))
def test_extract_many_agrees_with_extract(docs):
    """A batch through nlp.pipe gives each report the record extract gives it alone."""
    batch = list(extract_many({"doc_id": str(i), "text": t, "published": p}
                              for i, (t, p) in enumerate(docs)))
    assert [r["doc_id"] for r in batch] == [str(i) for i in range(len(docs))]
    for (text, published), record in zip(docs, batch):
        check_record(text, record)
        alone = extract(text, published, doc_id=record["doc_id"])
        assert {f: record[f] for f in FIELDS + ("dateline",)} == \
            {f: alone[f] for f in FIELDS + ("dateline",)}


def test_the_checks_catch_a_broken_record():
    """check_record is not vacuous: a bad offset, a bad span, a negative amount all fail."""
    text = "Kazakhstan shipped 1.4 million tons of oil in 2024."
    good = extract(text, "2025-03-14")
    check_record(text, good)
    assert good["quantities"] and good["dates"]

    def broken(change):
        record = json.loads(json.dumps(good))
        change(record)
        with pytest.raises(AssertionError):
            check_record(text, record)

    broken(lambda r: r["quantities"][0].update(char_end=len(text) + 5))
    broken(lambda r: r["quantities"][0].update(char_start=r["quantities"][0]["char_start"] + 1))
    broken(lambda r: r["quantities"][0].update(amount=-1))
    broken(lambda r: r["quantities"][0].update(amount=float("inf")))
    broken(lambda r: r["dates"][0].update(start="2024-12-31", end="2024-01-01"))
    broken(lambda r: r["dates"][0].update(start="2023-02-29"))
    broken(lambda r: r["dates"][0].update(sentence_start=r["dates"][0]["sentence_start"] + 1))


# -- ingestion helpers over arbitrary input ---------------------------------------------------
# Everything a feed or a page hands over is untrusted: these never raise anything but
# their own clear errors, whatever the bytes.

from factwire.article import ArticleError, Article, _local_date, detect_language, read_article  # noqa: E402
from factwire.feeds import FeedError, ParsedFeed, entry_date, parse_feed, plain  # noqa: E402
from factwire.fetch import decode  # noqa: E402

MARKUP = st.lists(st.sampled_from(list("<>/&;#!?-=\"' abcdefghijklmnopqrstuvwxyz0123456789\n")
                                  + ["<script>", "</script>", "<style>", "<b>", "</b>", "&lt;",
                                     "&gt;", "&amp;", "<!--", "-->", "<![CDATA[", "]]>", "&#x3c;",
                                     "<p>", "<br/>", "&nbsp;", "\u00e9", "\u0436"]),
                  max_size=60).map("".join)
DATE_TEXT = st.one_of(
    st.text(max_size=40),
    st.tuples(st.sampled_from(["Mon", "Fri", "Xyz", ""]), st.integers(-5, 99),
              st.sampled_from(["Jan", "Mar", "Feb", "Foo"]), st.integers(-1, 99999),
              st.sampled_from(["10:00:00", "25:61:61", "", "x"]),
              st.sampled_from(["+0400", "GMT", "Z", "+9999", "-2400", ""])).map(
        lambda t: f"{t[0]}, {t[1]} {t[2]} {t[3]} {t[4]} {t[5]}"),
    st.tuples(st.integers(0, 99999), st.integers(-1, 13), st.integers(-1, 32),
              st.sampled_from(["", "T10:00:00", "T10:00:00Z", "T99:00", "T10:00:00+25:00"])).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}{t[3]}"))


@FAST
@given(text=MARKUP)
def test_plain_gives_text_without_tags_or_code(text):
    out = plain(text)
    assert out == " ".join(out.split())
    assert plain(out) == " ".join(plain(out).split())
    assert "<script" not in out.lower() and "<style" not in out.lower()
    assert "<b>" not in out and "<p>" not in out


@FAST
@given(raw=DATE_TEXT)
def test_feed_and_page_dates_never_raise(raw):
    value = entry_date({"published": raw})
    if value is not None:
        dt.datetime.fromisoformat(value)
    day = _local_date(raw)
    if day is not None:
        dt.date.fromisoformat(day)


@FAST
@given(content=st.one_of(st.binary(max_size=600),
                         st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       content_type=st.one_of(st.just(""), st.just("text/html; charset=utf-8"),
                              st.just("text/html; charset=bogus-charset"),
                              st.just("text/html; charset=utf-16"), st.text(max_size=40)))
def test_decode_always_gives_text(content, content_type):
    text, encoding = decode(content, content_type)
    assert isinstance(text, str) and isinstance(encoding, str)
    text.encode("utf-8")                          # storable: no lone surrogates
    if content.isascii() and "charset" not in content_type.lower():
        assert text == content.decode("ascii")    # plain ASCII is never "repaired"


@FAST
@given(content=st.one_of(st.binary(max_size=600), MARKUP.map(str.encode),
                         st.builds(lambda items: (
                             '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                             + "".join(f"<item><title>{t}</title><link>{l}</link><pubDate>{d}"
                                       "</pubDate></item>" for t, l, d in items)
                             + "</channel></rss>").encode(),
                             st.lists(st.tuples(MARKUP, st.sampled_from(
                                 ["http://a.example/x", "javascript:alert(1)", "", "ftp://x/y",
                                  "/relative", "http://", "HTTPS://B.EXAMPLE/Y"]), DATE_TEXT),
                                 max_size=4))),
       cut=st.integers(0, 2000))
def test_parse_feed_gives_entries_or_a_feed_error(content, cut):
    try:
        feed = parse_feed(content[:cut] if cut < len(content) else content, "http://a.example/rss")
    except FeedError as exc:
        assert "a.example/rss" in str(exc)
        return
    assert isinstance(feed, ParsedFeed)
    for entry in feed.entries:
        assert entry.link.lower().startswith(("http://", "https://"))
        assert "<script" not in entry.title.lower()
        if entry.published:
            dt.datetime.fromisoformat(entry.published)


@FAST
@given(page=st.one_of(MARKUP, st.text(max_size=300),
                      st.builds(lambda head, body: f"<html><head>{head}</head><body><article>"
                                f"<p>{body}</p></article></body></html>", MARKUP, wire_text())))
def test_read_article_gives_an_article_or_an_article_error(page):
    try:
        art = read_article(page, "http://agency.example/a")
    except ArticleError:
        return
    assert isinstance(art, Article) and len(art.text.split()) >= 8
    assert art.canonical_url.startswith(("http://", "https://"))
    assert "<script" not in art.title.lower()
    if art.published:
        dt.date.fromisoformat(art.published)
    assert art.language is None or (isinstance(art.language, str) and 2 <= len(art.language) <= 3)
    assert detect_language(art.text, art.language) == art.language or art.language is None
