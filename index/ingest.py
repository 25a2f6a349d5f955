"""Turn scraped article pages from ``seeds/`` into typed passages, dropping the site chrome.

Each seed is ``NAME.txt`` (the page as scraped, unchanged) with ``NAME.json`` beside it
(title, publisher, date, language). Article text is never rewritten: every passage is an exact
substring of the seed after whitespace normalisation (:func:`normalize_ws`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .schema import ArticleMeta, Passage

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")
# Chrome lines of a DW page (German and English site variants).
_SKIP_LINK = re.compile(r"^\d+\.\s+(Zum Inhalt|Zur Hauptnavigation|Zu weiteren Angeboten|Skip to)", re.I)
_VIDEO_UNSUPPORTED = re.compile(r"^This browser does not support the (video|audio) element\.?$", re.I)
_DURATION = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_SECTION_SKIP = re.compile(r"^(Den nächsten Abschnitt .* überspringen|Skip next section .*)$", re.I)
_TOPIC_LABEL = re.compile(r"^(Top-Thema|Weitere Themen|Top story|More stories)$", re.I)
_DATE_LINE = re.compile(
    r"^\d{1,2}\.\s*(Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
    r"\s+\d{4}$"
)
_CREDIT = re.compile(r"(?<=\S)\s*(Bild|Foto|Image|Photo):\s*(?P<credit>[^\n]+)$")
_TERMINAL = re.compile(r"[.!?…\"“”»«:]$")


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace (non-breaking spaces included) to one space."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Seed:
    meta: ArticleMeta
    path: Path
    raw: str


def find_seeds(seeds_dir: Path) -> list[Seed]:
    """Every ``*.txt`` article in ``seeds_dir`` (sorted by name) with its metadata file."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise FileNotFoundError(f"seeds directory not found: {seeds_dir}")
    seeds = []
    for path in sorted(seeds_dir.glob("*.txt")):
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        raw = path.read_text(encoding="utf-8")
        seeds.append(
            Seed(
                meta=ArticleMeta(
                    id=path.stem,
                    title=meta.get("title", ""),
                    publisher=meta.get("publisher", ""),
                    date=meta.get("date", ""),
                    language=meta.get("language", "de"),
                    url=meta.get("url", ""),
                ),
                path=path,
                raw=raw,
            )
        )
    if not seeds:
        raise FileNotFoundError(f"no *.txt articles in seeds directory: {seeds_dir}")
    return seeds


def seeds_hash(seeds: list[Seed]) -> str:
    h = hashlib.sha256()
    for seed in seeds:
        h.update(seed.path.name.encode())
        h.update(seed.raw.encode("utf-8"))
        h.update(json.dumps(seed.meta.__dict__, sort_keys=True).encode())
    return h.hexdigest()


def _lines(raw: str) -> list[str]:
    return [normalize_ws(line) for line in raw.splitlines() if line.strip()]


def _is_chrome(line: str) -> bool:
    return bool(
        _SKIP_LINK.match(line)
        or _VIDEO_UNSUPPORTED.match(line)
        or _DURATION.match(line)
        or _TOPIC_LABEL.match(line)
    )


def _looks_like_heading(line: str) -> bool:
    return len(line) <= 120 and not _TERMINAL.search(line) and len(line.split()) <= 14


def parse_article(seed: Seed, first_id: int = 1) -> tuple[ArticleMeta, list[Passage]]:
    """Split one scraped page into typed passages numbered from ``first_id``."""
    lines = _lines(seed.raw)
    # The article ends where the page's "next section" navigation starts.
    for i, line in enumerate(lines):
        if _SECTION_SKIP.match(line):
            lines = lines[:i]
            break
    meta = seed.meta
    passages: list[Passage] = []
    section = ""
    seen_title = seen_lead = False

    def add(kind: str, text: str, credit: str = "") -> None:
        passages.append(
            Passage(
                id=first_id + len(passages),
                article_id=meta.id,
                kind=kind,
                section=section,
                text=text,
                credit=credit,
            )
        )

    for i, line in enumerate(lines):
        if _is_chrome(line):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not seen_title:
            seen_title = True
            section = line
            add("title", line)
            if not meta.title:
                meta = ArticleMeta(**{**meta.__dict__, "title": line})
            continue
        if _DATE_LINE.match(line) and not seen_lead:
            continue  # the publication date is metadata, not article text
        credit = _CREDIT.search(line)
        if credit:
            add("caption", line[: credit.start()].rstrip(), credit.group("credit").strip())
            continue
        if _DURATION.match(nxt):  # a video: its title, its duration, then the player fallback line
            add("video", line)
            continue
        if _CREDIT.search(nxt) and _looks_like_heading(line):
            continue  # an image's alternative text, just above its caption, repeats the caption
        if not seen_lead:
            seen_lead = True
            add("lead", line)
            continue
        if _looks_like_heading(line):
            section = line
            add("heading", line)
            continue
        add("paragraph", line)
    return meta, passages


def load_articles(seeds_dir: Path) -> tuple[list[ArticleMeta], list[Passage], str]:
    """Parse every seed; passage ids run on across articles. Returns (articles, passages, seeds hash)."""
    seeds = find_seeds(seeds_dir)
    articles: list[ArticleMeta] = []
    passages: list[Passage] = []
    for seed in seeds:
        meta, found = parse_article(seed, first_id=len(passages) + 1)
        articles.append(meta)
        passages.extend(found)
        log.debug("ingested %s: %d passages", seed.path, len(found))
    return articles, passages, seeds_hash(seeds)
