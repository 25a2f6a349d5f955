"""Countries the article never mentions (index.places): a closed list, no model involved."""

import pytest

from index import places

ARTICLE = [
    "Frankreichs Präsident Emmanuel Macron und die USA.",
    "Der frühere niederländische Regierungschef sprach in der deutschen Hauptstadt über Russland.",
    "Die Russie-Politik und die Ukraine.",
]


@pytest.fixture(scope="module")
def world():
    return places.Places(ARTICLE)


def test_the_article_mentions_countries_by_inflected_derived_names_and_iso_codes(world):
    # "Frankreichs", "deutschen", "niederländische", "Ukraine", "Russie-", and "USA" (alpha-3)
    assert world.mentioned == {"FRA", "DEU", "NLD", "UKR", "RUS", "USA"}


@pytest.mark.parametrize("word", [
    "Iran", "China's", "Chine", "Китае", "Польщу", "Японии", "Turquie", "Туреччину", "Білорусі",
    "Belarus", "Serbie", "Georgien", "Индии", "Indien", "Moldova", "Canada", "China-Politik",
])
def test_countries_the_article_never_mentions(world, word):
    assert world.unmentioned_country(word), sorted(world.countries_of(word))


@pytest.mark.parametrize("word", [
    "Germany", "Deutschland", "Німеччина", "France", "Франції", "Netherlands", "Niederlande",
    "Ukraine", "України", "Україні", "Russie",
    # not one-word short names of a country: left to the model (index.grounding)
    "USA", "США", "Russia", "Россия", "America", "Britain", "Western", "Saint", "United",
    # no country at all
    "Rutte", "Merz", "Moscow", "Baltic", "Europa", "NATO", "Scholz", "Partei", "Monday", "",
])
def test_other_words_are_not_unmentioned_countries(world, word):
    assert not world.unmentioned_country(word)


def test_parts_of_hyphenated_article_words_count():
    world = places.Places(["Der USA-Besuch und der EU-Polen-Gipfel."])
    assert {"USA", "POL"} <= world.mentioned and not world.unmentioned_country("Polen")


def test_inflection_and_derivation_rules():
    assert places.same_word("китае", "китай") and places.same_word("польщу", "польща")
    assert not places.same_word("iran", "irland") and not places.same_word("mali", "malta")
    assert places.derived("deutschland", "deutschen") and places.derived("russie", "russland")
    assert not places.derived("chine", "chef") and not places.derived("polen", "politik")
    # generous on purpose: a wrong "mentioned" only leaves the name to the model's test
    assert places.derived("india", "indirekt")


def test_country_names_cover_six_languages():
    names = places.country_names()
    assert {"china", "chine", "китай", "türkei", "туреччина", "polen", "польща", "bielorrusia"} <= names.keys()
    assert names["korea"] == {"KOR", "PRK"}
    assert "western sahara" not in names and "sahara" not in names  # two-word names are skipped
