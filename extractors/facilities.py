"""Facilities (pipelines, ports, terminals, fields, refineries, moorings ...).

Two sources, both kept as data under ``extractors/patterns/``:

* the gazetteer ``gazetteer_facilities.jsonl`` (SpanRuler patterns, ``id`` = canonical
  name, plus a ``kind``), matched by the rulers that ``entities.add_gazetteer`` adds;
* general patterns ``facilities_patterns.json``: a head-word lexicon per kind
  ("refinery", "oil field", "pumping station" ...) matched with a PhraseMatcher,
  and the rules that find the name around a head: "X oil field" -> "X field",
  "the port of X" -> "X port", "a refinery at X" -> "X refinery", "X, Texas
  refinery" -> "X refinery", "VPU-2 single-point mooring".

Unnamed mentions ("the pipeline"), facilities named only by their owner ("a Shell
storage unit"), nationality adjectives ("a Colombian pipeline") and regions ("North
Sea fields") give nothing.  Every mention of every alias is listed in ``mentions``
so the quantities family can tie amounts to facilities.
"""
from __future__ import annotations

import functools
import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from . import names
from .text import doc_text, provenance

_text = doc_text

VERSION = "2"

GAZ_KEY = "fw_gazetteer"      # doc.spans key the gazetteer rulers write to
CACHE_KEY = "fw_facilities"   # doc.user_data key: facilities found once per doc

_KIND_HEAD = {"field": "field", "refinery": "refinery", "port": "port", "terminal": "terminal",
              "pipeline": "pipeline", "platform": "platform", "storage": "storage",
              "railway": "railway", "mooring": "mooring"}
_PLURAL_HEADS = {"fields", "oilfields", "gasfields", "refineries", "terminals", "ports", "pipelines",
                 "platforms", "deposits", "plants"}
_ACR_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Z0-9]{1,6}(?:-[A-Z0-9]{1,3})?)\s*\)")
_AKA = re.compile(r",?\s*\(?(?:also known as|also called|known as|or)\s+(?:the\s+)?([A-Z][\w-]*)")
_PORT_OF = re.compile(r"(?i)(?:sea)?(?:port|harbou?r)s? of (?:the )?")
_AREA_WORDS = {"region", "province", "area", "district", "basin", "oblast", "city", "town", "village",
               "governorate", "county", "state", "peninsula", "island", "bay", "river", "valley", "coast"}
# kinds whose facility may be named by the place after the head ("a refinery at X")
_RIGHT_KINDS = {"refinery", "terminal", "field", "port", "plant", "storage", "other", "platform"}


@functools.lru_cache(maxsize=None)
def _data() -> dict:
    d = names.load_json("facilities_patterns.json")
    head_kind = {}
    for kind, heads in d["heads"].items():
        for h in heads:
            head_kind[h.lower()] = kind
    return {
        "head_kind": head_kind,
        "descriptors": {w.lower() for w in d["descriptors"]},
        "generic": {w.lower() for w in d["generic_heads"]},
        "particles": {w.lower() for w in d["name_particles"]},
        "stop": set(d["name_stopwords"]),
        "edge": set(d["edge_words"]),
        "region_tails": set(d["region_tails"]),
        "city_states": set(d["city_states"]),
        "right_other": {h.lower() for h in d["right_form_other_heads"]},
        "agencies": set(d["news_agencies"]),
        "blockers": {w.lower() for w in d["head_blockers"]},
        "preps": {w.lower() for w in d["locative_preps"]},
        "mooring": re.compile(d["mooring_names"]),
    }


@functools.lru_cache(maxsize=None)
def gazetteer_kinds() -> dict[str, str]:
    return {p["id"]: p["kind"] for p in names.load_jsonl("gazetteer_facilities.jsonl")}


@functools.lru_cache(maxsize=None)
def gazetteer_ids() -> dict[str, str]:
    """folded facility spelling -> canonical name."""
    return {names.fold(p["pattern"]): p["id"] for p in names.load_jsonl("gazetteer_facilities.jsonl")}


@functools.lru_cache(maxsize=None)
def place_index() -> dict[str, tuple[str, str]]:
    """folded place spelling -> (canonical, kind) from the places gazetteer."""
    return {names.fold(p["pattern"]): (p["id"], p["kind"]) for p in names.load_jsonl("gazetteer_places.jsonl")}


@functools.lru_cache(maxsize=None)
def org_index() -> dict[str, str]:
    return {names.fold(p["pattern"]): p["id"] for p in names.load_jsonl("gazetteer_organizations.jsonl")}


@functools.lru_cache(maxsize=None)
def demonyms() -> frozenset:
    return frozenset(names.fold(k) for k in names.lexicon()["demonyms"])


_MATCHERS: dict = {}


def _head_matcher(vocab):
    m = _MATCHERS.get(id(vocab))
    if m is None:
        from spacy.lang.en import English
        make = English(vocab=vocab).make_doc
        m = PhraseMatcher(vocab, attr="LOWER")
        by_kind: dict[str, list] = {}
        for head, kind in _data()["head_kind"].items():
            by_kind.setdefault(kind, []).append(make(head))
        for kind, docs in by_kind.items():
            m.add(kind, docs)
        _MATCHERS[id(vocab)] = m
    return m


def _is_cap(tok, lower_doc: bool) -> bool:
    """A token that can be part of a facility's name (in a lower-cased report: a named place)."""
    t = tok.text
    if t[:1].isupper() or (t[:1].isdigit() and len(t) <= 4 and tok.i > 0 and tok.nbor(-1).text == "-"):
        return True
    if re.match(r"^[a-z]'[A-Z]", t):          # l'Etang, d'Ivoire
        return True
    return lower_doc and (tok.ent_type_ in ("GPE", "LOC", "FAC") or tok.i in tok.doc.user_data.get("fw_gaz_place_tokens", ()))


def _name_left(doc, i: int, lower_doc: bool) -> tuple[int, int] | None:
    """Token range [s, e) of the capitalised name ending at token i (inclusive), or None."""
    d = _data()
    if not _is_cap(doc[i], lower_doc) or doc[i].text in d["stop"]:
        return None
    start, j = i, i - 1
    while j >= 0:
        tok = doc[j]
        if _is_cap(tok, lower_doc) and tok.text not in d["stop"]:
            start = j
            j -= 1
            continue
        # joiners inside a name: Baku-Tbilisi-Ceyhan, Bir 'Ali, Ponta da Madeira
        if j > 1 and tok.text in ("-", "–") and not tok.whitespace_ and not doc[j - 1].whitespace_ and \
                doc[j - 1].lower_ in ("al", "el", "ad", "ar", "as", "bin", "ibn", "abu") and _is_cap(doc[j - 2], lower_doc):
            j -= 1                                     # "Mina al-Ahmadi"
            continue
        if j > 0 and _is_cap(doc[j - 1], lower_doc) and doc[j - 1].text not in d["stop"] and (
                (tok.text in ("-", "–", "/", "&") and not tok.whitespace_ and not doc[j - 1].whitespace_)
                or tok.text in ("'", "’")
                or (tok.lower_ in d["particles"] and tok.text.islower() and tok.lower_ != "and")):
            j -= 1
            continue
        break
    return (start, i + 1)


def _strip_name(doc, s: int, e: int) -> tuple[int, int]:
    d = _data()
    while s < e and (doc[s].text in d["stop"] or (doc[s].lower_ in d["particles"] and doc[s].text.islower())
                     or (doc[s].text in d["edge"] and doc[s].is_sent_start)):
        s += 1
    while e - s > 1 and doc[e - 1].lower_.strip(".") in _suffixes():
        e -= 1                                         # "Trunkline Gas Co pipeline" -> "Trunkline Gas"
    while e > s and (doc[e - 1].lower_ in d["particles"] or doc[e - 1].text in ("-", "/", "'", "&")):
        e -= 1
    return s, e


def _name_right(doc, i: int, lower_doc: bool) -> tuple[int, int] | None:
    """Token range of a capitalised name starting at token i, or None."""
    d = _data()
    if i >= len(doc) or not _is_cap(doc[i], lower_doc) or doc[i].text in d["stop"]:
        return None
    j = i
    while j < len(doc):
        tok = doc[j]
        if _is_cap(tok, lower_doc) and tok.text not in d["stop"]:
            if j > i and tok.lower_ in d["blockers"]:
                break                                  # "Port of Singapore Authority"
            j += 1
            continue
        if j + 1 < len(doc) and _is_cap(doc[j + 1], lower_doc) and (
                tok.text in ("-", "'", "’", "/") or (tok.lower_ in d["particles"] and tok.text.islower()
                                                     and tok.lower_ != "and")):
            j += 1
            continue
        break
    return (i, j)


def _place_kind(text: str) -> str | None:
    hit = place_index().get(names.fold(names.clean(text)))
    return hit[1] if hit else None


def _is_demonym(text: str) -> bool:
    t = names.fold(names.clean(text))
    return t in demonyms() or all(w in demonyms() for w in t.split())


def _is_org(doc, s: int, e: int) -> bool:
    """Tokens [s, e) name an organisation: a gazetteer organisation, or a name with a corporate suffix."""
    span = doc[s:e]
    if names.fold(names.clean(span.text)) in org_index():
        return True
    for sp in doc.spans.get(GAZ_KEY, []):
        if sp.label_ == "ORG" and sp.start <= s and sp.end >= e:
            return True
    last = span[-1].lower_.strip(".")
    return last in _suffixes()


def _org_elsewhere(doc, s: int, e: int) -> bool:
    """The model names a firm by these words elsewhere in the report ("Champlin" ... "Champlin Petroleum Co")."""
    name = doc[s:e].text
    if names.fold(name) in place_index():
        return False
    found = False
    for ent in doc.ents:
        if ent.start < e and s < ent.end:
            continue
        if ent.label_ == "GPE" and ent.text == name:
            return False
        if ent.label_ == "ORG" and (ent.text == name or ent.text.startswith(name + " ")):
            found = True
    return found


@functools.lru_cache(maxsize=None)
def _suffixes() -> frozenset:
    return frozenset(w.strip(".") for w in names.lexicon()["org_suffixes"])


class _Mention:
    __slots__ = ("start", "end", "kind", "canon", "written", "base", "qualifier", "excl", "conf", "gaz", "place")

    def __init__(self, start, end, kind, canon, written, base=None, qualifier=None, excl=True, conf=0.75, gaz=False):
        self.start, self.end, self.kind, self.canon, self.written = start, end, kind, canon, written
        self.base, self.qualifier, self.excl, self.conf, self.gaz = base, qualifier, excl, conf, gaz
        self.place = None   # (start, end) of a place that names the facility from outside ("port of X")


def _canonical(base: str, head_tokens, kind: str) -> str:
    head_text = " ".join(t.text for t in head_tokens)
    if head_tokens[0].text.istitle():            # a proper name: "Hawaiian Independent Refinery"
        return f"{base} {head_text}"
    last = head_tokens[-1].lower_
    d = _data()
    if last in _PLURAL_HEADS:
        return f"{base} {head_text}"
    if kind in _KIND_HEAD:
        return f"{base} {_KIND_HEAD[kind]}"
    words = [t.text for t in head_tokens if t.lower_ not in d["descriptors"]] or [head_text]
    return f"{base} {' '.join(words)}"


def _pattern_mentions(doc) -> list[_Mention]:
    d = _data()
    lower_doc = sum(1 for c in _text(doc)[:2000] if c.isupper()) < 0.01 * min(len(_text(doc)), 2000)
    if lower_doc:
        doc.user_data["fw_gaz_place_tokens"] = {i for sp in doc.spans.get(GAZ_KEY, []) if sp.label_ in ("GPE", "LOC")
                                                for i in range(sp.start, sp.end)}
    heads = filter_spans([doc[s:e] for _, s, e in _head_matcher(doc.vocab)(doc)])
    out: list[_Mention] = []
    for h in heads:
        if len(h) > 1 and h[0].text.istitle() and not h[0].is_sent_start and h[-1].text.islower():
            h = doc[h.start + 1:h.end]                 # "Black Sea port": "Sea" belongs to the name
        kind = d["head_kind"].get(" ".join(t.lower_ for t in h))
        if kind is None:
            continue
        nxt = doc[h.end] if h.end < len(doc) else None
        if nxt is not None and nxt.lower_ in d["blockers"]:
            continue
        if kind == "mooring":
            m = _mooring(doc, h)
            if m:
                out.append(m)
            continue
        # skip lower-case descriptors between the name and the head ("Ness oil field")
        i = h.start - 1
        while i >= 0 and doc[i].lower_ in d["descriptors"] and doc[i].text.islower():
            i -= 1
        left = None
        named_before = False
        acr_alias = None
        if i >= 3 and doc[i].text == "," and doc[i - 2].text == "," and \
                _place_kind(doc[i - 1].text) in ("state", "country"):
            # "Sun Co's Marcus Hook, Pa., refinery"
            rng = _name_left(doc, i - 3, lower_doc)
            if rng:
                s0, e0 = _strip_name(doc, *rng)
                if s0 < e0 and not _is_org(doc, s0, e0):
                    base = names.clean(doc[s0:e0].text)
                    out.append(_Mention(doc[s0].idx, h.end_char, kind, _canonical(base, list(h), kind),
                                        names.clean(doc[s0:h.end].text), base=base,
                                        qualifier=doc[i - 1].text, conf=0.75))
                    continue
        if i >= 2 and doc[i].text == ")" and doc[i - 2].text == "(" and doc[i - 1].text.isupper():
            acr_alias = doc[i - 1].text                # "Baku-Tbilisi-Ceyhan (BTC) oil pipeline"
            i -= 3
        if i >= 0:
            rng = _name_left(doc, i, lower_doc)
            if rng:
                s, e = _strip_name(doc, *rng)
                if s < e:
                    named_before = True
                    left = _left_candidate(doc, s, e, h, kind)
        if left == "reject":
            continue
        right_ok = kind in _RIGHT_KINDS and (kind != "other" or h.text.lower() in d["right_other"])
        has_left = isinstance(left, _Mention) and left.canon is not None and bool(left.base)
        right = _right_candidates(doc, h, kind, lower_doc, with_left=named_before) if right_ok else []
        if right and named_before and doc[h.end].lower_ not in ("at", "of"):
            # "the PCK refinery in Schwedt", "the Exxon refinery in Baytown": named by the town,
            # unless the name before the head is itself a place ("the Atyrau refinery in Kazakhstan")
            if (has_left and _place_kind(left.base) is not None) or \
                    any(_place_kind(r.base) in ("country", "region", "state") for r in right):
                right = []
        elif right and doc[h.end].lower_ not in ("at", "of"):
            # "its refinery in Gothenburg": only a town names it
            if any(_place_kind(r.base) in ("country", "region", "state") or not _town_like(doc, r) for r in right):
                right = []
        if right:
            # "the ISAB/Garrone refinery at Mellili": the place names it, the left form is an alias
            if has_left and len(right) == 1 and named_before:
                right[0].start = left.start
                right[0].written = left.written
                right[0].excl = doc[h.end].lower_ != "at"     # "ISAB/Garrone refinery at X" keeps its owners
            out.extend(right)
        elif left is not None:
            out.append(left)
            if left.canon and h[-1].lower_ in _PLURAL_HEADS and left.excl:
                more = _coordinated_left(doc, left, h, kind, lower_doc)
                if more and kind in _KIND_HEAD:
                    # one installation per name: "Yanbu refinery", "Jubail refinery"
                    for m in more + [left]:
                        m.canon = f"{m.base} {_KIND_HEAD[kind]}"
                out.extend(more)
    return out


def _coordinated_left(doc, left, h, kind, lower_doc) -> list[_Mention]:
    """"the Yanbu and Jubail export refineries": one facility per name."""
    out = []
    tok = doc.char_span(left.start, left.start + 1, alignment_mode="expand")
    i = tok.start - 1 if tok is not None else -1
    while i >= 1 and doc[i].lower_ in ("and", ","):
        rng = _name_left(doc, i - 1, lower_doc)
        if not rng:
            break
        s, e = _strip_name(doc, *rng)
        if s >= e:
            break
        cand = _left_candidate(doc, s, e, h, kind)
        if not isinstance(cand, _Mention) or cand.canon is None:
            break
        base = cand.base = names.clean(doc[s:e].text)
        cand.end = doc[e - 1].idx + len(doc[e - 1])
        cand.canon = _canonical(base, list(h), kind)
        cand.written = f"{base} {_KIND_HEAD[kind]}" if kind in _KIND_HEAD else cand.canon
        out.append(cand)
        i = s - 1
    return out


def _left_candidate(doc, s, e, h, kind):
    """A mention for the name tokens [s, e) before head span h, None if not a facility name."""
    d = _data()
    name = names.clean(doc[s:e].text)
    if not name or len(name) < 2 or not re.search(r"[A-Za-z]", name) or re.search(r"/\d|\d/", name):
        return None                                   # table cells ("Antwerp/1-3 ports") name nothing
    while e - s > 1 and (_is_demonym(doc[s].text) or doc[s].ent_type_ == "NORP"):
        s += 1                                        # "the Turkish Mediterranean port": a nationality, then the name
        name = names.clean(doc[s:e].text)
    proper_head = h[0].text.istitle() and not h[0].is_sent_start
    if proper_head and s > 0 and doc[s - 1].lower_ in ("of", "for", "into", "on"):
        return None                                   # "Commission into Grain Storage": inside another name
    if _is_demonym(name) or all(t.ent_type_ == "NORP" for t in doc[s:e]):
        return None                                   # "a Colombian pipeline", "Tanzanian railway"
    pk = _place_kind(name)
    # "the Lago Agrio to Puerto Colon pipeline": a pipeline named by its two ends
    if kind == "pipeline" and s >= 2 and doc[s - 1].lower_ == "to":
        rng = _name_left(doc, s - 2, False)
        if rng:
            s0, e0 = _strip_name(doc, *rng)
            if s0 < e0:
                base = f"{names.clean(doc[s0:e0].text)}-{name}"
                return _Mention(doc[s0].idx, h.end_char, kind, f"{base} pipeline",
                                names.clean(doc[s0:h.end].text), base=base, conf=0.7)
    qualifier = None
    # "Corpus Christi, Texas refinery": the state or country qualifies the named place before it
    if pk in ("state", "country") and s >= 2 and doc[s - 1].text == ",":
        rng = _name_left(doc, s - 2, False)
        if rng:
            s2, e2 = _strip_name(doc, *rng)
            if s2 < e2 and not _is_org(doc, s2, e2):
                qualifier = name
                written = names.clean(doc[s2:h.end].text)
                base = names.clean(doc[s2:e2].text)
                return _Mention(doc[s2].idx, h.end_char, kind, _canonical(base, list(h), kind), written,
                                base=base, qualifier=qualifier, conf=0.75)
    plural = h[-1].lower_ in _PLURAL_HEADS
    if proper_head and h.end < len(doc) and doc[h.end].text[:1].isupper() and doc[h.end].is_alpha:
        return None                                   # "Electromagnetic Well Stimulation Process": a longer name
    if org_index().get(names.fold(name)) in d["agencies"]:
        return None                                   # "Reuters Pipeline" is a news service
    if plural and (pk in ("country", "region", "state") or (pk is None and all(t.ent_type_ == "LOC" for t in doc[s:e]))):
        return None                                   # "U.S. ports", "Gulf ports"
    # "the Eider North Sea field", "Strathcona Alberta refinery": the region or state qualifies the name
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        tail_kind = _place_kind(" ".join(words[k:]))
        if tail_kind in ("region", "state", "country"):
            base = " ".join(words[:k])
            if _place_kind(base) not in ("region", "state", "country") and not _is_demonym(base):
                return _Mention(doc[s].idx, h.end_char, kind, _canonical(base, list(h), kind),
                                names.clean(doc[s:h.end].text), base=base, qualifier=" ".join(words[k:]),
                                conf=0.7)
            break
    if pk in ("country", "region", "state") and not (kind == "port" and name in d["city_states"]) and not proper_head:
        return _Mention(doc[s].idx, h.end_char, kind, None, names.clean(doc[s:h.end].text),
                        base=name, qualifier=name, conf=0.0)     # "Texas refinery": resolved later or dropped
    if any(t.text in d["stop"] for t in doc[s:e]) and e - s == 1:
        return None
    if (_is_org(doc, s, e) or _org_elsewhere(doc, s, e)) and not proper_head and kind != "pipeline":
        if s > 0 and doc[s - 1].lower_ in ("a", "an"):
            return "reject"
        return None                                   # owner-named: try "X refinery at Y" instead
    if s > 0 and doc[s - 1].lower_ in ("a", "an") and not proper_head:
        return "reject"
    written = names.clean(doc[s:h.end].text)
    return _Mention(doc[s].idx, h.end_char, kind, _canonical(name, list(h), kind), written, base=name,
                    conf=0.8 if proper_head else 0.75)


def _right_candidates(doc, h, kind, lower_doc, with_left: bool = False) -> list[_Mention]:
    d = _data()
    j = h.end
    if j >= len(doc) or doc[j].lower_ not in d["preps"]:
        return []
    prep = doc[j].lower_
    if prep == "of" and kind != "port":
        return []
    if prep not in ("at", "of") and not with_left and kind not in ("refinery", "plant"):
        return []                                     # "an oil terminal in Novorossiysk" names no terminal
    out = []
    k = j + 1
    while k < len(doc) and doc[k].lower_ in ("the",):
        k += 1
    plural = h[-1].lower_ in _PLURAL_HEADS
    while True:
        rng = _name_right(doc, k, lower_doc)
        if not rng:
            break
        s, e = _strip_name(doc, *rng)
        if s >= e:
            break
        name = names.clean(doc[s:e].text)
        pk = _place_kind(name)
        if _is_demonym(name) or (pk in ("country", "region", "state") and not (kind == "port" and prep == "of")):
            break
        if (_is_org(doc, s, e) or _org_elsewhere(doc, s, e)) and prep != "of":
            break
        if prep != "of" and doc[e - 1].text in d["region_tails"]:
            break                                     # "a platform in the Santa Maria Basin": a region
        if e < len(doc) and doc[e].lower_ in d["blockers"] and prep != "of":
            break
        if e < len(doc) and doc[e].lower_ in d["head_kind"]:
            break                                     # "at Lake Charles terminal": the left rule has it
        head_words = [t.text for t in h if t.lower_ not in d["descriptors"]]
        if kind in _KIND_HEAD:
            canon = f"{name} {_KIND_HEAD[kind]}"
        else:
            canon = f"{name} {' '.join(head_words)}"
        if plural and h[-1].lower_ in ("fields", "oilfields", "deposits"):
            canon = f"{name} {h.text}"
        written = names.clean(doc[h.start:e].text) if not plural else canon
        start = h.start_char if not out else doc[s].idx
        m = _Mention(start, doc[e - 1].idx + len(doc[e - 1]), kind, canon, written, base=name, excl=False, conf=0.7)
        m.place = (doc[s].idx, doc[e - 1].idx + len(doc[e - 1]))
        out.append(m)
        if plural and e + 1 < len(doc) and doc[e].lower_ in ("and", ","):
            if doc[e].lower_ == ",":
                # a list goes on only if the next name is followed by "and" or another comma
                nxt = _name_right(doc, e + 1, lower_doc)
                if not nxt or nxt[1] >= len(doc) or doc[nxt[1]].lower_ not in ("and", ","):
                    break
            k = e + 1
            continue
        break
    return out


def _town_like(doc, m: _Mention) -> bool:
    """The name after "in" is a town: a gazetteer city or what the model calls a GPE."""
    if _place_kind(m.base) == "city":
        return True
    span = doc.char_span(*m.place, alignment_mode="expand") if m.place else None
    return span is not None and all(t.ent_type_ == "GPE" for t in span)


def _mooring(doc, h) -> _Mention | None:
    """"single-point mooring unit VPU-2" / "VPU-2 single-point mooring" / "SPM-3"."""
    d = _data()
    cands = []
    if h.end < len(doc):
        cands.append(doc[h.end])
    if h.end + 1 < len(doc) and doc[h.end].lower_ in ("unit", "no", "no."):
        cands.append(doc[h.end + 1])
    if h.start > 0:
        cands.append(doc[h.start - 1])
    for tok in cands:
        text = tok.text
        # "VPU-2" may be one token or three (VPU - 2)
        if tok.i + 2 < len(doc) and doc[tok.i + 1].text == "-" and doc[tok.i + 2].like_num and not tok.whitespace_:
            text = doc[tok.i:tok.i + 3].text
            end_tok = doc[tok.i + 2]
        else:
            end_tok = tok
        if d["mooring"].match(text):
            return _Mention(tok.idx, end_tok.idx + len(end_tok), "mooring", text, text, base=text, conf=0.8)
    return None


def _mooring_ids(doc) -> list[_Mention]:
    """Bare mooring names ("SPM-2") anywhere: they name installations on their own."""
    out = []
    for m in re.finditer(r"\b(?:SPM|VPU|SBM)-\d{1,2}\b", _text(doc)):
        out.append(_Mention(m.start(), m.end(), "mooring", m.group(), m.group(), base=m.group(), conf=0.75))
    return out


def _gazetteer_mentions(doc) -> list[_Mention]:
    kinds = gazetteer_kinds()
    out = []
    for sp in filter_spans([sp for sp in doc.spans.get(GAZ_KEY, []) if sp.label_ in ("FAC", "ORG", "SKIP")]):
        if sp.label_ != "FAC":
            continue
        canon = sp.id_ or sp.text
        m = _Mention(sp.start_char, sp.end_char, kinds.get(canon, "other"), canon,
                     names.clean(sp.text), base=None, conf=0.9, gaz=True)
        of = _PORT_OF.match(sp.text)
        if of:
            # "the port of Aktau" names the city too
            m.excl = False
            m.place = (sp.start_char + of.end(), sp.end_char)
        out.append(m)
    return out


def _overlaps(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def collect_mentions(doc) -> list[_Mention]:
    gaz = _gazetteer_mentions(doc)
    pats = _pattern_mentions(doc) + _mooring_ids(doc)
    # a longer name built on a gazetteer name is another facility ("West Chirag platform")
    longer = [m for m in pats if m.excl and m.canon and any(
        (g.start > m.start and g.end == m.end and re.match(r"^[A-Z][\w-]*\s", _text(doc)[m.start:g.start] or "x"))
        or (g.start == m.start and g.end < m.end and g.kind != m.kind)      # "Mina al-Ahmadi refinery"
        for g in gaz)]
    gaz = [g for g in gaz if not any(g.start >= m.start and g.end <= m.end for m in longer)]
    pats = [m for m in pats if not any(_overlaps(m, g) for g in gaz)]
    # longest first, drop overlapping pattern mentions
    kept: list[_Mention] = []
    for m in sorted(pats, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(_overlaps(m, k) and m.excl and k.excl for k in kept) and not any(
                m.start >= k.start and m.end <= k.end for k in kept):
            kept.append(m)
    return gaz + kept


def find_facilities(doc) -> list[dict]:
    """Named facilities of ``doc`` as ``{name, kind, aliases, mentions, ...provenance}``."""
    cached = doc.user_data.get(CACHE_KEY)
    if cached is not None:
        return cached
    mentions = collect_mentions(doc)
    groups: dict[tuple, dict] = {}
    order: list[tuple] = []
    pending: list[_Mention] = []

    def add(gkey, m, canon):
        g = groups.get(gkey)
        if g is None:
            g = groups[gkey] = {"name": canon, "kind": m.kind, "spellings": [], "mentions": [], "conf": 0.0,
                                "base": m.base, "qualifier": m.qualifier, "first": m, "excl": [], "places": []}
            order.append(gkey)
        g["spellings"].append(m.written)
        g["mentions"].append((m.start, m.end))
        g["conf"] = max(g["conf"], m.conf)
        if m.excl:
            # the place that names a facility from outside stays a place ("refinery in Schwedt")
            g["excl"].append((m.start, m.place[0]) if m.place and m.place[0] > m.start else (m.start, m.end))
        if m.place:
            g["places"].append(m.place)
        if m.start < g["first"].start:
            g["first"] = m

    generic = _data()["generic"]
    for m in sorted(mentions, key=lambda m: m.start):
        if m.canon is None:
            pending.append(m)
            continue
        if m.gaz:
            add(("gaz", m.canon), m, m.canon)
            continue
        known = gazetteer_ids().get(names.fold(m.canon)) or gazetteer_ids().get(names.fold(m.written))
        if known:
            # a pattern found a facility the gazetteer knows ("Aktau and Kuryk ports")
            add(("gaz", known), m, known)
            continue
        gkey = (names.key(m.base or m.canon), m.kind)
        add(gkey, m, m.canon)
    # a generic head ("Corpus Christi plant") joins a specific facility with the same name
    for gkey in list(order):
        g = groups[gkey]
        if g["kind"] == "plant" and gkey[0] != "gaz":
            last = g["name"].split()[-1].lower()
            if last in generic:
                for other in order:
                    o = groups.get(other)
                    if other != gkey and o and o["kind"] != "plant" and other[0] == gkey[0]:
                        _merge(o, g)
                        del groups[gkey]
                        break
    order = [k for k in order if k in groups]
    # "Texas refinery" after "Corpus Christi, Texas refinery": the qualified facility
    for m in pending:
        target = [groups[k] for k in order if groups[k]["qualifier"] and
                  names.fold(groups[k]["qualifier"]) == names.fold(m.qualifier) and groups[k]["kind"] == m.kind]
        if not target and _place_kind(m.qualifier) == "state":
            # "the Texas refinery" in a report about one refinery: that refinery
            target = [groups[k] for k in order if groups[k]["kind"] == m.kind]
        if len(target) == 1:
            t = target[0]
            t["spellings"].append(m.written)
            t["mentions"].append((m.start, m.end))
            t["excl"].append((m.start, m.end))
    # a field or platform named once in full is then named by its bare name ("develop Draugen")
    for k in order:
        g = groups[k]
        if g["kind"] in ("field", "platform") and g["base"] and k[0] != "gaz" and _place_kind(g["base"]) is None:
            for s, e in names.find_all(_text(doc), g["base"]):
                after = _text(doc)[e:e + 14].split()[:1]
                if after and after[0].lower().strip(".,") in _AREA_WORDS:
                    continue                           # "the Shabwa region" is a place
                if not any(s >= a and e <= b for a, b in g["mentions"]):
                    g["mentions"].append((s, e))
                    g["excl"].append((s, e))
                    g["spellings"].append(g["base"])
    # "the Aktau International Sea Commercial Port ... the port of Aktau": a port named for its
    # city and a port whose proper name starts with that city are one port
    for k in list(order):
        g = groups.get(k)
        if g is None or g["kind"] != "port" or not g["name"].endswith(" port"):
            continue
        city = g["name"][:-len(" port")]
        fuller = [o for k2, o in groups.items() if k2 != k and o["kind"] == "port"
                  and o["name"].startswith(city + " ") and _proper_name(o["name"])]
        if len(fuller) == 1:
            _merge(fuller[0], g)
            del groups[k]
    order = [k for k in order if k in groups]
    # "the single-point mooring SPM-2, also known as VPU-2": one installation, two names
    text = _text(doc)
    for k in list(order):
        g = groups.get(k)
        if g is None:
            continue
        for a, b in list(g["mentions"]):
            m = _AKA.match(text, b)
            if not m:
                continue
            for k2 in order:
                o = groups.get(k2)
                if o is not None and k2 != k and any(b <= x <= m.end() for x, _ in o["mentions"]):
                    _merge(g, o)
                    g["spellings"].append(o["name"])
                    del groups[k2]
                    break
    order = [k for k in order if k in groups]
    # "the Azeri Central East platform (ACE)": an acronym right after a facility's name
    for k in order:
        g = groups[k]
        for a, b in list(g["mentions"]):
            m = _ACR_AFTER.match(text, b)
            if not m or any(m.group(1) == sp for gg in groups.values() for sp in gg["spellings"] if gg is not g):
                continue
            acr = m.group(1)
            for s2, e2 in names.find_all(text, acr):
                if not any(x <= s2 < y for x, y in g["mentions"]):
                    g["mentions"].append((s2, e2))
                    g["excl"].append((s2, e2))
                    g["spellings"].append(acr)
    # acronyms defined for a facility ("Strategic Petroleum Reserve (SPR)")
    for acr, (s, e, long) in _acronyms(doc).items():
        for k in order:
            g = groups[k]
            if any(a <= s and e <= b for a, b in g["excl"]):
                for s2, e2 in names.find_all(_text(doc), acr):
                    if not any(a <= s2 < b for a, b in g["mentions"]):
                        g["mentions"].append((s2, e2))
                        g["excl"].append((s2, e2))
                        g["spellings"].append(acr)
                break
    out, excl, place_list = [], [], []
    for k in order:
        g = groups[k]
        fullest = _fullest_name(text, g)
        if fullest != g["name"]:
            g["spellings"].append(g["name"])
            g["name"] = fullest
        aliases = names.aliases(g["name"], g["spellings"])
        first = g["first"]
        item = {"name": names.display(g["name"]) if g["name"].islower() else g["name"],
                "kind": g["kind"], "aliases": aliases,
                "mentions": [list(x) for x in sorted(set(g["mentions"]))],
                "confidence": round(g["conf"], 2),
                **provenance(doc, first.start, first.end)}
        excl.extend(sorted(set(g["excl"])))
        place_list.extend(sorted(set(g["places"])))
        out.append(item)
    doc.user_data[CACHE_KEY] = out
    doc.user_data[CACHE_KEY + "_spans"] = (excl, place_list)
    return out


_NAMED_BY_PLACE = re.compile(r"(?:the\s+)?(?:sea\s+)?(?:port|terminal|harbou?r)s?\s+(?:of|at)\s", re.I)
_MINOR_WORDS = {"of", "and", "de", "la", "du", "al", "el"}


def _proper_name(spelling: str) -> bool:
    """Every word capitalised (bar "of", "and" ...), and not an acronym: a name, not a description."""
    words = spelling.replace("/", " ").split()
    return (len(words) > 1 and not any(w.isupper() for w in words)
            and all(w[:1].isupper() or w in _MINOR_WORDS for w in words))


def _fullest_name(text: str, group: dict) -> str:
    """A facility's canonical name in this report: a longer proper name written for it, if any.

    "the Baku International Sea Trade Port ... the Port of Baku" is named by the first,
    not by the gazetteer's short "Baku port"; "Pavlodar Petrochemical Plant" likewise.
    Descriptions ("Priolo crude refining units"), acronyms and "Port of X" (named "X port"
    by convention) never replace a name.
    """
    best = group["name"]
    for spelling in group["spellings"]:
        if (len(spelling.split()) > len(best.split()) and _proper_name(spelling)
                and not _NAMED_BY_PLACE.match(spelling) and spelling in text):
            best = spelling
    return best


def _merge(into: dict, other: dict) -> None:
    into["spellings"].extend(other["spellings"] + [other["name"]])
    into["mentions"].extend(other["mentions"])
    into["excl"].extend(other["excl"])
    into["places"].extend(other["places"])
    into["conf"] = max(into["conf"], other["conf"])
    if other["first"].start < into["first"].start:
        into["first"] = other["first"]


def _acronyms(doc) -> dict:
    acr = doc.user_data.get("fw_acronyms")
    if acr is None:
        acr = doc.user_data["fw_acronyms"] = names.learn_acronyms(_text(doc))
    return acr


def excluded_spans(doc) -> list[tuple[int, int]]:
    """Character spans that name facilities: places and organisations inside them are not listed."""
    find_facilities(doc)
    return list(doc.user_data[CACHE_KEY + "_spans"][0])


def place_spans(doc) -> list[tuple[int, int]]:
    """Places that name a facility from outside ("the port of Aktau", "a refinery at X"): still places."""
    find_facilities(doc)
    return list(doc.user_data[CACHE_KEY + "_spans"][1])


@Language.component("factwire_facilities")
def facilities_component(doc):
    items = find_facilities(doc)
    doc._.facilities = [dict(f) for f in items]
    # the entities and facilities families are done: drop their working state so Docs serialise cleanly
    for key in (CACHE_KEY, CACHE_KEY + "_spans", "fw_text", "fw_acronyms", "fw_gaz_place_tokens"):
        doc.user_data.pop(key, None)
    return doc
