"""Numbers as wires write them: digits, scale words, word numbers, ranges.

    7,000  1.5 mln  2.2 million  5.4 thousand  2 million 895 thousand  1.2mn
    10.8 bn  three mln  twenty-five  half a million  1,564.8  1,5 (decimal comma)

``NUMBER_RE`` finds a number expression (value, optional scale word, optional
second "N scale" group); ``parse_number`` turns the matched text into a float.
``borrow_scale`` and ``range_pair`` settle what the first end of a range
borrows from the second ("12 to 14 mln", "140-150,000", "between six and seven
thousand").  Pure functions over strings: no spaCy here.
"""
from __future__ import annotations

import math
import re

UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
              "seventy": 70, "eighty": 80, "ninety": 90}

SCALES = {
    "thousand": 1e3, "thousands": 1e3, "k": 1e3,
    "mln": 1e6, "million": 1e6, "millions": 1e6, "mn": 1e6, "mio": 1e6, "m": 1e6, "mil": 1e6,
    "bln": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "trln": 1e12, "tln": 1e12, "trn": 1e12, "tn": 1e12,
}

_UNIT_W = "|".join(sorted(UNITS_WORDS, key=len, reverse=True))
_TENS_W = "|".join(TENS_WORDS)
# "twenty-five", "twenty five", "seven", "a" (only before a scale word), "half a"
WORD_NUM = (rf"(?:(?:{_TENS_W})(?:[- ](?:{_UNIT_W}))?|(?:{_UNIT_W})"
            rf"(?:\s+and\s+a\s+half)?|a\s+half|half\s+a|an?)")
# 1,564.8 | 7,000 | 1.5 | 1,5 (decimal comma: one or two digits after the comma)
DIGIT_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?)"
# A scale word; the one-letter forms only when glued or followed by a space and a unit
# word, never "m3", "b/d", "km".
SCALE_RE = (r"(?:thousands?|mln|millions?|mio|mil|mn|bln|billions?|bn|trillion|trln|tln|trn|tn"
            r"|(?<=\d)(?:m|b|k)(?![\w/³]))")

NUMBER_RE = re.compile(
    rf"(?<![\w.,/])(?P<num>{DIGIT_NUM}|(?i:{WORD_NUM})\b)"
    rf"(?:\s?(?P<scale>(?i:{SCALE_RE}))\b"
    rf"(?:\s+(?P<num2>\d{{1,3}})\s?(?P<scale2>(?i:thousand|k))\b)?)?",
)


def _word_value(text: str) -> float | None:
    t = " ".join(text.lower().replace("-", " ").split())
    if t in ("a", "an"):
        return 1.0
    if t in ("a half", "half a"):
        return 0.5
    half = 0.0
    if t.endswith(" and a half"):
        half, t = 0.5, t[: -len(" and a half")]
    parts = t.split()
    total = 0.0
    for p in parts:
        if p in TENS_WORDS:
            total += TENS_WORDS[p]
        elif p in UNITS_WORDS:
            total += UNITS_WORDS[p]
        else:
            return None
    return total + half


def parse_digits(text: str) -> float | None:
    """'7,000' -> 7000; '1,564.8' -> 1564.8; '1,5' -> 1.5; '3.376' -> 3.376."""
    t = text.strip()
    if re.fullmatch(r"\d+,\d{1,2}", t):
        return float(t.replace(",", "."))
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


def scale_value(word: str | None) -> float:
    if not word:
        return 1.0
    return SCALES.get(word.lower(), 1.0)


def parse_number(text: str) -> float | None:
    """The value of one number expression ('2 million 895 thousand' -> 2895000)."""
    m = NUMBER_RE.fullmatch(text.strip())
    if not m:
        return None
    return number_value(m)


def base_value(num: str) -> float | None:
    if num[0].isdigit():
        return parse_digits(num)
    return _word_value(num)


def number_value(m: re.Match) -> float | None:
    base = base_value(m.group("num"))
    if base is None:
        return None
    value = base * scale_value(m.group("scale"))
    if m.group("num2"):
        value += float(m.group("num2")) * scale_value(m.group("scale2"))
    return value


def is_plain_integer(num: str) -> bool:
    """A written integer of 1000 or more ('700,000'): it never borrows a scale word."""
    v = base_value(num)
    return v is not None and "." not in num and v >= 1000


def borrow_scale(first_num: str, first_scale: str | None, second_value: float,
                 second_scale: str | None, second_num: str) -> float | None:
    """Value of the first end of a range that has no scale word of its own.

    "12 to 14 mln" -> 12e6; "between 700,000 and three mln" -> 700000;
    "140-150,000" -> 140000 (the thousands written only on the second end).
    """
    base = base_value(first_num)
    if base is None:
        return None
    if first_scale:
        return base * scale_value(first_scale)
    if second_scale:
        if is_plain_integer(first_num):
            return base
        return base * scale_value(second_scale)
    second_base = base_value(second_num) or 0
    if (second_base >= 1000 and "," in second_num and base < second_base / 10
            and "." not in first_num and "," not in first_num and base >= 1):
        k = int(math.floor(math.log10(second_base)) - math.floor(math.log10(base)))
        return base * 10 ** k
    return base


def iter_numbers(text: str):
    """Yield (match, value) for every number expression in ``text``."""
    for m in NUMBER_RE.finditer(text):
        v = number_value(m)
        if v is not None:
            yield m, v
