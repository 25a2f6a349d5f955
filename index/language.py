"""The question's language (py3langid) and cleaning of what users type.

The language decides whether German BM25 joins the fusion and which language a small-talk reply
is in.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .tuning import MAX_QUESTION_CHARS, MAX_WORD_CHARS  # cuts that keep one message from holding the encoder

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def has_words(text: str) -> bool:
    """Whether ``text`` has a letter or a digit (emoji, "?" and "..." have none)."""
    return bool(_LETTER_OR_DIGIT.search(text or ""))


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the question's language (py3langid), or None for text without words.

    Measured on the labelled questions: docs/evaluation.md (the language cues it replaced)."""
    if not has_words(text):
        return None
    import py3langid

    return str(py3langid.classify(text)[0])


_CONTROL = re.compile(r"[\ud800-\udfff\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffd]")


def clean_question(text: str) -> str:
    """Drop control, zero-width, bidi-override and lone surrogate characters (undecodable bytes),
    collapse whitespace, cut overlong words and cap the length."""
    text = _CONTROL.sub(" ", text or "")
    words = [w[:MAX_WORD_CHARS] for w in text.split()]
    return " ".join(words)[:MAX_QUESTION_CHARS].strip()
