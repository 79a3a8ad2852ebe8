"""Datelines of wire reports: the place (and date) a report was filed from.

Shapes handled (all at the start of the report, possibly after a headline line,
a byline such as "By Azernews" / "By Vugar Khalilov", or a MENAFN source tag):

    BAKU, Azerbaijan, November 29.            (Trend)
    NEW YORK, March 2 -                       (Reuters 1987)
    STAVANGER, Norway, March 24 -
    (MENAFN- Trend News Agency) ASTANA, ...
    ASTANA. Jan 14 (Interfax-Kazakhstan) -    (Interfax-Kazakhstan)
    ALMATY. KAZINFORM -                       (Kazinform: no date, so the date is ``published``)
    LONDON (Reuters) -

The place is returned as written ("BAKU", "NEW YORK").  A dateline gives a
month and a day only: the year is the one that puts the date closest to the
publication date, so a "December 30" dateline read on January 2 belongs to the
previous year.
"""
from __future__ import annotations

import datetime as dt
import re

from spacy.language import Language

from .text import doc_text

VERSION = "1"

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_RE = (r"(?i:january|february|march|april|may|june|july|august|september|october|"
             r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?")

# A place: one to four words in capitals ("NEW YORK", "NUR-SULTAN", "ST. PETERSBURG")
# or in title case ("Caracas", "Buenos Aires").
_UP = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0130\u015e\u011e\u00c7\u00dc\u00d6\u018f\u0141\u0143\u015a\u0179\u017b\u017d\u0160\u010c\u0158"
_LO = "a-z\u00df-\u00f6\u00f8-\u00ff\u0131\u015f\u011f\u00e7\u00fc\u00f6\u0259\u0142\u0144\u015b\u017a\u017c\u017e\u0161\u010d\u0159"
_UPPER_WORD = rf"[{_UP}][{_UP}'\-]*\.?"
_TITLE_WORD = rf"[{_UP}][{_LO}'\-]+"
_PLACE = (rf"(?P<place>(?:{_UPPER_WORD})(?:[ ](?:{_UPPER_WORD})){{0,3}}"
          rf"|(?:{_TITLE_WORD})(?:[ ](?:{_TITLE_WORD}|de|da|del|do|el|al)){{0,3}})")
# ", Azerbaijan", ", Norway", ", La.", ", Texas": a country or state after the city.
_REGION = rf"(?:,[ ]?[{_UP}][{_UP}{_LO}.'\-]*(?:[ ][{_UP}][{_UP}{_LO}.'\-]*){{0,3}})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?"
_DASH = r"[\-\u2013\u2014:]"
_AGENCY = r"\((?P<agency>[A-Z][^()\n]{1,60})\)"

_DATED = re.compile(
    rf"{_PLACE}{_REGION}{{0,2}}(?:,|\.)[ ]?(?:(?P<month>{_MONTH_RE})[ ]?{_DAY}|{_DAY2}[ ](?P<month2>{_MONTH_RE}))"
    rf"(?:,?[ ]?(?P<year>(?:19|20)\d\d))?"
    rf"(?:[ ]?{_AGENCY}|\.?[ ]?/[^/\n]{{2,40}}/)?[ ]*(?:{_DASH}|\.(?=\s)|,|\s*\n)")
_AGENCY_ONLY = re.compile(
    rf"{_PLACE}{_REGION}{{0,2}}[ ]?(?:{_AGENCY}[ ]?{_DASH}|[.,][ ]?(?P<agency2>[A-Z][A-Z\-]{{2,}})[ ]?{_DASH})")
# "ASTANA - Kazakhstan's ..." / "ASTANA, Kazakhstan -": a capitalised place and a dash, no date
_PLACE_DASH = re.compile(rf"{_PLACE}{_REGION}{{0,2}}[ ]+[\-\u2013\u2014][ ]+(?=[{_UP}][{_LO}]|[\"'])")
_MENAFN = re.compile(r"\(\s*MENAFN\s*-[^)\n]*\)\s*")
_BYLINE = re.compile(r"[ \t]*By[ ][^\n]{1,80}\n")
# How far from the start a dateline may begin (headline and byline lines before it).
_MAX_OFFSET = 400
_MAX_LINES = 4


def _year_closest(month: int, day: int, published: dt.date) -> dt.date | None:
    """The date (month, day) in the year that puts it closest to ``published``."""
    best = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - published).days) < abs((best - published).days):
            best = cand
    return best


def _candidates(text: str):
    """Offsets where a dateline may start: the text start, after a MENAFN tag, after bylines and
    after each of the first few lines (a headline)."""
    seen = []
    pos, lines = 0, 0
    while pos < min(len(text), _MAX_OFFSET) and lines <= _MAX_LINES:
        start = pos
        while start < len(text) and text[start] in " \t\r\n*":
            start += 1
        m = _MENAFN.match(text, start)
        if m:
            start = m.end()
        if start not in seen:
            seen.append(start)
        nl = text.find("\n", start)
        if nl < 0:
            break
        pos, lines = nl + 1, lines + 1
    return seen


# Inside the first lines (a headline joined to the dateline by the wrap normaliser):
# a word in capitals may start a dateline.
_CAPS_START = re.compile(rf"(?<=[\s*])(?=[{_UP}][{_UP}'\-.]{{2,}}[ ,.(])")


def _parse_at(text: str, start: int, published: dt.date | None, caps_only: bool = False) -> dict | None:
    found = _parse_at_any(text, start, published)
    if found and caps_only and found["place"] != found["place"].upper():
        return None
    return found


def _parse_at_any(text: str, start: int, published: dt.date | None) -> dict | None:
    m = _DATED.match(text, start)
    if m:
        mg, dg = ("month", "day") if m.group("month") else ("month2", "day2")
        month = _MONTHS.get(m.group(mg).rstrip(".").lower())
        day = int(m.group(dg))
        date = None
        if m.group("year"):
            try:
                date = dt.date(int(m.group("year")), month, day)
            except ValueError:
                date = None
        elif published is not None and 1 <= day <= 31:
            date = _year_closest(month, day, published)
        return {"place": m.group("place").strip(), "date": date.isoformat() if date else None,
                "char_start": m.start("place"), "char_end": max(m.end(mg), m.end(dg)), "confidence": 0.95,
                "date_char_start": min(m.start(mg), m.start(dg)), "date_char_end": max(m.end(mg), m.end(dg))}
    m = _AGENCY_ONLY.match(text, start)
    if m:
        return {"place": m.group("place").strip(),
                "date": published.isoformat() if published else None,
                "char_start": m.start("place"), "char_end": m.end(0), "confidence": 0.8,
                "date_char_start": None, "date_char_end": None}
    return None


def _place_dash(text: str, start: int, published: dt.date | None) -> dict | None:
    m = _PLACE_DASH.match(text, start)
    if m and m.group("place") == m.group("place").upper() and len(m.group("place")) >= 3:
        return {"place": m.group("place").strip(),
                "date": published.isoformat() if published else None,
                "char_start": m.start("place"), "char_end": m.end(0), "confidence": 0.7,
                "date_char_start": None, "date_char_end": None}
    return None


def find_dateline(text: str, published: dt.date | None) -> dict | None:
    """Place and date of the dateline near the start of ``text``.

    Returns ``{"place", "date", "char_start", "char_end", "confidence",
    "date_char_start", "date_char_end"}`` (the last two: offsets of the month and day
    written in the dateline, None when it has none) or None.  ``date`` is ISO; when
    the dateline names no date (Kazinform, "(Reuters) -") it is ``published``.
    """
    if not text:
        return None
    if isinstance(published, dt.datetime):
        published = published.date()
    line_starts = _candidates(text)
    limit = min(len(text), _MAX_OFFSET)
    caps = [m.start() for m in _CAPS_START.finditer(text, 0, limit)]
    for start in sorted(set(line_starts) | set(caps)):
        # a byline line ("By Azernews") is skipped by the next candidate offset
        if _BYLINE.match(text, start):
            continue
        found = _parse_at(text, start, published, caps_only=start not in line_starts)
        if found:
            return found
    for start in line_starts:
        if _BYLINE.match(text, start):
            continue
        found = _place_dash(text, start, published)
        if found:
            return found
    return None


@Language.component("factwire_dateline")
def dateline_component(doc):
    doc._.dateline = find_dateline(doc_text(doc), doc._.published)
    return doc
