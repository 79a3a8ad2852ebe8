"""Text helpers shared by the extractors: wire-text normalisation and provenance.

Wire copy is hard-wrapped (Reuters at about 65 columns), so a name can be cut by
a line break ("Iraq-\nTurkey").  The parser sees a *same-length* copy of the
text in which a wrapped line break becomes a space and a paragraph break stays,
so every character offset in the normalised text is an offset in the original
report: provenance never needs re-mapping.
"""
from __future__ import annotations

import bisect
import re

# A paragraph break: a blank line, or a line break followed by an indent
# (Reuters indents paragraphs by four spaces), or a break after a line that
# ends a sentence and is short (headline lines).
_WRAP = re.compile(r"(?<![\n.:!?\"'])\n(?![ \t]{2,}|\n)")


def normalise(text: str) -> str:
    """Return ``text`` with wrapped line breaks turned into spaces, same length."""
    text = text.replace("\r", " ").replace("\u00a0", " ")
    return _WRAP.sub(" ", text)


def doc_text(doc) -> str:
    """``doc.text``, built once per Doc and kept in ``user_data["fw_text"]``: spaCy joins
    every token on each ``doc.text`` access, and every factwire component reads the text."""
    text = doc.user_data.get("fw_text")
    if text is None:
        text = doc.user_data["fw_text"] = doc.text
    return text


def _sentences(doc) -> tuple[list[int], list[int]] | None:
    """Start and end characters of every sentence of ``doc``, in order (None without
    sentence boundaries).  Built once per Doc: ``Span.sent`` walks token by token to
    the sentence's ends, which made a report that is one long "sentence" (a table)
    cost quadratic time."""
    key = len(doc)
    cached = doc.user_data.get("fw_sentences")
    if cached is None or cached[0] != key:
        # (has_annotation reads every token: asked once per Doc, not once per item)
        if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
            sents = list(doc.sents)
            cached = (key, [s.start_char for s in sents], [s.end_char for s in sents])
        else:
            cached = (key, None, None)
        doc.user_data["fw_sentences"] = cached
    return None if cached[1] is None else (cached[1], cached[2])


def provenance(doc, start_char: int, end_char: int) -> dict:
    """The sentence around a character span of ``doc``, as stored with every item.

    A span across a sentence boundary quotes the sentence it starts in (as ``Span.sent``).
    """
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    bounds = _sentences(doc) if span is not None and len(span) else None
    if bounds is None:
        return {"char_start": start_char, "char_end": end_char,
                "sentence": doc_text(doc)[start_char:end_char], "sentence_start": start_char}
    starts, ends = bounds
    first = max(bisect.bisect_right(starts, span.start_char) - 1, 0)
    sent_start, sent_end = starts[first], ends[first]
    return {
        "char_start": start_char,
        "char_end": end_char,
        "sentence": doc_text(doc)[sent_start:sent_end].rstrip(),
        "sentence_start": sent_start,
    }
