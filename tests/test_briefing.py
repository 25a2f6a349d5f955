"""Briefings on the real article with the real model: coverage, verbatim points, quotes, size."""

from __future__ import annotations

import json

import pytest

from bot.formatting import TELEGRAM_LIMIT
from index.briefing import briefing_to_json, make_briefing
from index.tuning import BRIEFING_TEXT_BUDGET
from index.formatting import format_briefing_text
from index.quotes import QuoteBook


@pytest.fixture(scope="module")
def book(engine):
    return QuoteBook.build(engine.article, engine)


@pytest.fixture(scope="module")
def briefing(engine, book):
    return make_briefing(engine.article, book)


def test_points_are_verbatim_sentences_of_their_passages(engine, briefing):
    assert 3 <= len(briefing.points) <= 5
    for point in briefing.points:
        passage = engine.article.passage(point.passage_id)
        assert passage is not None and point.text in passage.text
        assert point.text in [s.text for s in engine.article.sentences_of(point.passage_id)]
        assert passage.kind in ("lead", "paragraph")
        assert not point.text.endswith("?")


def test_points_cover_the_article(engine, briefing):
    passages = [engine.article.passage(p.passage_id) for p in briefing.points]
    first_three = [p.id for p in engine.article.passages[:3]]
    assert len({p.section for p in passages}) >= 2
    assert not all(p.id in first_three for p in passages)
    assert len({p.id for p in passages}) == len(passages)  # one point per passage
    assert max(p.id for p in passages) > engine.article.passages[len(engine.article.passages) // 2].id  # reaches the second half
    ids = [p.passage_id for p in briefing.points]
    assert ids == sorted(ids)  # in article order


def test_quotes_have_speakers_and_do_not_repeat_points(briefing):
    assert 2 <= len(briefing.quotes) <= 3
    assert all(q.kind == "direct" and q.speaker for q in briefing.quotes)
    assert len({q.speaker_name for q in briefing.quotes}) >= 2
    for q in briefing.quotes:
        assert not any(q.passage_id == p.passage_id and (q.text in p.text or p.text in q.text) for p in briefing.points)


def test_metadata_json_shape_and_size(engine, briefing):
    data = briefing_to_json(briefing)
    assert set(data) == {"title", "date", "points", "quotes"}
    assert (data["title"], data["date"]) == (engine.article.meta.title, "2025-12-11")
    assert all(set(p) == {"text", "passage_id"} for p in data["points"])
    assert all(set(q) == {"speaker", "quote", "passage_id"} and q["speaker"] for q in data["quotes"])
    text = format_briefing_text(briefing)
    assert text.startswith(engine.article.meta.title) and "DW · 11.12.2025" in text
    assert len(text) <= BRIEFING_TEXT_BUDGET < TELEGRAM_LIMIT
    assert len(json.dumps(data, ensure_ascii=False)) <= TELEGRAM_LIMIT


def test_deterministic_and_point_count_clamped(engine, book, briefing):
    assert make_briefing(engine.article, book) == briefing
    assert len(make_briefing(engine.article, book, n_points=3).points) == 3
    assert len(make_briefing(engine.article, book, n_points=5).points) == 5
    assert len(make_briefing(engine.article, book, n_points=50).points) == 5
    assert len(make_briefing(engine.article, book, n_points=1).points) == 3
    assert len(make_briefing(engine.article, book, n_quotes=2).quotes) == 2


def test_trims_points_to_fit_the_budget(engine, book, monkeypatch):
    import index.briefing as briefing_module

    full = make_briefing(engine.article, book, n_points=5)
    monkeypatch.setattr(briefing_module, "BRIEFING_TEXT_BUDGET", len(format_briefing_text(full)) - 1)
    trimmed = make_briefing(engine.article, book, n_points=5)
    assert 3 <= len(trimmed.points) < 5
    assert {p.passage_id for p in trimmed.points} < {p.passage_id for p in full.points}


def test_cli_brief(engine, engine_settings, embedder, monkeypatch, capsys, briefing):
    from bot.main import main

    monkeypatch.setattr("index.engine.load_embedder", lambda *a, **k: embedder)  # the session's model
    monkeypatch.setenv("SEEDS_DIR", str(engine_settings.seeds_dir))
    assert main(["brief", "--index-dir", str(engine_settings.index_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == briefing_to_json(briefing)  # same index, same briefing
