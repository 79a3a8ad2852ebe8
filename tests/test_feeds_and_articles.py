"""Feed parsing, article reading and duplicate detection, on our own documents."""
from __future__ import annotations

import pytest

import sitegen
from factwire.article import ArticleError, clean_url, detect_language, read_article
from factwire.config import ConfigError, load_sources, parse_interval
from factwire.dedupe import fingerprint, is_near_duplicate, overlap, shingles, simhash
from factwire.feeds import FeedError, parse_feed

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire &amp; more</title><id>urn:x</id>
<updated>2025-11-29T10:00:00Z</updated>
<entry><title type="html">&lt;b&gt;CPC&lt;/b&gt; resumes loadings</title><id>https://w.example/1</id>
<link href="http://h.example/1.html"/><updated>2025-11-29T23:30:00-05:00</updated></entry>
<entry><title>No link here</title><id>tag:w.example,2025:2</id><updated>2025-11-29T10:00:00Z</updated></entry>
</feed>"""


def test_atom_entries_keep_their_local_date_and_plain_titles():
    feed = parse_feed(ATOM.encode(), "http://h.example/atom.xml")
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["CPC resumes loadings"]
    assert feed.entries[0].published.startswith("2025-11-29T23:30:00")   # not moved to UTC's Nov 30
    assert feed.skipped and "no link" in feed.skipped[0]


def test_broken_feed_is_bozo_but_keeps_entries():
    broken = sitegen.rss([("a", "2025-01-02", "Oil & gas", "/a.html")]).replace("Oil &amp; gas", "Oil & gas")
    feed = parse_feed(broken.encode(), "http://h.example/rss")
    assert feed.bozo and feed.bozo_reason and len(feed.entries) == 1


@pytest.mark.parametrize("content", [b"", b"<html><body>Service unavailable</body></html>", b"\x00\x01garbage"])
def test_unreadable_feed_is_an_error(content):
    with pytest.raises(FeedError):
        parse_feed(content, "http://h.example/rss")


def page(**kw):
    published, title, body = sitegen.REPORTS["cpc-loadings"]
    return sitegen.page("cpc-loadings", kw.get("published", published), title, body)


def test_article_prefers_feed_date_then_meta_then_dateline():
    html = page()
    from_feed = read_article(html, "http://h/x", feed_published="2025-03-16T01:00:00+05:00")
    assert (from_feed.published, from_feed.published_from) == ("2025-03-16", "feed")
    from_meta = read_article(html, "http://h/x")
    assert (from_meta.published, from_meta.published_from) == ("2025-03-15", "meta")
    bare = "<html><body><article><p>" + sitegen.REPORTS["cpc-loadings"][2].replace("\n\n", "</p><p>") \
        + "</p></article></body></html>"
    import datetime as dt
    from_line = read_article(bare, "http://h/x", reference_date=dt.date(2025, 3, 20))
    assert (from_line.published, from_line.published_from) == ("2025-03-15", "dateline")


def test_article_canonical_title_language_and_clean_text():
    art = read_article(page(), "http://127.0.0.1:1/trend/news/cpc-loadings.html?utm_source=rss")
    assert art.canonical_url == "https://en.trend.example/business/cpc-loadings.html"
    assert art.title == "CPC terminal loads more crude in February" and art.language == "en"
    assert art.text.startswith("BAKU, Azerbaijan, March 15.") and "Share:" not in art.text


def test_body_selector_hint_is_used():
    art = read_article(page(), "http://h/x", hints={"body_selector": "div.article-body"})
    assert art.text.split("\n\n")[0].startswith("BAKU, Azerbaijan") and "Reader:" not in art.text


@pytest.mark.parametrize("html", ["", "   ", "<html><body><nav>Home</nav></body></html>"])
def test_page_without_report_is_an_error(html):
    with pytest.raises(ArticleError):
        read_article(html, "http://h/x")


def test_language_detection():
    assert detect_language("The pipeline carried oil to the port of Aktau, the ministry said.") == "en"
    assert detect_language("Казахстан увеличил экспорт нефти через порт Актау.") == "ru"


def test_clean_url_drops_tracking_and_fragment():
    assert clean_url("HTTPS://News.Example/a?id=3&utm_medium=x#top") == "https://news.example/a?id=3"


def test_near_duplicates_are_found_and_different_reports_are_not():
    a = sitegen.REPORTS["aktau-transit"][2]
    b = a.replace("Trend reports.", "AzerNews reports, citing Trend.")
    c = sitegen.REPORTS["tengiz-output"][2]
    assert is_near_duplicate(b, fingerprint(b), a, fingerprint(a))
    assert not is_near_duplicate(c, fingerprint(c), a, fingerprint(a))
    assert overlap(a, c) < 0.2


def test_simhash_is_the_majority_vote_of_shingle_hash_bits():
    """Stored fingerprints must not change with the implementation: compare with the definition."""
    import hashlib

    def by_definition(text):
        weights = [0] * 64
        for shingle in shingles(text):
            h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
            for bit in range(64):
                weights[bit] += 1 if h >> bit & 1 else -1
        return sum(1 << bit for bit in range(64) if weights[bit] > 0)

    texts = [report[2] for report in sitegen.REPORTS.values()] + ["", "oil", "one two three four"]
    for text in texts:
        assert simhash(text) == by_definition(text)
    assert len({simhash(t) for t in texts}) == len(texts)


def test_sources_config_is_checked(tmp_path):
    good = sitegen.sources_toml(tmp_path / "ok.toml", [
        {"name": "x", "feed_url": "{samples}/x.xml", "feed_kind": "atom", "interval": "15m"}])
    [source] = load_sources(good, samples_origin="http://127.0.0.1:5")
    assert source.feed_url == "http://127.0.0.1:5/x.xml" and source.interval_seconds == 900
    with pytest.raises(ConfigError, match="no sample server origin"):
        load_sources(good)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="lacks feed_url"):
        load_sources(bad)
    bad.write_text("[[source]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sources(bad)
    with pytest.raises(ConfigError):
        parse_interval("every day")
