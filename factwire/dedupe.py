"""Recognise the same report under another URL (syndication).

Agencies republish each other's reports with a new headline, a credit line and
small edits.  A 64-bit SimHash of word 3-shingles finds candidates cheaply; the
shingle overlap (containment) of the two texts confirms them.
"""
from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
NEAR_DUPLICATE_BITS = 12        # SimHash distance below which texts are candidates
NEAR_DUPLICATE_OVERLAP = 0.8    # share of the shorter text's shingles found in the other


@functools.lru_cache(maxsize=256)
def content_hash(text: str) -> str:
    """Exact identity of a text, ignoring case and spacing."""
    return hashlib.sha256(" ".join(_WORD.findall(text.lower())).encode()).hexdigest()


def shingles(text: str, size: int = 3) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))}


_BITS = np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int:
    """Bit b is set when more of the text's shingle hashes have bit b set than not."""
    hashes = np.fromiter((int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
                          for s in shingles(text)), dtype=np.uint64)
    ones = ((hashes[:, None] >> _BITS) & np.uint64(1)).sum(axis=0)
    return sum(1 << bit for bit in range(64) if 2 * int(ones[bit]) > len(hashes))


# A report's text is hashed when it is classified, compared and stored: cache the last few.
@functools.lru_cache(maxsize=256)
def fingerprint(text: str) -> str:
    return f"{simhash(text):016x}"


def overlap(a: str, b: str) -> float:
    """Containment of the smaller shingle set in the larger one."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def fingerprint_distance(fp: str, other_fp: str) -> int:
    """Bits in which two fingerprints differ."""
    return (int(fp, 16) ^ int(other_fp, 16)).bit_count()


def is_near_duplicate(text: str, fp: str, other_text: str, other_fp: str) -> bool:
    return (fingerprint_distance(fp, other_fp) <= NEAR_DUPLICATE_BITS
            and overlap(text, other_text) >= NEAR_DUPLICATE_OVERLAP)
