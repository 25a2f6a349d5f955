"""German sentence splitting with character offsets, on top of pysbd's rule set.

pysbd handles abbreviations; two repairs follow: a closing quotation mark that pysbd leaves
on its own is joined to the sentence it closes, and a piece that starts in lower case (a date
such as "am 8.12. in London" cut after its period) is joined to the one before. Offsets always point into the passage text so every sentence is a verbatim slice.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .schema import Passage, Sentence

_ONLY_CLOSERS = re.compile(r"^[\"“”»«'’)\]\s]+$")
_LEADING_CLOSERS = re.compile(r"[\"“”»«'’)\]]+\s+")


@lru_cache(maxsize=4)
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=language, clean=False, char_span=True)


def split_spans(text: str, language: str = "de") -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text``; stripped, never empty, in order."""
    spans: list[tuple[int, int]] = []
    for seg in _segmenter(language).segment(text):
        start, end = seg.start, seg.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        lead = _LEADING_CLOSERS.match(text, start, end)
        if spans and lead and lead.end() < end:
            # '" Dann ging er.': the closing quote belongs to the previous sentence.
            spans[-1] = (spans[-1][0], start + len(lead.group(0).rstrip()))
            start = lead.end()
        if spans and (_ONLY_CLOSERS.match(text[start:end]) or text[start].islower()):
            # A lone closing quote, or a "sentence" starting in lower case, is the tail of the
            # previous one (German sentences start upper case): "am 8.12. in London".
            spans[-1] = (spans[-1][0], end)
            continue
        spans.append((start, end))
    return spans or ([(0, len(text))] if text.strip() else [])


def split_passage(passage: Passage, language: str = "de") -> list[Sentence]:
    return [
        Sentence(passage_id=passage.id, start=s, end=e, text=passage.text[s:e])
        for s, e in split_spans(passage.text, language)
    ]
