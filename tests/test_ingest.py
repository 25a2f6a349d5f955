"""Ingest of the scraped page: site chrome dropped, typed passages, nothing rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest import load_articles, normalize_ws
from index.sentences import split_passage

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def article(request):
    from tests.conftest import SEEDS

    return load_articles(SEEDS)


def test_every_passage_is_verbatim(article, seed_text):
    _, passages, _ = article
    normalized = normalize_ws(seed_text)
    for p in passages:
        assert normalize_ws(p.text) == p.text
        assert p.text in normalized, p
        if p.credit:
            assert p.credit in normalized


def test_every_sentence_is_a_verbatim_slice(article):
    _, passages, _ = article
    for p in passages:
        sentences = split_passage(p)
        assert sentences, p
        for s in sentences:
            assert p.text[s.start:s.end] == s.text
        assert "".join(s.text for s in sentences).replace(" ", "") == p.text.replace(" ", "")


def test_site_chrome_is_dropped(article):
    _, passages, _ = article
    text = "\n".join(p.text for p in passages)
    for chrome in ("Zum Inhalt springen", "This browser does not support", "Top-Thema", "überspringen", "12:34", "13:48"):
        assert chrome not in text


def test_typed_passages_with_sections(article):
    articles, passages, _ = article
    kinds = [p.kind for p in passages]
    assert kinds[0] == "title" and kinds[1] == "lead"
    assert {"heading", "paragraph", "caption", "video"} <= set(kinds)
    by_text = {p.text: p for p in passages}
    video = by_text["Heusgen: US-Friedensplan für die Ukraine ist unakzeptabel"]
    assert video.kind == "video" and video.section == "Selenskyj zu Neuwahlen in der Ukraine bereit"
    caption = next(p for p in passages if p.kind == "caption" and "Dachterrasse" in p.text)
    assert caption.credit == "Liesa Johannssen/Pool Photo/AP Photo/picture alliance"
    assert "Bild" not in caption.text
    assert [p.id for p in passages] == list(range(1, len(passages) + 1))
    assert articles[0].publisher == "DW" and articles[0].date == "2025-12-11" and articles[0].language == "de"


def test_several_articles_get_running_ids_and_their_own_sections():
    articles, passages, seeds_hash = load_articles(DATA / "seeds_two")
    assert [a.id for a in articles] == ["a-first", "b-second"]
    assert [p.id for p in passages] == list(range(1, len(passages) + 1))
    first = [p for p in passages if p.article_id == "a-first"]
    assert [p.kind for p in first] == ["title", "lead", "video", "paragraph"]
    assert not any("Mehr zum Thema" in p.text or "anderer Artikel" in p.text for p in passages)
    second = [p for p in passages if p.article_id == "b-second"]
    assert second[-1].section == "Zuwachs im Hafen"
    assert len(seeds_hash) == 64


def test_seeds_hash_changes_with_the_text(tmp_path):
    for name in ("a-first.txt", "a-first.json"):
        (tmp_path / name).write_text((DATA / "seeds_two" / name).read_text(encoding="utf-8"), encoding="utf-8")
    _, _, before = load_articles(tmp_path)
    (tmp_path / "a-first.txt").write_text((tmp_path / "a-first.txt").read_text(encoding="utf-8") + "\nNoch ein Satz.\n", encoding="utf-8")
    _, _, after = load_articles(tmp_path)
    assert before != after
