"""Name normalisation shared by the entity and facility families.

Wire copy writes one real-world thing many ways: "the Caspian Pipeline
Consortium's", "CPC", a name cut by a line break, an ALL-CAPS headline or a
lower-cased report.  These helpers turn a mention into a clean display name and
into a comparison key, and learn the acronyms a report defines for itself
("Caspian Pipeline Consortium (CPC)").  The lexicons are data files under
``extractors/patterns/``.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

PATTERNS = Path(__file__).parent / "patterns"


@functools.lru_cache(maxsize=None)
def load_json(name: str):
    with open(PATTERNS / name, encoding="utf-8") as fh:
        return json.load(fh)


@functools.lru_cache(maxsize=None)
def load_jsonl(name: str) -> tuple[dict, ...]:
    out = []
    with open(PATTERNS / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return tuple(out)


def lexicon() -> dict:
    return load_json("entities_lexicon.json")


_WS = re.compile(r"\s+")
_POSS = re.compile(r"(?:['’`]s|s['’])$")
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_BASED = re.compile(r"^[\w.]+-based\s+")
_POSS_END = re.compile(r"['’`]s$")
_POSS_ANY = re.compile(r"['’`]s\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_EDGE_PUNCT = " \t\n<>\"“”‘'`,;:()[]{}-–—"


def clean(text: str) -> str:
    """Display form of a mention: one line, no leading "the", no possessive, no edge punctuation."""
    s = _WS.sub(" ", text or "").strip(_EDGE_PUNCT)
    s = _LEADING.sub("", s)
    s = _BASED.sub("", s)                             # "Caracas-based Andean Development Corp"
    s = _POSS_END.sub("", s)
    if s.endswith(("s'", "s’")):
        s = s[:-1]
    return s.strip(_EDGE_PUNCT)


def is_acronym(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def display(s: str) -> str:
    """Title-case a name written all in capitals (headlines, datelines) or all in lower case."""
    if not s:
        return s
    if s.islower() or (s.isupper() and not is_acronym(s) and len(s) > 4):
        return " ".join(_title_word(w) for w in s.split(" "))
    return s


_SMALL = {"of", "de", "da", "del", "di", "la", "le", "du", "and", "the", "van", "von", "al", "el"}


def _title_word(w: str) -> str:
    lw = w.lower()
    if lw in _SMALL:
        return lw
    if lw in {"u.s.", "u.s", "uk", "usa", "ussr", "uae", "opec"}:
        return w.upper()
    return "-".join(p[:1].upper() + p[1:] for p in lw.split("-"))


def fold(s: str) -> str:
    """Lower-case ASCII folding used by every comparison key."""
    return unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode().lower()


def aliases(name: str, spellings, keep=lambda spelling: True) -> list[str]:
    """The other spellings of ``name`` seen in a report, once each, in order (case and
    accents do not make a new alias); ``keep`` can refuse a spelling."""
    seen, out = {fold(name)}, []
    for spelling in spellings:
        folded = fold(spelling)
        if spelling and folded not in seen and keep(spelling):
            seen.add(folded)
            out.append(spelling)
    return out


@functools.lru_cache(maxsize=None)
def _suffixes() -> frozenset:
    return frozenset(lexicon()["org_suffixes"])


def key(name: str) -> str:
    """Comparison key: folded, punctuation-free, no leading "the" and no corporate suffix."""
    s = fold(clean(name))
    s = _POSS_ANY.sub("", s)
    s = s.replace(".", "")
    s = _NON_ALNUM.sub(" ", s).split()
    while s and s[0] == "the":
        s = s[1:]
    while len(s) > 1 and (s[-1] in _suffixes() or s[-1] + "." in _suffixes()):
        s = s[:-1]
    return " ".join(s)


def initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w and w[0].isalpha()).upper()


_ACRO_DEF = re.compile(
    r"(?P<long>(?:[A-Z][\w'’./&-]*\s+)(?:(?:of|the|de|del|da|and|for|du|la|&|[A-Z][\w'’./&-]*)\s+){0,8}?"
    r"[A-Z][\w'’./&-]*)\s*\(\s*(?P<acr>[A-Z][A-Za-z&]{1,8}(?:-[A-Z0-9]{1,3})?)\s*\)")


def acronym_matches(words: list[str], acr: str) -> int | None:
    """Index of the first word of the tail of ``words`` that ``acr`` abbreviates, or None.

    The acronym's letters must appear in order in the tail, its first letter must be
    the tail's first initial, and the tail's capitalised words must be about as many
    as the letters (function words such as "of" and "the" are free).
    """
    letters = [c for c in acr.upper() if c.isalpha()]
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if tail[0].lower() in _SMALL or not tail[0][0].isupper():
            continue
        caps = [w for w in tail if w[0].isupper()]
        if caps[0][0].upper() != letters[0]:
            continue
        joined = " ".join(tail).upper()
        pos, ok = 0, True
        for c in letters:
            pos = joined.find(c, pos)
            if pos < 0:
                ok = False
                break
            pos += 1
        if ok and max(1, len(letters) - 2) <= len(caps) <= len(letters) + 1:
            if len(caps) >= 2 or len(tail[0]) > len(letters):
                return start
    return None


def learn_acronyms(text: str) -> dict[str, tuple[int, int, str]]:
    """Acronyms a report defines: ``{"CPC": (start, end, "Caspian Pipeline Consortium")}``.

    The long form is the capitalised run right before a parenthesised acronym whose
    letters are its initials in order; the first definition wins.
    """
    out: dict[str, tuple[int, int, str]] = {}
    for m in _ACRO_DEF.finditer(text):
        acr = m.group("acr")
        if acr in out or acr.lower() == acr:
            continue
        raw = m.group("long")
        toks = [(t.start(), t.group()) for t in re.finditer(r"\S+", raw)]
        idx = acronym_matches([t for _, t in toks], acr)
        if idx is None:
            continue
        start = m.start("long") + toks[idx][0]
        out[acr] = (start, m.end("long"), clean(text[start:m.end("long")]))
    return out


def find_all(text: str, needle: str, *, case: bool = True) -> list[tuple[int, int]]:
    """Every whole-word occurrence of ``needle`` in ``text`` (line breaks may stand for spaces)."""
    if not needle:
        return []
    return [(m.start(), m.end()) for m in _word_pattern(needle, case).finditer(text)]


@functools.lru_cache(maxsize=4096)
def _word_pattern(needle: str, case: bool):
    pat = r"(?<![\w])" + r"\s+".join(re.escape(p) for p in needle.split()) + r"(?![\w])"
    return re.compile(pat, 0 if case else re.I)
