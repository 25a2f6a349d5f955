"""Cheap language cues for the retrieval recipe: does a question look German?

A question is treated as German when most of its letters are Latin and it has German function
words or German-only letters. Used to decide how much weight German BM25 gets in the fusion.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_GERMAN_FUNCTION_WORDS = frozenset(
    """der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine
    ist sind war waren wird werden wurde hat haben hatte sich mit von vom zum zur für über auf
    aus bei nach vor wie was wer wen wem wessen wo wohin woher warum wieso weshalb wann welche
    welcher welches welchen ob dass auch noch schon nur sehr soll sollen will wollen kann können
    muss müssen im ins am an zu es er sie wir ihr""".split()
)
_GERMAN_LETTERS = set("äöüßÄÖÜ")


def looks_german(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    if letters and latin / len(letters) < 0.6:
        return False
    hits = sum(1 for w in words if w in _GERMAN_FUNCTION_WORDS)
    return hits >= 1 and (hits / len(words) >= 0.15 or any(c in _GERMAN_LETTERS for c in text)) or (
        any(c in _GERMAN_LETTERS for c in text) and latin == len(letters)
    )


_CONTROL = re.compile(r"[\ud800-\udfff\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd]")
# The model encodes every token, with no cap: a question is cut to a length no real question
# needs, and runs of characters without a space (pasted junk, long URLs) to a word's length, so
# that one hostile message cannot hold the encoder for seconds.
MAX_QUESTION_CHARS = 300
MAX_WORD_CHARS = 40


def clean_question(text: str) -> str:
    """Drop control, zero-width, bidi-override and lone surrogate characters (undecodable bytes),
    collapse whitespace, cut overlong words and cap the length."""
    text = _CONTROL.sub(" ", text or "")
    words = [w[:MAX_WORD_CHARS] for w in text.split()]
    return " ".join(words)[:MAX_QUESTION_CHARS].strip()
