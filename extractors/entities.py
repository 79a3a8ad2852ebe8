"""Organisations, places and people: spaCy NER mended by a gazetteer and rules.

* ``add_gazetteer(nlp)`` adds two SpanRulers (exact case for acronyms and single
  words, lower case for multi-word names) fed by the JSONL gazetteers under
  ``extractors/patterns/`` (``id`` = canonical name).  They write to
  ``doc.spans["fw_gazetteer"]`` and leave ``doc.ents`` to the statistical model.
* ``find_entities(doc)`` merges gazetteer matches with the model's ORG/GPE/LOC/PERSON
  entities and mends what the small model gets wrong on wire copy: acronyms the
  report defines, "the"/possessive/line breaks, nationality adjectives, agencies
  named as the source ("told Trend"), "the Egyptian government" -> "Government of
  Egypt", places named inside facility names, routes named by places ("Aktau-Baku"),
  places the model took for people or firms, surnames as aliases of full names.
"""
from __future__ import annotations

import functools
import re

from difflib import SequenceMatcher

from spacy.language import Language
from spacy.util import filter_spans

from . import facilities, names
from .text import doc_text, provenance

_text = doc_text

VERSION = "2"

GAZ_KEY = facilities.GAZ_KEY
_KIND = {"ORG": "organizations", "GPE": "places", "LOC": "places", "PERSON": "people"}
_GAZETTEERS = ("gazetteer_organizations.jsonl", "gazetteer_places.jsonl",
               "gazetteer_facilities.jsonl", "gazetteer_skip.jsonl")
_VESSEL_WORDS = {"tanker", "vessel", "ship", "carrier", "freighter", "barge", "supertanker", "icebreaker",
                 "tug", "ferry", "bulker", "mv", "m/v", "m/t"}
_AREA_NOUNS = {"coast", "island", "region", "province", "city", "town", "port", "north", "south", "east", "west",
               "shores", "outskirts", "centre", "center", "capital", "state", "village", "area", "gulf", "bay"}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_STRONG_ORG_TAILS = {"management", "securities", "industries", "brothers", "corp", "inc", "co", "ltd", "plc",
                     "company", "corporation", "group", "associates", "partners", "bank", "exchange", "agency",
                     "ministry", "association", "institute", "council", "commission", "trading", "capital",
                     "fund", "authority", "board", "office", "committee"}
_PLACE_TAILS = {"territory", "krai", "oblast", "region", "province", "governorate", "district", "county", "prefecture"}
_NOT_ORG_HEADS = {"project", "projects", "program", "programme", "programs", "tax", "scheme", "plan", "act",
                  "initiative", "agreement", "accord", "bonus", "sales", "deal", "index", "contract", "treaty",
                  "round", "talks", "summit", "conference", "forum", "week", "blend"}
_NO_LOWER = {"congress", "senate", "marathon", "turkey", "china", "japan", "jordan", "georgia", "chevron",
             "mobile", "sunoco", "argus", "platts", "reserve", "union", "sonangol", "trinidad", "holland",
             "britain", "reuters_"}
_STAKE_WORDS = {"stake", "interest", "shares", "investment", "holding", "share", "stakes", "invest", "invested"}


# --------------------------------------------------------------------------- gazetteer

def _ruler_patterns() -> tuple[list[dict], list[dict]]:
    """Patterns for the exact-case ruler and for the lower-case ruler."""
    exact, lower = [], []
    seen = set()
    for fname in _GAZETTEERS:
        for p in names.load_jsonl(fname):
            text = p["pattern"]
            entry = {"label": p["label"], "pattern": text, "id": p.get("id", text)}
            if " " in text and not text.isupper():
                k = ("l", p["label"], text.lower())
                if k not in seen:
                    seen.add(k)
                    lower.append(entry)
                continue
            variants = {text, text.upper()}
            if p["label"] in ("ORG", "GPE") and len(text) >= 6 and text.isalpha() and \
                    text.lower() not in _NO_LOWER:
                variants.add(text.lower())             # lower-cased reports: "he told reuters"
            for variant in variants:
                k = ("e", p["label"], variant)
                if k not in seen:
                    seen.add(k)
                    exact.append({**entry, "pattern": variant})
    return exact, lower


def add_gazetteer(nlp) -> None:
    """Add the gazetteer SpanRulers (they only fill ``doc.spans["fw_gazetteer"]``)."""
    exact, lower = _ruler_patterns()
    common = {"spans_key": GAZ_KEY, "overwrite": False, "annotate_ents": False, "validate": False,
              "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}}
    if "factwire_gazetteer_exact" not in nlp.pipe_names:
        r = nlp.add_pipe("span_ruler", name="factwire_gazetteer_exact", last=True,
                         config={**common, "phrase_matcher_attr": "ORTH"})
        r.add_patterns(exact)
    if "factwire_gazetteer_lower" not in nlp.pipe_names:
        r = nlp.add_pipe("span_ruler", name="factwire_gazetteer_lower", last=True,
                         config={**common, "phrase_matcher_attr": "LOWER"})
        r.add_patterns(lower)


# --------------------------------------------------------------------------- lexicons

@functools.lru_cache(maxsize=None)
def _lex() -> dict:
    lx = names.lexicon()
    dem = {k: v for k, v in lx["demonyms"].items()}
    countries = {p["id"] for p in names.load_jsonl("gazetteer_places.jsonl") if p["kind"] == "country"}
    country_spellings = {p["pattern"]: p["id"] for p in names.load_jsonl("gazetteer_places.jsonl")
                         if p["kind"] == "country"}
    topics = sorted(lx["ministry_topics"], key=len, reverse=True)
    ctry_alt = "|".join(re.escape(c) for c in sorted(list(country_spellings) + [d for d, v in dem.items() if v],
                                                      key=len, reverse=True))
    topic_alt = "|".join(re.escape(t) for t in topics)
    gated = {}
    for a in lx["news_agencies_gated"]:
        alts = [c.replace("{A}", f"(?P<a>{re.escape(a)})") for c in lx["source_contexts"]]
        gated[a] = re.compile("|".join(f"(?:{x})" for x in alts).replace("(?P<a>", "(?:"))
    return {
        "demonyms": dem,
        "demonym_fold": {names.fold(k) for k in dem},
        "countries": countries,
        "country_spellings": country_spellings,
        "org_words": set(lx["org_words"]),
        "suffixes": set(lx["org_suffixes"]),
        "generic": {names.fold(x) for x in lx["generic_orgs"]},
        "titles": set(lx["person_titles"]),
        "place_first_names": set(lx["place_first_names"]),
        "not": {names.fold(x) for x in lx["not_entities"]},
        "agency_words": set(lx["agency_words"]),
        "gated": gated,
        "government": re.compile(
            rf"\b(?:(?:the|The)\s+)?(?P<c>{ctry_alt})(?:['’]s)?\s+(?P<g>[Gg]overnment)\b"
            rf"|\b(?P<g2>[Gg]overnment)\s+of\s+(?:the\s+)?(?P<c2>{ctry_alt})\b", re.I),
        "ministry": re.compile(
            rf"\b(?:(?P<c>{ctry_alt})(?:['’]s)?\s+)?(?P<t>{topic_alt})\s+(?P<m>[Mm][Ii][Nn][Ii][Ss][Tt][Rr][Yy])\b"
            rf"|\b(?:(?P<c3>{ctry_alt})(?:['’]s)?\s+)?(?P<m2>Ministry)\s+of\s+(?:the\s+)?(?P<t2>{topic_alt.title()})"
            rf"(?:\s+of\s+(?:the\s+)?(?:Republic\s+of\s+)?(?P<c2>{ctry_alt}))?\b",
            re.I),
        "menafn": re.compile(r"\(MENAFN-?\s*(?P<a>[A-Z][\w.&' -]{1,60}?)\)"),
    }


def _country_of(word: str) -> str | None:
    lx = _lex()
    if word in lx["country_spellings"]:
        return lx["country_spellings"][word]
    if word in lx["demonyms"]:
        return lx["demonyms"][word]
    if word.islower() and word not in ("us", "uk"):        # a lower-cased report
        for k, v in list(lx["country_spellings"].items()) + list(lx["demonyms"].items()):
            if k.lower() == word and v:
                return v
    return None


@functools.lru_cache(maxsize=None)
def _place_gaz() -> dict[str, tuple[str, str]]:
    return facilities.place_index()


@functools.lru_cache(maxsize=None)
def _org_gaz() -> dict[str, str]:
    return facilities.org_index()


# --------------------------------------------------------------------------- candidates

class _C:
    """One mention: a character span typed org/place/person with an optional canonical name."""
    __slots__ = ("start", "end", "type", "canon", "text", "conf", "src", "label")

    def __init__(self, start, end, type_, canon, text, conf, src, label=""):
        self.start, self.end, self.type, self.canon, self.text = start, end, type_, canon, text
        self.conf, self.src, self.label = conf, src, label

    def overlaps(self, s, e):
        return self.start < e and s < self.end


def _has_org_word(text: str) -> bool:
    lx = _lex()
    words = [w.strip(".,").lower() for w in text.split()]
    return any(w in lx["org_words"] or w in lx["suffixes"] for w in words[1:]) or (
        len(words) > 1 and words[0] in ("ministry", "bank", "department", "government", "port", "council"))


def _any_org_word(text: str) -> bool:
    lx = _lex()
    return any(w.strip(".,()").lower() in lx["org_words"] | lx["suffixes"] for w in text.split())


def _is_ticker(doc, s, e) -> bool:
    raw = _text(doc)[s:e]
    before = _text(doc)[max(0, s - 1):s]
    after = _text(doc)[e:e + 1]
    inner = raw.strip("<>")
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]{0,5}(?:\.[A-Z]{1,2})?", inner)) and (
        "<" in raw or ">" in raw or before == "<" or after == ">")


def _prev_words(doc, s, n=2) -> list[str]:
    text = _text(doc)[max(0, s - 60):s]
    return re.findall(r"[\w'.’/-]+", text)[-n:]


def _gazetteer_candidates(doc) -> tuple[list[_C], list[tuple[int, int]]]:
    lx = _lex()
    spans = filter_spans(list(doc.spans.get(GAZ_KEY, [])))
    out, skip = [], []
    sub_ends: list[tuple[int, int]] = []
    gated_ok: dict[str, set[int]] = {}
    for sp in spans:
        if sp.label_ == "SKIP":
            skip.append((sp.start_char, sp.end_char))
            continue
        if sp.label_ == "FAC" or any(a <= sp.start_char and sp.end_char <= b for a, b in sub_ends):
            continue
        if sp.label_ == "ORG" and sp.text in lx["gated"]:
            ok = gated_ok.get(sp.text)
            if ok is None:
                ok = gated_ok[sp.text] = set()
                for m in lx["gated"][sp.text].finditer(_text(doc)):
                    for g in re.finditer(re.escape(sp.text), m.group()):
                        ok.add(m.start() + g.start())
            if sp.start_char not in ok:
                continue
        type_ = "org" if sp.label_ == "ORG" else "place"
        if type_ == "org":
            m_sub = _SUBSIDIARY.match(_text(doc), sp.end_char)
            if m_sub and (m_sub.group(1) in _SUBSIDIARY_WORDS or _is_country(m_sub.group(1))):
                # "Shell Francaise", "Texaco Canada": a subsidiary named after its parent
                end = m_sub.end(1)
                out.append(_C(sp.start_char, end, "org", None, _text(doc)[sp.start_char:end], 0.7, "gaz", "ORG"))
                sub_ends.append((sp.start_char, end))
                continue
        if type_ == "place" and sp.start_char > 0 and _text(doc)[sp.start_char - 1] in "-–":
            prefix = re.search(r"([\w.]+)[-–]$", _text(doc)[max(0, sp.start_char - 30):sp.start_char])
            if prefix and names.fold(prefix.group(1)) not in _place_gaz():
                continue                              # "Trans-Caspian", "Pan-European": part of a longer name
        out.append(_C(sp.start_char, sp.end_char, type_, sp.id_ or sp.text, sp.text, 0.9, "gaz", sp.label_))
    return out, skip


_NON_ALPHA = re.compile(r"[^A-Za-z]")
_NON_UPPER = re.compile(r"[^A-Z]")


def _caps_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in capitals (headlines): the model's entities there are guesses."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        if len(line) < 15 or not line[:1].isupper():
            continue
        letters = len(_NON_ALPHA.sub("", line))
        if letters >= 15 and len(_NON_UPPER.sub("", line)) >= 0.9 * letters:
            out.append(m.span())
    return out


def _lowercase_text(text: str) -> bool:
    """Text with (almost) no capitals, where names are lower case too (some wire
    reports are lower-cased after their first paragraph)."""
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if c.isupper()) <= 0.01 * len(letters)


def _ner_candidates(doc, gaz: list[_C], skip, fac_spans) -> list[_C]:
    out = []
    caps = _caps_lines(_text(doc))
    for ent in doc.ents:
        t = {"ORG": "org", "GPE": "place", "LOC": "place", "PERSON": "person"}.get(ent.label_)
        if t is None:
            continue
        s, e = ent.start_char, ent.end_char
        toks = list(ent)
        while toks and toks[0].lower_ in ("the", "a", "an"):
            toks = toks[1:]
        while toks and toks[-1].is_lower and toks[-1].is_stop:
            toks = toks[:-1]
        if t == "place":
            # "Gulf early Tuesday": a place name stops at its first lower-case word
            cut = next((k for k, tk in enumerate(toks) if k > 0 and tk.is_lower and tk.is_alpha and
                        tk.lower_ not in ("of", "de", "del", "da", "do", "al", "el", "la", "le", "and", "on", "upon")), None)
            if cut is not None:
                toks = toks[:cut]
        if t == "place" and len(toks) > 1 and toks[-1].lower_ in _STRONG_ORG_TAILS:
            t = "org"                                  # "Friedburg Commodity Management"
        if not toks:
            continue
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1])
        par = _text(doc)[s:e]
        if par.count("(") > par.count(")"):
            e = s + par.rfind("(")                     # "Future Growth Project (FGP": the name ends before "("
            while e > s and _text(doc)[e - 1] == " ":
                e -= 1
            if e <= s:
                continue
        if "\n" in _text(doc)[s:e]:
            # a name never runs across a paragraph break: keep the longest piece
            pieces = [(m.start() + s, m.end() + s) for m in re.finditer(r"[^\n]+", _text(doc)[s:e])]
            s, e = max(pieces, key=lambda p: p[1] - p[0])
            while s < e and _text(doc)[s] == " ":
                s += 1
        if s >= e:
            continue
        if not any(c.isupper() for c in _text(doc)[s:e]) and not _lowercase_text(ent.sent.text):
            continue                                   # "fed into the pipeline": not the Fed
        # "Lago Agrio to Balao": two names the model joined
        m_to = re.fullmatch(r"([A-Z][\w' .-]+?) to ([A-Z][\w' .-]+)", _text(doc)[s:e])
        if m_to and t in ("org", "place"):
            out.append(_C(s, s + len(m_to.group(1)), "place", None, m_to.group(1), 0.5, "ner", ent.label_))
            s = s + m_to.start(2)
            t = "place"
        m_sl = re.fullmatch(r"([A-Z][\w-]+)/([A-Z][\w-]+)", _text(doc)[s:e])
        if m_sl and t == "org" and not any(g.overlaps(s, e) for g in gaz):
            # "ISAB/Garrone": two partners
            out.append(_C(s, s + len(m_sl.group(1)), "org", None, m_sl.group(1), 0.55, "ner", ent.label_))
            out.append(_C(s + m_sl.start(2), e, "org", None, m_sl.group(2), 0.55, "ner", ent.label_))
            continue
        inside = [g for g in gaz if g.overlaps(s, e)]
        if inside and t == "org" and "\n" not in _text(doc)[s:e] and len(inside) == 1 and \
                not re.search(r",| and | & ", _text(doc)[s:e]) and all(g.start >= s and g.end <= e for g in inside) and \
                any(g.type == "org" for g in inside) and (e - s) > max(g.end - g.start for g in inside) and \
                _capitalised_name(_text(doc)[s:e]) and not any(a <= s and e <= b for a, b in fac_spans) and \
                not _generic_extension(_text(doc), s, e, inside):
            # a subsidiary named after its parent: "Societe Francaise de BP", "Shell Francaise"
            for g in inside:
                gaz.remove(g)
            inside = []
        if inside:
            # an organisation the model found that contains a gazetteer place keeps its name
            # ("Bank of Thailand", "Port of Singapore Authority")
            contains_only_places = all(g.type == "place" and g.start >= s and g.end <= e for g in inside)
            if t == "person" and contains_only_places and len(toks) >= 2 and \
                    not any(g.start == s and g.end == e for g in inside) and \
                    all(g.start > s or _text(doc)[g.start:g.end] in _lex()["place_first_names"] for g in inside) and \
                    all(tk.text[:1].isupper() for tk in toks):
                for g in inside:                      # "Michael Jordan", "Georgia Smith": people
                    gaz.remove(g)
                inside = []
            elif t == "org" and contains_only_places and _has_org_word(_text(doc)[s:e]) and \
                    not any(a <= s and e <= b for a, b in fac_spans):
                for g in inside:
                    gaz.remove(g)
            else:
                continue
        if any(a < e and s < b for a, b in skip):
            continue
        if any(a <= s and e <= b for a, b in caps):
            continue                                  # the model reads ALL-CAPS headlines badly
        out.append(_C(s, e, t, None, _text(doc)[s:e], 0.6, "ner", ent.label_))
    return out


_SUBSIDIARY = re.compile(r" ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b(?!['’]s)")
_SUBSIDIARY_WORDS = {"Francaise", "Italiana", "Espanola", "Deutschland", "Norge", "Nederland", "Belgique",
                     "International", "Overseas", "Exploration", "Trading", "Upstream", "Downstream", "Caspian",
                     "Kazakhstan", "Azerbaijan", "Canada", "Australia", "Japan", "Nigeria", "Egypt", "Norway",
                     "Britain", "Oil Francaise"}


def _is_country(word: str) -> bool:
    hit = _place_gaz().get(names.fold(word))
    return bool(hit) and hit[1] == "country"


_GENERIC_EXT = {"firm", "company", "unit", "subsidiary", "group", "major", "giant", "chairman", "president",
                "spokesman", "official", "officials", "the", "state", "oil", "operator"}


def _generic_extension(text: str, s: int, e: int, inside) -> bool:
    """The words the model added around a gazetteer firm are a description ("U.S. Firm Amoco Corp")."""
    rest = text[s:e]
    for g in sorted(inside, key=lambda g: -g.start):
        rest = rest[:g.start - s] + " " + rest[g.end - s:]
    words = [w.strip(".,'’") for w in rest.split()]
    return any(w.lower() in _GENERIC_EXT or names.fold(w) in _place_gaz() or names.fold(w) in _lex()["demonym_fold"]
               for w in words if w)


def _capitalised_name(text: str) -> bool:
    words = text.split()
    return len(words) >= 2 and all(w[:1].isupper() or w[:1] in "(&/" or w.lower() in ("de", "of", "and", "du", "la", "di", "del")
                                   for w in words)


_CORP = re.compile(
    r"(?<![\w&.-])((?:[A-Z][\w&'.-]*|&)(?:\s(?:[A-Z][\w&'./-]*|&|of|de|and|du|di))*?\s"
    r"(?:Inc|Corp|Corporation|Co|Company|Ltd|Plc|PLC|LLC|LLP|JSC|PJSC|SA|S\.A|AG|NV|N\.V|BV|GmbH|SpA|A/S|ASA|"
    r"Authority|Agency|Association|Commission|Council|Exchange|Institute|Consortium|Fund|Organization|"
    r"Organisation|Administration|Partners|Ministry|Bank|Committee|Federation|Chamber|Analytics|Insight|Insights|Consulting|Consultants|Consultancy|Research|Advisory|Advisors|Advisers|Capital|Intelligence|Economics|Strategies))\b\.?")


def _corp_candidates(doc) -> list[_C]:
    """Names ending in a corporate suffix or an institution word ("Pacific Resources Inc")."""
    out = []
    months = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
              "Nov", "Dec", "The", "A", "An", "In", "On", "At", "For", "By", "And", "But", "Its", "Their", "This",
              "That", "Under", "With", "From", "To", "After", "Before", "Shares", "Unlike", "Both", "Earlier",
              "Analysts", "Traders", "Officials", "Sources", "Industry", "If", "As", "When", "While", "Since"}
    for m in _CORP.finditer(_text(doc)):
        text = m.group(1)
        words = text.split()
        for i in range(len(words) - 1, -1, -1):
            if i < len(words) - 1 and words[i].endswith(".") and len(words[i]) > 4 and not words[i].isupper():
                words = words[i + 1:]                  # "... to Ceyhan. Georgian Oil and Gas Corporation"
                break
            if words[i].endswith(("'s", "’s", "s'")):
                words = words[i + 1:]                  # "Union Pacific's Champlin Petroleum Co": the owned firm
                break
        while words and (words[0] in months or words[0] in ("of", "de", "and", "du", "di", "&")):
            words = words[1:]
        if len(words) < 2 or words[0].isupper() and len(words[0]) > 5 and words[0].isalpha() and \
                not words[1].isupper():
            continue
        if any(w in months for w in words[1:]):
            continue
        start = m.start(1) + text.find(words[0]) if words[0] != text.split()[0] else m.start(1)
        # the start moved past a skipped word: find its offset in the match
        off = m.start(1)
        for w in text.split():
            if w == words[0]:
                break
            off = _text(doc).find(w, off) + len(w)
        start = _text(doc).find(words[0], off)
        end = m.end(1)
        if end - start < 6 or _is_place_name(_text(doc)[start:end]):
            continue
        out.append(_C(start, end, "org", None, _text(doc)[start:end], 0.7, "corp"))
    return out


_GOV_WORD = re.compile(r"[Gg]overnment")
_BYLINE_PERSON = re.compile(
    r"(?:(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Aa]dditional reporting|[Cc]ompiled)\s+by|^By)\s+"
    r"(?P<n>[A-Z][\w'’-]+(?:\s(?:[A-Z]\.\s)?[A-Z][\w'’-]+){1,2})", re.M)
_MIN_WORD = re.compile(r"(?i)ministry")


def _near(pattern, text: str, keyword):
    """Matches of a costly ``pattern`` searched only in windows around a cheap ``keyword``."""
    seen = set()
    for k in keyword.finditer(text):
        for m in pattern.finditer(text, max(0, k.start() - 60), min(len(text), k.end() + 120)):
            if m.span() not in seen and m.start() <= k.start() < m.end():
                seen.add(m.span())
                yield m


def _rule_candidates(doc, cands: list[_C]) -> list[_C]:
    """Governments, ministries and agencies named as the source: rules over the text."""
    lx = _lex()
    out = []
    text = _text(doc)
    for m in _near(lx["government"], text, _GOV_WORD):
        c = m.group("c") or m.group("c2")
        country = _country_of(c)
        if country:
            s = m.start("c") if m.group("c") else m.start("g2")
            out.append(_C(s, m.end(), "org", f"Government of {country}", _text(doc)[s:m.end()], 0.8, "rule"))
    for m in _near(lx["ministry"], text, _MIN_WORD):
        topic = m.group("t") or m.group("t2")
        c = m.group("c") or m.group("c2") or m.group("c3")
        country = _country_of(c) if c else None
        strong = bool(country) or topic[:1].isupper()
        canon = f"Ministry of {' '.join(w if w in ('and', 'of') else w.capitalize() for w in topic.lower().split())}"
        if country:
            canon += f" of {country}"
        s = m.start()
        out.append(_C(s, m.end(), "org", canon, _text(doc)[s:m.end()], 0.8 if strong else 0.5,
                      "rule" if strong else "weak"))
    for m in _BYLINE_PERSON.finditer(text):
        # sign-offs and by-lines name people: "(Reporting by Leyla Mammadova in Baku; Editing by ...)"
        name = m.group("n")
        if names.fold(name) not in _org_gaz() and not _has_org_word(name):
            out.append(_C(m.start("n"), m.start("n") + len(name), "person", None, name, 0.8, "rule"))
    for m in lx["menafn"].finditer(text):
        a = m.group("a").strip()
        out.append(_C(m.start("a"), m.start("a") + len(a), "org", None, a, 0.85, "rule"))
    return out


# --------------------------------------------------------------------------- fixes

def _is_place_name(text: str) -> bool:
    return names.fold(names.clean(text)) in _place_gaz()


def _fix_types(doc, cands: list[_C]) -> list[_C]:
    lx = _lex()
    people_full = [c for c in cands if c.type == "person" and len(names.clean(c.text).split()) >= 2]
    surnames = {w for c in people_full for w in names.clean(c.text).split()[1:] if w[:1].isupper() and len(w) > 2}
    surnames |= {re.sub(r"^(?:al|el|Al|El)-", "", w) for w in surnames}
    out = []
    for c in cands:
        text = names.clean(c.text)
        if not text:
            continue
        f = names.fold(text)
        if c.src in ("ner",):
            if f in lx["not"] or _is_ticker(doc, c.start, c.end) or not re.search(r"[A-Za-z]{2}", text):
                continue
            if " " not in f and any(abs(len(f) - len(mo)) <= 2 and f[:2] == mo[:2] and
                                    SequenceMatcher(None, f, mo).ratio() >= 0.8 for mo in _MONTHS):
                continue                              # "Februry": a misspelt month
            words = text.split()
            prev = _prev_words(doc, c.start, 3)
            prevl = [w.lower() for w in prev]
            # a ship is no organisation ("the motor bulk carrier Hyundai New World")
            if prevl and prevl[-1] in _VESSEL_WORDS:
                continue
            if f in _org_gaz() and c.type != "org":
                c.type, c.canon = "org", _org_gaz()[f]
            elif _is_place_name(text) and c.type != "place" and not (c.type == "org" and _has_org_word(text)):
                c.type = "place"
            elif c.type == "person":
                if _has_org_word(text):
                    c.type = "org"
                elif len(words) >= 2 and len(words[-1].strip(".")) == 1:
                    continue                          # "Beryl B": a project or a unit, not a person
                elif len(words) == 1 and text not in surnames:
                    if prevl and prevl[-1] in lx["titles"]:
                        pass
                    elif prevl and (prevl[-1] in ("in", "at", "near", "from", "outside", "off") or
                                    (prevl[-1] == "of" and len(prevl) > 1 and prevl[-2] in _AREA_NOUNS)):
                        c.type = "place"
                    else:
                        c.type = "?"                  # decided by coordination below, else dropped
            elif c.type == "org" and re.match(r"\s+(?:[Mm]inister|[Ss]ecretary|[Cc]ommissioner)\b", _text(doc)[c.end:c.end + 14]) \
                    and not any(w.lower() in _STRONG_ORG_TAILS for w in words):
                continue                              # "Energy and Natural Resources Minister": a portfolio
            elif c.type == "org" and prevl and prevl[-1] in lx["titles"] and not _has_org_word(text) and \
                    f not in _org_gaz() and 2 <= len(words) <= 4:
                c.type = "person"                     # "President Kassym-Jomart Tokayev"
            elif c.type == "org" and len(words) >= 2 and words[-1].lower() in _PLACE_TAILS:
                c.type = "place"                      # "Krasnodar Territory"
            elif c.type == "org":
                if text in surnames or (len(words) in (2, 3) and words[-1] in surnames and not _has_org_word(text)
                                        and f not in _org_gaz()):
                    c.type = "person"
                elif words[-1].lower() in _NOT_ORG_HEADS or (f in lx["demonym_fold"]):
                    continue                          # programmes, taxes, projects, nationality words
                elif re.match(r"^(.+?) (?:in|at) (.+)$", text) and _is_place_name(text.split(" in ")[-1].split(" at ")[-1]):
                    place = re.split(r" (?:in|at) ", text)[-1]
                    s = c.start + c.text.rfind(place)
                    c.start, c.end, c.text, c.type = s, s + len(place), place, "place"
                elif " to " in text and all(p[:1].isupper() for p in text.split(" to ")):
                    a, b = text.split(" to ", 1)
                    s2 = c.start + c.text.find(" to ") + 4
                    out.append(_C(c.start, c.start + len(a), "place", None, a, 0.5, "ner"))
                    c.start, c.text, c.type = s2, b, "place"
                elif len(words) <= 3 and not names.is_acronym(text) and prevl and not _has_org_word(text) and \
                        f not in _org_gaz() and prevl[-1] in ("in", "at", "near", "outside") and \
                        not (len(prevl) > 1 and prevl[-2] in _STAKE_WORDS):
                    c.type = "place"
                elif f in lx["generic"] or all(w.lower().strip(".") in lx["org_words"] | lx["suffixes"] | {"the", "of", "u.s"}
                                               for w in words):
                    continue
            if c.type == "place" and (f in lx["demonym_fold"] and f not in _place_gaz()):
                continue
            if c.type == "place" and text in surnames and f not in _place_gaz():
                c.type = "person"
        out.append(c)
    # "X, Texas": a name followed by a state or country is a place
    places = [c for c in out if c.type == "place"]
    for c in out:
        if c.type in ("org", "person", "?") and c.src == "ner" and not _has_org_word(c.text):
            nxt = _text(doc)[c.end:c.end + 2]
            if nxt.startswith(", ") and any(p.start == c.end + 2 and _place_kind(p) in ("state", "country")
                                            for p in places):
                c.type = "place"
    # coordination: "in Nakhon Ratchasima, Chaiyaphum, Khon Kaen and Mahasarakam"
    for _ in range(2):
        spans = sorted(out, key=lambda c: c.start)
        for i, c in enumerate(spans):
            if c.type not in ("org", "?", "person") or c.src != "ner" or _has_org_word(c.text) or \
                    len(c.text.split()) > 2:
                continue
            nb = []
            if i > 0:
                gap = _text(doc)[spans[i - 1].end:c.start]
                if re.fullmatch(r",\s*|\s+and\s+|,\s+and\s+", gap):
                    nb.append(spans[i - 1])
            if i + 1 < len(spans):
                gap = _text(doc)[c.end:spans[i + 1].start]
                if re.fullmatch(r",\s*|\s+and\s+|,\s+and\s+", gap):
                    nb.append(spans[i + 1])
            if c.type == "person" and len(nb) < 2:
                continue                              # a full name needs a list on both sides to be a place
            if any(n.type == "place" for n in nb) and not any(n.type in ("org",) and n.src == "gaz" for n in nb):
                c.type = "place"
    # one spelling, one type: a name the report uses as a place elsewhere is a place here too
    place_texts = {names.fold(names.clean(c.text)) for c in out if c.type == "place"}
    for c in out:
        if c.src == "ner" and c.type in ("org", "?", "person") and names.fold(names.clean(c.text)) in place_texts \
                and not _has_org_word(c.text):
            c.type = "place"
    return [c for c in out if c.type != "?"]


def _place_kind(c: _C) -> str | None:
    hit = _place_gaz().get(names.fold(names.clean(c.text)))
    return hit[1] if hit else None


def _route_places(doc, cands: list[_C], excl) -> list[_C]:
    """Places in a route named by places ("the Aktau-Baku route", "U.S.-USSR grain trade")."""
    out = []
    for m in re.finditer(r"(?<![\w-])([A-Z][\w.']+(?:\s[A-Z][\w.']+)?)(?:[-–]([A-Z][\w.']+(?:\s[A-Z][\w.']+)?))+(?![\w-])",
                         _text(doc)):
        if any(a < m.end() and m.start() < b for a, b in excl):
            continue
        parts = []
        pos = m.start()
        for p in re.split(r"[-–]", m.group()):
            parts.append((pos, pos + len(p), p))
            pos += len(p) + 1
        resolved = []
        for s, e, p in parts:
            p2 = p
            hit = _place_gaz().get(names.fold(p2))
            if hit is None and " " in p2:        # "Aktau-Baku route": trim trailing capitalised word? keep exact
                break
            if hit is None:
                break
            resolved.append((s, e, p2))
        if len(resolved) == len(parts) and len(parts) >= 2:
            for s, e, p in resolved:
                out.append(_C(s, e, "place", None, p, 0.7, "route"))
    return out


# --------------------------------------------------------------------------- main

def find_entities(doc) -> dict[str, list[dict]]:
    """Entities by kind, one item per real-world thing, with every mention and alias."""
    facs = facilities.find_facilities(doc)
    excl = facilities.excluded_spans(doc)
    gaz, skip = _gazetteer_candidates(doc)
    ner = _ner_candidates(doc, gaz, skip, excl)
    # names ending in Inc/Corp/Authority the model cut or missed; they win over what they cover
    for c in _corp_candidates(doc):
        person = next((x for x in ner if x.type == "person" and x.overlaps(c.start, c.end) and x.start <= c.start), None)
        if person is not None:
            # "Emre Aydin of Bosphorus Energy Advisory": the person, then the firm
            m_of = re.match(r"\s+(?:of|at|from)\s+", _text(doc)[person.end:c.end])
            if not m_of:
                continue
            c.start = person.end + m_of.end()
            c.text = _text(doc)[c.start:c.end]
            if len(c.text.split()) < 2:
                continue
        covered = [x for x in gaz + ner if x.overlaps(c.start, c.end)]
        if any(x.start <= c.start and x.end >= c.end and x.type == "org" for x in covered):
            continue
        if any(x.type == "org" and x.src == "gaz" and (x.start < c.start or x.end >= c.end) for x in covered):
            continue
        inner = [x for x in covered if x.type == "org" and x.src == "gaz"]
        if inner and _generic_extension(_text(doc), c.start, inner[0].start, []):
            # "U.S. Firm Amoco Corp": the firm starts at its own name
            c.start = inner[0].start
            c.text = _text(doc)[c.start:c.end]
            covered = [x for x in covered if x.overlaps(c.start, c.end)]
        if any(a < c.end and c.start < b for a, b in skip):
            continue
        gaz = [x for x in gaz if not x.overlaps(c.start, c.end)]
        ner = [x for x in ner if not x.overlaps(c.start, c.end)]
        ner.append(c)
    rules = _rule_candidates(doc, gaz + ner)
    # rule spans (government-of, ministries, MENAFN sources) replace what they overlap
    strong_rules = [r for r in rules if r.src == "rule"]
    base = [c for c in gaz + ner if not any(c.overlaps(r.start, r.end) for r in strong_rules)]
    weak = [r for r in rules if r.src == "weak" and not any(r.overlaps(c.start, c.end) for c in base + strong_rules)]
    cands = base + strong_rules + weak
    # places that name a facility from outside ("the port of Balao", "a terminal at Bir 'Ali")
    for a, b in facilities.place_spans(doc):
        hit = [c for c in cands if c.overlaps(a, b)]
        if not any(c.type == "place" for c in hit):
            cands = [c for c in cands if not c.overlaps(a, b)]
            cands.append(_C(a, b, "place", None, _text(doc)[a:b], 0.7, "facility"))
    cands = _fix_types(doc, cands)
    # places of a route named by places
    routes = _route_places(doc, cands, excl)
    cands = [c for c in cands if not any(c.overlaps(r.start, r.end) and c.type != "org" for r in routes)] + routes
    # nothing inside a facility's name; an organisation may contain a facility ("Port of X Authority")
    cands = [c for c in cands if not any(a < c.end and c.start < b and not (
        c.start <= a and c.end >= b and (c.end - c.start) > (b - a) and c.type == "org" and
        _any_org_word(_text(doc)[c.start:a] + " " + _text(doc)[b:c.end])) for a, b in excl)]
    # the dateline city
    dl = doc._.dateline if doc.has_extension("dateline") else None
    if dl and dl.get("place"):
        s = dl.get("char_start", 0)
        e = s + len(dl["place"])
        if _text(doc)[s:e] != dl["place"]:
            found = _text(doc).find(dl["place"])
            s, e = (found, found + len(dl["place"])) if found >= 0 else (s, e)
        place = _text(doc)[s:e]
        words = place.split()
        if len(words) > 3:
            # a dateline glued to a headline line: keep the longest tail that is a known place
            tail = next((" ".join(words[i:]) for i in range(len(words) - 3, len(words))
                         if _is_place_name(" ".join(words[i:]))), None)
            if tail:
                s = e - len(tail)
            else:
                s = e
        if s < e:
            cands = [c for c in cands if not c.overlaps(s, e)]
            cands.append(_C(s, e, "place", None, _text(doc)[s:e], 0.95, "dateline"))
    cands = _acronym_aliases(doc, cands, excl)
    items = _merge(doc, cands)
    return items


def _acronym_aliases(doc, cands: list[_C], excl) -> list[_C]:
    """Acronyms defined in the text, and "Name (ACR)" after an organisation, name that organisation."""
    acr = facilities._acronyms(doc)
    defs = dict(acr)
    for c in cands:
        if c.type != "org":
            continue
        m = re.match(r"\s*\(\s*([A-Z][A-Za-z&]{1,8})\s*\)", _text(doc)[c.end:c.end + 14])
        if m and m.group(1) not in defs and len(m.group(1)) <= 6 and not names.clean(c.text).isupper() and \
                not _is_place_name(m.group(1)) and names.fold(m.group(1)) not in _lex()["demonym_fold"]:
            defs[m.group(1)] = (c.start, c.end, names.clean(c.text))
    out = list(cands)
    for a, (s, e, long) in defs.items():
        if long.split()[-1].lower() in _NOT_ORG_HEADS:
            # "Future Growth Project (FGP)": a project, and so is every "FGP"
            out = [c for c in out if names.clean(c.text) != a]
            continue
        if any(x < e and s < y for x, y in excl):
            out = [c for c in out if names.clean(c.text) != a or c.type != "org"]
            continue
        owner = next((c for c in out if c.type == "org" and c.overlaps(s, e)), None)
        if owner is None:
            # the long form names an institution nobody else found: "Port of Singapore Authority (PSA)"
            if not _has_org_word(long) or any(c.type == "person" and c.overlaps(s, e) for c in out):
                continue
            out = [c for c in out if not (c.start >= s and c.end <= e)]
            owner = _C(s, e, "org", None, _text(doc)[s:e], 0.75, "acr")
            out.append(owner)
        elif owner.start >= s and owner.end <= e and (owner.end - owner.start) < (e - s) and owner.src != "gaz":
            # the definition spells the full name the model cut short: "State Oil Fund of Azerbaijan (SOFAZ)"
            out = [c for c in out if c is owner or not (c.start >= s and c.end <= e)]
            owner.start, owner.end, owner.text = s, e, _text(doc)[s:e]
        for s2, e2 in names.find_all(_text(doc), a):
            if any(x <= s2 < y for x, y in excl):
                continue
            out = [c for c in out if not c.overlaps(s2, e2)]
            out.append(_C(s2, e2, "org", owner.canon, a, owner.conf, "acr", ))
            out[-1].canon = owner.canon or ("@" + names.key(owner.text))
        if owner.canon is None:
            owner.canon = "@" + names.key(owner.text)
    return out


def _display_name(c: _C) -> str:
    text = names.clean(c.text)
    if c.type == "place":
        hit = _place_gaz().get(names.fold(text)) or _place_gaz().get(names.fold(text) + ".")
        if hit:
            return hit[0]
    return names.display(text)


def _merge(doc, cands: list[_C]) -> dict[str, list[dict]]:
    groups: dict[tuple, dict] = {}
    order: list[tuple] = []

    def gkey(c: _C):
        if c.canon and c.canon.startswith("@"):
            return (c.type, c.canon)
        if c.canon:
            return (c.type, "=" + c.canon)
        if c.type == "org":
            f = names.fold(names.clean(c.text))
            hit = _org_gaz().get(f) or _org_gaz().get(f.rstrip("."))
            if hit:
                c.canon = hit
                return (c.type, "=" + hit)
        if c.type == "place":
            f = names.fold(names.clean(c.text))
            hit = _place_gaz().get(f) or _place_gaz().get(f + ".")
            if hit:
                return (c.type, "=" + hit[0])
        return (c.type, "@" + names.key(c.text))

    for c in sorted(cands, key=lambda c: c.start):
        k = gkey(c)
        if k[1] in ("@", "="):
            continue
        g = groups.get(k)
        if g is None:
            name = c.canon if c.canon and not c.canon.startswith("@") else _display_name(c)
            g = groups[k] = {"type": c.type, "name": name, "spellings": [], "mentions": [], "conf": 0.0,
                             "first": c, "named": bool(c.canon and not c.canon.startswith("@")), "srcs": set()}
            order.append(k)
        g["spellings"].append(names.clean(c.text))
        g["mentions"].append((c.start, c.end))
        g["conf"] = max(g["conf"], c.conf)
        g["srcs"].add(c.src)
        if c.canon and c.canon.startswith("@") and not g["named"]:
            pass
    # a group named by its acronym key takes the long form as its name
    for k in order:
        g = groups[k]
        if not g["named"]:
            longest = max(g["spellings"], key=lambda s: (len(s.split()), len(s)))
            if len(longest) > len(g["name"]) and not longest.isupper():
                g["name"] = names.display(longest)
    # weak ministry mentions ("energy ministry") only join a ministry already named
    for k in list(order):
        g = groups[k]
        if g["srcs"] == {"weak"}:
            target = _find_prefix_group(groups, order, k, ministry=True)
            if target:
                _absorb(groups[target], g)
            del groups[k]
    order = [k for k in order if k in groups]
    # short forms join the full name: "Champlin" -> "Champlin Petroleum Co"; surnames -> people
    people = [k for k in order if groups[k]["type"] == "person" and len(groups[k]["name"].split()) >= 2]
    for k in list(order):
        g = groups.get(k)
        if g is None:
            continue
        words = g["name"].split()
        if len(words) == 1 and g["type"] in ("person", "org"):
            hits = [p for p in people if p != k and words[0].lower() in
                    [re.sub(r"^(?:al|el)-", "", w.lower()) for w in groups[p]["name"].split()[1:]] +
                    [w.lower() for w in groups[p]["name"].split()[1:]]]
            if len(hits) >= 1 and not (g["type"] == "org" and g["named"]):
                _absorb(groups[hits[0]], g)
                del groups[k]
                continue
        if len(words) >= 2 and g["type"] in ("person", "org") and words[0][:1].islower():
            # "de Keersmaeker" after "Paul de Keersmaeker"
            hits = [p for p in people if p != k and groups[p]["name"].lower().endswith(" " + g["name"].lower())]
            if hits:
                _absorb(groups[hits[0]], g)
                del groups[k]
                continue
        if g["type"] == "org" and not g["named"] and all(names.key(sp) == names.fold(sp).replace(".", "").strip()
                                                         or "'" in sp for sp in g["spellings"]):
            # a short form without a suffix of its own ("Champlin", not "AGIP SpA")
            target = _find_prefix_group(groups, order, k)
            if target:
                _absorb(groups[target], g)
                del groups[k]
    order = [k for k in order if k in groups]
    # an undefined acronym that spells the initials of an organisation of the report ("PRI")
    for k in list(order):
        g = groups.get(k)
        if g is None or g["type"] != "org" or g["named"] or not names.is_acronym(g["name"]) or " " in g["name"]:
            continue
        acr = g["name"].replace(".", "")
        for other in order:
            o = groups.get(other)
            if other == k or o is None or o["type"] != "org":
                continue
            words = [w for w in re.split(r"[\s-]+", o["name"]) if w[:1].isupper()]
            if len(words) >= 2 and names.initials(words) in (acr, acr + "C") or \
                    len(words) >= 3 and names.initials(words[:-1]) == acr:
                _absorb(o, g)
                del groups[k]
                break
    order = [k for k in order if k in groups]
    # misspelt places ("Mont Beliview" beside "Mont Belvieu") join the better-attested spelling
    for k in list(order):
        g = groups.get(k)
        if g is None or g["type"] != "place" or g["named"]:
            continue
        kk = names.key(g["name"])
        for other in order:
            o = groups.get(other)
            if other == k or o is None or o["type"] != "place":
                continue
            ok = names.key(o["name"])
            if len(kk) >= 5 and (kk[:3] == ok[:3] and SequenceMatcher(None, kk, ok).ratio() >= 0.87 or
                                 kk[:2] == ok[:2] and sorted(kk) == sorted(ok)):
                _absorb(o, g)
                del groups[k]
                break
    order = [k for k in order if k in groups]
    # a single-word person nobody names in full is dropped unless given a title
    out: dict[str, list[dict]] = {"organizations": [], "places": [], "people": []}
    field = {"org": "organizations", "place": "places", "person": "people"}
    for k in order:
        g = groups[k]
        aliases = names.aliases(g["name"], g["spellings"], keep=lambda sp: not _is_ticker_text(sp))
        first = min(g["mentions"])
        item = {"name": g["name"], "aliases": aliases,
                "mentions": [list(m) for m in sorted(set(g["mentions"]))],
                "confidence": round(g["conf"], 2), **provenance(doc, first[0], first[1])}
        out[field[g["type"]]].append(item)
    return out


def _is_ticker_text(s: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2,5}\.[A-Z]{1,2}", s))


def _absorb(into: dict, g: dict) -> None:
    into["spellings"].extend(g["spellings"])
    into["mentions"].extend(g["mentions"])
    into["conf"] = max(into["conf"], g["conf"])
    into["srcs"] |= g["srcs"]


def _find_prefix_group(groups, order, k, ministry=False):
    g = groups[k]
    kk = names.key(g["name"]) if not ministry else names.key(g["spellings"][0])
    best = None
    for other in order:
        if other == k or other not in groups:
            continue
        o = groups[other]
        if o["type"] != g["type"] or (ministry and "weak" in o["srcs"] and o["srcs"] == {"weak"}):
            continue
        ok = names.key(o["name"])
        if ministry:
            topic = kk.replace("ministry", "").strip()
            if o["name"].startswith("Ministry of") and topic and topic in ok:
                return other
            continue
        if ok.startswith(kk + " ") or (ok == kk and " " not in g["name"]) or any(names.key(s).startswith(kk + " ") for s in o["spellings"]) or (
                " " not in kk and ok.endswith(" " + kk) and ok != names.fold(o["name"])):
            # "Champlin" -> "Champlin Petroleum Co"; "Kellogg" -> "M.W. Kellogg Co"
            if best is None or len(o["mentions"]) > len(groups[best]["mentions"]):
                best = other
    return best


@Language.component("factwire_entities")
def entities_component(doc):
    found = find_entities(doc)
    doc._.organizations = found["organizations"]
    doc._.places = found["places"]
    doc._.people = found["people"]
    return doc
