"""Names the article never mentions: the pure part (index.grounding) and the engine's decision."""

import pytest

from index import grounding

WORDS = grounding.vocabulary(["NATO-Chef Mark Rutte warnt in Berlin.", "Die neue Sicherheitsstrategie der USA, der US-Plan und Selenskyj."])


def test_unknown_names_skip_the_first_word_known_words_and_compound_parts():
    names = [n.text for n in grounding.unknown_names("Was sagt Rutte über Iran und die US-Strategie in Berlin?", WORDS)]
    assert names == ["Iran"]  # "Was" is first; Rutte, Berlin known; "strategie" inside "sicherheitsstrategie"
    assert [n.text for n in grounding.unknown_names("What did Rutte's team say about China's role?", WORDS)] == ["China's"]
    assert grounding.unknown_names("Що Рютте сказав?", WORDS)[0].text == "Рютте"  # other scripts go to the model
    assert grounding.unknown_names("How do I know?", WORDS) == []  # single letters are not names


def test_without_takes_the_name_out_cleanly():
    q = "What did Rutte say about Iran?"
    name = grounding.unknown_names(q, WORDS)[0]
    assert grounding.without(q, name) == "What did Rutte say about ?"


def test_ungrounded_applies_the_threshold():
    a, b = grounding.Name("A", 0, 1), grounding.Name("B", 2, 3)
    assert grounding.ungrounded([(a, 0.01), (b, -0.02)], -0.015) == b
    assert grounding.ungrounded([(a, 0.01), (b, -0.01)], -0.015) is None


@pytest.mark.parametrize("question, name", [
    ("Was sagt Merz über Israel?", "Israel"),
    ("What did Rutte say about Iran?", "Iran"),  # a country the model half-knows: index.places
    ("Что Рютте сказал о Китае?", "Китае"),
    ("How did Poland react to the US strategy?", "Poland"),
    ("Что сказал Рютте о Японии?", "Японии"),
])
def test_engine_says_the_article_never_mentions_the_name(engine, question, name):
    answer = engine.ask(question)
    assert not answer.answered and not answer.hits
    assert answer.unknown_name == name and name in answer.reason


@pytest.mark.parametrize("question", [
    "What is the Munich Security Conference event about?",  # "Münchner Sicherheitskonferenz"
    "Was the peace plan written in Moscow?",  # "Moskau"
    "Is Zelensky ready to hold elections?",  # "Selenskyj"
    "Що Трамп вимагав від Зеленського?",
])
def test_names_in_another_spelling_still_count_as_mentioned(engine, question):
    answer = engine.ask(question)
    assert answer.answered and not answer.unknown_name
