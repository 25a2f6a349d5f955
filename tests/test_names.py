"""Names across scripts and spellings (index.names) on the real article's words."""

from __future__ import annotations

import pytest

from index.names import ArticleNames, NameMatch, fold


@pytest.fixture(scope="module")
def names(seed_text):
    return ArticleNames([seed_text])


@pytest.mark.parametrize("question, lang, article_word", [
    ("Что сказал Рютте?", "ru", "Rutte"),
    ("Что Зеленский сказал о выборах?", "ru", "Selenskyj"),
    ("Чего Трамп требовал от Зеленского?", "ru", "Selenskyj"),
    ("Що сказав Макрон?", "uk", "Macron"),
    ("What did Zelensky agree to?", "en", "Selenskyj"),
    ("Was the plan written in Moscow?", "en", "Moskau"),
    ("План написали в Москве?", "ru", "Moskau"),
    ("Co mówi Rutte o Putinie?", "pl", "Putin"),
])
def test_article_names_are_found_in_any_script(names, question, lang, article_word):
    found = names.names_in(question, lang)
    assert any(n.match is NameMatch.KNOWN and n.article_word == article_word for n in found), found


def test_a_german_question_never_has_an_unknown_name(names):
    assert all(n.match is not NameMatch.UNKNOWN for n in names.names_in("Wo hält Rutte seine Ansprache?", "de"))


def test_fold_is_script_independent():
    assert fold("Зеленский") == fold("Selenskyj") == fold("Zelensky")
