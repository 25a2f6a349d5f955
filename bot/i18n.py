"""Every user-facing string of the bot, in English and German.

The interface language follows the user's Telegram language (``de*`` -> German, anything else ->
English). Where Telegram names no language (channel posts, anonymous group administrators, users
without one) the bot's ``DEFAULT_LANGUAGE`` setting applies. Quotes from the article always stay in
the original German. Templates are HTML: the caller passes values that are already escaped
(``bot.formatting`` does that).
"""

from __future__ import annotations

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"


def language_of(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The interface language for a Telegram ``language_code``; ``default`` when there is none."""
    if not language_code:
        return default
    return "de" if language_code.lower().startswith("de") else DEFAULT_LANGUAGE


EXAMPLES = {
    "en": (
        "Who can stop Putin, according to Rutte?",
        "What does Merz want for Ukraine?",
        "What did Rutte warn the NATO countries about?",
    ),
    "de": (
        "Wer kann Putin laut Rutte stoppen?",
        "Was fordert Merz für die Ukraine?",
        "Wovor warnt Rutte die NATO-Staaten?",
    ),
}

KIND_LABELS = {
    "en": {"title": "Headline", "lead": "Lead", "heading": "Subheading", "paragraph": "",
           "caption": "Photo caption", "video": "Video"},
    "de": {"title": "Schlagzeile", "lead": "Vorspann", "heading": "Zwischenüberschrift", "paragraph": "",
           "caption": "Bildunterschrift", "video": "Video"},
}

# (command, English description, German description); registered with set_my_commands.
COMMANDS = (
    ("ask", "Ask a question about the article", "Eine Frage zum Artikel stellen"),
    ("quote", "What a person in the article said", "Was eine Person im Artikel sagt"),
    ("brief", "The article in a few sentences", "Der Artikel in wenigen Sätzen"),
    ("source", "Which article this is", "Welcher Artikel das ist"),
    ("subscribe", "Daily briefing in this chat (admins)", "Tägliche Kurzfassung in diesem Chat (Admins)"),
    ("unsubscribe", "Stop the daily briefing", "Tägliche Kurzfassung beenden"),
    ("subscriptions", "This chat's daily briefing", "Die tägliche Kurzfassung dieses Chats"),
    ("help", "How to use this bot", "So funktioniert der Bot"),
    ("start", "Welcome and example questions", "Begrüßung und Beispielfragen"),
)

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "Hello! I answer questions about one article, always with verbatim quotes from it:\n\n{source}\n\n"
                   "Just send me a question, in English or German. For example:\n{examples}",
        "help": "<b>How to use me</b>\n"
                "• In this chat: send any question about the article.\n"
                "• In groups: <code>/ask your question</code>, mention me ({mention}) or reply to one of my answers.\n"
                "• In any chat: type {mention} and a few words to post a quote card.\n"
                "• <b>More</b> shows further passages, <b>Context</b> the paragraphs around a quote.\n"
                "• <code>/quote Rutte</code> or <code>/quote Merz Waffenstillstand</code>: what a person said, verbatim.\n"
                "• /brief: the article in a few sentences; <code>/subscribe 08:00</code> posts it here every day.\n"
                "• /source tells you which article this is.\n\n"
                "Quotes stay in the article's original German.",
        "source": "<b>{title}</b>\n{publisher}, {date} · {count} passages{url}",
        "examples_intro": "Try for example:",
        "not_answered": "The article does not answer this question.",
        "not_mentioned": "The article never mentions <b>{name}</b>, so it does not answer this question.",
        "covers": "It covers: {headings}.",
        "also": "<b>Also in the article</b>",
        "more_title": "<b>Further passages</b>",
        "context_title": "<b>Context of §{id}</b>",
        "passage_title": "<b>§{id}</b> of {count}",
        "button_more": "More",
        "button_context": "Context",
        "no_more": "No further passages of the article fit this question.",
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
        "subscribed": "Done: this chat gets the briefing every day at {time} ({zone}), next on {next}. /unsubscribe stops it.",
        "admins_only": "Only administrators of this chat can change its daily briefing.",
        "unsubscribed": "Done: no more daily briefings in this chat.",
        "not_subscribed": "This chat has no daily briefing. <code>/subscribe 08:00</code> starts one.",
        "subscription": "This chat gets the briefing every day at {time} ({zone}).\nNext: {next}. Last sent: {last}.",
        "subscription_off": "The daily briefing of this chat at {time} ({zone}) is stopped: I could not post here "
                            "({note}). /subscribe starts it again.",
        "never": "not yet",
        # issue 12 (bot/quoting.py, bot/handlers/callbacks.py)
        "quotes_no_match": "None of them is about <i>{topic}</i>; here they are in article order.",
        "more_done": "<i>The other passages of the article do not fit this question.</i>",
        "context_shown": "The context is already shown above.",
    },
    "de": {
        "welcome": "Hallo! Ich beantworte Fragen zu einem Artikel, immer mit wörtlichen Zitaten daraus:\n\n{source}\n\n"
                   "Schick mir einfach eine Frage, auf Deutsch oder Englisch. Zum Beispiel:\n{examples}",
        "help": "<b>So funktioniere ich</b>\n"
                "• In diesem Chat: Schick mir eine beliebige Frage zum Artikel.\n"
                "• In Gruppen: <code>/ask deine Frage</code>, erwähne mich ({mention}) oder antworte auf eine meiner Antworten.\n"
                "• In jedem Chat: Tippe {mention} und ein paar Wörter, um eine Zitatkarte zu posten.\n"
                "• <b>Mehr</b> zeigt weitere Stellen, <b>Kontext</b> die Absätze um ein Zitat.\n"
                "• <code>/quote Rutte</code> oder <code>/quote Merz Waffenstillstand</code>: was eine Person gesagt hat, wörtlich.\n"
                "• /brief: der Artikel in wenigen Sätzen; <code>/subscribe 08:00</code> postet ihn hier jeden Tag.\n"
                "• /source zeigt, um welchen Artikel es geht.\n\n"
                "Zitate bleiben im deutschen Original.",
        "source": "<b>{title}</b>\n{publisher}, {date} · {count} Abschnitte{url}",
        "examples_intro": "Versuch es zum Beispiel mit:",
        "not_answered": "Darauf gibt der Artikel keine Antwort.",
        "not_mentioned": "Der Artikel erwähnt <b>{name}</b> nicht und beantwortet die Frage daher nicht.",
        "covers": "Er behandelt: {headings}.",
        "also": "<b>Außerdem im Artikel</b>",
        "more_title": "<b>Weitere Stellen</b>",
        "context_title": "<b>Kontext zu §{id}</b>",
        "passage_title": "<b>§{id}</b> von {count}",
        "button_more": "Mehr",
        "button_context": "Kontext",
        "no_more": "Keine weiteren Stellen des Artikels passen zu dieser Frage.",
        "expired": "Diese Schaltfläche ist abgelaufen. Bitte stell deine Frage noch einmal.",
        "flood": "Du fragst sehr schnell. Bitte warte eine Minute, dann antworte ich wieder.",
        "non_text": "Ich kann nur Text lesen. Schick mir deine Frage zum Artikel als Nachricht.",
        "ask_usage": "Schreib deine Frage hinter den Befehl, z. B. <code>/ask {example}</code>",
        "unknown_command": "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
        "no_passage": "Es gibt keinen Abschnitt §{id}; der Artikel hat §1 bis §{count}.",
        "refused": "Dieser Bot ist hier leider nicht verfügbar.",
        "error": "Entschuldigung, da ist etwas schiefgegangen. Bitte versuch es gleich noch einmal.",
        "inline_not_found": "Steht nicht im Artikel. Frag mich im Privatchat",
        "inline_refused": "Für dich nicht verfügbar. Bot öffnen",
        "quotes_of": "Zitate von {who}:",
        "quotes_ranked": "Die beste Übereinstimmung mit <i>{topic}</i> zuerst.",
        "people_quoted": "<b>Im Artikel zitiert</b>",
        "people_none": "Der Artikel zitiert niemanden wörtlich.",
        "people_count": "Zitate: {n}",
        "people_named": "Genannt, aber nicht wörtlich zitiert: {names}.",
        "quote_usage": "Schick <code>/quote Rutte</code> oder <code>/quote Merz Waffenstillstand</code> (einen Namen, "
                       "auf Wunsch ein Thema dahinter).",
        "quote_unknown": "Niemand namens <i>{name}</i> kommt im Artikel vor.",
        "quote_not_quoted": "{who} wird im Artikel genannt, aber nicht wörtlich zitiert.",
        "brief_title": "<b>Kurzfassung</b>",
        "brief_points": "<b>Das Wichtigste</b>",
        "brief_quotes": "<b>Zitate</b>",
        "subscribe_usage": "Schick <code>/subscribe HH:MM</code> oder <code>/subscribe HH:MM Zeitzone</code>, um die "
                           "Kurzfassung hier jeden Tag zu bekommen, z. B. <code>/subscribe 08:00</code> oder "
                           "<code>/subscribe 07:30 Europe/Vienna</code>. Zeitzonen sind IANA-Namen; ohne Angabe gilt {zone}.",
        "bad_time": "<i>{value}</i> ist keine Uhrzeit (HH:MM, 00:00 bis 23:59).",
        "bad_zone": "<i>{value}</i> ist keine Zeitzone, die ich kenne.",
        "subscribed": "Erledigt: Dieser Chat bekommt die Kurzfassung jeden Tag um {time} ({zone}), das nächste Mal am "
                      "{next}. /unsubscribe beendet das.",
        "admins_only": "Nur Administratoren dieses Chats können die tägliche Kurzfassung ändern.",
        "unsubscribed": "Erledigt: Keine täglichen Kurzfassungen mehr in diesem Chat.",
        "not_subscribed": "Dieser Chat hat keine tägliche Kurzfassung. <code>/subscribe 08:00</code> richtet eine ein.",
        "subscription": "Dieser Chat bekommt die Kurzfassung jeden Tag um {time} ({zone}).\nNächstes Mal: {next}. "
                        "Zuletzt: {last}.",
        "subscription_off": "Die tägliche Kurzfassung dieses Chats um {time} ({zone}) ist angehalten: Ich konnte hier "
                            "nicht posten ({note}). /subscribe startet sie wieder.",
        "never": "noch nie",
        # issue 12 (bot/quoting.py, bot/handlers/callbacks.py)
        "quotes_no_match": "Keines davon handelt von <i>{topic}</i>; hier alle in der Reihenfolge des Artikels.",
        "more_done": "<i>Die übrigen Stellen des Artikels passen nicht zu dieser Frage.</i>",
        "context_shown": "Der Kontext steht schon oben.",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when missing), with ``values`` filled in."""
    template = TEXTS.get(lang, TEXTS[DEFAULT_LANGUAGE]).get(key) or TEXTS[DEFAULT_LANGUAGE][key]
    return template.format(**values) if values else template
