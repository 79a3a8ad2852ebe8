"""Precision, recall and F1 of extractions against gold annotations.

The counting is the one of ``shared/eval/score.py`` (a test keeps the two in
agreement): names match when a normalised name or alias is shared, one contains
the other (4+ characters), or they are 88% similar; quantities match on amount
(0.5%), unit and rate basis; a strict fact also needs commodity family,
period, facilities and status; dates match on their span; greedy one-to-one.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

NAMED_FIELDS = ("organizations", "places", "people", "facilities")
FIELDS = NAMED_FIELDS + ("quantities", "dates", "facts_strict")
ATTRIBUTES = ("commodity", "period", "facilities", "status", "facility_kind")

_STOPWORDS = frozenset("the of and jsc llc ltd co company inc plc oao pjsc ojsc cjsc".split())
_UNITS = {"tonne": "t", "tonnes": "t", "ton": "t", "tons": "t", "mt": "t", "metric ton": "t",
          "barrel": "bbl", "barrels": "bbl", "bbl": "bbl", "cubic meter": "m3",
          "cubic metre": "m3", "m³": "m3", "cbm": "m3"}
_PERS = {"d": "day", "daily": "day", "annum": "year", "annual": "year", "y": "year", "yr": "year",
         "mo": "month", "monthly": "month", "q": "quarter", "wk": "week"}
_COMMODITY_FAMILY = {"crude oil": "oil", "crude": "oil", "oil": "oil", "petroleum": "oil",
                     "condensate": "oil", "natural gas": "gas", "gas": "gas", "lng": "lng",
                     "liquefied natural gas": "lng"}


def normalise_name(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[’'`]s\b", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w not in _STOPWORDS)


def name_keys(item) -> set[str]:
    if isinstance(item, str):
        return {normalise_name(item)} - {""}
    keys = {normalise_name(item.get("name", ""))} | {normalise_name(a) for a in item.get("aliases") or []}
    return keys - {""}


def same_named(a, b) -> bool:
    ka, kb = name_keys(a), name_keys(b)
    if ka & kb:
        return True
    return any((min(len(x), len(y)) >= 4 and (x in y or y in x))
               or SequenceMatcher(None, x, y).ratio() >= 0.88
               for x in ka for y in kb)


def greedy_pairs(gold: list, pred: list, same) -> list[tuple]:
    pairs, used = [], set()
    for g in gold:
        for j, p in enumerate(pred):
            if j not in used and same(g, p):
                used.add(j)
                pairs.append((g, p))
                break
    return pairs


def _unit(q):
    u = (q.get("unit") or "").strip().lower()
    return _UNITS.get(u, u)


def _per(q):
    p = (q.get("per") or "").strip().lower()
    return _PERS.get(p, p) if p else None


def same_amount(g, p) -> bool:
    try:
        a, b = float(g["amount"]), float(p["amount"])
    except (KeyError, TypeError, ValueError):
        return False
    return _unit(g) == _unit(p) and _per(g) == _per(p) and abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


def _commodity(q):
    c = (q.get("commodity") or "").strip().lower()
    return _COMMODITY_FAMILY.get(c, c) if c else None


def _period(q):
    p = q.get("period")
    return (p.get("start"), p.get("end")) if p else None


def _facilities_agree(g, p) -> bool:
    gf, pf = g.get("facilities") or [], p.get("facilities") or []
    return len(gf) == len(pf) and len(greedy_pairs(gf, pf, same_named)) == len(gf)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, n_gold: int, n_pred: int, n_match: int) -> None:
        self.tp += n_match
        self.fp += n_pred - n_match
        self.fn += n_gold - n_match

    def row(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def score(gold_docs: dict[str, dict], pred_docs: dict[str, dict]) -> dict:
    """Scores of ``pred_docs`` against ``gold_docs`` (both keyed by doc_id)."""
    tallies = {k: Tally() for k in FIELDS}
    attributes = {k: [0, 0] for k in ATTRIBUTES}
    dateline = [0, 0]
    for doc_id, g in gold_docs.items():
        p = pred_docs.get(doc_id, {})
        for field in NAMED_FIELDS:
            gl, pl = g.get(field) or [], p.get(field) or []
            pairs = greedy_pairs(gl, pl, same_named)
            tallies[field].add(len(gl), len(pl), len(pairs))
            if field == "facilities":
                for gi, pi in pairs:
                    attributes["facility_kind"][1] += 1
                    attributes["facility_kind"][0] += gi.get("kind") == pi.get("kind")
        gq, pq = g.get("quantities") or [], p.get("quantities") or []
        pairs = greedy_pairs(gq, pq, same_amount)
        tallies["quantities"].add(len(gq), len(pq), len(pairs))
        strict = 0
        for gi, pi in pairs:
            agree = {"commodity": _commodity(gi) == _commodity(pi), "period": _period(gi) == _period(pi),
                     "facilities": _facilities_agree(gi, pi),
                     "status": (gi.get("status") or None) == (pi.get("status") or None)}
            for key, ok in agree.items():
                attributes[key][1] += 1
                attributes[key][0] += ok
            strict += all(agree.values())
        tallies["facts_strict"].add(len(gq), len(pq), strict)
        gd, pd = g.get("dates") or [], p.get("dates") or []
        pairs = greedy_pairs(gd, pd, lambda a, b: (a.get("start"), a.get("end")) == (b.get("start"), b.get("end")))
        tallies["dates"].add(len(gd), len(pd), len(pairs))
        if g.get("dateline"):
            dateline[1] += 1
            gl, pl = g["dateline"], p.get("dateline") or {}
            dateline[0] += (normalise_name(gl.get("place")) == normalise_name(pl.get("place"))
                            and gl.get("date") == pl.get("date"))
    out = {k: t.row() for k, t in tallies.items()}
    out["attribute_accuracy_on_matched_quantities"] = {
        k: (round(a / n, 3) if n else None) for k, (a, n) in attributes.items()}
    out["dateline_accuracy"] = round(dateline[0] / dateline[1], 3) if dateline[1] else None
    out["documents"] = len(gold_docs)
    out["documents_missing_in_prediction"] = sum(1 for d in gold_docs if d not in pred_docs)
    return out


def load_jsonl(path) -> dict[str, dict]:
    """Documents of a JSONL file keyed by doc_id; a bad line is a clear error."""
    docs = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from None
            if "doc_id" not in obj:
                raise ValueError(f"{path}:{n}: no doc_id")
            docs[obj["doc_id"]] = obj
    return docs
