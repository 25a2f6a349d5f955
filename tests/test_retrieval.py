"""Retrieval on the real article with the real model, real FAISS and real BM25: cross-lingual
questions, verbatim quotes, abstention on off-topic and near-topic questions, and the quality
floors on the labelled question files."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.evaluation import evaluate, load_eval
from index.ingest import normalize_ws

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Wer kann Putin laut Rutte stoppen?", "nur einen Menschen, der Putin stoppen könne"),
        ("Who does Rutte say is Russia's next target?", "Wir sind Russlands nächstes Ziel"),
        ("What did Trump demand from Zelensky?", "rasch Wahlen abzuhalten"),
        ("Що Трамп вимагав від Зеленського?", "rasch Wahlen abzuhalten"),
        ("Сколько пунктов было в первоначальном плане США?", "28 Punkten"),
        ("Que dit Heusgen du plan de paix américain ?", "Heusgen: US-Friedensplan"),
        ("Welche Garantien fordert Merz für den Waffenstillstand?", "robuste, rechtliche und materielle Garantien"),
    ],
)
def test_cross_lingual_questions_find_the_passage(engine, question, expected):
    answer = engine.ask(question)
    assert answer.hits, answer
    assert expected in answer.hits[0].passage.text, [h.passage.id for h in answer.hits]


@pytest.mark.parametrize(
    "question",
    ["What is the recipe for a good lasagna?", "Wer hat die Fußball-Weltmeisterschaft 2014 gewonnen?", "Яка столиця Австралії?"],
)
def test_off_topic_questions_get_no_confident_answer(engine, question):
    answer = engine.ask(question)
    assert not answer.answered and answer.confidence in ("low", "none"), answer.reason


# Near the article's topic but not answered by it: the hard part of the decision. Under
# cross-validation 15 % of all unanswerable questions still get a confident answer
# (bench/results/crossval.json), so this is a floor over a set, not a promise per question.
NEAR_TOPIC = [
    "When exactly will Ukraine hold elections?",  # the article says Selenskyj agreed to hold them, no date
    "Wann finden die Wahlen in der Ukraine statt?",
    "Wie hoch ist der deutsche Verteidigungshaushalt 2026?",  # no figure in the article
    "Wie viele Soldaten hat die Bundeswehr?",
    "When was NATO founded?",
    "Who will replace Rutte?",
]


def test_most_near_topic_questions_get_no_confident_answer(engine):
    confident = [a.question for a in engine.ask_many(NEAR_TOPIC) if a.answered]
    assert len(confident) <= len(NEAR_TOPIC) // 2, confident


def test_every_passage_and_quote_is_verbatim(engine, seed_text):
    normalized = normalize_ws(seed_text)
    items = load_eval(DATA / "own_eval.jsonl") + load_eval(DATA / "holdout_eval.jsonl")
    answers = engine.ask_many([it.question for it in items], top_k=5)
    for answer in answers:
        for hit in answer.hits:
            assert hit.passage.text in normalized
            assert hit.quote and hit.quote in normalized
            assert hit.passage.text[hit.quote_start:hit.quote_end] == hit.quote


def test_scores_are_ordered_and_top_k_respected(engine):
    answer = engine.ask("Was sagt Merz über die neue Zeit?", top_k=5)
    assert len(answer.hits) == 5
    scores = [h.score for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({h.passage.id for h in answer.hits}) == 5


def test_hostile_input_gets_an_answer_object(engine):
    for question in ["", "   ", "\x00\x01\x02", "x" * 10_000, "\u202eRutte\u202c?", "🤔🤔🤔", "<b>Rutte</b>", "'; DROP TABLE x;--"]:
        answer = engine.ask(question)
        assert isinstance(answer.answered, bool)
        assert len(answer.question) <= 300


@pytest.mark.parametrize(
    "name, hit1, hit3, max_rejected, min_unanswerable_rejected",
    [
        # hit@1 / hit@3 over the passages shown (confident or unsure); "rejected": no passage shown
        # for an answerable question; unanswerable questions must get no confident answer. The
        # decision's thresholds were chosen by leave-one-file-out cross-validation over all of
        # these files (bench/crossval.py). Floors sit about one question below what was measured
        # on 2026-12-04 (in-sample; the cross-validated numbers are in bench/results/crossval.json).
        ("dev_eval", 0.6, 0.9, 0, 0.66),
        ("own_eval", 0.75, 0.9, 2, 0.66),
        ("holdout_eval", 0.8, 0.9, 0, 0.6),
        ("fresh_eval", 0.7, 0.8, 1, 0.78),
        ("probe_eval", 0.62, 0.83, 1, 0.5),
        ("names_eval", 0.75, 0.75, 1, 0.75),
        ("typed_eval", 0.8, 0.8, 0, 0.0),
        ("chat_eval", 0.75, 0.9, 0, 0.9),
        ("people_eval", 0.5, 0.83, 1, 0.5),
    ],
)
def test_quality_floors(engine, name, hit1, hit3, max_rejected, min_unanswerable_rejected):
    report = evaluate(load_eval(DATA / f"{name}.jsonl"), engine.ask_many)
    assert report.overall["hit@1"] >= hit1, report.misses
    assert report.overall["hit@3"] >= hit3, report.misses
    a = report.abstention
    assert a["answerable_rejected"] <= max_rejected, report.misses
    assert a["unanswerable_rejected"] >= min_unanswerable_rejected * a["unanswerable"], report.misses
