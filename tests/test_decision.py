"""The answer decision: every verdict from evidence (pure), and from the real engine on the real
article: Cyrillic names of the article's people, small talk, near-topic questions, and answerable
questions that must not be refused."""

from __future__ import annotations

import json
import math

import pytest

from index.decision import Evidence, Reason, Relevance, Thresholds, decide

# A toy relevance model on the margin alone (weight 100, no bias): relevance 0.5 at margin 0,
# 0.73 at margin 0.01, 0.27 at -0.01; the real one is fitted by bench/crossval.py.
ON_MARGIN = Relevance(mean=(0.0,) * 5, scale=(1.0,) * 5, weights=(100.0, 0.0, 0.0, 0.0, 0.0), bias=0.0)
T = Thresholds(answer=0.7, unsure=0.3, unknown_name=0.8, type_rule=True, relevance=ON_MARGIN, small_talk=0.0)


@pytest.mark.parametrize("evidence, reason", [
    (Evidence(empty=True), Reason.EMPTY),
    (Evidence(wordless=True), Reason.SMALL_TALK),
    (Evidence(margin=0.05, small_talk_margin=0.01), Reason.SMALL_TALK),
    (Evidence(margin=0.05, small_talk_margin=-0.01), Reason.ANSWER),
    (Evidence(margin=0.05, unknown_name="Biden", name_score=0.7), Reason.UNKNOWN_NAME),
    (Evidence(margin=0.05, unknown_name="Moscow", name_score=0.85), Reason.ANSWER),
    (Evidence(margin=-0.02), Reason.NOT_IN_ARTICLE),
    (Evidence(margin=0.0), Reason.UNSURE),
    (Evidence(margin=0.05, type_missing=True), Reason.UNSURE),
    (Evidence(margin=0.05), Reason.ANSWER),
])
def test_every_verdict(evidence, reason):
    verdict = decide(evidence, T)
    assert verdict.reason is reason
    assert verdict.confidence == {Reason.ANSWER: "high", Reason.UNSURE: "low"}.get(reason, "none")
    assert verdict.shows_passages == (reason in (Reason.ANSWER, Reason.UNSURE))


def test_relevance_is_a_logistic_model_over_standardised_features():
    model = Relevance(mean=(1.0, 0, 0, 0, 0), scale=(2.0, 1, 1, 1, 1), weights=(1.0, 0, 0, 0, 0), bias=0.5)
    assert model(Evidence(margin=3.0)) == pytest.approx(1 / (1 + math.exp(-1.5)))


def test_unknown_name_verdict_names_it():
    assert decide(Evidence(margin=0.05, unknown_name="Biden", name_score=0.5), T).name == "Biden"


@pytest.mark.parametrize("question", ["thanks!", "Hallo, wie geht's?", "lol", "danke", "😂😂", "?", "👍", "Спасибо!"])
def test_small_talk_never_gets_a_quote(engine, question):
    answer = engine.ask(question)
    assert answer.reason == Reason.SMALL_TALK and not answer.hits and not answer.answered


@pytest.mark.parametrize("question, needle", [
    ("Что сказал Рютте о следующей цели России?", "nächstes Ziel"),
    ("Чего Трамп требовал от Зеленского?", "rasch Wahlen abzuhalten"),
    ("Що кажуть про Макрона і Стармера?", "Starmer"),
    ("What did Zelensky agree to?", "Selenskyj"),
])
def test_names_in_other_scripts_are_never_unknown(engine, question, needle):
    answer = engine.ask(question)
    assert answer.reason != Reason.UNKNOWN_NAME and answer.hits
    assert any(needle in h.passage.text for h in answer.hits)


@pytest.mark.parametrize("question", [
    "When was NATO founded?", "How do I reset my router password?",
])
def test_near_topic_and_off_topic_questions_get_no_confident_answer(engine, question):
    assert not engine.ask(question).answered


@pytest.mark.parametrize("question, needle", [
    ("Wie lange dauert der Krieg schon?", "nach bald vier Jahren"),
    ("Was passiert am Wochenende?", "am Wochenende"),
])
def test_plain_answerable_questions_are_not_refused(engine, question, needle):
    answer = engine.ask(question)
    assert answer.hits and any(needle in h.passage.text for h in answer.hits)


def test_json_contract_adds_confidence_and_reason(engine):
    for question, confidence in (("Wer kann Putin laut Rutte stoppen?", "high"), ("danke", "none")):
        data = json.loads(json.dumps(engine.ask(question).to_json_dict()))
        assert {"question", "answered", "passages", "confidence", "reason"} <= set(data)
        assert data["confidence"] == confidence
        assert data["answered"] == (confidence == "high")
        assert bool(data["passages"]) == (confidence != "none")
