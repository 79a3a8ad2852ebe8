"""From an article page to the clean report and its metadata.

trafilatura removes the page furniture (navigation, share buttons, comments,
ads); a source may name its body element in ``hints.body_selector`` when the
generic extraction needs help.  The publication date is taken from the feed
entry, the page metadata or the dateline, in that order of trust.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from email.utils import parsedate_to_datetime
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
import trafilatura

from extractors.dateline import find_dateline

from .feeds import plain


class ArticleError(ValueError):
    """The page holds no report we can read."""


@dataclass
class Article:
    url: str
    final_url: str
    canonical_url: str
    title: str
    text: str
    language: str | None
    published: str | None          # YYYY-MM-DD, the report's local date
    published_from: str            # feed | meta | dateline | none
    author: str | None = None


MIN_WORDS = 8        # fewer words than this is not a report (an error page, a stub)
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|yclid$|mc_)", re.I)


def clean_url(url: str) -> str:
    """A URL without fragment and tracking parameters, for identity."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _json_ld(tree) -> dict:
    """The first NewsArticle-like object of the page's JSON-LD, or {}."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                elif isinstance(graph, dict):
                    stack.append(graph)
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(k in ("NewsArticle", "Article", "ReportageNewsArticle") for k in kinds):
                    return item
    return {}


def _local_date(value: str | None) -> str | None:
    """YYYY-MM-DD of an ISO or RFC 822 timestamp, in its own time zone."""
    if not value:
        return None
    value = value.strip()
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    m = re.match(r"(\d{4}-\d{2}-\d{2})", value)
    if m:
        try:        # a real calendar date only: "2025-02-30" or "0000-00-00" is no date
            return dt.date.fromisoformat(m.group(1)).isoformat()
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _ld_text(ld: dict, key: str) -> str | None:
    """A text value of the page's JSON-LD; anything else (a list, an object, a number) is ignored.

    JSON-LD is written by the page: ``"inLanguage": {"name": "English"}`` or
    ``"headline": ["..."]`` must not break reading the report.
    """
    value = ld.get(key)
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("@id")
    return value.strip() or None if isinstance(value, str) else None


def _body_by_selector(tree, selector: str) -> str | None:
    try:
        nodes = tree.cssselect(selector)
    except Exception:  # a bad selector in the config is not fatal: fall back to trafilatura
        return None
    if not nodes:
        return None
    for bad in nodes[0].xpath(".//script|.//style|.//aside|.//figure|.//noscript"):
        bad.drop_tree()
    paragraphs = [" ".join(p.text_content().split()) for p in nodes[0].xpath(".//p|.//li")]
    text = "\n\n".join(p for p in paragraphs if p)
    return text or None


_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH_WORDS = frozenset("the of and to in a is that for on was with said by at from as it".split())
# Function words of the Latin-script languages a report of this region may come in;
# a page that declares English but reads as one of these is not English.
_OTHER_WORDS = {
    "az": frozenset("və ilə bu bir üçün də da ki olan isə görə qədər artıq həm ildə".split()),
    "tr": frozenset("ve ile bu bir için de da ki olan göre kadar daha yılında".split()),
    "uz": frozenset("va bilan bu bir uchun ham esa yilda yil".split()),
    "de": frozenset("und der die das den dem des ist mit von zu im für auf nicht".split()),
    "fr": frozenset("le la les des et du un une est dans pour que sur au aux".split()),
    "es": frozenset("el la los las y del que en un una por con para es se".split()),
}
_MIN_SHARE = 0.08


def detect_language(text: str, declared: str | None = None) -> str | None:
    """A cheap check of the declared language against the text itself."""
    # "en-US", "ru_RU" -> "en", "ru"; three-letter codes ("und", "fil") stay whole
    declared = re.split(r"[-_]", declared.strip().lower())[0] or None if declared else None
    sample = text[:5000]
    cyr, lat = len(_CYRILLIC.findall(sample)), len(_LATIN.findall(sample))
    if cyr > lat:
        return declared if declared in ("ru", "kk", "uk", "be", "bg") else "ru"
    words = _WORD.findall(sample.lower())
    if not words:
        return declared
    english = sum(w in _ENGLISH_WORDS for w in words) / len(words)
    if english >= _MIN_SHARE:
        return "en"
    share, other = max((sum(w in vocab for w in words) / len(words), code)
                       for code, vocab in _OTHER_WORDS.items())
    if share >= _MIN_SHARE:
        return other
    # few function words of any language (a table of figures, a list): the page's word
    return declared or "und"


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean_markup(page_html: str) -> str:
    """The page as lxml and trafilatura can read it.

    An XHTML page's XML declaration (lxml refuses a str that has one), control
    characters (NULs from a broken server; not allowed in HTML) and lone
    surrogates (not encodable) are removed; the text itself is untouched.
    """
    page_html = _XML_DECLARATION.sub("", page_html, count=1)
    page_html = _CONTROL.sub("", page_html.replace("\x0c", " "))
    return _SURROGATE.sub("\ufffd", page_html)


def _web_url(value: str | None, base: str) -> str | None:
    """``value`` resolved against ``base`` when it is an http(s) address, else None."""
    if not value:
        return None
    try:
        url = urljoin(base, value.strip())
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


def read_article(page_html: str, url: str, final_url: str | None = None, *,
                 feed_title: str = "", feed_published: str | None = None,
                 hints: dict | None = None, reference_date: dt.date | None = None) -> Article:
    """The report on ``page_html``; raises ArticleError when there is none."""
    final_url = final_url or url
    page_html = _clean_markup(page_html or "")
    if not page_html.strip():
        raise ArticleError(f"{url}: empty page")
    try:
        tree = lxml.html.fromstring(page_html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ArticleError(f"{url}: not an HTML page ({exc})") from None
    ld = _json_ld(tree)
    hints = hints or {}

    text = None
    if hints.get("body_selector"):
        text = _body_by_selector(lxml.html.fromstring(page_html), hints["body_selector"])
    extracted = None
    # trafilatura when no hint found the body: the precise pass first, its fallback
    # extractors only when it finds nothing (on short reports they pull in ads and headlines).
    for fast in (True, False) if text is None else ():
        extracted = trafilatura.bare_extraction(page_html, url=final_url, with_metadata=True,
                                                include_comments=False, include_tables=True,
                                                favor_precision=True, fast=fast)
        if extracted is not None and len((extracted.text or "").split()) >= MIN_WORDS:
            break
    if text is None and extracted is not None and extracted.text:
        text = extracted.text.replace("\n", "\n\n")
    if not text or len(text.split()) < MIN_WORDS:
        raise ArticleError(f"{url}: no report text found on the page")

    # The page names its canonical address; only an http(s) one is believed.
    canonical = next((u for u in (
        (tree.xpath('//link[@rel="canonical"]/@href') or [None])[0], _meta(tree, "og:url"),
        _ld_text(ld, "url"), extracted.url if extracted else None)
        if _web_url(u, final_url)), None)
    canonical = clean_url(_web_url(canonical, final_url) or final_url)

    # Page titles are as untrusted as feed titles: markup in them ("<b>", a <script>
    # written into og:title) is dropped, so the stored title is plain text.
    title = plain(_meta(tree, "og:title") or _ld_text(ld, "headline")
                  or (extracted.title if extracted else None)
                  or tree.findtext(".//title") or feed_title or "")

    declared_lang = (tree.xpath("/html/@lang") or [None])[0] or _ld_text(ld, "inLanguage") \
        or _meta(tree, "og:locale")
    language = detect_language(text, declared_lang.lower() if declared_lang else None)

    published, source = _local_date(feed_published), "feed"
    if not published:
        published, source = _local_date(_meta(tree, "article:published_time", "datePublished")
                                        or _ld_text(ld, "datePublished")
                                        or (extracted.date if extracted else None)), "meta"
    if not published:
        line = find_dateline(text, reference_date or dt.date.today())
        published, source = (line["date"], "dateline") if line else (None, "none")

    author = ld.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    author = plain(author) if isinstance(author, str) else None
    author = author or (extracted.author if extracted else None)
    return Article(url=url, final_url=final_url, canonical_url=canonical, title=title,
                   text=text.strip(), language=language, published=published,
                   published_from=source, author=author)

