"""Text helpers shared by the extractors: wire-text normalisation and provenance.

Wire copy is hard-wrapped (Reuters at about 65 columns), so a name can be cut by
a line break ("Iraq-\nTurkey").  The parser sees a *same-length* copy of the
text in which a wrapped line break becomes a space and a paragraph break stays,
so every character offset in the normalised text is an offset in the original
report: provenance never needs re-mapping.
"""
from __future__ import annotations

import re

# A paragraph break: a blank line, or a line break followed by an indent
# (Reuters indents paragraphs by four spaces), or a break after a line that
# ends a sentence and is short (headline lines).
_WRAP = re.compile(r"(?<![\n.:!?\"'])\n(?![ \t]{2,}|\n)")


def normalise(text: str) -> str:
    """Return ``text`` with wrapped line breaks turned into spaces, same length."""
    text = text.replace("\r", " ").replace("\u00a0", " ")
    return _WRAP.sub(" ", text)


def provenance(doc, start_char: int, end_char: int) -> dict:
    """The sentence around a character span of ``doc``, as stored with every item."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    sent = span.sent if span is not None else None
    if sent is None:
        return {"char_start": start_char, "char_end": end_char,
                "sentence": doc.text[start_char:end_char], "sentence_start": start_char}
    return {
        "char_start": start_char,
        "char_end": end_char,
        "sentence": sent.text.rstrip(),
        "sentence_start": sent.start_char,
    }
