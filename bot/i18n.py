"""Every user-facing string of the bot: English here, the translations in gettext catalogues.

The English strings below are the source (``TEXTS``, ``EXAMPLES``, ``KIND_LABELS`` and the
command descriptions in ``COMMANDS``). Each has a key, its gettext context (``msgctxt``): the
``TEXTS`` key, ``example:<n>``, ``kind:<kind>`` or ``command:<name>``. The translations live in
``bot/locale/<lang>/LC_MESSAGES/bot.po`` (package data), read with Babel when a language is first
used; no compile step, so a clean clone runs as it is. A translation counts only while its
``msgid`` is the current English string and it is not fuzzy; otherwise the English string shows.
After changing or adding English strings run ``python -m bot.i18n`` (updates ``bot.pot`` and every
catalogue: new strings untranslated, changed ones fuzzy) and translate in the ``.po`` files;
``tests/test_i18n.py`` checks that every catalogue is complete and keeps placeholders and tags.

The interface language follows the user's Telegram language (its primary subtag: ``de-AT`` ->
``de``) when there is a catalogue for it, else English. Where Telegram names no language (channel
posts, anonymous group administrators, users without one) the bot's ``DEFAULT_LANGUAGE`` setting
applies. Questions can be asked in any language; quotes from the article always stay in the
original German. Templates are HTML: the caller passes values that are already escaped
(``bot.formatting`` does that).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "bot"
# English (the source) and every language with a catalogue in LOCALE_DIR
LANGUAGES = (DEFAULT_LANGUAGE, "de", "ru", "uk", "fr", "es", "it", "pl")


def language_of(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The interface language for a Telegram ``language_code``; ``default`` when there is none."""
    if not language_code:
        return default
    primary = language_code.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


EXAMPLES = (
    "Who can stop Putin, according to Rutte?",
    "What does Merz want for Ukraine?",
    "What did Rutte warn the NATO countries about?",
)

KIND_LABELS = {"title": "Headline", "lead": "Lead", "heading": "Subheading", "paragraph": "",
               "caption": "Photo caption", "video": "Video"}

# (command, English description); registered with set_my_commands for every language.
COMMANDS = (
    ("ask", "Ask a question about the article"),
    ("quote", "What a person in the article said"),
    ("brief", "The article in a few sentences"),
    ("source", "Which article this is"),
    ("subscribe", "Daily briefing in this chat (admins)"),
    ("unsubscribe", "Stop the daily briefing"),
    ("subscriptions", "This chat's daily briefing"),
    ("help", "How to use this bot"),
    ("start", "Welcome and example questions"),
)

TEXTS: dict[str, str] = {
    "welcome": "Hello! I answer questions about one article, always with verbatim quotes from it:\n\n{source}\n\n"
               "{how}",
    "welcome_ask": "Just send me a question, in any language. For example:",
    "help": "<b>How to use me</b>\n"
            "{ask}\n"
            "• In any chat: type {mention} and a few words to post a quote card.\n"
            "• <b>More</b> shows further passages, <b>Context</b> the paragraphs around a quote.\n"
            "• <code>/quote Rutte</code> or <code>/quote Merz Waffenstillstand</code>: what a person said, verbatim.\n"
            "• /brief: the article in a few sentences; <code>/subscribe 08:00</code> posts it here every day.\n"
            "• /source tells you which article this is.\n\n"
            "Quotes stay in the article's original German.",
    "help_private": "• In this chat: send any question about the article.\n"
                    "• In groups: <code>/ask your question</code>, mention me ({mention}) or reply to one of my answers.",
    "help_group": "• In this group: <code>/ask your question</code>, mention me ({mention}) with your question or "
                  "reply to one of my answers. Other messages here I leave alone.",
    "mention_usage": "Write your question after my name, e.g. <code>{mention} {example}</code> "
                     "(or use <code>/ask</code>, or reply to one of my answers).",
    "source": "<b>{title}</b>\n{publisher}, {date} · {count} passages{url}",
    "examples_intro": "Try for example:",
    "not_answered": "The article does not answer this question.",
    "not_mentioned": "The article never mentions <b>{name}</b>, so it does not answer this question.",
    "covers": "It covers: {headings}.",
    "also": "<b>Also in the article</b>",
    "unsure": "The article may not answer this directly. Closest passages:",
    "small_talk": "Hello! I answer questions about one news article, with quotes from it.",
    "empty": "That does not look like a question yet.",
    "how_to_ask": "Just send me a question about the article, for example:",
    "how_to_ask_group": "In this group, write <code>/ask</code> and your question, mention me ({mention}) with your "
                        "question, or reply to one of my messages. For example:",
    "inline_hint": "Type a question about the article",
    "more_title": "<b>Further passages</b>",
    "context_title": "<b>Context of §{id}</b>",
    "passage_title": "<b>§{id}</b> of {count}",
    "button_more": "More",
    "button_context": "Context",
    "no_more": "No further passages of the article fit this question.",
    "more_done": "<i>The other passages of the article do not fit this question.</i>",
    "context_shown": "The context is already shown above.",
    "expired": "This button has expired. Please ask your question again.",
    "flood": "You are asking very quickly. Please wait a minute, then I will answer again.",
    "non_text": "I can only read text. Send me your question about the article as a message.",
    "ask_usage": "Add your question after the command, e.g. <code>/ask {example}</code>",
    "unknown_command": "I don't know that command. /help shows what I can do.",
    "no_passage": "There is no passage §{id}; the article has §1 to §{count}.",
    "refused": "Sorry, this bot is not available here.",
    "error": "Sorry, something went wrong. Please try again in a moment.",
    "inline_not_found": "Not in the article. Ask me in a private chat",
    "inline_refused": "Not available for you. Open the bot",
    # quotes, briefings and subscriptions (bot/quoting.py, bot/handlers/quotes|briefing|subscribe.py)
    "quotes_of": "Quotations of {who}:",
    "quotes_ranked": "Best match for <i>{topic}</i> first.",
    "people_quoted": "<b>Quoted in the article</b>",
    "people_none": "The article quotes nobody directly.",
    "people_count": "quotations: {n}",
    "people_named": "Named, but not quoted directly: {names}.",
    "quote_usage": "Send <code>/quote Rutte</code> or <code>/quote Merz Waffenstillstand</code> (a name, then a topic if you like).",
    "quote_unknown": "Nobody called <i>{name}</i> appears in the article.",
    "quote_not_quoted": "{who} is named in the article but not quoted directly.",
    "brief_title": "<b>Briefing</b>",
    "brief_points": "<b>Key points</b>",
    "brief_quotes": "<b>Key quotations</b>",
    "subscribe_usage": "Send <code>/subscribe HH:MM</code> or <code>/subscribe HH:MM time-zone</code> to get the briefing "
                       "here every day, e.g. <code>/subscribe 08:00</code> or <code>/subscribe 07:30 Europe/Vienna</code>. "
                       "Time zones are IANA names; without one, {zone} applies.",
    "bad_time": "<i>{value}</i> is not a time of day (HH:MM, 00:00 to 23:59).",
    "bad_zone": "<i>{value}</i> is not a time zone I know.",
    "extra_args": "I did not expect <i>{value}</i>: after the time only a time zone may follow.",
    "subscribed": "Done: this chat gets the briefing every day at {time} ({zone}), next on {next}. /unsubscribe stops it.",
    "admins_only": "Only administrators of this chat can change its daily briefing.",
    "unsubscribed": "Done: no more daily briefings in this chat.",
    "not_subscribed": "This chat has no daily briefing. <code>/subscribe 08:00</code> starts one.",
    "subscription": "This chat gets the briefing every day at {time} ({zone}).\nNext: {next}. Last sent: {last}.",
    "subscription_off": "The daily briefing of this chat at {time} ({zone}) is stopped: I could not post here "
                        "({note}). /subscribe starts it again.",
    "never": "not yet",
    "quotes_no_match": "None of them is about <i>{topic}</i>; here they are in article order.",
}


def source_strings() -> dict[str, str]:
    """Every English string by its gettext context (see the module docstring)."""
    strings = dict(TEXTS)
    strings.update((f"example:{n}", q) for n, q in enumerate(EXAMPLES, 1))
    strings.update((f"kind:{kind}", label) for kind, label in KIND_LABELS.items() if label)
    strings.update((f"command:{name}", description) for name, description in COMMANDS)
    return strings


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(lang: str) -> dict[str, str]:
    """The usable translations of ``lang`` by context: not fuzzy, not empty, and made from the
    current English string. {} for English and for a language without a catalogue."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    path = catalogue_path(lang)
    if not path.is_file():
        log.warning("no catalogue for %r at %s: English is used", lang, path)
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    source = source_strings()
    usable = {m.context: m.string for m in catalog
              if m.id and m.context and isinstance(m.string, str) and m.string and not m.fuzzy
              and source.get(m.context) == m.id}
    if missing := len(source) - len(usable):
        log.warning("%s: %d of %d strings untranslated or out of date: English is shown for them",
                    path, missing, len(source))
    return usable


def _translated(lang: str, context: str, english: str) -> str:
    return translations(lang).get(context, english)


def text(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when missing), with ``values`` filled in."""
    template = _translated(lang, key, TEXTS[key])
    return template.format(**values) if values else template


def examples(lang: str) -> tuple[str, ...]:
    """The example questions, in ``lang`` (every language works: the article's are answered)."""
    return tuple(_translated(lang, f"example:{n}", q) for n, q in enumerate(EXAMPLES, 1))


def kind_label(lang: str, kind: str) -> str:
    """"Photo caption", "Lead", ...: what kind of passage; "" for a plain paragraph."""
    english = KIND_LABELS.get(kind, "")
    return _translated(lang, f"kind:{kind}", english) if english else ""


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs of the command menu in ``lang``."""
    return [(name, _translated(lang, f"command:{name}", description)) for name, description in COMMANDS]


# ---- maintenance: python -m bot.i18n ---------------------------------------------------------------
def update_catalogues() -> list[Path]:
    """Writes ``bot.pot`` from the English source and updates every catalogue from it (new strings
    untranslated, changed ones fuzzy, removed ones dropped). Returns the files written."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = Catalog(domain=DOMAIN, project="article-bot", charset="utf-8")
    for context, english in source_strings().items():
        template.add(english, context=context, flags=("python-brace-format",) if "{" in english else ())
    pot = LOCALE_DIR / f"{DOMAIN}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as f:
        write_po(f, template, width=0, omit_header=False)
    written = [pot]
    for lang in LANGUAGES[1:]:
        path = catalogue_path(lang)
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang, domain=DOMAIN)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="article-bot", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=0, ignore_obsolete=True)
        written.append(path)
    translations.cache_clear()
    return written


if __name__ == "__main__":  # pragma: no cover
    for written_path in update_catalogues():
        print(written_path)
