"""The answer types and the margin (pure parts of the decision)."""

from __future__ import annotations

import pytest

from index.abstain import asked_type, margin, offers_type


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


@pytest.mark.parametrize("question, needle", [
    ("How long has the war been going on?", "nach bald vier Jahren"),  # the passage's first sentence has none
    ("Wie viele Punkte hatte der ursprüngliche US-Plan?", "28 Punkten"),
])
def test_a_typed_question_gets_the_sentence_with_the_number_as_its_quote(engine, question, needle):
    answer = engine.ask(question)
    assert answer.hits and needle in answer.hits[0].quote


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
