"""The fetcher against a real local server: limits, charsets, refusals."""
from __future__ import annotations

import gzip

import pytest

from factwire.fetch import FetchError, Fetcher, FetchSettings, check_url, decode
from factwire.sample_server import Fault


def test_conditional_get_returns_304_with_stored_validators(server):
    with Fetcher() as f:
        first = f.get(server.origin + "/trend/rss.xml", allow_local=True)
        assert first.status == 200 and first.etag and first.last_modified
        again = f.get(server.origin + "/trend/rss.xml", etag=first.etag,
                      last_modified=first.last_modified, allow_local=True)
    assert again.not_modified and again.content == b""


def test_placeholder_origin_is_rewritten_in_served_text(server):
    with Fetcher() as f:
        feed = f.get(server.origin + "/trend/rss.xml", allow_local=True)
    assert server.origin in feed.text and "samples.factwire.test" not in feed.text


def test_redirect_is_followed_and_final_url_recorded(server):
    server.redirects["/moved"] = ("/trend/rss.xml", 301)
    with Fetcher() as f:
        got = f.get(server.origin + "/moved", allow_local=True)
    assert got.final_url == server.origin + "/trend/rss.xml" and got.redirects == [server.origin + "/moved"]


def test_redirect_loop_is_an_error(server):
    server.redirects["/a"] = ("/b", 302)
    server.redirects["/b"] = ("/a", 302)
    with Fetcher() as f, pytest.raises(FetchError, match="redirect loop"):
        f.get(server.origin + "/a", allow_local=True)


@pytest.mark.parametrize("status,transient", [(503, True), (500, True), (429, True), (404, False), (410, False)])
def test_status_errors_say_whether_to_retry(server, status, transient):
    server.fail("/x", Fault(status, {"Retry-After": "3"} if status == 429 else None))
    with Fetcher() as f, pytest.raises(FetchError) as info:
        f.get(server.origin + "/x", allow_local=True)
    assert info.value.status == status and info.value.transient is transient
    if status == 429:
        assert info.value.retry_after == 3


def test_too_long_retry_after_is_not_waited_for(server):
    server.fail("/x", Fault(429, {"Retry-After": "86400"}))
    with Fetcher() as f, pytest.raises(FetchError) as info:
        f.get(server.origin + "/x", allow_local=True)
    assert not info.value.transient and "too long" in info.value.reason


def test_declared_oversize_body_is_refused_before_reading(server):
    server.fail("/big", Fault(200, {"Content-Length": "999999999"}, b""))
    with Fetcher(FetchSettings(max_bytes=1000)) as f, pytest.raises(FetchError, match="over the 1000-byte limit"):
        f.get(server.origin + "/big", allow_local=True)


def test_gzip_bomb_is_stopped_by_the_decoded_size_limit(server):
    bomb = gzip.compress(b"\0" * 5_000_000)
    server.fail("/bomb", Fault(200, {"Content-Encoding": "gzip", "Content-Type": "text/html"}, bomb))
    with Fetcher(FetchSettings(max_bytes=100_000)) as f, pytest.raises(FetchError, match="limit"):
        f.get(server.origin + "/bomb", allow_local=True)


def test_trickling_server_hits_the_total_time_limit(server):
    server.fail("/slow", Fault(200, {"Content-Type": "text/plain"}, b"x" * 40, delay=0.05))
    with Fetcher(FetchSettings(total_timeout=0.5)) as f, pytest.raises(FetchError, match="took over") as info:
        f.get(server.origin + "/slow", allow_local=True)
    assert info.value.transient


def test_connection_refused_is_transient():
    with Fetcher(FetchSettings(connect_timeout=1)) as f, pytest.raises(FetchError, match="cannot connect") as info:
        f.get("http://127.0.0.1:9/", allow_local=True)
    assert info.value.transient


def test_user_agent_is_descriptive(server):
    with Fetcher() as f:
        f.get(server.origin + "/trend/rss.xml", allow_local=True)
    assert server.requests[-1][2]["User-Agent"].startswith("factwire/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/"])
def test_only_http_urls(url):
    with pytest.raises(FetchError, match="refused"):
        check_url(url, allow_local=True)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://10.1.2.3/", "http://[::1]/",
                                 "http://169.254.169.254/latest/meta-data"])
def test_private_addresses_refused_unless_the_source_is_local(url):
    with pytest.raises(FetchError, match="not configured as local"):
        check_url(url, allow_local=False)
    check_url(url, allow_local=True)


def test_decode_uses_header_then_meta_then_detection():
    text = "Каспийский трубопроводный консорциум"
    assert decode(text.encode("cp1251"), "text/html; charset=windows-1251")[0] == text
    html = b'<html><head><meta charset="koi8-r"></head><body>' + text.encode("koi8-r") + b"</body></html>"
    assert text in decode(html, "text/html")[0]
    assert decode("Türkmenbaşy port".encode("utf-8"), "text/html")[0] == "Türkmenbaşy port"
    report = ("<p>The refinery near Köln, run by Rheinland Raffinerie, processed more crude "
              "in March, its manager Jürgen Müller said. Deliveries through the Rotterdam-Rhine "
              "pipeline rose, and the plant's café reopened.</p>")
    assert decode(report.encode("latin-1"), "text/html; charset=bogus-enc")[0] == report


def test_decode_ignores_a_lying_declaration():
    body = "Baku–Tbilisi–Ceyhan".encode("utf-8")
    assert decode(body, "text/html; charset=ascii")[0] == "Baku–Tbilisi–Ceyhan"


def test_dns_failure_is_a_clear_transient_error():
    with Fetcher(FetchSettings(connect_timeout=2)) as f, pytest.raises(FetchError, match="cannot connect") as info:
        f.get("http://no-such-agency.invalid/feed.xml", allow_local=True)
    assert info.value.transient


def test_connection_reset_mid_body_is_transient(server):
    # The server promises 1,000 bytes, sends 11 and closes the connection.
    server.fail("/cut", Fault(200, {"Content-Type": "text/html", "Content-Length": "1000"}, b"<p>cut off"))
    with Fetcher() as f, pytest.raises(FetchError, match="connection broke") as info:
        f.get(server.origin + "/cut", allow_local=True)
    assert info.value.transient
