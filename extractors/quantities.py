"""Commodity amounts tied to commodity, facility, period and status.

Finding amounts is regular-expression work over ``doc_text(doc)`` (compiled once
from the unit lexicon in ``patterns/quantities_units.json``):

1. every number expression (``numbers.NUMBER_RE``: "7,000", "1.5 mln",
   "three mln", "2 million 895 thousand", "1.2mn") not inside a date;
2. a unit written right after it ("tonnes", "bpd", "bcm", "cubic feet" ...),
   then an optional rate ("per day", "a year", "annually", "of gas per day");
3. ranges ("12 to 14 mln tonnes", "140-150,000 bpd", "between 1.3 and four
   mln barrels") give one quantity per end, each with the whole range as text;
   a bare end borrows unit and scale from its partner ("from 67 to 81.5mn
   tons", "fell 1.2 mln barrels to 331.8 mln");
4. a bare figure elsewhere borrows the unit of the amount before it only in a
   comparison ("from 774,704"), a list ("147,214 of wheat") or when it carries
   its own scale word ("105.6 mln in 1986") and is not followed by another noun;
5. money, prices, percentages, vessel sizes (dwt, "a 100,000-tonne tanker",
   and what is given as their alternative), pollutant emissions are dropped.

Each amount is then tied to its commodity, facilities, period and status by
``facts.link`` (dependency parse plus cue lexicons).
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from spacy.language import Language

from . import numbers
from .numbers import NUMBER_RE, borrow_scale, is_plain_integer, number_value
from .text import doc_text, provenance

VERSION = "7"

PATTERNS = Path(__file__).parent / "patterns"

_MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
           r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?")


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    units = json.loads((PATTERNS / "quantities_units.json").read_text(encoding="utf-8"))
    cues = json.loads((PATTERNS / "quantities_cues.json").read_text(encoding="utf-8"))
    goods = json.loads((PATTERNS / "quantities_commodities.json").read_text(encoding="utf-8"))
    return {"units": units, "cues": cues, "goods": goods}


def _alt(forms) -> str:
    parts = []
    for f in sorted(set(forms), key=len, reverse=True):
        parts.append(r"\s+".join(re.escape(w) for w in f.split()))
    return "|".join(parts)


@functools.lru_cache(maxsize=1)
def _compiled():
    lex = lexicon()["units"]
    table = {}
    for entry in lex["units"]:
        for form in entry["forms"]:
            table[form.lower()] = (entry["unit"], float(entry.get("mult", 1)), entry.get("per"))
    cs_table = {}
    for entry in lex.get("case_sensitive", []):
        for form in entry["forms"]:
            cs_table[form] = (entry["unit"], float(entry.get("mult", 1)), entry.get("per"))
    # unit right after the number: "tonnes", "-tonne", " bpd", "mln barrels" handled by NUMBER_RE
    # a unit, but not a unit of transport work ("tonne-miles", "tonne-km")
    unit_re = re.compile(
        rf"(?:\s*-\s*|\s?)(?:(?P<cs>{_alt(cs_table)})|(?P<unit>(?i:{_alt(table)})))(?![A-Za-z0-9])"
        rf"(?![\s-]*(?i:miles?|km|kilomet(?:er|re)s?)\b)")
    rate_forms = {}
    for per, forms in lex["rates"].items():
        for f in forms:
            rate_forms[f.lower()] = per
    rate_alt = _alt([f for f in rate_forms if not f.startswith("/")]).replace(r"\s+", r"[\s-]+")
    slash_alt = "|".join(re.escape(f) for f in sorted((f for f in rate_forms if f.startswith("/")),
                                                        key=len, reverse=True))
    rate_re = re.compile(
        rf"(?:(?P<slash>{slash_alt})(?![A-Za-z])|"
        rf"(?:\s*\([^()]{{1,15}}\))?(?:\s+of\s+(?:[A-Za-z][\w'-]*\s+){{0,4}}?|\s*,?\s*|-)"
        rf"(?P<rate>(?i:{rate_alt}))(?![\w-]))")
    quals = sorted(lex["qualifiers"], key=len, reverse=True)
    qual_re = re.compile(rf"(?i:(?<![\w])(?P<q>{_alt(quals)})\s+(?:of\s+)?)$")
    cues = lexicon()["cues"]["exclusions"]
    money_re = re.compile(rf"(?i:(?:{_alt(cues['money_words'])}|\$|€|£))")
    vessel_unit_re = re.compile(rf"\s*(?i:{_alt(cues['vessel_units'])})\b")
    vessel_before_re = re.compile(
        rf"(?i:(?:{_alt(cues['vessel_units'])})\)?\s*,?\s*(?:or|and)\s+(?:some\s+|about\s+|around\s+)?)$")
    vessel_noun_re = re.compile(
        rf"(?:\s+|-)(?:(?!of\b|and\b|or\b)[A-Za-z-]+\s+){{0,3}}?(?i:{_alt(cues['vessel_nouns'])})\b")
    # "ships of 79,499 tons", "vessels up to 150,000 tonnes", "range in size from 6,000 to 10,000 tonnes"
    vessel_lead_re = re.compile(
        rf"(?i:(?:\b(?:{_alt(cues['vessel_nouns'])})\s+(?:of|totalling|totaling|with|up\s+to|of\s+up\s+to)\s+"
        rf"(?:about\s+|some\s+|around\s+)?|\bin\s+size\s+(?:from\s+|of\s+)?(?:about\s+|some\s+)?)$)")
    return {"unit_table": table, "cs_table": cs_table, "unit_re": unit_re, "rate_forms": rate_forms,
            "vessel_lead_re": vessel_lead_re,
            "rate_re": rate_re, "qual_re": qual_re, "money_re": money_re,
            "vessel_unit_re": vessel_unit_re, "vessel_before_re": vessel_before_re,
            "vessel_noun_re": vessel_noun_re}


_DATEWORD = re.compile(rf"(?i:\b(?:{_MONTHS}|year|years|week|weeks|month|months|quarter|day|days|ago|"
                      r"season|century|decade|today|yesterday|tomorrow|monday|tuesday|wednesday|thursday|"
                      r"friday|saturday|sunday|spring|summer|autumn|fall|winter|night|morning)\b|\b(?:1[89]|20)\d\d\b)")
_DATE_BEFORE = re.compile(rf"(?i:\b{_MONTHS}\s*$)")
_CONNECT = re.compile(r"\s*(?P<c>to|-|–|—|and|or)\s*(?:a\s+|an\s+)?", re.I)
_COMPARE_BEFORE = re.compile(
    r"(?i:\b(?:from|against|versus|vs\.?|compared\s+(?:with|to)|than)\s+"
    r"(?:(?:a|an|the)\s+)?(?:(?:previous|revised|actual|estimated|earlier|initial|record|total|year-ago|"
    r"forecast|projected|provisional|preliminary|original)\s+)?(?:of\s+)?$)")
_COORD_RATE = re.compile(
    r"(?:\s+of\s+[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2})?\s+and\s+(?:up\s+to\s+|about\s+|around\s+)?"
    r"\d[\d,.]*(?:\s*(?:mln|million|thousand|bln|billion|mn|bn))?\s+[A-Za-z]+"
    r"(?:\s+of\s+[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)?\s+"
    r"(?P<rate>per\s+(?:day|week|month|quarter|year|annum)|a\s+(?:day|week|month|quarter|year)|annually|daily|monthly)\b"
    r"(?!\s+(?:ago|earlier|before|later)\b)", re.I)
_YEARLIKE = re.compile(r"^(?:1[89]\d\d|20\d\d)$")


class Mention:
    """One number expression in the text, with whatever unit/rate follows it."""
    __slots__ = ("m", "start", "end", "value", "num", "scale", "unit", "mult", "per", "unit_end",
                 "end_all", "qual", "qual_start", "excluded", "used")

    def __init__(self, m):
        self.m = m
        self.start, self.end = m.start(), m.end()
        self.num, self.scale = m.group("num"), m.group("scale") or m.group("scale2")
        self.value = number_value(m)
        self.unit = None
        self.mult = 1.0
        self.per = None
        self.unit_end = self.end
        self.end_all = self.end
        self.qual = None
        self.qual_start = self.start
        self.excluded = False
        self.used = False

    @property
    def is_word(self) -> bool:
        return not self.num[0].isdigit()


def _date_spans(doc) -> list[tuple[int, int]]:
    spans = [(d.get("char_start"), d.get("char_end")) for d in (doc._.dates or [])
             if d.get("char_start") is not None]
    spans += [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("DATE", "TIME")
              and _DATEWORD.search(e.text)]
    return spans


def _in_spans(start, end, spans) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _mentions(doc) -> list[Mention]:
    c = _compiled()
    text = doc_text(doc)
    dates = _date_spans(doc)
    # the model's MONEY/PERCENT spans, only where a currency or percent word is written in them
    pct = {(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PERCENT", "MONEY")
           and (c["money_re"].search(e.text) or re.search(r"(?i)pct|%|percent|per\s+cent", e.text))}
    out = []
    for m in NUMBER_RE.finditer(text):
        men = Mention(m)
        if men.value is None:
            continue
        # "a"/"an"/"half a" are numbers only before a scale word
        if men.num.lower() in ("a", "an", "half a", "a half") and not men.scale:
            continue
        before = text[max(0, men.start - 30):men.start]
        if _DATE_BEFORE.search(before) and not men.scale:
            continue
        # unit
        u = c["unit_re"].match(text, men.end)
        if u:
            if u.group("cs"):
                unit, mult, per = c["cs_table"][u.group("cs")]
            else:
                unit, mult, per = c["unit_table"][" ".join(u.group("unit").lower().split())]
            # "t" / "mt" on their own are units only right after a figure with digits
            men.unit, men.mult, men.per = unit, mult, per
            men.unit_end = men.end_all = u.end()
            r = c["rate_re"].match(text, u.end())
            if r:
                rate_word = (r.group("slash") or r.group("rate")).lower()
                rate_word = " ".join(rate_word.replace("-", " ").split()) if not rate_word.startswith("/") else rate_word
                rate = c["rate_forms"].get(rate_word)
                if rate and r.group("rate") and r.group("rate").lower().startswith(("a ", "an ")) and \
                        re.match(r"\s+(?:ago|earlier|before|later|after|on|prior)\b", text[r.end():r.end() + 10], re.I):
                    rate = None
                if rate and (men.per is None):
                    men.per = rate
                    men.end_all = r.end()
                elif rate and men.per == rate:
                    men.end_all = r.end()
            if men.per is None:
                # "15 mln tons of cargo and 100,000 TEU of containers a year": the rate closes the pair
                co = _COORD_RATE.match(text, u.end())
                if co:
                    men.per = c["rate_forms"].get(" ".join(co.group("rate").lower().split()))
        elif not men.scale:
            con = _CONNECT.match(text, men.end)
            ranged = bool(con) and bool(NUMBER_RE.match(text, con.end()))
            if men.is_word and not ranged:
                continue          # "five ships", "one of"
            if _in_spans(men.start, men.end, dates) and not ranged:
                continue
        q = c["qual_re"].search(text, max(0, men.start - 40), men.start)
        if q:
            men.qual = " ".join(q.group("q").lower().split())
            men.qual_start = q.start()
        # exclusions: money, prices, percentages, vessel sizes
        if c["money_re"].search(text[max(0, men.start - 6):men.start]) and not men.unit:
            men.excluded = True
        if not men.unit and any(s <= men.start < e for s, e in pct):
            men.excluded = True
        if c["vessel_lead_re"].search(text[max(0, men.qual_start - 40):men.qual_start]):
            men.excluded = True
        if men.unit:
            prev = text[max(0, men.start - 12):men.start].lower()
            if re.search(r"(?:\bper|/)\s*$", prev):
                men.excluded = True
            if c["vessel_unit_re"].match(text, men.unit_end) or c["vessel_noun_re"].match(text, men.unit_end):
                men.excluded = True
            if c["vessel_before_re"].search(text[max(0, men.qual_start - 60):men.qual_start]):
                men.excluded = True

        out.append(men)
    return out


def _sent_bounds(doc):
    starts = [s.start_char for s in doc.sents]
    return starts


def _sentence_index(starts, pos):
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _bare_follow_ok(doc, men, end) -> bool:
    """A bare figure is an amount only when no other noun follows it ('mln dlrs', 'mln hectares')."""
    cues = lexicon()["cues"]["exclusions"]
    goods = lexicon()["goods"]["commodities"]
    rest = doc_text(doc)[end:end + 40]
    w = re.match(r"\s*([A-Za-z$%][\w.$%-]*)", rest)
    if not w:
        return True
    word = w.group(1).lower().rstrip(".")
    if word in ("of",):
        nxt = re.match(r"\s*of\s+([A-Za-z][\w-]*)", rest)
        return bool(nxt) and (nxt.group(1).lower() in goods or nxt.group(1).lower() in ("the", "which"))
    if word in cues["bare_follow_ok"]:
        return True
    span = doc.char_span(end + w.start(1), end + w.end(1), alignment_mode="expand")
    if span is None or not len(span):
        return False
    tok = span[0]
    # "63.3 mln last year", "105.6 mln in 1986"
    while tok.lower_ in ("last", "next", "this", "the", "a", "an", "previous", "same") and tok.i + 1 < len(doc):
        tok = doc[tok.i + 1]
        if _DATEWORD.fullmatch(tok.text):
            return True
    if tok.pos_ in ("NOUN", "PROPN", "ADJ", "NUM", "SYM") or word in ("pct", "percent", "%"):
        return False
    return True


def _amounts(doc) -> list[dict]:
    text = doc_text(doc)
    mentions = _mentions(doc)
    starts = _sent_bounds(doc)
    found: list[dict] = []

    def emit(men, value, unit, mult, per, span_start, span_end, borrowed=False, group=None):
        found.append({
            "men": men, "amount": value * mult, "unit": unit, "per": per,
            "char_start": span_start, "char_end": span_end, "borrowed": borrowed,
            "qualifier": men.qual, "group": group,
            "sent": _sentence_index(starts, men.start),
        })

    # an excluded end excludes its range partner ("range in size from 6,000 to 10,000 tonnes")
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        con = _CONNECT.match(text, a.unit_end if a.unit else a.end)
        if con and con.end() == b.start and con.group("c").lower() in ("to", "-", "–", "—") and not a.unit:
            if a.excluded or b.excluded:
                a.excluded = b.excluded = True
    # 1. ranges and neighbour pairs
    for i, men in enumerate(mentions):
        if men.used or men.excluded:
            continue
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is None or nxt.excluded:
            continue
        con = _CONNECT.match(text, men.unit_end if men.unit else men.end)
        if not con or con.end() != nxt.start:
            # "from 67 to 81.5mn tons" is caught here too ("to"); "between X mln barrels to a Y" also
            continue
        word = con.group("c").lower()
        if word == "and":
            lead = text[max(0, men.qual_start - 9):men.qual_start].lower()
            if "between" not in lead and "between" != (men.qual or ""):
                continue
        if word == "or" and men.unit:
            continue
        if men.unit and nxt.unit:
            continue            # two full amounts: each stands on its own
        if not men.unit and nxt.unit:
            if _YEARLIKE.match(men.num) and not men.scale:
                continue
            v1 = borrow_scale(men.num, men.scale, nxt.value, nxt.scale, nxt.num)
            if v1 is None:
                continue
            s = men.qual_start
            lead = re.search(r"(?i:\b(?:between|from)\s+)$", text[max(0, s - 9):s])
            if lead:
                s -= len(lead.group(0))   # the whole range as written: "between 1.3 and four mln barrels"
            e = nxt.end_all
            group = (s, e)
            emit(men, v1, nxt.unit, nxt.mult, nxt.per, s, e, borrowed=True, group=group)
            men.used = True
            nxt.qual = nxt.qual or men.qual
            nxt.qual_start = s
            nxt.used = True
            emit(nxt, nxt.value, nxt.unit, nxt.mult, nxt.per, s, e, group=group)
        elif men.unit and not nxt.unit and word in ("to", "-", "–", "—"):
            if _YEARLIKE.match(nxt.num) and not nxt.scale:
                continue
            if not _bare_follow_ok(doc, nxt, nxt.end):
                continue
            if nxt.scale or not men.scale:
                v2 = nxt.value
            elif is_plain_integer(nxt.num):
                v2 = nxt.value
            else:
                v2 = nxt.value * numbers.scale_value(men.scale)
            nxt.used = True
            nxt.unit, nxt.mult, nxt.per = men.unit, men.mult, men.per
            emit(nxt, v2, men.unit, men.mult, men.per, nxt.qual_start, nxt.end, borrowed=True)

    # 2. amounts with their own unit
    for men in mentions:
        if men.used or men.excluded or not men.unit:
            continue
        men.used = True
        emit(men, men.value, men.unit, men.mult, men.per, men.qual_start, men.end_all)

    # 3. bare figures that borrow from an amount before them
    found.sort(key=lambda f: f["char_start"])
    for men in mentions:
        if men.used or men.excluded or men.unit:
            continue
        if _YEARLIKE.match(men.num) and not men.scale:
            continue
        si = _sentence_index(starts, men.start)
        before = [f for f in found if f["char_end"] <= men.start and f["sent"] in (si, si - 1)]
        if not before:
            continue
        ref = before[-1]
        # "3.15 mln kilolitres, equivalent to 661,000 bpd, from 3.39 mln": the figure is compared with
        # the main amount, not with its conversion; a shared scale word tells them apart
        mains = [f for f in before if f["sent"] == si and not re.search(
            r"(?:,\s*or|equivalent\s+to|\(\s*(?:about|around|some)?|i\.e\.)\s*$",
            text[max(0, f["char_start"] - 25):f["char_start"]], re.I)]
        if men.scale:
            scaled = [f for f in mains if (f["men"].scale or "").lower() == men.scale.lower()]
            if scaled:
                ref = scaled[-1]
            elif mains:
                ref = mains[-1]
        same_sentence = ref["sent"] == si
        lead = text[starts[si]:men.qual_start]
        compare = bool(_COMPARE_BEFORE.search(lead))
        rest = text[men.end:men.end + 40]
        listed = bool(re.match(r"\s*of\s+[A-Za-z]", rest))
        if not (compare and same_sentence) and not listed and not men.scale:
            continue
        if not same_sentence and not (men.scale and (listed or compare)):
            continue
        if not _bare_follow_ok(doc, men, men.end):
            continue
        rmen = ref["men"]
        if men.scale:
            value = men.value
        elif rmen.scale and not is_plain_integer(men.num):
            value = men.value * numbers.scale_value(rmen.scale)
        else:
            value = men.value
        if value < 1 or (not men.scale and not rmen.scale and value < 100 and not listed):
            continue
        per = ref["per"]
        men.used = True
        start = men.qual_start
        # "0.1-0.2 mln": the first end of a bare range borrows the second's scale
        k = mentions.index(men)
        first = mentions[k - 1] if k > 0 else None
        if first is not None and not first.used and not first.excluded and not first.unit:
            con = _CONNECT.match(text, first.end)
            if con and con.end() == men.start and con.group("c").lower() in ("-", "–", "to"):
                v1 = borrow_scale(first.num, first.scale, men.value, men.scale, men.num)
                if v1:
                    first.used = True
                    start = first.qual_start
                    found.append({
                        "men": first, "amount": v1, "unit": ref["unit"], "per": per,
                        "char_start": start, "char_end": men.end, "borrowed": True,
                        "qualifier": first.qual, "group": (start, men.end), "sent": si,
                    })
        found.append({
            "men": men, "amount": value * (rmen.mult if rmen.mult != 1 and not men.scale else 1),
            "unit": ref["unit"], "per": per, "char_start": start, "char_end": men.end,
            "borrowed": True, "qualifier": men.qual, "group": None, "sent": si,
        })
        found.sort(key=lambda f: f["char_start"])
    found.sort(key=lambda f: (f["char_start"], f["men"].start))
    # "16 bcm a year, of which 6 bcm is for Turkey and 10 bcm for Europe", "72 mln tons a year,
    # including 67 mln tons from Kazakhstan": parts of a rate are rates
    for k, f in enumerate(found):
        if f["per"] is not None:
            continue
        for g in reversed(found[:k]):
            if g["sent"] != f["sent"]:
                break
            if g["per"] and g["unit"] == f["unit"] and re.search(
                    r",\s*(?:of\s+which|including|among\s+them|comprising|incl\.)\s", text[g["char_end"]:f["char_start"]]) \
                    and g["amount"] >= f["amount"]:
                f["per"] = g["per"]
                f["partitive"] = True
            break
    for k, f in enumerate(found):
        if k > 0 and found[k - 1]["sent"] == f["sent"] and found[k - 1]["unit"] == f["unit"] and re.fullmatch(
                r"[^.;:\d]{0,45}?,?\s*"
                r"(?:of\s+which|including|among\s+them|comprising|of\s+this|incl\.)\s*(?:some\s+|about\s+|around\s+)?",
                text[found[k - 1]["char_end"]:f["char_start"]]) and found[k - 1]["amount"] >= f["amount"]:
            f["partitive"] = True
        elif k > 0 and found[k - 1].get("partitive") and found[k - 1]["sent"] == f["sent"] and re.fullmatch(
                r"\s*(?:of\s+[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2}\s*)?(?:for\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s*)?"
                r",?\s*(?:and\s+)?", text[found[k - 1]["char_end"]:f["char_start"]]):
            f["partitive"] = True     # "including 1.5 mln tonnes of corn and 1.2 mln tonnes of wheat"
    for k, f in enumerate(found):
        if f["per"] is None and k > 0 and found[k - 1].get("partitive") and found[k - 1]["sent"] == f["sent"] \
                and found[k - 1]["unit"] == f["unit"] and re.fullmatch(
                    r"[^.;]*?\band\s*", text[found[k - 1]["char_end"]:f["char_start"]]):
            f["per"] = found[k - 1]["per"]
            f["partitive"] = True
    # "Atyrau can process 5.5 mln tons a year, and the Pavlodar refinery about 6 mln tons":
    # a clause whose verb is left out (gapping) shares the rate of the one before
    kinds = lexicon()["goods"]["installation_kinds"]     # "the Kuryk terminal" is tagged a verb
    for k, f in enumerate(found):
        g = found[k - 1] if k else None
        if f["per"] is not None or g is None or g["sent"] != f["sent"] or not g["per"] or g["unit"] != f["unit"]:
            continue
        gap = text[g["char_end"]:f["char_start"]]
        cut = max(gap.rfind(", and "), gap.rfind(", while "))
        if cut < 0 or re.search(r"\d|[.;:]", gap):
            continue
        rest = doc.char_span(g["char_end"] + cut + 2, f["char_start"], alignment_mode="contract")
        if rest is not None and len(rest) >= 2 and not any(
                t.pos_ in ("VERB", "AUX") and t.lower_ not in kinds for t in rest):
            f["per"] = g["per"]
    return found


def find_quantities(doc) -> list[dict]:
    """Amounts of a commodity in ``doc``, each tied to commodity, facilities, period, status."""
    from . import facts
    if not len(doc):
        return []
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        for tok in doc:               # a bare make_doc: read the text as one sentence
            tok.is_sent_start = tok.i == 0
    amounts = _amounts(doc)
    items = []
    for a in amounts:
        start, end = a["char_start"], a["char_end"]
        item = {
            "text": doc_text(doc)[start:end],
            "amount": _clean_amount(a["amount"]),
            "unit": a["unit"],
            "per": a["per"],
            "commodity": None,
            "period": None,
            "facilities": [],
            "status": None,
            "qualifier": a["qualifier"],
            "confidence": 0.5,
            **provenance(doc, start, end),
        }
        item["_num"] = (a["men"].start, a["men"].end)
        item["_borrowed"] = a["borrowed"]
        item["_partitive"] = a.get("partitive", False)
        items.append(item)
    facts.link(doc, items)
    for item in items:
        item.pop("_num", None)
        item.pop("_borrowed", None)
        item.pop("_partitive", None)
    return items


def _clean_amount(x: float):
    r = round(x, 6)
    return int(r) if r == int(r) else r


@Language.component("factwire_quantities")
def quantities_component(doc):
    doc._.quantities = find_quantities(doc)
    return doc
