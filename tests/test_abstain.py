"""The abstention rule's pure parts and the calibration fit."""

from __future__ import annotations

import pytest

from index.abstain import asked_type, margin, offers_type
from index.evaluation import EvalItem, fit_min_margin
from index.schema import Answer


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Wann finden die Wahlen statt?", "time"),
        ("When exactly will Ukraine hold elections?", "time"),
        ("Quand Rutte est-il venu ?", "time"),
        ("Коли відбудуться вибори?", "time"),
        ("Wie viele Punkte hatte der Plan?", "quantity"),
        ("How much does Germany spend on defence?", "quantity"),
        ("Сколько стоит биткоин?", "quantity"),
        ("Wie lange dauert der Krieg schon?", "quantity"),
        ("Wie alt ist Mark Rutte?", "age"),
        ("How old is Merz?", "age"),
        ("Where was Friedrich Merz born?", "birth"),
        ("Когда родился Пушкин?", "birth"),
        ("Wer kann Putin stoppen?", None),
        ("Was sagt Merz über die neue Zeit?", None),
    ],
)
def test_asked_type(question, kind):
    assert asked_type(question) == kind


def test_age_and_birth_need_their_own_expressions():
    assert offers_type("age", "der 58-jährige Niederländer") and offers_type("age", "ist 58 Jahre alt")
    assert not offers_type("age", "nach bald vier Jahren")  # a duration is nobody's age
    assert offers_type("birth", "Rutte, geboren 1967 in Den Haag") and not offers_type("birth", "am 8.12. in London")


def test_engine_abstains_from_age_and_birth_the_article_does_not_give(engine):
    for question in ("Wie alt ist Mark Rutte?", "Where was Friedrich Merz born?"):
        answer = engine.ask(question)
        assert not answer.answered and "does not give" in answer.reason


@pytest.mark.parametrize("question, needle", [
    ("How long has the war been going on?", "nach bald vier Jahren"),  # the passage's first sentence has none
    ("Wie viele Punkte hatte der ursprüngliche US-Plan?", "28 Punkten"),
])
def test_a_typed_question_gets_the_sentence_with_the_number_as_its_quote(engine, question, needle):
    answer = engine.ask(question)
    assert answer.answered and needle in answer.hits[0].quote


def test_offers_type():
    assert offers_type("time", "Von einem Treffen am kommenden Montag ist die Rede.")
    assert offers_type("time", "Merz, Starmer und Macron am 8.12. in London")
    assert not offers_type("time", "Trump verlangte, rasch Wahlen abzuhalten. Mitten im Krieg.")
    assert offers_type("quantity", "Der US-Plan mit 28 Punkten")
    assert offers_type("quantity", "nach bald vier Jahren")
    assert not offers_type("quantity", "höhere Verteidigungsausgaben gefordert")
    assert offers_type(None, "anything")


def test_margin_is_article_minus_background():
    assert margin(0.9, 0.85) == pytest.approx(0.05)


def test_fit_min_margin_keeps_every_answerable_question():
    items = [EvalItem(str(i), "en", f"q{i}", (), unanswerable=u) for i, u in enumerate([False, False, True, True, True])]
    margins = [0.03, 0.01, -0.05, 0.00, 0.02]
    answers = [Answer(it.question, True, confidence=m) for it, m in zip(items, margins)]
    threshold, rows = fit_min_margin(items, answers)
    assert threshold == pytest.approx(0.005)
    assert all(m >= threshold for m, unans, _ in rows if not unans)
    assert rows[0][0] == -0.05
