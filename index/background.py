"""An unrelated background corpus for calibrating abstention.

Cosine scores of e5 sit in a narrow band whose level depends on the question's language, length
and wording. How well the best *unrelated* sentence matches a question measures that level for
that very question; the engine answers only when the article beats it by a calibrated margin
(see :class:`index.search.Calibration`). The sentences in ``data/background.txt`` are general
news and reference sentences on other subjects, in several languages.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def _lines(name: str) -> tuple[str, ...]:
    # beside this module (not importlib.resources on the package: under ``python -m index.cli`` run
    # in a directory that holds an ``index/`` folder, e.g. an INDEX_DIR, that folder joins the package)
    text = (Path(__file__).resolve().parent / "data" / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def background_sentences() -> tuple[str, ...]:
    """The unrelated sentences, then the small-talk ones (``data/small_talk.txt``): greetings,
    thanks, laughter. A message that matches those better than the article is small talk."""
    return _lines("background.txt") + _lines("small_talk.txt")


def small_talk_mask(n: int) -> "np.ndarray":
    """Which of the first ``n`` background sentences are small talk (the last ones)."""
    import numpy as np

    chat = len(_lines("small_talk.txt"))
    mask = np.zeros(n, dtype=bool)
    if n == len(background_sentences()):
        mask[n - chat:] = True
    return mask


def background_hash() -> str:
    """sha256 of the background sentences: the index records it, so editing them forces a rebuild."""
    return hashlib.sha256("\n".join(background_sentences()).encode("utf-8")).hexdigest()
