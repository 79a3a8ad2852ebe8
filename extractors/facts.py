"""Tie each amount to its commodity, facilities, period and status.

Everything works from the amount's *anchor* token (the head of its own noun
phrase: "tonnes" in "5 mln tonnes of wheat") and its chain of syntactic heads
up to the sentence root:

- status: cue lexicons (``patterns/quantities_cues.json``) looked up on that
  chain, on the auxiliaries/modals and subjects of its verbs and on the
  prepositional phrases hanging off them ("under the deal"); reserves ->
  forecast, capacity of an installation -> capacity (or planned when it is to
  be built), contracts/quotas/purchases -> agreed, intentions -> planned,
  projections -> forecast, else actual.  A comparison figure whose period is
  already over ("from 105.6 mln in 1986") is actual.
- commodity: the "of X" complement, then goods named in the subject/object
  of its verbs ("gasoline stocks fell ..."), then the amount beside it, the
  installation's good, goods named earlier in the sentence or the one before.
- facilities: facility mentions (``doc._.facilities``) in the same clause, on
  the chain itself ("X, which handles N"), or definite descriptions ("the
  refinery", "its pipeline") resolved to the last facility of that kind.
- period: the date (``doc._.dates``) of the same clause; each date belongs to
  the amount it is syntactically closest to; comparison figures without a
  date of their own get their partner's span one year earlier.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from .quantities import lexicon
from .text import doc_text

SPEECH = {"say", "tell", "report", "announce", "state", "add", "note", "disclose", "comment", "date",
          "issue", "publish", "release", "quote", "explain", "confirm", "inform", "write", "claim"}
def _speech(tok):
    """A verb of saying ("said", "added"), not "add 30 bcm" or "report a loss"."""
    lem = tok.lemma_.lower()
    if lem not in SPEECH:
        return False
    if lem in ("add", "report", "state", "note", "release", "issue") and any(c.dep_ == "dobj" for c in tok.children):
        return False
    return True


CHANGE_VERBS = {"expand", "widen", "narrow", "improve", "slow", "accelerate", "soar", "tumble", "rise", "fall", "drop", "decline", "increase", "decrease", "grow", "slip", "ease", "jump",
                "surge", "plunge", "dip", "edge", "climb", "slump", "shrink", "average", "total", "amount",
                "reach", "remain", "stand", "go", "come", "recover", "rebound", "double", "top", "exceed"}
DATELINE_RE = re.compile(r"^\s*(?:\([^)]{0,40}\))?\s*(?:[-–—.:]|\()")


@functools.lru_cache(maxsize=1)
def _lex():
    lx = lexicon()
    st = lx["cues"]["status"]
    goods = lx["goods"]
    sets = {k: set(v) for k, v in st.items() if isinstance(v, list)}
    forms = sorted(goods["commodities"], key=lambda f: -len(f))
    alt = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in forms)
    goods_re = re.compile(rf"(?i)(?<![\w-])(?:{alt})(?![\w-])")
    return {"st": sets, "goods": goods, "goods_re": goods_re,
            "flow": set(goods["flow_nouns"]), "weak": set(goods["generic_weak"]),
            "pollutants": set(goods["pollutants"])}


# ----------------------------------------------------------------------------- helpers

_SENT_CACHE: dict = {}


def _index_sents(doc):
    """Sentences of ``doc`` and each token's sentence, computed once per document."""
    sents = list(doc.sents)
    owner = [0] * len(doc)
    for k, s in enumerate(sents):
        for i in range(s.start, s.end):
            owner[i] = k
    _SENT_CACHE.clear()
    _SENT_CACHE[id(doc)] = (doc, sents, owner)
    return sents


def _sent(tok):
    cached = _SENT_CACHE.get(id(tok.doc))
    if cached is None or cached[0] is not tok.doc:
        _index_sents(tok.doc)
        cached = _SENT_CACHE[id(tok.doc)]
    return cached[1][cached[2][tok.i]]

def _anchor(doc, start, end):
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None, None
    return span, span.root


def _chain(tok):
    """The token and all its syntactic heads up to the root."""
    out = [tok]
    while out[-1].head.i != out[-1].i and len(out) < 40:
        out.append(out[-1].head)
    return out


def _clause_verb(tok):
    for t in _chain(tok):
        if t.pos_ in ("VERB", "AUX"):
            return t
    return _sent(tok).root


def _tree_distance(a, b):
    ca = {t.i: n for n, t in enumerate(_chain(a))}
    for n, t in enumerate(_chain(b)):
        if t.i in ca:
            return ca[t.i] + n
    return 99


def _goods_in(text, offset=0):
    lx = _lex()
    out = []
    for m in lx["goods_re"].finditer(text):
        out.append((m.start() + offset, m.end() + offset, m.group(0)))
    return out


def _strong_hits(doc, start, end, blocked=()):
    """Goods named in doc_text(doc)[start:end], not inside a name ("Continental Grain Co") or facility."""
    lx = _lex()
    out = []
    for h in _goods_in(doc_text(doc)[start:end], start):
        if h[2].lower() in lx["weak"]:
            continue
        if any(s <= h[0] < e for s, e in blocked):
            continue
        span = doc.char_span(h[0], h[1], alignment_mode="expand")
        if span is None:
            continue
        if any(t.ent_type_ in ("ORG", "PERSON", "FAC", "WORK_OF_ART", "LAW") for t in span):
            continue
        first, last = span[0], span[-1]
        if h[2][:1].isupper() and not h[2].isupper() and (
                (last.i + 1 < len(doc) and doc[last.i + 1].text[:1].isupper() and doc[last.i + 1].is_alpha)
                or (first.i > _sent(first).start and doc[first.i - 1].text[:1].isupper() and doc[first.i - 1].is_alpha)):
            continue
        out.append(h)
    return out


def _compatible(good, unit):
    """Barrels and gallons hold liquids: no 'coal' or 'wheat' in barrels."""
    g = lexicon()["goods"]
    if not good or unit not in g["liquid_units"]:
        return True
    return good in g["liquid_goods"] or any(x in good for x in ("oil", "gas", "fuel", "crude", "liquid", "condensate"))


def _canon(form):
    return _lex()["goods"]["commodities"].get(" ".join(form.lower().split()))


def _shift_year(iso, years):
    d = dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:
        return d.replace(year=d.year + years, day=28).isoformat()


# ----------------------------------------------------------------------------- commodity

_STOP_NP = {"for", "to", "from", "at", "in", "by", "with", "through", "via", "on", "into", "per", "a", "an",
            "under", "which", "that", "priced", "valued", "worth", "during", "since", "between", "each", "daily",
            "annually", "last", "this", "next", "over", "while", "against", "compared", "versus", "was", "were",
            "is", "are", "had", "has", "have", "will", "would", "said", "but", "than", "as", "so", "it"}


def _np_goods(doc, start, limit_end):
    """Goods named in the noun phrase starting at ``start`` (after 'of')."""
    text = doc_text(doc)[start:limit_end]
    words = list(re.finditer(r"[A-Za-z][\w'.-]*|\d[\d,.]*|,|\(|\)|;|:", text))
    end = start
    kept = []
    goods = _lex()["goods"]["commodities"]
    for n, w in enumerate(words):
        lw = w.group(0).lower().rstrip(".")
        if lw in _STOP_NP or lw in (";", ":", "(", ")") or lw[:1].isdigit():
            break
        if lw == "," and (not kept or kept[-1] == "," or n + 1 >= len(words)
                          or not _goods_in(text[words[n + 1].start():words[n + 1].end() + 20])
                          or _goods_in(text[words[n + 1].start():words[n + 1].end() + 20])[0][0] != 0):
            break
        if w.group(0)[:1].isupper() and n > 0 and lw not in goods:
            break
        wspan = doc.char_span(start + w.start(), start + w.end(), alignment_mode="expand")
        if wspan is not None and len(wspan) and wspan[0].tag_ in ("VBN", "VBD", "VBZ", "VBP", "VBG", "MD") \
                and lw not in goods:
            break
        kept.append(lw)
        end = start + w.end()
    while kept and kept[-1] in (",", "and", "or", "other"):
        kept.pop()
    if kept and kept[0] in ("and", "or", ","):
        return None
    if not kept:
        return None
    np_text = doc_text(doc)[start:end].strip().rstrip(",")
    hits = _goods_in(np_text)
    if not hits:
        return None
    coordinated = any(k in ("and", "or", ",") for k in kept)
    if coordinated and len(kept) > 1:
        first = hits[0]
        phrase = np_text[first[0]:].strip().rstrip(",.")
        phrase = " ".join(phrase.split())
        # modifiers written before the first good ("domestic fuel oil, gasoline ...")
        lead = np_text[:first[0]].strip().split()
        lead = [w for w in lead if w.lower() not in ("the", "all", "its", "their", "of", "u.s.", "some")
                and w[:1].islower()]
        if lead:
            phrase = " ".join(lead) + " " + phrase
        phrase = phrase.lower()
        phrase = re.sub(r"^crude\b(?!\s+oil)", "crude oil", phrase)
        if _canon(phrase):
            return _canon(phrase)
        # plain list of goods, or goods plus something else as written
        if len(hits) >= 2 or re.search(r"\band\b|,", phrase):
            return phrase
        return _canon(first[2])
    strong = [h for h in hits if h[2].lower() not in _lex()["weak"]] or hits
    return _canon(strong[-1][2])


def _token_goods(doc, tokens, blocked=()):
    """Goods named by compound/amod modifiers of ``tokens`` or their own lemma."""
    for tok in tokens:
        left = [c for c in tok.lefts if c.dep_ in ("compound", "amod", "nmod", "poss")] + [tok]
        start = min(t.idx for t in left)
        for c in left:
            start = min(start, min(x.idx for x in c.subtree))
        strong = _strong_hits(doc, start, tok.idx + len(tok.text), blocked)
        if strong:
            return _canon(strong[-1][2])
        for c in tok.rights:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        g = _np_goods(doc, min(x.idx for x in p.subtree),
                                      max(x.idx + len(x.text) for x in p.subtree))
                        if g:
                            return g
    return None


def _commodity(doc, item, ctx):
    lx = _lex()
    # 1. "N tonnes of wheat", "N (bpd) of crude"
    after = doc_text(doc)[ctx["unit_end"]:ctx["unit_end"] + 120]
    m = re.match(r"\s*(?:\([^)]{1,15}\)\s*)?,?\s*of\s+", after)
    if m:
        g = _np_goods(doc, ctx["unit_end"] + m.end(), min(ctx["sent"].end_char, ctx["unit_end"] + 120))
        if g:
            return g, "of"
    tail = doc_text(doc)[item["char_end"]:item["char_end"] + 80]
    m = re.match(r"\s*(?:more|less)?\s*(?:[-–—(]\s*(?:mostly|mainly|largely|primarily|chiefly|including|all|of\s+which)?"
                 r"|,\s*(?:mostly|mainly|largely|primarily|chiefly|including|all\s+of\s+it|of\s+which))\s+", tail)
    if m:
        g = _np_goods(doc, item["char_end"] + m.end(), min(ctx["sent"].end_char, item["char_end"] + 80))
        if g:
            return g, "of"
    # the good named between the previous amount of the sentence and this one
    ws = ctx["win_start"]
    if ws > ctx["sent"].start_char:
        # skip the previous amount's own "of X" complement
        m = re.match(r"\s*(?:\([^)]{1,15}\)\s*)?of\s+[\w'.\s-]{0,60}?(?=\s*(?:[,;]|\bagainst\b|\bfrom\b|\bversus\b|"
                     r"\bcompared\b|\bto\b|\bwhile\b|\bin\b|\bfor\b))",
                     doc_text(doc)[ws:item["char_start"]])
        if m:
            ws += m.end()
    hits = [h for h in _strong_hits(doc, ws, item["char_start"], ctx["blocked"])
            if _compatible(_canon(h[2]), item["unit"])]
    if not hits:
        weak = [h for h in _goods_in(doc_text(doc)[ws:item["char_start"]], ws)
                if h[2].lower() in ("cargo", "cargoes", "freight", "goods", "fuel", "fuels")
                and not re.match(r"\s+of\b", doc_text(doc)[h[1]:h[1] + 4])]
        if weak:
            return _canon(weak[-1][2]), "window"
    if hits:
        # a coordinated list of goods right there ("crude oil and natural gas liquids")
        k = len(hits) - 1
        while k > 0 and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", doc_text(doc)[hits[k - 1][1]:hits[k][0]]):
            k -= 1
        if k < len(hits) - 1:
            phrase = " ".join(doc_text(doc)[hits[k][0]:hits[-1][1]].lower().split())
            if _canon(phrase):
                return _canon(phrase), "window"
            # a list of goods: each by its canonical name ("crude, refined product" -> "crude oil and
            # refined products")
            names = []
            for h in hits[k:]:
                c = _canon(h[2])
                if c and c not in names:
                    names.append(c)
            phrase = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            return phrase, "window"
        return _canon(hits[-1][2]), "window"
    if ws > ctx["sent"].start_char and item["char_start"] - ws < 12:
        return None, None          # "fell 1.2 mln barrels to 331.8 mln": the partner's good
    # 2. goods named for the noun / verb the amount depends on
    chain = ctx["chain"]
    nominal = [t for t in chain[1:] if t.pos_ in ("NOUN", "PROPN")]
    g = _token_goods(doc, [t for t in nominal if t.i != ctx["anchor"].i][:3], ctx["blocked"])
    if g:
        return g, "head"
    for v in ctx["verbs"][:2]:
        subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "attr")
                and c.i not in ctx["span_ids"] and c.i not in ctx["amount_ids"]]
        g = _token_goods(doc, subj, ctx["blocked"])
        if g:
            return g, "subject"
        # "Exxon's net share of crude oil and NGLs produced ... reached"
        for s in subj:
            for c in s.rights:
                if c.dep_ == "prep" and c.lower_ == "of":
                    sub = list(c.subtree)
                    g = _np_goods(doc, sub[1].idx if len(sub) > 1 else c.idx,
                                  sub[-1].idx + len(sub[-1].text))
                    if g:
                        return g, "subject"
    return None, None


# ----------------------------------------------------------------------------- status

def _money_re():
    from .quantities import _compiled
    return _compiled()["money_re"]


AGENT_PRONOUNS = {"we", "it", "they", "he", "she", "i", "company", "government", "ministry", "firm", "group",
                  "consortium", "operator", "country", "state"}


def _agentive(tok):
    return (tok.ent_type_ in ("ORG", "GPE", "PERSON", "NORP") or tok.pos_ == "PROPN"
            or tok.lower_ in AGENT_PRONOUNS or tok.lemma_.lower() in AGENT_PRONOUNS)


def _status(doc, item, ctx):
    """Status from the cues nearest the amount: its own phrase first, then each verb up the chain."""
    lx = _lex()
    st = lx["st"]
    chain = ctx["chain"]
    fac_ids = ctx["facility_token_ids"]
    span = ctx["span"]
    nxt = doc[span.end] if span.end < len(doc) else None
    nxt_l = nxt.lemma_.lower() if nxt is not None else ""
    lead_words = ctx["lead"].split()[-3:]
    sent_l = ctx["sent"].text.lower()
    future_words = {"will", "shall", "'ll", "wo"}

    def words_of(tok):
        """The lemma of ``tok`` and its modifiers (not inside a facility name)."""
        out = {tok.lemma_.lower(), tok.lower_} if tok.i not in fac_ids else set()
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "nmod", "advmod", "npadvmod", "quantmod", "acomp") and c.i not in fac_ids:
                out.add(c.lemma_.lower())
                out.add(c.lower_)
        return out

    def higher_intent(from_idx):
        for k in range(from_idx + 1, len(chain)):
            t = chain[k]
            if chain[k - 1].dep_ == "conj":
                continue          # a coordinated verb is a peer, not a governor
            if t.pos_ in ("VERB", "AUX", "ADJ") and (t.lemma_.lower() in PLAN_STRONG or t.lower_ == "interested"):
                return True
        return False

    # 1. the figure itself: "an actual 17.35 mln", "a previous 15.68 mln estimate"
    own = {t.lower_ for t in span} | set(lead_words)
    if "actual" in own:
        return "actual"
    if nxt_l in ("estimate", "forecast", "projection") or own & {"projected", "expected", "forecast"}:
        return "forecast"
    # reserves anywhere on the chain or as the subject/object of its verbs
    nouns = set()
    for t in chain:
        if t.pos_ in ("NOUN", "PROPN") and t.i not in fac_ids:
            nouns.add(t.lemma_.lower())
        if t.pos_ in ("VERB", "AUX"):
            for c in t.children:
                if c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.i not in fac_ids:
                    nouns.add(c.lemma_.lower())
    lemmas = [t.lemma_.lower() for t in chain]
    if nouns & st["reserve_nouns"] or "contain" in lemmas or (
            {"hold", "have"} & set(lemmas) and {"estimate", "believe", "think"} & set(lemmas)):
        return "forecast"             # reserves: "estimated to contain / hold N barrels"
    # "a decline in proven oil reserves to 2.41 bln barrels": reserves named just before the figure
    win = doc_text(doc)[ctx.get("win_start", ctx["sent"].start_char):item["char_start"]]
    cverb = _clause_verb(ctx["anchor"])
    for m in re.finditer(r"\breserves?\b", win, re.I):
        pos = ctx.get("win_start", ctx["sent"].start_char) + m.start()
        if any(s <= pos < e for s, e in ctx.get("blocked", ())) or re.search(
                r"(?i)strategic\s+petroleum\s+$|federal\s+$", win[:m.start()]):
            continue
        rs = doc.char_span(pos, pos + len(m.group(0)), alignment_mode="expand")
        if rs is not None and _clause_verb(rs.root).i == cverb.i:
            return "forecast"
    # "current production of 130 mln tonnes a year should rise to ...": the subject's own figure is today's
    for n, t in enumerate(chain[:-1]):
        if t.dep_ in ("nsubj", "nsubjpass") and chain[n + 1].lemma_.lower() in CHANGE_VERBS - {"total", "amount", "average", "reach", "stand", "remain"} \
                and t.i != ctx["anchor"].i and any(x.i == ctx["anchor"].i for x in t.subtree):
            return "actual"
    # "(capacity 130,000 bpd)", "capacity of about 160,000 bpd": the figure is written as a capacity
    adj = re.search(r"\b(capacity|capacities)\s*(?:of|:|is|was|at)?\s*$", ctx["lead"])
    if adj:
        cap_tok = [t for t in doc[max(ctx["sent"].start, span.start - 6):span.start] if t.lower_.startswith("capacit")]
        mods = {c.lower_ for t in cap_tok for c in t.children}
        if mods & (st["plan_adjectives"] | {"eventual", "planned", "new", "additional", "future", "target"}):
            return "planned"
        if not re.search(r"\(\s*(?:capacity|capacities)\s*$|,\s*(?:capacity|capacities)\s*$", ctx["lead"]):
            k = next((n for n, t in enumerate(chain) if t.lower_.startswith("capacit")), None)
            if k is not None:
                return _capacity_or_planned(ctx, k, {c.lower_ for c in chain[k].children}, st)
        return "capacity"
    # 2. walk up: nouns and verbs carrying a cue
    first_verb = None
    for n, t in enumerate(chain):
        lem = t.lemma_.lower()
        if n > 0 and chain[n - 1].dep_ == "conj" and t.pos_ in ("NOUN", "PROPN"):
            continue                  # "goal of A and the 1985 volume of B": a peer noun's cues are its own
        if 1 <= n <= 3 and t.pos_ in ("NOUN", "PROPN") and (t.lower_ in lexicon()["goods"]["installation_kinds"]
                                                             or t.lemma_.lower() in INSTALLATION_LIKE) \
                and all(x.dep_ in ("compound", "nmod", "amod", "nummod") for x in chain[:n]) and t.i > chain[0].i:
            # "the entire 178,500 bpd refinery", "a 5.2 mtpa LNG plant": the installation's size; planned
            # when the installation itself is new or still to be built ("the 7,500 bpd project will be built")
            new_inst = any(c.lower_ in ("new", "planned", "proposed", "future") for c in t.children)
            head = t.head
            if t.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in (
                    "build", "construct", "complete", "commission", "design", "plan", "propose", "develop"):
                hx = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
                new_inst = new_inst or bool(hx & {"will", "would", "to", "shall"}) or head.tag_ in ("VB", "VBG")
            return "planned" if new_inst else "capacity"
        if t.pos_ in ("NOUN", "PROPN") and t.i not in fac_ids and t.i != ctx["anchor"].i:
            w = words_of(t)
            if w & {"agreed", "contracted", "contractual"}:
                return "agreed"
            if w & st["capacity_nouns"]:
                return _capacity_or_planned(ctx, n, w, st)
            if lem in st["agreed_nouns"] or t.lower_ in st["agreed_nouns"]:
                w = {lem, t.lower_}
                if w & st["agreed_sales_exceptions"] \
                        and (item["per"] or _change_verb_above(chain, n)):
                    continue
                if higher_intent(n):
                    return "planned"
                return "agreed"
            if w & st["plan_nouns"] - {"project", "programme", "program", "budget", "schedule", "bid"}:
                return "planned"
            if {lem, t.lower_} & {"forecast", "projection", "estimate", "outlook", "expectation", "prediction"}:
                return "forecast"
            continue
        if t.pos_ not in ("VERB", "AUX", "ADJ"):
            continue
        if _speech(t):
            continue
        auxes = {c.lower_ for c in t.children if c.dep_ in ("aux", "auxpass")}
        subjs = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass") and c.i not in ctx["amount_ids"]]
        below = chain[n - 1] if n > 0 else None
        # a verb that governs the amount's clause from outside ("exceeded its quota, pumping N"): its
        # objects describe something else; the amount's own clause, or a noun it sits in, counts
        above_own = first_verb is not None and first_verb < n and chain[n - 1].pos_ in ("VERB", "AUX") \
            and chain[n - 1].dep_ in ("advcl", "conj", "pcomp") and chain[n - 1].tag_ == "VBG"
        if first_verb is None:
            first_verb = n
        if below is not None and below.dep_ == "conj" and below.pos_ in ("VERB", "AUX"):
            # a coordinated verb is a peer: its auxiliaries are shared, its own words are not
            if auxes & {"could", "may", "might"}:
                return "forecast"
            if auxes & future_words:
                return "forecast" if not any(_agentive(x) for x in subjs) else "planned"
            continue
        if t.tag_ == "VBG" and t.dep_ == "pcomp" and t.head.lower_ in ("after", "since", "before"):
            return "actual"           # "after shipping nearly 1 mln tonnes in 2023"
        if lem in BUILT_FOR and below is not None and below.pos_ == "VERB":
            # "designed to carry N", "was built to carry N": a capacity; "is being built / modernised
            # to carry N", "will be upgraded to handle N": one still to come
            if below.lemma_.lower() not in st["capacity_verbs"]:
                return "planned"
            still_to_come = auxes & (future_words | {"being", "to", "would", "should"}) or t.tag_ in ("VB", "VBG")
            return "planned" if still_to_come and lem != "design" else "capacity"
        if any(c.dep_ == "advcl" and c.tag_ in ("VBZ", "VBP") and
               any(m.dep_ == "mark" and m.lower_ in ("once", "when", "until") for m in c.children)
               for c in t.children) and below is not None and below.lemma_.lower() in (
                "raise", "add", "increase", "boost", "reach", "rise", "grow", "produce", "expand"):
            return "planned"          # "will add N once it reaches full capacity"
        objs = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "attr")
                and c.i not in ctx["amount_ids"] and c.i not in ctx["span_ids"]]
        preps = [(c.lower_, p.lemma_.lower()) for c in t.children if c.dep_ == "prep"
                 for p in c.children if p.dep_ == "pobj"]
        if lem in {"expect", "forecast", "project", "predict", "anticipate", "foresee"} or (
                lem in ("see", "tip", "put") and "auxpass" in {c.dep_ for c in t.children}):
            return "forecast"         # "purchases are seen climbing to N", "analysts expect exports to ..."
        ow, heads = set(), set()
        if not above_own:
            for o in objs:
                ow |= words_of(o)
                heads |= {o.lemma_.lower(), o.lower_}
        if ow & st["capacity_nouns"]:
            return _capacity_or_planned(ctx, n, ow | auxes, st)
        if lem in ("add", "raise", "increase", "expand", "boost", "double") and (
                any(x.lemma_.lower() in st["capacity_nouns"] for x in ctx["anchor"].subtree)
                or any(pp in ("to", "of") and o in st["capacity_nouns"] for pp, o in preps)):
            return _capacity_or_planned(ctx, n, auxes | {"new"}, st)
        if any(p in ("under", "in", "by", "with", "through") and o in st["agreed_nouns"] for p, o in preps):
            return "agreed"
        if heads & st["agreed_nouns"] and not (heads & st["agreed_sales_exceptions"] and
                                            (item["per"] or lem in CHANGE_VERBS)):
            return "planned" if higher_intent(n) else "agreed"
        if lem in AGREEMENT_VERBS and any(x.lower_ in ("it", "which", "this", "that") for x in subjs) \
                and _agreement_before(doc, t):
            return "agreed"           # "It provides for the supply of up to 1.3 bcm"
        if heads & (st["plan_nouns"] - {"project", "programme", "program", "budget", "schedule", "bid"}):
            return "planned"
        if heads & {"forecast", "projection", "estimate", "outlook", "expectation", "prediction"}:
            return "forecast"
        if lem in st["agreed_verbs"] and not (lem in ("sell", "buy", "purchase") and item["per"]):
            if higher_intent(n) or auxes & {"could", "may", "might"}:
                return "planned" if higher_intent(n) else "forecast"
            return "agreed"
        if t.lower_ == "interested" or lem in PLAN_STRONG:
            return "planned"
        if lem in {"expect", "forecast", "project", "predict", "anticipate", "foresee"}:
            return "forecast"
        if lem in ("see", "tip", "put") and "auxpass" in {c.dep_ for c in t.children}:
            return "forecast"         # "imports are seen rising to 58.6 mln"
        if lem in {"see", "look", "think", "believe", "reckon", "put", "suggest", "estimate", "calculate"} and \
                any(s.lemma_.lower() in st["forecaster_nouns"] or s.lower_ in st["forecaster_nouns"] for s in subjs):
            return "forecast"
        if t.lower_ in ("likely", "expected"):
            return "forecast"
        if t.lower_ == "set" and any(c.dep_ == "xcomp" for c in t.children):
            return "planned"          # "is set to reach" (but "a quota set at N" is the quota's)
        if auxes & {"can"} and lem in st["capacity_verbs"] and "auxpass" not in {c.dep_ for c in t.children}:
            return "capacity"         # "the terminal can handle N" (but "N can be shipped" is a possibility)
        if auxes & {"could", "may", "might"} or (auxes & {"can"} and "auxpass" in {c.dep_ for c in t.children}):
            return "forecast"
        if (auxes & future_words or auxes & {"would", "should"}) and lem in (
                "expand", "increase", "raise", "boost", "double", "triple", "lift", "upgrade") and any(
                x.lemma_.lower() in st["capacity_nouns"] for x in chain[n + 1:n + 4]):
            return "planned"          # "a capacity of 10 bcm, which will be expanded to 20 bcm"
        if auxes & future_words or auxes & {"would", "should"}:
            if any(_agentive(s) for s in subjs) and lem not in CHANGE_VERBS and t.pos_ == "VERB" \
                    and "auxpass" not in {c.dep_ for c in t.children}:
                return "planned"
            # "the contract size will be 1,000 barrels", "the line will carry N": what an actor sets up;
            # "output will fall to N", "exports will reach N": an outcome someone projects
            flow_subject = any(x.lemma_.lower() in lx["flow"] or x.lower_ in lx["flow"] for x in subjs)
            projected = any(h.lemma_.lower() in {"expect", "forecast", "project", "predict", "estimate",
                                                  "anticipate", "see", "believe", "think"}
                            for k, h in enumerate(chain[n + 1:], n + 1)
                            if h.pos_ in ("VERB", "AUX") and chain[k - 1].dep_ != "conj")
            if auxes & future_words and subjs and not flow_subject and not projected and lem not in CHANGE_VERBS \
                    and "auxpass" not in {c.dep_ for c in t.children} \
                    and not any(x.lower_ in ("it", "they", "this", "that", "which") for x in subjs):
                return "planned"
            return "forecast"
        if "to" in auxes and lem != "be" and (any(c.lemma_ == "be" and c.dep_ == "aux" for c in t.children)
                                              or (t.dep_ == "xcomp" and t.head.lemma_ == "be"
                                                  and t.head.tag_ in ("VBZ", "VBP", "VBD"))):
            gov = t.head if t.dep_ == "xcomp" else t
            if any(c.dep_ == "prep" and c.lower_ in ("under", "by", "in") and any(
                    p.lemma_.lower() in st["agreed_nouns"] for p in c.children) for c in gov.children):
                return "agreed"       # "under an agreement signed in March, volumes are to rise to N"
            return "planned"          # "transit is to reach 2.2 mln tons"
        if t.dep_ == "relcl" and t.tag_ in ("VBZ", "VBP", "VBD"):
            # "the refinery, which processes 400,000 bpd": its own finite clause decides, except that
            # a clause about a deal or a capacity states its terms ("a swap deal that allows up to N")
            head = t.head.lemma_.lower()
            if head in st["agreed_nouns"] or t.head.lower_ in st["agreed_nouns"]:
                return "agreed"
            if head in st["capacity_nouns"]:
                return _capacity_or_planned(ctx, n, set(), st)
            break
        past = t.tag_ == "VBD" or auxes & {"have", "has", "had", "was", "were", "been"}
        if past:
            # what happened: stop looking higher unless a verb of projection governs it
            higher = [h for h in chain[n + 1:] if h.pos_ in ("VERB", "AUX") and not _speech(h)]
            # (an estimate of what happened is still what happened: "exports rose to N last year,
            # analysts estimate")
            if not any(h.lemma_.lower() in {"expect", "forecast", "project", "predict", "see"}
                       for h in higher[:2]):
                break
    if re.search(r"\b(?:planned|targeted|scheduled|envisaged|earmarked)\s+(?:for|in|by)\b",
                 doc_text(doc)[span.end_char:span.end_char + 25]):
        return "planned"
    # a price in the same clause means a deal: "a cargo of 56,000 tonnes, priced at 79 dlrs"
    if item["per"] is None and re.search(r"\bpric(?:ed|e|es|ing)\b|\b(?:c and f|c&f|fob|cif|f\.o\.b)\b", sent_l) \
            and _money_re().search(sent_l):
        return "agreed"
    return "actual"


# verbs whose purpose infinitive gives an installation's size: "built to carry", "upgraded to handle"
BUILT_FOR = {"design", "build", "construct", "engineer", "modernize", "modernise", "upgrade", "expand",
             "rebuild", "reconstruct", "enlarge", "extend", "equip", "convert"}
INSTALLATION_LIKE = {"project", "unit", "train", "facility", "complex", "terminal", "plant", "refinery",
                     "pipeline", "line", "mill", "cracker", "smelter"}
AGREEMENT_VERBS = {"provide", "envisage", "stipulate", "foresee", "specify", "cover", "include", "set", "call"}
AGREEMENT_NOUNS = {"agreement", "accord", "contract", "deal", "memorandum", "arrangement", "protocol", "treaty"}


def _agreement_before(doc, tok):
    """An agreement named earlier in the sentence or in the sentence before ('It' refers to it)."""
    sent = _sent(tok)
    if any(t.lemma_.lower() in AGREEMENT_NOUNS for t in doc[sent.start:tok.i]):
        return True
    if sent.start == 0:
        return False
    prev = _sent(doc[sent.start - 1])
    return any(t.lemma_.lower() in AGREEMENT_NOUNS for t in prev)


PLAN_STRONG = {"plan", "intend", "aim", "target", "seek", "want", "propose", "schedule", "ask", "request", "hope",
               "envisage", "envision", "recommend", "wish", "earmark", "budget", "aspire", "mull", "consider"}


def _change_verb_above(chain, n):
    for t in chain[n + 1:]:
        if t.pos_ in ("VERB", "AUX"):
            return t.lemma_.lower() in CHANGE_VERBS
    return False


BUILD_NOUNS = {"construction", "building", "expansion", "extension", "upgrade", "modernisation",
               "modernization", "project", "phase", "stage", "plan", "proposal"}


def _capacity_or_planned(ctx, n, words, st):
    chain = ctx["chain"]
    to_be = bool(words & (st["plan_adjectives"] | {"will", "would", "eventual", "planned", "new"}))
    kinds = lexicon()["goods"]["installation_kinds"]
    for t in chain[n:]:
        if t.pos_ in ("NOUN", "PROPN"):
            if t.lemma_.lower() in BUILD_NOUNS:
                to_be = True
            if t.lower_ in kinds and any(c.lower_ in ("new", "planned", "proposed", "future") for c in t.children):
                to_be = True
    for t in chain[n:]:
        if t.pos_ in ("VERB", "AUX"):
            auxes = {c.lower_ for c in t.children if c.dep_ in ("aux", "auxpass")}
            lem = t.lemma_.lower()
            if ("to" in auxes and t.head.lemma_ == "be" and t.dep_ == "xcomp") or any(
                    c.dep_ == "prep" and any(p.lemma_.lower() in st["plan_nouns"] for p in c.children)
                    for c in t.children):
                to_be = True          # "capacity is to rise to N", "under the master plan"
                break
            if _speech(t):
                continue
            done = t.tag_ == "VBD" or bool(auxes & {"was", "were", "been", "has", "have", "had"})
            if t.tag_ == "VBG" and t.dep_ in ("advcl", "xcomp", "conj", "acl") and t.head.pos_ in ("VERB", "AUX"):
                # "has completed an expansion, raising its capacity to N": done when its clause is
                head_aux = {c.lower_ for c in t.head.children if c.dep_ in ("aux", "auxpass")}
                done = done or t.head.tag_ == "VBD" or bool(head_aux & {"has", "have", "had", "was", "were"})
            if auxes & {"will", "shall", "would", "'ll"} or lem in PLAN_STRONG or (lem in {
                    "expand", "increase", "raise", "boost", "build", "construct", "double", "bring",
                    "upgrade", "design", "recommend", "triple", "lift"} and not done):
                to_be = True          # (an expansion already made leaves an existing capacity)
                break
            if lem in SPEECH:
                continue
    return "planned" if to_be else "capacity"


# ----------------------------------------------------------------------------- facilities

def _facility_mentions(doc):
    goods = lexicon()["goods"]
    kinds = goods["installation_kinds"]
    mentions = []
    for f in doc._.facilities or []:
        for s, e in f.get("mentions") or []:
            mentions.append({"start": s, "end": e, "name": f["name"], "kind": f.get("kind"), "virtual": False})
    mentions.sort(key=lambda m: m["start"])
    real = list(mentions)
    covered = set()
    for m in real:
        span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
        if span is not None:
            covered.update(t.i for t in span)
    # definite descriptions: "the refinery", "its pipeline", "the field's reservoir"
    for tok in doc:
        kind_ok = kinds.get(tok.lower_)
        if not kind_ok or tok.i in covered or tok.pos_ not in ("NOUN", "PROPN"):
            continue
        dets = [c for c in tok.children if c.dep_ in ("det", "poss")]
        if not dets or dets[0].lower_ not in ("the", "its", "their", "this"):
            continue
        if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.children):
            continue
        before = [m for m in real if m["end"] <= tok.idx and (m["kind"] in kind_ok or m["kind"] is None)]
        if not before:
            same = {m["name"] for m in real if m["kind"] in kind_ok}
            if len(same) != 1:
                continue
            before = [m for m in real if m["kind"] in kind_ok]
        ref = before[-1]
        mentions.append({"start": tok.idx, "end": tok.idx + len(tok.text), "name": ref["name"],
                         "kind": ref["kind"], "virtual": True})
    mentions.extend(_installation_pronouns(doc, sorted(mentions, key=lambda m: m["start"])))
    mentions.sort(key=lambda m: m["start"])
    return mentions


def _mention_is_subject(doc, m) -> bool:
    span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass")


def _installation_pronouns(doc, named):
    """"it carried 450,000 bpd" / "its capacity": a pronoun that can only be an installation.

    Only as the subject of a throughput verb (carry, pump, handle ...) or the owner of a
    capacity noun, and only when the installation was named (or referred to: "the
    pipeline") in the sentence before or earlier in the same one: the pronoun is the
    latest of those.
    """
    st = _lex()["st"]
    out = []
    for tok in doc:
        if tok.lower_ not in ("it", "its"):
            continue
        head = tok.head
        if tok.dep_ in ("nsubj", "nsubjpass"):
            ok = head.lemma_.lower() in st["capacity_verbs"]
        elif tok.dep_ == "poss":
            ok = head.lemma_.lower() in st["capacity_nouns"]
        else:
            ok = False
        if not ok:
            continue
        sent = tok.sent
        window_start = doc[sent.start - 1].sent.start_char if sent.start > 0 else sent.start_char
        before = [m for m in named if window_start <= m["start"] and m["end"] <= tok.idx]
        # the topic (a subject) over one named in passing ("The X refinery, which stands north
        # of the Y terminal, processed ... Its capacity"): the latest subject, else the latest
        subjects = [m for m in before if _mention_is_subject(doc, m)]
        if before:
            ref = (subjects or before)[-1]
            out.append({"start": tok.idx, "end": tok.idx + len(tok.text), "name": ref["name"],
                        "kind": ref["kind"], "virtual": True})
    return out


_PREP_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,3}?(?:of\s+[\w\s,-]{1,40}?\s*)?(?:\([^)]{1,20}\)\s*)?,?\s*(?:(?:were|was|are|is|have\s+been|has\s+been|had\s+been)\s+"
    r"(?:\w+ed|shipped|sent|pumped|loaded|handled|moved|carried|transported|delivered|exported|imported)\s+)?"
    r"(?:via|through|thru|from|at|to|into|in|on|toward|towards|across|along|by|using|out\s+of)\s+"
    r"(?:the\s+|its\s+|a\s+)?(?:port\s+of\s+|terminal\s+(?:at|in)\s+)?$", re.I)


def _governing_above(verb):
    """Tokens that govern ``verb``'s clause (coordinated verbs are peers, not governors)."""
    out, t, passed = set(), verb, False
    while t.head.i != t.i:
        if t.dep_ != "conj":
            passed = True
        t = t.head
        if passed:
            out.add(t.i)
    return out


def _peers(verb):
    """A verb and the verbs coordinated with it ("shipped ... and pumped")."""
    out = {verb.i}
    t = verb
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
        out.add(t.i)
    stack = [t]
    while stack:
        v = stack.pop()
        out.add(v.i)
        stack.extend(c for c in v.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))
    return out


def _in_foreign_clause(root, anchor_ids):
    """True when the mention sits in a relative/participial clause that does not hold the amount."""
    t = root
    while t.head.i != t.i:
        if t.dep_ in ("relcl", "acl", "advcl") and not (anchor_ids & {x.i for x in t.subtree}) \
                and t.head.i not in anchor_ids:
            return True               # ("1.7 million planned for 2025": a clause on the amount itself is its own)
        t = t.head
    return False


_BOUNDARY = re.compile(r",\s*(?:and|but|while|which|who|whereas|although|most|mostly|much|mainly|largely|partly|"
                       r"chiefly)\b|;|\bwhile\b|\bwhereas\b")


def _nonfinite_path(root, chain_ids):
    """The mention is where something goes or comes from ('to a terminal at X') in a participle
    phrase hanging off the amount's own clause, with no finite verb on the way."""
    t = root
    if not (t.dep_ == "pobj" and t.head.lower_ in ("to", "from", "via", "through", "into", "towards", "toward")):
        # "to a terminal at Lake Charles": the place of a destination noun
        if not (t.dep_ == "pobj" and t.head.lower_ == "at" and t.head.head.dep_ == "pobj"
                and t.head.head.head.lower_ in ("to", "from", "via", "through", "into")):
            return False
    steps = 0
    while t.head.i != t.i and steps < 12:
        t = t.head
        steps += 1
        if t.i in chain_ids:
            return True
        if t.pos_ in ("VERB", "AUX"):
            absolute = t.dep_ == "pcomp" and t.head.lower_ in ("with", "without")   # "with most of it shipped"
            if t.tag_ not in ("VBN", "VBG") or any(c.dep_ in ("aux", "auxpass") for c in t.children) or (
                    not absolute and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)):
                return False
    return False


def _facilities(doc, item, ctx, fac_mentions, amount_anchors, items, ctxs):
    """Facilities syntactically tied to the amount (same clause, on its chain, or its own preposition)."""
    sent = ctx["sent"]
    anchor = ctx["anchor"]
    chain_ids = {t.i for t in ctx["chain"]}
    cverb = _clause_verb(anchor)
    peers = _peers(cverb)
    above = _governing_above(cverb)
    # the amounts of the sentence, in order (range ends share one place); the amount itself
    # is always among them, even when the parser put its figure in another sentence
    sent_items = sorted({(o["char_start"], o["char_end"]) for o in items
                         if sent.start_char <= o["char_start"] < sent.end_char}
                        | {(item["char_start"], item["char_end"])})
    pos = sent_items.index((item["char_start"], item["char_end"]))
    prev_end = sent_items[pos - 1][1] if pos > 0 else sent.start_char
    next_start = sent_items[pos + 1][0] if pos + 1 < len(sent_items) else sent.end_char
    low_chain = set()
    for t in ctx["chain"]:
        low_chain.add(t.i)
        if t.i == cverb.i:
            break
    names = []
    for m in fac_mentions:
        if m["start"] < sent.start_char or m["end"] > sent.end_char:
            continue
        span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        if root.i in ctx["span_ids"]:
            continue
        on_chain = any(t.i in chain_ids for t in span) or root.head.i in low_chain or (
            root.head.dep_ == "prep" and root.head.head.i in low_chain) or (
            root.dep_ in ("nsubj", "nsubjpass", "poss") and root.head.i in chain_ids
            and root.head.lemma_.lower() not in SPEECH)
        mverb = _clause_verb(root)
        same_clause = mverb.i in peers
        higher = mverb.i in above
        if higher and cverb.dep_ in ("xcomp", "ccomp") and cverb.head.i == mverb.i:
            # "expects Kazakh flows via BTC to reach N": the object of 'expect' is the subject of 'reach'
            top = root
            while top.head.i != mverb.i and top.head.i != top.i:
                top = top.head
            if top.dep_ in ("dobj", "nsubj") and top.i < cverb.i:
                same_clause, higher = True, False
        if _in_foreign_clause(root, ctx["span_ids"] | {anchor.i}) and not any(t.i in chain_ids for t in span) \
                and not (m["start"] >= item["char_end"] and _nonfinite_path(root, chain_ids)):
            continue
        tied = False
        if prev_end <= m["start"] < item["char_start"]:
            # before the amount, after the previous one: "exports through the port of Rouen fell to N"
            between = doc.char_span(m["end"], item["char_start"], alignment_mode="expand")
            verbs_between = [t for t in between if t.pos_ == "VERB" and t.i != cverb.i
                             and t.dep_ not in ("amod", "acl")] if between is not None else []
            # a governing verb with an amount of its own keeps its installations ("supply N to the
            # refinery with the option to place M"); one without passes them down ("flows via X to reach N")
            higher_own = higher and any(
                _clause_verb(a).i == mverb.i for a in amount_anchors if a.i != anchor.i)
            tied = on_chain or same_clause or (not verbs_between and not higher_own)
            # "the field's reservoir, estimated to contain N": a participle after a comma describes the
            # noun phrase just before it, whatever the parser attached it to
            if not tied and re.fullmatch(
                    r"[^,;.]{0,30},\s*(?:which\s+is\s+|that\s+is\s+)?(?:estimated|believed|thought|said|expected|"
                    r"designed|built|able|capable)\s+(?:to|of)\s+\w+\s*(?:up\s+to\s+|about\s+|some\s+|around\s+)?",
                    doc_text(doc)[m["end"]:item["char_start"]]):
                tied = True
            if tied and root.head.lemma_.lower() in SPEECH:
                tied = False
        elif item["char_end"] <= m["start"] < next_start:
            # after the amount: its own preposition ("N tonnes via X"), or the clause it belongs to
            gap = doc_text(doc)[item["char_end"]:m["start"]]
            if _BOUNDARY.search(gap):
                tied = False
            elif _PREP_AFTER.fullmatch(gap):
                tied = True
            elif pos + 1 == len(sent_items) and (on_chain or (same_clause and len(gap) < 160)):
                tied = True
            elif _nonfinite_path(root, chain_ids):
                tied = True           # "..., with 60 pct of the gas carried to a terminal at X"
            elif mverb.i == cverb.i and len(gap) < 80 and not re.search(r"\band\b|\bor\b|[,;(]", gap):
                tied = True           # "1.1 mln tons were shipped from Aktau toward BTC in 2023, 1.4 mln in 2024"
            elif on_chain and root.head.i in chain_ids and root.dep_ in ("nsubj", "poss", "appos", "relcl"):
                tied = True
        elif m["start"] < prev_end:
            # before an earlier amount of the same clause, on its subject side
            own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in cverb.children)
            tied = (any(t.i in chain_ids for t in span) and root.i in chain_ids) or (
                (mverb.i == cverb.i or (same_clause and not own_subject)) and m["end"] <= cverb.idx)
            if not tied and same_clause and ctx["comparison"]:
                tied = True
        if tied and m["name"] not in names:
            names.append(m["name"])
    # "the refinery at Pavlodar, capacity 110,000 bpd" / "X (capacity N)": written as the installation's own
    text = doc_text(doc)
    for m in fac_mentions:
        if sent.start_char <= m["end"] <= item["char_start"] and re.fullmatch(
                r"\s*[,(]\s*(?:with\s+)?(?:an?\s+|its\s+)?(?:total\s+|design\s+|current\s+|nameplate\s+|annual\s+)?"
                r"(?:capacity|throughput)\s*(?:of\s+|:\s*)?(?:about\s+|some\s+|around\s+|up\s+to\s+)?",
                text[m["end"]:item["char_start"]]):
            return [m["name"]]
    if len(names) > 1:
        spans = {}
        for m in fac_mentions:
            if m["name"] in names and sent.start_char <= m["start"] < sent.end_char:
                sp = doc.char_span(m["start"], m["end"], alignment_mode="expand")
                if sp is not None:
                    spans.setdefault(m["name"], []).append(sp)
        # "the total capacity of the X pipeline to N" / "X's capacity": the owner named on the capacity noun
        st = _lex()["st"]
        owners = []
        cap_tokens = list(ctx["chain"]) + [c for v in ctx["chain"] if v.pos_ in ("VERB", "AUX")
                                           for c in v.children if c.dep_ in ("dobj", "nsubj", "nsubjpass")]
        for t in cap_tokens:
            if t.lemma_.lower() in st["capacity_nouns"]:
                for c in t.children:
                    cands = [c] if c.dep_ == "poss" else [p for p in c.children if p.dep_ == "pobj"] if (
                        c.dep_ == "prep" and c.lower_ == "of") else []
                    for x in cands:
                        for name, sps in spans.items():
                            if any(sp.start <= x.i < sp.end for sp in sps) and name not in owners:
                                owners.append(name)
        if owners:
            return owners
        # "Line D of the Central Asia-China gas pipeline, which would add N": the part, not the whole
        parts = []
        for name, sps in spans.items():
            whole_of = False
            for sp in sps:
                r = sp.root
                if r.dep_ == "pobj" and r.head.lower_ == "of":
                    owner = r.head.head
                    if any(o_sp.start <= owner.i < o_sp.end for o2, o_sps in spans.items() if o2 != name
                           for o_sp in o_sps):
                        whole_of = True
            if not whole_of:
                parts.append(name)
        if parts and len(parts) < len(names):
            names = [n for n in names if n in parts]
    # "the refinery at Mellili, capacity 220,000 bpd": an amount hanging off an installation noun belongs
    # to the installation named there, not to others of the clause
    kinds = lexicon()["goods"]["installation_kinds"]
    own_inst = [t for t in ctx["chain"][1:] if t.i in low_chain and t.lower_ in kinds]
    if own_inst and len(names) > 1:
        inst_ids = set()
        for t in own_inst:
            inst_ids |= {x.i for x in t.subtree if x.i not in ctx["span_ids"]}
        mine = []
        for m in fac_mentions:
            if m["name"] in names:
                span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
                if span is not None and sent.start_char <= m["start"] < sent.end_char and span.root.i in inst_ids:
                    if m["name"] not in mine:
                        mine.append(m["name"])
        if mine:
            names = mine
    return names


# ----------------------------------------------------------------------------- period

_DATELINE_PREFIX = re.compile(r"\s*(?:\([^)]{0,40}\)\s*)?[A-Z][\w.'-]*(?:[ ][A-Za-z][\w.'-]*){0,3}"
                              r"(?:,\s*[A-Z][\w.'-]*(?:[ ][A-Z][\w.'-]*){0,2}){0,2}[,.]?\s*")


def _dateline_like(doc, d):
    """The date of a dateline ("NEW YORK, March 2 -", "BAKU, Azerbaijan, November 29."), not a period."""
    if d["char_start"] > 200:
        return False
    text = doc_text(doc)
    line_start = text.rfind("\n", 0, d["char_start"]) + 1
    prefix = text[line_start:d["char_start"]]
    if len(prefix) > 60 or not _DATELINE_PREFIX.fullmatch(prefix):
        return False
    return bool(DATELINE_RE.match(text[d["char_end"]:d["char_end"] + 30]))


def _usable_dates(doc):
    out = []
    for d in doc._.dates or []:
        if d.get("char_start") is None or not d.get("start") or not d.get("end"):
            continue
        if _dateline_like(doc, d):
            continue
        span = doc.char_span(d["char_start"], d["char_end"], alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        head = root.head
        if head.lemma_.lower() in SPEECH or (head.dep_ == "prep" and head.head.lemma_.lower() in SPEECH):
            # "the ministry said on Tuesday": when it was said; but "For the week ended March 20, the API
            # said stocks fell": a span set before the report is the period of what is reported
            if d.get("precision") in ("day", None) or d["start"] == d["end"]:
                continue
        if re.search(r"\b(?:dated|released|published|issued)\s*(?:on\s+)?$",
                     doc_text(doc)[max(0, d["char_start"] - 20):d["char_start"]], re.I):
            continue
        out.append({**d, "root": root, "span": span})
    out.sort(key=lambda d: d["char_start"])
    return out


def _union(dates):
    return {"start": min(d["start"] for d in dates), "end": max(d["end"] for d in dates),
            "precision": dates[0].get("precision")}


def _clause_verb_nd(tok, skip_ids):
    """Nearest verb above ``tok``, looking through verbs inside date phrases ("the week ended ...")."""
    for t in _chain(tok):
        if t.pos_ in ("VERB", "AUX") and t.i not in skip_ids:
            return t
    return _sent(tok).root


_ADJ_AFTER = re.compile(r"\s*,?\s*(?:(?:in|for|during|over|through|throughout|at|on|of|since|by|until|till|as\s+of)\s+)?$", re.I)
_REVISION = re.compile(r"\b(?:previous|earlier|revised|initial|original|prior)\s*$", re.I)


DOCUMENT_NOUNS = {"agreement", "accord", "contract", "deal", "memorandum", "report", "statement", "survey",
                  "study", "decree", "resolution", "meeting", "decision", "protocol", "treaty", "law", "document"}
FORECAST_NOUNS = {"forecast", "estimate", "target", "plan", "outlook", "projection", "guidance", "view", "goal"}


def _revises_forecast(ctx):
    """'raised its forecast for 2024/25 exports to A from B': B is the earlier forecast of the same span."""
    for t in ctx["chain"]:
        if t.pos_ in ("VERB", "AUX"):
            return any(c.dep_ in ("dobj", "nsubjpass", "nsubj") and c.lemma_.lower() in FORECAST_NOUNS
                       for c in t.children)
        if t.lemma_.lower() in FORECAST_NOUNS:
            return True
    return False


def _date_span_for(doc, d, published):
    """The span a date gives an amount: 'since X' runs to publication, 'by X' from it."""
    lead = doc_text(doc)[max(0, d["char_start"] - 40):d["char_start"]].lower()
    start, end = d["start"], d["end"]
    if re.search(r"\bsince\s+$", lead):
        if re.search(r"\b(?:highest|lowest|level|first|record|most|least|biggest|largest|smallest|best|worst|"
                     r"strongest|weakest|high|low)\b[\w\s]{0,25}since\s+$", lead):
            return None
        if published:
            end = max(end, published.isoformat())
    elif re.search(r"\bby\s+(?:the\s+end\s+of\s+)?$", lead) and published and start > published.isoformat() \
            and (d.get("precision") == "day" or start == end):
        start = published.isoformat()          # "by this Friday": from now until then
    return {"start": start, "end": end, "precision": d.get("precision")}


def _periods(doc, items, ctxs, dates):
    """Assign each date of a sentence to the amount it belongs to, then fill the rest."""
    published = doc._.published
    date_ids = set()
    for d in dates:
        date_ids.update(t.i for t in d["span"])
    by_sent = {}
    for i, it in enumerate(items):
        by_sent.setdefault(ctxs[i]["sent"].start_char, []).append(i)
    cverb = [_clause_verb_nd(c["anchor"], date_ids) for c in ctxs]
    own = {i: [] for i in range(len(items))}
    for sstart, idxs in by_sent.items():
        sent = ctxs[idxs[0]]["sent"]
        sdates = []
        for d in dates:
            if not (sent.start_char <= d["char_start"] < sent.end_char):
                continue
            root = d["root"]
            # "a previous 15.68 mln estimate in November": when the estimate was made
            if root.head.dep_ == "prep" or root.head.pos_ == "ADP":
                gov = root.head.head
                if gov.pos_ == "NOUN" and gov.lemma_.lower() in ("estimate", "forecast", "projection", "report", "statement", "survey"):
                    continue
            # "expected to rise 10 pct over 1986 to 390 mln tonnes": the baseline's date, not the amount's
            baseline = re.search(r"\b(?:over|than|against|versus|vs\.?|compared\s+(?:with|to))\s+(?:the\s+)?(?:same\s+\w+\s+(?:of|in)\s+)?$",
                                 doc_text(doc)[max(0, d["char_start"] - 40):d["char_start"]], re.I)
            if baseline:
                # the baseline's own figure, written before it or in brackets after it, takes it
                owner = [i for i in idxs if ctxs[i]["comparison"] and (
                    items[i]["char_end"] <= d["char_start"] or re.fullmatch(
                        r"\s*\(\s*", doc_text(doc)[d["char_end"]:items[i]["char_start"]]))]
                if owner:
                    for i in owner:
                        own[i].append({"dates": [_date_span_for(doc, d, published)], "leading": False,
                                       "group": [d]})
                continue
            # "a March 2024 agreement ... envisages raising transit to N": the date of another noun
            if root.dep_ in ("compound", "nmod", "amod", "nummod") and root.head.pos_ == "NOUN" and (
                    root.head.lemma_.lower() in DOCUMENT_NOUNS) and not any(
                    root.head.i in {t.i for t in ctxs[i]["chain"]} for i in idxs):
                continue
            if _in_foreign_clause(root, {t.i for i in idxs for t in ctxs[i]["span"]}) and not any(
                    root.i in {t.i for t in ctxs[i]["chain"]} for i in idxs):
                # "Kashagan, discovered in 2000, ... reserves of 13 bln barrels": not the amount's time
                if not any(_clause_verb_nd(root, set()).i in {t.i for t in ctxs[i]["chain"]} for i in idxs):
                    continue
            sdates.append(d)
        groups = []
        for d in sdates:
            if any(d["char_start"] < items[i]["char_end"] and d["char_end"] > items[i]["char_start"] for i in idxs):
                continue
            if groups and re.fullmatch(r"\s*(?:and|or|/|,|to|-)?\s*", doc_text(doc)[groups[-1][-1]["char_end"]:d["char_start"]]):
                groups[-1].append(d)
            else:
                groups.append([d])
        for g in groups:
            gs, ge = g[0]["char_start"], g[-1]["char_end"]
            before = [i for i in idxs if items[i]["char_end"] <= gs]
            after = [i for i in idxs if items[i]["char_start"] >= ge]
            prev_grp = next_grp = None
            if before:
                last = before[-1]
                prev_grp = [i for i in before if items[i]["char_start"] == items[last]["char_start"]]
            if after:
                first = after[0]
                next_grp = [i for i in after if items[i]["char_start"] == items[first]["char_start"]]
            if prev_grp and next_grp:
                gap_before = doc_text(doc)[items[prev_grp[0]]["char_end"]:gs]
                gap_after = doc_text(doc)[ge:items[next_grp[0]]["char_start"]]
                if _ADJ_AFTER.fullmatch(gap_before) or re.search(r"[,;]|\band\b|\bwhile\b", gap_after):
                    chosen = prev_grp
                elif re.search(r"[,;]|\band\b|\bwhile\b", gap_before) and not re.search(r"[,;]", gap_after):
                    chosen = next_grp
                else:
                    droot = g[0]["root"]
                    d0 = _tree_distance(droot, ctxs[prev_grp[0]]["anchor"])
                    d1 = _tree_distance(droot, ctxs[next_grp[0]]["anchor"])
                    chosen = prev_grp if d0 <= d1 else next_grp
            else:
                chosen = prev_grp or next_grp
            if not chosen:
                continue
            for i in chosen:
                if items[i]["per"] is not None and re.search(
                        r"\b(?:from|starting|beginning|since)\s+(?:the\s+)?$", doc_text(doc)[max(0, gs - 20):gs], re.I):
                    continue          # "will add 1.2 bcm a year from January 2026": when the rate starts
                if items[i]["per"] is not None:
                    # a rate takes only a date of its own clause
                    dv = _clause_verb_nd(g[0]["root"], date_ids)
                    chain_ids = {t.i for t in ctxs[i]["chain"]}
                    below = {t.i for t in ctxs[i]["chain"] if t.i != cverb[i].i
                             and t.i not in {a.i for a in cverb[i].ancestors}}
                    participle = cverb[i].tag_ == "VBG" and cverb[i].dep_ in ("advcl", "xcomp", "acl", "conj") \
                        and cverb[i].head.i == dv.i
                    if dv.i != cverb[i].i and g[0]["root"].head.i not in below and not participle:
                        continue
                span = [_date_span_for(doc, d, published) for d in g]
                span = [x for x in span if x]
                if span:
                    own[i].append({"dates": span, "leading": not before, "group": g})
    result = [None] * len(items)
    for sstart, idxs in by_sent.items():
        for i in idxs:
            if own[i]:
                best = own[i][0]
                if len(own[i]) > 1:
                    def rank(o):
                        g = o["group"]
                        same = _clause_verb_nd(g[0]["root"], date_ids).i == cverb[i].i
                        dist = min(abs(g[0]["char_start"] - items[i]["char_end"]),
                                   abs(items[i]["char_start"] - g[-1]["char_end"]))
                        return (not same, dist)
                    best = min(own[i], key=rank)
                result[i] = _union(best["dates"])
        # amounts with no date of their own take their clause partner's
        for i in idxs:
            if result[i] is not None:
                continue
            ctx = ctxs[i]
            cv = cverb[i]
            siblings = [j for j in idxs if j != i and result[j] is not None and own[j]
                        and (cverb[j].i == cv.i or (cverb[j].dep_ == "conj" and cverb[j].head.i == cv.i)
                             or (cv.dep_ == "conj" and cv.head.i == cverb[j].i))]
            if not siblings:
                siblings = [j for j in idxs if j != i and result[j] is not None
                            and any(g["leading"] for g in own[j])]
            if not siblings:
                continue
            if items[i]["per"] is not None and items[i].get("status") != "actual":
                continue              # a planned or projected rate states no time of its own
            sib = min(siblings, key=lambda j: (items[j]["char_start"] > items[i]["char_start"],
                                               abs(items[j]["char_start"] - items[i]["char_start"])))
            p = result[sib]
            revision = bool(_REVISION.search(ctx["lead"])) or ctx.get("estimate_after") or _revises_forecast(ctxs[sib])
            prev_period = re.match(r"\s*(?:in|for|during)?\s*(?:the\s+)?(?:previous|prior|preceding)\s+"
                                   r"(?:week|weeks|month|period|quarter|four\s+weeks|fortnight)\b",
                                   doc_text(doc)[items[i]["char_end"]:items[i]["char_end"] + 40], re.I)
            if ctx["comparison"] and not ctxs[sib]["comparison"] and prev_period:
                d0, d1 = dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"])
                length = (d1 - d0).days + 1
                result[i] = {"start": (d0 - dt.timedelta(days=length)).isoformat(),
                             "end": (d1 - dt.timedelta(days=length)).isoformat(),
                             "precision": p.get("precision"), "derived": True}
                continue
            if ctx["comparison"] and not ctxs[sib]["comparison"] and not revision:
                if p.get("precision") in ("week", "day"):
                    continue
                result[i] = {"start": _shift_year(p["start"], -1), "end": _shift_year(p["end"], -1),
                             "precision": p.get("precision"), "derived": True}
            elif ctxs[sib]["comparison"] and not ctx["comparison"] and items[sib]["char_start"] > items[i]["char_start"]:
                if p.get("precision") != "year" or items[i].get("status") != "actual":
                    continue
                result[i] = {"start": _shift_year(p["start"], 1), "end": _shift_year(p["end"], 1),
                             "precision": p.get("precision"), "derived": True}
            elif ctxs[sib]["comparison"] == ctx["comparison"] or revision:
                result[i] = p         # (a comparison figure's span is never the main figure's)
    return result


# ----------------------------------------------------------------------------- main

def _context(doc, item):
    s, e = item["_num"]
    span, anchor = _anchor(doc, item["char_start"], item["char_end"])
    nspan, ntok = _anchor(doc, s, e)
    if span is None:
        return None
    # the anchor is the unit noun after the figure, else the figure itself
    unit_tok = None
    for t in span:
        if t.idx >= e and t.pos_ in ("NOUN", "PROPN", "NUM", "X") and t.dep_ != "prep":
            unit_tok = t
            break
    anchor = unit_tok or ntok or anchor
    # a range's first end shares the second end's noun
    if unit_tok is None and ntok is not None and ntok.head.i in {t.i for t in span} and ntok.head.i != ntok.i:
        anchor = ntok.head
    chain = _chain(anchor)
    verbs = [t for t in chain if t.pos_ in ("VERB", "AUX")]
    sent = _sent(anchor)
    lead = doc_text(doc)[sent.start_char:item["char_start"]].lower()
    comparison = bool(re.search(
        r"(?:\bcompared\s+(?:with|to)|\bagainst|\bversus|\bfrom|\bthan)\s+[^.;()]{0,40}\(\s*$", lead)) or bool(re.search(
        r"(?:\bfrom|\bagainst|\bversus|\bvs\.?|\bcompared\s+(?:with|to)|\bthan|\ba\s+year\s+(?:ago|earlier))\s+"
        r"(?:(?:a|an|the|last|previous|prior|same|this|that|year-ago|year-earlier|revised|actual|earlier|initial|"
        r"original|estimated|record|(?:last\s+)?(?:year|month|week|quarter|season|period)['’]s|\d{4}['’]s|\d{4}/\d{2}['’]s)\s+){0,3}$",
        lead))
    # the unit's end (for "of X")
    unit_end = item["char_end"]
    mu = re.search(r"\s+of\s+", doc_text(doc)[e:item["char_end"]])
    if mu:
        unit_end = e + mu.start()
    estimate_after = bool(re.match(r"\s*(?:estimate|forecast|projection)\b", doc_text(doc)[item["char_end"]:item["char_end"] + 15]))
    return {"span": span, "anchor": anchor, "chain": chain, "verbs": verbs, "sent": sent, "estimate_after": estimate_after,
            "lead": lead, "comparison": comparison, "unit_end": unit_end,
            "span_ids": {t.i for t in span}, "facility_token_ids": set()}


def link(doc, items) -> None:
    """Fill commodity, facilities, period and status of ``items`` in place."""
    if not items:
        return
    _index_sents(doc)
    fac_mentions = _facility_mentions(doc)
    fac_ids = set()
    for m in fac_mentions:
        span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
        if span is not None:
            fac_ids.update(t.i for t in span)
    ctxs = []
    keep = []
    for it in items:
        c = _context(doc, it)
        if c is None:
            continue
        c["facility_token_ids"] = fac_ids
        ctxs.append(c)
        keep.append(it)
    items[:] = keep
    lx = _lex()
    # pollutant emissions are not commodity amounts
    drop = set()
    for i, (it, c) in enumerate(zip(items, ctxs)):
        lo = max(c["sent"].start_char, it["char_start"] - 45)
        prev_ends = [o["char_end"] for o in items if o["char_end"] <= it["char_start"] and o["char_end"] > lo]
        if prev_ends:
            lo = max(prev_ends)
        window = doc_text(doc)[lo:min(c["sent"].end_char, it["char_end"] + 30)].lower()
        cv = _clause_verb(c["anchor"])
        chain_l = set()
        for t in c["chain"]:
            chain_l.add(t.lemma_.lower())
            if t.i == cv.i:
                break
        # "the emission level of nitrogen oxide was expected to drop to N": the subject says what N is
        subj_text = ""
        for v in c["verbs"][:2]:
            for ch in v.children:
                if ch.dep_ in ("nsubj", "nsubjpass") and ch.i not in c["span_ids"]:
                    sub = list(ch.subtree)
                    subj_text += " " + doc_text(doc)[sub[0].idx:sub[-1].idx + len(sub[-1].text)].lower()
        if any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", window + " " + subj_text) for p in lx["pollutants"]) or \
                chain_l & {"emission", "emit"}:
            drop.add(i)
    items[:] = [it for i, it in enumerate(items) if i not in drop]
    ctxs = [c for i, c in enumerate(ctxs) if i not in drop]
    blocked = [(m["start"], m["end"]) for m in fac_mentions if not m["virtual"]]
    all_ids = set()
    for c in ctxs:
        all_ids |= c["span_ids"]
    for it, c in zip(items, ctxs):
        prev_ends = [o["char_end"] for o in items if o["char_end"] <= it["char_start"]
                     and o["char_start"] >= c["sent"].start_char]
        c["win_start"] = max(prev_ends) if prev_ends else c["sent"].start_char
        c["blocked"] = blocked
        c["amount_ids"] = all_ids - c["span_ids"]
    anchors = [c["anchor"] for c in ctxs]
    dates = _usable_dates(doc)
    # "daily output averaged 480,000 barrels": a rate written as an adjective of the noun
    rate_adj = lexicon()["units"]["rate_adjectives"]
    cap_nouns = _lex()["st"]["capacity_nouns"]
    for it, c in zip(items, ctxs):
        if it["per"] is not None:
            continue
        cv = _clause_verb(c["anchor"])
        nouns = []
        for t in c["chain"][1:]:
            if t.pos_ in ("NOUN", "PROPN"):
                nouns.append(t)
            if t.i == cv.i:
                break
        nouns += [ch for ch in cv.children if ch.dep_ in ("nsubj", "nsubjpass") and ch.i not in c["span_ids"]]
        for t in nouns:
            adj = [ch.lower_ for ch in t.children if ch.dep_ in ("amod", "compound", "advmod")]
            per = next((rate_adj[a] for a in adj if a in rate_adj), None)
            if per and (per != "year" or t.lemma_.lower() in cap_nouns):
                it["per"] = per
                break
    # status first: capacity/reserves change how a period is inherited
    for it, c in zip(items, ctxs):
        it["status"] = _status(doc, it, c)
    # facilities
    for it, c in zip(items, ctxs):
        it["facilities"] = _facilities(doc, it, c, fac_mentions, anchors, items, ctxs)
    # "rose 200,000 barrels to 516.7 mln": the bare partner shares its neighbour's installation
    for k, (it, c) in enumerate(zip(items, ctxs)):
        if it["facilities"] or k == 0:
            continue
        o = items[k - 1]
        if ctxs[k - 1]["sent"].start == c["sent"].start and o["facilities"] and \
                re.fullmatch(r"\s*(?:to|-|–|and|or)\s*(?:a\s+|an\s+)?", doc_text(doc)[o["char_end"]:it["char_start"]] or " "):
            it["facilities"] = list(o["facilities"])
    # capacity with no named owner: the installation named just before
    sent_starts = [s.start_char for s in _index_sents(doc)]
    for it, c in zip(items, ctxs):
        if it["facilities"] or it["status"] not in ("capacity",):
            continue
        kinds = lexicon()["goods"]["installation_kinds"]
        if any(t.lower_ in kinds and any(d.lower_ in ("a", "an") for d in t.children) for t in c["chain"]):
            continue
        si = sent_starts.index(c["sent"].start_char)
        lo = sent_starts[max(0, si - 3)]
        prev = [m for m in fac_mentions if lo <= m["start"] < it["char_start"]]
        if prev:
            it["facilities"] = [prev[-1]["name"]]
    # a follow-on sentence with no installation of its own keeps the previous one's
    for k, (it, c) in enumerate(zip(items, ctxs)):
        if it["facilities"] or it["status"] == "capacity":
            continue
        in_sent = [m for m in fac_mentions if c["sent"].start_char <= m["start"] < c["sent"].end_char]
        if in_sent:
            continue
        si = sent_starts.index(c["sent"].start_char)
        for j in range(k - 1, -1, -1):
            pj = ctxs[j]["sent"].start_char
            sj = sent_starts.index(pj)
            if sj == si:
                continue
            if si - sj > 1:
                break
            if items[j]["facilities"] and items[j]["unit"] == it["unit"] and (items[j]["status"] == it["status"] or {items[j]["status"], it["status"]} <= {"actual", "forecast"}) \
                    and not _new_actor(c["sent"]) and not _aggregate(c):
                it["facilities"] = list(items[j]["facilities"])
            break
    # commodity
    for k, (it, c) in enumerate(zip(items, ctxs)):
        g, how = _commodity(doc, it, c)
        it["_how"] = how
        it["commodity"] = g
    _fill_commodities(doc, items, ctxs, fac_mentions)
    # period
    periods = _periods(doc, items, ctxs, dates)
    published = doc._.published
    for k, (it, c) in enumerate(zip(items, ctxs)):
        p = periods[k]
        if it["status"] == "capacity":
            p = None
        if p is None and it["per"] is None and it["status"] != "capacity" and not _is_reserve(c):
            p = _inherited_period(doc, k, items, ctxs, periods, dates, sent_starts)
            periods[k] = p
        it["period"] = {"start": p["start"], "end": p["end"]} if p else None
        # deliveries under an agreement signed in the sentence before
        if it["status"] in ("forecast", "planned") and _agreement_context(doc, c, sent_starts):
            it["status"] = "agreed"
        # a comparison figure is what happened, unless it is an earlier estimate of the same thing or
        # has a future span of its own ("will ship 2.5 mln tonnes next year, up from 1.9 mln tonnes")
        revision = bool(_REVISION.search(c["lead"])) or c.get("estimate_after") or _revises_forecast(c)
        if (it["status"] in ("forecast", "planned") and c["comparison"] and not _is_reserve(c) and not revision
                and (p is None or (published and p["end"] < published.isoformat()))):
            it["status"] = "actual"
        # confidence: lower when the unit was borrowed or the good was guessed from context
        conf = 0.9
        if it.get("_borrowed"):
            conf -= 0.15
        if not it["commodity"]:
            conf -= 0.15
        elif it.get("_how") not in ("of", "window", "head", "subject"):
            conf -= 0.1
        it["confidence"] = round(conf, 2)
    # "1.2 mln tonnes this year, or about 100,000 tonnes a month": a conversion restates its antecedent
    for k in range(1, len(items)):
        it, o = items[k], items[k - 1]
        if ctxs[k]["sent"].start == ctxs[k - 1]["sent"].start and re.fullmatch(
                r"[^.;:\d]{0,40}?(?:\([^)]{0,12}\)\s*)?,\s*(?:or|i\.e\.|equivalent\s+to)\s*|\s*(?:\([^)]{0,12}\)\s*)?or\s*",
                doc_text(doc)[o["char_end"]:it["char_start"]]) and o["unit"] != it["unit"] or (
                ctxs[k]["sent"].start == ctxs[k - 1]["sent"].start and o["per"] != it["per"] and re.fullmatch(
                r"[^.;:\d]{0,40}?,\s*(?:or|i\.e\.|equivalent\s+to)\s*", doc_text(doc)[o["char_end"]:it["char_start"]])):
            it["status"] = o["status"]
            it["facilities"] = list(o["facilities"]) or it["facilities"]
            if o["period"] or it["per"] == o["per"]:
                it["period"] = o["period"]
    # "a capacity of 10 bcm per year, which will be expanded to 20 bcm": the new capacity keeps the rate
    # basis and the installation of the capacity it restates
    st = _lex()["st"]
    for k, (it, c) in enumerate(zip(items, ctxs)):
        if it["status"] not in ("planned", "capacity") or it["per"] is not None:
            continue
        prev = [j for j in range(k) if ctxs[j]["sent"].start == c["sent"].start and items[j]["unit"] == it["unit"]
                and items[j]["per"] and items[j]["status"] in ("capacity", "planned")]
        if not prev:
            continue
        o = prev[-1]
        cap_here = any(t.lemma_.lower() in st["capacity_nouns"] for t in c["chain"]) or any(
            ch.lemma_.lower() in st["capacity_nouns"] for v in c["verbs"] for ch in v.children
            if ch.dep_ in ("dobj", "nsubj", "nsubjpass")) or (
            c["verbs"] and c["verbs"][0].dep_ in ("relcl", "conj") and c["verbs"][0].head.i in
            {t.i for t in ctxs[o]["chain"]})
        if cap_here:
            it["per"] = items[o]["per"]
            it["facilities"] = it["facilities"] or list(items[o]["facilities"])
    # "16 bcm a year, of which 6 bcm is for Turkey": a part of a whole shares its status and installation
    whole = None
    for k, it in enumerate(items):
        if not it.get("_partitive"):
            if not (whole is not None and items[whole]["text"] == it["text"]):
                whole = k
            continue
        if whole is None or ctxs[whole]["sent"].start != ctxs[k]["sent"].start:
            continue
        it["status"] = items[whole]["status"]
        it["facilities"] = it["facilities"] or list(items[whole]["facilities"])
        it["period"] = it["period"] or items[whole]["period"]
    for it in items:
        it.pop("_how", None)


DELIVERY_NOUNS = {"delivery", "deliveries", "supply", "supplies", "shipment", "shipments", "shipping",
                  "transportation", "transit", "purchase", "purchases", "import", "imports", "export", "exports"}


def _agreement_context(doc, c, sent_starts):
    """An amount of deliveries/supplies stated right after an agreement is signed is its term."""
    subj = set()
    for v in c["verbs"]:
        for ch in v.children:
            if ch.dep_ in ("nsubj", "nsubjpass"):
                subj.add(ch.lower_)
    if not subj & DELIVERY_NOUNS:
        return False
    si = sent_starts.index(c["sent"].start_char)
    if si == 0:
        return False
    prev = doc.char_span(sent_starts[si - 1], c["sent"].start_char, alignment_mode="expand")
    if prev is None:
        return False
    signed = any(t.lemma_.lower() in ("sign", "conclude", "ink") for t in prev)
    deal = any(t.lemma_.lower() in ("agreement", "accord", "contract", "deal", "memorandum") for t in prev)
    return signed and deal


def _new_actor(sent):
    """A sentence with an organisation, or a named subject, is about someone new."""
    if any(e.label_ == "ORG" for e in sent.ents):
        return True
    root = sent.root
    for c in root.children:
        if c.dep_ in ("nsubj", "nsubjpass") and (c.ent_type_ in ("GPE", "ORG", "PERSON", "NORP") or c.pos_ == "PROPN"):
            return True
    return False


AGGREGATE_WORDS = {"total", "overall", "combined", "aggregate", "national", "nationwide", "countrywide"}


def _aggregate(c):
    """"total refining reached N", "the country's combined output": a sum over installations,
    not the one named before."""
    for t in c["chain"]:
        if t.pos_ in ("VERB", "AUX"):
            words = [x for ch in t.children if ch.dep_ in ("nsubj", "nsubjpass") for x in ch.subtree]
        else:
            words = list(t.children)
        if any(w.lower_ in AGGREGATE_WORDS for w in words):
            return True
    return False


def _is_reserve(c):
    st = _lex()["st"]
    lem = {t.lemma_.lower() for t in c["chain"]}
    for v in c["verbs"]:
        for ch in v.children:
            if ch.dep_ in ("nsubj", "nsubjpass", "dobj"):
                lem.add(ch.lemma_.lower())
    return bool(lem & st["reserve_nouns"]) or "contain" in lem


def _inherited_period(doc, k, items, ctxs, periods, dates, sent_starts):
    """A figure with no date in its sentence continues the account of the sentences before it:
    the period of the main amount there (same unit and status), or a span named just before."""
    c = ctxs[k]
    si = sent_starts.index(c["sent"].start_char)
    by_sent = {}
    for x in range(k):
        sx = sent_starts.index(ctxs[x]["sent"].start_char)
        if sx < si:
            by_sent.setdefault(sx, []).append(x)
    text = doc_text(doc)

    def span_named(sj):
        start = sent_starts[sj]
        end = sent_starts[sj + 1] if sj + 1 < len(sent_starts) else len(text)
        found = [d for d in dates if start <= d["char_start"] < end
                 and not re.search(r"(?:than\s+in|compared\s+(?:with|to)|from|against|versus|same\s+period\s+(?:of|in|last))\s+(?:the\s+)?$",
                                   text[max(0, d["char_start"] - 30):d["char_start"]], re.I)]
        if found and found[-1].get("precision") not in ("day", None) and found[-1]["start"] != found[-1]["end"]:
            return found[-1]
        return None

    for sj in (si - 1, si - 2):
        if sj < 0:
            break
        if sj not in by_sent:
            if sj == si - 1 and span_named(sj):
                return span_named(sj)
            continue                  # a sentence without amounts does not break the account
        cands = [x for x in by_sent[sj] if not ctxs[x]["comparison"] and periods[x] is not None]
        if not cands:
            return None
        x = cands[0]
        if items[x]["per"] is None and items[x]["unit"] == items[k]["unit"] and items[x]["status"] == items[k]["status"]:
            return periods[x]
        return None
    return None


def _fill_commodities(doc, items, ctxs, fac_mentions):
    lx = _lex()
    inst = lx["goods"]["installation_goods"]
    unit_default = lx["goods"]["unit_default"]
    lng_seen = re.search(r"(?i)\b(?:lng|liquefied natural gas)\b", doc_text(doc))
    blocked_all = ctxs[0]["blocked"] if ctxs else []
    counts = {}
    for h in _strong_hits(doc, 0, len(doc_text(doc)), blocked_all):
        cg = _canon(h[2])
        counts.setdefault(cg, [0, h[0]])[0] += 1
    dominant = None
    if counts:
        best = max(counts.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
        if best[1][0] >= 2 or len(counts) == 1:
            dominant = best[0]
    for k, (it, c) in enumerate(zip(items, ctxs)):
        if it["commodity"]:
            continue
        sent = c["sent"]
        # the installation's good
        g = None
        for name in it["facilities"]:
            kind = next((m["kind"] for m in fac_mentions if m["name"] == name), None)
            low = name.lower()
            for key, good in sorted(inst.items(), key=lambda kv: -len(kv[0])):
                if key in low or key == (kind or ""):
                    g = good
                    break
            if g:
                break
        if g is None:
            # "the refinery has a capacity of N": the installation named by a common noun
            nouns = [t for t in c["chain"]] + [ch for v in c["verbs"] for ch in v.children
                                                if ch.dep_ in ("nsubj", "nsubjpass")]
            for t in nouns:
                key = t.lower_
                comps = [x.lower_ for x in t.lefts if x.dep_ == "compound"]
                comp = " ".join(comps) + " " + key
                for k2, good in sorted(inst.items(), key=lambda kv: -len(kv[0])):
                    if k2 == key or comp.strip().endswith(k2) or k2 in comps:
                        g = good
                        break
                if g:
                    break
        if g:
            it["commodity"] = g
            continue
        # the amount before it in the same sentence (or its range partner)
        same = [items[j] for j in range(len(items)) if j != k and ctxs[j]["sent"].start == sent.start
                and items[j]["commodity"] and items[j]["unit"] == it["unit"]
                and (items[j]["char_start"] < it["char_start"] or items[j]["text"] == it["text"])
                and items[j].get("_how") in ("of", "head", "subject", "window")]
        near = sorted(same, key=lambda o: abs(o["char_start"] - it["char_start"]))
        near = [o for o in near if not _BOUNDARY.search(doc_text(doc)[min(o["char_end"], it["char_start"]):
                                                                   max(o["char_start"], it["char_start"])])]
        if near and abs(near[0]["char_start"] - it["char_start"]) < 160:
            it["commodity"] = near[0]["commodity"]
            continue
        # goods named earlier in the sentence, then later in it
        blocked = c["blocked"]
        hits = [h for h in _strong_hits(doc, sent.start_char, sent.end_char, blocked)
                if not (it["char_start"] <= h[0] < it["char_end"]) and _compatible(_canon(h[2]), it["unit"])]
        before = [h for h in hits if h[0] < it["char_start"]]
        after = [h for h in hits if h[0] >= it["char_end"]]
        if before:
            g = _canon(before[-1][2])
        if g is None:
            # the main amount of the same unit in the sentences just before (same rate basis first)
            prev = [j for j in range(k) if ctxs[j]["sent"].start_char < sent.start_char
                    and items[j]["unit"] == it["unit"] and items[j]["commodity"]
                    and it["char_start"] - items[j]["char_end"] < 600]
            same_per = [j for j in prev if items[j]["per"] == it["per"]]
            if same_per:
                last_sent = ctxs[same_per[-1]]["sent"].start_char
                g = items[[j for j in same_per if ctxs[j]["sent"].start_char == last_sent][0]]["commodity"]
            elif prev and not _compatible(dominant, it["unit"]) or (prev and dominant is None):
                last_sent = ctxs[prev[-1]]["sent"].start_char
                g = items[[j for j in prev if ctxs[j]["sent"].start_char == last_sent][0]]["commodity"]
        if g is None and after:
            g = _canon(after[0][2])
        if g is None and _compatible(dominant, it["unit"]):
            g = dominant
        if g is None:
            g = unit_default.get(it["unit"])
        if g == "gas" and lng_seen and it["unit"] == "m3":
            g = "LNG"
        it["commodity"] = g
