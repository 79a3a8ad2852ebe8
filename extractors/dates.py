"""Calendar expressions of a report resolved to inclusive spans against ``doc._.published``.

Every date expression becomes one item ``{text, start, end, precision, char_start,
char_end, sentence, sentence_start, confidence}``: ``start``/``end`` are ISO dates
(inclusive) and ``precision`` is one of day, week, month, quarter, half, season,
year, decade, range.  Dates are spans, never points: "March 2023" is 2023-03-01..
2023-03-31, "the week ended March 27" the seven days ending that day, "last week"
Monday..Sunday of the previous week.

How it works (no dateparser, no second parse):
1. *Atoms*: a small grammar of compiled regexes (built once from the lexicon
   ``patterns/dates_lexicon.json``) finds the date phrases of ``doc.text``: days,
   months, quarters, halves, seasons, years, decades, crop years, "the week ended X",
   relative phrases ("last month", "yesterday", "on Monday", "two years ago") and
   comparisons ("a year ago", "the previous week").  Overlaps keep the longest.
2. *Composition*: neighbouring atoms joined by "from .. to", "between .. and", "until",
   "through" become one range; a trailing "last year"/"this year" gives its year to a
   date without one ("February 1 to 26 last year").
3. *Resolution*: a month or day written without a year takes the year that the
   clause's tense and the distance to ``published`` suggest (the spaCy parse already
   there is read for the tense); relative phrases resolve against ``published``;
   comparison phrases ("a year ago", "the previous year") take the span they are
   compared with (the widest date before them in the sentence) one year earlier.

Helpers for the quantities family: :func:`shift_year` (a span N years earlier)
and :func:`dates_in_sentence` (the date items of the sentence around an offset,
nearest first).  Every item keeps ``char_start``/``char_end``.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from .text import doc_text, provenance

VERSION = "1"

_LEX = json.loads((Path(__file__).parent / "patterns" / "dates_lexicon.json").read_text(encoding="utf-8"))
MONTHS: dict[str, int] = _LEX["months"]
_ABBREV = set(_LEX["month_abbreviations"])
WEEKDAYS: dict[str, int] = _LEX["weekdays"]
DAY_WORDS: dict[str, int] = _LEX["day_words"]
COUNT_WORDS: dict[str, int] = _LEX["count_words"]
ORDINALS: dict[str, int] = _LEX["ordinals"]
SEASONS: dict[str, list[int]] = _LEX["seasons"]
MARKETING_START: dict[str, int] = _LEX["marketing_year_start"]
_FUT_AUX = set(_LEX["future_aux"])
_WEAK_AUX = set(_LEX["weak_future_aux"])
_FUT_LEMMAS = set(_LEX["future_lemmas"])
_FUT_NOUNS = set(_LEX["future_nouns"])


# ---------------------------------------------------------------------------
# Span arithmetic
# ---------------------------------------------------------------------------

def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), _month_end(year, month)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _shift_date(d: dt.date, years: int = 0, months: int = 0) -> dt.date:
    """``d`` moved by whole years/months; a month-end stays a month-end (Feb 29 -> Feb 28)."""
    y, m = _add_months(d.year, d.month, years * 12 + months)
    last = calendar.monthrange(y, m)[1]
    if d.day == calendar.monthrange(d.year, d.month)[1]:
        return dt.date(y, m, last)
    return dt.date(y, m, min(d.day, last))


def _week_of(d: dt.date) -> tuple[dt.date, dt.date]:
    monday = d - dt.timedelta(days=d.weekday())
    return monday, monday + dt.timedelta(days=6)


def shift_year(span: dict, years: int = -1) -> dict:
    """The same span ``years`` years later (negative: earlier), for "a year ago" comparisons.

    ``span`` is any dict with ISO ``start`` and ``end`` (a date item, or a quantity's
    ``period``).  A copy is returned with both ends moved; a month-end stays a month-end
    (1988-02-29 shifted by -1 gives 1987-02-28), so a whole month or year stays whole.
    Other keys (text, precision, offsets) are kept as they are.

    >>> shift_year({"start": "2024-01-01", "end": "2024-03-31"})["end"]
    '2023-03-31'
    """
    out = dict(span)
    for key in ("start", "end"):
        if span.get(key):
            out[key] = _shift_date(dt.date.fromisoformat(span[key]), years=years).isoformat()
    return out


def dates_in_sentence(dates: list[dict], char_start: int, char_end: int | None = None) -> list[dict]:
    """The date items of ``dates`` (``doc._.dates``) in the same sentence as the span
    ``char_start..char_end``, nearest first (a date before the span wins a tie).

    Meant for the quantities family: the period of an amount is usually the date of its
    own clause.  Uses the items' ``sentence_start`` and ``sentence`` provenance keys.
    """
    char_end = char_start if char_end is None else char_end
    out = []
    for item in dates:
        s0 = item.get("sentence_start", item["char_start"])
        s1 = s0 + len(item.get("sentence") or "")
        if s0 <= char_start < max(s1, s0 + 1):
            if item["char_end"] <= char_start:
                dist = char_start - item["char_end"]
            elif item["char_start"] >= char_end:
                dist = item["char_start"] - char_end + 0.5
            else:
                dist = 0
            out.append((dist, item))
    out.sort(key=lambda x: x[0])
    return [item for _, item in out]


# ---------------------------------------------------------------------------
# Grammar (compiled once)
# ---------------------------------------------------------------------------

def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH_NAMES = _alt(MONTHS)
MON = rf"(?:(?i:{_alt(m for m in MONTHS if m not in _ABBREV)})\b|(?i:{_alt(_ABBREV)})\b\.?)"
_STOP_AFTER = _alt(_LEX["not_after_number"])
# A number is not a date when a unit, scale or time-zone word follows it.
_NOT_UNIT = rf"(?!\s*(?:-\s*)?(?i:{_STOP_AFTER})\b)(?!\s*%)"
DAYNUM = rf"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:]|[.,]\d){_NOT_UNIT}"
_DAYWORD_ALT = _alt(DAY_WORDS)
# a day written as a word ("March six") must not be followed by a plural noun
DAYWORD = (rf"(?i:{_DAYWORD_ALT})\b{_NOT_UNIT}"
           r"(?!\s+(?!was\b|is\b|has\b|as\b|this\b|its\b|his\b|plus\b|less\b)[a-z]+s\b)")
DAY = rf"(?:{DAYNUM}|{DAYWORD})"
# a year; "1980's"/"1980s" are decades, but "1986's total" is the year 1986
YEAR = (rf"(?<![\d.,$\u00a3\u20ac])(?<!\d[-/])(?:19[4-9]\d|20[0-4]\d)(?![\d]|[.,]\d|s\b)(?:(?<=0)(?!'s\b)|(?<!0))"
        rf"{_NOT_UNIT}")
YY = r"(?:\d\d|(?:19|20)\d\d)"
WEEKDAY = rf"(?:{_alt([w.capitalize() for w in WEEKDAYS])})"
COUNT = rf"(?:\d{{1,2}}|(?i:{_alt(COUNT_WORDS)}))"
ORD = rf"(?i:{_alt(ORDINALS)})"
MOD = (r"(?:(?i:the\s+)?(?i:(?:very\s+)?(?:early|late|mid|middle)(?:\s+in|\s*-\s*|\s+)"
       r"|(?:end|beginning|start|middle|close)(?:\s+of\s+|\s*-\s*)|year\s*-\s*end\s+|mid\s*-\s*))")
REL = r"(?i:this|last|next|the\s+current|the\s+coming|the\s+previous|the\s+past|the\s+following)"
SEASON = rf"(?i:{_alt(SEASONS)})"
DASH = r"\s*[-\u2013\u2014]\s*"
TO = rf"(?:{DASH}|\s+(?i:to|through|thru|till|until|and)\s+)"

_FULL_DATE = (rf"(?:{WEEKDAY},?\s+)?(?:(?:{MON})\s*{DAY}(?:\s*,?\s*{YEAR})?"
              rf"|{DAYNUM}\s+(?:of\s+)?(?:{MON})(?:\s*,?\s*{YEAR})?)")

_P: list[tuple[str, re.Pattern]] = []


def _pat(name: str, trigger: str, regex: str, flags=0):
    """A grammar rule: its name, the trigger words it contains (see _TRIGGERS) and its regex."""
    _P.append((name, trigger, re.compile(regex, flags)))


def _variants(words) -> str:
    """A case-sensitive alternation of lower/Title/UPPER spellings (fast literal prefix scan)."""
    forms = set()
    for w in words:
        forms |= {w.lower(), w[:1].upper() + w[1:].lower(), w.upper()}
    return "|".join(re.escape(w) for w in sorted(forms, key=len, reverse=True))


# Each rule is only run in windows around its trigger words: a date phrase always
# contains one, and scanning a few windows is much cheaper than the whole text.
_TRIGGERS = {
    "MON": re.compile("|".join(sorted(set(_variants(MONTHS).split("|")) - {"may"}, key=len, reverse=True))),
    "YEAR": re.compile(r"(?:19|20)\d\d|'\d0|FY"),
    "QUARTER": re.compile(r"quarter|Quarter|QUARTER|Q[1-4]|[1-4]Q"),
    "HALF": re.compile(r"half|Half|HALF|H[12]|[12]H"),
    "UNIT": re.compile(_variants(["weekend", "weeks", "week", "months", "month", "years", "year", "seasons", "season",
                                  "quarters", "quarter"])),
    "AGO": re.compile(_variants(["ago", "earlier", "before"])),
    "SAME": re.compile(_variants(["same", "corresponding", "comparable"])),
    "SEASON": re.compile(_variants(SEASONS)),
    "DAYREL": re.compile(_variants(["today", "tonight", "yesterday", "tomorrow", "morning", "afternoon",
                                    "evening", "night"])),
    "WEEKDAY": re.compile(_variants(WEEKDAYS)),
}
_BACK, _FWD = 60, 70     # how far a match may start before / end after its trigger


# the N weeks/months ended DATE
_pat("ended", "UNIT", rf"(?i:the\s+)?(?:(?P<n>{COUNT})[\s-]+)?(?P<unit>(?i:weeks?|months?|years?|quarters?))\s+"
              rf"(?i:ended|ending|to|through)\s+(?i:on\s+)?(?P<date>{_FULL_DATE}|(?i:end\s*-\s*)?(?:{MON})(?:\s*,?\s*{YEAR})?|{WEEKDAY})")
# the first week of March
# the week beginning March 2: seven days from that day
_pat("week_from", "UNIT", rf"(?i:the\s+)?(?i:week)\s+(?i:beginning|starting|commencing|of)\s+(?i:on\s+)?(?P<date>{_FULL_DATE})")
# by year-end: the end of this year (the whole year)
_pat("year_end", "UNIT", r"(?<![\w-])(?i:year[\s-]end)\b(?!\s*(?:19|20)\d\d)")
_pat("week_of_month", "UNIT", rf"(?i:the\s+)?(?P<ord>(?i:first|second|third|fourth|last))\s+(?i:week)\s+(?i:of|in)\s+"
                      rf"(?P<mon>{MON})(?:\s*,?\s*(?P<year>{YEAR}))?")
# day ranges inside a month: July 24-26, September 5-20, March 20-25th, between May 10 and 20
_pat("day_range", "MON", rf"(?:(?P<between>(?i:between|from))\s+)?(?P<mon>{MON})\s*(?P<d1>{DAY})"
                  rf"(?P<conn>{DASH}|\s+(?i:to|through|till|until|and)\s+)(?P<d2>{DAY})\b(?!\s*(?:{MON}))"
                  rf"(?:\s*,?\s*(?P<year>{YEAR}))?")
_pat("day_range_dm", "MON", rf"(?P<d1>{DAYNUM}){DASH}(?P<d2>{DAYNUM})\s+(?:of\s+)?(?P<mon>{MON})(?:\s*,?\s*(?P<year>{YEAR}))?")
# July 5 and 20 (two days)
_pat("day_list", "MON", rf"(?P<mon>{MON})\s*(?P<d1>{DAYNUM})(?P<rest>(?:\s*,\s*{DAYNUM})*\s*,?\s+(?i:and|or)\s+{DAYNUM})\b(?!\s*(?:{MON}))")
# full dates
_pat("date", "MON", rf"(?:(?P<rel>(?i:this|next|last))\s+)?(?P<body>{_FULL_DATE})")
_pat("iso", "YEAR", r"(?<![\d.])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d])")
_pat("dotted", "YEAR", r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?![\d])")
# months: January-October 2023, Jan/Oct
_pat("month_range", "MON", rf"(?P<m1>{MON})(?:{DASH}|\s*/\s*)(?P<m2>{MON})(?:\s+(?i:period))?(?:\s*,?\s*(?P<year>{YEAR}))?")
# months: (early) March (2023), last November, March of last year
_pat("month", "MON", rf"(?:(?P<rel>{REL})\s+)?(?P<mod>{MOD})?(?P<mon>{MON})"
              rf"(?:\s*,?\s*(?:of\s+)?(?P<year>{YEAR})"
              rf"|\s+(?:of\s+)?(?P<yrel>(?i:this|last|next))\s+(?i:year))?(?!\s*\d)")
# quarters
_pat("quarter", "QUARTER", rf"(?:(?P<the>(?i:the|this|last|next))\s+)?(?:(?P<mod>(?i:end|beginning|start)\s+of\s+the)\s+)?"
                rf"(?P<ord>{ORD})[\s-]+(?i:quarter)(?!\s+(?i:of\s+a|century))"
                rf"(?:\s*,?\s*(?:(?i:of|in)\s+)?(?:(?i:the\s+)?(?P<yrel>(?i:this|last|next|current|previous))\s+(?i:year)"
                rf"|(?i:(?:the\s+)?fiscal(?:\s+year)?\s+)?(?P<year>{YEAR})))?")
_pat("quarter_pair", "QUARTER", rf"(?:(?i:the)\s+)?(?P<o1>{ORD})\s+(?i:and|to|through)\s+(?P<o2>{ORD})[\s-]+(?i:quarters)"
                rf"(?:\s*,?\s*(?:(?i:of|in)\s+)?(?:(?i:the\s+)?(?P<yrel>(?i:this|last|next|current|previous))\s+(?i:year)"
                rf"|(?i:(?:the\s+)?fiscal(?:\s+year)?\s+)?(?P<year>{YEAR})))?")
# the March quarter (the quarter ending in March)
_pat("month_quarter", "QUARTER", rf"(?:(?i:the)\s+)?(?P<mon>{MON})\s+(?i:quarter)(?!s)(?:\s*,?\s*(?:(?i:of)\s+)?(?P<year>{YEAR}))?")
_pat("quarter_q", "QUARTER", rf"(?<![\w-])(?:Q(?P<q1>[1-4])|(?P<q2>[1-4])Q)(?:\s*[-']?\s*(?P<year>{YEAR}|\d\d))?\b")
_pat("quarter_rel", "QUARTER", rf"(?P<rel>{REL}|(?i:the\s+same|the\s+prior))\s+(?i:quarter)\b")
# halves
_pat("half", "HALF", rf"(?:(?P<the>(?i:the|this))\s+)?(?P<ord>(?i:first|second|1st|2nd))[\s-]+(?i:half)"
             rf"(?:\s*,?\s*(?:(?i:of|in)\s+)?(?:(?i:the\s+)?(?P<yrel>(?i:this|last|next|current|previous))\s+(?i:year)"
             rf"|(?i:(?:the\s+)?fiscal(?:\s+year)?\s+)?(?P<year>{YEAR})))?")
_pat("half_h", "HALF", rf"(?<![\w-])(?:H(?P<h1>[12])|(?P<h2>[12])H)(?:\s*[-']?\s*(?P<year>{YEAR}|\d\d))?\b")
# the first eight months of this year / 8 months of 2023
_pat("first_months", "UNIT", rf"(?:(?i:the)\s+)?(?:(?i:first)\s+)?(?P<n>{COUNT})\s+(?i:months)\s+(?i:of)\s+"
                     rf"(?:(?P<yrel>(?i:this|last|next|the\s+current|the))\s+(?i:year)|(?P<year>{YEAR}))")
# "in the first eight months" (of the current year, or of the last one when it has not run so long)
_pat("first_months_bare", "UNIT", rf"(?i:the\s+first)\s+(?P<n>{COUNT})\s+(?i:months)\b(?!\s+(?i:of|to|ended|ending|after|since|from)\b)")
# seasons
_pat("season", "SEASON", rf"(?:(?P<rel>{REL}|(?i:the))\s+)?(?P<mod>{MOD})?(?P<s>{SEASON})\b"
               rf"(?:\s+(?:(?i:of)\s+)?(?P<year>{YEAR})(?:\s*[/-]\s*(?P<y2>{YY}))?"
               rf"|\s+(?:(?i:of)\s+)?(?P<yrel>(?i:last|this|next))\s+(?i:year))?")
# years, crop years, decades
_pat("crop", "YEAR", rf"(?:(?i:the)\s+)?(?:(?P<kind>(?i:fiscal|crop|marketing|calendar))(?:\s+(?i:year))?\s+)?"
             rf"(?<![\d.,])(?P<y1>(?:19|20)\d\d)\s*(?P<sep>[/\-\u2013])\s*(?P<y2>{YY})(?!\d)"
             rf"(?:\s*\(\s*(?P<m1>{MON})\s*[/-]\s*(?P<m2>{MON})\s*\))?"
             rf"(?:\s+(?P<what>(?i:season|crop\s+year|marketing\s+year|crop|campaign|fiscal\s+year|financial\s+year|harvest|year))\b)?")
_pat("year", "YEAR", rf"(?:(?P<mod>{MOD})|(?P<kind>(?i:the\s+year|calendar|fiscal(?:\s+year)?|FY))\s*)?(?P<y>{YEAR})"
             rf"(?:\s*-\s*(?i:end))?")
_pat("fy_short", "YEAR", r"(?<![\w-])FY\s?'?(?P<y>\d\d)(?!\d)")
_pat("decade", "YEAR", r"(?i:the\s+)?(?:(?i:early|mid|late)[\s-]+)?(?:(?P<c>19|20)|')(?P<d>\d)0'?s\b")
# relative days
_pat("day_rel", "DAYREL", r"(?P<mod>(?i:earlier|later)\s+)?(?P<w>(?i:today|tonight|yesterday|tomorrow)(?:'s)?)\b"
                r"|(?P<w2>(?i:this\s+(?:morning|afternoon|evening)|last\s+night))\b")
_pat("weekday", "WEEKDAY", rf"(?:(?P<rel>(?i:last|next|this|coming|past))\s+)?(?P<wd>{WEEKDAY})(?:'s)?\b"
                r"(?:\s+(?i:night|morning|afternoon|evening))?")
# relative weeks/months/years
_pat("weekend", "UNIT", r"(?P<rel>(?i:this|last|next|the\s+past|the\s+coming))\s+(?i:weekend)\b")
_pat("unit_rel", "UNIT", r"(?P<mod>(?i:earlier|later|early|late|end\s+of|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of"
                 r"|the\s+middle\s+of|mid|by\s+the\s+end\s+of)\s+)?"
                 r"(?P<rel>(?i:this|last|next|the\s+current|the\s+coming|the\s+following|the\s+previous|the\s+prior"
                 r"|the\s+past|the\s+same|the\s+preceding))\s+(?P<unit>(?i:week|month|year|season))\b(?!-)")
_pat("end_of_year", "UNIT", r"(?i:(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+the\s+(?P<unit>year|month|week))\b")
# 9M2023, 11M 2023 (the first N months of a year, as Caspian and Central Asian agencies write it)
_pat("nm_year", "YEAR", rf"(?<![\w.])(?P<n>1[0-2]|[1-9])M\s?(?P<year>{YEAR}|\d\d)\b")
# the first/second/third ten days ("decade") of December
_pat("dekad", "MON", rf"(?:(?i:the)\s+)?(?P<ord>(?i:first|second|third|last))\s+(?i:decade|ten\s+days|ten-day\s+period)\s+(?i:of|in)\s+"
                     rf"(?P<mon>{MON})(?:\s*,?\s*(?P<year>{YEAR}))?")
_pat("ago", "AGO", rf"(?P<n>{COUNT})\s+(?P<unit>(?i:days?|weeks?|months?|years?))\s+(?P<how>(?i:ago|earlier|before|before that))\b(?!\s+(?i:than|then)\b)")
_pat("year_ago_adj", "UNIT", r"(?i:the\s+)(?P<how>(?i:year|week|month))[\s-]+(?i:ago|earlier)\s+"
                             r"(?P<noun>(?i:period|level|levels|quarter|month|week|figure|figures))\b")
_pat("same_period", "SAME", r"(?i:the\s+)?(?i:same|corresponding|comparable)\s+(?i:period|time|month|week|quarter|months|weeks)"
                    rf"\s+(?:(?i:of|in|a)\s+)?(?:(?P<yrel>(?i:last|the\s+previous|a|the\s+prior))\s+(?i:year)(?:\s+(?i:ago|earlier))?"
                    rf"|(?P<year>{YEAR}))")
_pat("year_before", "UNIT", r"(?i:the)\s+(?P<unit>(?i:year|week|month))\s+(?i:before|earlier)\b")

_COMPILED = _P  # (name, pattern)
_RANGE_PREFIX = re.compile(r"(?i:\b(?P<w>from|between)\s+)$")
_RANGE_GAP = re.compile(rf"^(?:{DASH}|\s+(?i:to|through|thru|till|until|and|to\s+the\s+end\s+of|through\s+the\s+end\s+of)\s+)$")
_YREL_AFTER = re.compile(r"^\s*,?\s+(?:(?i:of)\s+)?(?P<rel>(?i:this|last|next))\s+(?i:year)\b")


# ---------------------------------------------------------------------------
# Atoms and their resolution
# ---------------------------------------------------------------------------

@dataclass
class Atom:
    start: int
    end: int
    kind: str
    m: re.Match | None = None
    # filled on parse: a function of (year) -> (start, end, precision), the month used for
    # year inference, an explicit year when written, or a resolved span
    year: int | None = None
    month: int | None = None            # month for year inference (no explicit year)
    make: object = None                 # callable(year) -> (start, end, precision)
    span: tuple | None = None           # resolved (start, end, precision)
    anchor: tuple | None = None         # ("year"|"week"|"month", n, fallback) for comparisons
    rel_tense: str | None = None        # forced tense: "future" / "past"
    extra: list = field(default_factory=list)   # extra sub-entries (day lists)
    confidence: float = 0.9
    dateline: bool = False              # the date written in the report's dateline


def _month_of(text: str) -> int | None:
    return MONTHS.get(text.strip().rstrip(".").lower())


def _day_of(text: str) -> int | None:
    t = text.strip().lower()
    t = re.sub(r"(st|nd|rd|th)$", "", t) if t[:1].isdigit() else t
    if t.isdigit():
        return int(t)
    return DAY_WORDS.get(t.replace(" ", "-"))


def _count_of(text: str) -> int | None:
    t = text.strip().lower()
    return int(t) if t.isdigit() else COUNT_WORDS.get(t)


def _year_of(text: str | None, ref: int | None = None) -> int | None:
    if not text:
        return None
    t = text.strip().lstrip("'")
    if len(t) == 2 and t.isdigit():
        base = (ref or 2000) // 100 * 100
        y = base + int(t)
        if ref and y > ref + 50:
            y -= 100
        return y
    return int(t) if t.isdigit() else None


_FULL_RE = re.compile(rf"(?:(?P<wd>{WEEKDAY}),?\s+)?(?:(?P<mon>{MON})\s*(?P<day>{DAY})(?:\s*,?\s*(?P<year>{YEAR}))?"
                      rf"|(?P<day2>{DAYNUM})\s+(?:of\s+)?(?P<mon2>{MON})(?:\s*,?\s*(?P<year2>{YEAR}))?)")


def _parse_full(text: str):
    """(year or None, month, day) of a full date phrase."""
    m = _FULL_RE.search(text)
    if not m:
        return None
    if m.group("mon"):
        return _year_of(m.group("year")), _month_of(m.group("mon")), _day_of(m.group("day"))
    return _year_of(m.group("year2")), _month_of(m.group("mon2")), _day_of(m.group("day2"))


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _build_atom(name: str, m: re.Match, text: str, published: dt.date | None) -> Atom | None:
    """Turn a regex match into an Atom, or None when the match is not a date after all."""
    a = Atom(m.start(), m.end(), name, m)
    g = m.groupdict()
    pub = published

    if name == "ended":
        unit = g["unit"].lower().rstrip("s")
        n = _count_of(g["n"]) if g.get("n") else 1
        if n is None or n < 1:
            return None
        dtext = g["date"]
        if dtext[:1].isupper() and dtext.lower() in WEEKDAYS:
            if pub is None:
                return None
            wd = WEEKDAYS[dtext.lower()]
            end = pub - dt.timedelta(days=(pub.weekday() - wd) % 7)
            a.span = _ended_span(end, unit, n)
            return a
        full = _parse_full(dtext)
        if full and full[2]:
            y, mo, d = full
            a.year, a.month = y, mo
            a.make = lambda yy, mo=mo, d=d, unit=unit, n=n: (
                _ended_span(_safe_date(yy, mo, d), unit, n) if _safe_date(yy, mo, d) else None)
            return a
        mm = re.match(rf"(?i:end\s*-\s*)?(?P<mon>{MON})(?:\s*,?\s*(?P<year>{YEAR}))?", dtext)
        if mm and _month_of(mm.group("mon")):
            mo = _month_of(mm.group("mon"))
            a.year, a.month = _year_of(mm.group("year")), mo
            a.make = lambda yy, mo=mo, unit=unit, n=n: _ended_span(_month_end(yy, mo), unit, n)
            return a
        return None

    if name == "nm_year":
        n = int(g["n"])
        year = _year_of(g["year"], pub.year if pub else 2000)
        a.span = (dt.date(year, 1, 1), _month_end(year, n), "month" if n == 1 else "range")
        return a

    if name == "dekad":
        mo = _month_of(g["mon"])
        k = {"first": 0, "second": 1, "third": 2, "last": 2}[g["ord"].lower()]
        a.year, a.month = _year_of(g.get("year")), mo

        def make(yy, mo=mo, k=k):
            last = calendar.monthrange(yy, mo)[1]
            return dt.date(yy, mo, 1 + 10 * k), dt.date(yy, mo, last if k == 2 else 10 + 10 * k), "range"
        a.make = make
        return a

    if name == "month_quarter":
        mo = _month_of(g["mon"])
        if not mo or mo % 3 != 0 or not _month_word_ok(g["mon"], True):
            return None
        a.year, a.month = _year_of(g.get("year")), mo - 2
        a.make = lambda yy, mo=mo: (dt.date(yy, mo - 2, 1), _month_end(yy, mo), "quarter")
        return a

    if name == "week_from":
        full = _parse_full(g["date"])
        if not full or not full[2]:
            return None
        y, mo, d = full
        a.year, a.month = y, mo
        a.make = lambda yy, mo=mo, d=d: (
            (_safe_date(yy, mo, d), _safe_date(yy, mo, d) + dt.timedelta(days=6), "week")
            if _safe_date(yy, mo, d) else None)
        return a

    if name == "year_end":
        if pub is None:
            return None
        before = text[max(0, m.start() - 20):m.start()].lower()
        if re.search(r"\b(?:the|a|its|their)\s+$", before) and not re.search(r"\b(?:by|at|until|before)\s+the\s+$", before):
            return None     # "the year-end closing" is no date
        a.span = _unit_rel("year", 0, pub)
        return a

    if name == "week_of_month":
        mo = _month_of(g["mon"])
        o = g["ord"].lower()
        a.year, a.month = _year_of(g["year"]), mo

        def make(yy, mo=mo, o=o):
            last = calendar.monthrange(yy, mo)[1]
            k = {"first": 0, "second": 1, "third": 2, "fourth": 3}.get(o)
            if k is None:
                return dt.date(yy, mo, last - 6), dt.date(yy, mo, last), "week"
            return dt.date(yy, mo, 1 + 7 * k), dt.date(yy, mo, 7 + 7 * k), "week"
        a.make = make
        return a

    if name in ("day_range", "day_range_dm"):
        mo = _month_of(g["mon"])
        d1, d2 = _day_of(g["d1"]), _day_of(g["d2"])
        if not mo or not d1 or not d2 or d2 <= d1:
            return None
        conn = (g.get("conn") or "").strip().lower()
        if conn == "and" and not g.get("between"):
            return None     # "July 5 and 20" is two days (day_list)
        if name == "day_range" and not _month_word_ok(g["mon"], True):
            return None
        a.year, a.month = _year_of(g.get("year")), mo
        a.make = lambda yy, mo=mo, d1=d1, d2=d2: (
            (_safe_date(yy, mo, d1), _safe_date(yy, mo, d2), "range")
            if _safe_date(yy, mo, d1) and _safe_date(yy, mo, d2) else None)
        return a

    if name == "day_list":
        mo = _month_of(g["mon"])
        d1 = _day_of(g["d1"])
        if not mo or not d1 or not _month_word_ok(g["mon"], True):
            return None
        # the first day is this atom; each further day is an extra entry
        first_end = m.end("d1")
        a.end = first_end
        a.month = mo
        a.make = lambda yy, mo=mo, d=d1: (_safe_date(yy, mo, d), _safe_date(yy, mo, d), "day") \
            if _safe_date(yy, mo, d) else None
        base = m.start("rest")
        for dm in re.finditer(DAYNUM, g["rest"]):
            d = _day_of(dm.group(0))
            a.extra.append((base + dm.start(), base + dm.end(), mo, d))
        a._list_end = m.end()
        return a

    if name == "date":
        full = _parse_full(g["body"])
        if not full or not full[1] or not full[2]:
            return None
        y, mo, d = full
        monword = re.search(MON, g["body"])
        if monword and not _month_word_ok(monword.group(0), True):
            return None
        if d > 31:
            return None
        rel = (g.get("rel") or "").lower()
        if rel == "on":
            a.start = m.start("body")
        elif rel in ("this", "next"):
            a.rel_tense = "future"
        elif rel == "last":
            a.rel_tense = "past"
        a.year, a.month = y, mo
        a.make = lambda yy, mo=mo, d=d: (_safe_date(yy, mo, d), _safe_date(yy, mo, d), "day") \
            if _safe_date(yy, mo, d) else None
        return a

    if name in ("iso", "dotted"):
        d = _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
        if not d:
            return None
        a.span = (d, d, "day")
        return a

    if name == "month_range":
        m1, m2 = _month_of(g["m1"]), _month_of(g["m2"])
        if not m1 or not m2 or m1 == m2:
            return None
        if not (_month_word_ok(g["m1"], False) and _month_word_ok(g["m2"], False)):
            return None
        a.year, a.month = _year_of(g.get("year")), m1

        def make(yy, m1=m1, m2=m2, explicit=a.year is not None):
            if m2 < m1:   # Nov-Jan: the year written is the end's
                y1 = yy - 1 if explicit else yy
                return dt.date(y1, m1, 1), _month_end(y1 + 1, m2), "range"
            return dt.date(yy, m1, 1), _month_end(yy, m2), "range"
        a.make = make
        return a

    if name == "month":
        mo = _month_of(g["mon"])
        if not mo:
            return None
        has_year = bool(g.get("year") or g.get("yrel"))
        if not _month_word_ok(g["mon"], has_year or bool(g.get("rel")) or bool(g.get("mod"))):
            return None
        if g["mon"].strip().rstrip(".").lower() == "may" and not (has_year or g.get("rel") or g.get("mod")):
            if not _may_is_month(text, m.start("mon")):
                return None
        rel = (g.get("rel") or "").lower()
        a.year, a.month = _year_of(g.get("year")), mo
        if g.get("yrel") and pub:
            a.year = pub.year + {"this": 0, "last": -1, "next": 1}[g["yrel"].lower()]
        if rel and pub and a.year is None:
            if rel == "last" or rel.endswith("previous") or rel.endswith("past"):
                a.year = pub.year if mo < pub.month else pub.year - 1
            elif rel == "next" or rel.endswith("coming") or rel.endswith("following"):
                a.year = pub.year if mo > pub.month else pub.year + 1
            elif rel == "this" or rel.endswith("current"):
                a.year = pub.year
        a.make = lambda yy, mo=mo: (*_month_span(yy, mo), "month")
        return a

    if name in ("quarter", "quarter_q"):
        if name == "quarter":
            q = ORDINALS[g["ord"].lower()]
            if g["ord"].lower() == "last" and not (g.get("year") or g.get("yrel")):
                return None   # "last quarter" alone is relative (quarter_rel)
            year = _year_of(g.get("year"))
            yrel = g.get("yrel")
        else:
            q = int(g.get("q1") or g.get("q2"))
            year = _year_of(g.get("year"), pub.year if pub else None)
            yrel = None
        if yrel and pub:
            year = pub.year + {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1}[yrel.lower()]
        a.year, a.month = year, 3 * q - 2
        a.make = lambda yy, q=q: (dt.date(yy, 3 * q - 2, 1), _month_end(yy, 3 * q), "quarter")
        if name == "quarter_q" and year is None and not g.get("q1"):
            return None   # a bare "1Q" is too ambiguous
        return a

    if name == "quarter_pair":
        q1, q2 = ORDINALS[g["o1"].lower()], ORDINALS[g["o2"].lower()]
        if q2 <= q1:
            return None
        year = _year_of(g.get("year"))
        if g.get("yrel") and pub:
            year = pub.year + {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1}[g["yrel"].lower()]
        a.year, a.month = year, 3 * q1 - 2
        a.make = lambda yy, q1=q1, q2=q2: (dt.date(yy, 3 * q1 - 2, 1), _month_end(yy, 3 * q2), "range")
        return a

    if name == "quarter_rel":
        if pub is None:
            return None
        rel = g["rel"].lower().split()[-1]
        q0 = (pub.month - 1) // 3
        if rel in ("this", "current"):
            k = 0
        elif rel in ("last", "previous", "past", "prior"):
            if rel in ("previous", "prior"):
                a.anchor = ("quarter", -1)
            k = -1
        elif rel in ("next", "coming", "following"):
            k = 1
        else:
            return None
        yy, mm = _add_months(pub.year, q0 * 3 + 1, 3 * k)
        a.span = (dt.date(yy, mm, 1), _month_end(*_add_months(yy, mm, 2)), "quarter")
        return a

    if name in ("half", "half_h"):
        if name == "half":
            h = 1 if g["ord"].lower() in ("first", "1st") else 2
            year = _year_of(g.get("year"))
            yrel = g.get("yrel")
        else:
            h = int(g.get("h1") or g.get("h2"))
            year = _year_of(g.get("year"), pub.year if pub else None)
            yrel = None
            if year is None:
                return None
        if yrel and pub:
            year = pub.year + {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1}[yrel.lower()]
        a.year, a.month = year, 6 * h - 5
        a.make = lambda yy, h=h: (dt.date(yy, 6 * h - 5, 1), _month_end(yy, 6 * h), "half")
        return a

    if name == "first_months_bare":
        n = _count_of(g["n"])
        if not n or n < 2 or n > 11 or pub is None:
            return None
        year = pub.year if pub.month > n else pub.year - 1
        a.span = (dt.date(year, 1, 1), _month_end(year, n), "range")
        a.confidence = 0.6
        return a

    if name == "first_months":
        n = _count_of(g["n"])
        if not n or n > 12:
            return None
        year = _year_of(g.get("year"))
        if g.get("yrel") and pub:
            w = g["yrel"].lower().split()[-1]
            year = pub.year + {"this": 0, "current": 0, "the": 0, "last": -1, "next": 1}[w]
        if year is None:
            return None
        a.span = (dt.date(year, 1, 1), _month_end(year, n), "range")
        return a

    if name == "season":
        s = g["s"].lower()
        rel = (g.get("rel") or "").lower()
        if s == "fall" and not g.get("year"):
            before = text[max(0, m.start() - 12):m.start()].lower()
            after = text[m.end():m.end() + 6].lower()
            if not (rel and rel != "the") and not (
                    rel == "the" and re.search(r"\b(?:in|during|by|until|through|since|over)\s+$", before)
                    and not re.match(r"\s+(?:in|of)\b", after)):
                return None
        if s == "spring" and not (rel or g.get("year") or g.get("mod")):
            return None
        if not (rel or g.get("year") or g.get("mod") or g.get("yrel")):
            before = text[max(0, m.start() - 12):m.start()].lower()
            if not re.search(r"\b(?:in|during|by|until|through|over|since|for)\s+$", before):
                return None
        m1, m2 = SEASONS[s]
        year = _year_of(g.get("year"))
        if g.get("yrel") and pub:
            year = pub.year + {"this": 0, "last": -1, "next": 1}[g["yrel"].lower()]
        if year is not None:
            if g.get("y2"):
                y2 = _year_of(g["y2"], year)
                if y2 != year + 1:
                    return None
            a.span = _season_span(s, year)
            return a
        if pub is None:
            return None
        a.span = _season_rel(s, rel.split()[-1] if rel else "", pub)
        if a.span is None:
            a.month = m1
            a.make = lambda yy, s=s: _season_span(s, yy)
            a.span = None
        return a

    if name == "crop":
        y1 = int(g["y1"])
        y2 = _year_of(g["y2"], y1)
        sep = g["sep"]
        kind = (g.get("kind") or "").lower()
        what = (g.get("what") or "").lower()
        if y2 is None or y2 <= y1 or y2 - y1 > 30:
            return None
        if y2 == y1 + 1:
            if g.get("m1") and g.get("m2"):
                ms, me = _month_of(g["m1"]), _month_of(g["m2"])
                a.span = (dt.date(y1, ms, 1), _month_end(y2 if me < ms else y1, me), "year")
                return a
            if kind == "calendar":
                a.span = (dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range")
                return a
            if sep != "/" and not (kind or what):
                a.span = (dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range")
                return a
            fy_end = _FY_END.match(text, m.end(), m.end() + 40) or \
                _FY_END.match(text[m.end():m.end() + 40].lstrip(" ,"))
            if kind == "fiscal" or "fiscal" in what or "financial" in what:
                ms = 4
                if fy_end and _month_of(fy_end.group("mon")):
                    ms = _month_of(fy_end.group("mon")) % 12 + 1
            else:
                ms = _marketing_start(text, m.start())
            a.span = (dt.date(y1, ms, 1), _month_end(*_add_months(y1, ms, 11)), "year")
            return a
        if sep == "/" and (kind or what):
            return None
        a.span = (dt.date(y1, 1, 1), dt.date(y2, 12, 31), "range")
        return a

    if name == "year":
        y = int(g["y"])
        kind = (g.get("kind") or "").lower()
        if kind.startswith("fiscal") or kind == "fy":
            a.span = _fiscal_span(text, m.start(), y)
            a.confidence = 0.7
            return a
        if not kind and not g.get("mod") and not _year_context_ok(text, m.start("y"), m.end("y")):
            return None
        a.span = (dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
        return a

    if name == "fy_short":
        y = _year_of(g["y"], pub.year if pub else 2000)
        a.span = _fiscal_span(text, m.start(), y)
        a.confidence = 0.7
        return a

    if name == "decade":
        c = g.get("c")
        d = int(g["d"])
        if c:
            y0 = int(c) * 100 + d * 10
        else:
            if not m.group(0).lower().startswith("the"):
                return None
            y0 = (1900 if d >= 3 else 2000) + d * 10
        a.span = (dt.date(y0, 1, 1), dt.date(y0 + 9, 12, 31), "decade")
        return a

    if pub is None:
        return None

    if name == "day_rel":
        w = (g.get("w") or g.get("w2") or "").lower().replace("'s", "")
        w = re.sub(r"\s+", " ", w)
        if w in ("today", "tonight", "this morning", "this afternoon", "this evening"):
            d = pub
        elif w in ("yesterday", "last night"):
            d = pub - dt.timedelta(days=1)
        elif w == "tomorrow":
            d = pub + dt.timedelta(days=1)
        else:
            return None
        if g.get("mod"):
            a.start = m.start("w")
        a.span = (d, d, "day")
        return a

    if name == "weekday":
        wd = WEEKDAYS[g["wd"].lower()]
        rel = (g.get("rel") or "").lower()
        a.month = wd        # resolved later with the tense
        a.rel_tense = {"last": "past!", "past": "past!", "next": "future!", "coming": "future",
                       "this": "future"}.get(rel)
        a.make = None
        return a

    if name == "weekend":
        rel = g["rel"].lower().split()[-1]
        sat = pub + dt.timedelta(days=5 - pub.weekday())          # Saturday of this week
        if pub.weekday() == 6:
            sat = pub - dt.timedelta(days=1)
        if rel in ("last", "past"):
            sat = sat - dt.timedelta(days=7)
        elif rel in ("next",):
            sat = sat + dt.timedelta(days=7)
        a.span = (sat, sat + dt.timedelta(days=1), "range")
        return a

    if name == "unit_rel":
        rel = g["rel"].lower().split()[-1]
        unit = g["unit"].lower()
        if rel in ("past", "same"):
            return None      # "the past year" (vague); "the same year" (anaphora)
        if unit == "season":
            return None
        if rel in ("previous", "prior", "preceding"):
            a.anchor = (unit, -1)
            a.span = _unit_rel(unit, -1, pub)
            return a
        k = {"this": 0, "current": 0, "last": -1, "next": 1, "coming": 1, "following": 1}[rel]
        if rel == "following":
            a.anchor = (unit, 1)
        a.span = _unit_rel(unit, k, pub)
        return a

    if name == "end_of_year":
        a.span = _unit_rel(g["unit"].lower(), 0, pub)
        return a

    if name == "ago":
        n = _count_of(g["n"])
        unit = g["unit"].lower().rstrip("s")
        how = g["how"].lower()
        if not n:
            return None
        if how != "ago":
            a.anchor = (unit, -n)
            a.anchor_only = True
        elif n == 1 and unit in ("year", "week", "month"):
            a.anchor = (unit, -1)
        if unit == "day":
            d = pub - dt.timedelta(days=n)
            a.span = (d, d, "day")
        else:
            a.span = _unit_rel(unit, -n, pub)
        return a

    if name == "year_ago_adj":
        unit = g["how"].lower()
        a.anchor = (unit, -1)
        noun = g["noun"].lower()
        if unit == "year" and noun in ("month", "quarter", "week"):
            a.anchor_prec = noun      # "the year-ago month": the month last mentioned, a year earlier
        a.anchor_only = True
        a.span = _unit_rel(unit, -1, pub)
        return a

    if name == "same_period":
        if g.get("year"):
            a.anchor = ("to_year", int(g["year"]))
        else:
            a.anchor = ("year", -1)
        a.anchor_only = True
        a.span = None
        return a

    if name == "year_before":
        unit = g["unit"].lower()
        a.anchor = (unit, -1)
        a.anchor_only = True
        a.span = _unit_rel(unit, -1, pub)
        return a
    return None


def _ended_span(end: dt.date, unit: str, n: int):
    if end is None:
        return None
    if unit == "week":
        return end - dt.timedelta(days=7 * n - 1), end, ("week" if n == 1 else "range")
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    start = _shift_date(end, months=-months) + dt.timedelta(days=1)
    prec = {"month": "month", "quarter": "quarter", "year": "year"}[unit] if n == 1 else \
        ("year" if months == 12 else "range")
    if unit == "year" and n == 1:
        prec = "year"
    return start, end, prec


def _season_span(s: str, year: int):
    m1, m2 = SEASONS[s]
    if s == "winter":
        return dt.date(year, 12, 1), _month_end(year + 1, 2), "season"
    return dt.date(year, m1, 1), _month_end(year, m2), "season"


def _season_rel(s: str, rel: str, pub: dt.date):
    """this/last/next season relative to ``pub``; None when the tense must decide."""
    # the season's occurrence that contains pub or starts after it ("this")
    def occ(year):
        return _season_span(s, year)
    cands = [occ(y) for y in (pub.year - 2, pub.year - 1, pub.year, pub.year + 1)]
    current = next((c for c in cands if c[0] <= pub <= c[1]), None)
    upcoming = next(c for c in cands if c[0] > pub)
    past = [c for c in cands if c[1] < pub][-1]
    if rel in ("this", "current"):
        if current:
            return current
        # "this summer" said in spring: this year's; "this winter" said in autumn: the coming one
        # "this winter" said in March is the winter just ended; "this summer" said in March is ahead
        return past if (pub - past[1]).days <= 45 else upcoming
    if rel in ("next", "coming", "following"):
        return upcoming
    if rel in ("last", "previous", "past"):
        return past
    if current:
        return current
    return None


def _unit_rel(unit: str, k: int, pub: dt.date):
    if unit == "year":
        return dt.date(pub.year + k, 1, 1), dt.date(pub.year + k, 12, 31), "year"
    if unit == "month":
        y, mo = _add_months(pub.year, pub.month, k)
        return (*_month_span(y, mo), "month")
    if unit == "week":
        mon, sun = _week_of(pub + dt.timedelta(days=7 * k))
        return mon, sun, "week"
    if unit == "quarter":
        q0 = (pub.month - 1) // 3
        y, mo = _add_months(pub.year, q0 * 3 + 1, 3 * k)
        return dt.date(y, mo, 1), _month_end(*_add_months(y, mo, 2)), "quarter"
    if unit == "day":
        d = pub + dt.timedelta(days=k)
        return d, d, "day"
    return None


def _marketing_start(text: str, pos: int) -> int:
    """Start month of a crop/marketing year: from the commodity named near it."""
    window = text[max(0, pos - 150):pos + 150].lower()
    best, best_dist = None, 10 ** 6
    for word, month in MARKETING_START.items():
        if word.startswith("_"):
            continue
        for wm in re.finditer(rf"\b{re.escape(word)}\b", window):
            dist = abs(wm.start() - min(150, pos))
            if dist < best_dist:
                best, best_dist = month, dist
    return best or MARKETING_START["_default"]


_FY_END = re.compile(rf"(?i:ending|ended|ends|to)\s+(?P<mon>{MON})(?:\s+(?P<day>\d{{1,2}}))?")
_FY_DEF = re.compile(rf"(?i:fiscal)[^.]{{0,40}}?(?i:ending|ended|ends)\s+(?P<mon>{MON})")
_US_GOV = re.compile(r"\b(?:U\.?S\.?|USDA|Congress|federal|Administration|Pentagon|budget)\b")


def _fiscal_span(text: str, pos: int, year: int):
    """A fiscal year: its end month when written ("ending June 30"), the U.S. government's
    October-September year when the sentence is about it, else the calendar year."""
    window = text[pos:pos + 80]
    m = _FY_END.search(window)
    if not m:
        # a fiscal year defined earlier in the report ("fiscal 1988, ending January 31")
        for m0 in _FY_DEF.finditer(text, 0, pos):
            m = m0
    if m and _month_of(m.group("mon")):
        me = _month_of(m.group("mon"))
        end = _month_end(year, me)
        start = _shift_date(end, months=-12) + dt.timedelta(days=1)
        return start, end, "year"
    around = text[max(0, pos - 200):pos + 120]
    if _US_GOV.search(around):
        return dt.date(year - 1, 10, 1), dt.date(year, 9, 30), "year"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"


def _year_context_ok(text: str, s: int, e: int) -> bool:
    """A bare 19xx/20xx is a year unless it reads as a time of day or a count/identifier."""
    before = text[max(0, s - 25):s]
    after = text[e:e + 12]
    if re.match(r"\s*(?i:hrs|hours|gmt|utc|local|est|edt|bst|cet|msk|a\.?m|p\.?m)\b", after):
        return False
    if re.search(r"(?i:\b(?:at|around|about|by|before|after|until|from)\s+)$", before) and \
            re.match(r"\s*(?:\(|-|\u2013|to\b|and\b)?\s*\d{4}\s*(?i:gmt|hrs|local|utc)", after):
        return False
    # "about 1990 tonnes" is caught by the unit look-ahead; a number right after a currency or
    # "No." is no year
    if re.search(r"(?:\b[Nn]os?\.|#|\b(?i:number|flight|model|section|article|resolution|page|item|form))\s*$", before):
        return False
    if re.search(r"[$\u00a3\u20ac#]\s*$", before):
        return False
    if re.search(r"(?i:\b(?:at|around|about)\s+)$", before) and not re.match(r"\s*(?:levels?|prices?)", after):
        # "at 1990 levels" is a year; "at 1930" (a time) is not: only years well in range pass
        return 1940 <= int(text[s:e]) <= 2049 and not re.match(r"\s*[.,;]?\s*$", after[:3]) and \
            re.match(r"\s*(?i:levels?|prices?|highs?|lows?)", after) is not None
    return True


_MAY_CTX = re.compile(r"(?i:\b(?:in|since|until|till|by|from|to|of|for|during|before|after|through|early|late|mid|"
                      r"end|last|this|next|and|or|between|on|than)\s+)$")


def _may_is_month(text: str, pos: int) -> bool:
    """Bare "May" is the month only after a preposition or a date word ("in May", "late May")."""
    return bool(_MAY_CTX.search(text[max(0, pos - 12):pos]))


def _month_word_ok(word: str, with_number: bool) -> bool:
    """Month names: capitalised unless a day or year follows; abbreviations need a number."""
    w = word.strip().rstrip(".")
    if w.lower() in _ABBREV:
        return with_number and (_capitalised(w))
    if not with_number and not _capitalised(w):
        return False
    return True


# ---------------------------------------------------------------------------
# Tense and year inference
# ---------------------------------------------------------------------------

_MAX_HEADS = 40
_NEAR = 8


def _near_children(tok):
    """The children of ``tok`` within a few tokens of it: auxiliaries and modifiers sit
    there, and a head of thousands of children (a flat parse of a table) is not walked."""
    doc = tok.doc
    for i in range(max(tok.i - _NEAR, 0), min(tok.i + _NEAR + 1, len(doc))):
        if i != tok.i and doc[i].head.i == tok.i:
            yield doc[i]


def _tense(doc, start: int, end: int) -> str | None:
    """"future", "past" or None for the clause around ``doc.text[start:end]`` (from the parse)."""
    if doc is None or not doc.has_annotation("DEP"):
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    tok = span.root
    infinitive = False
    # a clause is a few heads deep; a flat "sentence" of thousands of tokens (a table)
    # must not make every date walk to its root
    for anc in [tok, *itertools.islice(tok.ancestors, _MAX_HEADS)]:
        low = anc.lower_
        if anc.i != tok.i and (low in _FUT_NOUNS or (anc.pos_ == "ADJ" and low in _FUT_LEMMAS)):
            return "future"
        if low in ("ago", "earlier"):
            return "past"
        if anc.i != tok.i and anc.pos_ == "NOUN" and any(
                c.dep_ == "amod" and c.lower_ in ("previous", "earlier", "prior", "former", "old")
                for c in _near_children(anc)):
            return "past"
        if anc.pos_ in ("VERB", "AUX") or anc.tag_.startswith("VB"):
            kids = [c.lower_ for c in _near_children(anc) if c.dep_ in ("aux", "auxpass")]
            if any(k in _FUT_AUX for k in kids) or anc.lemma_.lower() in _FUT_LEMMAS:
                return "future"
            if "have" in kids and any(k in _WEAK_AUX for k in kids):
                return "past"       # "could have kept"
            if any(k in _WEAK_AUX for k in kids):
                return "weak_future"
            if anc.tag_ == "VBN" and not kids and anc.dep_ in ("acl", "relcl", "advcl", "amod"):
                return "past"       # "measures announced in November"
            if "to" in kids and anc.dep_ in ("xcomp", "advcl", "acl", "relcl", "ccomp"):
                infinitive = True
                continue
            if infinitive and anc.lemma_.lower() in ("agree", "decide", "vote", "promise", "pledge", "offer"):
                return "future"
            if anc.tag_ == "VBD" or any(k in ("had", "has", "have", "did", "was", "were") for k in kids):
                if anc.lemma_.lower() in ("say", "tell", "report", "announce", "add", "state") and \
                        tok.head.i != anc.i and anc.i != tok.i:
                    # "delivery in May, the committee said": the reporting verb tells nothing
                    continue
                return None if infinitive else "past"
            if anc.tag_ in ("VBZ", "VBP", "VBG") and anc.dep_ in ("ROOT", "ccomp"):
                return None
    return None


def _infer_year(month: int, pub: dt.date, tense: str | None) -> int:
    d = month - pub.month
    if tense == "future":
        return pub.year + 1 if d < -3 else pub.year
    if tense == "weak_future":     # would/could: a future only for the months just ahead
        return pub.year - 1 if d > 6 else pub.year
    if tense == "past":
        return pub.year - 1 if d > 1 else pub.year
    if d > 6:
        return pub.year - 1
    return pub.year


def _resolve_weekday(wd: int, pub: dt.date, tense: str | None) -> dt.date:
    back = pub - dt.timedelta(days=(pub.weekday() - wd) % 7)
    fwd = pub + dt.timedelta(days=(wd - pub.weekday()) % 7)
    if tense == "past!":
        return back if back < pub else back - dt.timedelta(days=7)
    if tense == "future!":
        return fwd if fwd > pub else fwd + dt.timedelta(days=7)
    if tense in ("future", "weak_future"):
        return fwd
    return back


# ---------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------

def _windows(text: str, trigger: re.Pattern, key: str) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    n = len(text)
    inside_ok = key in ("YEAR", "QUARTER", "HALF")
    for m in trigger.finditer(text):
        # a trigger inside a longer word ("market", "decline") opens no window
        if not inside_ok and ((m.start() and text[m.start() - 1].isalnum())
                              or (m.end() < n and text[m.end()].isalpha())):
            continue
        lo, hi = max(0, m.start() - _BACK), min(n, m.end() + _FWD)
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _atoms(text: str, published: dt.date | None) -> list[Atom]:
    cands = []
    seen = set()
    windows = {key: _windows(text, trig, key) for key, trig in _TRIGGERS.items()}
    for order, (name, trigger, pat) in enumerate(_COMPILED):
        for lo, hi in windows[trigger]:
            for m in pat.finditer(text, lo, hi):
                if m.end() > hi - 8 and hi < len(text):
                    # near the window's end a look-ahead saw a false end of text: match again
                    m = pat.match(text, m.start(), min(len(text), hi + 200)) or m
                if m.end() == m.start() or (order, m.start(), m.end()) in seen:
                    continue
                seen.add((order, m.start(), m.end()))
                cands.append((m.start(), m.end(), order, name, m))
    # longest first, then earliest, then grammar order
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2]))
    # the spans taken so far never overlap: kept sorted, the one starting last before
    # ``e`` is the only one that can overlap [s, e) (a linear scan was quadratic)
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    atoms = []
    for s, e, _, name, m in cands:
        k = bisect.bisect_left(taken_starts, e)
        if k and taken_ends[k - 1] > s:
            continue
        a = _build_atom(name, m, text, published)
        if a is None:
            continue
        taken_starts.insert(k, s)
        taken_ends.insert(k, e)
        atoms.append(a)
    atoms.sort(key=lambda a: a.start)
    return atoms


def _resolve(a: Atom, doc, pub: dt.date | None, year: int | None = None):
    """(start, end, precision) of an atom, or None."""
    if a.span is not None and a.make is None:
        return a.span
    if a.kind == "weekday":
        if pub is None:
            return None
        tense = a.rel_tense if a.rel_tense and a.rel_tense.endswith("!") else \
            (a.rel_tense or _tense(doc, a.start, a.end))
        d = _resolve_weekday(a.month, pub, tense)
        return d, d, "day"
    if a.make is None:
        return None
    yy = year if year is not None else a.year
    if yy is None:
        if pub is None:
            return None
        tense = a.rel_tense or _tense(doc, a.start, a.end)
        yy = _infer_year(a.month, pub, tense)
    try:
        return a.make(yy)
    except (ValueError, TypeError):
        return None


def _compose(atoms: list[Atom], text: str, doc, pub):
    """Join ranges and trailing year phrases; returns entries (start_char, end_char, span, atom)."""
    out = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        # "X to/until/through Y" (optionally "from X", "between X and Y")
        if nxt is not None and not getattr(a, "anchor_only", False) and not getattr(nxt, "anchor_only", False) \
                and a.kind not in ("ended",) and nxt.kind not in ("ended",):
            gap = text[a.end:nxt.start]
            pm = _RANGE_PREFIX.search(text[max(0, a.start - 12):a.start])
            gm = _RANGE_GAP.match(gap)
            word = gap.strip().lower()
            ok = gm is not None
            if ok and word == "and":
                ok = bool(pm and pm.group("w").lower() == "between")
            if ok and not pm and word in ("to",):
                # "X to Y" without "from": only two dates of the same kind ("March to June")
                ok = a.kind == nxt.kind and a.kind in ("month", "date", "day_range", "quarter", "half", "year")
            if gm is None and gap.strip() == "/" and a.kind == nxt.kind and a.kind in ("month", "date"):
                ok = True
            if ok and word.startswith("-") or (ok and gap.strip() in ("-", "\u2013", "\u2014")):
                ok = a.kind == nxt.kind or {a.kind, nxt.kind} <= {"month", "date"}
            if ok:
                r = _resolve_range(a, nxt, text, doc, pub)
                if r is not None:
                    s = a.start - (len(pm.group(0)) if pm else 0)
                    out.append((s, nxt.end, r, a))
                    i += 2
                    continue
        # "February 1 to 26 last year", "March of this year"
        if a.year is None and a.make is not None and pub is not None:
            ym = _YREL_AFTER.match(text[a.end:a.end + 25])
            if ym and nxt is not None and nxt.start == a.end + ym.start("rel") and nxt.kind == "unit_rel":
                yy = pub.year + {"this": 0, "last": -1, "next": 1}[ym.group("rel").lower()]
                r = _resolve(a, doc, pub, year=yy)
                if r:
                    out.append((a.start, nxt.end, r, a))
                    i += 2
                    continue
        r = None
        if a.year is None and a.make is not None:
            r = _inside_container(a, out, text, doc, pub)
        if r is None:
            r = _resolve(a, doc, pub)
        if r is None and getattr(a, "anchor_only", False):
            out.append((a.start, a.end, None, a))
        if r is not None:
            out.append((a.start, a.end, r, a))
            for (s, e, mo, d) in a.extra:
                first = r[0]
                dd = _safe_date(first.year, mo, d) if first else None
                if dd:
                    out.append((s, e, (dd, dd, "day"), a))
        i += 1
    return out


_SENT_BREAK = re.compile(r"[.!?][\"')]?\s+[\"(]?[A-Z]|\n\s*\n|\n[ \t]{2,}")


# How far back a container may be named: one sentence, not a whole page.  Without a
# limit a report that is one long "sentence" of dates (a table) took cubic time.
_CONTAINER_REACH = 1000


def _inside_container(a: Atom, done: list, text: str, doc, pub):
    """A day or month written without a year inside a crop year, season, quarter or range named
    earlier in the same sentence takes the year that puts it inside ("the 2024/25 marketing year
    starts on July 1")."""
    for s, e, span, b in reversed(done):
        if e > a.start:
            continue
        if a.start - e > _CONTAINER_REACH:
            return None
        if span is None or (span[1] - span[0]).days < 40:
            continue
        # (checked here, not for every short date passed on the way: a break between
        # a later date and this one is also between this candidate and it)
        if _SENT_BREAK.search(text, e, a.start):
            return None
        if span[0].month == 1 and span[0].day == 1 and span[1].month == 12 and span[1].day == 31:
            return None     # a calendar year: "in 1986 ... at the end of January" is not nested
        for yy in sorted({span[0].year, span[1].year}):
            r = _resolve(a, doc, pub, year=yy)
            if r and r[0] and r[1] and span[0] <= r[0] and r[1] <= span[1]:
                return r
        return None
    return None


def _resolve_range(a: Atom, b: Atom, text, doc, pub):
    """Span from the start of ``a`` to the end of ``b`` (years shared between them)."""
    if a.year is None and b.year is not None and a.make is not None:
        ra = _resolve(a, doc, pub, year=b.year)
        rb = _resolve(b, doc, pub)
        if ra and rb and ra[0] > rb[1]:
            ra = _resolve(a, doc, pub, year=b.year - 1)
    else:
        ra = _resolve(a, doc, pub)
        if ra is None:
            return None
        if b.year is None and b.make is not None:
            rb = _resolve(b, doc, pub, year=ra[0].year)
            if rb and rb[1] < ra[0]:
                rb = _resolve(b, doc, pub, year=ra[0].year + 1)
        else:
            rb = _resolve(b, doc, pub)
    if not ra or not rb or ra[0] is None or rb[1] is None or rb[1] < ra[0]:
        return None
    return ra[0], rb[1], "range"


def _sentence_bounds(doc, text: str):
    """Sentence start offsets (from the parse when there is one)."""
    if doc is not None and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        from spacy.attrs import SENT_START
        flags = doc.to_array(SENT_START)          # cheaper than iterating doc.sents
        starts = [doc[int(i)].idx for i in (flags == 1).nonzero()[0]]
        return starts if starts and starts[0] == 0 else [0] + starts
    return [0] + [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z])", text)]


_BASE = re.compile(r"(?i:\b(?:from|against|compared\s+(?:with|to)|versus|vs\.?|than|over)\b(?:[^.;:!?]|\.(?=\d)){0,45})$")


def _comparison_base(text: str, pos: int, sent_start: int) -> bool:
    """True when the date at ``pos`` is the base of a comparison ("up from 8 mln in 1985")."""
    before = text[max(sent_start, pos - 50):pos]
    m = _BASE.search(before)
    return bool(m) and re.search(r"\d", m.group(0)) is not None and \
        not re.search(r"(?i:\bto\b)", m.group(0)[4:])


def _apply_anchors(entries, doc, text, pub):
    """Comparison phrases ("a year ago", "the previous week") take the span they compare with."""
    import bisect
    if not any(a.anchor is not None for _, _, _, a in entries):
        return entries
    starts = _sentence_bounds(doc, text)
    sent_of = [bisect.bisect_right(starts, e[0]) - 1 for e in entries]
    resolved = []
    for idx, (s, e, span, a) in enumerate(entries):
        if a.anchor is None or span is None and not getattr(a, "anchor_only", False):
            resolved.append((s, e, span, a))
            continue
        unit, k = a.anchor
        sent = sent_of[idx]
        same = [(rs, re_, rspan, ra) for j, (rs, re_, rspan, ra) in enumerate(resolved)
                if sent_of[j] == sent and rspan is not None and rs < s]
        target = None
        if unit in ("year", "to_year"):
            cands = [x for x in same if x[3].kind not in ("day_rel", "weekday") and not x[3].dateline
                     and x[3].anchor is None and not _comparison_base(text, x[0], starts[sent])]
            prec = getattr(a, "anchor_prec", None)
            if prec:
                cands = [x for j, x in enumerate(resolved) if x[2] is not None and x[2][2] == prec
                         and not x[3].dateline]
                cands = cands[-1:]
            if cands:
                target = max(cands, key=lambda x: ((x[2][1] - x[2][0]).days, x[0]))
            elif a.kind in ("unit_rel", "year_before", "same_period", "ago") and \
                    (a.kind != "ago" or getattr(a, "anchor_only", False)):
                # "the previous year" with nothing before it in the sentence: the latest sentence
                # with a year-long date
                for j in range(len(resolved) - 1, -1, -1):
                    rs, re_, rspan, ra = resolved[j]
                    if rspan is None or sent_of[j] >= sent:
                        continue
                    if (rspan[1] - rspan[0]).days >= 300 and ra.anchor is None and \
                            not _comparison_base(text, rs, starts[sent_of[j]]):
                        group = [x for jj, x in enumerate(resolved)
                                 if sent_of[jj] == sent_of[j] and x[2] is not None
                                 and (x[2][1] - x[2][0]).days >= 300 and x[3].anchor is None
                                 and not _comparison_base(text, x[0], starts[sent_of[j]])]
                        target = group[0]
                        break
            if target is not None:
                tspan = target[2]
                if unit == "to_year":
                    n = k - tspan[0].year
                else:
                    n = k
                if a.kind in ("unit_rel", "year_before") and (tspan[1] - tspan[0]).days < 300:
                    # "the previous year" after a day or a month: the whole calendar year before
                    y = tspan[0].year + n
                    span = (dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
                else:
                    span = (_shift_date(tspan[0], years=n), _shift_date(tspan[1], years=n), tspan[2])
        else:
            step = {"week": 7, "day": 1}
            pool = same if a.kind == "ago" else [x for j, x in enumerate(resolved) if x[2] is not None]
            want = {"week": ("week",), "month": ("month",), "quarter": ("quarter",), "day": ("day",)}.get(unit, ())
            cands = [x for x in pool if x[2][2] in want and x[3].kind not in ("unit_rel", "ago") or
                     (x[2][2] in want and x[3].anchor is not None)]
            if unit == "week" and a.kind != "ago":
                cands = [x for x in pool if x[2][2] == "week"]
            if cands:
                tspan = cands[-1][2]
                if unit in step:
                    delta = dt.timedelta(days=step[unit] * k)
                    span = (tspan[0] + delta, tspan[1] + delta, tspan[2])
                else:
                    months = k * (3 if unit == "quarter" else 1)
                    s0 = _shift_date(tspan[0], months=months)
                    e0 = _shift_date(tspan[1], months=months)
                    span = (s0, e0, tspan[2])
        if span is None:
            continue
        resolved.append((s, e, span, a))
    return resolved


# Relative dates are resolved by calendar arithmetic on the publication date; far
# from the ends of datetime.date's range it cannot overflow.
_PUB_MIN, _PUB_MAX = dt.date(1000, 1, 1), dt.date(9000, 12, 31)


def find_dates(doc) -> list[dict]:
    """Every date expression of ``doc`` as ``{text, start, end, precision, char_start, char_end,
    sentence, sentence_start, confidence}``, in text order.

    ``doc._.published`` anchors relative dates; a dateline found by ``factwire_dateline``
    gives its own date to the date written in it.  Works on a Doc from ``nlp.make_doc``
    too (no parse: the tense of a clause is then unknown and the nearest year is used).
    """
    text = doc_text(doc)
    pub = getattr(doc._, "published", None)
    if isinstance(pub, dt.datetime):
        pub = pub.date()
    if pub is not None and not (_PUB_MIN <= pub <= _PUB_MAX):
        pub = None          # a nonsense date (a feed's 0001-01-01) anchors nothing
    atoms = _atoms(text, pub)
    dl = getattr(doc._, "dateline", None) or {}
    dls, dle = dl.get("date_char_start"), dl.get("date_char_end")
    if dls is not None:
        for a in atoms:
            if a.start < dle and dls < a.end:
                a.dateline = True
    entries = _compose(atoms, text, doc, pub)
    entries = _apply_anchors(entries, doc, text, pub)
    out = []
    has_sents = doc.has_annotation("SENT_START") or doc.has_annotation("DEP")
    for s, e, span, a in entries:
        start, end, prec = span
        if start is None or end is None or end < start:
            continue
        if dls is not None and dl.get("date") and s < dle and dls < e and prec == "day":
            d = dt.date.fromisoformat(dl["date"])
            start = end = d
        item = {"text": text[s:e], "start": start.isoformat(), "end": end.isoformat(), "precision": prec}
        if has_sents:
            item.update(provenance(doc, s, e))
        else:
            item.update({"char_start": s, "char_end": e, "sentence": text[s:e], "sentence_start": s})
        item["confidence"] = a.confidence
        out.append(item)
    return out


@Language.component("factwire_dates")
def dates_component(doc):
    doc._.dates = find_dates(doc)
    return doc
