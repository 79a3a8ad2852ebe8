"""Parse RSS/Atom feeds with feedparser into plain entries.

A feed that is broken the way real feeds break (feedparser's *bozo*) still
gives every entry feedparser could read; the reason is kept so the run can say
what happened.  A feed with nothing readable is an error.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import feedparser


class FeedError(ValueError):
    """Nothing could be read from a feed."""


@dataclass
class FeedEntry:
    entry_id: str
    link: str
    title: str = ""
    published: str | None = None      # ISO datetime with its offset, as the feed gave it
    summary: str = ""
    author: str = ""


@dataclass
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    bozo: bool = False
    bozo_reason: str | None = None
    skipped: list[str] = field(default_factory=list)   # why entries were left out


# Script and style elements are code, not words: dropped with their content (an
# unclosed one runs to the end).  A tag starts with a letter, '/', '!' or '?', so a
# plain '<' in a title ("exports < 5% of output") is text, not the start of a tag.
_CODE = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<[!?][^<>]*>")


def _strip_markup(text: str) -> str:
    return _TAG.sub(" ", _COMMENT.sub(" ", _CODE.sub(" ", text)))


def plain(text: str | None) -> str:
    """Feed titles and summaries may carry HTML: keep the words only.

    Markup is removed before and after unescaping entities, so an escaped tag
    (``&lt;script&gt;``, which feedparser hands over unescaped once) is not
    left behind as text either.
    """
    once = html.unescape(_strip_markup(text or ""))
    return " ".join(_strip_markup(once).split())


def entry_date(entry) -> str | None:
    """The entry's publication time with the feed's own offset (so the local date is kept)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        for parse in (parsedate_to_datetime, lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))):
            try:
                return parse(raw.strip()).isoformat()
            except (TypeError, ValueError, IndexError):
                continue
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).isoformat()
    return None


def parse_feed(content: bytes | str, url: str, content_type: str = "application/xml") -> ParsedFeed:
    """Entries of an RSS or Atom document fetched from ``url``."""
    parsed = feedparser.parse(content, response_headers={"content-location": url,
                                                         "content-type": content_type or "application/xml"})
    bozo_reason = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        bozo_reason = f"{type(exc).__name__}: {exc}" if exc else "malformed feed"
    if not parsed.entries:
        if bozo_reason:
            raise FeedError(f"{url}: unreadable feed ({bozo_reason})")
        if not parsed.get("version"):
            raise FeedError(f"{url}: not an RSS or Atom feed")
    entries, skipped = [], []
    for n, e in enumerate(parsed.entries, 1):
        link = e.get("link") or next((l.get("href") for l in e.get("links", []) if l.get("href")), None)
        if not link or not link.strip().lower().startswith(("http://", "https://")):
            skipped.append(f"entry {n} ({plain(e.get('title'))[:60]!r}) has no link")
            continue
        entries.append(FeedEntry(
            entry_id=(e.get("id") or link).strip(),
            link=link.strip(),
            title=plain(e.get("title")),
            published=entry_date(e),
            summary=plain(e.get("summary")),
            author=plain(e.get("author")),
        ))
    return ParsedFeed(title=plain(parsed.feed.get("title")), entries=entries,
                      bozo=bool(parsed.get("bozo")), bozo_reason=bozo_reason, skipped=skipped)


@dataclass
class SitemapEntry:
    loc: str
    lastmod: str | None = None        # YYYY-MM-DD of the page's last modification


def _day(value: str | None) -> str | None:
    """``value`` when it is a real YYYY-MM-DD date ("2025-02-30" or "garbage" is no date)."""
    try:
        return dt.date.fromisoformat(value).isoformat() if value and len(value) == 10 else None
    except ValueError:
        return None


def parse_sitemap(content: bytes, url: str) -> tuple[list[SitemapEntry], list[str]]:
    """Pages and nested sitemaps of a sitemap (urlset or sitemapindex)."""
    import lxml.etree as etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: unreadable sitemap ({exc})") from None
    if root is None:
        raise FeedError(f"{url}: empty sitemap")
    pages, nested = [], []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        kind = etree.QName(node).localname
        loc = next((c.text.strip() for c in node if isinstance(c.tag, str)
                    and etree.QName(c).localname == "loc" and c.text), None)
        lastmod = _day(next((c.text.strip()[:10] for c in node if isinstance(c.tag, str)
                             and etree.QName(c).localname == "lastmod" and c.text), None))
        if not loc:
            continue
        if kind == "sitemap":
            nested.append(loc)
        elif kind == "url":
            pages.append(SitemapEntry(loc, lastmod))
    return pages, nested
