"""The interface texts: English source strings in bot/i18n.py, translations in gettext catalogues
(bot/locale/<lang>/LC_MESSAGES/bot.po, read with Babel). Every catalogue is complete and current,
keeps the placeholders and the HTML tags of the English string, and survives an update."""

from __future__ import annotations

import re
import shutil
import string

import pytest

from bot import i18n
from bot.formatting import format_help, format_welcome
from index.schema import ArticleMeta
from tests.bot_helpers import html_problems

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE]
TAG = re.compile(r"</?[a-z]+>")
CHECKED_IN = i18n.LOCALE_DIR
ARTICLE = ArticleMeta(id="a", title="Titel", publisher="DW", date="2025-12-11", language="de")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_languages_and_their_catalogues():
    assert i18n.LANGUAGES == ("en", "de", "ru", "uk", "fr", "es", "it", "pl")
    for lang in TRANSLATED:
        assert i18n.catalogue_path(lang).is_file()


# n -> plural form index, as gettext picks it (Babel writes Plural-Forms from CLDR)
PLURALS = {"de": {0: 1, 1: 0, 2: 1, 5: 1},
           "ru": {1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 21: 0, 22: 1, 25: 2},
           "uk": {1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 21: 0, 22: 1, 25: 2},
           "pl": {1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 21: 2, 22: 1, 25: 2},  # 21 "fragmentów", unlike ru/uk
           "fr": {0: 0, 1: 0, 2: 2, 23: 2},
           "es": {0: 2, 1: 0, 2: 2, 23: 2},
           "it": {0: 2, 1: 0, 2: 2, 23: 2}}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_header_names_the_language_and_its_plural_forms(lang):
    import gettext

    from babel.messages.pofile import read_po

    with i18n.catalogue_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    assert str(catalog.locale) == lang
    plural = gettext.c2py(catalog.plural_expr)
    assert {n: plural(n) for n in PLURALS[lang]} == PLURALS[lang]
    assert catalog.num_plurals == 1 + max(PLURALS[lang].values())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete_and_current(lang):
    assert set(i18n.translations(lang)) == set(i18n.source_strings())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_and_tags(lang):
    for context, english in i18n.source_strings().items():
        translated = i18n.translations(lang)[context]
        assert placeholders(translated) == placeholders(english), context
        assert sorted(TAG.findall(translated)) == sorted(TAG.findall(english)), context
        filled = translated.format(**{name: "x" for name in placeholders(translated)})
        assert html_problems(filled) == [], (context, filled)
        if context.startswith("command:"):
            assert 1 <= len(translated) <= 256


def test_a_stale_or_fuzzy_translation_falls_back_to_english(tmp_path, monkeypatch):
    from babel.messages.pofile import read_po, write_po

    shutil.copytree(CHECKED_IN, tmp_path / "locale")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    path = i18n.catalogue_path("de")
    with path.open("rb") as f:
        catalog = read_po(f, locale="de")
    catalog.get(i18n.TEXTS["also"], context="also").flags.add("fuzzy")
    catalog.get(i18n.TEXTS["never"], context="never").string = ""
    with path.open("wb") as f:
        write_po(f, catalog)
    monkeypatch.setitem(i18n.TEXTS, "no_more", "There are no more passages.")  # English changed since
    try:
        i18n.translations.cache_clear()
        assert i18n.text("de", "also") == i18n.TEXTS["also"] and i18n.text("de", "never") == "not yet"
        assert i18n.text("de", "no_more") == "There are no more passages."
        assert i18n.text("de", "button_more") == "Mehr"
    finally:
        i18n.translations.cache_clear()


def test_update_keeps_every_translation_and_marks_changed_strings(tmp_path, monkeypatch):
    shutil.copytree(CHECKED_IN, tmp_path / "locale")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    try:
        before = {lang: i18n.translations(lang) for lang in TRANSLATED}
        written = i18n.update_catalogues()
        assert tmp_path / "locale" / "bot.pot" in written
        assert {lang: i18n.translations(lang) for lang in TRANSLATED} == before  # nothing lost
        monkeypatch.setitem(i18n.TEXTS, "brand_new", "A new string.")
        i18n.update_catalogues()
        text = i18n.catalogue_path("ru").read_text(encoding="utf-8")
        assert 'msgctxt "brand_new"\nmsgid "A new string."\nmsgstr ""' in text
        assert i18n.text("ru", "brand_new") == "A new string."  # untranslated: English
    finally:
        i18n.translations.cache_clear()


def test_the_checked_in_catalogues_are_current(tmp_path, monkeypatch):
    """bot.pot and the catalogues are what ``python -m bot.i18n`` makes of the English source
    (run it after changing an English string, then translate)."""
    shutil.copytree(CHECKED_IN, tmp_path / "locale")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    try:
        i18n.update_catalogues()
    finally:
        i18n.translations.cache_clear()

    def body(path):  # without the header (its dates)
        return path.read_text(encoding="utf-8").split("\n\n", 1)[1]

    for name in ["bot.pot"] + [f"{lang}/LC_MESSAGES/bot.po" for lang in TRANSLATED]:
        assert body(tmp_path / "locale" / name) == body(CHECKED_IN / name), name


def test_welcome_says_any_language_works():
    for lang, phrase in (("en", "in any language"), ("de", "in einer beliebigen Sprache"),
                         ("ru", "на любом языке"), ("uk", "будь-якою мовою"), ("fr", "dans n'importe quelle langue"),
                         ("es", "en cualquier idioma"), ("it", "in qualsiasi lingua"), ("pl", "w dowolnym języku")):
        welcome = format_welcome(ARTICLE, 23, lang)
        assert phrase in welcome and "English or German" not in welcome and "Deutsch oder Englisch" not in welcome
    assert "Кто, по словам Рютте, может остановить Путина?" in format_welcome(ARTICLE, 23, "ru")
    assert "Хто, за словами Рютте, може зупинити Путіна?" in format_welcome(ARTICLE, 23, "uk")
    assert "<b>Як мною користуватися</b>" in format_help("uk", "a_bot")
    assert "Selon Rutte, qui peut arrêter Poutine\u00a0?" in format_welcome(ARTICLE, 23, "fr")
    assert "Según Rutte, ¿quién puede detener a Putin?" in format_welcome(ARTICLE, 23, "es")
    assert "<b>Come usarmi</b>" in format_help("it", "a_bot") and "<b>Jak ze mnie korzystać</b>" in format_help("pl", "a_bot")


def test_help_names_the_buttons_as_they_are_labelled():
    """The help text explains the More and Context buttons by their translated labels."""
    for lang in i18n.LANGUAGES:
        help_ = i18n.text(lang, "help", ask="", mention="@a_bot")
        for button in ("button_more", "button_context"):
            assert f"<b>{i18n.text(lang, button)}</b>" in help_, (lang, button)


def test_french_puts_a_no_break_space_before_double_punctuation():
    """French writes "Par exemple :" with a no-break space, so that a line never starts with the mark."""
    french = i18n.translations("fr")
    assert all(not re.search(r" [:;?!]", t) for t in french.values())
    assert sum("\u00a0:" in t for t in french.values()) >= 10
    assert not any("\u00a0" in t for lang in ("es", "it", "pl") for t in i18n.translations(lang).values())
